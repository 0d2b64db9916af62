import Foundation
import Testing

/// The API fuzz harness (Fuzz/harness.lua) through the real binary, plus the inputs it found
/// that used to crash the process. A script may get Lua errors, never a signal or a Swift trap.
@Suite struct FuzzTests {
    static let harness = projectRoot.appendingPathComponent("Tests/EndToEndTests/Fuzz/harness.lua")

    /// Runs the harness from a scratch folder under --sandbox, as scripts/fuzz does.
    static func fuzz(calls: Int, seed: Int, timeout: TimeInterval = 120) throws -> DescentRun {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: harness, to: dir.appendingPathComponent("harness.lua"))
        return try Descent.run(["run", "harness.lua", "--sandbox", "--max-memory", "2048", "--timeout", "\(Int(timeout) - 5)",
                                "--out", "run", "--quiet", "--set", "calls=\(calls)", "--set", "seed=\(seed)"],
                               in: dir, timeout: timeout)
    }

    @Test func tenThousandRandomCallsEndInLuaErrorsNeverACrash() throws {
        let r = try Self.fuzz(calls: 10_000, seed: 1)
        #expect(!r.terminatedBySignal, "crashed; rerun with --set trace=1 to find the call: \(r.stderr.suffix(3000))")
        #expect(r.status == 0, "\(r.stderr.suffix(3000))")
        #expect(r.stdout.contains("fuzz: 10000 calls"), "\(r.stdout)")
    }

    /// Inputs the harness found (each crashed the process before its fix), run one by one so a
    /// regression names its case.
    static let nasty: [String] = [
        // unbind/split of an expanded dim of 2^40 built one view per slice (abort: "failed to
        // allocate 8796093022240 bytes"; fuzz seed 7, call 11441).
        "assert(not pcall(function() return tensor.ones(1, 3):expand(2 ^ 40, 3):unbind() end))",
        "assert(not pcall(function() return tensor.ones(1):expand(2 ^ 40):split(1) end))",
        // quantile copied an expanded q tensor of 2^40 elements (abort; fuzz seed 8, call 51549).
        "assert(not pcall(function() return tensor.ones(3):quantile(tensor.ones(1):expand(2 ^ 40)) end))",
        // The JSON encoder took abs(math.mininteger) (trap; fuzz seed 9, call 50972); also experiment.log.
        "assert(not pcall(experiment._json_encode, math.mininteger)); assert(not pcall(experiment.log, {x = math.mininteger}))",
        // nn._shape_string walked a tensor's 2^40 rows with ipairs (a hang; fuzz seed 6, call 18199).
        "assert(type(nn._shape_string(tensor.ones(1, 3):expand(2 ^ 40, 3))) == 'string')",
        // __gc of our classes called on a foreign userdata freed a FILE* as a Swift object.
        "getmetatable(tensor.ones(1)).__gc(io.stdout)",
        "local l = data.loader(tensor.ones(2, 1), tensor.ones(2)); getmetatable(l).__gc(io.stderr)",
        // ... and on our own value: later uses are errors.
        "local t = tensor.ones(2); getmetatable(t).__gc(t); assert(not pcall(function() return t + 1 end))",
        // 0-d tensors have no dimension to index.
        "assert(not pcall(tensor.size, tensor.from(1), -1))",
        "assert(not pcall(tensor.select, tensor.from(1), 1, 1))",
        "assert(not pcall(tensor.narrow, tensor.from(1), 1, 1, 1))",
        // Deep nesting pushed past the 20 stack slots a C function may use.
        // (Tensors have at most 64 dimensions since issue 14: deeper is an error.)
        "local t = {1} for i = 1, 300 do t = {t} end assert(not pcall(tensor.from, t))",
        "local t = {1} for i = 1, 63 do t = {t} end assert(tensor.from(t):dim() == 64)",
        "local s = {} for i = 1, 64 do s[i] = 1 end assert(type(tensor.ones(s):totable()) == 'table')",
        // Issue 14: coroutines, expanded tensors, extreme integers, deep state dicts, finalizers.
        "local o = optim.SGD({tensor.zeros(1):requires_grad(true)}, {lr = 1}); assert(coroutine.wrap(function() return o.param_groups[1].lr end)() == 1)",
        "assert(not pcall(tensor.totable, tensor.ones(1):expand(2^40)))",
        "assert(not pcall(tensor.index_select, tensor.ones(3), 1, tensor.ones(1):expand(2^40)))",
        "local o = optim.Adam({tensor.zeros(1):requires_grad(true)}); local sd = o:state_dict(); sd.state[2^63] = {}; assert(not pcall(o.load_state_dict, o, sd))",
        "assert(not pcall(nn.functional.conv2d, tensor.ones(1, 1, 3, 3), tensor.ones(1, 1, 1, 1), nil, {dilation = 1 << 62}))",
        "local mt = {__gc = function() tensor.ones(2):add_(1) end} for i = 1, 1000 do setmetatable({}, mt) end local x = tensor.ones(300, 300):totable()",
        "assert(type(experiment._json_decode(string.rep('[', 400) .. string.rep(']', 400))) == 'table')",
        "local t = {1} for i = 1, 5000 do t = {t} end assert(not pcall(tensor.from, t))",
        "local t = {1} for i = 1, 30 do t = {t} end assert(pcall(experiment._json_encode, t))",
        // Row-major strides of a zero-size shape overflowed.
        "assert(not pcall(tensor.zeros, 0, 2^40, 2^40))",
        "assert(not pcall(tensor.view, tensor.zeros(0), 0, 2^40, 2^40))",
        // start + length overflowed.
        "assert(not pcall(tensor.narrow, tensor.ones(3), 1, 2, math.maxinteger))",
        // A NaN after an out-of-range index was still converted to Int.
        "assert(not pcall(tensor.index_select, tensor.ones(3), 1, tensor.from{9, 0/0}))",
        // Extra arguments to no_grad made it return a negative result count.
        "local a, b = autograd.no_grad(function() return 1, 2 end, 'extra', 'args'); assert(a == 1 and b == 2)",
        // Extreme integers reaching the new tensor ops (issue 15): counts, offsets and sizes overflowed.
        "assert(#tensor.ones(3):chunk(math.maxinteger) == 3)",
        "assert(not pcall(tensor.split, tensor.ones(3), {math.maxinteger, math.maxinteger, 5}))",
        "assert(not pcall(tensor.diag, tensor.ones(3), math.mininteger))",
        "assert(tensor.ones(3, 3):tril(math.maxinteger):sum():item() == 9 and tensor.ones(3, 3):triu(math.mininteger):sum():item() == 9)",
        "assert(tensor.ones(3, 3):diagonal(math.mininteger):numel() == 0 and tensor.ones(3, 3):diagonal(math.maxinteger):numel() == 0)",
        "assert(tensor.ones(4):roll(math.mininteger)[1] == 1)",
        "assert(not pcall(tensor.topk, tensor.ones(3), math.maxinteger))",
        "assert(tensor.randn(2, 50):topk(0, 2):numel() == 0 and tensor.randn(2, 50):topk(3, 2):size(2) == 3)",
    ]

    /// Script arguments were pushed past the Lua stack (`descent run s.lua -- 1 2 ... 1000`).
    @Test func thousandScriptArgumentsReachTheScript() throws {
        let r = try Descent.runScript("print(select('#', ...), #arg)\n", ["--"] + (1...1000).map(String.init))
        #expect(!r.terminatedBySignal, "\(r.stderr.suffix(2000))")
        #expect(r.stdout == "1000\t1000\n", "\(r.stdout) \(r.stderr.suffix(2000))")
    }

    @Test(arguments: 0..<nasty.count)
    func knownNastyInputIsHandled(_ k: Int) throws {
        let r = try Descent.runScript(Self.nasty[k] + "\nprint('survived')\n", ["--max-memory", "1024"], timeout: 60)
        #expect(!r.terminatedBySignal, "case \(k) crashed: \(r.stderr.suffix(2000))")
        #expect(r.status == 0, "case \(k): \(r.stderr.suffix(2000))")
        #expect(r.stdout.contains("survived"), "case \(k): \(r.stdout)")
    }
}
