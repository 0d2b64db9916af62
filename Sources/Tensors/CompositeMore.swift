/// Further PyTorch ops composed from recorded ones (so every gradient, and its gradient, comes
/// from those ops): `logaddexp`, `hypot`, `cross`, `rot90`, `countNonzero`, `cdist`, `baddbmm`.
extension Tensor {
    /// log(e^a + e^b), computed stably, broadcasting.
    ///
    /// ```swift
    /// let lse = try a.logaddexp(b)
    /// ```
    public func logaddexp(_ other: Tensor) throws -> Tensor {
        let m = try GradMode.withoutGrad { try detachedAlias.maximum(other.detachedAlias) }
        // Both infinities of one sign: keep m (e.g. -inf), not NaN from inf - inf.
        let safe = try GradMode.withoutGrad { try Tensor.where(m.isinf(), Tensor.scalar(0), m) }
        let s = try sub(safe).exp().add(other.sub(safe).exp()).log().add(safe)
        return try Tensor.where(GradMode.withoutGrad { try m.isinf() }, m, s)
    }

    /// sqrt(a² + b²), broadcasting.
    public func hypot(_ other: Tensor) throws -> Tensor { try square().add(other.square()).sqrt() }

    /// The cross product of 3-vectors along `dim` (0-based; nil: the first dim of size 3),
    /// broadcasting.
    ///
    /// ```swift
    /// let n = try u.cross(v, dim: -1)
    /// ```
    public func cross(_ other: Tensor, dim: Int? = nil) throws -> Tensor {
        let shape = try Tensor.broadcastShapes(self.shape, other.shape, op: "cross")
        let a = self.shape == shape ? self : try expand(shape), b = other.shape == shape ? other : try other.expand(shape)
        let d: Int
        if let dim { d = try Tensor.normalizeDim(dim, rank: shape.count, op: "cross") } else {
            guard let first = shape.firstIndex(of: 3) else {
                throw TensorError("cross: no dim of size 3 in shape \(describe(shape: shape))")
            }
            d = first
        }
        guard shape.count > 0, shape[d] == 3 else {
            throw TensorError("cross: dim \(d + 1) must have size 3, got shape \(describe(shape: shape))")
        }
        // (a × b)_i = a_{i+1} b_{i+2} − a_{i+2} b_{i+1}, indices mod 3: rolls by −1 and −2.
        return try a.roll([-1], dims: [d]).mul(b.roll([-2], dims: [d])).sub(a.roll([-2], dims: [d]).mul(b.roll([-1], dims: [d])))
    }

    /// Rotates by 90° `k` times in the plane of `dims` (0-based), from the first towards the second.
    ///
    /// ```swift
    /// let r = try img.rot90(1, dims: [0, 1])
    /// ```
    public func rot90(_ k: Int = 1, dims: [Int] = [0, 1]) throws -> Tensor {
        guard dims.count == 2 else { throw TensorError("rot90: expected two dims, got \(dims.count)") }
        guard dim >= 2 else { throw TensorError("rot90: expected a tensor with at least 2 dims, got shape \(describe(shape: shape))") }
        let d0 = try Tensor.normalizeDim(dims[0], rank: dim, op: "rot90"), d1 = try Tensor.normalizeDim(dims[1], rank: dim, op: "rot90")
        guard d0 != d1 else { throw TensorError("rot90: the two dims must differ, both are \(d0 + 1)") }
        switch ((k % 4) + 4) % 4 {
        case 1: return try flip([d1]).transpose(d0, d1).contiguous()
        case 2: return try flip([d0, d1])
        case 3: return try transpose(d0, d1).flip([d1])
        default: return try clone()
        }
    }

    /// The number of non-zero elements, over everything or along `dims` (0-based).
    public func countNonzero(dims: [Int] = []) throws -> Tensor {
        try GradMode.withoutGrad {
            let nz = try detachedAlias.ne(0)
            return dims.isEmpty ? try nz.sum() : try nz.sum(dims: dims, keepdim: false)
        }
    }

    /// Pairwise p-norm distances between the rows of `a` [..., P, M] and `b` [..., R, M]:
    /// [..., P, R] (batch dims broadcast).
    ///
    /// ```swift
    /// let d = try Tensor.cdist(x, centroids)   // [n, k]
    /// ```
    public static func cdist(_ a: Tensor, _ b: Tensor, p: Double = 2) throws -> Tensor {
        guard a.dim >= 2, b.dim >= 2 else {
            throw TensorError("cdist: expected tensors with at least 2 dims, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        guard a.shape[a.dim - 1] == b.shape[b.dim - 1] else {
            throw TensorError("cdist: the last dims must match, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        guard p >= 0 else { throw TensorError("cdist: p must be non-negative, got \(p)") }
        return try a.unsqueeze(-2).sub(b.unsqueeze(-3)).norm(p: p, dims: [-1])
    }

    /// `beta·self + alpha·(a @ b)` for batches of matrices (PyTorch's `baddbmm`), broadcasting `self`.
    public func baddbmm(_ a: Tensor, _ b: Tensor, beta: Float = 1, alpha: Float = 1) throws -> Tensor {
        guard a.dim == 3, b.dim == 3 else {
            throw TensorError("baddbmm: expected 3-d batches, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        let prod = try Tensor.bmm(a, b)
        let scaled = alpha == 1 ? prod : try prod.mul(alpha)
        if beta == 0 {   // self's values are ignored (NaN too, as PyTorch); only its shape broadcasts
            let s = try Tensor.broadcastShapes(shape, scaled.shape, op: "baddbmm")
            return s == scaled.shape ? scaled : try scaled.expand(s).contiguous()
        }
        return try (beta == 1 ? self : try mul(beta)).add(scaled)
    }
}
