import Foundation

/// A sweep described in a JSON file, for sweeps too long for one command line:
///
///     {"grid": {"lr": [0.1, 0.01], "depth": [1, 2]},
///      "zip":  {"width": [8, 16], "dropout": [0, 0.1]},
///      "set":  {"epochs": 20},
///      "seeds": [1, 2, 3]}          // or a count: "seeds": 5
///
/// Values may be numbers, strings or booleans; they become `--set key=value` text. Keys keep
/// the file's order, which is the expansion order.
public struct SweepFile {
    public let grid: [SweepAxis]
    public let zip: [SweepAxis]
    public let sets: [(String, String)]
    public let seeds: [Int]?

    public static func load(_ url: URL) throws -> SweepFile {
        try SweepFile(json: RunReader.readJSON(url), name: url.lastPathComponent)
    }

    public init(json: JSONValue, name: String = "sweep file") throws {
        guard let top = json.objectValue else { throw ExperimentError("\(name): expected a JSON object, got \(json.compactJSON.prefix(40))") }
        let known = ["grid", "zip", "set", "seeds"]
        if let bad = top.first(where: { !known.contains($0.0) }) {
            throw ExperimentError("\(name): expected keys \(known.joined(separator: ", ")), got \"\(bad.0)\"")
        }
        func text(_ v: JSONValue, _ key: String) throws -> String {
            switch v {
            case let .string(s): return s
            case .number, .bool: return v.compactJSON
            default: throw ExperimentError("\(name): \(key): expected numbers, strings or booleans, got \(v.compactJSON)")
            }
        }
        func axes(_ field: String) throws -> [SweepAxis] {
            guard let value = json[field] else { return [] }
            guard let pairs = value.objectValue else { throw ExperimentError("\(name): \(field): expected an object of key: [values]") }
            return try pairs.map { key, list in
                guard let items = list.arrayValue, !items.isEmpty else {
                    throw ExperimentError("\(name): \(field).\(key): expected a non-empty array, got \(list.compactJSON)")
                }
                let values = try items.map { try text($0, "\(field).\(key)") }
                return try SweepAxis.parse(key + "=" + values.joined(separator: ","), option: "\(name) \(field)",
                                           allowRepeats: field == "zip")
            }
        }
        grid = try axes("grid")
        zip = try axes("zip")
        sets = try (json["set"]?.objectValue ?? []).map { key, v in try SweepSpec.parseSet(key + "=" + text(v, "set.\(key)")) }
        switch json["seeds"] {
        case nil: seeds = nil
        case let .number(n)?: seeds = try SweepSpec.parseSeeds(JSONValue.number(n).compactJSON)
        case let .array(list)?:
            let ints = list.compactMap(\.intValue)
            guard ints.count == list.count, !ints.isEmpty else { throw ExperimentError("\(name): seeds: expected integers, got \(JSONValue.array(list).compactJSON)") }
            seeds = ints
        case let other?: throw ExperimentError("\(name): seeds: expected a count or an array of integers, got \(other.compactJSON)")
        }
    }
}
