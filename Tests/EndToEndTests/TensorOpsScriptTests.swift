import Foundation
import Testing

/// The new tensor operations from a Lua script through the real binary: 1-based dims and
/// indices, tables of pieces, gradients, and errors located at the script line.
@Suite struct TensorOpsScriptTests {
    @Test func opsWorkFromLuaWithOneBasedDimsAndIndices() throws {
        let r = try Descent.runScript("""
            local x = tensor.from{{3, 1, 2}, {0, 5, 5}}
            local v, i = x:sort(2)
            assert(i[1][1] == 2 and i[1][3] == 1 and v[2][1] == 0)
            local tv, ti = x:topk(2, 2)
            assert(ti[2][1] == 2 and ti[2][2] == 3, "ties keep the earlier index")
            assert(x:argsort(1, true)[1][2] == 2)
            assert(x:cumsum(2)[2][3] == 10 and x:cumprod(1)[2][1] == 0)
            assert(x:flip(1)[1][2] == 5 and x:roll(1, 2)[1][1] == 2)
            assert(tensor.ones(3, 3):tril():sum():item() == 6 and tensor.ones(3, 3):triu(1):sum():item() == 3)
            assert(x:masked_fill(x:gt(2), -1)[1][1] == -1)
            assert(tensor.zeros(2, 3):scatter(2, tensor.from{{2}, {3}}, 7)[2][3] == 7)
            assert(tensor.zeros(3, 2):scatter_add(1, tensor.from{{1, 1}}, tensor.ones(1, 2))[1][2] == 1)
            assert(tensor.zeros(3, 2):index_add(1, tensor.from{1, 3}, tensor.ones(2, 2), {alpha = 2})[3][1] == 2)
            local parts = x:split({1, 2}, 2)
            assert(#parts == 2 and parts[2]:size(2) == 2 and #x:chunk(2, 2) == 2 and #x:unbind(2) == 3)
            assert(tensor.from{0 / 0, 1}:isnan()[1] == 1 and x:any():item() == 1 and x:all():item() == 0)
            assert(tensor.eye(3):trace():item() == 3 and x:diagonal()[2] == 5 and tensor.from{1, 2}:diag(1):size(1) == 3)
            assert(math.abs(x:norm('fro'):item() - 8) < 1e-6 and x:norm(1, {1, 2}):item() == 16 and x:norm('inf', 2)[2] == 5)
            assert(x:clamp(tensor.from{1, 2, 3}, 4)[1][2] == 2 and x:lerp(tensor.zeros(3), 0.5)[1][1] == 1.5)
            assert(x:addcmul(x, x, 2)[1][1] == 21 and tensor.ones(2):addcdiv(tensor.ones(2), tensor.full(2, 4))[1] == 1.25)
            -- attention shapes: einsum and broadcast matmul agree
            local q, k = tensor.randn(2, 3, 4, 5), tensor.randn(1, 3, 5, 4)
            local s = q:matmul(k)
            assert(s:size(1) == 2 and s:size(4) == 4)
            local e = tensor.einsum("bhqd,bhdk->bhqk", q, k)
            assert((s - e):abs():max():item() < 1e-5)
            -- gradients flow through the new ops
            local w = tensor.randn(4, 4, {requires_grad = true})
            local loss = (w:tril():masked_fill(tensor.eye(4), 0):cumsum(1) * 2):sum() + w:topk(2, 2):sum()
            loss:backward()
            assert(w.grad:shape()[1] == 4)
            -- ops added along the way
            assert(x:tile(2, 1):size(1) == 4 and x:repeat_interleave(2, 2):size(2) == 6 and x:movedim(1, 2):size(1) == 3)
            assert(tensor.kron(tensor.eye(2), x):size(2) == 6 and x:diff(1, 2)[1][1] == -2)
            assert(tensor.tensordot(tensor.ones(2, 3), tensor.ones(3, 4), 1):sum():item() == 24)
            assert(x:amax(2)[2] == 5 and x:amin({1, 2}):item() == 0 and x:sum({1, 2}):item() == 16 and x:mean(2, true):size(2) == 1)
            assert(x:masked_select(x:gt(2)):numel() == 3 and x:nonzero():size(1) == 5)
            local y = x:clone():masked_fill_(x:eq(5), 0):triu_()
            assert(y[2][2] == 0 and y[2][1] == 0 and y[1][1] == 3)
            print("ok")
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ok\n", "\(r.stdout)")
    }

    @Test func badArgumentsAreLuaErrorsAtTheScriptLine() throws {
        let cases: [(String, String)] = [
            ("local x = tensor.ones(3, 5)\nlocal v = x:topk(7, 2)\n", "script.lua:2: topk: k must be in [0, 5] for dim 2 of shape [3, 5], got 7"),
            ("local a = tensor.ones(2, 3)\n\nlocal c = tensor.einsum('ij,jk->il', a, tensor.ones(3, 4))\n",
             "script.lua:3: einsum: output subscript 'l' does not appear in the inputs of 'ij,jk->il'"),
            ("local c = tensor.einsum('ij,kj', tensor.ones(2, 3), tensor.ones(3, 4))\n",
             "script.lua:1: einsum: subscript 'j' has size 3 in operand 1 but 4 in operand 2"),
            ("local c = tensor.ones(2, 3, 2, 4):matmul(tensor.ones(3, 2, 4, 5))\n",
             "script.lua:1: matmul: batch dims [2, 3] and [3, 2] of shapes [2, 3, 2, 4] and [3, 2, 4, 5] cannot be broadcast"),
            ("local c = tensor.ones(3):tril()\n", "script.lua:1: tril: expected a tensor with at least 2 dims, got shape [3]"),
            ("local c = tensor.ones(2, 3):cumsum(3)\n", "script.lua:1: cumsum: dim 3 is out of range for a tensor with 2 dimensions"),
            ("local c = tensor.ones(2, 3):norm('nuc')\n", "script.lua:1: norm: p must be a number, 'fro', 'inf' or '-inf', got 'nuc'"),
            ("local c = tensor.ones(2):index_add(1, tensor.from{1}, tensor.ones(1), {beta = 1})\n", "script.lua:1: index_add: unknown option 'beta' (valid: alpha)"),
        ]
        for (source, message) in cases {
            let r = try Descent.runScript(source)
            #expect(r.status == 1, "\(source): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(source): \(r.stderr)")
        }
    }
}
