import Foundation
import LuaHost
import Testing
@testable import Console

/// Lines given up front, as if typed; records the prompts it was asked to show.
final class ScriptedLines: LineSource {
    var inputs: [ReplInput]
    var prompts: [String] = []
    init(_ inputs: [ReplInput]) { self.inputs = inputs }
    convenience init(_ lines: [String]) { self.init(lines.map(ReplInput.line)) }
    func readLine(prompt: String) -> ReplInput {
        prompts.append(prompt)
        return inputs.isEmpty ? .end : inputs.removeFirst()
    }
}

/// A REPL over a plain Lua state, with what it wrote.
final class Session {
    let lines: ScriptedLines
    var output = ""
    var errors = ""
    let repl: Repl

    init(_ inputs: [ReplInput]) throws {
        lines = ScriptedLines(inputs)
        var sink = ReplOutput(write: { _ in }, error: { _ in })
        let box = Captured()
        sink.write = { box.output += $0 }
        sink.error = { box.errors += $0 }
        repl = try Repl(host: try LuaHost(), input: lines, output: sink)
        repl.run()
        output = box.output
        errors = box.errors
    }

    convenience init(_ lines: [String]) throws { try self.init(lines.map(ReplInput.line)) }

    final class Captured { var output = "", errors = "" }
}

@Suite struct IncompleteInputTests {
    @Test func eofErrorsAreIncomplete() {
        #expect(Repl.isIncomplete("stdin:1: 'end' expected near <eof>"))
        #expect(Repl.isIncomplete("stdin:1: unfinished long string (starting at line 1) near '<eof>'") == false)
        #expect(Repl.isIncomplete("stdin:1: unexpected symbol near '='") == false)
    }

    @Test func compileSortsChunks() throws {
        let repl = try Repl(host: try LuaHost(), input: ScriptedLines([String]()), output: ReplOutput(write: { _ in }, error: { _ in }))
        let top = repl.host.state.top
        #expect(repl.compile("x = 1") == .ready)
        repl.host.state.setTop(top)
        for unfinished in ["function f()", "for i = 1, 3 do", "t = {", "if x then", "s = [[long", "f(1,"] {
            guard case .incomplete = repl.compile(unfinished) else {
                Issue.record("'\(unfinished)' should be incomplete")
                continue
            }
        }
        #expect(repl.host.state.top == top)  // failed compiles leave nothing behind
        guard case .failed(let message) = repl.compile("x = = 1") else {
            Issue.record("'x = = 1' should fail")
            return
        }
        #expect(message == "stdin:1: unexpected symbol near '='")
    }
}

@Suite struct ReplLoopTests {
    @Test func continuationLinesUseTheSecondPrompt() throws {
        let s = try Session(["function f(x)", "  return x + 1", "end", "f(1)"])
        #expect(s.output == "2\n")
        #expect(s.errors == "")
        #expect(s.lines.prompts == ["> ", ">> ", ">> ", "> ", "> "])
    }

    @Test func interruptDropsAnUnfinishedEntry() throws {
        let s = try Session([.line("function f()"), .interrupt, .line("f"), .line("1 + 2")])
        #expect(s.output == "nil\n3\n")  // f was never defined
        #expect(s.errors == "")
    }

    @Test func equalsSignEvaluates() throws {
        let s = try Session(["=1, 2", "= 'x' .. 'y'"])
        #expect(s.output == "1\t2\nxy\n")
    }

    @Test func errorsCarryTracebackAndLeaveTheStackClean() throws {
        let s = try Session(["error('bad')", "x = 2", "x * 3"])
        #expect(s.errors.hasPrefix("stdin:1: bad\nstack traceback:"), "\(s.errors)")
        #expect(s.output == "6\n")
        #expect(s.repl.host.state.top == 0)
    }

    @Test func failingTostringIsAnErrorNotACrash() throws {
        let s = try Session(["setmetatable({}, {__tostring = function() error('no text') end})", "'after'"])
        #expect(s.errors.contains("no text"), "\(s.errors)")
        #expect(s.output == "after\n")
    }

    @Test func tablesAreShownOneLevelDeep() throws {
        let s = try Session([
            "{}", "{10, 20, 30}", "{a = 1, ['b c'] = 'x', [2.5] = true, ['end'] = 0}",
            "{[1] = 'one', [3] = 'three'}", "{'line\\nbreak'}",
        ])
        #expect(s.output == """
            {}
            {10, 20, 30}
            {[2.5] = true, a = 1, ["b c"] = "x", ["end"] = 0}
            {"one", [3] = "three"}
            {"line\\nbreak"}

            """, "\(s.output)")
    }

    @Test func longTablesAreCut() throws {
        let s = try Session(["(function() local t = {} for i = 1, 25 do t[i] = i end return t end)()"])
        #expect(s.output == "{" + (1...20).map(String.init).joined(separator: ", ") + ", ...}\n")
    }
}
