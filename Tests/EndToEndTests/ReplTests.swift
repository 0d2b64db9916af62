import Foundation
import Testing

/// `descent repl` with input from a pipe: no prompts, only results and errors.
@Suite struct ReplTests {
    /// Runs `descent repl extra...` with `input` on stdin and no history file.
    func repl(_ input: String, _ extra: [String] = []) throws -> DescentRun {
        try Descent.run(["repl"] + extra, environment: ["DESCENT_HISTORY": ""], input: input)
    }

    @Test func printsExpressionValues() throws {
        let r = try repl("1 + 1\n10 / 2\n'text'\n=2^10\nnil\n1, 'a', true\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "2\n5.0\ntext\n1024.0\nnil\n1\ta\ttrue\n")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test func helpPrintsReferenceEntries() throws {
        let r = try repl("help(optim.Adam)\nhelp(tensor)\nt = tensor.zeros(2)\nhelp(t.reshape)\nhelp(t)\nhelp('Optimizer:step')\nhelp(42)\n")
        #expect(r.status == 0, "\(r.stderr)")
        // The entry of a function: signature, parameters and result, from the stubs.
        #expect(r.stdout.contains("optim.Adam(params, opts)\n"), "\(r.stdout)")
        #expect(r.stdout.contains("    opts? optim.AdamOptions"), "\(r.stdout)")
        // A module: its description and its functions.
        #expect(r.stdout.contains("module tensor\n"), "\(r.stdout)")
        #expect(r.stdout.contains(" zeros ones empty rand randn"), "\(r.stdout)")
        // A method found from its value, and a class from an instance.
        #expect(r.stdout.contains("Tensor:reshape(...)\n  A tensor with a new shape"), "\(r.stdout)")
        #expect(r.stdout.contains("class Tensor\n"), "\(r.stdout)")
        #expect(r.stdout.contains("Optimizer:step(closure)"), "\(r.stdout)")
        #expect(r.stdout.contains("help: no reference entry for this number"), "\(r.stdout)")
    }

    /// Every function the modules register has a help entry (the stubs are their single source).
    @Test func everyRegisteredFunctionHasAHelpEntry() throws {
        let functions = try LuaRegistry.functions()
        #expect(functions.count > 300)
        let script = functions.map { "help('\($0.dotted)')" }.joined(separator: "\n") + "\n"
        let r = try repl(script)
        #expect(r.status == 0, "\(r.stderr)")
        let missing = r.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("help: no reference entry") }
        #expect(missing.isEmpty, "\(missing)")
    }

    @Test func statementsPrintNothing() throws {
        let r = try repl("x = 3\nlocal y = 4\nprint('printed', x)\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "printed\t3\n")
    }

    @Test func tensorsArePrettyPrinted() throws {
        let r = try repl("tensor.arange(6):reshape(2, 3)\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "[[0, 1, 2],\n [3, 4, 5]]\n[tensor of shape [2, 3]]\n", "\(r.stdout)")
    }

    @Test func tablesShowTheirContents() throws {
        let r = try repl("{1, 2, x = 3, name = 'a', inner = {4}, ['two words'] = {}}\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{1, 2, inner = {...}, name = \"a\", [\"two words\"] = {}, x = 3}\n", "\(r.stdout)")
    }

    @Test func multiLineFunctionThenCall() throws {
        let r = try repl("""
            function double(x)
              return x * 2
            end
            double(21)
            for i = 1, 2 do
              print(i)
            end

            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "42\n1\n2\n")
    }

    @Test func errorsAreReportedAndTheLoopGoesOn() throws {
        let r = try repl("tensor.ones(2) + tensor.ones(3)\nerror('boom')\nx = = 1\n'still here'\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "still here\n")
        #expect(r.stderr.contains("stdin:1: add: shapes [2] and [3] cannot be broadcast"), "\(r.stderr)")
        #expect(r.stderr.contains("stdin:1: boom"), "\(r.stderr)")
        #expect(r.stderr.contains("stdin:1: unexpected symbol near '='"), "\(r.stderr)")
    }

    @Test func stateLastsAcrossLines() throws {
        let r = try repl("local_counter = 0\nlocal_counter = local_counter + 5\nlocal_counter\nlocal v = 1\nv\n")
        #expect(r.status == 0, "\(r.stderr)")
        // Globals persist; a `local` lives only in its own line, as in lua.
        #expect(r.stdout == "5\nnil\n")
    }

    @Test func unfinishedInputAtTheEndIsASyntaxError() throws {
        let r = try repl("function f()\n  return 1\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("'end' expected"), "\(r.stderr)")
        #expect(r.stderr.contains("<eof>"), "\(r.stderr)")
    }

    @Test func seedMakesTheSessionReproducible() throws {
        let a = try repl("tensor.randn(2)\n", ["--seed", "3"])
        let b = try repl("tensor.randn(2)\n", ["--seed", "3"])
        let c = try repl("tensor.randn(2)\n", ["--seed", "4"])
        #expect(a.status == 0, "\(a.stderr)")
        #expect(a.stdout.hasSuffix("[tensor of shape [2]]\n"), "\(a.stdout)")
        #expect(a.stdout == b.stdout)
        #expect(a.stdout != c.stdout)
    }

    @Test func setOverridesReachExperimentConfig() throws {
        let r = try repl("experiment.config{ lr = 0.1 }.lr\n", ["--set", "lr=0.5", "--threads", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "0.5\n")
    }

    @Test func descentAloneWithoutATerminalPrintsHelp() throws {
        let r = try Descent.run([], input: "")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("SUBCOMMANDS"), "\(r.stdout)")
        #expect(r.stdout.contains("repl"), "\(r.stdout)")
    }
}
