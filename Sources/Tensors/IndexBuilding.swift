/// Ops that build index grids or look values up: `meshgrid`, `trilIndices`/`triuIndices`,
/// `searchsorted`/`bucketize`, `unique`, `blockDiag`. Positions they return are 1-based, as
/// every index tensor in descent.
extension Tensor {
    /// Coordinate grids from 1-d tensors: with `ij` indexing, output k varies along dim k
    /// (with `xy`, the first two dims are swapped, as NumPy). Differentiable (expand views).
    ///
    /// ```swift
    /// let g = try Tensor.meshgrid([xs, ys])   // two [nx, ny] tensors
    /// ```
    public static func meshgrid(_ ts: [Tensor], indexing: String = "ij") throws -> [Tensor] {
        guard indexing == "ij" || indexing == "xy" else {
            throw TensorError("meshgrid: indexing must be 'ij' or 'xy', got '\(indexing)'")
        }
        for (k, t) in ts.enumerated() where t.dim > 1 {
            throw TensorError("meshgrid: tensor \(k + 1) must be 0-d or 1-d, got shape \(describe(shape: t.shape))")
        }
        let swap = indexing == "xy" && ts.count >= 2
        var sizes = ts.map { $0.dim == 0 ? 1 : $0.shape[0] }
        if swap { sizes.swapAt(0, 1) }
        try validate(shape: sizes)
        return try ts.enumerated().map { k, t in
            var at = k
            if swap && k < 2 { at = 1 - k }
            var view = [Int](repeating: 1, count: sizes.count)
            view[at] = sizes[at]
            return try t.reshape(view).expand(sizes)
        }
    }

    /// The 1-based (row, col) coordinates of the lower triangle (`col - row <= offset`) of a
    /// rows×cols matrix, row by row: [2, n].
    ///
    /// ```swift
    /// let idx = try Tensor.trilIndices(3, 3)   // [[1, 2, 2, 3, 3, 3], [1, 1, 2, 1, 2, 3]]
    /// ```
    public static func trilIndices(_ rows: Int, _ cols: Int, offset: Int = 0) throws -> Tensor {
        try triangleIndices(rows, cols, offset, lower: true)
    }

    /// The 1-based coordinates of the upper triangle (`col - row >= offset`): [2, n].
    public static func triuIndices(_ rows: Int, _ cols: Int, offset: Int = 0) throws -> Tensor {
        try triangleIndices(rows, cols, offset, lower: false)
    }

    private static func triangleIndices(_ rows: Int, _ cols: Int, _ offset: Int, lower: Bool) throws -> Tensor {
        let op = lower ? "tril_indices" : "triu_indices"
        guard rows >= 0, cols >= 0 else { throw TensorError("\(op): sizes must be non-negative, got \(rows) and \(cols)") }
        // Bounded up front, so the row loops below stay short: the indices of the whole matrix
        // must fit in the memory limit.
        let (all, o) = rows.multipliedReportingOverflow(by: cols)
        guard !o, all <= TensorMemory.limit / 8 else {
            throw TensorError("\(op): the indices of a \(rows)×\(cols) matrix do not fit in the tensor memory limit")
        }
        if all == 0 { return try Tensor.zeros([2, 0]) }
        let edge = offset > cols ? cols : (offset < -rows - 1 ? -rows - 1 : offset)
        func range(_ i: Int) -> Range<Int> {
            lower ? 0..<Swift.max(0, Swift.min(cols, i + edge + 1)) : Swift.max(0, Swift.min(cols, i + edge))..<cols
        }
        var n = 0
        for i in 0..<rows { n += range(i).count }   // at most rows·cols, each row ≤ cols: no overflow before validate
        // The output is allocated before it is filled, so its size passes the memory accounting.
        let out = try Tensor(uninitializedShape: [2, n])
        let p = out.pointer
        var k = 0
        for i in 0..<rows {
            for j in range(i) { p[k] = Float(i + 1); p[n + k] = Float(j + 1); k += 1 }
        }
        return out
    }

    /// For each value, the 1-based position where it would be inserted into the sorted last dim
    /// of `sorted` to keep it sorted (1...n+1): before equal elements, or after them with
    /// `right`. `sorted` is 1-d (shared by every value) or has `values`' leading dims.
    ///
    /// ```swift
    /// try Tensor.searchsorted(Tensor([1, 3, 5], shape: [3]), Tensor([3, 6], shape: [2]))   // [2, 4]
    /// ```
    public static func searchsorted(_ sorted: Tensor, _ values: Tensor, right: Bool = false) throws -> Tensor {
        guard sorted.dim >= 1 else { throw TensorError("searchsorted: the sorted sequence must have at least 1 dim, got a 0-d tensor") }
        if sorted.dim > 1 {
            guard values.dim == sorted.dim, Array(values.shape.dropLast()) == Array(sorted.shape.dropLast()) else {
                throw TensorError("searchsorted: values of shape \(describe(shape: values.shape)) must have the leading dims of the sorted sequence \(describe(shape: sorted.shape))")
            }
        }
        let s = try sorted.contiguousData(), v = try values.contiguousData()
        let n = sorted.shape[sorted.dim - 1]
        let m = sorted.dim == 1 ? v.count : (values.dim == 0 ? 1 : values.shape[values.dim - 1])
        let out = try Tensor(uninitializedShape: values.shape)
        let sp = s.pointer, vp = v.pointer, op = out.pointer
        for i in 0..<v.count {
            let row = sorted.dim == 1 ? sp : sp + (m == 0 ? 0 : i / m) * n
            let x = vp[i]
            var lo = 0, hi = n
            while lo < hi {   // first position whose element is >= x (> x with right); NaN sorts last
                let mid = (lo + hi) / 2, e = row[mid]
                let before = right ? !(x < e || (e.isNaN && !x.isNaN)) : (e < x || (x.isNaN && !e.isNaN))
                if before { lo = mid + 1 } else { hi = mid }
            }
            op[i] = Float(lo + 1)
        }
        return out
    }

    /// The sorted unique values, the 1-based position of each element's value among them (the
    /// inverse, `self`'s shape) and how often each occurs.
    ///
    /// ```swift
    /// let (u, inv, counts) = try labels.unique()
    /// ```
    public func unique() throws -> (values: Tensor, inverse: Tensor, counts: Tensor) {
        let flat = try GradMode.withoutGrad { try detachedAlias.reshape([-1]).sort(dim: 0) }
        let v = flat.values.toArray(), order = flat.indices.toArray()
        var uniq = [Float](), counts = [Float]()
        var inverse = [Float](repeating: 0, count: v.count)
        for (k, x) in v.enumerated() {
            // NaNs are never equal, so each is its own value (as PyTorch).
            if let last = uniq.last, last == x { counts[counts.count - 1] += 1 } else { uniq.append(x); counts.append(1) }
            inverse[Int(order[k]) - 1] = Float(uniq.count)
        }
        return (try Tensor(uniq, shape: [uniq.count]), try Tensor(inverse, shape: shape), try Tensor(counts, shape: [counts.count]))
    }

    /// A block-diagonal matrix of the given 0-d, 1-d (one row) or 2-d tensors (differentiable).
    ///
    /// ```swift
    /// let m = try Tensor.blockDiag([a, b])   // [[a, 0], [0, b]]
    /// ```
    public static func blockDiag(_ ts: [Tensor]) throws -> Tensor {
        let mats = try ts.enumerated().map { k, t -> Tensor in
            switch t.dim {
            case 0: return try t.reshape([1, 1])
            case 1: return try t.reshape([1, t.shape[0]])
            case 2: return t
            default: throw TensorError("block_diag: tensor \(k + 1) must have at most 2 dims, got shape \(describe(shape: t.shape))")
            }
        }
        var cols = 0
        for m in mats {
            let (c, o) = cols.addingReportingOverflow(m.shape[1])
            guard !o else { throw TensorError("block_diag: too many columns") }
            cols = c
        }
        if mats.isEmpty { return try Tensor.zeros([0, 0]) }
        var rows: [Tensor] = [], left = 0
        for m in mats {
            let right = cols - left - m.shape[1]
            var parts: [Tensor] = []
            if left > 0 { parts.append(try Tensor.zeros([m.shape[0], left])) }
            parts.append(m)
            if right > 0 { parts.append(try Tensor.zeros([m.shape[0], right])) }
            rows.append(parts.count == 1 ? m : try Tensor.cat(parts, dim: 1))
            left += m.shape[1]
        }
        return rows.count == 1 ? try rows[0].contiguous() : try Tensor.cat(rows, dim: 0)
    }
}
