/// Copy-indexing with 1-based index tensors: `indexSelect`, `gather`, `scatterAdd`, and the
/// assignment behind Lua's `t[i] = v`.
extension Tensor {
    /// Reads an index tensor's values as 0-based positions, checking each against `size`.
    /// Index tensors hold 1-based integers (stored as float32), exactly as Lua sees them.
    func zeroBasedIndices(size: Int, op: String, dim: Int) throws -> [Int] {
        // The positions and (gather, scatter) their offsets: 16 bytes per index element, which an
        // expanded index tensor can have 2^40 of.
        try TensorMemory.checkScratch(count: count, bytesPerElement: 16, op: op)
        var out = [Int]()
        out.reserveCapacity(count)
        var bad: (Int, Float)? = nil
        let base = storage.base
        forEachOffset { o in
            // After the first bad value nothing is converted: a later NaN or inf would trap in Int().
            guard bad == nil else { return }
            let v = base[o]
            guard v == v.rounded(), v >= 1, v <= Float(size) else { bad = (out.count, v); return }
            out.append(Int(v) - 1)
        }
        if let (position, v) = bad {
            let shown = v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
            throw TensorError("\(op): index \(shown) at position \(position + 1) is out of range for dim \(dim) of size \(size) (indices are 1-based integers 1...\(size))")
        }
        return out
    }

    /// Copies the slices along `dim` named by the 1-based indices in `index` (0-d or 1-d).
    ///
    /// ```swift
    /// let rows = try x.indexSelect(dim: 0, index: Tensor([3, 1], shape: [2]))   // rows 3 and 1
    /// ```
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        let d = try checkedDim(dim, op: "index_select")
        guard index.dim <= 1 else {
            throw TensorError("index_select: expected a 0-d or 1-d index tensor, got shape \(describe(shape: index.shape))")
        }
        let idx = try index.zeroBasedIndices(size: shape[d], op: "index_select", dim: d)
        var outShape = shape
        outShape[d] = idx.count
        let out = try Tensor(uninitializedShape: outShape)
        try Tensor.copyRows(from: self, to: out, dim: d, pairs: idx.enumerated().map { ($1, $0) }, add: false)
        let inShape = shape
        return Tensor.record("index_select", out, [self]) { g in
            let gx = try Tensor.filled(inShape, 0)
            try Tensor.copyRows(from: g, to: gx, dim: d, pairs: idx.enumerated().map { ($0, $1) }, add: true)
            // Recorded when the backward records itself: the adjoint of this scatter is the select.
            return [Tensor.record("index_select_backward", gx, [g]) { h in [try h.indexSelect(dim: d, index: index)] }]
        }
    }

    /// For each `(from, to)` pair, copies (or adds) slice `from` of `src` along `dim` into slice
    /// `to` of `dst`. Rows of contiguous tensors along dim 0 (embedding lookups) are plain
    /// pointer loops; other layouts go through strided views.
    static func copyRows(from src: Tensor, to dst: Tensor, dim d: Int, pairs: [(Int, Int)], add: Bool) throws {
        if d == 0 && src.isContiguous && dst.isContiguous {
            let row = src.shape.dropFirst().reduce(1, *)
            let s = src.pointer, t = dst.pointer
            for (i, j) in pairs {
                let from = s + i * row, to = t + j * row
                if add { for k in 0..<row { to[k] += from[k] } } else { to.update(from: from, count: row) }
            }
            return
        }
        for (i, j) in pairs {
            let from = try src.slice(d, i), to = try dst.slice(d, j)
            if add { stridedAdd(into: to, from: from) } else { stridedCopy(into: to, from: from) }
        }
    }

    /// A view of position `i` along `d`, keeping the dimension (no autograd; validated callers).
    func slice(_ d: Int, _ i: Int) throws -> Tensor {
        guard i >= 0 && i < shape[d] else { throw TensorError("slice: index \(i) out of range for size \(shape[d])") }
        var s = shape
        s[d] = 1
        return aliased(shape: s, strides: strides, offset: offset + i * strides[d])
    }

    /// Checks `index` for gather/scatter along `d`: same rank as `self`, and no larger than
    /// `self` in the other dimensions. Returns the 0-based index values in row-major order.
    func checkedGatherIndex(_ index: Tensor, _ d: Int, size: Int, op: String) throws -> [Int] {
        guard index.dim == dim else {
            throw TensorError("\(op): index must have the same number of dims as the input (\(dim)), got shape \(describe(shape: index.shape))")
        }
        for k in 0..<index.dim where k != d && index.shape[k] > shape[k] {
            throw TensorError("\(op): index shape \(describe(shape: index.shape)) is larger than the input shape \(describe(shape: shape)) at dim \(k)")
        }
        return try index.zeroBasedIndices(size: size, op: op, dim: d)
    }

    /// Storage offsets (relative to the tensor's first element) for each element of `index`'s shape, with the
    /// coordinate along `d` replaced by the index values, in row-major order.
    static func gatherOffsets(indexShape: [Int], values: [Int], strides: [Int], d: Int) -> [Int] {
        var out = [Int](repeating: 0, count: values.count)
        let rank = indexShape.count
        var coord = [Int](repeating: 0, count: rank)
        var n = 0
        while n < values.count {
            var o = 0
            for k in 0..<rank where k != d { o += coord[k] * strides[k] }
            o += values[n] * strides[d]
            out[n] = o
            n += 1
            var k = rank - 1
            while k >= 0 {
                coord[k] += 1
                if coord[k] < indexShape[k] { break }
                coord[k] = 0
                k -= 1
            }
        }
        return out
    }

    /// `out[i][j][k] = self[i][index[i][j][k]][k]` for `dim = 1` (1-based `index`, same rank).
    ///
    /// ```swift
    /// let picked = try logp.gather(dim: 1, index: labels.unsqueeze(1))   // [n, 1]
    /// ```
    public func gather(dim: Int, index: Tensor) throws -> Tensor {
        let d = try checkedDim(dim, op: "gather")
        let size = shape[d]
        let idx = try checkedGatherIndex(index, d, size: size, op: "gather")
        let offs = Tensor.gatherOffsets(indexShape: index.shape, values: idx, strides: strides, d: d)
        let out = try Tensor(uninitializedShape: index.shape)
        let src = pointer, dst = out.pointer
        for (n, o) in offs.enumerated() { dst[n] = src[o] }
        let inShape = shape
        return Tensor.record("gather", out, [self]) { g in
            if GradMode.isEnabled { return [try Tensor.zeros(inShape).scatterAdd(dim: d, index: index, src: g)] }
            let gx = try Tensor.filled(inShape, 0)
            let gc = try g.contiguousData()
            let gp = gc.pointer, xp = gx.pointer
            let xOffs = Tensor.gatherOffsets(indexShape: index.shape, values: idx, strides: gx.strides, d: d)
            for (n, o) in xOffs.enumerated() { xp[o] += gp[n] }
            return [gx]
        }
    }

    /// `self` with `src` added at the 1-based positions `index` along `dim` (a new tensor):
    /// for `dim = 0`, `out[index[i][j]][j] += src[i][j]`. The inverse of `gather`.
    ///
    /// ```swift
    /// let counts = try Tensor.zeros([k]).scatterAdd(dim: 0, index: labels, src: Tensor.ones([n]))
    /// ```
    public func scatterAdd(dim: Int, index: Tensor, src: Tensor) throws -> Tensor {
        let d = try checkedDim(dim, op: "scatter_add")
        guard src.dim == index.dim else {
            throw TensorError("scatter_add: src must have the same number of dims as index (\(index.dim)), got shape \(describe(shape: src.shape))")
        }
        for k in 0..<index.dim where index.shape[k] > src.shape[k] {
            throw TensorError("scatter_add: index shape \(describe(shape: index.shape)) is larger than the src shape \(describe(shape: src.shape)) at dim \(k)")
        }
        let idx = try checkedGatherIndex(index, d, size: shape[d], op: "scatter_add")
        let out = try copyData()
        let offs = Tensor.gatherOffsets(indexShape: index.shape, values: idx, strides: out.strides, d: d)
        // The part of src that index covers, in index's row-major order.
        let srcPart = try src.region(index.shape).contiguousData()
        let sp = srcPart.pointer, op = out.pointer
        for (n, o) in offs.enumerated() { op[o] += sp[n] }
        return Tensor.record("scatter_add", out, [self, src]) { g in
            if GradMode.isEnabled {
                let gSrc = try g.gather(dim: d, index: index)
                let padded = src.shape == index.shape ? gSrc
                    : try Tensor.gradThroughView(gSrc, inputShape: src.shape) { try $0.leadingCorner(index.shape) }
                return [g, padded]
            }
            let gSrc = try g.gather(dim: d, index: index)
            let padded = try Tensor.filled(src.shape, 0)
            Tensor.stridedCopy(into: try padded.region(index.shape), from: gSrc)
            return [g, padded]
        }
    }

    /// The leading `shape` corner of `self` (a view; no autograd; each size ≤ self's).
    func region(_ shape: [Int]) throws -> Tensor {
        guard shape.count == dim, zip(shape, self.shape).allSatisfy({ $0 <= $1 }) else {
            throw TensorError("region: \(describe(shape: shape)) does not fit in \(describe(shape: self.shape))")
        }
        return aliased(shape: shape, strides: strides, offset: offset)
    }

    /// Writes `value` (broadcast to the slice's shape) into `self.select(dim, index)`:
    /// Lua's `t[i] = v`. Returns `self`. Not recorded: assigning into a tensor that requires grad
    /// while grad mode is on is an error (as PyTorch does for leaves).
    ///
    /// ```swift
    /// try m.assign(dim: 0, index: 1, value: Tensor.zeros([3]))   // second row := 0
    /// ```
    @discardableResult
    public func assign(dim: Int, index: Int, value: Tensor) throws -> Tensor {
        let dst = try GradMode.withoutGrad { try detach().select(dim: dim, index: index) }
        try Tensor.assignChecked(dst, value, into: self)
        return self
    }

    /// Writes the number `value` into `self.select(dim, index)`; returns `self`.
    @discardableResult
    public func assign(dim: Int, index: Int, value: Float) throws -> Tensor {
        try assign(dim: dim, index: index, value: try Tensor.filled([], value))
    }

    static func assignChecked(_ dst: Tensor, _ value: Tensor, into base: Tensor) throws {
        if GradMode.isEnabled && (base.requiresGrad || value.requiresGrad) {
            throw TensorError("assign: cannot write in place into or from a tensor that requires grad while recording; use autograd.no_grad or detach()")
        }
        // copy_ broadcasts, copies an overlapping source first, and refuses expanded targets.
        try dst.copy_(value.detach())
    }
}
