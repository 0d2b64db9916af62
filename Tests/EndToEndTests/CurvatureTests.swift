import Foundation
import Testing

/// The `curvature` module and the Lua side of higher-order autograd, run through the binary.
@Suite struct CurvatureTests {
    /// Eigenvalues (ascending) of a small symmetric matrix by cyclic Jacobi rotations: the test's
    /// own reference, independent of descent.
    static func jacobiEigenvalues(_ m: [[Double]]) -> [Double] {
        var a = m
        let n = a.count
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<n { for j in (i + 1)..<n { off += a[i][j] * a[i][j] } }
            if off < 1e-24 { break }
            for p in 0..<n {
                for q in (p + 1)..<n where abs(a[p][q]) > 1e-300 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for r in 0..<n {
                        let arp = a[r][p], arq = a[r][q]
                        a[r][p] = c * arp - s * arq; a[r][q] = s * arp + c * arq
                    }
                    for r in 0..<n {
                        let apr = a[p][r], aqr = a[q][r]
                        a[p][r] = c * apr - s * aqr; a[q][r] = s * apr + c * aqr
                    }
                }
            }
        }
        return (0..<n).map { a[$0][$0] }.sorted()
    }

    /// The numbers on the line of `out` that starts with `tag`.
    static func numbers(_ out: String, _ tag: String) throws -> [Double] {
        let line = try #require(out.split(separator: "\n").first { $0.hasPrefix(tag + " ") })
        return line.dropFirst(tag.count + 1).split(separator: " ").compactMap { Double($0) }
    }

    @Test func topEigenvaluesOfAQuadraticWithKnownSpectrum() throws {
        // f(p) = ½ pᵀ A p with A = Q diag(5, 3, 2, 0.5) Qᵀ (Q a rotation): H = A.
        let r = try Descent.runScript("""
            local c, s = math.cos(0.7), math.sin(0.7)
            local Q = tensor.from{{c, -s, 0, 0}, {s, c, 0, 0}, {0, 0, c, s}, {0, 0, -s, c}}
            local A = Q:matmul(tensor.from{{5, 0, 0, 0}, {0, 3, 0, 0}, {0, 0, 2, 0}, {0, 0, 0, 0.5}}):matmul(Q:t())
            local p = tensor.from{0.3, -0.2, 0.1, 0.4}:requires_grad(true)
            local loss = function() return p:matmul(A):matmul(p) * 0.5 end
            local vals, vecs = curvature.top_eigenvalues(loss, {p}, {k = 3, iters = 500, tol = 1e-7, seed = 3})
            print("top " .. table.concat(vals, " "))
            print("vecnorm " .. (vecs[1][1]:square():sum():item()))
            local tr = curvature.trace(loss, p, {samples = 200, seed = 1})
            print("trace " .. tr)
            local d = curvature.diag(loss, p, {samples = 400, seed = 2})
            print("diag " .. table.concat(d:totable(), " "))
            print("adiag " .. table.concat({A:get(1, 1), A:get(2, 2), A:get(3, 3), A:get(4, 4)}, " "))
            local nodes, weights = curvature.density(loss, {p}, {iters = 4, seed = 5})
            local total = 0
            for _, w in ipairs(weights) do total = total + w end
            table.sort(nodes)
            print("nodes " .. table.concat(nodes, " "))
            print("wsum " .. total)
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let top = try Self.numbers(r.stdout, "top")
        #expect(top.count == 3)
        for (got, want) in zip(top, [5.0, 3.0, 2.0]) { #expect(abs(got - want) <= 1e-4 * want, "\(top)") }
        #expect(abs(try Self.numbers(r.stdout, "vecnorm")[0] - 1) < 1e-5)
        // Hutchinson with 200 Rademacher probes: within a few standard errors of tr = 10.5.
        #expect(abs(try Self.numbers(r.stdout, "trace")[0] - 10.5) < 1.0, "\(r.stdout)")
        let diag = try Self.numbers(r.stdout, "diag"), adiag = try Self.numbers(r.stdout, "adiag")
        for (d, a) in zip(diag, adiag) { #expect(abs(d - a) < 0.6, "\(diag) vs \(adiag)") }
        // Lanczos with as many steps as dimensions recovers the whole spectrum; weights sum to 1.
        let nodes = try Self.numbers(r.stdout, "nodes")
        for (got, want) in zip(nodes, [0.5, 2, 3, 5]) { #expect(abs(got - want) < 1e-3, "\(nodes)") }
        #expect(abs(try Self.numbers(r.stdout, "wsum")[0] - 1) < 1e-4)
    }

    @Test func topEigenvaluesOfASmallMLPAgreeWithItsFullHessian() throws {
        // A 3-4-2 tanh MLP (26 parameters) on fixed data: the full Hessian from autograd.hessian
        // over the parameters as arguments, its eigenvalues by Jacobi here, against
        // curvature.top_eigenvalues on the same loss as a closure over the parameters.
        let r = try Descent.runScript("""
            tensor.manual_seed(4)
            local x, y = tensor.randn(8, 3), tensor.from{1, 2, 2, 1, 1, 2, 1, 2}
            local W1, b1 = tensor.randn(4, 3):requires_grad(true), tensor.randn(4):requires_grad(true)
            local W2, b2 = tensor.randn(2, 4):requires_grad(true), tensor.randn(2):requires_grad(true)
            local params = {W1, b1, W2, b2}
            local function f(w1, c1, w2, c2)
              local h = nn.functional.linear(x, w1, c1):tanh()
              return nn.cross_entropy(nn.functional.linear(h, w2, c2), y)
            end
            local H = autograd.hessian(f, params)
            local rows = {}
            for i = 1, 4 do
              local ni = params[i]:numel()
              for a = 1, ni do
                local row = {}
                for j = 1, 4 do
                  local block = H[i][j]:reshape(ni, params[j]:numel())
                  for b = 1, params[j]:numel() do row[#row + 1] = block:get(a, b) end
                end
                rows[#rows + 1] = table.concat(row, " ")
              end
            end
            for _, r in ipairs(rows) do print("h " .. r) end
            local vals = curvature.top_eigenvalues(function() return f(W1, b1, W2, b2) end, params,
              {k = 2, iters = 1000, tol = 1e-9, seed = 1})
            print("top " .. table.concat(vals, " "))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").filter { $0.hasPrefix("h ") }
            .map { $0.dropFirst(2).split(separator: " ").compactMap { Double($0) } }
        #expect(rows.count == 26 && rows.allSatisfy { $0.count == 26 })
        // The Hessian is symmetric (to float32 rounding).
        for i in 0..<rows.count { for j in 0..<i { #expect(abs(rows[i][j] - rows[j][i]) < 1e-4) } }
        let eig = Self.jacobiEigenvalues(rows)
        // Power iteration finds the largest magnitudes; compare with those of the spectrum.
        let byMagnitude = eig.sorted { abs($0) > abs($1) }
        let top = try Self.numbers(r.stdout, "top")
        #expect(top.count == 2)
        for (got, want) in zip(top, byMagnitude.prefix(2)) {
            #expect(abs(got - want) <= 1e-3 * abs(byMagnitude[0]), "top \(top), eigenvalues \(byMagnitude.prefix(4))")
        }
    }

    @Test func luaHigherOrderAutogradAndHooks() throws {
        let r = try Descent.runScript("""
            local x = tensor.from{1, 2, 3}:requires_grad(true)
            local g = autograd.grad((x * x * x):sum(), {x}, {create_graph = true})[1]
            print("gg " .. table.concat(autograd.grad(g:sum(), {x})[1]:totable(), " "))
            x.grad = nil
            local loss = (x * x * x):sum()
            loss:backward{create_graph = true}
            print("ggb " .. table.concat(autograd.grad(x.grad:sum(), {x})[1]:totable(), " "))
            local v, hv = autograd.hvp(function(a, b) return (a * a * b):sum() end, {tensor.from{1, 2}, tensor.from{3, 4}},
                                        {tensor.from{1, 0}, tensor.from{0, 1}})
            print("hvp " .. v:item() .. " " .. table.concat(hv[1]:totable(), " ") .. " " .. table.concat(hv[2]:totable(), " "))
            local w = tensor.from{1, 2}:requires_grad(true)
            local seen
            local h = w:register_hook(function(gr) seen = gr:totable(); return gr * 3 end)
            local co = coroutine.wrap(function() (w * w):sum():backward() end)
            co()   -- the hook runs on the coroutine that called backward
            print("hook " .. table.concat(seen, " ") .. " " .. table.concat(w.grad:totable(), " "))
            h:remove()
            print(pcall(autograd.grad, w:sum(), {w}, {create = true}))
            print(pcall(function() w:register_hook(function() error("boom") end); (w * 2):sum():backward() end))
            print(pcall(function() tensor.ones(2):register_hook(print) end))
            print(pcall(curvature.top_eigenvalues, function() return w:sum() end, {w}, {n = 3}))
            local ok = autograd.gradgradcheck(function(a, b) return (a * b):tanh() end,
              {tensor.from{0.3, -0.5}:requires_grad(true), tensor.from{0.7, 0.2}:requires_grad(true)})
            print("ggc " .. tostring(ok))
            local _, vj = autograd.vjp(function(a) return a:square():sum() end, tensor.from{1, 2})
            local _, jv = autograd.jvp(function(a, b) return a * b end, {tensor.from{1, 2}, tensor.from{3, 4}},
                                       {tensor.from{1, 1}, tensor.from{0, 1}})
            print("vjp " .. table.concat(vj:totable(), " ") .. " jvp " .. table.concat(jv:totable(), " "))
            print("hess " .. table.concat(autograd.hessian(function(a) return (a * a * a):sum() end, tensor.from{1, 2}):reshape(4):totable(), " "))
            print(pcall(autograd.hvp, function(a) return a * 2 end, tensor.from{1, 2}, tensor.from{1, 1}))
            print(pcall(autograd.jvp, function(a) return a end, tensor.from{1, 2}, {tensor.ones(3)}))
            """)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.numbers(r.stdout, "gg") == [6, 12, 18])
        #expect(try Self.numbers(r.stdout, "ggb") == [6, 12, 18])
        // f = Σ a²b at a = (1, 2), b = (3, 4): H_aa = diag(2b), H_ab = diag(2a), H_bb = 0, so with
        // v = ((1, 0), (0, 1)): (Hv)_a = (6, 0) + (0, 4), (Hv)_b = (2, 0).
        #expect(try Self.numbers(r.stdout, "hvp") == [19, 6, 4, 2, 0])
        #expect(try Self.numbers(r.stdout, "hook") == [2, 4, 6, 12])
        #expect(r.stdout.contains("unknown option 'create' (valid: create_graph, retain_graph, allow_unused)"), "\(r.stdout)")
        #expect(r.stdout.contains("boom"), "\(r.stdout)")
        #expect(r.stdout.contains("register_hook: cannot register a hook on a tensor that does not require grad"), "\(r.stdout)")
        #expect(r.stdout.contains("curvature.top_eigenvalues: unknown option 'n' (valid: iters, k, seed, tol)"), "\(r.stdout)")
        #expect(r.stdout.contains("ggc true"), "\(r.stdout)")
        // vjp of Σa² is 2a; jvp of a·b along (1, 1), (0, 1) is b·1 + a·(0, 1) = (3, 6).
        #expect(r.stdout.contains("vjp 2 4 jvp 3 6"), "\(r.stdout)")
        #expect(try Self.numbers(r.stdout, "hess") == [6, 0, 0, 12])
        #expect(r.stdout.contains("hvp: f must return a single value (a loss), got shape [2]"), "\(r.stdout)")
        #expect(r.stdout.contains("jvp: direction 1 has shape [3], input 1 has shape [2]"), "\(r.stdout)")
    }
}
