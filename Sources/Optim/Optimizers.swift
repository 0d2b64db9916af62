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
        // Every type in Algorithms/ that declares `BuiltinOptimizer` (listed at build time by
        // RegistryPlugin), in `registryOrder`.
        let types = registeredBuiltinOptimizerTypes.sorted { $0.registryOrder < $1.registryOrder }
        for type in types {
            for a in type.registered { r.register(a) }
        }
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

/// A built-in optimizer type: declaring this conformance in its file (Sources/Optim/Algorithms)
/// is what registers it — `optim.<Name>`, `optim.build` and `optim.names()` derive from it.
///
/// ```swift
/// extension Lion: BuiltinOptimizer {
///     public static let registryOrder = 100
///     public static var registered: [any OptimizerAlgorithm] { [Lion()] }
/// }
/// ```
public protocol BuiltinOptimizer {
    /// The algorithms this type provides (Adam provides Adam, AdamW and AMSGrad).
    static var registered: [any OptimizerAlgorithm] { get }
    /// Position in `optim.names()`, ascending (ties: file-name order).
    static var registryOrder: Int { get }
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
