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
        let xd = try dense(x)
        // Without an affine weight or bias, w = 1 and b = 0: buffers keep a single kernel.
        let wd = try weight.map(dense) ?? Init.constant_(newTensor([d]), 1)
        let bd = try bias.map(dense) ?? zeroTensor([d])
        let out = try newTensor(x.shape)
        let stats = try newTensor([2, rows])   // row means, then row 1/std
        let xp = xd.pointer, wp = wd.pointer, bp = bd.pointer, op = out.pointer
        let meanP = stats.pointer, invP = stats.pointer + rows
        let chunk = max(1, Parallel.defaultChunk / max(d, 1))
        Parallel.forEachChunk(count: rows, chunk: chunk) { range in
            for r in range {
                let (mu, v) = channelMoments(xp + r * d, n: 1, c: 1, s: d, channel: 0)
                let rs = Float(1 / (v + eps).squareRoot()), m = Float(mu)
                meanP[r] = m; invP[r] = rs
                let src = xp + r * d, dst = op + r * d
                for j in 0..<d { dst[j] = (src[j] - m) * rs * wp[j] + bp[j] }
            }
        }

        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil
        return Tensor.record("layer_norm", out, inputs) { g in
            if GradMode.isEnabled {
                return try Tensor.compositeVJP(inputs, g) { xs in
                    let dims = Array((xs[0].dim - k)..<xs[0].dim)
                    let centered = try xs[0].sub(xs[0].mean(dims: dims, keepdim: true))
                    let variance = try centered.square().mean(dims: dims, keepdim: true)
                    var y = try centered.mul(variance.add(Float(eps)).rsqrt())
                    var next = 1
                    if hasWeight { y = try y.mul(xs[next]); next += 1 }
                    if next < xs.count { y = try y.add(xs[next]) }
                    return y
                }
            }
            let gd = try dense(g)
            let gx = try newTensor(x.shape)
            let gw = try zeroTensor(normalizedShape), gb = try zeroTensor(normalizedShape)
            let gp0 = gd.pointer, q0 = gx.pointer, pw = gw.pointer, pb = gb.pointer
            let xp = xd.pointer, wp = wd.pointer, meanP = stats.pointer, invP = stats.pointer + rows
            // dx = r·(g·w − mean(g·w) − x̂·mean(g·w·x̂)), rows in parallel.
            Parallel.forEachChunk(count: rows, chunk: chunk) { range in
                for r in range {
                    let gp = gp0 + r * d, xr = xp + r * d, q = q0 + r * d
                    let m = meanP[r], rs = invP[r]
                    var s1: Float = 0, s2: Float = 0
                    for j in 0..<d {
                        let v = gp[j] * wp[j]
                        s1 += v; s2 += v * (xr[j] - m) * rs
                    }
                    let a = s1 / Float(d), b = s2 / Float(d)
                    for j in 0..<d { q[j] = rs * (gp[j] * wp[j] - a - (xr[j] - m) * rs * b) }
                }
            }
            // dw = Σ g·x̂ and db = Σ g over rows, in row order.
            for r in 0..<rows {
                let gp = gp0 + r * d, xr = xp + r * d
                let m = meanP[r], rs = invP[r]
                for j in 0..<d {
                    pw[j] += gp[j] * (xr[j] - m) * rs
                    pb[j] += gp[j]
                }
            }
            var grads: [Tensor?] = [x.requiresGrad ? gx : nil]
            if let weight { grads.append(weight.requiresGrad ? gw : nil) }
            if let bias { grads.append(bias.requiresGrad ? gb : nil) }
            return grads
        }
    }
}
