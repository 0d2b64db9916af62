/// `norm` over several dimensions at once (PyTorch's `norm(p, dim = {...})`, and `'fro'`, which
/// is the 2-norm of the flattened dims). The reduced dims are moved last and merged, so the
/// one-dim `norm` (Reductions.swift) does the work and its gradient applies unchanged.
extension Tensor {
    /// The p-norm over `dims` (0-based; empty: every element).
    ///
    /// ```swift
    /// let perSample = try x.norm(p: 2, dims: [1, 2])   // [n, h, w] -> [n]
    /// ```
    public func norm(p: Double, dims: [Int], keepdim: Bool = false) throws -> Tensor {
        if dims.isEmpty {
            let all = try norm(p: p, dim: nil, keepdim: false)
            return keepdim ? try all.reshape([Int](repeating: 1, count: dim)) : all
        }
        var ds: [Int] = []
        for dim in dims {
            let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "norm")
            guard !ds.contains(d) else { throw TensorError("norm: dim \(d + 1) appears more than once in the dims") }
            ds.append(d)
        }
        if self.dim == 0 || ds.count == 1 { return try norm(p: p, dim: ds[0], keepdim: keepdim) }
        ds.sort()
        let kept = (0..<dim).filter { !ds.contains($0) }
        let keptShape = kept.map { shape[$0] }
        let merged = try permute(kept + ds).reshape(keptShape + [ds.reduce(1) { $0 * shape[$1] }])
        let out = try merged.norm(p: p, dim: -1, keepdim: false)
        guard keepdim else { return out }
        var s = shape
        for d in ds { s[d] = 1 }
        return try out.reshape(s)
    }
}

/// `var`/`std` over several dimensions at once, composed from recorded ops (mean, sub, square,
/// sum), so the gradient is differentiable too. One dim (or all) uses the fused kernel of
/// Reductions.swift.
extension Tensor {
    /// The variance over `dims` (0-based), dividing by `N - correction` (N: elements reduced).
    ///
    /// ```swift
    /// let v = try x.variance(dims: [0, 2], correction: 0)
    /// ```
    public func variance(dims: [Int], correction: Int = 1, keepdim: Bool = false) throws -> Tensor {
        try spreadOver(dims, correction: correction, keepdim: keepdim, sqrt: false)
    }

    /// The standard deviation over `dims` (0-based): the square root of `variance(dims:)`.
    public func std(dims: [Int], correction: Int = 1, keepdim: Bool = false) throws -> Tensor {
        try spreadOver(dims, correction: correction, keepdim: keepdim, sqrt: true)
    }

    private func spreadOver(_ dims: [Int], correction: Int, keepdim: Bool, sqrt: Bool) throws -> Tensor {
        let op = sqrt ? "std" : "var"
        if dims.count == 1 || self.dim == 0 {
            return sqrt ? try std(dim: dims.first, correction: correction, keepdim: keepdim)
                : try variance(dim: dims.first, correction: correction, keepdim: keepdim)
        }
        if dims.isEmpty {
            let all = sqrt ? try std(dim: nil, correction: correction) : try variance(dim: nil, correction: correction)
            return keepdim ? try all.reshape([Int](repeating: 1, count: dim)) : all
        }
        guard correction >= 0 else { throw TensorError("\(op): correction must be >= 0, got \(correction)") }
        var ds: [Int] = []
        for d in dims {
            let n = try Tensor.normalizeDim(d, rank: dim, op: op)
            guard !ds.contains(n) else { throw TensorError("\(op): dim \(n + 1) appears more than once in the dims") }
            ds.append(n)
        }
        let n = ds.reduce(1) { $0 * shape[$1] }
        let centered = try sub(mean(dims: ds, keepdim: true))
        let v = try centered.square().sum(dims: ds, keepdim: keepdim).div(Float(Swift.max(n - correction, 0)))
        return sqrt ? try v.sqrt() : v
    }
}
