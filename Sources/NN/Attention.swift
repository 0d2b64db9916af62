import Tensors

extension Functional {
    /// Scaled dot-product attention on 3-d batches, fused: `softmax(scale · q·kᵀ [causal]) · v`
    /// for queries `q` [B, L, E], keys `k` [B, S, E] and values `v` [B, S, Ev] -> [B, L, Ev].
    /// `causal` keeps key j for query i only when j <= i (top-left aligned, PyTorch's
    /// `is_causal`); the mask is never materialised. Each batch entry is two single-threaded
    /// BLAS products and a row softmax, entries split over threads (results do not depend on
    /// the thread count). The attention weights [B, L, S] are kept for the backward, which is
    /// four more products per entry; under create-graph the backward is recorded from the same
    /// formula written with differentiable ops.
    ///
    /// ```swift
    /// let y = try Functional.scaledDotProductAttention(q, k, v, causal: true, scale: 0.25)
    /// ```
    public static func scaledDotProductAttention(
        _ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool, scale: Double
    ) throws -> Tensor {
        let op = "scaled_dot_product_attention"
        guard q.dim == 3, k.dim == 3, v.dim == 3 else {
            throw TensorError("\(op): expected 3-d query, key and value, got shapes \(describe(shape: q.shape)), \(describe(shape: k.shape)) and \(describe(shape: v.shape))")
        }
        let B = q.shape[0], L = q.shape[1], E = q.shape[2], S = k.shape[1], Ev = v.shape[2]
        guard k.shape[0] == B, v.shape[0] == B, k.shape[2] == E, v.shape[1] == S else {
            throw TensorError("\(op): shapes \(describe(shape: q.shape)), \(describe(shape: k.shape)) and \(describe(shape: v.shape)) do not fit [B, L, E], [B, S, E], [B, S, Ev]")
        }
        guard scale.isFinite else { throw TensorError("\(op): expected a finite scale, got \(scale)") }
        try BLAS.checkLimits(B * L * S, B * L * Ev, L, S, E, Ev)
        let qd = try dense(q), kd = try dense(k), vd = try dense(v)
        let weights = try newTensor([B, L, S])
        let out = try newTensor([B, L, Ev])
        let sc = Float(scale)
        let qp = qd.pointer, kp = kd.pointer, vp = vd.pointer, wp = weights.pointer, op_ = out.pointer
        Parallel.forEachChunk(count: B, chunk: 1) { range in
            for b in range {
                let w = wp + b * L * S
                // scores = scale · q kᵀ
                BLAS.sgemm(transA: false, transB: true, m: L, n: S, k: E, alpha: sc, qp + b * L * E, lda: E,
                           kp + b * S * E, ldb: E, beta: 0, w, ldc: S, parallel: false)
                for i in 0..<L {
                    let row = w + i * S
                    let n = causal ? Swift.min(i + 1, S) : S
                    var m = -Float.infinity
                    for j in 0..<n where row[j] > m { m = row[j] }
                    // Exponentials and their sum in separate passes: both vectorize.
                    for j in 0..<n { row[j] = FastMath.exp(row[j] - m) }
                    let r = Float(1 / Reduce.rowSum(row, n))
                    for j in 0..<n { row[j] *= r }
                    if n < S { (row + n).initialize(repeating: 0, count: S - n) }
                }
                BLAS.sgemm(transA: false, transB: false, m: L, n: Ev, k: S, alpha: 1, w, lda: S, vp + b * S * Ev,
                           ldb: Ev, beta: 0, op_ + b * L * Ev, ldc: Ev, parallel: false)
            }
        }
        return Tensor.record(op, out, [q, k, v]) { g in
            if GradMode.isEnabled {
                return try Tensor.compositeVJP([q, k, v], g) { xs in
                    var scores = try xs[0].matmul(xs[1].transpose(1, 2)).mul(sc)
                    if causal {
                        let blocked = try Tensor.ones([L, S]).triu(diagonal: 1)
                        scores = try scores.maskedFill(blocked, value: -.infinity)
                    }
                    return try scores.softmax(dim: -1).matmul(xs[2])
                }
            }
            let gd = try dense(g)
            let gq = try newTensor([B, L, E]), gk = try newTensor([B, S, E]), gv = try newTensor([B, S, Ev])
            let dsT = try newTensor([B, L, S])
            let gp = gd.pointer, qp = qd.pointer, kp = kd.pointer, vp = vd.pointer, wp = weights.pointer
            let gqp = gq.pointer, gkp = gk.pointer, gvp = gv.pointer, dsp = dsT.pointer
            Parallel.forEachChunk(count: B, chunk: 1) { range in
                for b in range {
                    let w = wp + b * L * S, ds = dsp + b * L * S, gb = gp + b * L * Ev
                    // dV = Wᵀ g
                    BLAS.sgemm(transA: true, transB: false, m: S, n: Ev, k: L, alpha: 1, w, lda: S, gb, ldb: Ev,
                               beta: 0, gvp + b * S * Ev, ldc: Ev, parallel: false)
                    // dW = g Vᵀ, then dScores = W ⊙ (dW − rowsum(dW ⊙ W)) (zero where masked: W is 0 there)
                    BLAS.sgemm(transA: false, transB: true, m: L, n: S, k: Ev, alpha: 1, gb, lda: Ev, vp + b * S * Ev,
                               ldb: Ev, beta: 0, ds, ldc: S, parallel: false)
                    for i in 0..<L {
                        let wr = w + i * S, dr = ds + i * S
                        let n = causal ? Swift.min(i + 1, S) : S
                        let dot = Float(Reduce.rowDot(dr, wr, n))
                        for j in 0..<n { dr[j] = wr[j] * (dr[j] - dot) }
                        if n < S { (dr + n).initialize(repeating: 0, count: S - n) }
                    }
                    // dQ = scale · dS K, dK = scale · dSᵀ Q
                    BLAS.sgemm(transA: false, transB: false, m: L, n: E, k: S, alpha: sc, ds, lda: S, kp + b * S * E,
                               ldb: E, beta: 0, gqp + b * L * E, ldc: E, parallel: false)
                    BLAS.sgemm(transA: true, transB: false, m: S, n: E, k: L, alpha: sc, ds, lda: S, qp + b * L * E,
                               ldb: E, beta: 0, gkp + b * S * E, ldc: E, parallel: false)
                }
            }
            return [q.requiresGrad ? gq : nil, k.requiresGrad ? gk : nil, v.requiresGrad ? gv : nil]
        }
    }
}
