/// Views that share storage with their base: `select`, `narrow`, `transpose`, `t`, `permute`,
/// `unsqueeze`, `squeeze`, `detach`, plus `contiguous`, `clone` and `item`.
///
/// Dimensions and positions are 0-based; negative values count from the end. Each view records a
/// backward that maps the view's gradient back to its base's shape.
extension Tensor {
    /// Maps a possibly negative dimension to `0..<rank`, or throws naming the op.
    ///
    /// ```swift
    /// try Tensor.normalizeDim(-1, rank: 3, op: "sum")   // 2
    /// ```
    public static func normalizeDim(_ dim: Int, rank: Int, op: String) throws -> Int {
        let r = max(rank, 1)  // a 0-d tensor accepts dim 0 and -1, as in PyTorch
        guard dim >= -r && dim < r else {
            throw TensorError("\(op): dim \(dim) is out of range for a \(rank)-d tensor (expected \(-r)...\(r - 1))")
        }
        return dim < 0 ? dim + r : dim
    }

    /// Checks a dimension for ops on a tensor that must have at least one dimension.
    func checkedDim(_ dim: Int, op: String) throws -> Int {
        guard self.dim > 0 else { throw TensorError("\(op): expected a tensor with at least one dimension, got a 0-d tensor") }
        return try Tensor.normalizeDim(dim, rank: self.dim, op: op)
    }

    /// A view sharing storage (no autograd; ops below record).
    func aliased(shape: [Int], strides: [Int], offset: Int) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset)
    }

    /// The slice at `index` along `dim`, which is removed (a view).
    ///
    /// ```swift
    /// let row = try m.select(dim: 0, index: 1)   // second row of a matrix
    /// ```
    public func select(dim: Int, index: Int) throws -> Tensor {
        let d = try checkedDim(dim, op: "select")
        let size = shape[d]
        guard index >= -size && index < size else {
            throw TensorError("select: index \(index) is out of range for dim \(d) of size \(size)")
        }
        let i = index < 0 ? index + size : index
        var s = shape, st = strides
        s.remove(at: d)
        st.remove(at: d)
        let out = aliased(shape: s, strides: st, offset: offset + i * strides[d])
        let inShape = shape
        return Tensor.record("select", out, [self]) { g in
            [try Tensor.gradThroughView(g, inputShape: inShape) { try $0.select(dim: d, index: i) }]
        }
    }

    /// `length` consecutive entries along `dim` from `start` (a view).
    ///
    /// ```swift
    /// let firstTwo = try x.narrow(dim: 0, start: 0, length: 2)
    /// ```
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor {
        let d = try checkedDim(dim, op: "narrow")
        let size = shape[d]
        guard start >= -size && start <= size else {
            throw TensorError("narrow: start \(start) is out of range for dim \(d) of size \(size)")
        }
        let s0 = start < 0 ? start + size : start
        guard length >= 0 && length <= size - s0 else {  // s0 + length could overflow
            throw TensorError("narrow: start \(s0) + length \(length) exceeds dim \(d) of size \(size)")
        }
        var s = shape
        s[d] = length
        let out = aliased(shape: s, strides: strides, offset: offset + (length > 0 ? s0 * strides[d] : 0))
        let inShape = shape
        return Tensor.record("narrow", out, [self]) { g in
            [try Tensor.gradThroughView(g, inputShape: inShape) { try $0.narrow(dim: d, start: s0, length: length) }]
        }
    }

    /// Swaps two dimensions (a view).
    ///
    /// ```swift
    /// let xt = try x.transpose(0, 1)
    /// ```
    public func transpose(_ dim0: Int, _ dim1: Int) throws -> Tensor {
        let a = try Tensor.normalizeDim(dim0, rank: dim, op: "transpose")
        let b = try Tensor.normalizeDim(dim1, rank: dim, op: "transpose")
        if dim == 0 { return try viewAlias() }
        var s = shape, st = strides
        s.swapAt(a, b)
        st.swapAt(a, b)
        let out = aliased(shape: s, strides: st, offset: offset)
        return Tensor.record("transpose", out, [self]) { g in [try g.transpose(a, b)] }
    }

    /// The transpose of a matrix; 0-d and 1-d tensors come back as they are (as in PyTorch).
    ///
    /// ```swift
    /// let wt = try w.t()
    /// ```
    public func t() throws -> Tensor {
        guard dim <= 2 else {
            throw TensorError("t: expected a tensor with at most 2 dimensions, got \(dim)-d (use transpose)")
        }
        return dim < 2 ? try viewAlias() : try transpose(0, 1)
    }

    /// Reorders the dimensions: output dim `i` is input dim `dims[i]` (a view).
    ///
    /// ```swift
    /// let chw = try hwc.permute([2, 0, 1])
    /// ```
    public func permute(_ dims: [Int]) throws -> Tensor {
        guard dims.count == dim else {
            throw TensorError("permute: expected \(dim) dims for a \(dim)-d tensor, got \(dims.count)")
        }
        var seen = [Bool](repeating: false, count: dim)
        var p = [Int]()
        for d in dims {
            let n = try Tensor.normalizeDim(d, rank: dim, op: "permute")
            guard !seen[n] else { throw TensorError("permute: dim \(d) appears more than once in \(dims)") }
            seen[n] = true
            p.append(n)
        }
        let out = aliased(shape: p.map { shape[$0] }, strides: p.map { strides[$0] }, offset: offset)
        var inverse = [Int](repeating: 0, count: p.count)
        for (i, d) in p.enumerated() { inverse[d] = i }
        return Tensor.record("permute", out, [self]) { g in [try g.permute(inverse)] }
    }

    /// Inserts a dimension of size 1 at `dim` (`-1` appends one; a view).
    ///
    /// ```swift
    /// let column = try v.unsqueeze(1)   // [n] -> [n, 1]
    /// ```
    public func unsqueeze(_ dim: Int) throws -> Tensor {
        guard self.dim < Tensor.maxRank else { throw TensorError("unsqueeze: a tensor has at most \(Tensor.maxRank) dimensions") }
        let d = try Tensor.normalizeDim(dim, rank: self.dim + 1, op: "unsqueeze")
        var s = shape, st = strides
        st.insert(d < s.count ? s[d] * st[d] : 1, at: d)
        s.insert(1, at: d)
        let out = aliased(shape: s, strides: st, offset: offset)
        let inShape = shape
        return Tensor.record("unsqueeze", out, [self]) { g in [try g.reshape(inShape)] }
    }

    /// Removes `dim` if its size is 1 (otherwise returns an unchanged view, as in PyTorch), or
    /// every size-1 dimension when `dim` is nil.
    ///
    /// ```swift
    /// let v = try column.squeeze(1)   // [n, 1] -> [n]
    /// ```
    public func squeeze(_ dim: Int? = nil) throws -> Tensor {
        var keep = [Int]()
        if let dim {
            let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "squeeze")
            keep = (0..<self.dim).filter { $0 != d || shape[$0] != 1 }
        } else {
            keep = (0..<self.dim).filter { shape[$0] != 1 }
        }
        let out = aliased(shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
        let inShape = shape
        return Tensor.record("squeeze", out, [self]) { g in [try g.reshape(inShape)] }
    }

    /// A new tensor object viewing the same elements, with a gradient that passes through.
    func viewAlias() throws -> Tensor {
        let out = aliased(shape: shape, strides: strides, offset: offset)
        return Tensor.record("alias", out, [self]) { g in [g] }
    }

    /// A view sharing storage that is cut from the graph and does not require grad.
    ///
    /// ```swift
    /// let frozen = x.detach()
    /// ```
    public func detach() -> Tensor {
        aliased(shape: shape, strides: strides, offset: offset)
    }

    /// `self` when already contiguous, else a contiguous copy (gradient passes through).
    ///
    /// ```swift
    /// let c = try x.t().contiguous()
    /// ```
    public func contiguous() throws -> Tensor {
        if isContiguous { return self }
        return Tensor.record("contiguous", try copyData(), [self]) { g in [g] }
    }

    /// A contiguous copy with its own storage (gradient passes through).
    ///
    /// ```swift
    /// let snapshot = try x.clone()
    /// ```
    public func clone() throws -> Tensor {
        Tensor.record("clone", try copyData(), [self]) { g in [g] }
    }

    /// The value of a one-element tensor.
    ///
    /// ```swift
    /// let v = try loss.item()
    /// ```
    public func item() throws -> Float {
        guard count == 1 else {
            throw TensorError("item: expected a tensor with one element, got shape \(describe(shape: shape)) (\(count) elements)")
        }
        return storage.base[offset]
    }
}
