#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// SOAP (Vyas et al. 2024, "SOAP: Improving and Stabilizing Shampoo using Adam") as
/// pytorch-optimizer 4.1.0's `SOAP`: Adam run in the eigenbasis of Shampoo's preconditioner.
///
/// For each dimension k of the gradient (after `merge_dims`: merge_small_dims with
/// `max_precondition_dim`) of size ≤ `max_precondition_dim` (vectors only with
/// `precondition_1d`): GG_k ← lerp(GG_k, G_(k)G_(k)ᵀ, 1 − β_s) (β_s = `shampoo_beta`, or β2 when
/// −1) and the basis Q_k — the eigenvectors of GG_k (descending) at the first step, then every
/// `precondition_frequency` steps one power-iteration step re-orthonormalised by QR:
/// Q_k = qr(GG_k·Q_k) with columns sorted by the estimated eigenvalues diag(Q_kᵀGG_kQ_k)
/// (v is permuted alike). The first step only initialises GG and Q. Then, with s = t − 1:
/// m ← lerp(m, g, 1 − β1); v ← lerp(v, ĝ², 1 − β2) where ĝ projects g onto every Q_k;
/// u = back-projection of m̂/(sqrt(v) + ε); `normalize_gradient`: u ← u/(RMS(u) + ε);
/// θ ← θ − lr·sqrt(1 − β2^s)/(1 − β1^s)·u (`correct_bias`; else lr·u); θ ← θ(1 − lr·λ); then
/// GG is updated with g (and Q when s is a multiple of `precondition_frequency`).
///
/// Differences from pytorch-optimizer: eigenvectors and QR come from LAPACK in float64
/// (dsyevd, dgeqrf) through `Linalg`; its `data_format` ("channels_last" 4-d tensors) is not
/// offered; with `merge_dims`, a tensor whose elements all fit in one dimension ≤
/// `max_precondition_dim` is treated as one dimension (pytorch-optimizer raises a reshape error).
///
/// ```swift
/// let opt = try Optimizer(SOAP(), params: params, options: ["precondition_frequency": .number(10)])
/// ```
public struct SOAP: OptimizerAlgorithm {
    public let name = "SOAP"
    public let spec = OptionTable(algorithm: "SOAP", specs: [
        OptionSpec("lr", .number(3e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.95, 0.95), check: OptionSpec.betaPair),
        OptionSpec("shampoo_beta", .number(-1), check: { v in
            if case .number(let x) = v, x == -1 || (x >= 0 && x <= 1) { return nil }
            return "a number in [0, 1], or -1 for betas[2]"
        }),
        OptionSpec("weight_decay", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("precondition_frequency", .number(10), check: OptionSpec.positiveCount),
        OptionSpec("max_precondition_dim", .number(10000), check: OptionSpec.positiveCount),
        OptionSpec("merge_dims", .bool(false)),
        OptionSpec("precondition_1d", .bool(false)),
        OptionSpec("correct_bias", .bool(true)),
        OptionSpec("normalize_gradient", .bool(false)),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    /// GG and Q are matrices.
    public var buffersMatchParamShape: Bool { false }

    public init() {}

    /// The dimensions SOAP works on and which of them have a basis Q.
    static func dims(_ shape: [Int], _ o: Options) -> (shape: [Int], on: [Bool]) {
        let maxDim = o.integer("max_precondition_dim")
        if shape.count <= 1 {
            let n = shape.first ?? 1
            return ([n], [o.bool("precondition_1d") && n <= maxDim])
        }
        var work = shape
        if o.bool("merge_dims") {
            let merged = MatrixPreconditioning.mergeSmallDims(shape, maxDim)
            let count = shape.reduce(1, *)
            work = merged.reduce(1, *) == count ? merged : [count]
        }
        return (work, work.map { $0 <= maxDim })
    }

    /// `out` = x (of `shape`) contracted with every Q_k (`backward`: Q_kᵀ), axes in order.
    func project(_ x: UnsafePointer<Float>, shape: [Int], q: [Tensor?], backward: Bool, scratch: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) throws {
        let n = shape.reduce(1, *)
        // Alternate between `out` and `scratch` so that the last product lands in `out`.
        var cur = UnsafeMutablePointer(mutating: x)
        var targets = [out, scratch]
        if shape.count % 2 == 0 { targets.swapAt(0, 1) }
        for (k, d) in shape.enumerated() {
            let dst = targets[k % 2]
            try MatrixPreconditioning.contractFirst(cur, d: d, rest: n / Swift.max(d, 1), q[k].map { UnsafePointer($0.pointer) }, transposeM: backward, dst)
            cur = dst
        }
        if shape.isEmpty { out.update(from: x, count: n) }
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas"), wd = o.number("weight_decay")
        let sb = o.number("shampoo_beta") == -1 ? b2 : o.number("shampoo_beta")
        let eps = Float(o.number("eps")), frequency = o.integer("precondition_frequency")
        for item in items {
            let t = item.state.step, count = item.param.count
            let (shape, on) = Self.dims(item.param.shape, o)
            let gT = try Tensor(uninitializedShape: [count])
            let g = gT.pointer, gIn = item.grad.pointer
            for i in 0..<count { g[i] = gradSign * gIn[i] }
            let m = try MatrixPreconditioning.like(item.state, "exp_avg", item.param, algorithm: name).pointer
            let v = try MatrixPreconditioning.like(item.state, "exp_avg_sq", item.param, algorithm: name).pointer
            var gg: [Tensor?] = [], q: [Tensor?] = []
            for (k, d) in shape.enumerated() {
                gg.append(on[k] ? try MatrixPreconditioning.matrix(item.state, "GG_\(k)", d, diagonal: 0, algorithm: name) : nil)
                q.append(on[k] ? try MatrixPreconditioning.matrix(item.state, "Q_\(k)", d, diagonal: 1, algorithm: name) : nil)
            }
            if t == 1 {
                // pytorch-optimizer's first step: statistics and the eigenbasis, no update.
                try updateStatistics(g, shape: shape, gg: gg, weight: Float(1 - sb))
                try MatrixPreconditioning.eighEach(gg.compactMap { $0 }) { i, _, vectors in
                    let target = q.compactMap { $0 }[i], d = target.shape[0], qp = target.pointer
                    for r in 0..<d {
                        for c in 0..<d { qp[r * d + c] = vectors[r * d + (d - 1 - c)] }
                    }
                }
                continue
            }
            let s = Double(t - 1)
            var stepSize = lr
            if o.bool("correct_bias") { stepSize *= (1 - pow(b2, s)).squareRoot() / (1 - pow(b1, s)) }
            let aT = try Tensor(uninitializedShape: [count]), bT = try Tensor(uninitializedShape: [count])
            let a = aT.pointer, bp = bT.pointer
            try project(g, shape: shape, q: q, backward: false, scratch: bp, out: a)
            let w1 = Float(1 - b1), w2 = Float(1 - b2)
            for i in 0..<count {
                m[i] = lerp(m[i], g[i], w1)
                v[i] = lerp(v[i], a[i] * a[i], w2)
            }
            try project(m, shape: shape, q: q, backward: false, scratch: bp, out: a)
            for i in 0..<count { a[i] /= v[i].squareRoot() + eps }
            let cT = try Tensor(uninitializedShape: [count])
            let u = cT.pointer
            try project(a, shape: shape, q: q, backward: true, scratch: bp, out: u)
            var scale: Float = 1
            if o.bool("normalize_gradient") && count > 0 {
                var sum = 0.0
                for i in 0..<count { sum += Double(u[i]) * Double(u[i]) }
                scale = 1 / (Float((sum / Double(count)).squareRoot()) + eps)
            }
            let step = Float(-stepSize), decay = Float(1 - lr * wd)
            for i in 0..<count { p(item)[i] = (p(item)[i] + step * (u[i] * scale)) * decay }
            try updateStatistics(g, shape: shape, gg: gg, weight: Float(1 - sb))
            if t - 1 > 0 && (t - 1) % frequency == 0 {
                try reorthogonalise(shape: shape, gg: gg, q: q, v: v, scratch: a)
            }
        }
    }

    @inline(__always) private func p(_ item: ParamUpdate) -> UnsafeMutablePointer<Float> { item.param.pointer }

    /// GG_k ← lerp(GG_k, G_(k)G_(k)ᵀ, weight) for every dimension with a basis.
    func updateStatistics(_ g: UnsafePointer<Float>, shape: [Int], gg: [Tensor?], weight: Float) throws {
        let n = shape.reduce(1, *)
        guard gg.contains(where: { $0 != nil }) else { return }
        let moved = try Tensor(uninitializedShape: [n])
        for (k, d) in shape.enumerated() {
            guard let s = gg[k] else { continue }
            MatrixPreconditioning.moveAxisToFront(g, shape: shape, axis: k, moved.pointer)
            // lerp(S, X·Xᵀ, w) = (1 − w)·S + w·X·Xᵀ.
            try MatrixPreconditioning.accumulateGram(moved.pointer, d: d, r: n / Swift.max(d, 1), alpha: weight, beta: 1 - weight, s.pointer)
        }
    }

    /// One power-iteration step per basis: P = GG·Q, columns sorted by diag(QᵀP) descending
    /// (v permuted along that axis alike), Q = qr(P).Q.
    func reorthogonalise(shape: [Int], gg: [Tensor?], q: [Tensor?], v: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) throws {
        let n = shape.reduce(1, *)
        for (k, d) in shape.enumerated() {
            guard let s = gg[k], let basis = q[k] else { continue }
            let product = try Tensor(uninitializedShape: [d, d])
            let pp = product.pointer, qp = basis.pointer
            try BLAS.sgemm(transA: false, transB: false, m: d, n: d, k: d, s.pointer, lda: d, qp, ldb: d, beta: 0, pp, ldc: d)
            var estimate = [Float](repeating: 0, count: d)
            for r in 0..<d {
                for c in 0..<d { estimate[c] += qp[r * d + c] * pp[r * d + c] }
            }
            let order = (0..<d).sorted { estimate[$0] > estimate[$1] || (estimate[$0] == estimate[$1] && $0 < $1) }
            // v along axis k: new[..., j, ...] = old[..., order[j], ...].
            let outer = shape[..<k].reduce(1, *), inner = shape[(k + 1)...].reduce(1, *)
            scratch.update(from: v, count: n)
            for o in 0..<outer {
                for j in 0..<d {
                    (v + (o * d + j) * inner).update(from: scratch + (o * d + order[j]) * inner, count: inner)
                }
            }
            let sorted = try Tensor(uninitializedShape: [d, d])
            for r in 0..<d {
                for j in 0..<d { sorted.pointer[r * d + j] = pp[r * d + order[j]] }
            }
            guard let qNew = try Linalg.qr(sorted).q else { continue }
            qp.update(from: try qNew.contiguousData().pointer, count: d * d)
        }
    }
}

/// PyTorch's scalar-weight `lerp` on one float.
@inline(__always)
private func lerp(_ a: Float, _ b: Float, _ w: Float) -> Float {
    w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}

extension SOAP: BuiltinOptimizer {
    public static let registryOrder = 215
    public static var registered: [any OptimizerAlgorithm] { [SOAP()] }
}
