/// More of PyTorch's commonly used ops, each built from recorded ones (expand, reshape, permute,
/// narrow, mul, einsum, index_add) so gradients, and gradients of gradients, come with them:
/// `repeated` (PyTorch's `repeat`), `tile`, `repeatInterleave`, `movedim`, `kron`, `diff`,
/// `tensordot`, `amax`/`amin` over dims, `maskedSelect`, `nonzero`.
extension Tensor {
    /// The tensor repeated `times[i]` times along dim i (PyTorch's `repeat`; `times` may have
    /// more entries than dims, which adds leading dims).
    ///
    /// ```swift
    /// try Tensor([1, 2], shape: [2]).repeated([2, 2])   // [[1, 2, 1, 2], [1, 2, 1, 2]]
    /// ```
    public func repeated(_ times: [Int]) throws -> Tensor {
        guard times.count >= dim else {
            throw TensorError("repeat: expected at least \(dim) repeat counts (one per dim), got \(times.count)")
        }
        guard times.allSatisfy({ $0 >= 0 }) else {
            throw TensorError("repeat: repeat counts must be non-negative, got \(describe(shape: times))")
        }
        let padded = [Int](repeating: 1, count: times.count - dim) + shape
        var result = [Int](), inter = [Int](), expanded = [Int]()
        for (r, n) in zip(times, padded) {
            let (m, o) = r.multipliedReportingOverflow(by: n)
            guard !o else { throw TensorError("repeat: shape \(describe(shape: shape)) repeated \(describe(shape: times)) has too many elements") }
            result.append(m); inter.append(1); inter.append(n); expanded.append(r); expanded.append(n)
        }
        try Tensor.validate(shape: result)
        try Tensor.validate(shape: expanded)
        // [.., n, ..] -> [.., 1, n, ..] -> expand [.., r, n, ..] -> merge to [.., r * n, ..]
        return try reshape(inter).expand(expanded).reshape(result)
    }

    /// PyTorch's `tile`: like `repeated`, but fewer counts than dims are padded with leading 1s.
    public func tile(_ times: [Int]) throws -> Tensor {
        try repeated([Int](repeating: 1, count: Swift.max(0, dim - times.count)) + times)
    }

    /// Each element repeated `repeats` times along `dim` (0-based; nil: the flattened tensor).
    ///
    /// ```swift
    /// try Tensor([1, 2], shape: [2]).repeatInterleave(2)   // [1, 1, 2, 2]
    /// ```
    public func repeatInterleave(_ repeats: Int, dim: Int? = nil) throws -> Tensor {
        guard repeats >= 0 else { throw TensorError("repeat_interleave: repeats must be non-negative, got \(repeats)") }
        guard let dim else { return try flatten().repeatInterleave(repeats, dim: 0) }
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "repeat_interleave")
        if self.dim == 0 { return try reshape([1]).repeatInterleave(repeats, dim: 0) }
        var ex = shape
        ex.insert(repeats, at: d + 1)
        var out = shape
        let (m, o) = out[d].multipliedReportingOverflow(by: repeats)
        guard !o else { throw TensorError("repeat_interleave: too many elements") }
        out[d] = m
        try Tensor.validate(shape: ex)
        return try unsqueeze(d + 1).expand(ex).reshape(out)
    }

    /// The dims `source` moved to the positions `destination` (0-based), the others keeping
    /// their order (a view).
    ///
    /// ```swift
    /// try x.movedim([0], [2])   // [a, b, c] -> [b, c, a]
    /// ```
    public func movedim(_ source: [Int], _ destination: [Int]) throws -> Tensor {
        guard source.count == destination.count else {
            throw TensorError("movedim: expected as many destinations as sources, got \(source.count) and \(destination.count)")
        }
        let src = try source.map { try Tensor.normalizeDim($0, rank: dim, op: "movedim") }
        let dst = try destination.map { try Tensor.normalizeDim($0, rank: dim, op: "movedim") }
        guard Set(src).count == src.count, Set(dst).count == dst.count else {
            throw TensorError("movedim: repeated dims in \(describe(shape: source)) -> \(describe(shape: destination))")
        }
        if self.dim == 0 { return self }
        var order = [Int](repeating: -1, count: dim)
        for (s, d) in zip(src, dst) { order[d] = s }
        var rest = (0..<dim).filter { !src.contains($0) }.makeIterator()
        for i in 0..<dim where order[i] < 0 { order[i] = rest.next()! }
        return try permute(order)
    }

    /// The Kronecker product (PyTorch's `kron`; ranks padded with leading 1s).
    ///
    /// ```swift
    /// let k = try Tensor.kron(Tensor.eye(2), b)   // block-diagonal [2n, 2m]
    /// ```
    public static func kron(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let r = Swift.max(a.dim, b.dim)
        let sa = [Int](repeating: 1, count: r - a.dim) + a.shape, sb = [Int](repeating: 1, count: r - b.dim) + b.shape
        var ia = [Int](), ib = [Int](), out = [Int]()
        for (x, y) in zip(sa, sb) {
            ia += [x, 1]; ib += [1, y]
            let (m, o) = x.multipliedReportingOverflow(by: y)
            guard !o else { throw TensorError("kron: the product of shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) has too many elements") }
            out.append(m)
        }
        try Tensor.validate(shape: out)
        return try a.reshape(ia).mul(b.reshape(ib)).reshape(out)
    }

    /// The `n`-th forward difference along `dim` (0-based): `x[i + 1] - x[i]`, applied `n` times.
    ///
    /// ```swift
    /// try Tensor([1, 4, 9], shape: [3]).diff()   // [3, 5]
    /// ```
    public func diff(n: Int = 1, dim: Int = -1) throws -> Tensor {
        guard n >= 0 else { throw TensorError("diff: n must be non-negative, got \(n)") }
        let d = try checkedDim(dim, op: "diff")
        var x = self
        for _ in 0..<Swift.min(n, shape[d]) {
            let len = x.shape[d] - 1
            x = try x.narrow(dim: d, start: 1, length: len).sub(x.narrow(dim: d, start: 0, length: len))
        }
        if n > shape[d] { return try x.narrow(dim: d, start: 0, length: 0).contiguous() }
        return x
    }

    /// Contracts the last `dims` dims of `a` with the first `dims` of `b` (PyTorch's
    /// `tensordot(a, b, dims=n)`).
    ///
    /// ```swift
    /// let c = try Tensor.tensordot(a, b, dims: 2)   // [x, y, i, j]·[i, j, z] -> [x, y, z]
    /// ```
    public static func tensordot(_ a: Tensor, _ b: Tensor, dims n: Int) throws -> Tensor {
        guard n >= 0, n <= a.dim, n <= b.dim else {
            throw TensorError("tensordot: dims must be in [0, \(Swift.min(a.dim, b.dim))] for shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)), got \(n)")
        }
        return try tensordot(a, b, dimsA: Array((a.dim - n)..<a.dim), dimsB: Array(0..<n))
    }

    /// Contracts dims `dimsA` of `a` with `dimsB` of `b` pairwise (0-based), as PyTorch's
    /// `tensordot(a, b, dims=(dimsA, dimsB))`; the result has `a`'s free dims, then `b`'s.
    public static func tensordot(_ a: Tensor, _ b: Tensor, dimsA: [Int], dimsB: [Int]) throws -> Tensor {
        guard dimsA.count == dimsB.count else {
            throw TensorError("tensordot: expected as many dims of a as of b, got \(dimsA.count) and \(dimsB.count)")
        }
        let da = try dimsA.map { try normalizeDim($0, rank: a.dim, op: "tensordot") }
        let db = try dimsB.map { try normalizeDim($0, rank: b.dim, op: "tensordot") }
        guard Set(da).count == da.count, Set(db).count == db.count else {
            throw TensorError("tensordot: a dim is contracted twice")
        }
        guard a.dim + b.dim <= 52 else { throw TensorError("tensordot: at most 52 dims in all, got \(a.dim + b.dim)") }
        // Written as an einsum: letters for a's dims, b's contracted dims reuse a's letters.
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let la = (0..<a.dim).map { letters[$0] }
        var lb = (0..<b.dim).map { letters[a.dim + $0] }
        for (x, y) in zip(da, db) { lb[y] = la[x] }
        let out = la.enumerated().filter { !da.contains($0.offset) }.map(\.element)
            + lb.enumerated().filter { !db.contains($0.offset) }.map(\.element)
        return try einsum(String(la) + "," + String(lb) + "->" + String(out), [a, b])
    }

    /// The largest values over `dims` (0-based; empty: every element), PyTorch's `amax`: the
    /// gradient is split evenly between the elements equal to the maximum.
    ///
    /// ```swift
    /// let m = try x.amax(dims: [1, 2], keepdim: true)
    /// ```
    public func amax(dims: [Int], keepdim: Bool = false) throws -> Tensor { try extremeOver(dims, keepdim, max: true) }

    /// The smallest values over `dims` (see `amax`).
    public func amin(dims: [Int], keepdim: Bool = false) throws -> Tensor { try extremeOver(dims, keepdim, max: false) }

    private func extremeOver(_ dims: [Int], _ keepdim: Bool, max: Bool) throws -> Tensor {
        let op = max ? "amax" : "amin"
        var ds = [Int]()
        for d in dims {
            let n = try Tensor.normalizeDim(d, rank: dim, op: op)
            guard !ds.contains(n) else { throw TensorError("\(op): dim \(n + 1) appears more than once in the dims") }
            ds.append(n)
        }
        if dims.isEmpty || self.dim == 0 { ds = Array(0..<dim) }
        ds.sort()
        var keptShape = shape
        for d in ds { keptShape[d] = 1 }
        let x = detachedAlias
        let kept = (0..<dim).filter { !ds.contains($0) }
        let lanes = try x.permute(kept + ds).reshape(kept.map { shape[$0] } + [ds.reduce(1) { $0 * shape[$1] }])
        guard lanes.shape.last.map({ $0 > 0 }) ?? (count > 0) else {
            throw TensorError("\(op): cannot reduce over an empty dim (shape \(describe(shape: shape)))")
        }
        let values = self.dim == 0 ? try x.contiguousData()
            : try GradMode.withoutGrad { try (max ? lanes.maxAlong(dim: -1) : lanes.minAlong(dim: -1)).values }
        let out = try values.reshape(keepdim ? keptShape : Array(values.shape))
        let outKept = try values.reshape(keptShape)
        return Tensor.record(op, out.detachedAlias, [self]) { g in
            // Split evenly between the elements that reach the extreme (mask is a constant).
            let hits = try GradMode.withoutGrad { try x.eq(outKept) }
            let share = try GradMode.withoutGrad { try hits.sum(dims: ds, keepdim: true) }
            return [try g.reshape(keptShape).mul(hits).div(share)]
        }
    }

    /// The elements where `mask` (broadcast to `self`'s shape) is non-zero, as a 1-d tensor in
    /// row-major order (differentiable: the gradient goes back to those positions).
    ///
    /// ```swift
    /// let positives = try x.maskedSelect(x.gt(0))
    /// ```
    public func maskedSelect(_ mask: Tensor) throws -> Tensor {
        let s = try Tensor.broadcastShapes(shape, mask.shape, op: "masked_select")
        let x = s == shape ? self : try expand(s)
        let m = try mask.broadcastCopy(to: s)
        let flat = try GradMode.withoutGrad { try m.reshape([-1]) }
        let mp = flat.pointer
        var positions = [Float]()
        for i in 0..<flat.count where mp[i] != 0 { positions.append(Float(i + 1)) }
        let index = try Tensor(positions, shape: [positions.count])
        return try x.reshape([-1]).indexSelect(dim: 0, index: index)
    }

    /// The 1-based coordinates of the non-zero elements, one row each: [n, dims] (PyTorch's
    /// `nonzero`, 1-based). Not differentiable.
    ///
    /// ```swift
    /// try Tensor([0, 3, 0, 4], shape: [2, 2]).nonzero()   // [[1, 2], [2, 2]]
    /// ```
    public func nonzero() throws -> Tensor {
        let x = try contiguousData()
        let p = x.pointer
        var rows = [Float]()
        let strides = Tensor.rowMajorStrides(shape)
        for i in 0..<x.count where p[i] != 0 {
            var rest = i
            for (k, st) in strides.enumerated() {
                let c = shape[k] == 0 ? 0 : rest / st
                rest -= c * st
                rows.append(Float(c + 1))
            }
        }
        return try Tensor(rows, shape: [dim == 0 ? (rows.isEmpty && p[0] == 0 ? 0 : 1) : rows.count / dim, dim])
    }
}
