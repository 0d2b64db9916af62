/// In-place forms of the masking and indexed-write ops (`maskedFill_`, `scatter_`,
/// `scatterAdd_`, `indexAdd_`, `tril_`, `triu_`): the out-of-place op computed without
/// recording, then written through `self`. Like every in-place op they are not recorded, so a
/// leaf that requires grad is refused while recording (InPlace.swift).
extension Tensor {
    /// Writes `compute(self)` (same shape) into `self` after the in-place checks; returns `self`.
    private func replace(_ op: String, _ compute: (Tensor) throws -> Tensor) throws -> Tensor {
        try checkInPlace(op)
        let result = try GradMode.withoutGrad { try compute(detachedAlias) }
        guard result.shape == shape else {
            throw TensorError("\(op): the result has shape \(describe(shape: result.shape)), not the tensor's \(describe(shape: shape))")
        }
        Tensor.stridedCopy(into: self, from: result)
        return self
    }

    /// ```swift
    /// try scores.maskedFill_(mask, value: -.infinity)
    /// ```
    @discardableResult public func maskedFill_(_ mask: Tensor, value: Tensor) throws -> Tensor {
        try replace("masked_fill_") { try $0.maskedFill(mask, value: value.detach()) }
    }
    @discardableResult public func scatter_(dim: Int, index: Tensor, src: Tensor) throws -> Tensor {
        try replace("scatter_") { try $0.scatter(dim: dim, index: index, src: src.detach()) }
    }
    @discardableResult public func scatter_(dim: Int, index: Tensor, value: Float) throws -> Tensor {
        try replace("scatter_") { try $0.scatter(dim: dim, index: index, value: value) }
    }
    @discardableResult public func scatterAdd_(dim: Int, index: Tensor, src: Tensor) throws -> Tensor {
        try replace("scatter_add_") { try $0.scatterAdd(dim: dim, index: index, src: src.detach()) }
    }
    @discardableResult public func indexAdd_(dim: Int, index: Tensor, source: Tensor, alpha: Float = 1) throws -> Tensor {
        try replace("index_add_") { try $0.indexAdd(dim: dim, index: index, source: source.detach(), alpha: alpha) }
    }
    @discardableResult public func tril_(diagonal k: Int = 0) throws -> Tensor { try replace("tril_") { try $0.tril(diagonal: k) } }
    @discardableResult public func triu_(diagonal k: Int = 0) throws -> Tensor { try replace("triu_") { try $0.triu(diagonal: k) } }
}
