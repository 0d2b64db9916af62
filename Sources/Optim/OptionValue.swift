/// One optimizer hyperparameter as a script gives it: a number, a boolean, a string or a pair of
/// numbers (`betas`). The Lua bindings convert a Lua value to this and back.
///
/// ```swift
/// let options: [String: OptionValue] = ["lr": .number(1e-3), "betas": .pair(0.9, 0.999)]
/// ```
public enum OptionValue: Equatable, Sendable, CustomStringConvertible {
    case number(Double)
    case bool(Bool)
    case string(String)
    case pair(Double, Double)
    /// Three numbers (Muon's `ns_coefficients`).
    case triple(Double, Double, Double)

    /// The kind of this value.
    public var kind: OptionKind {
        switch self {
        case .number: .number
        case .bool: .bool
        case .string: .string
        case .pair: .pair
        case .triple: .triple
        }
    }

    public var description: String {
        switch self {
        case .number(let x): formatOption(x)
        case .bool(let b): b ? "true" : "false"
        case .string(let s): "\"\(s)\""
        case .pair(let a, let b): "{\(formatOption(a)), \(formatOption(b))}"
        case .triple(let a, let b, let c): "{\(formatOption(a)), \(formatOption(b)), \(formatOption(c))}"
        }
    }
}

/// The type an option expects; its `description` is the noun used in error messages.
public enum OptionKind: Sendable, CustomStringConvertible {
    case number, bool, string, pair, triple

    public var description: String {
        switch self {
        case .number: "a number"
        case .bool: "a boolean"
        case .string: "a string"
        case .pair: "a pair of numbers"
        case .triple: "three numbers"
        }
    }

    /// The bare type name used after "got" in error messages.
    public var name: String {
        switch self {
        case .number: "number"
        case .bool: "boolean"
        case .string: "string"
        case .pair: "pair"
        case .triple: "triple"
        }
    }
}

/// Integers print without a fraction so messages read "got -1", not "got -1.0".
func formatOption(_ x: Double) -> String {
    if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
    return String(x)
}
