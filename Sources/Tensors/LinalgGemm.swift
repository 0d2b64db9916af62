/// Fused GEMM entry points for layers: `addmm` (bias + product in one sgemm), `linear`
/// (`x·Wᵀ + b`), and the raw `gemm` into an existing buffer (for im2col convolutions).
extension Tensor {
    /// `beta·self + alpha·(a·b)`, with `self` broadcast to [M, N]; one sgemm with `self`
    /// copied into the output first and BLAS's beta applied to it.
    ///
    /// ```swift
    /// let y = try bias.addmm(x, w.t())   // x·wᵀ + bias, bias [out] broadcast over rows
    /// ```
    public func addmm(_ a: Tensor, _ b: Tensor, beta: Float = 1, alpha: Float = 1) throws -> Tensor {
        guard a.dim == 2 && b.dim == 2 else {
            throw TensorError("addmm: expected 2-d matrices, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        guard a.shape[1] == b.shape[0] else {
            throw TensorError("addmm: shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) cannot be multiplied (\(a.shape[1]) != \(b.shape[0]))")
        }
        let outShape = [a.shape[0], b.shape[1]]
        let input = self
        let spread: Tensor
        do { spread = try GradMode.withoutGrad { try input.detach().expand(outShape) } } catch {
            throw TensorError("addmm: input of shape \(describe(shape: shape)) cannot be broadcast to \(describe(shape: outShape))")
        }
        let out = try spread.copyData()
        try Tensor.gemmCore(a, b, into: out, alpha: alpha, beta: beta)
        return Tensor.record("addmm", out, [input, a, b]) { g in
            if GradMode.isEnabled {
                return [input.requiresGrad ? try g.sumTo(shape: input.shape).mul(beta) : nil,
                        a.requiresGrad ? try g.mm(b.t()).mul(alpha) : nil,
                        b.requiresGrad ? try a.t().mm(g).mul(alpha) : nil]
            }
            var gi: Tensor? = nil
            if input.requiresGrad {
                let s = try Tensor.gradThroughView(g, inputShape: input.shape) { try $0.expand(outShape) }
                gi = beta == 1 ? s : try s.scaledCopy(beta)
            }
            return [gi,
                    a.requiresGrad ? try Tensor.mmCore(g, b.t(), alpha: alpha) : nil,
                    b.requiresGrad ? try Tensor.mmCore(a.t(), g, alpha: alpha) : nil]
        }
    }
}
