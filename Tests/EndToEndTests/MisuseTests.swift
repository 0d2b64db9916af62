import Foundation
import Testing

/// Scripts that misuse the API must end with exit 1 and `script.lua:LINE: message` — never a
/// signal or a Swift runtime trap.
@Suite struct MisuseTests {
    /// (script, expected line, a fragment the message must contain)
    static let cases: [(String, Int, String)] = [
        ("local t = tensor.zeros(2, 3)\nlocal u = t + tensor.ones(5)\n", 2, "add: shapes [2, 3] and [5] cannot be broadcast"),
        ("local t = tensor.zeros('a')\n", 1, "zeros"),
        ("local t = tensor.ones(3)\nprint(t:matmul('x'))\n", 2, "matmul: argument 2 expected a tensor, got string"),
        ("local t = tensor.ones(3, 4)\nlocal u = t:matmul(tensor.ones(5, 6))\n", 2, "matmul"),
        ("local t = tensor.ones(3)\n\nprint(t[0])\n", 3, "index 0 is out of range for a dimension of size 3"),
        ("local t = tensor.ones(3)\nprint(t[4])\n", 2, "index 4 is out of range"),
        ("local t = tensor.ones(2, 2)\nt:select(3, 1)\n", 2, "dim 3 is out of range"),
        ("local t = tensor.ones(2, 2)\nt:sum(0)\n", 2, "dim 0 is out of range"),
        ("local t = tensor.randn(3, 4, {requires_gradd = true})\n", 1, "unknown option 'requires_gradd'"),
        ("local t = tensor.zeros(100000, 100000, 100000)\n", 1, "zeros"),
        ("local t = tensor.zeros(1e12)\n", 1, "out of memory"),
        ("local t = tensor.zeros(-1)\n", 1, "non-negative"),
        ("local t = tensor.ones(2)\nt.foo = 1\n", 2, "cannot set field 'foo'"),
        ("local t = tensor.ones(2)\nt.grad = tensor.ones(3)\n", 2, "grad must have the tensor's shape [2], got [3]"),
        ("local t = tensor.ones(2):requires_grad(true)\nlocal l = (t * 2):sum()\nl:backward()\nl:backward()\n", 4, "backward"),
        ("local t = tensor.ones(2, 3)\nprint(t:item())\n", 2, "item"),
        ("local t = tensor.ones(6)\nlocal v = t:view(4, 2)\n", 2, "view"),
        ("local t = tensor.from{{1, 2}, {3}}\n", 1, "ragged nested table"),
        ("local t = tensor.ones(2)\nlocal u = t:index_select(1, tensor.from{1, 3})\n", 2, "index_select"),
        ("local cfg = experiment.config(5)\n", 1, "config: argument 1 (defaults) expected a table, got integer"),
        ("experiment.log{ step = 1, loss = tensor.ones(3) }\n", 1, "expected a number or a one-element tensor"),
        ("autograd.no_grad(5)\n", 1, "no_grad: argument 1 expected a function, got integer"),
        ("tensor.cat({}, 1)\n", 1, "cat"),
        ("local t = tensor.ones(2)\nlocal u = t:add(nil)\n", 2, "add"),
    ]

    @Test(arguments: 0..<cases.count)
    func misuseIsALocatedLuaError(_ k: Int) throws {
        let (script, line, fragment) = Self.cases[k]
        let r = try Descent.runScript(script)
        #expect(!r.terminatedBySignal, "case \(k) crashed: \(r.stderr)")
        #expect(r.status == 1, "case \(k): status \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("script.lua:\(line): "), "case \(k): \(r.stderr)")
        #expect(r.stderr.contains(fragment), "case \(k): \(r.stderr)")
        #expect(r.stderr.contains("stack traceback"), "case \(k): \(r.stderr)")
    }

    @Test func errorsCaughtByPcallLetTheScriptContinue() throws {
        let r = try Descent.runScript("""
            local ok, err = pcall(function() return tensor.ones(2) + tensor.ones(3) end)
            print(ok, err)
            local ok2, err2 = pcall(tensor.zeros, -5)
            print(ok2)
            local t = tensor.ones(2) * 3
            print(t:sum():item())
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("false\tscript.lua:1: add: shapes [2] and [3] cannot be broadcast"))
        #expect(lines[1] == "false")
        #expect(lines[2] == "6")
    }

    @Test func wrongUserdataTypeIsNamed() throws {
        let r = try Descent.runScript("""
            local loader = io.stdout
            print(tensor.ones(2):add(loader))
            """)
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:2: add: argument 2 expected a tensor or a number, got FILE*"), "\(r.stderr)")
    }

    @Test func syntaxErrorIsReportedWithItsLine() throws {
        let r = try Descent.runScript("local x = \nlocal = 3\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:2:"), "\(r.stderr)")
    }

    @Test func runtimeErrorInScriptExitsOne() throws {
        let r = try Descent.runScript("local x = nil\nprint(x.y)\n")
        #expect(r.status == 1)
        #expect(r.stderr.contains("script.lua:2: attempt to index a nil value"), "\(r.stderr)")
    }
}
