import Tensors
#if canImport(Glibc)
import Glibc
#endif

extension Functional {
    /// Cross-entropy against class probabilities `probs` of the same shape as `logits`
    /// (`[K]`, `[N, K]` or `[N, K, ...]`): `−Σ_k w_k·q_k·log softmax(logits)_k` with
    /// `q = (1 − ε)·probs + ε/K`; the mean divides by the number of positions, as PyTorch.
    /// `crossEntropy` calls this when the labels have the logits' shape.
    static func softCrossEntropy(
        _ logits: Tensor, probs: Tensor, weight: Tensor?, labelSmoothing: Double, reduction: Reduction
    ) throws -> Tensor {
        let op = "cross_entropy"
        let batched = logits.dim >= 2
        let n = batched ? logits.shape[0] : 1, k = batched ? logits.shape[1] : logits.shape[0]
        let s = batched ? logits.shape.dropFirst(2).reduce(1, *) : 1
        if let weight, weight.shape != [k] {
            throw TensorError("\(op): expected weight of shape [\(k)], got shape \(describe(shape: weight.shape))")
        }
        let lossShape = batched ? [n] + logits.shape.dropFirst(2) : []
        let positions = n * s
        let xd = try dense(logits), yd = try dense(probs)
        let cw = try weight.map { try dense($0).toArray() } ?? [Float](repeating: 1, count: k)
        let eps = Float(labelSmoothing), smooth = eps / Float(k)
        let values = try newTensor(lossShape)
        // Per position: log-sum-exp, and C = Σ_k coefficient_k (the softmax term's weight).
        let lse = try newTensor([positions]), total = try newTensor([positions])
        let x = xd.pointer, y = yd.pointer, v = values.pointer, lp = lse.pointer, tp = total.pointer
        for pos in 0..<positions {
            let off = (pos / s) * k * s + pos % s
            var m = -Float.infinity
            for c in 0..<k { m = max(m, x[off + c * s]) }
            if m == -.infinity { m = 0 }
            var se: Float = 0
            for c in 0..<k { se += exp(x[off + c * s] - m) }
            let l = m + log(se)
            var loss: Float = 0, sum: Float = 0
            for c in 0..<k {
                let coef = cw[c] * ((1 - eps) * y[off + c * s] + smooth)
                loss += coef * (l - x[off + c * s])
                sum += coef
            }
            lp[pos] = l; tp[pos] = sum; v[pos] = loss
        }
        let denominator = Double(positions)
        let out = try reduceLoss(values, reduction, denominator: denominator)
        let classDim = batched ? 1 : 0
        return Tensor.record(op, out, [logits, probs]) { g in
            if GradMode.isEnabled {
                let cwShape = batched ? channelShape(rank: logits.dim, dim: 1, count: k) : [k]
                let cwT = try Tensor(cw, shape: cwShape)
                return try Tensor.compositeVJP([logits, probs], g) { xs in
                    let coef = try xs[1].mul(1 - eps).add(smooth).mul(cwT)
                    let values = try xs[0].logSoftmax(dim: classDim).mul(coef).sum(dim: classDim).neg()
                    return try reduceComposite(values, reduction, denominator: denominator)
                }
            }
            let up = try UpstreamGrad(g, reduction, denominator: denominator)
            let gx = logits.requiresGrad ? try newTensor(logits.shape) : nil
            let gy = probs.requiresGrad ? try newTensor(probs.shape) : nil
            // Pointers from the captured tensors: they keep the buffers alive.
            let x = xd.pointer, y = yd.pointer, lp = lse.pointer, tp = total.pointer
            let qx = gx?.pointer, qy = gy?.pointer
            for pos in 0..<positions {
                let off = (pos / s) * k * s + pos % s
                let gi = up[pos], l = lp[pos], sum = tp[pos]
                for c in 0..<k {
                    let i = off + c * s
                    let coef = cw[c] * ((1 - eps) * y[i] + smooth)
                    qx?[i] = gi * (exp(x[i] - l) * sum - coef)
                    qy?[i] = gi * cw[c] * (1 - eps) * (l - x[i])
                }
            }
            return [gx, gy]
        }
    }
}
