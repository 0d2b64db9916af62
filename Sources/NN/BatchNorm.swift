import Tensors

extension Functional {
    /// Batch normalization over `x` of shape `[N, C]`, `[N, C, L]` or `[N, C, H, W]`: per channel,
    /// statistics over every dimension but the second.
    ///
    /// In training it normalizes with the batch mean and biased variance and updates
    /// `runningMean`/`runningVar` in place (`r = (1 - momentum)·r + momentum·stat`, the variance
    /// estimate unbiased as in PyTorch); in evaluation it normalizes with the running statistics.
    ///
    /// ```swift
    /// let y = try Functional.batchNorm(x, runningMean: rm, runningVar: rv, weight: g, bias: b,
    ///                                  training: true)
    /// ```
    public static func batchNorm(
        _ x: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
        training: Bool, momentum: Double = 0.1, eps: Double = 1e-5
    ) throws -> Tensor {
        guard x.dim >= 2 else {
            throw TensorError("batch_norm: expected input [N, C, ...] with at least 2 dimensions, got shape \(describe(shape: x.shape))")
        }
        let n = x.shape[0], c = x.shape[1], s = x.shape.dropFirst(2).reduce(1, *)
        for (name, t) in [("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias)] {
            if let t, t.shape != [c] {
                throw TensorError("batch_norm: expected \(name) of shape [\(c)], got shape \(describe(shape: t.shape))")
            }
        }
        guard eps >= 0 else { throw TensorError("batch_norm: expected eps >= 0, got \(eps)") }
        let m = n * s
        // Per channel: mean, 1/std, then the affine map y = a·x + b (buffers, not Arrays: their
        // pointers stay valid for empty inputs and inside the backward closure).
        let stats = try newTensor([4, c])
        let meanP = stats.pointer, invP = meanP + c, scaleP = meanP + 2 * c, shiftP = meanP + 3 * c
        let xd = try dense(x)
        // Channels are independent: split them over threads (deterministic for any count).
        let chunk = max(1, Parallel.defaultChunk / max(m, 1))
        if training {
            guard m > 1 else {
                throw TensorError("batch_norm: expected more than 1 value per channel when training, got input of shape \(describe(shape: x.shape))")
            }
            let xp = xd.pointer
            Parallel.forEachChunk(count: c, chunk: chunk) { range in
                for ch in range {
                    let (mu, v) = channelMoments(xp, n: n, c: c, s: s, channel: ch)
                    meanP[ch] = Float(mu)
                    invP[ch] = Float(1 / (v + eps).squareRoot())
                    scaleP[ch] = Float(v)   // the variance, until the affine map below
                }
            }
            for ch in 0..<c {
                if let runningMean { updateRunning(runningMean, ch, Double(meanP[ch]), momentum) }
                if let runningVar { updateRunning(runningVar, ch, Double(scaleP[ch]) * Double(m) / Double(m - 1), momentum) }
            }
        } else {
            guard let runningMean, let runningVar else {
                throw TensorError("batch_norm: running_mean and running_var are required in evaluation mode")
            }
            for ch in 0..<c {
                meanP[ch] = element(runningMean, ch)
                invP[ch] = Float(1 / (Double(element(runningVar, ch)) + eps).squareRoot())
            }
        }
        let wd = try weight.map(dense), bd = try bias.map(dense)
        for ch in 0..<c {
            scaleP[ch] = invP[ch] * (wd?.pointer[ch] ?? 1)
            shiftP[ch] = (bd?.pointer[ch] ?? 0) - meanP[ch] * scaleP[ch]
        }
        let out = try newTensor(x.shape)
        let xp = xd.pointer, op = out.pointer
        Parallel.forEachChunk(count: c, chunk: chunk) { range in
            for ch in range {
                let a = scaleP[ch], b = shiftP[ch]
                for i in 0..<n {
                    let src = xp + (i * c + ch) * s, dst = op + (i * c + ch) * s
                    for k in 0..<s { dst[k] = src[k] * a + b }
                }
            }
        }

        var inputs = [x]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let hasWeight = weight != nil
        return Tensor.record("batch_norm", out, inputs) { g in
            if GradMode.isEnabled {
                return try Tensor.compositeVJP(inputs, g) { xs in
                    let x = xs[0], cs = channelShape(rank: x.dim, dim: 1, count: c)
                    var y: Tensor
                    if training {
                        let dims = [0] + Array(2..<x.dim)
                        let centered = try x.sub(x.mean(dims: dims, keepdim: true))
                        let variance = try centered.square().mean(dims: dims, keepdim: true)
                        y = try centered.mul(variance.add(Float(eps)).rsqrt())
                    } else {
                        // The running statistics are constants (rows 0 and 1 of `stats`).
                        let mean = try stats.select(dim: 0, index: 0).reshape(cs)
                        let inv = try stats.select(dim: 0, index: 1).reshape(cs)
                        y = try x.sub(mean).mul(inv)
                    }
                    var next = 1
                    if hasWeight { y = try y.mul(xs[next].reshape(cs)); next += 1 }
                    if next < xs.count { y = try y.add(xs[next].reshape(cs)) }
                    return y
                }
            }
            let gd = try dense(g)
            let gx = try newTensor(x.shape)
            let gw = try zeroTensor([c]), gb = try zeroTensor([c])
            let gp0 = gd.pointer, xp0 = xd.pointer, gxp = gx.pointer, gwp = gw.pointer, gbp = gb.pointer
            let wp = wd?.pointer, meanP = stats.pointer, invP = meanP + c
            Parallel.forEachChunk(count: c, chunk: chunk) { range in
                for ch in range {
                    let mu = meanP[ch], r = invP[ch], w = wp?[ch] ?? 1
                    // Σ g and Σ g·x̂ for this channel.
                    var sg: Double = 0, sgx: Double = 0
                    for i in 0..<n {
                        let gp = gp0 + (i * c + ch) * s, xp = xp0 + (i * c + ch) * s
                        sg += Reduce.rowSum(gp, s)
                        sgx += Reduce.deviationDot(gp, xp, s, mean: mu)
                    }
                    sgx *= Double(r)
                    gbp[ch] = Float(sg)
                    gwp[ch] = Float(sgx)
                    // Training: dx = w·r·(g − mean(g) − x̂·mean(g·x̂)); evaluation: dx = w·r·g.
                    let k1 = w * r
                    let meanG = training ? Float(sg / Double(m)) : 0
                    let meanGX = training ? Float(sgx / Double(m)) : 0
                    for i in 0..<n {
                        let gp = gp0 + (i * c + ch) * s, xp = xp0 + (i * c + ch) * s
                        let q = gxp + (i * c + ch) * s
                        for k in 0..<s { q[k] = k1 * (gp[k] - meanG - (xp[k] - mu) * r * meanGX) }
                    }
                }
            }
            var grads: [Tensor?] = [x.requiresGrad ? gx : nil]
            if let weight { grads.append(weight.requiresGrad ? gw : nil) }
            if let bias { grads.append(bias.requiresGrad ? gb : nil) }
            return grads
        }
    }
}

/// Mean and biased variance of one channel of a dense `[n, c, s]` buffer (two passes, each
/// summed in float lanes and Double blocks by `Reduce`).
func channelMoments(_ p: UnsafePointer<Float>, n: Int, c: Int, s: Int, channel: Int) -> (Double, Double) {
    var sum: Double = 0
    for i in 0..<n { sum += Reduce.rowSum(p + (i * c + channel) * s, s) }
    let count = Double(n * s), mean = sum / count, mu = Float(mean)
    var sq: Double = 0
    for i in 0..<n { sq += Reduce.squaredDeviationSum(p + (i * c + channel) * s, s, mean: mu) }
    return (mean, sq / count)
}

/// Element `i` of a 1-d tensor (any stride).
@inline(__always)
func element(_ t: Tensor, _ i: Int) -> Float { t.storage.base[t.offset + i * t.strides[0]] }

/// `r[i] = (1 − momentum)·r[i] + momentum·value`, in place in a 1-d tensor (any stride).
@inline(__always)
func updateRunning(_ t: Tensor, _ i: Int, _ value: Double, _ momentum: Double) {
    let p = t.storage.base + t.offset + i * t.strides[0]
    p.pointee = Float((1 - momentum) * Double(p.pointee) + momentum * value)
}
