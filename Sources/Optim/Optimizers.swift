import Tensors

/// Optimizers by name, for ablations: `Optimizers.build(name: "adamw", params: ps)`.
///
/// Names are case-insensitive. `OptimizerRegistry` adds custom algorithms (from `optim.define`)
/// per Lua state; `Optimizers` is the registry of the built-ins.
///
/// ```swift
/// let opt = try Optimizers.build(name: "AMSGrad", params: [w], options: ["lr": .number(1e-3)])
/// ```
public struct OptimizerRegistry {
    /// Lowercased name → algorithm, in registration order for `names`.
    private var entries: [(key: String, algorithm: any OptimizerAlgorithm)] = []

    public init() {}

    /// The registry of the built-in algorithms.
    public static let builtins: OptimizerRegistry = {
        var r = OptimizerRegistry()
        let all: [any OptimizerAlgorithm] = [
            SGD(), Adam(), Adam(.adamW), Adam(.amsGrad), NAdam(), RAdam(), Adagrad(), RMSprop(), Adamax(), Lion(),
            Adadelta(), Adafactor(), ASGD(), Rprop(), Muon(), LBFGS(),
        ]
        for a in all { r.register(a) }
        return r
    }()

    /// Adds `algorithm` under its name, replacing an algorithm of the same name.
    public mutating func register(_ algorithm: any OptimizerAlgorithm) {
        let key = algorithm.name.lowercased()
        entries.removeAll { $0.key == key }
        entries.append((key, algorithm))
    }

    /// Lowercased names, in registration order.
    public var names: [String] { entries.map(\.key) }

    /// The algorithms' display names (`"AdamW"`), in registration order: the Lua constructors
    /// (`optim.AdamW`) are derived from these, so registering an algorithm is the only list.
    public var displayNames: [String] { entries.map(\.algorithm.name) }

    /// Whether `name` (any case) is registered.
    public func contains(_ name: String) -> Bool { entries.contains { $0.key == name.lowercased() } }

    /// The algorithm called `name` (case-insensitive), or an error listing the names.
    public func algorithm(named name: String) throws -> any OptimizerAlgorithm {
        let key = name.lowercased()
        guard let entry = entries.first(where: { $0.key == key }) else {
            throw TensorError("optim.build: unknown optimizer '\(name)' (valid: \(names.joined(separator: ", ")))")
        }
        return entry.algorithm
    }

    public func build(name: String, groups: [ParamGroupSpec], options: [String: OptionValue] = [:]) throws -> Optimizer {
        try Optimizer(algorithm(named: name), groups: groups, options: options)
    }

    public func build(name: String, params: [Tensor], options: [String: OptionValue] = [:]) throws -> Optimizer {
        try build(name: name, groups: [ParamGroupSpec(params: params)], options: options)
    }
}

/// The built-in optimizers by name.
public enum Optimizers {
    /// "sgd", "adam", "adamw", "amsgrad", "nadam", "radam", "adagrad", "rmsprop", "adamax", "lion",
    /// "adadelta", "adafactor", "asgd", "rprop", "muon", "lbfgs".
    public static var names: [String] { OptimizerRegistry.builtins.names }

    public static func build(name: String, params: [Tensor], options: [String: OptionValue] = [:]) throws -> Optimizer {
        try OptimizerRegistry.builtins.build(name: name, params: params, options: options)
    }

    public static func build(name: String, groups: [ParamGroupSpec], options: [String: OptionValue] = [:]) throws -> Optimizer {
        try OptimizerRegistry.builtins.build(name: name, groups: groups, options: options)
    }
}
