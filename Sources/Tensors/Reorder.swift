/// Reordering along dimensions: `flip` and `roll`, plus the split family `chunk`, `split`,
/// `unbind` (views of the input, like PyTorch's).
extension Tensor {
    /// The elements in reverse order along each of `dims` (0-based; a new tensor).
    ///
    /// ```swift
    /// try Tensor([1, 2, 3], shape: [3]).flip([0])   // [3, 2, 1]
    /// ```
    public func flip(_ dims: [Int]) throws -> Tensor {
        var seen = Set<Int>()
        var st = strides, off = offset
        for dim in dims {
            let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "flip")
            guard seen.insert(d).inserted else { throw TensorError("flip: dim \(d + 1) appears more than once in the dims") }
            if self.dim == 0 { continue }
            // A negative-stride view starting at the last element, copied at once (the view
            // never leaves this function: other kernels assume non-negative strides).
            if shape[d] > 0 { off += (shape[d] - 1) * strides[d] }
            st[d] = -strides[d]
        }
        let out = count == 0 ? try Tensor(uninitializedShape: shape) : try aliased(shape: shape, strides: st, offset: off).copyData()
        let flipped = Array(seen)
        return Tensor.record("flip", out, [self]) { g in [try g.flip(flipped)] }
    }

    /// Rotates the elements by `shifts[i]` positions along `dims[i]` (0-based); with `dims`
    /// empty, rolls the flattened tensor by `shifts[0]` and restores the shape.
    ///
    /// ```swift
    /// try Tensor([1, 2, 3, 4], shape: [4]).roll([1], dims: [0])   // [4, 1, 2, 3]
    /// ```
    public func roll(_ shifts: [Int], dims: [Int] = []) throws -> Tensor {
        if dims.isEmpty {
            guard shifts.count == 1 else {
                throw TensorError("roll: without dims, expected one shift, got \(shifts.count)")
            }
            return try flatten().roll(shifts, dims: [0]).reshape(shape)
        }
        guard shifts.count == dims.count else {
            throw TensorError("roll: expected as many shifts as dims, got \(shifts.count) shifts and \(dims.count) dims")
        }
        var x = self
        for (s, dim) in zip(shifts, dims) {
            let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "roll")
            if self.dim == 0 { continue }
            let n = shape[d]
            if n == 0 { continue }
            let r = ((s % n) + n) % n
            if r == 0 { continue }
            // Built from narrow and cat, so the backward (the opposite roll) comes with them.
            x = try Tensor.cat([x.narrow(dim: d, start: n - r, length: r), x.narrow(dim: d, start: 0, length: n - r)], dim: d)
        }
        return x === self ? try clone() : x
    }

    /// Splits along `dim` into pieces of `ceil(size / chunks)` (the last may be smaller; fewer
    /// than `chunks` pieces when the size is small), as PyTorch's `chunk`; an empty dim gives one
    /// empty piece.
    ///
    /// ```swift
    /// let parts = try x.chunk(3, dim: 0)   // [7, 2] -> [3, 2], [3, 2], [1, 2]
    /// ```
    public func chunk(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        guard chunks > 0 else { throw TensorError("chunk: the number of chunks must be positive, got \(chunks)") }
        let d = try checkedDim(dim, op: "chunk")
        let n = shape[d]
        let size = n == 0 ? 0 : (n - 1) / chunks + 1   // ceil(n / chunks) without overflow
        // An empty dim gives one empty piece (PyTorch gives `chunks` of them).
        if size == 0 { return [try narrow(dim: d, start: 0, length: 0)] }
        return try split(size: size, dim: d)
    }

    /// Splits along `dim` into pieces of `size` (the last may be smaller).
    ///
    /// ```swift
    /// let parts = try x.split(size: 2, dim: 0)   // [5, 3] -> [2, 3], [2, 3], [1, 3]
    /// ```
    public func split(size: Int, dim: Int = 0) throws -> [Tensor] {
        let d = try checkedDim(dim, op: "split")
        let n = shape[d]
        guard size > 0 || (size == 0 && n == 0) else {
            throw TensorError("split: the split size must be positive, got \(size)")
        }
        if n == 0 { return [try narrow(dim: d, start: 0, length: 0)] }
        // One view per piece: an expanded dim of 2^40 must be an error, not an abort.
        try TensorMemory.checkScratch(count: (n - 1) / size + 1, bytesPerElement: 256, op: "split")
        return try stride(from: 0, to: n, by: size).map { try narrow(dim: d, start: $0, length: Swift.min(size, n - $0)) }
    }

    /// Splits along `dim` into pieces of the given sizes, which must add up to the dim's size.
    ///
    /// ```swift
    /// let (a, b) = try x.split(sizes: [1, 4], dim: 0)   // [5, 3] -> [1, 3], [4, 3]
    /// ```
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        let d = try checkedDim(dim, op: "split")
        let n = shape[d]
        var total = 0, overflow = false
        for v in sizes { let (t, o) = total.addingReportingOverflow(v); total = t; overflow = overflow || o }
        guard sizes.allSatisfy({ $0 >= 0 }), !overflow, total == n else {
            throw TensorError("split: the sizes \(describe(shape: sizes)) must be non-negative and add up to \(n), the size of dim \(d + 1) of shape \(describe(shape: shape))")
        }
        var start = 0
        return try sizes.map { s in
            defer { start += s }
            return try narrow(dim: d, start: start, length: s)
        }
    }

    /// The slices along `dim`, with that dim removed (views).
    ///
    /// ```swift
    /// let rows = try m.unbind(dim: 0)   // [3, 4] -> three [4]
    /// ```
    public func unbind(dim: Int = 0) throws -> [Tensor] {
        let d = try checkedDim(dim, op: "unbind")
        // One view per slice: an expanded dim of 2^40 must be an error, not an abort.
        try TensorMemory.checkScratch(count: shape[d], bytesPerElement: 256, op: "unbind")
        return try (0..<shape[d]).map { try select(dim: d, index: $0) }
    }
}
