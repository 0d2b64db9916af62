/// Shape-changing views: `view`, `reshape`, `flatten`, `expand`.
extension Tensor {
    /// Resolves one `-1` in `shape` so the element count matches `count`, or throws.
    func inferShape(_ shape: [Int], op: String) throws -> [Int] {
        guard shape.count <= Tensor.maxRank else { throw TensorError("\(op): a tensor has at most \(Tensor.maxRank) dimensions, got \(shape.count)") }
        var known = 1, inferAt: Int? = nil
        for (i, s) in shape.enumerated() {
            if s == -1 {
                guard inferAt == nil else { throw TensorError("\(op): only one dimension can be -1, got \(describe(shape: shape))") }
                inferAt = i
            } else {
                guard s >= 0 else { throw TensorError("\(op): sizes must be non-negative or -1, got \(describe(shape: shape))") }
                let (p, o) = known.multipliedReportingOverflow(by: s)
                guard !o else { throw TensorError("\(op): shape \(describe(shape: shape)) has too many elements") }
                known = p
            }
        }
        var out = shape
        if let i = inferAt {
            guard known != 0, count % known == 0 else {
                throw TensorError("\(op): shape \(describe(shape: shape)) is invalid for a tensor of \(count) elements")
            }
            out[i] = count / known
        } else if known != count {
            throw TensorError("\(op): shape \(describe(shape: shape)) is invalid for a tensor of \(count) elements")
        }
        try Tensor.validate(shape: out)  // a zero-size shape can still have strides that overflow
        return out
    }

    /// Strides that view this tensor's elements with `newShape` without copying, or nil when the
    /// layout does not allow it (PyTorch's `computeStride`: each run of input dimensions that is
    /// contiguous in memory may be split or merged freely, but not across runs).
    func viewStrides(_ newShape: [Int]) -> [Int]? {
        if shape.isEmpty || count == 0 { return Tensor.rowMajorStrides(newShape) }
        var newStrides = [Int](repeating: 1, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = strides[shape.count - 1]
        var tensorNumel = 1, viewNumel = 1
        for tensorD in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[tensorD]
            if tensorD == 0 || (shape[tensorD - 1] != 1 && strides[tensorD - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if tensorD > 0 {
                    chunkBase = strides[tensorD - 1]
                    tensorNumel = 1
                    viewNumel = 1
                }
            }
        }
        return viewD == -1 ? newStrides : nil
    }

    /// The same elements with a new shape, sharing storage; one size may be -1 (inferred).
    /// Throws when the layout cannot be viewed that way (use `reshape`, which copies then).
    ///
    /// ```swift
    /// let m = try Tensor.arange(6).view([2, -1])   // [2, 3]
    /// ```
    public func view(_ shape: [Int]) throws -> Tensor {
        let s = try inferShape(shape, op: "view")
        guard let st = viewStrides(s) else {
            throw TensorError("view: a tensor of shape \(describe(shape: self.shape)) with strides \(describe(shape: strides)) cannot be viewed as \(describe(shape: s)) without a copy; use reshape (or contiguous first)")
        }
        let out = aliased(shape: s, strides: st, offset: offset)
        let inShape = self.shape
        return Tensor.record("view", out, [self]) { g in [try g.reshape(inShape)] }
    }

    /// Like `view`, but copies when the layout cannot be viewed.
    ///
    /// ```swift
    /// let flat = try x.t().reshape([-1])
    /// ```
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let s = try inferShape(shape, op: "reshape")
        if viewStrides(s) != nil { return try view(s) }
        let copy = try copyData()
        let out = copy.aliased(shape: s, strides: Tensor.rowMajorStrides(s), offset: 0)
        let inShape = self.shape
        return Tensor.record("reshape", out, [self]) { g in [try g.reshape(inShape)] }
    }

    /// Merges dimensions `startDim...endDim` into one (a view when possible, else a copy).
    ///
    /// ```swift
    /// let rows = try images.flatten(startDim: 1)   // [n, c, h, w] -> [n, c*h*w]
    /// ```
    public func flatten(startDim: Int = 0, endDim: Int = -1) throws -> Tensor {
        let a = try Tensor.normalizeDim(startDim, rank: dim, op: "flatten")
        let b = try Tensor.normalizeDim(endDim, rank: dim, op: "flatten")
        guard a <= b || dim == 0 else {
            throw TensorError("flatten: startDim \(startDim) comes after endDim \(endDim)")
        }
        if dim == 0 { return try reshape([1]) }
        let merged = shape[a...b].reduce(1, *)
        return try reshape(Array(shape[..<a]) + [merged] + Array(shape[(b + 1)...]))
    }

    /// A view with size-1 dimensions repeated to `shape` (stride 0, no copy); new dimensions may
    /// be added in front, and -1 keeps a size. Writing through an expanded view is undefined.
    ///
    /// ```swift
    /// let rows = try bias.expand([batch, -1])   // [n] -> [batch, n]
    /// ```
    public func expand(_ shape: [Int]) throws -> Tensor {
        guard shape.count <= Tensor.maxRank else { throw TensorError("expand: a tensor has at most \(Tensor.maxRank) dimensions, got \(shape.count)") }
        let lead = shape.count - dim
        guard lead >= 0 else {
            throw TensorError("expand: the target shape \(describe(shape: shape)) has fewer dims than the tensor's \(describe(shape: self.shape))")
        }
        var s = [Int](), st = [Int]()
        for (i, want) in shape.enumerated() {
            if i < lead {
                guard want >= 0 else { throw TensorError("expand: size -1 is not allowed for a new leading dimension in \(describe(shape: shape))") }
                s.append(want); st.append(0)
                continue
            }
            let have = self.shape[i - lead]
            if want == -1 || want == have {
                s.append(have); st.append(strides[i - lead])
            } else if have == 1 && want >= 0 {
                s.append(want); st.append(0)
            } else {
                throw TensorError("expand: shape \(describe(shape: self.shape)) cannot be expanded to \(describe(shape: shape)) (size \(have) at dim \(i - lead) is not 1)")
            }
        }
        try Tensor.validate(shape: s)
        let out = aliased(shape: s, strides: st, offset: offset)
        let inShape = self.shape
        return Tensor.record("expand", out, [self]) { g in
            [try Tensor.gradThroughView(g, inputShape: inShape) { try $0.expand(s) }]
        }
    }
}
