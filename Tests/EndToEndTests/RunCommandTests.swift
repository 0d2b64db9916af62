import Foundation
import Testing

/// `descent run` as a user drives it: results, overrides, arguments, exit codes.
@Suite struct RunCommandTests {
    @Test func printsTensorResults() throws {
        let r = try Descent.runScript("""
            local a = tensor.ones(2, 3)
            local b = a * 2 + tensor.arange(3)
            print(b:sum():item())
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "18")
    }

    @Test func configOverridesAreTyped() throws {
        let r = try Descent.runScript("""
            local cfg = experiment.config{ lr = 0.1, steps = 10, name = "x", nesterov = false, betas = {0.9, 0.999} }
            print(math.type(cfg.steps), cfg.steps, cfg.lr, cfg.name, tostring(cfg.nesterov), cfg.betas[2])
            """, ["--set", "lr=3e-4", "--set", "steps=20", "--set", "name=adam", "--set", "nesterov=true", "--set", "betas=0.8,0.99"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "integer\t20\t0.0003\tadam\ttrue\t0.99")
    }

    @Test func unknownConfigKeyListsValidKeys() throws {
        let r = try Descent.runScript("local cfg = experiment.config{ lr = 0.1, steps = 10 }\n", ["--set", "lrr=1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:1: config: --set lrr=1: unknown key 'lrr' (valid keys: lr, steps)"), "\(r.stderr)")
    }

    @Test func badOverrideTypeIsAnError() throws {
        let r = try Descent.runScript("local cfg = experiment.config{ lr = 0.1 }\n", ["--set", "lr=fast"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("expected a number"), "\(r.stderr)")
    }

    @Test func scriptArgumentsReachArgAndVarargs() throws {
        let r = try Descent.runScript("""
            local a, b = ...
            print(arg[0], arg[1], arg[2], a, b, #arg)
            """, ["--", "one", "two"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "script.lua\tone\ttwo\tone\ttwo\t2")
    }

    @Test func requireFindsModulesNextToTheScript() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write("return { answer = function() return 42 end }\n", to: "helper.lua", in: dir)
        try Descent.write("print(require('helper').answer())\nprint(require('descent').tensor == tensor)\n", to: "main.lua", in: dir)
        let r = try Descent.run(["run", "main.lua"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "42\ntrue\n")
    }

    @Test func seedMakesRandomNumbersReproducible() throws {
        let script = "print(tensor.randn(3):sum():item(), experiment.seed())\n"
        let a = try Descent.runScript(script, ["--seed", "7"])
        let b = try Descent.runScript(script, ["--seed", "7"])
        let c = try Descent.runScript(script, ["--seed", "8"])
        #expect(a.status == 0 && a.stdout == b.stdout, "\(a.stderr)")
        #expect(a.stdout != c.stdout)
        #expect(a.stdout.hasSuffix("\t7\n"))
    }

    @Test func logPrintsJSONWithoutARunDirectory() throws {
        let r = try Descent.runScript("experiment.log{ step = 1, loss = 0.5 }\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{\"step\":1,\"loss\":0.5}\n")
    }

    @Test func usageErrorsExitWith2() throws {
        let missing = try Descent.run(["run", "/nonexistent/script.lua"])
        #expect(missing.status == 2)
        let badSet = try Descent.runScript("", ["--set", "novalue"])
        #expect(badSet.status == 2)
        let unknownFlag = try Descent.runScript("", ["--bogus"])
        #expect(unknownFlag.status == 2)
    }

    @Test func versionPrints() throws {
        let r = try Descent.run(["version"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("descent ") && r.stdout.contains("Lua 5.4"), "\(r.stdout)")
    }
}
