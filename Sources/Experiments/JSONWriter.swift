/// JSON text output. Appends UTF-8 bytes to one buffer (no JSONEncoder, no intermediate
/// strings per value), which keeps `RunRecorder.log` cheap enough to call every step.
extension JSONValue {
    /// Single-line JSON, the format of each metrics.jsonl line.
    ///
    ///     JSONValue.object([("step", 1), ("loss", .number(.nan))]).compactJSON
    ///     // {"step":1,"loss":"nan"}
    public var compactJSON: String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(to: &out, indent: nil, level: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// Indented JSON (two spaces) with a final newline, for the files people open by hand.
    public var prettyJSON: String {
        var out: [UInt8] = []
        write(to: &out, indent: 2, level: 0)
        out.append(UInt8(ascii: "\n"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact JSON of `self` to `out`.
    public func appendCompactJSON(to out: inout [UInt8]) {
        write(to: &out, indent: nil, level: 0)
    }

    /// The string that stands for a non-finite number in our JSON files.
    static func spell(nonFinite d: Double) -> String {
        d.isNaN ? "nan" : (d > 0 ? "inf" : "-inf")
    }

    private func write(to out: inout [UInt8], indent: Int?, level: Int) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case let .bool(b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case let .number(d): JSONValue.appendNumber(d, to: &out)
        case let .string(s): JSONValue.appendString(s, to: &out)
        case let .array(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.newline(&out, indent, level + 1)
                item.write(to: &out, indent: indent, level: level + 1)
            }
            if !items.isEmpty { JSONValue.newline(&out, indent, level) }
            out.append(UInt8(ascii: "]"))
        case let .object(pairs):
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.newline(&out, indent, level + 1)
                JSONValue.appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                if indent != nil { out.append(UInt8(ascii: " ")) }
                value.write(to: &out, indent: indent, level: level + 1)
            }
            if !pairs.isEmpty { JSONValue.newline(&out, indent, level) }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func newline(_ out: inout [UInt8], _ indent: Int?, _ level: Int) {
        guard let indent else { return }
        out.append(UInt8(ascii: "\n"))
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent * level))
    }

    /// Integral values print without a fraction (`10`, not `10.0`); others use Swift's shortest
    /// round-trip form, which is valid JSON (`0.1`, `1e-05`).
    static func appendNumber(_ d: Double, to out: inout [UInt8]) {
        if !d.isFinite {
            appendString(spell(nonFinite: d), to: &out)
        } else if d.rounded() == d && abs(d) < 1e15 {
            out.append(contentsOf: String(Int64(d)).utf8)
        } else {
            out.append(contentsOf: d.description.utf8)
        }
    }

    static func appendString(_ s: String, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 13: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 9: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0..<32:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
