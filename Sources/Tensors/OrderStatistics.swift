/// Order statistics built on the stable sort (Sorting.swift): `kthvalue`, `median`, `quantile`.
/// Values are differentiable (the gradient goes to the position each value came from, or is
/// shared between the two neighbours `quantile` interpolates); indices are 1-based.
extension Tensor {
    /// The `k`-th smallest value (1-based `k`) along `dim` and its 1-based position.
    ///
    /// ```swift
    /// let (v, i) = try x.kthvalue(2, dim: 1)   // second smallest of each row
    /// ```
    public func kthvalue(_ k: Int, dim: Int = -1, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "kthvalue")
        let n = self.dim == 0 ? 1 : shape[d]
        guard k >= 1 && k <= n else {
            throw TensorError("kthvalue: k must be in [1, \(n)] for dim \(d + 1) of shape \(describe(shape: shape)), got \(k)")
        }
        return try pick(d, keepdim: keepdim) { _ in k - 1 }
    }

    /// The lower median along `dim` (the value at sorted position `(n - 1) / 2`, as PyTorch) and
    /// its 1-based position; NaN when the lane holds a NaN (the first NaN's position).
    ///
    /// ```swift
    /// let (m, i) = try x.median(dim: 0)
    /// ```
    public func median(dim: Int, keepdim: Bool = false) throws -> (values: Tensor, indices: Tensor) {
        let d = try Tensor.normalizeDim(dim, rank: self.dim, op: "median")
        let n = self.dim == 0 ? 1 : shape[d]
        guard n > 0 else { throw TensorError("median: cannot take the median of an empty dim (shape \(describe(shape: shape)))") }
        return try pick(d, keepdim: keepdim) { nans in nans > 0 ? n - nans : (n - 1) / 2 }
    }

    /// The lower median of all elements (0-d); NaN if any element is NaN.
    public func median() throws -> Tensor {
        guard count > 0 else { throw TensorError("median: cannot take the median of an empty tensor") }
        return try reshape([-1]).median(dim: 0).values
    }

    /// The value at a sorted position chosen per lane from its NaN count (NaNs sort last).
    private func pick(_ d: Int, keepdim: Bool, _ position: (Int) -> Int) throws -> (values: Tensor, indices: Tensor) {
        let sorted = try GradMode.withoutGrad { try detachedAlias.sort(dim: d) }
        let x = self.dim == 0 ? try reshape([1]) : self
        let sd = self.dim == 0 ? 0 : d
        let si = self.dim == 0 ? try sorted.indices.reshape([1]) : sorted.indices
        let sv = self.dim == 0 ? try sorted.values.reshape([1]) : sorted.values
        // Lanes along `sd` laid out last (the same swap for values and indices), one chosen
        // position per lane, then swapped back.
        let lanesIndex = try si.transpose(sd, si.dim - 1).contiguousData()
        let lanesValue = try sv.transpose(sd, sv.dim - 1).contiguousData()
        let n = x.shape[sd], lanes = n == 0 ? 0 : lanesIndex.count / n
        var chosen = [Float]()
        chosen.reserveCapacity(lanes)
        let ip = lanesIndex.pointer, vp = lanesValue.pointer
        for lane in 0..<lanes {
            var nans = 0
            for i in 0..<n where vp[lane * n + i].isNaN { nans += 1 }
            chosen.append(ip[lane * n + position(nans)])
        }
        var laneShape = lanesIndex.shape
        laneShape[laneShape.count - 1] = 1
        let idx = try Tensor(chosen, shape: laneShape).transpose(sd, laneShape.count - 1).contiguousData()
        let values = try x.gather(dim: sd, index: idx)   // differentiable through gather
        if self.dim == 0 { return (try values.reshape([]), try idx.reshape([])) }
        if keepdim { return (values, idx) }
        return (try values.squeeze(sd), try idx.squeeze(sd))
    }

    /// The `q`-quantiles (each in [0, 1]) along `dim` (nil: all elements), interpolating linearly
    /// between sorted neighbours as PyTorch's default; NaN where the lane holds a NaN. With
    /// several `q`, the result has a leading dim of that length.
    ///
    /// ```swift
    /// let iqr = try x.quantile([0.25, 0.75], dim: 0)
    /// ```
    public func quantile(_ qs: [Double], dim: Int? = nil, keepdim: Bool = false, scalarQ: Bool = false) throws -> Tensor {
        guard !qs.isEmpty else { throw TensorError("quantile: expected at least one q") }
        for q in qs where !(q >= 0 && q <= 1) {
            throw TensorError("quantile: q must be in [0, 1], got \(q)")
        }
        guard let dim else {
            let flat = try reshape([-1])
            let r = try flat.quantile(qs, dim: 0, keepdim: false, scalarQ: scalarQ)
            guard keepdim else { return r }
            return try r.reshape((scalarQ ? [] : [qs.count]) + [Int](repeating: 1, count: self.dim))
        }
        let d = try checkedDim(dim, op: "quantile")
        let n = shape[d]
        guard n > 0 else { throw TensorError("quantile: cannot take quantiles of an empty dim (shape \(describe(shape: shape)))") }
        let sorted = try sort(dim: d).values   // differentiable
        let hasNaN = try GradMode.withoutGrad { try detachedAlias.isnan().anyNonzero(dim: d, keepdim: true) }
        var outs = [Tensor]()
        for q in qs {
            let pos = q * Double(n - 1)
            let lo = Int(pos.rounded(.down)), hi = Swift.min(lo + 1, n - 1)
            let w = Float(pos - Double(lo))
            let a = try sorted.narrow(dim: d, start: lo, length: 1), b = try sorted.narrow(dim: d, start: hi, length: 1)
            var v = w == 0 ? a : try a.lerp(b, weight: w)
            v = try Tensor.where(hasNaN, try Tensor.scalar(.nan), v)
            outs.append(keepdim ? v : try v.squeeze(d))
        }
        return scalarQ && qs.count == 1 ? outs[0] : try Tensor.stack(outs, dim: 0)
    }
}
