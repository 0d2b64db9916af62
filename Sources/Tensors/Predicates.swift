/// Value tests and boolean reductions: `isnan`, `isinf`, `isfinite` (1/0 masks) and `any`,
/// `all` (1/0, over everything or along a dim; Swift names `anyNonzero`/`allNonzero`, since a
/// method `any` would hide the standard library's SIMD `any` inside the Tensor extensions).
/// None is differentiable, as in PyTorch.
extension Tensor {
    /// 1 where the element is NaN, else 0.
    ///
    /// ```swift
    /// let bad = try grads.isnan().sum().item()
    /// ```
    public func isnan() throws -> Tensor { try Tensor.ewMap(self, IsNaN()) }

    /// 1 where the element is +inf or -inf, else 0.
    public func isinf() throws -> Tensor { try Tensor.ewMap(self, IsInf()) }

    /// 1 where the element is neither NaN nor infinite, else 0.
    public func isfinite() throws -> Tensor { try Tensor.ewMap(self, IsFinite()) }

    /// 1 if any element (along `dim`, 0-based, when given) is non-zero (NaN counts), else 0.
    ///
    /// ```swift
    /// let anyHit = try mask.anyNonzero(dim: 1)
    /// ```
    public func anyNonzero(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        try GradMode.withoutGrad {
            let nonzero = try detachedAlias.ne(0)
            let hits = try dim.map { try nonzero.sum(dim: $0, keepdim: keepdim) } ?? nonzero.sum()
            return try hits.gt(0)
        }
    }

    /// 1 if every element (along `dim`, 0-based, when given) is non-zero, else 0 (1 when empty).
    ///
    /// ```swift
    /// let ok = try x.isfinite().allNonzero().item() == 1
    /// ```
    public func allNonzero(dim: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        try GradMode.withoutGrad {
            let zero = try detachedAlias.eq(0)
            let misses = try dim.map { try zero.sum(dim: $0, keepdim: keepdim) } ?? zero.sum()
            return try misses.eq(0)
        }
    }
}

private struct IsNaN: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.isNaN ? 1 : 0 } }
private struct IsInf: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.isInfinite ? 1 : 0 } }
private struct IsFinite: UnaryKernel { func callAsFunction(_ x: Float) -> Float { x.isFinite ? 1 : 0 } }
