#if canImport(Glibc)
import Glibc
#endif

/// Softmax, log-softmax and logsumexp along one dim, shifted by each lane's maximum so that
/// large inputs do not overflow.
extension Tensor {
    /// exp(x) / sum(exp(x)) along `dim`.
    ///
    /// ```swift
    /// let p = try logits.softmax(dim: -1)
    /// ```
    public func softmax(dim d: Int) throws -> Tensor {
        let out = try normalized(dim: d, op: "softmax", log: false)
        let y = out.detachedAlias, ds = try reductionDim(d, op: "softmax")
        return Tensor.record("softmax", out, [self]) { g in
            if GradMode.isEnabled {
                let y = try self.softmax(dim: d)
                return [try y.mul(g.sub(g.mul(y).sum(dims: ds, keepdim: true)))]
            }
            return try GradMode.withoutGrad {
                // dx = y * (g - sum(g * y))
                let gy = try Tensor.ewMap(g, y, op: "softmax", EW.Mul())
                let s = try gy.sumRaw(ds, keepdim: true, mean: false)
                return [try Tensor.ewMap(y, g, s, op: "softmax", SoftmaxBackward())]
            }
        }
    }

    /// x - logsumexp(x) along `dim`.
    ///
    /// ```swift
    /// let logp = try logits.logSoftmax(dim: 1)
    /// ```
    public func logSoftmax(dim d: Int) throws -> Tensor {
        let out = try normalized(dim: d, op: "logSoftmax", log: true)
        let y = out.detachedAlias, ds = try reductionDim(d, op: "logSoftmax")
        return Tensor.record("logSoftmax", out, [self]) { g in
            if GradMode.isEnabled {
                return [try g.sub(self.softmax(dim: d).mul(g.sum(dims: ds, keepdim: true)))]
            }
            return try GradMode.withoutGrad {
                // dx = g - exp(y) * sum(g)
                let s = try g.sumRaw(ds, keepdim: true, mean: false)
                return [try Tensor.ewMap(g, y, s, op: "logSoftmax", LogSoftmaxBackward())]
            }
        }
    }

    /// log(sum(exp(x))) along `dim`, computed stably.
    ///
    /// ```swift
    /// let lse = try x.logsumexp(dim: 1)
    /// ```
    public func logsumexp(dim d: Int, keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDim(d, op: "logsumexp")
        let x = try contiguousData()
        let lanes = self.lanes(ds)
        let out = try Tensor(uninitializedShape: reducedShape(ds, keepdim: keepdim))
        Tensor.logsumexpLanes(x.pointer, lanes, out.pointer)
        let rank = dim, saved = out.detachedAlias, kept = reducedShape(ds, keepdim: true)
        return Tensor.record("logsumexp", out, [self]) { g in
            if GradMode.isEnabled {
                return [try g.reshape(kept).mul(self.sub(self.logsumexp(dim: d, keepdim: true)).exp())]
            }
            return try GradMode.withoutGrad {
                let lse = saved.keptDims(ds, keepdim: keepdim, rank: rank)
                let gk = g.keptDims(ds, keepdim: keepdim, rank: rank)
                return [try Tensor.ewMap(self, lse, gk, op: "logsumexp", LogsumexpBackward())]
            }
        }
    }

    /// Softmax (or log-softmax) of every lane along `d`.
    private func normalized(dim d: Int, op: String, log: Bool) throws -> Tensor {
        let ds = try reductionDim(d, op: op)
        let x = try contiguousData()
        let lanes = self.lanes(ds)
        let out = try Tensor(uninitializedShape: shape)
        let xp = x.pointer, op = out.pointer, n = lanes.length, s = lanes.inner
        lanes.forEachChunk { r in
            for l in r {
                let p = xp + lanes.start(l), q = op + lanes.start(l)
                let m = Tensor.laneMax(p, n, s)
                // exp in its own loop (vectorizes on rows), then the sum in Double.
                if s == 1 {
                    for i in 0..<n { q[i] = FastMath.exp(p[i] - m) }
                } else {
                    for i in 0..<n { q[i &* s] = FastMath.exp(p[i &* s] - m) }
                }
                let sum = s == 1 ? Reduce.rowSum(q, n) : (0..<n).reduce(0.0) { $0 + Double(q[$1 &* s]) }
                if log {
                    let shift = m + Float(Glibc.log(sum))
                    for i in 0..<n { q[i &* s] = p[i &* s] - shift }
                } else {
                    let inv = Float(1 / sum)
                    for i in 0..<n { q[i &* s] *= inv }
                }
            }
        }
        return out
    }

    static func logsumexpLanes(_ x: UnsafePointer<Float>, _ lanes: Lanes, _ out: UnsafeMutablePointer<Float>) {
        let n = lanes.length, s = lanes.inner
        lanes.forEachChunk { r in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(n, 1)) { buf in
                guard let e = buf.baseAddress else { return }
                for l in r {
                    let p = x + lanes.start(l)
                    let m = laneMax(p, n, s)
                    // All -inf gives -inf; a +inf or NaN maximum is the answer itself.
                    if !m.isFinite { out[l] = m; continue }
                    if s == 1 {
                        for i in 0..<n { e[i] = FastMath.exp(p[i] - m) }
                    } else {
                        for i in 0..<n { e[i] = FastMath.exp(p[i &* s] - m) }
                    }
                    out[l] = m + Float(Glibc.log(Reduce.rowSum(e, n)))
                }
            }
        }
    }

    /// log Σ e^(p[i]) of a contiguous row of `n` floats, shifted by the row's maximum (by 0 when
    /// every entry is −∞, giving −∞), for losses that fuse it: cross-entropy's rows of logits.
    /// The exponentials go through `scratch` (`n` floats) so that their loop vectorizes.
    ///
    /// ```swift
    /// let lse = Tensor.rowLogSumExp(logits.pointer + i * k, k, scratch: buffer)
    /// ```
    public static func rowLogSumExp(_ p: UnsafePointer<Float>, _ n: Int, scratch e: UnsafeMutablePointer<Float>) -> Float {
        var m = laneMax(p, n, 1)
        if m == -.infinity { m = 0 }
        for i in 0..<n { e[i] = FastMath.exp(p[i] - m) }
        return m + Float(Glibc.log(Reduce.rowSum(e, n)))
    }

    /// The largest of `n` floats at stride `s` (NaN if any is NaN; -inf when `n` is 0).
    @inline(__always)
    static func laneMax(_ p: UnsafePointer<Float>, _ n: Int, _ s: Int) -> Float {
        var m = -Float.infinity, i = 0
        if s == 1 {
            // Eight lanes at a time; NaN is tracked apart so that the selects stay branch-free.
            let raw = UnsafeRawPointer(p)
            var mv = SIMD8<Float>(repeating: -.infinity), nan = SIMDMask<SIMD8<Int32>>()
            while i + 8 <= n {
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                mv.replace(with: v, where: v .> mv)
                nan .|= v .!= v
                i += 8
            }
            if any(nan) { return .nan }
            m = mv.max()
        }
        while i < n {
            let v = p[i &* s]
            if v != v { return v }
            if v > m { m = v }
            i += 1
        }
        return m
    }
}

// Gradient kernels of the ops above.

/// y·(g − s), s = sum(g·y) along the dim.
private struct SoftmaxBackward: TernaryKernel {
    func callAsFunction(_ y: Float, _ g: Float, _ s: Float) -> Float { y * (g - s) }
}

/// g − e^y·s for the log-softmax output y, s = sum(g) along the dim.
private struct LogSoftmaxBackward: TernaryKernel {
    func callAsFunction(_ g: Float, _ y: Float, _ s: Float) -> Float { g - FastMath.exp(y) * s }
}

/// g·e^(x − l) for the logsumexp l.
private struct LogsumexpBackward: TernaryKernel {
    func callAsFunction(_ x: Float, _ l: Float, _ g: Float) -> Float { g * FastMath.exp(x - l) }
}
