import Foundation
import Testing

/// Each registry is the one list of its kind (optimizers: OptimizerRegistry.builtins; problems:
/// problems.lua's `names`); lists that cannot be derived from it — the docs and the stubs — are
/// checked against it here, so adding an optimizer or a problem cannot leave one behind.
@Suite struct RegistryAgreementTests {
    /// `{display names}`, `{build names}` and `{problem names}` from the running binary.
    static func registries() throws -> (constructors: [String], names: [String], problems: [String], built: [String]) {
        let r = try Descent.runScript("""
            local ctors = {}
            for k, v in pairs(optim) do
              if type(v) == "function" and k:match("^%u") then ctors[#ctors + 1] = k end
            end
            table.sort(ctors)
            print(table.concat(ctors, ","))
            print(table.concat(optim.names(), ","))
            print(table.concat(problems.names(), ","))
            -- The constructor each build name makes (optax spellings differ from it: sign_sgd).
            local built = {}
            for _, n in ipairs(optim.names()) do
              local ok, opt = pcall(optim.build, n, {tensor.ones(2, 2):requires_grad(true)})
              built[#built + 1] = ok and opt.name or ("error:" .. n)
            end
            print(table.concat(built, ","))
            """)
        guard r.status == 0 else { throw TerminalError("script failed: \(r.stderr)") }
        let lines = r.stdout.split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        return (lines[0], lines[1], lines[2], lines[3])
    }

    static func read(_ path: String) throws -> String {
        try String(contentsOf: projectRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func everyOptimizerHasItsConstructorDocsAndStub() throws {
        let (constructors, names, _, built) = try Self.registries()
        #expect(constructors.count >= 10)
        // One constructor per registered name, and nothing else capitalised in optim: building
        // each name gives each constructor's optimizer once.
        #expect(names.count == constructors.count, "\(constructors) vs \(names)")
        #expect(Set(built) == Set(constructors), "\(constructors) vs \(built)")
        // Build names are lowercase (optax's spellings have underscores).
        #expect(names.allSatisfy { $0 == $0.lowercased() }, "\(names)")
        let reference = try Self.read("docs/optimizers.md")
        let stub = try Self.read("editor/luals/library/optim.lua")
        let headings = reference.split(separator: "\n").filter { $0.hasPrefix("## ") || $0.hasPrefix("### ") }
        for name in constructors {
            #expect(headings.contains { $0.range(of: "\\b\(name)\\b", options: .regularExpression) != nil },
                    "docs/optimizers.md has no section for \(name)")
            #expect(reference.contains("| `\(name)` |"), "docs/optimizers.md's defaults table has no row for \(name)")
            #expect(stub.contains("function optim.\(name)("), "the optim stub does not declare optim.\(name)")
        }
    }

    @Test func everyProblemIsDocumentedAndStubbed() throws {
        let (_, _, problems, _) = try Self.registries()
        #expect(problems.count >= 5)
        let api = try Self.read("docs/lua-api/problems.md"), stub = try Self.read("editor/luals/library/problems.lua")
        for name in problems {
            #expect(api.contains("### `problems.\(name)"), "docs/lua-api/problems.md has no section for \(name)")
            #expect(stub.contains("function problems.\(name)("), "the problems stub does not declare problems.\(name)")
        }
    }
}
