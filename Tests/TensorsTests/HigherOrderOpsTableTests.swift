import Testing
@testable import Tensors

/// Second-order gradcheck, table-driven, for the ops of tensor core II (TensorOpsBindings.swift,
/// LinalgModule.swift): every differentiable op gets `Autograd.gradgradcheck` of `f(x)²`.
@Suite struct HigherOrderOpsTableTests {
    typealias Op = ([Tensor]) throws -> Tensor

    static func u(_ shape: [Int], _ lo: Float = -1, _ hi: Float = 1, seed: UInt64) throws -> Tensor {
        try HigherOrderTests.u(shape, lo, hi, seed: seed)
    }

    /// A well-conditioned symmetric positive-definite 3×3 (batched 2×3×3 when `batched`).
    static func spd(seed: UInt64) throws -> Tensor {
        let m = try u([3, 3], seed: seed).detach()
        let a = try m.mm(m.t()).add(Tensor.eye(3).mul(3))
        a.requiresGrad = true
        return a
    }

    static func cases() throws -> [(String, [Tensor], Op)] {
        let a = try u([3, 4], seed: 31), b = try u([3, 4], seed: 32), p = try u([3, 4], 0.5, 1.5, seed: 33)
        let v = try u([4], seed: 34), w = try u([3], seed: 35)
        let idx = try Tensor([2, 1, 4], shape: [3, 1])
        let mask = try a.detach().gt(0.2)
        let src = try u([3, 1], seed: 36)
        let sq = try u([3, 3], seed: 37)
        let spd = try spd(seed: 38)
        let rhs = try u([3, 2], seed: 39)
        let x4 = try u([2, 2, 3, 4], seed: 40), y4 = try u([2, 2, 4, 3], seed: 41)
        let zeros = try Tensor([2, 0, 3, -1, 0, 0.5, 1.5, 0, -2, 1, 0.7, 0], shape: [3, 4])
        zeros.requiresGrad = true
        let oneZero = try Tensor([2, 0, -1.5, 0.5], shape: [4])
        oneZero.requiresGrad = true
        return [
            ("sort", [a], { try $0[0].sort(dim: 1).values }),
            ("topk", [a], { try $0[0].topk(2, dim: 1).values }),
            ("cumsum", [a], { try $0[0].cumsum(dim: 1) }),
            ("cumprod", [p], { try $0[0].cumprod(dim: 1) }),
            ("cumprod with zeros", [zeros], { try $0[0].cumprod(dim: 1) }),
            ("cumprod with zeros dim 0", [zeros], { try $0[0].cumprod(dim: 0) }),
            ("prod with zeros", [zeros], { try $0[0].prod(dim: 1) }),
            ("prod with zeros dim 0", [zeros], { try $0[0].prod(dim: 0, keepdim: true) }),
            ("prod all with one zero", [oneZero], { try $0[0].prod() }),
            ("logcumsumexp", [a], { try $0[0].logcumsumexp(dim: 1) }),
            ("cummax", [a], { try $0[0].cummax(dim: 1).values }),
            ("cummin", [a], { try $0[0].cummin(dim: 0).values }),
            ("flip", [a], { try $0[0].flip([1]) }),
            ("roll", [a], { try $0[0].roll([1], dims: [1]) }),
            ("tril", [a], { try $0[0].tril() }),
            ("triu", [a], { try $0[0].triu(diagonal: 1) }),
            ("masked_fill", [a], { try $0[0].maskedFill(mask, value: 0.5) }),
            ("masked_fill tensor", [a, try u([], seed: 42)], { try $0[0].maskedFill(mask, value: $0[1]) }),
            ("scatter", [a, src], { try $0[0].scatter(dim: 1, index: idx, src: $0[1]) }),
            ("scatter_add", [a, src], { try $0[0].scatterAdd(dim: 1, index: idx, src: $0[1]) }),
            ("index_add", [a, try u([1, 4], seed: 43)], { try $0[0].indexAdd(dim: 0, index: Tensor([2], shape: [1]), source: $0[1], alpha: 2) }),
            ("chunk", [a], { try Tensor.cat(try $0[0].chunk(2, dim: 1).reversed(), dim: 1) }),
            ("split", [a], { try $0[0].split(sizes: [1, 3], dim: 1)[1] }),
            ("unbind", [a], { try $0[0].unbind(dim: 0)[2] }),
            ("outer", [v, w], { try Tensor.outer($0[0], $0[1]) }),
            ("diag", [v], { try $0[0].diag(1) }),
            ("diagonal", [a], { try $0[0].diagonal(offset: 1) }),
            ("trace", [sq], { try $0[0].trace() }),
            ("norm 2 dim", [a], { try $0[0].norm(dim: 1) }),
            ("norm 1", [a], { try $0[0].norm(p: 1, dim: 0) }),
            ("clamp tensor", [a, b], { try $0[0].clamp(minTensor: $0[1].mul(0.5), maxTensor: nil) }),
            ("lerp", [a, b, p], { try $0[0].lerp($0[1], weight: $0[2]) }),
            ("addcmul", [a, b, p], { try $0[0].addcmul($0[1], $0[2], value: 0.5) }),
            ("addcdiv", [a, b, p], { try $0[0].addcdiv($0[1], $0[2], value: 0.5) }),
            ("einsum", [a, sq], { try Tensor.einsum("ij,ik->jk", [$0[0], $0[1]]) }),
            ("matmul broadcast 4-d", [x4, y4], { try $0[0].matmul($0[1]) }),
            ("bmm", [try u([2, 3, 4], seed: 44), try u([2, 4, 2], seed: 45)], { try Tensor.bmm($0[0], $0[1]) }),
            ("baddbmm", [try u([2, 3, 2], seed: 46), try u([2, 3, 4], seed: 47), try u([2, 4, 2], seed: 48)], {
                try $0[0].baddbmm($0[1], $0[2], beta: 0.5, alpha: 2)
            }),
            ("kron", [sq, try u([2, 2], seed: 49)], { try Tensor.kron($0[0], $0[1]) }),
            ("tile", [a], { try $0[0].tile([2, 1]) }),
            ("repeat_interleave", [a], { try $0[0].repeatInterleave(2, dim: 1) }),
            ("movedim", [x4], { try $0[0].movedim([0], [3]) }),
            ("diff", [a], { try $0[0].diff(dim: 1) }),
            ("rot90", [a], { try $0[0].rot90() }),
            ("atan2", [a, p], { try $0[0].atan2($0[1]) }),
            ("logaddexp", [a, b], { try $0[0].logaddexp($0[1]) }),
            ("hypot", [p, b], { try $0[0].hypot($0[1]) }),
            ("cross", [sq, try u([3, 3], seed: 50)], { try $0[0].cross($0[1], dim: 1) }),
            ("kthvalue", [a], { try $0[0].kthvalue(2, dim: 1).values }),
            ("median", [a], { try $0[0].median(dim: 1).values }),
            ("quantile", [a], { try $0[0].quantile([0.3], dim: 1) }),
            ("cdist", [a, b], { try Tensor.cdist($0[0], $0[1]) }),
            ("tensordot", [a, b], { try Tensor.tensordot($0[0], $0[1], dimsA: [1], dimsB: [1]) }),
            ("block_diag", [a, sq], { try Tensor.blockDiag([$0[0], $0[1]]) }),
            ("erf", [a], { try $0[0].erf() }), ("atan", [a], { try $0[0].atan() }),
            ("expm1", [a], { try $0[0].expm1() }), ("reciprocal", [p], { try $0[0].reciprocal() }),
            ("linalg.solve", [spd, rhs], { try Linalg.solve($0[0], $0[1]) }),
            ("linalg.inv", [spd], { try Linalg.inv($0[0]) }),
            ("linalg.det", [spd], { try Linalg.det($0[0]) }),
            ("linalg.slogdet", [spd], { try Linalg.slogdet($0[0]).logabsdet }),
            ("linalg.cholesky", [spd], { try Linalg.cholesky($0[0].add($0[0].t()).mul(0.5)) }),
            ("linalg.eigh", [spd], { try Linalg.eigh($0[0].add($0[0].t()).mul(0.5)).eigenvalues }),
            ("linalg.svd", [a], { try Linalg.svd($0[0]).s }),
            ("linalg.matrix_power", [sq], { try Linalg.matrixPower($0[0], 3) }),
            ("linalg.vector_norm", [a], { try Linalg.vectorNorm($0[0], ord: 3, dims: [1]) }),
            ("linalg.matrix_norm", [a], { try Linalg.matrixNorm($0[0]) }),
        ] + (try linalgCases()) + (try elementwiseCases())
    }

    /// A leaf [3, 3] with a dominant diagonal (its triangles are well-conditioned).
    static func triangular(seed: UInt64) throws -> Tensor {
        let t = try u([3, 3], seed: seed).detach().add(Tensor.eye(3).mul(2.5))
        t.requiresGrad = true
        return t
    }

    /// The linalg functions not above: qr, lstsq, solve_triangular, and the outputs and options
    /// of eigh, svd, solve, cholesky, slogdet and the norms that the first table leaves out.
    /// Functions of eigen/singular vectors are chosen invariant under their sign flips.
    static func linalgCases() throws -> [(String, [Tensor], Op)] {
        let tall = try u([4, 3], seed: 51), tallB = try u([4, 2], seed: 52)
        let wide = try u([2, 3], seed: 53), wideB = try u([2, 2], seed: 54)
        let tri = try triangular(seed: 55), rhs = try u([3, 2], seed: 56), lhs = try u([2, 3], seed: 57)
        let batchTri = try u([2, 3, 3], seed: 58).detach().add(Tensor.eye(3).mul(2.5))
        batchTri.requiresGrad = true
        let sq = try triangular(seed: 59), spd = try spd(seed: 60), a = try u([3, 4], seed: 61)
        // Rank 2 with distinct non-zero singular values: LU finds an exact zero pivot.
        let singular = try Tensor([1, 2, 0.5, 0, 0, 0, 3, -1, 2], shape: [3, 3])
        singular.requiresGrad = true
        let batchSingular = try Tensor.stack([singular.detach(), sq.detach()], dim: 0)
        batchSingular.requiresGrad = true
        let qrFlat = { (q: Tensor?, r: Tensor) throws -> Tensor in
            try Tensor.cat([q!.reshape([-1]), r.reshape([-1])], dim: 0)
        }
        return [
            ("linalg.qr reduced", [tall], { let (q, r) = try Linalg.qr($0[0]); return try qrFlat(q, r) }),
            ("linalg.qr complete square", [sq], { let (q, r) = try Linalg.qr($0[0], mode: "complete"); return try qrFlat(q, r) }),
            ("linalg.qr batched", [try u([2, 3, 2], seed: 62)], { let (q, r) = try Linalg.qr($0[0]); return try qrFlat(q, r) }),
            ("linalg.lstsq tall", [tall, tallB], { try Linalg.lstsq($0[0], $0[1]).solution }),
            ("linalg.lstsq wide (minimum norm)", [wide, wideB], { try Linalg.lstsq($0[0], $0[1]).solution }),
            ("linalg.lstsq batched", [try u([2, 4, 2], seed: 63), try u([2, 4, 1], seed: 64)], {
                try Linalg.lstsq($0[0], $0[1]).solution
            }),
            ("linalg.solve_triangular upper", [tri, rhs], { try Linalg.solveTriangular($0[0], $0[1], upper: true) }),
            ("linalg.solve_triangular lower", [tri, rhs], { try Linalg.solveTriangular($0[0], $0[1], upper: false) }),
            ("linalg.solve_triangular right", [tri, lhs], { try Linalg.solveTriangular($0[0], $0[1], upper: true, left: false) }),
            ("linalg.solve_triangular unitriangular", [tri, rhs], {
                try Linalg.solveTriangular($0[0], $0[1], upper: false, unitriangular: true)
            }),
            ("linalg.solve_triangular batched", [batchTri, rhs], { try Linalg.solveTriangular($0[0], $0[1], upper: true) }),
            ("linalg.solve right", [sq, lhs], { try Linalg.solve($0[0], $0[1], left: false) }),
            ("linalg.solve vector", [sq, try u([3], seed: 65)], { try Linalg.solve($0[0], $0[1]) }),
            ("linalg.eigh vectors", [spd], {
                let v = try Linalg.eigh($0[0].add($0[0].t()).mul(0.5)).eigenvectors
                return try v.square()
            }),
            ("linalg.svd vectors", [a], {
                let (u, _, vh) = try Linalg.svd($0[0])
                return try Tensor.cat([u.square().reshape([-1]), vh.square().reshape([-1]), u.matmul(vh).reshape([-1])], dim: 0)
            }),
            ("linalg.svd full square", [sq], {
                let (u, s, vh) = try Linalg.svd($0[0], fullMatrices: true)
                return try u.mul(s.unsqueeze(0)).matmul(vh.square())
            }),
            ("linalg.cholesky upper", [spd], { try Linalg.cholesky($0[0].add($0[0].t()).mul(0.5), upper: true) }),
            ("linalg.det nonsymmetric", [sq], { try Linalg.det($0[0]) }),
            // Not squared away: (det + 1)² keeps the cofactors' own derivative in the check.
            ("linalg.det singular", [singular], { try Linalg.det($0[0]).add(1) }),
            ("linalg.det singular batched", [batchSingular], {
                try Linalg.det($0[0]).add(1)
            }),
            ("linalg.slogdet nonsymmetric", [sq], { try Linalg.slogdet($0[0]).logabsdet }),
            ("linalg.inv batched", [batchTri], { try Linalg.inv($0[0]) }),
            ("linalg.matrix_power -2", [sq], { try Linalg.matrixPower($0[0], -2) }),
            ("linalg.matrix_norm nuc", [a], { try Linalg.matrixNorm($0[0], ord: .nuc) }),
            ("linalg.matrix_norm 2", [a], { try Linalg.matrixNorm($0[0], ord: .number(2)) }),
            ("linalg.matrix_norm 1", [a], { try Linalg.matrixNorm($0[0], ord: .number(1)) }),
            ("linalg.vector_norm inf", [a], { try Linalg.vectorNorm($0[0], ord: .infinity, dims: [0]) }),
        ]
    }

    /// Elementwise functions of tensor.md's list not covered by HigherOrderTests, on values away
    /// from their kinks (integers for floor/ceil/round/trunc/frac, quotient jumps for fmod/remainder).
    static func elementwiseCases() throws -> [(String, [Tensor], Op)] {
        let a = try u([3, 4], seed: 71), p = try u([3, 4], 0.5, 1.5, seed: 72)
        let leaf = { (values: [Float]) throws -> Tensor in
            let t = try Tensor(values, shape: [values.count])
            t.requiresGrad = true
            return t
        }
        let num = try leaf([2.3, -1.7, 0.4, 3.6, -0.35]), den = try leaf([0.9, 1.1, 0.7, 1.3, 0.8])
        let mask = try a.detach().gt(0)
        return [
            ("exp2", [a], { try $0[0].exp2() }), ("log2", [p], { try $0[0].log2() }),
            ("log10", [p], { try $0[0].log10() }), ("tan", [a], { try $0[0].tan() }),
            ("asin", [a], { try $0[0].mul(0.7).asin() }), ("acos", [a], { try $0[0].mul(0.7).acos() }),
            ("sinh", [a], { try $0[0].sinh() }), ("cosh", [a], { try $0[0].cosh() }),
            ("floor", [num], { try $0[0].mul($0[0].floor()) }), ("ceil", [num], { try $0[0].mul($0[0].ceil()) }),
            ("round", [num], { try $0[0].mul($0[0].round()) }), ("trunc", [num], { try $0[0].mul($0[0].trunc()) }),
            ("frac", [num], { try $0[0].frac().mul($0[0]) }),
            ("fmod", [num, den], { try $0[0].fmod($0[1]).mul($0[1]) }),
            ("remainder", [num, den], { try $0[0].remainder($0[1]).mul($0[1]) }),
            ("masked_select", [a], { try $0[0].maskedSelect(mask) }),
            ("meshgrid", [try u([3], seed: 73), try u([2], seed: 74)], {
                let g = try Tensor.meshgrid([$0[0], $0[1]])
                return try g[0].mul(g[1])
            }),
            ("amax dims", [a], { try $0[0].amax(dims: [1]) }),
            ("diag of a matrix", [a], { try $0[0].diag(-1) }),
            ("lerp scalar weight", [a, p], { try $0[0].lerp($0[1], weight: 0.3) }),
            ("clamp tensor max", [a, p], { try $0[0].clamp(minTensor: nil, maxTensor: $0[1].mul(0.4)) }),
            ("norm -inf", [a], { try $0[0].norm(p: -.infinity, dim: 1) }),
            ("sort descending", [a], { try $0[0].sort(dim: 0, descending: true).values }),
            ("topk smallest", [a], { try $0[0].topk(2, dim: 1, largest: false).values }),
            ("scatter value", [a], { try $0[0].scatter(dim: 1, index: Tensor([2, 1, 4], shape: [3, 1]), value: 0.25) }),
            ("diff n 2", [a], { try $0[0].diff(n: 2, dim: 1) }),
            ("median all", [a], { try $0[0].median() }),
            ("einsum three operands", [a, p, try u([4, 2], seed: 75)], { try Tensor.einsum("ij,ij,jk->ik", [$0[0], $0[1], $0[2]]) }),
            ("bmm shared left matrix", [try u([1, 3, 4], seed: 77), try u([2, 4, 2], seed: 78)], { try Tensor.bmm($0[0], $0[1]) }),
            ("bmm shared right matrix", [try u([2, 3, 4], seed: 79), try u([1, 4, 2], seed: 80)], { try Tensor.bmm($0[0], $0[1]) }),
            ("einsum diagonal", [try u([3, 3], seed: 76)], { try Tensor.einsum("ii->i", [$0[0]]) }),
            ("amin dims", [a], { try $0[0].amin(dims: [0], keepdim: true) }),
        ]
    }

    @Test func everyOpPassesGradgradcheck() throws {
        var failed = [String]()
        for (name, inputs, f) in try Self.cases() {
            let r = try Autograd.gradgradcheck({ try f($0).square() }, inputs: inputs, eps: 1e-3, atol: 3e-2, rtol: 3e-2)
            if !r.passed { failed.append("\(name): \(r)") }
        }
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n"))")
    }

    /// gradgradcheck differentiates the recorded (create_graph) gradient, so it would not see a
    /// recorded gradient that is wrong but smooth: it must also equal the plain backward's.
    @Test func recordedGradientEqualsPlainGradient() throws {
        var failed = [String]()
        for (name, inputs, f) in try Self.cases() {
            let xs = inputs.filter { $0.requiresGrad }.map { t -> Tensor in
                let leaf = t.detach()
                leaf.requiresGrad = true
                return leaf
            }
            let all = inputs.map { t in t.requiresGrad ? xs[inputs.filter { $0.requiresGrad }.firstIndex { $0 === t }!] : t }
            let plain = try Autograd.grad(outputs: [GradMode.withGrad { try f(all).square().sum() }], inputs: xs)
            let recorded = try Autograd.grad(outputs: [GradMode.withGrad { try f(all).square().sum() }], inputs: xs, createGraph: true)
            for (k, (p, r)) in zip(plain, recorded).enumerated() {
                guard let p, let r else {
                    if (p == nil) != (r == nil) { failed.append("\(name) input \(k + 1): nil on one path only") }
                    continue
                }
                let scale = try 1 + Double(p.absolute().amax().item())
                let diff = try Double(p.sub(r.detach()).absolute().amax().item())
                if !(diff <= 1e-4 * scale) { failed.append("\(name) input \(k + 1): differs by \(diff)") }
            }
        }
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n"))")
    }

    /// cumprod's backward at zeros is itself differentiable: the second derivative of
    /// Σ cumprod(x) at x = [2, 0, 3] is exact (d²/dx₀dx₂ = 0 at x₁ = 0, d²/dx₁dx₂ = x₀ = 2).
    @Test func cumprodSecondDerivativeAtZeros() throws {
        let x = try Tensor([2, 0, 3], shape: [3])
        let h = try Autograd.hessian({ try $0[0].cumprod(dim: 0).sum() }, inputs: [x])[0][0]
        // f = x0 + x0·x1 + x0·x1·x2: H = [[0, 1 + x2, x1], [1 + x2, 0, x0], [x1, x0, 0]].
        #expect(h.toArray() == [0, 4, 0, 4, 0, 2, 0, 2, 0])
    }
}
