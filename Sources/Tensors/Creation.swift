/// Factories: constant fills, random fills, ranges, identity, scalars and `...Like` variants.
/// Every result is a new contiguous leaf tensor.
extension Tensor {
    /// A tensor of zeros.
    ///
    /// ```swift
    /// let z = try Tensor.zeros([2, 3])
    /// ```
    public static func zeros(_ shape: [Int]) throws -> Tensor { try full(shape, value: 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) throws -> Tensor { try full(shape, value: 1) }

    /// A tensor with every element set to `value`.
    ///
    /// ```swift
    /// let t = try Tensor.full([2, 2], value: 7)
    /// ```
    public static func full(_ shape: [Int], value: Float) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        let p = out.pointer
        Parallel.forEachChunk(count: out.count) { r in (p + r.lowerBound).update(repeating: value, count: r.count) }
        return out
    }

    /// A new tensor whose contents are unspecified (zeros here, so runs stay reproducible).
    public static func empty(_ shape: [Int]) throws -> Tensor { try zeros(shape) }

    /// Uniform samples in [0, 1).
    ///
    /// ```swift
    /// let u = try Tensor.rand([3], generator: Generator(seed: 1))
    /// ```
    public static func rand(_ shape: [Int], generator: Generator = .shared) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        generator.fillUniform(out.pointer, count: out.count)
        return out
    }

    /// Standard normal samples.
    public static func randn(_ shape: [Int], generator: Generator = .shared) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        generator.fillNormal(out.pointer, count: out.count)
        return out
    }

    /// Uniform integers in `low..<high` (stored as floats).
    ///
    /// ```swift
    /// let labels = try Tensor.randint(low: 1, high: 11, shape: [64])   // 1...10
    /// ```
    public static func randint(low: Int, high: Int, shape: [Int], generator: Generator = .shared) throws -> Tensor {
        guard low < high else { throw TensorError("randint: expected low < high, got low = \(low), high = \(high)") }
        let span = Double(high) - Double(low)
        guard span <= 16_777_216 else {
            throw TensorError("randint: the range high - low must be at most 2^24 (float32 integers), got \(span)")
        }
        let out = try Tensor(uninitializedShape: shape)
        let p = out.pointer
        generator.fillUniform(p, count: out.count)
        let lo = Double(low), top = Double(high - 1)
        Parallel.forEachChunk(count: out.count) { r in
            for i in r { p[i] = Float(Swift.min((lo + Double(p[i]) * span).rounded(.down), top)) }
        }
        return out
    }

    /// `start, start + step, ...` up to but excluding `end` (count `ceil((end - start) / step)`).
    ///
    /// ```swift
    /// try Tensor.arange(start: 1, end: 4).toArray()   // [1, 2, 3]
    /// ```
    public static func arange(start: Double, end: Double, step: Double = 1) throws -> Tensor {
        guard start.isFinite, end.isFinite, step.isFinite else {
            throw TensorError("arange: start, end and step must be finite, got \(start), \(end), \(step)")
        }
        guard step != 0 else { throw TensorError("arange: step must be non-zero") }
        guard (end - start) * step >= 0 else {
            throw TensorError("arange: step \(step) has the wrong sign to go from \(start) to \(end)")
        }
        let n = ((end - start) / step).rounded(.up)
        guard n < Double(1 << 40) else { throw TensorError("arange: \(n) elements are too many") }
        let out = try Tensor(uninitializedShape: [Int(n)])
        let p = out.pointer
        for i in 0..<Int(n) { p[i] = Float(start + Double(i) * step) }
        return out
    }

    /// `count` evenly spaced values from `start` to `end`, both included.
    ///
    /// ```swift
    /// try Tensor.linspace(start: 0, end: 1, count: 5).toArray()   // [0, 0.25, 0.5, 0.75, 1]
    /// ```
    public static func linspace(start: Double, end: Double, count: Int) throws -> Tensor {
        guard count >= 0 else { throw TensorError("linspace: count must be non-negative, got \(count)") }
        let out = try Tensor(uninitializedShape: [count])
        let p = out.pointer
        let step = count > 1 ? (end - start) / Double(count - 1) : 0
        // Fill from both ends, as PyTorch does, so the last value is exactly `end`.
        let half = count / 2
        for i in 0..<count {
            p[i] = Float(i < half ? start + Double(i) * step : end - Double(count - 1 - i) * step)
        }
        if count == 1 { p[0] = Float(start) }
        return out
    }

    /// The `n` x `m` identity matrix (`m` defaults to `n`).
    ///
    /// ```swift
    /// let i3 = try Tensor.eye(3)
    /// ```
    public static func eye(_ n: Int, _ m: Int? = nil) throws -> Tensor {
        let m = m ?? n
        let out = try zeros([n, m])
        let p = out.pointer
        for i in 0..<Swift.min(n, m) { p[i * m + i] = 1 }
        return out
    }

    /// A 0-d tensor holding `v`.
    ///
    /// ```swift
    /// let lr = try Tensor.scalar(0.1)
    /// ```
    public static func scalar(_ v: Float) throws -> Tensor {
        Tensor(storage: try Storage(count: 1, repeating: v), shape: [], strides: [], offset: 0)
    }

    /// Zeros with the shape of `t`.
    public static func zerosLike(_ t: Tensor) throws -> Tensor { try zeros(t.shape) }
    /// Ones with the shape of `t`.
    public static func onesLike(_ t: Tensor) throws -> Tensor { try ones(t.shape) }
    /// `value` everywhere, with the shape of `t`.
    public static func fullLike(_ t: Tensor, value: Float) throws -> Tensor { try full(t.shape, value: value) }
    /// Standard normal samples with the shape of `t`.
    public static func randnLike(_ t: Tensor, generator: Generator = .shared) throws -> Tensor {
        try randn(t.shape, generator: generator)
    }
    /// Uniform [0, 1) samples with the shape of `t`.
    public static func randLike(_ t: Tensor, generator: Generator = .shared) throws -> Tensor {
        try rand(t.shape, generator: generator)
    }
}
