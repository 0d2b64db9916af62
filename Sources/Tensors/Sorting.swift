/// Sorting along a dimension: `sort`, `argsort`, `topk`. Index outputs are 1-based (as every
/// index tensor in descent). Order is stable: equal values keep their original order, and NaN
/// sorts above every number (PyTorch's order), so results never depend on the sort algorithm.
extension Tensor {
    /// Values sorted along `dim` (0-based; default the last) and the 1-based positions they came
    /// from. Differentiable in the values (the gradient goes back to where each value came from).
    ///
    /// ```swift
    /// let (v, i) = try Tensor([3, 1, 2], shape: [3]).sort()   // v = [1, 2, 3], i = [2, 3, 1]
    /// ```
    public func sort(dim: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "sort")
        let n = self.dim == 0 ? 1 : shape[d]
        return try selectSorted(d, k: n, descending: descending, op: "sort")
    }

    /// The 1-based positions that sort `self` along `dim` (stable; not differentiable).
    ///
    /// ```swift
    /// let order = try scores.argsort(dim: 0, descending: true)
    /// ```
    public func argsort(dim: Int = -1, descending: Bool = false) throws -> Tensor {
        try GradMode.withoutGrad { try detachedAlias.sort(dim: dim, descending: descending).indices }
    }

    /// The `k` largest (or smallest) values along `dim` and their 1-based positions, in sorted
    /// order; among equal values the earlier position comes first.
    ///
    /// ```swift
    /// let (v, i) = try logits.topk(5, dim: 1)   // [n, 5] each
    /// ```
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "topk")
        let n = self.dim == 0 ? 1 : shape[d]
        guard k >= 0 && k <= n else {
            throw TensorError("topk: k must be in [0, \(n)] for dim \(d + 1) of shape \(describe(shape: shape)), got \(k)")
        }
        return try selectSorted(d, k: k, descending: largest, op: "topk")
    }

    /// The first `k` entries of each lane along `d` after a stable sort.
    private func selectSorted(_ d: Int, k: Int, descending: Bool, op: String) throws -> (values: Tensor, indices: Tensor) {
        // A 0-d tensor is one lane of one element.
        let x = self.dim == 0 ? aliased(shape: [1], strides: [1], offset: offset) : detachedAlias
        let last = x.dim - 1
        // Lanes along `d` laid out contiguously: swap `d` with the last dim (its own inverse).
        let lanes = try x.transpose(d, last).contiguousData()
        let n = x.shape[d], outer = n == 0 ? 0 : lanes.count / n
        var outShape = lanes.shape
        outShape[last] = k
        let values = try Tensor(uninitializedShape: outShape), indices = try Tensor(uninitializedShape: outShape)
        let src = lanes.pointer, vp = values.pointer, ip = indices.pointer
        var order = [Int](repeating: 0, count: n)
        for lane in 0..<outer {
            let row = src + lane * n
            for i in 0..<n { order[i] = i }
            // Total order: NaN above every number; ties by position (stable).
            order.sort { i, j in
                let a = row[i], b = row[j]
                if a.isNaN || b.isNaN {
                    if a.isNaN && b.isNaN { return i < j }
                    return descending ? a.isNaN : b.isNaN
                }
                if a == b { return i < j }
                return descending ? a > b : a < b
            }
            for t in 0..<k {
                vp[lane * k + t] = row[order[t]]
                ip[lane * k + t] = Float(order[t] + 1)
            }
        }
        func back(_ t: Tensor) throws -> Tensor {
            let moved = try t.transpose(d, last).contiguousData()
            return self.dim == 0 ? moved.aliased(shape: [], strides: [], offset: moved.offset) : moved
        }
        let v = try back(values), idx = try back(indices)
        let inShape = shape
        let recorded = Tensor.record(op, v, [self]) { g in
            // Scatter each value's gradient back to its position (scatter_add is differentiable).
            if inShape.isEmpty { return [g] }
            return [try Tensor.zeros(inShape).scatterAdd(dim: d, index: idx, src: g)]
        }
        return (recorded, idx)
    }
}
