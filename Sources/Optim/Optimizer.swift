import Tensors

/// An optimizer: parameter groups with resolved options, per-parameter state, and an algorithm
/// that updates them.
///
/// ```swift
/// let opt = try Optimizer(Adam(), params: [w, b], options: ["lr": .number(1e-3)])
/// // ... backward fills w.grad, b.grad
/// try opt.step()
/// opt.zeroGrad()
/// ```
public final class Optimizer {
    public let algorithm: any OptimizerAlgorithm
    public let groups: [ParamGroup]
    /// Options given to the constructor over the algorithm's defaults (groups override them).
    public let defaults: Options
    /// `states[g][i]` is the state of `groups[g].params[i]`, nil until its first step.
    var states: [[ParamState?]]
    /// Buffers reused from step to step and never saved, by parameter (SAM's copy of θ while it
    /// is perturbed): allocating 4 bytes per parameter anew each step costs a page fault per 4 KiB.
    var workspace: [ObjectIdentifier: Tensor] = [:]

    /// The work-space buffer of `param`'s shape (contents undefined), made on first use.
    func workspace(for param: Tensor) throws -> Tensor {
        if let t = workspace[ObjectIdentifier(param)], t.shape == param.shape { return t }
        let t = try Tensor(uninitializedShape: param.shape)
        workspace[ObjectIdentifier(param)] = t
        return t
    }

    public var name: String { algorithm.name }

    /// Builds an optimizer over parameter groups; `options` apply to every group, each group's
    /// own options override them. Parameters must be contiguous and appear once.
    public init(_ algorithm: any OptimizerAlgorithm, groups: [ParamGroupSpec], options: [String: OptionValue] = [:]) throws {
        let table = algorithm.spec
        let name = table.algorithm
        guard groups.contains(where: { !$0.params.isEmpty }) else {
            throw TensorError("\(name): optimizer got an empty parameter list")
        }
        let defaults = try table.resolve(options)
        try algorithm.checkGroups(groups)
        var seen = Set<ObjectIdentifier>()
        var built: [ParamGroup] = []
        let named = groups.filter { $0.names != nil }.count
        guard named == 0 || named == groups.count else {
            throw TensorError("\(name): either every parameter group has names (from named_parameters) or none does; \(named) of \(groups.count) groups have names")
        }
        var seenNames = Set<String>()
        for (g, spec) in groups.enumerated() {
            if let names = spec.names {
                guard names.count == spec.params.count else {
                    throw TensorError("\(name): group \(g + 1) has \(spec.params.count) parameters but \(names.count) names")
                }
                for n in names where !seenNames.insert(n).inserted {
                    throw TensorError("\(name): parameter name '\(n)' appears more than once")
                }
            }
            for (i, p) in spec.params.enumerated() {
                guard p.isContiguous else {
                    throw TensorError("\(name): parameter \(i + 1) of group \(g + 1) must be contiguous, got a non-contiguous view of shape \(describe(shape: p.shape))")
                }
                guard p.isLeaf else {
                    throw TensorError("\(name): parameter \(i + 1) of group \(g + 1) must be a leaf tensor, got the result of '\(p.gradFn?.name ?? "an op")'")
                }
                guard seen.insert(ObjectIdentifier(p)).inserted else {
                    throw TensorError("\(name): parameter \(i + 1) of group \(g + 1) appears more than once in the parameter list")
                }
            }
            built.append(ParamGroup(params: spec.params, options: try table.resolve(spec.options, over: defaults), names: spec.names))
        }
        self.algorithm = algorithm
        self.defaults = defaults
        self.groups = built
        self.states = built.map { [ParamState?](repeating: nil, count: $0.params.count) }
    }

    /// The optimizer of `optim.combine`: the children's groups, shared.
    init(combined: Combined) {
        algorithm = combined
        groups = combined.children.flatMap(\.groups)
        defaults = combined.children[0].defaults
        states = groups.map { [ParamState?](repeating: nil, count: $0.params.count) }
    }

    /// The optimizer of a wrapper (`Optimizer.lookahead`, `Optimizer.ema`): the inner
    /// optimizer's groups, shared.
    init(wrapper: any OptimizerWrapper) {
        algorithm = wrapper
        groups = wrapper.inner.groups
        defaults = wrapper.inner.defaults
        states = groups.map { [ParamState?](repeating: nil, count: $0.params.count) }
    }

    /// Builds an optimizer over one group of parameters.
    public convenience init(_ algorithm: any OptimizerAlgorithm, params: [Tensor], options: [String: OptionValue] = [:]) throws {
        try self.init(algorithm, groups: [ParamGroupSpec(params: params)], options: options)
    }

    /// One optimization step over every parameter that has a gradient. A parameter whose grad is
    /// nil is skipped entirely: no weight decay, no step increment.
    public func step() throws {
        if let c = combined {
            for child in c.children { try child.step() }
            return
        }
        if let w = wrapper {
            try wrapperPrepare()
            try w.inner.step()
            try wrapperFinish()
            return
        }
        if algorithm is HostStepOptimizer {
            throw TensorError("\(name): defined with a whole-step function, which runs from Lua (opt:step)")
        }
        if algorithm is any WholeStepAlgorithm {
            throw TensorError("\(name): step requires a closure that re-evaluates the model and returns the loss, e.g. opt:step(function() opt:zero_grad(); local loss = f(); loss:backward(); return loss end)")
        }
        try stepParameters()
    }

    /// The per-parameter step: each parameter with a gradient gets its state (created at its
    /// first step) and its step count advanced, then the algorithm updates each group (SAM calls
    /// this after its perturbed gradient).
    func stepParameters() throws {
        try algorithm.prepareStep(self)
        for (g, group) in groups.enumerated() {
            var items: [ParamUpdate] = []
            items.reserveCapacity(group.params.count)
            for (i, p) in group.params.enumerated() {
                guard let rawGrad = p.grad else { continue }
                guard rawGrad.shape == p.shape else {
                    throw TensorError("\(name): gradient of parameter \(i + 1) in group \(g + 1) has shape \(describe(shape: rawGrad.shape)), expected \(describe(shape: p.shape))")
                }
                let state: ParamState
                if let existing = states[g][i] {
                    state = existing
                } else {
                    state = ParamState()
                    try algorithm.initState(state, param: p, group: group)
                    states[g][i] = state
                }
                state.step += 1
                items.append(ParamUpdate(param: p, grad: try rawGrad.contiguousData(), state: state))
            }
            if items.isEmpty { continue }
            let sign: Float = group.options.bool("maximize") ? -1 : 1
            try algorithm.update(items, group: group, gradSign: sign)
        }
    }

    /// One step with a closure that recomputes the loss and the gradients and returns the loss.
    /// A whole-step algorithm (LBFGS) calls it as often as it needs; the others call it once,
    /// then update. Returns the closure's first loss.
    ///
    /// ```swift
    /// let loss = try opt.step { try computeLossAndGradients() }
    /// ```
    @discardableResult
    public func step(closure: () throws -> Double) throws -> Double {
        if let w = wrapper {
            try wrapperPrepare()
            let loss = try w.inner.step(closure: closure)
            try wrapperFinish()
            return loss
        }
        if let whole = algorithm as? any WholeStepAlgorithm {
            return try whole.step(self, closure: closure)
        }
        let loss = try closure()
        try step()
        return loss
    }

    /// Whether `step` needs a closure (LBFGS).
    public var requiresClosure: Bool { wrapper?.inner.requiresClosure ?? (algorithm is any WholeStepAlgorithm) }

    /// Sets every parameter's grad to nil (PyTorch's default `set_to_none`).
    public func zeroGrad() {
        for group in groups { for p in group.params { p.grad = nil } }
    }

    /// The state of `param`, nil before its first step or when it is not optimized here.
    public func state(for param: Tensor) -> ParamState? {
        if let c = combined { return c.children.lazy.compactMap { $0.state(for: param) }.first }
        if let w = wrapper { return w.inner.state(for: param) }
        for (g, group) in groups.enumerated() {
            if let i = group.params.firstIndex(where: { $0 === param }) { return states[g][i] }
        }
        return nil
    }

    /// The learning rate of group `group` (0-based).
    public func getLR(group: Int = 0) throws -> Double {
        try checkGroup(group)
        return groups[group].lr
    }

    /// Sets the learning rate of group `group` (0-based), or of every group when nil.
    public func setLR(_ lr: Double, group: Int? = nil) throws {
        _ = try algorithm.spec.validated("lr", .number(lr))
        if let w = wrapper { return try w.inner.setLR(lr, group: group) }
        if let c = combined, let group, let (child, g) = c.child(ofGroup: group) {
            try child.setLR(lr, group: g)
            return
        }
        if let group {
            try checkGroup(group)
            groups[group].lr = lr
        } else {
            for g in groups { g.lr = lr }
        }
    }

    /// Changes one option of group `group` (0-based), validated like the constructor's options
    /// (PyTorch allows writing any key of `param_groups`; the bindings route those writes here).
    ///
    /// ```swift
    /// try opt.setOption("weight_decay", .number(0), group: 1)
    /// ```
    public func setOption(_ key: String, _ value: OptionValue, group: Int) throws {
        try checkGroup(group)
        if let w = wrapper { return try w.inner.setOption(key, value, group: group) }
        if let c = combined, let (child, g) = c.child(ofGroup: group) {
            try child.setOption(key, value, group: g)
            return
        }
        groups[group].options = try algorithm.spec.resolve([key: value], over: groups[group].options)
    }

    func checkGroup(_ group: Int) throws {
        guard group >= 0, group < groups.count else {
            throw TensorError("\(name): group index expected 0..<\(groups.count), got \(group)")
        }
    }
}
