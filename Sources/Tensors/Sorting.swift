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

    /// A 32-bit key whose unsigned order is the float order (NaN above +inf, -0 equal to 0),
    /// inverted for a descending sort. With the position in the low 32 bits, sorting plain
    /// integers gives a stable sort without a comparison closure.
    @inline(__always)
    static func sortKey(_ v: Float, descending: Bool) -> UInt64 {
        let ordered: UInt32
        if v.isNaN { ordered = .max } else {
            let bits = (v == 0 ? Float(0) : v).bitPattern
            ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
        }
        return UInt64(descending ? ~ordered : ordered)
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
        guard n <= Int(UInt32.max) else { throw TensorError("\(op): dims longer than \(UInt32.max) are not supported, got \(n)") }
        let src = lanes.pointer, vp = values.pointer, ip = indices.pointer
        // Lanes are independent and write disjoint outputs: any thread count gives the same result.
        Parallel.forEachChunk(count: outer, chunk: Swift.max(1, Parallel.defaultChunk / Swift.max(n, 1))) { range in
            var keys = [UInt64](repeating: 0, count: n)
            for lane in range {
                let row = src + lane * n
                if k == 0 { continue }
                if k * 8 < n {
                    // A few of many (topk): keep the k smallest keys by insertion, O(n) typically.
                    var filled = 0
                    for i in 0..<n {
                        let key = Tensor.sortKey(row[i], descending: descending) << 32 | UInt64(i)
                        if filled == k && key >= keys[k - 1] { continue }
                        var j = filled == k ? k - 1 : filled
                        if filled < k { filled += 1 }
                        while j > 0 && keys[j - 1] > key { keys[j] = keys[j - 1]; j -= 1 }
                        keys[j] = key
                    }
                } else {
                    for i in 0..<n { keys[i] = Tensor.sortKey(row[i], descending: descending) << 32 | UInt64(i) }
                    keys.sort()
                }
                for t in 0..<k {
                    let i = Int(keys[t] & 0xFFFF_FFFF)
                    vp[lane * k + t] = row[i]
                    ip[lane * k + t] = Float(i + 1)
                }
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
