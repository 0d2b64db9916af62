/// Joining tensors: `cat` along an existing dimension, `stack` along a new one.
extension Tensor {
    /// Concatenates tensors along `dim`; they must agree in every other dimension.
    ///
    /// ```swift
    /// let ab = try Tensor.cat([a, b], dim: 0)   // [2, 3] + [4, 3] -> [6, 3]
    /// ```
    public static func cat(_ ts: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = ts.first else { throw TensorError("cat: expected a non-empty list of tensors") }
        guard first.dim > 0 else { throw TensorError("cat: zero-dimensional tensors cannot be concatenated (use stack)") }
        let d = try normalizeDim(dim, rank: first.dim, op: "cat")
        var total = 0
        for (i, t) in ts.enumerated() {
            guard t.dim == first.dim else {
                throw TensorError("cat: tensor \(i + 1) has \(t.dim) dims, expected \(first.dim) like tensor 1")
            }
            for k in 0..<t.dim where k != d && t.shape[k] != first.shape[k] {
                throw TensorError("cat: sizes must match except in dim \(d): tensor \(i + 1) has shape \(describe(shape: t.shape)), tensor 1 has \(describe(shape: first.shape))")
            }
            total += t.shape[d]
        }
        var outShape = first.shape
        outShape[d] = total
        let out = try Tensor(uninitializedShape: outShape)
        var starts = [Int](), start = 0
        for t in ts {
            starts.append(start)
            let part = out.aliased(shape: t.shape, strides: out.strides, offset: t.shape[d] > 0 ? start * out.strides[d] : 0)
            stridedCopy(into: part, from: t)
            start += t.shape[d]
        }
        let lengths = ts.map { $0.shape[d] }
        return record("cat", out, ts) { g in
            try zip(starts, lengths).map { try g.narrow(dim: d, start: $0, length: $1) }
        }
    }

    /// Stacks same-shape tensors along a new dimension `dim` (0...rank).
    ///
    /// ```swift
    /// let batch = try Tensor.stack([x1, x2, x3], dim: 0)   // three [4] -> [3, 4]
    /// ```
    public static func stack(_ ts: [Tensor], dim: Int = 0) throws -> Tensor {
        guard let first = ts.first else { throw TensorError("stack: expected a non-empty list of tensors") }
        for (i, t) in ts.enumerated() where t.shape != first.shape {
            throw TensorError("stack: all tensors must have the same shape: tensor \(i + 1) has \(describe(shape: t.shape)), tensor 1 has \(describe(shape: first.shape))")
        }
        let d = try normalizeDim(dim, rank: first.dim + 1, op: "stack")
        return try cat(ts.map { try $0.unsqueeze(d) }, dim: d)
    }
}
