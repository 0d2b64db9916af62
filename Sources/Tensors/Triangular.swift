/// Masks and diagonals: `tril`, `triu`, `maskedFill`, `diagonal`, `diagonalEmbed`, `diag`,
/// `trace`. Each backward is the same kind of op on the gradient, so it can itself be recorded.
extension Tensor {
    /// The lower triangle of the last two dims: entries with `col - row <= diagonal` are kept,
    /// the rest are zero (`diagonal` > 0 keeps that many superdiagonals).
    ///
    /// ```swift
    /// let causal = try Tensor.ones([4, 4]).tril()   // 1 on and below the diagonal
    /// ```
    public func tril(diagonal k: Int = 0) throws -> Tensor { try triangle(k, lower: true) }

    /// The upper triangle of the last two dims: entries with `col - row >= diagonal` are kept.
    ///
    /// ```swift
    /// let strict = try m.triu(diagonal: 1)   // above the diagonal only
    /// ```
    public func triu(diagonal k: Int = 0) throws -> Tensor { try triangle(k, lower: false) }

    private func triangle(_ k: Int, lower: Bool) throws -> Tensor {
        let op = lower ? "tril" : "triu"
        guard dim >= 2 else {
            throw TensorError("\(op): expected a tensor with at least 2 dims, got shape \(describe(shape: shape))")
        }
        let out = try copyData()
        let rows = shape[dim - 2], cols = shape[dim - 1]
        let matrices = rows * cols == 0 ? 0 : count / (rows * cols)
        let p = out.pointer
        for m in 0..<matrices {
            let base = p + m * rows * cols
            for i in 0..<rows {
                let row = base + i * cols
                // Clamp the kept range in Int without overflow (k may be any script integer).
                let edge = k > cols ? cols : (k < -cols - rows ? -cols - rows : k)
                if lower {
                    let keepEnd = Swift.max(0, Swift.min(cols, i + edge + 1))   // cols [0, keepEnd) kept
                    for j in keepEnd..<cols { row[j] = 0 }
                } else {
                    let keepStart = Swift.max(0, Swift.min(cols, i + edge))     // cols [keepStart, cols) kept
                    for j in 0..<keepStart { row[j] = 0 }
                }
            }
        }
        return Tensor.record(op, out, [self]) { g in [lower ? try g.tril(diagonal: k) : try g.triu(diagonal: k)] }
    }

    /// `self` with `value` where `mask` is non-zero (`mask` broadcasts to `self`'s shape).
    ///
    /// ```swift
    /// let scores = try s.maskedFill(causalMask.eq(0), value: -.infinity)
    /// ```
    public func maskedFill(_ mask: Tensor, value: Float) throws -> Tensor {
        try maskedFill(mask, value: try Tensor.filled([], value))
    }

    /// `self` with the 0-d tensor `value` where `mask` is non-zero (differentiable in both).
    public func maskedFill(_ mask: Tensor, value: Tensor) throws -> Tensor {
        guard value.dim == 0 else {
            throw TensorError("masked_fill: value must be a number or a 0-d tensor, got shape \(describe(shape: value.shape))")
        }
        let s = try Tensor.broadcastShapes(shape, mask.shape, op: "masked_fill")
        guard s == shape else {
            throw TensorError("masked_fill: mask of shape \(describe(shape: mask.shape)) does not broadcast to the input's shape \(describe(shape: shape))")
        }
        return try Tensor.where(mask, value, self)
    }

    /// The diagonal at `offset` (0 main, > 0 above, < 0 below) of the planes spanned by `dim1`
    /// and `dim2` (0-based), as a view whose last dim runs along the diagonal.
    ///
    /// ```swift
    /// let d = try m.diagonal()   // [n, n] -> [n]
    /// ```
    public func diagonal(offset: Int = 0, dim1: Int = 0, dim2: Int = 1) throws -> Tensor {
        guard dim >= 2 else {
            throw TensorError("diagonal: expected a tensor with at least 2 dims, got shape \(describe(shape: shape))")
        }
        let d1 = try Tensor.normalizeDim(dim1, rank: dim, op: "diagonal")
        let d2 = try Tensor.normalizeDim(dim2, rank: dim, op: "diagonal")
        guard d1 != d2 else { throw TensorError("diagonal: dim1 and dim2 must differ, both are \(d1 + 1)") }
        let (s, st, off) = Tensor.diagonalLayout(shape, strides, self.offset, k: offset, d1, d2)
        let out = aliased(shape: s, strides: st, offset: off)
        let inShape = shape
        return Tensor.record("diagonal", out, [self]) { g in
            [try Tensor.diagonalEmbed(g, shape: inShape, offset: offset, dim1: d1, dim2: d2)]
        }
    }

    /// Shape, strides and offset of the diagonal view (the caller checked the dims).
    static func diagonalLayout(_ shape: [Int], _ strides: [Int], _ offset: Int, k: Int, _ d1: Int, _ d2: Int) -> ([Int], [Int], Int) {
        let rows = shape[d1], cols = shape[d2]
        let length: Int
        var off = offset
        if k >= 0 {
            length = k >= cols ? 0 : Swift.max(0, Swift.min(rows, cols - k))
            if length > 0 { off += k * strides[d2] }
        } else {
            length = k <= -rows ? 0 : Swift.max(0, Swift.min(rows + k, cols))
            if length > 0 { off += -k * strides[d1] }
        }
        var s = [Int](), st = [Int]()
        for i in 0..<shape.count where i != d1 && i != d2 { s.append(shape[i]); st.append(strides[i]) }
        return (s + [length], st + [strides[d1] + strides[d2]], off)
    }

    /// Zeros of `shape` with `g` written on the diagonal that `diagonal(offset:dim1:dim2:)` reads:
    /// the adjoint of `diagonal` (and its backward is `diagonal` again).
    ///
    /// ```swift
    /// let m = try Tensor.diagonalEmbed(v, shape: [3, 3], offset: 0, dim1: 0, dim2: 1)   // diag(v)
    /// ```
    public static func diagonalEmbed(_ g: Tensor, shape: [Int], offset: Int, dim1: Int, dim2: Int) throws -> Tensor {
        guard shape.count >= 2 else {
            throw TensorError("diagonal: expected a shape with at least 2 dims, got \(describe(shape: shape))")
        }
        let d1 = try normalizeDim(dim1, rank: shape.count, op: "diagonal")
        let d2 = try normalizeDim(dim2, rank: shape.count, op: "diagonal")
        guard d1 != d2 else { throw TensorError("diagonal: dim1 and dim2 must differ, both are \(d1 + 1)") }
        let out = try filled(shape, 0)
        let (s, st, off) = diagonalLayout(shape, out.strides, 0, k: offset, d1, d2)
        guard s == g.shape else {
            throw TensorError("diagonal: a diagonal of shape \(describe(shape: shape)) has shape \(describe(shape: s)), got \(describe(shape: g.shape))")
        }
        stridedCopy(into: out.aliased(shape: s, strides: st, offset: off), from: g)
        return record("diagonal_embed", out, [g]) { gg in
            [try gg.diagonal(offset: offset, dim1: d1, dim2: d2)]
        }
    }

    /// PyTorch's `diag`: a 1-d tensor becomes a square matrix with it on diagonal `k`; a 2-d
    /// tensor gives (a copy of) its diagonal `k`.
    ///
    /// ```swift
    /// let m = try Tensor([1, 2], shape: [2]).diag()   // [[1, 0], [0, 2]]
    /// ```
    public func diag(_ k: Int = 0) throws -> Tensor {
        switch dim {
        case 1:
            let (n, o) = shape[0].addingReportingOverflow(k.magnitude > Int.max.magnitude ? Int.max : Swift.abs(k))
            guard !o else { throw TensorError("diag: offset \(k) is too large") }
            try Tensor.validate(shape: [n, n])
            return try Tensor.diagonalEmbed(self, shape: [n, n], offset: k, dim1: 0, dim2: 1)
        case 2:
            return try diagonal(offset: k).contiguous()
        default:
            throw TensorError("diag: expected a 1-d or 2-d tensor, got shape \(describe(shape: shape))")
        }
    }

    /// The sum of the main diagonal of a matrix, as a 0-d tensor.
    ///
    /// ```swift
    /// try Tensor.eye(3).trace().item()   // 3
    /// ```
    public func trace() throws -> Tensor {
        guard dim == 2 else { throw TensorError("trace: expected a 2-d tensor, got shape \(describe(shape: shape))") }
        return try diagonal().sum()
    }
}
