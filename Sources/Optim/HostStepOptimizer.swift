import Tensors

/// An algorithm whose whole step is written in the host language: Lua's
/// `optim.define{name, defaults, step = function(groups, state, closure) ... end}`, for methods
/// that need every group and parameter at once (SAM, line searches, L-BFGS-like updates).
/// Groups, options, per-parameter state (and so state dicts and checkpoints), schedulers and
/// `optim.build` work as for per-parameter algorithms; the bindings run the step, reading and
/// writing the state through `Optimizer.hostState(group:index:)`. Every default becomes an
/// option of that kind; `lr` is added (default 1e-3) when absent.
///
/// ```swift
/// let sam = HostStepOptimizer(name: "SAM", defaults: ["rho": .number(0.05)], handle: luaStepFunction)
/// ```
public struct HostStepOptimizer: OptimizerAlgorithm {
    public let name: String
    public let spec: OptionTable
    /// The host's handle on its step function (the Lua bindings keep a registry reference).
    public let handle: AnyObject
    public var buffersMatchParamShape: Bool { false }

    public init(name: String, defaults: [String: OptionValue], handle: AnyObject) {
        let lr = OptionSpec("lr", defaults["lr"] ?? .number(1e-3), check: OptionSpec.nonNegative)
        let specs = [lr] + defaults.keys.sorted().filter { $0 != "lr" }.compactMap { key in defaults[key].map { OptionSpec(key, $0) } }
        self.name = name
        self.spec = OptionTable(algorithm: name, specs: specs)
        self.handle = handle
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        throw TensorError("\(name): defined with a whole-step function, which runs from Lua (opt:step)")
    }
}

extension Optimizer {
    /// The state of parameter `index` of group `group` (0-based), created empty when absent: for
    /// algorithms whose step runs outside this module (`HostStepOptimizer`).
    public func hostState(group: Int, index: Int) throws -> ParamState {
        try checkGroup(group)
        if combined != nil { throw TensorError("\(name): a combined optimizer keeps its state in its children") }
        if wrapper != nil { throw TensorError("\(name): a wrapper's step function is its inner optimizer's") }
        guard index >= 0, index < groups[group].params.count else {
            throw TensorError("\(name): parameter index expected 0..<\(groups[group].params.count), got \(index)")
        }
        if let s = states[group][index] { return s }
        let s = ParamState()
        states[group][index] = s
        return s
    }
}
