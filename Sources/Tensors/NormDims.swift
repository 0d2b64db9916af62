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
