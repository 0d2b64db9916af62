import Foundation
import Testing
@testable import Tensors

/// The fixtures written by scripts/reference/linalg_fixtures.py (PyTorch 2.13 torch.linalg in
/// float64 on float32-exact inputs): tensors by name.
private struct LinalgFixtures: Decodable {
    struct Entry: Decodable { let shape: [Int]; let data: [Double] }
    let torch: String
    let tensors: [String: Entry]

    static let shared: LinalgFixtures? = {
        guard let url = Bundle.module.url(forResource: "linalg", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(LinalgFixtures.self, from: data)
    }()
}

private struct MissingFixture: Error { let name: String }

/// The fixture tensor `name`.
private func fx(_ name: String) throws -> Tensor {
    guard let e = LinalgFixtures.shared?.tensors[name] else { throw MissingFixture(name: name) }
    return try Tensor(e.data.map(Float.init), shape: e.shape)
}

/// A leaf that requires grad, holding fixture `name`.
private func leaf(_ name: String) throws -> Tensor {
    let t = try fx(name)
    t.requiresGrad = true
    return t
}

/// The script's weights: w[i] = float32(cos(0.7·i + seed)).
private func weights(_ shape: [Int], seed: Double) throws -> Tensor {
    let n = shape.reduce(1, *)
    return try Tensor((0..<n).map { Float(cos(0.7 * Double($0) + seed)) }, shape: shape)
}

/// Within 1e-4 relative: |x - y| ≤ 1e-4·(|y| + max|y|·1e-2) elementwise, so values near zero are
/// compared at the scale of the tensor.
private func expectClose(_ x: Tensor, _ y: Tensor, _ what: String, rtol: Double = 1e-4,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(x.shape == y.shape, "\(what): shape \(x.shape) vs \(y.shape)", sourceLocation: sourceLocation)
    guard x.shape == y.shape else { return }
    let a = x.toArray(), b = y.toArray()
    let scale = b.map { abs(Double($0)) }.max() ?? 0
    var worst = 0.0, at = 0
    for i in 0..<a.count {
        let err = abs(Double(a[i]) - Double(b[i])) / (abs(Double(b[i])) + scale * 1e-2 + 1e-30)
        if err > worst { worst = err; at = i }
    }
    #expect(worst <= rtol, "\(what): relative error \(worst) at element \(at): \(a.isEmpty ? 0 : a[at]) vs \(b.isEmpty ? 0 : b[at])",
            sourceLocation: sourceLocation)
}

private func mT(_ t: Tensor) throws -> Tensor { try t.transpose(-2, -1) }

/// ‖QᵀQ - I‖ small for the columns of Q (batched).
private func expectOrthonormalColumns(_ q: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let k = q.shape[q.dim - 1]
    let gram = try mT(q).matmul(q)
    let eye = try Tensor.eye(k).expand(gram.shape).contiguousData()
    let err = try gram.sub(eye).absolute().amax().item()
    #expect(err < 1e-5, "\(what): columns not orthonormal (max |QᵀQ - I| = \(err))", sourceLocation: sourceLocation)
}

@Suite struct LinalgLAPACKTests {
    @Test func fixturesLoad() throws {
        let f = try #require(LinalgFixtures.shared)
        #expect(f.torch.hasPrefix("2.13"))
    }

    @Test func eighMatchesPyTorch() throws {
        let a = try leaf("eigh.A")
        let (w, v) = try Linalg.eigh(a)
        expectClose(w, try fx("eigh.w"), "eigenvalues")
        // A·V = V·diag(w), V orthonormal
        expectClose(try a.detach().matmul(v.detach()), try v.detach().mul(w.detach().unsqueeze(-2)), "A·V = V·diag(w)")
        try expectOrthonormalColumns(v.detach(), "eigenvectors")
        let loss = try w.mul(weights([2, 4], seed: 1)).sum().add(v.mul(v).mul(weights([2, 4, 4], seed: 2)).sum())
        try loss.backward()
        expectClose(try #require(a.grad), try fx("eigh.grad"), "eigh gradient")
    }

    @Test(arguments: ["svd_tall", "svd_wide"]) func svdMatchesPyTorch(_ name: String) throws {
        let a = try leaf("\(name).A")
        let (u, s, vh) = try Linalg.svd(a)
        expectClose(s, try fx("\(name).S"), "singular values")
        let rebuilt = try u.detach().mul(s.detach().unsqueeze(-2)).matmul(vh.detach())
        expectClose(rebuilt, a.detach(), "U·diag(S)·Vh = A")
        try expectOrthonormalColumns(u.detach(), "U")
        try expectOrthonormalColumns(mT(vh.detach()), "V")
        let loss = try s.mul(weights(s.shape, seed: 1)).sum()
            .add(u.mul(u).mul(weights(u.shape, seed: 2)).sum())
            .add(vh.mul(vh).mul(weights(vh.shape, seed: 3)).sum())
        try loss.backward()
        expectClose(try #require(a.grad), try fx("\(name).grad"), "svd gradient")
    }

    @Test func svdFullMatrices() throws {
        let a = try fx("svd_tall.A")   // [2, 4, 3]
        let (u, s, vh) = try Linalg.svd(a, fullMatrices: true)
        #expect(u.shape == [2, 4, 4] && s.shape == [2, 3] && vh.shape == [2, 3, 3])
        try expectOrthonormalColumns(u, "full U")
        let rebuilt = try u.narrow(dim: -1, start: 0, length: 3).mul(s.unsqueeze(-2)).matmul(vh)
        expectClose(rebuilt, a, "full SVD reconstruction")
        a.requiresGrad = true
        #expect(throws: TensorError.self) { _ = try Linalg.svd(a, fullMatrices: true) }
    }

    @Test func qrFactorises() throws {
        let a = try fx("qr.A")
        let (q0, r) = try Linalg.qr(a)
        let q = try #require(q0)
        #expect(q.shape == [5, 3] && r.shape == [3, 3])
        expectClose(try q.matmul(r), a, "Q·R = A")
        try expectOrthonormalColumns(q, "Q")
        // R up to the signs of its rows (Householder signs may differ from PyTorch's)
        let sign = try r.mul(Tensor.eye(3)).sum(dim: -1).sign()
        expectClose(try r.mul(sign.unsqueeze(-1)), try fx("qr.R_signed"), "R")
        let (qc, rc) = try Linalg.qr(a, mode: "complete")
        #expect(qc?.shape == [5, 5] && rc.shape == [5, 3])
        try expectOrthonormalColumns(try #require(qc), "complete Q")
        expectClose(try #require(qc).matmul(rc), a, "complete Q·R = A")
        let (qr, rr) = try Linalg.qr(a, mode: "r")
        #expect(qr == nil && rr.shape == [3, 3])
    }

    @Test func choleskyMatchesPyTorch() throws {
        let a = try leaf("cholesky.A")
        let l = try Linalg.cholesky(a)
        expectClose(l, try fx("cholesky.L"), "L")
        try l.mul(weights([2, 3, 3], seed: 1)).sum().backward()
        expectClose(try #require(a.grad), try fx("cholesky.grad"), "cholesky gradient")
        let u = try Linalg.cholesky(a.detach(), upper: true)
        expectClose(u, try mT(fx("cholesky.L")), "upper factor")
    }

    @Test func solveMatchesPyTorch() throws {
        let a = try leaf("solve.A"), b = try leaf("solve.B")
        let x = try Linalg.solve(a, b)
        expectClose(x, try fx("solve.X"), "X")
        try x.mul(weights([2, 3, 2], seed: 1)).sum().backward()
        expectClose(try #require(a.grad), try fx("solve.gradA"), "solve gradient (A)")
        expectClose(try #require(b.grad), try fx("solve.gradB"), "solve gradient (B)")
        let a0 = try fx("solve.A").select(dim: 0, index: 0)
        expectClose(try Linalg.solve(a0, fx("solve_vec.b")), try fx("solve_vec.x"), "vector right-hand side")
        expectClose(try Linalg.solve(a0, fx("solve_right.B"), left: false), try fx("solve_right.X"), "left = false")
        // batch dims broadcast: one matrix for a batch of right-hand sides
        let xb = try Linalg.solve(a0, fx("solve.B"))
        expectClose(try a0.matmul(xb), try fx("solve.B"), "broadcast batch")
    }

    @Test func solveTriangularMatchesPyTorch() throws {
        for upper in [true, false] { for left in [true, false] { for unit in [true, false] {
            let key = "tri.\(upper ? "u" : "l")\(left ? "L" : "R")\(unit ? "1" : "n")"
            let a = try leaf("tri.A"), b = try leaf(key + ".B")
            let x = try Linalg.solveTriangular(a, b, upper: upper, left: left, unitriangular: unit)
            expectClose(x, try fx(key + ".X"), key)
            try x.mul(weights(x.shape, seed: 1)).sum().backward()
            expectClose(try #require(a.grad), try fx(key + ".gradA"), key + " gradient (A)")
            expectClose(try #require(b.grad), try fx(key + ".gradB"), key + " gradient (B)")
        } } }
    }

    @Test func invDetSlogdetMatchPyTorch() throws {
        var a = try leaf("inv.A")
        let x = try Linalg.inv(a)
        expectClose(x, try fx("inv.X"), "inverse")
        try x.mul(weights([2, 3, 3], seed: 1)).sum().backward()
        expectClose(try #require(a.grad), try fx("inv.grad"), "inv gradient")

        a = try leaf("inv.A")
        let d = try Linalg.det(a)
        expectClose(d, try fx("det.d"), "det")
        try d.mul(weights([2], seed: 1)).sum().backward()
        expectClose(try #require(a.grad), try fx("det.grad"), "det gradient")

        a = try leaf("inv.A")
        let (sign, logabs) = try Linalg.slogdet(a)
        expectClose(sign, try fx("slogdet.sign"), "slogdet sign")
        expectClose(logabs, try fx("slogdet.logabsdet"), "slogdet logabsdet")
        try logabs.mul(weights([2], seed: 1)).sum().backward()
        expectClose(try #require(a.grad), try fx("slogdet.grad"), "slogdet gradient")
    }

    @Test func detOfSingularMatrixAndItsGradient() throws {
        let a = try leaf("det_singular.A")
        let d = try Linalg.det(a)
        #expect(abs(try d.item()) < 1e-4)
        try d.backward()
        expectClose(try #require(a.grad), try fx("det_singular.grad"), "cofactor gradient")
    }

    @Test func lstsqMatchesPyTorch() throws {
        let r = try Linalg.lstsq(fx("lstsq.A"), fx("lstsq.B"))
        expectClose(r.solution, try fx("lstsq.X"), "solution")
        expectClose(r.residuals, try fx("lstsq.residuals"), "residuals")
        #expect(try r.rank.item() == 3)
        #expect(r.singularValues.shape == [3])
    }

    @Test func matrixNormsMatchPyTorch() throws {
        let ords: [(String, Linalg.MatrixNormOrder)] = [
            ("fro", .fro), ("nuc", .nuc), ("2", .number(2)), ("-2", .number(-2)), ("1", .number(1)),
            ("-1", .number(-1)), ("inf", .number(.infinity)), ("-inf", .number(-.infinity)),
        ]
        for (name, ord) in ords {
            let a = try leaf("matrix_norm.A")
            let n = try Linalg.matrixNorm(a, ord: ord)
            expectClose(n, try fx("matrix_norm.\(name)"), "matrix_norm \(name)")
            try n.backward()
            expectClose(try #require(a.grad), try fx("matrix_norm.\(name).grad"), "matrix_norm \(name) gradient")
        }
        let n = try Linalg.matrixNorm(fx("matrix_norm_dims.A"), ord: .nuc, dims: [0, 2], keepdim: true)
        expectClose(n, try fx("matrix_norm_dims.nuc"), "nuc over dims (1, 3), keepdim")
    }

    @Test func vectorNormsMatchPyTorch() throws {
        for (name, ord) in [("2", 2.0), ("1", 1), ("3", 3), ("0.5", 0.5), ("inf", .infinity), ("-inf", -.infinity), ("0", 0)] {
            let x = try leaf("vector_norm.x")
            let n = try Linalg.vectorNorm(x, ord: ord)
            expectClose(n, try fx("vector_norm.\(name)"), "vector_norm \(name)")
            if ord != 0 {
                try n.backward()
                expectClose(try #require(x.grad), try fx("vector_norm.\(name).grad"), "vector_norm \(name) gradient")
            }
            expectClose(try Linalg.vectorNorm(x.detach(), ord: ord, dims: [1]), try fx("vector_norm.\(name).dim2"),
                        "vector_norm \(name) over dim 2")
        }
    }

    @Test func matrixPowerMatchesPyTorch() throws {
        for n in [3, -2] {
            let a = try leaf("matrix_power.A")
            let p = try Linalg.matrixPower(a, n)
            expectClose(p, try fx("matrix_power.\(n)"), "matrix_power \(n)")
            try p.mul(weights([3, 3], seed: 1)).sum().backward()
            expectClose(try #require(a.grad), try fx("matrix_power.\(n).grad"), "matrix_power \(n) gradient")
        }
        expectClose(try Linalg.matrixPower(fx("matrix_power.A"), 0), try Tensor.eye(3), "power 0")
    }

    @Test func numericalFailuresAreErrorsThatNameTheMatrix() throws {
        let singular = try Tensor.zeros([2, 3, 3])
        #expect(throws: TensorError("inv: the matrix at batch index (1) of shape [2, 3, 3] is singular (U[1, 1] of its LU factorisation is zero)")) {
            _ = try Linalg.inv(singular)
        }
        var batch = try Tensor.eye(3).expand([2, 3, 3]).contiguousData()
        try batch.select(dim: 0, index: 1).select(dim: 0, index: 2).fill_(-1)
        #expect(throws: TensorError("cholesky: the matrix at batch index (2) of shape [2, 3, 3] is not positive-definite (its leading minor of order 3 is not positive)")) {
            _ = try Linalg.cholesky(batch)
        }
        #expect(throws: TensorError.self) { _ = try Linalg.solve(singular, Tensor.ones([2, 3, 1])) }
        #expect(throws: TensorError.self) { _ = try Linalg.solveTriangular(singular, Tensor.ones([2, 3, 1]), upper: true) }
        #expect(throws: TensorError.self) { _ = try Linalg.eigh(Tensor.zeros([2, 3])) }
        batch = try Tensor.full([2, 2], value: .nan)
        #expect(throws: TensorError("svd: the matrix of shape [2, 2] contains nan or inf")) { _ = try Linalg.svd(batch) }
        #expect(try Linalg.det(singular).toArray() == [0, 0])
        let (s, l) = try Linalg.slogdet(singular)
        #expect(s.toArray() == [0, 0] && l.toArray().allSatisfy { $0 == -.infinity })
    }

    /// The node named `name` that `t` comes from (through the views that unpack several outputs).
    private func node(_ name: String, from t: Tensor) -> GradNode? {
        var pending = [t]
        while let x = pending.popLast() {
            guard let n = x.gradFn else { continue }
            if n.name == name { return n }
            pending += n.inputs
        }
        return nil
    }

    /// The recording path of a backward closure (grad mode on, as a create_graph backward runs
    /// it): it gives the same gradient as the fast path, and differentiating that gradient once
    /// more matches central differences of the first derivative, in direction `u`.
    private func checkSecondOrder(
        _ name: String, x: Tensor, u: Tensor, g: Tensor, sourceLocation: SourceLocation = #_sourceLocation,
        _ op: (Tensor) throws -> Tensor
    ) throws {
        let v = try weights(x.shape, seed: 4)
        func firstGrad(_ at: Tensor, recording: Bool) throws -> (Tensor, Tensor) {
            let leaf = try at.clone().detach()
            leaf.requiresGrad = true
            let out = try op(leaf)
            let n = try #require(node(name, from: out), sourceLocation: sourceLocation)
            let back = try #require(n.backward, sourceLocation: sourceLocation)
            let ga = recording ? try back(g)[0] : try GradMode.withoutGrad { try back(g)[0] }
            return (leaf, try #require(ga, sourceLocation: sourceLocation))
        }
        let (leaf, ga) = try firstGrad(x, recording: true)
        let (_, fast) = try firstGrad(x, recording: false)
        expectClose(ga.detach(), fast, "\(name): recording path = fast path", sourceLocation: sourceLocation)
        try ga.mul(v).sum().backward()
        let analytic = try #require(leaf.grad).mul(u).sum().item()
        let eps: Float = 1e-2
        let plus = try firstGrad(x.add(u.mul(eps)), recording: false).1.mul(v).sum().item()
        let minus = try firstGrad(x.sub(u.mul(eps)), recording: false).1.mul(v).sum().item()
        let numeric = (plus - minus) / (2 * eps)
        #expect(abs(analytic - numeric) <= 2e-2 * max(1, abs(numeric)),
                "\(name): second derivative \(analytic) vs central difference \(numeric)", sourceLocation: sourceLocation)
    }

    @Test func backwardsRecordDifferentiableGradients() throws {
        let gen = Generator(seed: 11)
        let r = try Tensor.randn([3, 3], generator: gen)
        let spd = try r.matmul(r.t()).add(Tensor.eye(3).mul(3))
        let general = try Tensor.randn([3, 3], generator: gen).add(Tensor.eye(3).mul(3))
        let dir = try Tensor.randn([3, 3], generator: gen)
        let symDir = try dir.add(dir.t())
        let w33 = try weights([3, 3], seed: 1), rhs = try Tensor.randn([3, 2], generator: gen)
        try checkSecondOrder("inv", x: general, u: dir, g: w33) { try Linalg.inv($0) }
        try checkSecondOrder("solve", x: general, u: dir, g: weights([3, 2], seed: 1)) { try Linalg.solve($0, rhs) }
        try checkSecondOrder("solve_triangular", x: general, u: dir, g: weights([3, 2], seed: 1)) {
            try Linalg.solveTriangular($0, rhs, upper: true)
        }
        try checkSecondOrder("cholesky", x: spd, u: symDir, g: w33) { try Linalg.cholesky($0) }
        try checkSecondOrder("det", x: general, u: dir, g: Tensor.scalar(0.7)) { try Linalg.det($0) }
        try checkSecondOrder("slogdet", x: general, u: dir, g: Tensor.scalar(0.7)) { try Linalg.slogdet($0).logabsdet }
        // eigh and svd: one flat gradient for their packed outputs (values, then vectors).
        let eighG = try Tensor.cat([weights([3], seed: 1), weights([9], seed: 2)])
        try checkSecondOrder("eigh", x: spd, u: symDir, g: eighG) { try Linalg.eigh($0).eigenvectors }
        let svdG = try Tensor.cat([weights([9], seed: 1), weights([3], seed: 2), weights([9], seed: 3)])
        try checkSecondOrder("svd", x: general, u: dir, g: svdG) { try Linalg.svd($0).vh }
    }

    /// Batches are spread over threads in chunks fixed by the matrix size: the same bits for any
    /// thread count.
    @Test func batchedResultsDoNotDependOnTheThreadCount() throws {
        let a = try Tensor.randn([64, 5, 5], generator: Generator(seed: 7))
        let sym = try a.add(a.transpose(1, 2))
        func run() throws -> [[Float]] {
            let (w, v) = try Linalg.eigh(sym)
            let (u, s, vh) = try Linalg.svd(a)
            return [w, v, u, s, vh, try Linalg.inv(a), try Linalg.det(a),
                    try Linalg.solve(a, Tensor.ones([64, 5, 2]))].map { $0.toArray() }
        }
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        Parallel.threads = 1
        let one = try run()
        Parallel.threads = 2
        let two = try run()
        #expect(one == two)
    }

    @Test func emptyMatricesAndBatches() throws {
        #expect(try Linalg.det(Tensor.zeros([0, 0])).item() == 1)
        #expect(try Linalg.inv(Tensor.zeros([0, 2, 2])).shape == [0, 2, 2])
        let (u, s, vh) = try Linalg.svd(Tensor.zeros([3, 0]))
        #expect(u.shape == [3, 0] && s.shape == [0] && vh.shape == [0, 0])
        let (w, v) = try Linalg.eigh(Tensor.zeros([0, 0]))
        #expect(w.shape == [0] && v.shape == [0, 0])
    }
}
