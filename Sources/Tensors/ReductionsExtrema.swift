/// `max`, `min`, `argmax`, `argmin`. Indices are 1-based (stored as floats), as Lua sees them;
/// the first occurrence wins ties, and NaN counts as the extreme (PyTorch's behaviour).
extension Tensor {
    /// The largest element (0-d; PyTorch's `amax`). Throws on an empty tensor. The gradient is
    /// split evenly between the elements equal to it.
    ///
    /// ```swift
    /// try Tensor([1, 5, 3], shape: [3]).amax().item()   // 5
    /// ```
    public func amax() throws -> Tensor { try extremum(op: "max", >) }

    /// The smallest element (0-d; PyTorch's `amin`). Throws on an empty tensor.
    public func amin() throws -> Tensor { try extremum(op: "min", <) }

    /// 1-based position of the largest element along `dim`; with `dim` nil, the 1-based flat
    /// (row-major) position over all elements.
    ///
    /// ```swift
    /// try Tensor([1, 5, 3, 2], shape: [2, 2]).argmax().item()   // 2
    /// ```
    public func argmax(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        try argExtremum(dim: dim, keepdim: keepdim, op: "argmax", >)
    }

    /// 1-based position of the smallest element (see `argmax`).
    public func argmin(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        try argExtremum(dim: dim, keepdim: keepdim, op: "argmin", <)
    }

    @inline(__always)
    private func extremum(op: String, _ better: (Float, Float) -> Bool) throws -> Tensor {
        guard count > 0 else { throw TensorError("\(op): cannot reduce an empty tensor") }
        let x = try contiguousData()
        let out = try Tensor(uninitializedShape: [])
        Reduce.extremum(x.pointer, Lanes(outer: 1, length: count, inner: 1), values: out.pointer, positions: nil, better)
        let value = out.pointer[0]
        return Tensor.record(op, out, [self]) { g in
            if GradMode.isEnabled {
                let hits = try Tensor.ewMap(self, EW.Equal().withRight(value))
                return [try g.mul(hits.div(hits.sumRaw(hits.reductionDims([], op: op), keepdim: false, mean: false)))]
            }
            return try GradMode.withoutGrad {
                // Split evenly between the elements equal to the extreme, as PyTorch does.
                let hits = try Tensor.ewMap(self, EW.Equal().withRight(value))
                let share = try Tensor.ewMap(g, hits.sumRaw(hits.reductionDims([], op: op), keepdim: false, mean: false), op: op, EW.Div())
                return [try Tensor.ewMap(hits, share, op: op, EW.Mul())]
            }
        }
    }

    /// The extreme values along `dim` and their 1-based positions (`max(dim:)`, `min(dim:)`).
    @inline(__always)
    func extremum(dim d: Int, keepdim: Bool, op: String, _ better: (Float, Float) -> Bool) throws
        -> (values: Tensor, indices: Tensor)
    {
        let ds = try reductionDim(d, op: op)
        let lanes = self.lanes(ds)
        guard lanes.length > 0 || lanes.count == 0 else {
            throw TensorError("\(op): cannot reduce over dim \(d) of size 0 (shape \(describe(shape: shape)))")
        }
        let outShape = reducedShape(ds, keepdim: keepdim)
        let values = try Tensor(uninitializedShape: outShape), indices = try Tensor(uninitializedShape: outShape)
        try positions(lanes, values: values.pointer, indices: indices.pointer, better)
        let shape = self.shape, saved = indices.detachedAlias
        let kept = reducedShape(ds, keepdim: true)
        let recorded = Tensor.record(op, values, [self]) { g in
            if GradMode.isEnabled {
                // g scattered to the winners: a recorded scatter_add (its backward is a gather).
                let at = try saved.reshape(kept)
                return [try Tensor.zeros(shape).scatterAdd(dim: ds[0], index: at, src: g.reshape(kept))]
            }
            return try GradMode.withoutGrad {
                let gc = try g.contiguousData(), at = saved.pointer
                let grad = try Tensor.zeros(shape)
                let dst = grad.pointer, src = gc.pointer
                for l in 0..<lanes.count { dst[lanes.start(l) + (Int(at[l]) - 1) * lanes.inner] = src[l] }
                return [grad]
            }
        }
        return (recorded, indices)
    }

    @inline(__always)
    private func argExtremum(dim d: Int?, keepdim: Bool, op: String, _ better: (Float, Float) -> Bool) throws -> Tensor {
        let ds = try d.map { try reductionDim($0, op: op) } ?? reductionDims([], op: op)
        let lanes = self.lanes(ds)
        guard lanes.length > 0 || lanes.count == 0 else {
            throw TensorError("\(op): cannot reduce an empty dimension (shape \(describe(shape: shape)))")
        }
        let indices = try Tensor(uninitializedShape: reducedShape(ds, keepdim: keepdim))
        try positions(lanes, values: nil, indices: indices.pointer, better)
        return indices
    }

    /// Writes each lane's extreme value (optional) and its 1-based position as a float.
    @inline(__always)
    private func positions(
        _ lanes: Lanes, values: UnsafeMutablePointer<Float>?, indices: UnsafeMutablePointer<Float>,
        _ better: (Float, Float) -> Bool
    ) throws {
        if lanes.count == 0 { return }
        let x = try contiguousData()
        try withUnsafeTemporaryAllocation(of: Int.self, capacity: lanes.count) { buf in
            guard let at = buf.baseAddress else { throw TensorError("out of memory") }
            Reduce.extremum(x.pointer, lanes, values: values, positions: at, better)
            for l in 0..<lanes.count { indices[l] = Float(at[l] + 1) }
        }
    }
}
