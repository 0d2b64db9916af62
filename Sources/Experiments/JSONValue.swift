/// A JSON value whose objects keep their keys in insertion order, so config.json and reports
/// show keys in the order the script declared them.
///
/// Non-finite numbers have no JSON spelling; they are written as the strings `"nan"`, `"inf"`
/// and `"-inf"` and `doubleValue` reads those strings back as non-finite numbers.
///
///     let record: JSONValue = .object([("step", .number(10)), ("loss", .number(0.25))])
///     record["loss"]?.doubleValue  // 0.25
public enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        // NaN == NaN here: two records that both diverged are the same record.
        case let (.number(a), .number(b)): return a == b || (a.isNaN && b.isNaN)
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The value of `key` in an object (the first one if a key repeats); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first(where: { $0.0 == key })?.1
    }

    /// A number, or one of the strings "nan", "inf", "-inf" (how non-finite numbers are stored).
    public var doubleValue: Double? {
        switch self {
        case let .number(d): return d
        case let .string(s): return JSONValue.nonFinite(s)
        default: return nil
        }
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// An integral number that fits an `Int`.
    public var intValue: Int? {
        guard case let .number(d) = self, d.rounded() == d, abs(d) < 9.0e15 else { return nil }
        return Int(d)
    }

    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var objectValue: [(String, JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    /// True when this value, or any value nested in it, is a non-finite number (or its string
    /// spelling): the test RunRecorder uses to mark a run as diverged.
    public var containsNonFinite: Bool {
        switch self {
        case let .number(d): return !d.isFinite
        case let .string(s): return JSONValue.nonFinite(s) != nil
        case let .array(a): return a.contains(where: { $0.containsNonFinite })
        case let .object(o): return o.contains(where: { $0.1.containsNonFinite })
        default: return false
        }
    }

    /// The value a string stands for if it spells a non-finite number.
    static func nonFinite(_ s: String) -> Double? {
        switch s {
        case "nan", "NaN", "-nan": return .nan
        case "inf", "Infinity", "+inf": return .infinity
        case "-inf", "-Infinity": return -.infinity
        default: return nil
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: CustomStringConvertible {
    /// The compact single-line JSON text.
    public var description: String { compactJSON }
}
