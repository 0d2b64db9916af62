import Tensors

/// What a script gives for one parameter group: its tensors and the options it overrides.
///
/// ```swift
/// let groups = [ParamGroupSpec(params: [w]), ParamGroupSpec(params: [b], options: ["lr": .number(1e-4)])]
/// ```
public struct ParamGroupSpec {
    public var params: [Tensor]
    public var options: [String: OptionValue]
    /// The parameters' names (`model:named_parameters()`), parallel to `params`: state dicts are
    /// then keyed by name, so loading maps state by name rather than by position.
    public var names: [String]?

    public init(params: [Tensor], options: [String: OptionValue] = [:], names: [String]? = nil) {
        self.params = params
        self.options = options
        self.names = names
    }
}

/// A group of parameters sharing resolved options. `lr` can be changed between steps (by
/// schedulers or `setLR`); the other options are fixed at construction or by `loadStateDict`.
public final class ParamGroup {
    public let params: [Tensor]
    /// The parameters' names when the optimizer was built from named parameters.
    public let names: [String]?
    public internal(set) var options: Options
    /// The learning rate the schedulers start from (PyTorch's `initial_lr`); set by the first
    /// scheduler attached to the optimizer.
    public internal(set) var initialLR: Double?
    /// True between `Optimizer.eval()` and `train()` for an algorithm with an evaluation point
    /// (the parameters then hold the evaluation weights, and stepping is an error).
    public internal(set) var inEvalMode = false

    init(params: [Tensor], options: Options, names: [String]? = nil) {
        self.params = params
        self.options = options
        self.names = names
    }

    /// The current learning rate.
    public var lr: Double {
        get { options.number("lr") }
        set { options.values["lr"] = .number(newValue) }
    }

    /// Replaces one option without validation: for schedulers that cycle momentum or betas.
    func setOption(_ key: String, _ value: OptionValue) { options.values[key] = value }
}

/// Per-parameter optimizer state: the step count, tensor buffers (moments) and scalars (NAdam's
/// `mu_product`). Created at the parameter's first step with a gradient.
public final class ParamState {
    /// Steps taken by this parameter (incremented before the update uses it).
    public var step: Int
    public var buffers: [String: Tensor]
    public var scalars: [String: Double]

    public init(step: Int = 0, buffers: [String: Tensor] = [:], scalars: [String: Double] = [:]) {
        self.step = step
        self.buffers = buffers
        self.scalars = scalars
    }

    /// The buffer `name`, created with `param`'s shape and filled with `fill` when absent.
    ///
    /// ```swift
    /// let m = try state.buffer("exp_avg", like: param)
    /// ```
    public func buffer(_ name: String, like param: Tensor, fill: Float = 0) throws -> Tensor {
        try buffer(name, shape: param.shape, fill: fill)
    }

    /// The buffer `name`, created with `shape` and filled with `fill` when absent (Adafactor's
    /// row and column factors).
    public func buffer(_ name: String, shape: [Int], fill: Float = 0) throws -> Tensor {
        if let existing = buffers[name] { return existing }
        let t = try Tensor(uninitializedShape: shape)
        t.pointer.initialize(repeating: fill, count: t.count)
        buffers[name] = t
        return t
    }

    /// A deep copy, so that a saved state does not change with later steps.
    public func copy() throws -> ParamState {
        var copied: [String: Tensor] = [:]
        for (name, t) in buffers { copied[name] = try cloneData(t) }
        return ParamState(step: step, buffers: copied, scalars: scalars)
    }
}

/// A contiguous copy of `t` with its own storage.
func cloneData(_ t: Tensor) throws -> Tensor {
    let src = try t.contiguousData()
    let out = try Tensor(uninitializedShape: t.shape)
    out.pointer.update(from: src.pointer, count: t.count)
    return out
}
