/// Helpers for backward formulas that record themselves (higher-order autograd).
///
/// The engine runs backward closures with grad mode on when a backward is asked to create a
/// graph (`createGraph`), and off otherwise. A closure whose fast path is a raw kernel checks
/// `GradMode.isEnabled` and, when on, computes the same gradient with differentiable ops, so the
/// gradient itself gets a graph (PyTorch's approach: one set of formulas per op, written with
/// the ops forward passes use).
extension Tensor {
    /// The vector-Jacobian product `gᵀ·∂composite/∂inputs`, recorded so that it can be
    /// differentiated again: the differentiable backward of a fused kernel whose forward can be
    /// written as `composite` (a function of the same inputs built from differentiable ops).
    /// Inputs that do not require grad get nil. Each input is aliased by a recorded node, and the
    /// inner pass stops there, so it never walks the inputs' own history. The composite's graph
    /// is retained: the recorded gradient refers to its intermediate results.
    ///
    /// ```swift
    /// // inside a fused op's backward closure:
    /// if GradMode.isEnabled { return try Tensor.compositeVJP([x, w], g) { try $0[0].matmul($0[1].t()) } }
    /// ```
    public static func compositeVJP(
        _ inputs: [Tensor], _ g: Tensor, _ composite: ([Tensor]) throws -> Tensor
    ) throws -> [Tensor?] {
        try GradMode.withGrad {
            let aliases = try inputs.map { try $0.viewAlias() }
            let out = try composite(aliases)
            guard out.shape == g.shape else {
                throw TensorError("backward: the composite formula gave shape \(describe(shape: out.shape)) for a gradient of shape \(describe(shape: g.shape))")
            }
            let wanted = aliases.filter { $0.gradFn != nil }
            guard out.requiresGrad, !wanted.isEmpty else { return inputs.map { _ in nil } }
            let grads = try Autograd.grad(outputs: [out], inputs: wanted, gradOutputs: [g], retainGraph: true,
                                          createGraph: true, allowUnused: true, stopAtInputs: true)
            var k = 0
            return aliases.map { a in
                guard a.gradFn != nil else { return nil }
                defer { k += 1 }
                return grads[k]
            }
        }
    }

    /// `t` narrowed to its leading `shape` corner along every dim (differentiable).
    func leadingCorner(_ shape: [Int]) throws -> Tensor {
        var r = self
        for (d, n) in shape.enumerated() where n != r.shape[d] { r = try r.narrow(dim: d, start: 0, length: n) }
        return r
    }
}
