import Foundation
import Testing

/// The `linalg` module through the binary: return conventions, options, gradients reaching Lua,
/// and located errors for singular, non-positive-definite and misshapen input.
@Suite struct LinalgModuleTests {
    @Test func functionsReturnPyTorchsConventions() throws {
        let r = try Descent.runScript("""
            local A = tensor.from{{4, 1, 2}, {1, 3, 0}, {2, 0, 5}}
            local function near(a, b) return (a - b):abs():max():item() < 1e-4 end
            local w, V = linalg.eigh(A)
            assert(w[1] < w[2] and w[2] < w[3], "ascending")
            assert(near(A:matmul(V), V * w), "A V = V diag(w)")
            local B = tensor.randn(2, 4, 3)
            local U, S, Vh = linalg.svd(B)
            assert(#U:size() == 3 and U:size(3) == 3 and S:size(2) == 3 and Vh:size(2) == 3)
            assert(near((U * S:unsqueeze(2)):matmul(Vh), B), "U diag(S) Vh = B")
            local Uf = linalg.svd(B, {full_matrices = true})
            assert(Uf:size(2) == 4 and Uf:size(3) == 4)
            local Q, R = linalg.qr(B)
            assert(near(Q:matmul(R), B))
            local Qr, Rr = linalg.qr(B, {mode = "r"})
            assert(Qr:numel() == 0 and Rr:size(2) == 3)
            local L = linalg.cholesky(A)
            assert(near(L:matmul(L:t()), A))
            assert(near(linalg.cholesky(A, {upper = true}), L:t()))
            local b = tensor.from{1, 2, 3}
            local x = linalg.solve(A, b)
            assert(x:dim() == 1 and near(A:matmul(x), b))
            local y = linalg.solve_triangular(L, b:unsqueeze(2), {upper = false})
            assert(near(L:matmul(y), b:unsqueeze(2)))
            assert(near(linalg.inv(A):matmul(A), tensor.eye(3)))
            local s, l = linalg.slogdet(A)
            assert(s:item() == 1 and math.abs(math.exp(l:item()) - linalg.det(A):item()) < 1e-3)
            local sol, res, rank, sv = linalg.lstsq(tensor.from{{1, 0}, {1, 1}, {1, 2}}, tensor.from{{1}, {2}, {2}})
            assert(rank:item() == 2 and sv:numel() == 2 and res:numel() == 1)
            assert(math.abs(linalg.matrix_norm(A):item() - A:norm():item()) < 1e-4)
            assert(math.abs(linalg.matrix_norm(A, 2):item() - w[3]) < 1e-4)
            assert(math.abs(linalg.matrix_norm(A, "nuc"):item() - w:sum():item()) < 1e-4)
            assert(math.abs(linalg.matrix_norm(A, math.huge):item() - 7) < 1e-5)
            assert(math.abs(linalg.matrix_norm(A, "-inf"):item() - 4) < 1e-5)
            assert(math.abs(linalg.vector_norm(b, 1):item() - 6) < 1e-5)
            assert(linalg.vector_norm(A, 2, 1, true):size(1) == 1)
            assert(linalg.vector_norm(A, math.huge, {1, 2}):item() == 5)
            assert(near(linalg.matrix_power(A, -1), linalg.inv(A)))
            assert(near(linalg.matrix_power(A, 0), tensor.eye(3)))
            assert(require("descent").linalg == linalg)
            print("ok")
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ok\n")
    }

    @Test func gradientsFlowAndGradcheckPasses() throws {
        let r = try Descent.runScript("""
            local X = tensor.randn(3, 3):requires_grad(true)
            local function sym(x) return x + x:t() + tensor.eye(3) * 6 end
            local fns = {
              function(x) local w, V = linalg.eigh(sym(x)); return w:sum() * 0.3 + (V * V):sum(1):matmul(w) end,
              function(x) local U, S, Vh = linalg.svd(x); return S:sum() + (U * U):sum(2):matmul(S) end,
              function(x) return linalg.cholesky(sym(x)):sum() end,
              function(x) return linalg.solve(sym(x), tensor.ones(3)):sum() end,
              function(x) return linalg.solve_triangular(sym(x), tensor.ones(3, 2), {upper = true}):sum() end,
              function(x) return linalg.inv(sym(x)):sum() end,
              function(x) return linalg.det(x) end,
              function(x) local _, l = linalg.slogdet(sym(x)); return l end,
              function(x) return linalg.matrix_norm(x, "nuc") end,
              function(x) return linalg.matrix_power(sym(x), -2):sum() end,
            }
            for i, f in ipairs(fns) do
              local ok, info = autograd.gradcheck(f, {X}, {eps = 1e-2, atol = 1e-2, rtol = 2e-2})
              assert(ok, "function " .. i .. ": " .. info.detail)
            end
            print("ok")
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "ok\n")
    }

    /// (script, expected line, a fragment the message must contain)
    static let errors: [(String, Int, String)] = [
        ("local A = tensor.zeros(2, 3, 3)\nlinalg.inv(A)\n", 2,
         "inv: the matrix at batch index (1) of shape [2, 3, 3] is singular"),
        ("linalg.cholesky(-tensor.eye(2))\n", 1, "cholesky: the matrix of shape [2, 2] is not positive-definite"),
        ("linalg.solve(tensor.ones(3, 3), tensor.ones(3))\n", 1, "solve: the matrix of shape [3, 3] is singular"),
        ("linalg.eigh(tensor.ones(2, 3))\n", 1, "eigh: expected A to be square"),
        ("linalg.svd(tensor.ones(3))\n", 1, "svd: expected A to be a matrix or a batch of matrices"),
        ("linalg.svd(tensor.from{{0/0, 1}, {1, 1}})\n", 1, "svd: the matrix of shape [2, 2] contains nan or inf"),
        ("linalg.solve(tensor.eye(3):expand(2, 3, 3), tensor.ones(3, 3, 1))\n", 1, "solve: batch dims [2] and [3]"),
        ("linalg.solve_triangular(tensor.eye(2), tensor.ones(2, 1))\n", 1, "option 'upper' is required"),
        ("linalg.solve_triangular(tensor.eye(2), tensor.ones(2, 1), {uper = true})\n", 1, "unknown option 'uper'"),
        ("linalg.qr(tensor.eye(2), {mode = 'full'})\n", 1, "qr: mode must be 'reduced', 'complete' or 'r', got 'full'"),
        ("linalg.matrix_norm(tensor.eye(2), 3)\n", 1, "(ord) must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got 3"),
        ("linalg.matrix_norm(tensor.eye(2), 'fro', {1, 5})\n", 1, "dim 5 is out of range"),
        ("linalg.vector_norm(tensor.eye(2), 2, {1, -2})\n", 1, "vector_norm: argument 3 (dim) names dim 1 more than once"),
        ("linalg.vector_norm(tensor.eye(2), 'big')\n", 1, "must be a number, 'inf' or '-inf', got 'big'"),
        ("linalg.matrix_power(tensor.zeros(2, 2), -1)\n", 1, "inv: the matrix of shape [2, 2] is singular"),
        ("linalg.qr(tensor.eye(2):requires_grad(true))\n", 1, "qr: autograd is not supported"),
        ("linalg.svd(tensor.zeros(2000000, 1), {full_matrices = true})\n", 1, "svd: out of memory"),
        ("linalg.qr(tensor.zeros(2000000, 1), {mode = 'complete'})\n", 1, "qr: out of memory"),
        ("linalg.lstsq(tensor.zeros(1, 2000000), tensor.zeros(1, 2000000))\n", 1, "lstsq: out of memory"),
        ("linalg.lstsq(tensor.eye(2), tensor.ones(3, 1))\n", 1, "lstsq: A of shape [2, 2] and B of shape [3, 1] do not have the same number of rows"),
    ]

    @Test(arguments: 0..<errors.count)
    func badInputIsALocatedLuaError(_ k: Int) throws {
        let (script, line, fragment) = Self.errors[k]
        let r = try Descent.runScript(script)
        #expect(!r.terminatedBySignal, "case \(k) crashed: \(r.stderr)")
        #expect(r.status == 1, "case \(k): status \(r.status), stderr: \(r.stderr)")
        #expect(r.stderr.contains("script.lua:\(line):"), "case \(k): \(r.stderr)")
        #expect(r.stderr.contains(fragment), "case \(k): expected '\(fragment)' in \(r.stderr)")
    }
}
