/// Functional transforms with `torch.autograd.functional` semantics: `vjp`, `jvp`, `hvp`,
/// `hessian`, and `gradgradcheck`. Each calls `f` on fresh leaves that share the inputs' values
/// (so the caller's tensors and their graphs are untouched) and returns values with no graph.
extension Autograd {
    /// Detached aliases of `inputs` that require grad: the variables the transforms differentiate.
    static func freshLeaves(_ inputs: [Tensor]) -> [Tensor] {
        inputs.map { t in
            let leaf = t.detach()
            leaf.requiresGrad = true
            return leaf
        }
    }

    static func callRecording(_ f: ([Tensor]) throws -> Tensor, _ xs: [Tensor]) throws -> Tensor {
        try GradMode.withGrad { try f(xs) }
    }

    /// The vector-Jacobian product of the gradients `gs` (recorded) with the directions `v`,
    /// with respect to `wrt`: `∂/∂wrt Σ_i sum(gs_i · v_i)`, by one backward pass seeded with
    /// `v_i` at `gs_i` (no inner product node, no copy of the directions). Only the pairs whose
    /// `gs_i` carries a graph take part; nil when none does. A result that shares memory with a
    /// direction (a seed handed on through views) is copied, so the caller's `v` is never aliased.
    static func gradientVJP(_ gs: [Tensor?], _ v: [Tensor], wrt: [Tensor]) throws -> [Tensor?]? {
        var outputs = [Tensor](), seeds = [Tensor]()
        for (g, d) in zip(gs, v) {
            guard let g, g.requiresGrad || g.gradFn != nil else { continue }
            outputs.append(g)
            seeds.append(d)
        }
        if outputs.isEmpty { return nil }
        let results = try grad(outputs: outputs, inputs: wrt, gradOutputs: seeds)
        return try results.map { r in
            guard let r else { return nil }
            return v.contains(where: { $0.storage === r.storage }) ? try r.copyData() : r
        }
    }

    static func checkDirections(_ op: String, _ v: [Tensor], _ inputs: [Tensor]) throws {
        guard v.count == inputs.count else {
            throw TensorError("\(op): expected \(inputs.count) direction tensor\(inputs.count == 1 ? "" : "s") (one per input), got \(v.count)")
        }
        for (i, (d, x)) in zip(v, inputs).enumerated() where d.shape != x.shape {
            throw TensorError("\(op): direction \(i + 1) has shape \(describe(shape: d.shape)), input \(i + 1) has shape \(describe(shape: x.shape))")
        }
    }

    /// `f`'s value and the vector-Jacobian product `vᵀ·∂f/∂x` for each input (zeros for inputs
    /// `f` does not use). `v` has `f`'s output shape; it may be omitted for a one-element output.
    ///
    /// ```swift
    /// let (y, g) = try Autograd.vjp({ try $0[0].square().sum() }, inputs: [x])   // g = [2x]
    /// ```
    public static func vjp(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: Tensor? = nil, createGraph: Bool = false
    ) throws -> (output: Tensor, vjp: [Tensor]) {
        let xs = freshLeaves(inputs)
        let out = try callRecording(f, xs)
        if let v, v.shape != out.shape {
            throw TensorError("vjp: v has shape \(describe(shape: v.shape)), the output of f has shape \(describe(shape: out.shape))")
        }
        if v == nil && out.count != 1 {
            throw TensorError("vjp: v can be omitted only when f returns one element, got shape \(describe(shape: out.shape))")
        }
        guard out.requiresGrad else { return (out, try xs.map { try Tensor.zeros($0.shape) }) }
        let gs = try grad(outputs: [out], inputs: xs, gradOutputs: v.map { [$0] }, createGraph: createGraph)
        return (out.detach(), try zip(gs, xs).map { try $0 ?? Tensor.zeros($1.shape) })
    }

    /// `f`'s value and the Jacobian-vector product `∂f/∂x · v` (one direction per input), by the
    /// double-vjp trick: the vjp with a dummy cotangent `u` is linear in `u`, and its gradient
    /// with respect to `u` along `v` is `J·v`.
    ///
    /// ```swift
    /// let (y, jv) = try Autograd.jvp({ try $0[0].square() }, inputs: [x], v: [d])   // jv = 2x·d
    /// ```
    public static func jvp(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: [Tensor]
    ) throws -> (output: Tensor, jvp: Tensor) {
        try checkDirections("jvp", v, inputs)
        let xs = freshLeaves(inputs)
        let out = try callRecording(f, xs)
        guard out.requiresGrad else { return (out, try Tensor.zeros(out.shape)) }
        let u = try Tensor.zeros(out.shape)
        u.requiresGrad = true
        let gs = try grad(outputs: [out], inputs: xs, gradOutputs: [u], createGraph: true)
        guard let jvs = try gradientVJP(gs, v, wrt: [u]) else { return (out.detach(), try Tensor.zeros(out.shape)) }
        return (out.detach(), try jvs[0] ?? Tensor.zeros(out.shape))
    }

    /// `f`'s value (one element) and the Hessian-vector product `H·v`, one product per input,
    /// by double backward: the gradient is recorded, dotted with `v`, and differentiated again.
    ///
    /// ```swift
    /// let (loss, hv) = try Autograd.hvp({ try model($0).mean() }, inputs: params, v: dirs)
    /// ```
    public static func hvp(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], v: [Tensor]
    ) throws -> (output: Tensor, hvp: [Tensor]) {
        try checkDirections("hvp", v, inputs)
        let xs = freshLeaves(inputs)
        let out = try callRecording(f, xs)
        guard out.count == 1 else {
            throw TensorError("hvp: f must return a single value (a loss), got shape \(describe(shape: out.shape))")
        }
        let zeros = { try xs.map { try Tensor.zeros($0.shape) } }
        guard out.requiresGrad else { return (out, try zeros()) }
        let gs = try grad(outputs: [out], inputs: xs, createGraph: true)
        // H·v as the vjp of the recorded gradient with v (H is symmetric).
        guard let hv = try gradientVJP(gs, v, wrt: xs) else { return (out.detach(), try zeros()) }
        return (out.detach(), try zip(hv, xs).map { try $0 ?? Tensor.zeros($1.shape) })
    }

    /// The Hessian of a one-element `f`: block `[i][j]` has shape `inputs[i].shape +
    /// inputs[j].shape`. One backward over the recorded gradient per input element, so only for
    /// small inputs (at most `maxElements` in all).
    ///
    /// ```swift
    /// let h = try Autograd.hessian({ try $0[0].pow(3).sum() }, inputs: [x])[0][0]   // diag(6x)
    /// ```
    public static func hessian(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor], maxElements: Int = 4096
    ) throws -> [[Tensor]] {
        let total = inputs.reduce(0) { $0 + $1.count }
        guard total <= maxElements else {
            throw TensorError("hessian: the inputs have \(total) elements in all, more than the \(maxElements) a full Hessian is built for (use hvp)")
        }
        let xs = freshLeaves(inputs)
        let out = try callRecording(f, xs)
        guard out.count == 1 else {
            throw TensorError("hessian: f must return a single value, got shape \(describe(shape: out.shape))")
        }
        let blocks = try xs.map { xi in try xs.map { xj in try Tensor.zeros(xi.shape + xj.shape) } }
        guard out.requiresGrad else { return blocks }
        let gs = try grad(outputs: [out], inputs: xs, createGraph: true)
        for (i, gi) in gs.enumerated() {
            guard let gi, gi.requiresGrad else { continue }
            let e = try Tensor.zeros(gi.shape)
            for k in 0..<gi.count {
                e.pointer[k] = 1
                defer { e.pointer[k] = 0 }
                let row = try grad(outputs: [gi], inputs: xs, gradOutputs: [e.copyData()], retainGraph: true)
                for (j, r) in row.enumerated() {
                    guard let r else { continue }
                    let values = try r.contiguousData()
                    let n = xs[j].count
                    (blocks[i][j].pointer + k * n).update(from: values.pointer, count: n)
                }
            }
        }
        return blocks
    }

    /// Second-order gradcheck: `gradcheck` of the function that maps the inputs to their
    /// recorded gradient (`create_graph`) of `sum(f(x)·r)` for a fixed random `r`, so finite
    /// differences of the gradient are compared with double backward.
    ///
    /// ```swift
    /// let r = try Autograd.gradgradcheck({ try $0[0].tanh() }, inputs: [x])
    /// ```
    public static func gradgradcheck(
        _ f: ([Tensor]) throws -> Tensor, inputs: [Tensor],
        eps: Double = 1e-3, atol: Double = 1e-2, rtol: Double = 1e-2
    ) throws -> GradcheckResult {
        var weights: Tensor? = nil
        let firstOrder: ([Tensor]) throws -> Tensor = { xs in
            try GradMode.withGrad {
                let out = try f(xs)
                if weights == nil {
                    let r = try Tensor(uninitializedShape: out.shape)
                    Generator(seed: 0x6767_7261).fillUniform(r.pointer, count: r.count, from: 0.5, to: 1.5)
                    weights = r
                }
                guard let r = weights, r.shape == out.shape else {
                    throw TensorError("gradgradcheck: f returned shape \(describe(shape: out.shape)), first \(describe(shape: weights?.shape ?? []))")
                }
                let checked = xs.filter { $0.requiresGrad }
                var parts = [Tensor]()
                if out.requiresGrad {
                    let gs = try grad(outputs: [out], inputs: checked, gradOutputs: [r], createGraph: true)
                    for (g, x) in zip(gs, checked) { parts.append(try (g ?? Tensor.zeros(x.shape)).reshape([-1])) }
                } else {
                    for x in checked { parts.append(try Tensor.zeros([x.count])) }
                }
                return try Tensor.cat(parts, dim: 0)
            }
        }
        return try gradcheck(firstOrder, inputs: inputs, eps: eps, atol: atol, rtol: rtol)
    }
}
