import Tensors

/// One option an algorithm accepts: its name, default, kind and value check.
///
/// `check` returns nil for a valid value, or what was expected ("a non-negative number").
///
/// ```swift
/// OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative)
/// ```
public struct OptionSpec: Sendable {
    public let name: String
    public let defaultValue: OptionValue
    public let check: (@Sendable (OptionValue) -> String?)?

    public init(_ name: String, _ defaultValue: OptionValue, check: (@Sendable (OptionValue) -> String?)? = nil) {
        self.name = name
        self.defaultValue = defaultValue
        self.check = check
    }

    public var kind: OptionKind { defaultValue.kind }

    /// Accepts numbers ≥ 0.
    public static let nonNegative: @Sendable (OptionValue) -> String? = { v in
        if case .number(let x) = v, x >= 0 { return nil }
        return "a non-negative number"
    }
    /// Accepts pairs whose two numbers are in [0, 1) (Adam's betas).
    public static let betaPair: @Sendable (OptionValue) -> String? = { v in
        if case .pair(let a, let b) = v, a >= 0, a < 1, b >= 0, b < 1 { return nil }
        return "two numbers in [0, 1)"
    }
    /// Accepts integers ≥ 0 (counts such as LBFGS's `history_size`).
    public static let count: @Sendable (OptionValue) -> String? = { v in
        if case .number(let x) = v, x >= 0, x == x.rounded(), x < 1e9 { return nil }
        return "a non-negative integer"
    }
    /// Accepts integers ≥ 1.
    public static let positiveCount: @Sendable (OptionValue) -> String? = { v in
        if case .number(let x) = v, x >= 1, x == x.rounded(), x < 1e9 { return nil }
        return "a positive integer"
    }
    /// Accepts numbers in [lo, hi].
    public static func inRange(_ lo: Double, _ hi: Double) -> @Sendable (OptionValue) -> String? {
        { v in
            if case .number(let x) = v, x >= lo, x <= hi { return nil }
            return "a number in [\(formatOption(lo)), \(formatOption(hi))]"
        }
    }
    /// Accepts one of the given strings.
    public static func oneOf(_ choices: [String]) -> @Sendable (OptionValue) -> String? {
        { v in
            if case .string(let s) = v, choices.contains(s) { return nil }
            return "one of " + choices.map { "\"\($0)\"" }.joined(separator: ", ")
        }
    }
}

/// The options of one algorithm, in display order, plus a check across options.
///
/// `resolve` turns what a script gave into a complete `Options`, with errors that name the key:
/// `Adam: unknown option 'betas2' (valid: lr, betas, eps, ...)`,
/// `Adam: option 'lr' expected a number, got string`,
/// `Adam: option 'lr' expected a non-negative number, got -1`.
public struct OptionTable: Sendable {
    /// The algorithm's display name, the prefix of every error message.
    public let algorithm: String
    public let specs: [OptionSpec]
    /// Checks relations between options (SGD's nesterov); returns an error message or nil.
    public let crossCheck: (@Sendable (Options) -> String?)?

    public init(algorithm: String, specs: [OptionSpec], crossCheck: (@Sendable (Options) -> String?)? = nil) {
        self.algorithm = algorithm
        self.specs = specs
        self.crossCheck = crossCheck
    }

    /// The defaults, with nothing overridden.
    public var defaults: Options {
        Options(values: Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0.defaultValue) }))
    }

    public func spec(_ name: String) -> OptionSpec? { specs.first { $0.name == name } }

    /// `base` (defaults when nil) overridden by `given`, every key and value validated.
    public func resolve(_ given: [String: OptionValue], over base: Options? = nil) throws -> Options {
        var values = (base ?? defaults).values
        // Sorted so that the first error reported does not depend on dictionary order.
        for key in given.keys.sorted() {
            guard let value = given[key] else { continue }
            values[key] = try validated(key, value)
        }
        let options = Options(values: values)
        if let crossCheck, let message = crossCheck(options) {
            throw TensorError("\(algorithm): \(message)")
        }
        return options
    }

    /// `value` converted to the kind `key` expects, or an error naming the key.
    public func validated(_ key: String, _ value: OptionValue) throws -> OptionValue {
        guard let spec = spec(key) else {
            let valid = specs.map(\.name).joined(separator: ", ")
            throw TensorError("\(algorithm): unknown option '\(key)' (valid: \(valid))")
        }
        guard value.kind == spec.kind else {
            throw TensorError("\(algorithm): option '\(key)' expected \(spec.kind), got \(value.kind.name)")
        }
        let finite: Bool
        switch value {
        case .number(let x): finite = x.isFinite
        case .pair(let a, let b): finite = a.isFinite && b.isFinite
        case .triple(let a, let b, let c): finite = a.isFinite && b.isFinite && c.isFinite
        default: finite = true
        }
        if !finite, case .number(let x) = value {
            throw TensorError("\(algorithm): option '\(key)' expected a finite number, got \(x)")
        } else if !finite {
            throw TensorError("\(algorithm): option '\(key)' expected finite numbers, got \(value)")
        }
        if let check = spec.check, let expected = check(value) {
            throw TensorError("\(algorithm): option '\(key)' expected \(expected), got \(value)")
        }
        return value
    }
}

/// A complete, validated set of option values (one per spec entry).
///
/// Accessors fall back to a neutral value for a missing key instead of trapping; `resolve`
/// guarantees every key of the table is present.
public struct Options: Equatable, Sendable {
    public internal(set) var values: [String: OptionValue]

    public init(values: [String: OptionValue]) { self.values = values }

    public subscript(key: String) -> OptionValue? { values[key] }

    public func number(_ key: String) -> Double {
        if case .number(let x)? = values[key] { return x }
        return 0
    }
    public func bool(_ key: String) -> Bool {
        if case .bool(let b)? = values[key] { return b }
        return false
    }
    public func string(_ key: String) -> String {
        if case .string(let s)? = values[key] { return s }
        return ""
    }
    public func pair(_ key: String) -> (Double, Double) {
        if case .pair(let a, let b)? = values[key] { return (a, b) }
        return (0, 0)
    }
    public func triple(_ key: String) -> (Double, Double, Double) {
        if case .triple(let a, let b, let c)? = values[key] { return (a, b, c) }
        return (0, 0, 0)
    }
    /// A number option that holds a count (validated as a non-negative integer by its spec).
    public func integer(_ key: String) -> Int {
        let x = number(key)
        return x.isFinite && abs(x) < 1e15 ? Int(x) : 0
    }
}
