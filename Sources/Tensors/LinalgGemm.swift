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

    /// `x·weightᵀ + bias` for `x` [..., in], `weight` [out, in] and `bias` [out] (optional):
    /// one sgemm reading the weight transposed in place.
    ///
    /// ```swift
    /// let y = try Tensor.linear(x, weight: w, bias: b)   // [batch, in] -> [batch, out]
    /// ```
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard weight.dim == 2 else {
            throw TensorError("linear: expected a 2-d weight [out, in], got shape \(describe(shape: weight.shape))")
        }
        let outF = weight.shape[0], inF = weight.shape[1]
        guard x.dim >= 1, x.shape[x.dim - 1] == inF else {
            throw TensorError("linear: input of shape \(describe(shape: x.shape)) does not match weight \(describe(shape: weight.shape)) (expected last dim \(inF))")
        }
        if let bias, bias.shape != [outF] {
            throw TensorError("linear: expected a bias of shape [\(outF)], got \(describe(shape: bias.shape))")
        }
        let rows = try x.dim == 2 ? x : x.reshape([-1, inF])
        let wt = try weight.t()
        let y = try bias.map { try $0.addmm(rows, wt) } ?? rows.mm(wt)
        return x.dim == 2 ? y : try y.reshape(Array(x.shape.dropLast()) + [outF])
    }

    /// Raw GEMM without autograd: `c = alpha·op(a)·op(b) + beta·c`, where `op` transposes when
    /// asked. `c` must be an existing [M, N] matrix with unit column stride (e.g. a contiguous
    /// tensor or a row-range of one); `a` and `b` may be any 2-d views.
    ///
    /// ```swift
    /// try Tensor.gemm(w, cols, into: out, alpha: 1, beta: 0)   // conv: [oc, k]·[k, hw]
    /// ```
    public static func gemm(
        _ a: Tensor, _ b: Tensor, into c: Tensor, transposeA: Bool = false, transposeB: Bool = false,
        alpha: Float = 1, beta: Float = 0
    ) throws {
        guard a.dim == 2 && b.dim == 2 && c.dim == 2 else {
            throw TensorError("gemm: expected 2-d tensors, got shapes \(describe(shape: a.shape)), \(describe(shape: b.shape)) and \(describe(shape: c.shape))")
        }
        let opA = transposeA ? a.aliased(shape: [a.shape[1], a.shape[0]], strides: [a.strides[1], a.strides[0]], offset: a.offset) : a
        let opB = transposeB ? b.aliased(shape: [b.shape[1], b.shape[0]], strides: [b.strides[1], b.strides[0]], offset: b.offset) : b
        guard opA.shape[1] == opB.shape[0], c.shape == [opA.shape[0], opB.shape[1]] else {
            throw TensorError("gemm: shapes \(describe(shape: opA.shape))·\(describe(shape: opB.shape)) do not give the output shape \(describe(shape: c.shape))")
        }
        guard (c.strides[1] == 1 || c.shape[1] <= 1) && (c.shape[0] <= 1 || c.strides[0] >= c.shape[1]) else {
            throw TensorError("gemm: the output must have unit column stride and non-overlapping rows, got strides \(describe(shape: c.strides))")
        }
        try gemmCore(opA, opB, into: c, alpha: alpha, beta: beta)
    }
}
