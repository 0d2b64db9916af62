import Tensors

/// An algorithm defined by a script (`optim.define` in Lua): a name, default options and two
/// closures supplied by the bindings. Groups, state, state dicts, schedulers and `build` work
/// unchanged. Every default becomes a valid option key of the default's kind; `lr` is added
/// (default 1e-3) when absent so that schedulers and `setLR` apply, and must be ≥ 0.
///
/// ```swift
/// let signSGD = CustomOptimizer(name: "SignSGD", defaults: ["lr": .number(0.01)],
///     update: { p, g, state, group in /* p -= lr * sign(g) */ })
/// let opt = try Optimizer(signSGD, params: [w])
/// ```
public struct CustomOptimizer: OptimizerAlgorithm {
    public typealias InitState = (_ state: ParamState, _ param: Tensor, _ group: ParamGroup) throws -> Void
    /// Called with the gradient already negated under `maximize` (when that option is defined)
    /// and `state.step` already incremented.
    public typealias Update = (_ param: Tensor, _ grad: Tensor, _ state: ParamState, _ group: ParamGroup) throws -> Void

    public let name: String
    public let spec: OptionTable
    public var buffersMatchParamShape: Bool { false }
    private let initClosure: InitState?
    private let updateClosure: Update

    public init(name: String, defaults: [String: OptionValue], initState: InitState? = nil, update: @escaping Update) {
        // lr first (as in the built-ins) and checked like theirs; other keys in sorted order.
        let lr = OptionSpec("lr", defaults["lr"] ?? .number(1e-3), check: OptionSpec.nonNegative)
        let specs = [lr] + defaults.keys.sorted().filter { $0 != "lr" }.compactMap { key in defaults[key].map { OptionSpec(key, $0) } }
        self.name = name
        self.spec = OptionTable(algorithm: name, specs: specs)
        self.initClosure = initState
        self.updateClosure = update
    }

    public func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws {
        try initClosure?(state, param, group)
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        for item in items {
            var grad = item.grad
            if gradSign < 0 {
                grad = try cloneData(grad)
                let g = grad.pointer
                for i in 0..<grad.count { g[i] = -g[i] }
            }
            try updateClosure(item.param, grad, item.state, group)
        }
    }
}
