/// Writing at 1-based index positions: `scatter` (src or value) and `indexAdd`. `scatterAdd`,
/// `gather` and `indexSelect` are in Indexing.swift. Backwards use gather/scatter/indexSelect,
/// the same public ops.
extension Tensor {
    /// A copy of `self` with `src`'s values written at the 1-based positions `index` along `dim`:
    /// for `dim = 0`, `out[index[i][j]][j] = src[i][j]`. With repeated positions the last write
    /// wins (PyTorch leaves it undefined).
    ///
    /// ```swift
    /// let oneHot = try Tensor.zeros([n, k]).scatter(dim: 1, index: labels.unsqueeze(1), value: 1)
    /// ```
    public func scatter(dim: Int, index: Tensor, src: Tensor) throws -> Tensor {
        let d = try checkedDim(dim, op: "scatter")
        guard src.dim == index.dim else {
            throw TensorError("scatter: src must have the same number of dims as index (\(index.dim)), got shape \(describe(shape: src.shape))")
        }
        for k in 0..<index.dim where index.shape[k] > src.shape[k] {
            throw TensorError("scatter: index shape \(describe(shape: index.shape)) is larger than the src shape \(describe(shape: src.shape)) at dim \(k + 1)")
        }
        let out = try scatterValues(d, index, try src.region(index.shape).contiguousData())
        return Tensor.record("scatter", out, [self, src]) { g in
            let gSelf = self.requiresGrad ? try g.scatter(dim: d, index: index, value: 0) : nil
            var gSrc: Tensor? = nil
            if src.requiresGrad {
                let picked = try g.gather(dim: d, index: index)
                if index.shape == src.shape { gSrc = picked } else {
                    let padded = try Tensor.filled(src.shape, 0)
                    Tensor.stridedCopy(into: try padded.region(index.shape), from: picked)
                    gSrc = padded
                }
            }
            return [gSelf, gSrc]
        }
    }

    /// A copy of `self` with `value` written at the 1-based positions `index` along `dim`.
    public func scatter(dim: Int, index: Tensor, value: Float) throws -> Tensor {
        let d = try checkedDim(dim, op: "scatter")
        let out = try scatterValues(d, index, try Tensor.filled(index.shape, value))
        return Tensor.record("scatter", out, [self]) { g in [try g.scatter(dim: d, index: index, value: 0)] }
    }

    /// The copy with `values` (contiguous, index's shape) written at the index positions.
    private func scatterValues(_ d: Int, _ index: Tensor, _ values: Tensor) throws -> Tensor {
        let idx = try checkedGatherIndex(index, d, size: shape[d], op: "scatter")
        let out = try copyData()
        let offs = Tensor.gatherOffsets(indexShape: index.shape, values: idx, strides: out.strides, d: d)
        let vp = values.pointer, op = out.pointer
        for (n, o) in offs.enumerated() { op[o] = vp[n] }
        return out
    }

    /// A copy of `self` with `alpha * source` slices added at the 1-based positions `index`
    /// (1-d) along `dim`: `out.select(dim, index[i]) += alpha * source.select(dim, i)`.
    ///
    /// ```swift
    /// let sums = try Tensor.zeros([k, d]).indexAdd(dim: 0, index: labels, source: x)   // per-class sums
    /// ```
    public func indexAdd(dim: Int, index: Tensor, source: Tensor, alpha: Float = 1) throws -> Tensor {
        let d = try checkedDim(dim, op: "index_add")
        guard index.dim <= 1 else {
            throw TensorError("index_add: expected a 0-d or 1-d index tensor, got shape \(describe(shape: index.shape))")
        }
        var want = shape
        want[d] = index.count
        guard source.shape == want else {
            throw TensorError("index_add: source must have shape \(describe(shape: want)) (the input's shape with dim \(d + 1) of size \(index.count), the number of indices), got \(describe(shape: source.shape))")
        }
        let idx = try index.zeroBasedIndices(size: shape[d], op: "index_add", dim: d)
        let out = try copyData()
        let src = alpha == 1 ? try source.contiguousData() : try source.detachedAlias.scaledCopy(alpha)
        try Tensor.copyRows(from: src, to: out, dim: d, pairs: idx.enumerated().map { ($0, $1) }, add: true)
        return Tensor.record("index_add", out, [self, source]) { g in
            var gSource: Tensor? = nil
            if source.requiresGrad {
                let picked = try g.indexSelect(dim: d, index: index)
                gSource = try (alpha == 1 ? picked : picked.mul(alpha)).reshape(source.shape)
            }
            return [self.requiresGrad ? g : nil, gSource]
        }
    }
}
