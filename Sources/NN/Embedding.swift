import Tensors

extension Functional {
    /// Looks up rows of `weight` (`[V, D]`) for 1-based `indices` of any shape (float32 holding
    /// integers); the result has shape `indices.shape + [D]`. Backward scatter-adds into the
    /// weight gradient (repeated indices accumulate).
    ///
    /// ```swift
    /// let e = try Functional.embedding(try Tensor([1, 3, 3], shape: [3]), weight: table)  // [3, D]
    /// ```
    public static func embedding(_ indices: Tensor, weight: Tensor) throws -> Tensor {
        guard weight.dim == 2 else {
            throw TensorError("embedding: expected a 2-d weight [num_embeddings, dim], got shape \(describe(shape: weight.shape))")
        }
        let v = weight.shape[0], d = weight.shape[1]
        let rows = try rowIndices("embedding", indices, count: v, what: "index")
        let wd = try dense(weight)
        let out = try newTensor(indices.shape + [d])
        let src = wd.pointer, dst = out.pointer
        for (k, r) in rows.enumerated() { (dst + k * d).update(from: src + r * d, count: d) }
        return Tensor.record("embedding", out, [weight]) { g in
            if GradMode.isEnabled {
                return try Tensor.compositeVJP([weight], g) { xs in
                    try xs[0].indexSelect(dim: 0, index: oneBased(rows)).reshape(indices.shape + [d])
                }
            }
            let gd = try dense(g)
            let gw = try zeroTensor([v, d])
            let gp = gd.pointer, q = gw.pointer
            for (k, r) in rows.enumerated() {
                let a = gp + k * d, b = q + r * d
                for j in 0..<d { b[j] += a[j] }
            }
            return [gw]
        }
    }
}
