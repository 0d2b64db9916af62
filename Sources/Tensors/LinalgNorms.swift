/// `torch.linalg`'s norms, `matrix_power` and `lstsq`, built on the decompositions and on
/// differentiable reductions (so their gradients come from the ops they are made of).
extension Linalg {
    /// The order of a matrix norm: Frobenius, nuclear, or PyTorch's numeric orders
    /// (1, -1: max/min column sum; 2, -2: largest/smallest singular value; inf, -inf: max/min row sum).
    public enum MatrixNormOrder: Equatable, Sendable {
        case fro, nuc
        case number(Double)

        /// "fro", "nuc", or the number as PyTorch prints it.
        public var name: String {
            switch self {
            case .fro: return "fro"
            case .nuc: return "nuc"
            case .number(let p): return p.isInfinite ? (p > 0 ? "inf" : "-inf") : String(Int(p))
            }
        }
    }

    /// Moves `dims` (distinct, normalised) to the end, in order.
    static func moveToEnd(_ t: Tensor, _ dims: [Int]) throws -> Tensor {
        let rest = (0..<t.dim).filter { !dims.contains($0) }
        let order = rest + dims
        return order == Array(0..<t.dim) ? t : try t.permute(order)
    }

    /// Normalised, distinct dims or an error naming `op`.
    static func distinctDims(_ dims: [Int], rank: Int, op: String) throws -> [Int] {
        var out = [Int]()
        for d in dims {
            let n = try Tensor.normalizeDim(d, rank: rank, op: op)
            guard !out.contains(n) else { throw TensorError("\(op): dim \(d) appears more than once in \(dims)") }
            out.append(n)
        }
        return out
    }

    /// The shape `shape` with `dims` set to 1 (keepdim) or removed.
    static func reduced(_ shape: [Int], _ dims: [Int], keepdim: Bool) -> [Int] {
        keepdim ? shape.enumerated().map { dims.contains($0.offset) ? 1 : $0.element }
            : shape.enumerated().filter { !dims.contains($0.offset) }.map(\.element)
    }

    /// The vector `ord`-norm over `dims` (all dims when nil or empty): (Σ|x|^ord)^(1/ord);
    /// inf / -inf are the largest / smallest magnitude, 0 counts non-zeros.
    ///
    /// ```swift
    /// let n = try Linalg.vectorNorm(x, ord: 2, dims: [1], keepdim: true)
    /// ```
    public static func vectorNorm(_ x: Tensor, ord: Double = 2, dims: [Int]? = nil, keepdim: Bool = false) throws -> Tensor {
        let op = "vector_norm"
        guard !ord.isNaN else { throw TensorError("\(op): ord must be a number, got nan") }
        let ds = try distinctDims(dims ?? [], rank: Swift.max(x.dim, 1), op: op)
        if x.dim == 0 { return try x.reshape([1]).norm(p: ord, dim: 0, keepdim: false) }
        let all = ds.isEmpty ? Array(0..<x.dim) : ds
        let outShape = reduced(x.shape, all, keepdim: keepdim)
        if ord < 0 || ord == .infinity {
            for d in all where x.shape[d] == 0 {
                throw TensorError("\(op): cannot take the \(ord) norm over dim \(d + 1) of size 0 (shape \(describe(shape: x.shape)))")
            }
        }
        let moved = try moveToEnd(x, all)
        // The reduced dims merged into one (sized explicitly: -1 cannot be inferred when another dim is 0).
        let merged = all.reduce(1) { $0 * x.shape[$1] }
        let flat = try moved.reshape(Array(moved.shape.dropLast(all.count)) + [merged])
        return try flat.norm(p: ord, dim: -1, keepdim: false).reshape(outShape)
    }

    /// A matrix norm over the two dims `dims` (default the last two).
    ///
    /// ```swift
    /// let spectral = try Linalg.matrixNorm(a, ord: .number(2))
    /// ```
    public static func matrixNorm(_ a: Tensor, ord: MatrixNormOrder = .fro, dims: [Int] = [-2, -1], keepdim: Bool = false) throws -> Tensor {
        let op = "matrix_norm"
        guard a.dim >= 2 else {
            throw TensorError("\(op): expected a matrix or a batch of matrices (at least 2 dims), got shape \(describe(shape: a.shape))")
        }
        guard dims.count == 2 else { throw TensorError("\(op): dim must name 2 dims, got \(dims.count)") }
        let ds = try distinctDims(dims, rank: a.dim, op: op)
        let outShape = reduced(a.shape, ds, keepdim: keepdim)
        if case .fro = ord { return try vectorNorm(a, ord: 2, dims: ds, keepdim: keepdim) }
        let m = try moveToEnd(a, ds)   // [..., rows, cols]
        let value: Tensor
        switch ord {
        case .fro:
            value = m  // handled above
        case .nuc:
            value = try svd(m).s.sum(dim: -1)
        case .number(let p) where p == 2 || p == -2:
            let s = try svd(m).s
            let k = s.shape[s.dim - 1]
            guard k > 0 else { throw TensorError("\(op): the \(ord.name) norm of an empty matrix (shape \(describe(shape: a.shape))) is not defined") }
            value = try s.narrow(dim: -1, start: p > 0 ? 0 : k - 1, length: 1).squeeze(-1)
        case .number(let p) where p == 1 || p == -1 || p.isInfinite:
            // 1: largest column sum of |a| (sum over rows); inf: largest row sum.
            let sums = try m.absolute().sum(dim: p.isInfinite ? -1 : -2)
            guard sums.shape[sums.dim - 1] > 0 else {
                throw TensorError("\(op): the \(ord.name) norm of an empty matrix (shape \(describe(shape: a.shape))) is not defined")
            }
            value = try sums.norm(p: p > 0 ? .infinity : -.infinity, dim: -1)
        case .number(let p):
            throw TensorError("\(op): ord must be 'fro', 'nuc', 1, -1, 2, -2, inf or -inf, got \(p)")
        }
        return try value.reshape(outShape)
    }

    /// The `n`-th power of square matrices; n = 0 gives identities, negative n powers of the inverse.
    ///
    /// ```swift
    /// let a3 = try Linalg.matrixPower(a, 3)
    /// ```
    public static func matrixPower(_ a: Tensor, _ n: Int) throws -> Tensor {
        try requireSquare(a, op: "matrix_power")
        let size = a.shape[a.dim - 1]
        if n == 0 { return try Tensor.eye(size).expand(a.shape).contiguousData() }
        guard n != Int.min else { throw TensorError("matrix_power: the exponent \(n) is out of range") }
        var base = n < 0 ? try inv(a) : a
        var e = Swift.abs(n), result: Tensor? = nil
        // Binary powering: O(log n) products.
        while true {
            if e & 1 == 1 { result = try result.map { try $0.matmul(base) } ?? base }
            e >>= 1
            if e == 0 { break }
            base = try base.matmul(base)
        }
        return result ?? a
    }

    /// Least-squares solutions of A·X = B for A [..., m, n] and B [..., m, k] (batch dims
    /// broadcast), by LAPACK's SVD-based gelsd (minimum-norm solutions for rank-deficient A):
    /// solution [..., n, k], residuals [..., k] (squared residual norms, when m > n and every
    /// matrix has full rank; else empty), rank [...], singular values [..., min(m, n)].
    /// Singular values below `rcond` times the largest count as zero (default: float32's
    /// machine epsilon times max(m, n), as PyTorch). Not differentiable.
    ///
    /// ```swift
    /// let fit = try Linalg.lstsq(a, b).solution
    /// ```
    public static func lstsq(_ a: Tensor, _ b: Tensor, rcond: Double? = nil) throws
        -> (solution: Tensor, residuals: Tensor, rank: Tensor, singularValues: Tensor)
    {
        let op = "lstsq"
        try requireMatrix(a, op: op)
        try requireMatrix(b, op: op, name: "B")
        guard a.shape[a.dim - 2] == b.shape[b.dim - 2] else {
            throw TensorError("\(op): A of shape \(describe(shape: a.shape)) and B of shape \(describe(shape: b.shape)) do not have the same number of rows (\(a.shape[a.dim - 2]) != \(b.shape[b.dim - 2]))")
        }
        if let rcond, !rcond.isFinite { throw TensorError("\(op): rcond must be a finite number, got \(rcond)") }
        try noGradient(a, b, op: op)
        let (ab, bb) = try broadcastBatch(a, b, coreB: 2, op: op)
        return try LinalgKernels.lstsq(ab, bb, rcond: rcond)
    }
}
