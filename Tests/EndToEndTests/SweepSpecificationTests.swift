import Foundation
import Testing

/// The sweep specification as a user meets it: a misspelled key stops the sweep once, before
/// any run; a value typed as its default is the same run; `--stop-on-diverge` ends a run at its
/// first non-finite loss.
@Suite struct SweepSpecificationTests {
    static let script = """
        local cfg = experiment.config{ lr = 0.1, steps = 5 }
        for s = 1, cfg.steps do
          local loss = (s == 2 and cfg.lr > 1) and 0/0 or cfg.lr * s
          experiment.log{ step = s, loss = loss }
        end

        """

    @Test func unknownKeyStopsTheSweepBeforeAnyRun() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.script, to: "t.lua", in: dir)
        let r = try Descent.run(["sweep", "t.lua", "--grid", "lrr=1,2", "--out", "o"], in: dir, timeout: 60)
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("t.lua has no config key 'lrr' (its experiment.config keys: lr, steps)"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("o/runs").path))
    }

    @Test func valuesAreCanonicalAndDefaultsAreTheSameRun() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.script, to: "t.lua", in: dir)
        func ids(_ args: [String]) throws -> [String] {
            let r = try Descent.run(["sweep", "t.lua"] + args + ["--out", "o", "--list"], in: dir, timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout.split(separator: "\n").dropFirst().map { String($0.split(separator: " ")[1]) }
        }
        // 0.1 is the default: --set lr=0.1, --set lr=1e-1 and no --set are one run.
        let plain = try ids([])
        #expect(try ids(["--set", "lr=1e-1"]) == plain)
        #expect(try ids(["--set", "lr=0.10"]) == plain)
        #expect(try ids(["--set", "lr=0.2"]) != plain)
        // --zip takes a repeated value.
        #expect(try ids(["--zip", "lr=3e-3,3e-3,5e-2", "--zip", "steps=2,3,2"]).count == 3)
    }

    @Test func stopOnDivergeEndsTheRunAtTheFirstNonFiniteLoss() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.script, to: "t.lua", in: dir)
        let r = try Descent.run(["run", "t.lua", "--set", "lr=2", "--out", "run", "--stop-on-diverge"], in: dir, timeout: 60)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("stopped at the first non-finite value (--stop-on-diverge): loss = "), "\(r.stderr)")
        let status = try String(contentsOf: dir.appendingPathComponent("run/status.json"), encoding: .utf8)
        #expect(status.contains("\"status\": \"diverged\""), "\(status)")
        let metrics = try String(contentsOf: dir.appendingPathComponent("run/metrics.jsonl"), encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 2)  // steps 3..5 never ran
        // Also from the script: experiment.stop_on_diverge().
        try Descent.write("experiment.stop_on_diverge()\n" + Self.script, to: "s.lua", in: dir)
        let s = try Descent.run(["run", "s.lua", "--set", "lr=2", "--out", "run2"], in: dir, timeout: 60)
        #expect(s.status == 0 && s.stderr.contains("--stop-on-diverge"), "\(s.stderr)")
    }
}
