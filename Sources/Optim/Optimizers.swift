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
    /// Lowercased build name → algorithm, in registration order for `names`.
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

    /// Adds `algorithm` under its build name, replacing an algorithm of the same name.
    public mutating func register(_ algorithm: any OptimizerAlgorithm) {
        let key = algorithm.buildName.lowercased()
        let display = algorithm.name.lowercased()
        entries.removeAll { $0.key == key || $0.algorithm.name.lowercased() == display }
        entries.append((key, algorithm))
    }

    /// The entry whose build name or display name is `name` (any case): `optim.build` takes
    /// either ("schedule_free_adamw" or "ScheduleFreeAdamW"), the constructors pass the latter.
    private func entry(_ name: String) -> (key: String, algorithm: any OptimizerAlgorithm)? {
        let key = name.lowercased()
        return entries.first { $0.key == key } ?? entries.first { $0.algorithm.name.lowercased() == key }
    }

    /// Lowercased build names, in registration order.
    public var names: [String] { entries.map(\.key) }

    /// The algorithms' display names (`"AdamW"`), in registration order: the Lua constructors
    /// (`optim.AdamW`) are derived from these, so registering an algorithm is the only list.
    public var displayNames: [String] { entries.map(\.algorithm.name) }

    /// Whether `name` (any case; a build name or a display name) is registered.
    public func contains(_ name: String) -> Bool { entry(name) != nil }

    /// The algorithm called `name` (case-insensitive; a build name or a display name), or an
    /// error listing the names.
    public func algorithm(named name: String) throws -> any OptimizerAlgorithm {
        guard let entry = entry(name) else {
            throw TensorError("optim.build: unknown optimizer '\(name)' (valid: \(names.joined(separator: ", ")))")
        }
        return entry.algorithm
    }

    public func build(name: String, groups: [ParamGroupSpec], options: [String: OptionValue] = [:]) throws -> Optimizer {
        try Optimizer(algorithm(named: name).resolved(options: options), groups: groups, options: options)
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
