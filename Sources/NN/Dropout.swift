import Tensors

extension Functional {
    /// Inverted dropout: in training, zeroes each element with probability `p` and scales the
    /// survivors by `1/(1-p)`; otherwise (or with `p = 0`) returns `x` unchanged. The mask comes
    /// from `generator`, so a seed reproduces it exactly.
    ///
    /// ```swift
    /// let y = try Functional.dropout(x, p: 0.5, training: true, generator: Generator(seed: 1))
    /// ```
    public static func dropout(
        _ x: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator = .shared
    ) throws -> Tensor {
        guard p >= 0, p <= 1 else { throw TensorError("dropout: expected p in [0, 1], got \(p)") }
        if !training || p == 0 { return x }
        let n = x.count
        let mask = try newTensor(x.shape)
        let m = mask.pointer
        if p == 1 {
            m.initialize(repeating: 0, count: n)
        } else {
            generator.fillUniform(m, count: n)
            let keep = Float(1 - p), scale = Float(1 / (1 - p))
            for i in 0..<n { m[i] = m[i] < keep ? scale : 0 }
        }
        let xd = try dense(x)
        let out = try newTensor(x.shape)
        let xp = xd.pointer, o = out.pointer
        for i in 0..<n { o[i] = xp[i] * m[i] }
        return Tensor.record("dropout", out, [x]) { g in
            if GradMode.isEnabled { return [try g.mul(mask)] }
            let gd = try dense(g)
            let gx = try newTensor(x.shape)
            let gp = gd.pointer, q = gx.pointer, m = mask.pointer
            for i in 0..<n { q[i] = gp[i] * m[i] }
            return [gx]
        }
    }
}
