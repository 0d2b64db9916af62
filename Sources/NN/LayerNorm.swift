import Tensors

extension Functional {
    /// Layer normalization over the trailing dimensions `normalizedShape` of `x`, with optional
    /// elementwise affine `weight`/`bias` of shape `normalizedShape` (biased variance, as PyTorch).
    ///
    /// ```swift
    /// let y = try Functional.layerNorm(x, normalizedShape: [512], weight: g, bias: b)
    /// ```
    public static func layerNorm(
        _ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5
    ) throws -> Tensor {
        let k = normalizedShape.count
        guard k >= 1, x.dim >= k, Array(x.shape.suffix(k)) == normalizedShape else {
            throw TensorError("layer_norm: expected input with trailing dimensions \(describe(shape: normalizedShape)), got shape \(describe(shape: x.shape))")
        }
        for (name, t) in [("weight", weight), ("bias", bias)] {
            if let t, t.shape != normalizedShape {
                throw TensorError("layer_norm: expected \(name) of shape \(describe(shape: normalizedShape)), got shape \(describe(shape: t.shape))")
            }
        }
        guard eps >= 0 else { throw TensorError("layer_norm: expected eps >= 0, got \(eps)") }
        let d = normalizedShape.reduce(1, *)
        let rows = x.shape.dropLast(k).reduce(1, *)
        let xd = try dense(x), wd = try weight.map(dense), bd = try bias.map(dense)
        let out = try newTensor(x.shape)
        var mean = [Float](repeating: 0, count: rows), invstd = [Float](repeating: 0, count: rows)
        for r in 0..<rows {
            let (mu, v) = channelMoments(xd.pointer + r * d, n: 1, c: 1, s: d, channel: 0)
            let rs = Float(1 / (v + eps).squareRoot()), m = Float(mu)
            mean[r] = m; invstd[r] = rs
            let src = xd.pointer + r * d, dst = out.pointer + r * d
            if let wd, let bd {
                let w = wd.pointer, b = bd.pointer
                for j in 0..<d { dst[j] = (src[j] - m) * rs * w[j] + b[j] }
            } else if let wd {
                let w = wd.pointer
                for j in 0..<d { dst[j] = (src[j] - m) * rs * w[j] }
            } else {
                for j in 0..<d { dst[j] = (src[j] - m) * rs }
                if let bd { let b = bd.pointer; for j in 0..<d { dst[j] += b[j] } }
            }
        }

        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return Tensor.record("layer_norm", out, inputs) { g in
            let gd = try dense(g)
            let gx = try newTensor(x.shape)
            let gw = try zeroTensor(normalizedShape), gb = try zeroTensor(normalizedShape)
            // dx̂ = g·w; without an affine weight, w = 1 (a buffer of ones keeps one loop).
            let dxhat = try newTensor([d]), ones = try wd ?? Init.constant_(newTensor([d]), 1)
            let dh = dxhat.pointer, w = ones.pointer, pw = gw.pointer, pb = gb.pointer
            for r in 0..<rows {
                let gp = gd.pointer + r * d, xp = xd.pointer + r * d, q = gx.pointer + r * d
                let m = mean[r], rs = invstd[r]
                var s1: Float = 0, s2: Float = 0
                for j in 0..<d {
                    let xh = (xp[j] - m) * rs
                    pw[j] += gp[j] * xh
                    pb[j] += gp[j]
                    let v = gp[j] * w[j]
                    dh[j] = v
                    s1 += v; s2 += v * xh
                }
                let a = s1 / Float(d), b = s2 / Float(d)
                for j in 0..<d { q[j] = rs * (dh[j] - a - (xp[j] - m) * rs * b) }
            }
            var grads: [Tensor?] = [x.requiresGrad ? gx : nil]
            if let weight { grads.append(weight.requiresGrad ? gw : nil) }
            if let bias { grads.append(bias.requiresGrad ? gb : nil) }
            return grads
        }
    }
}
