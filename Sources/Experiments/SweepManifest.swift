import Foundation
import FileIO

/// manifest.json of a sweep directory: the script, the axes and the ordered entries. Every
/// machine that sees the directory agrees on what entry I is.
///
///     let manifest = SweepManifest(spec: spec)
///     try manifest.write(to: out)               // out/manifest.json, atomically
///     let again = try SweepManifest.load(from: out)
public struct SweepManifest {
    public let script: String
    public let grid: [SweepAxis]
    public let zip: [SweepAxis]
    public let sets: [(String, String)]
    public let seeds: [Int]
    public let entries: [SweepEntry]

    public init(spec: SweepSpec) {
        script = spec.script
        grid = spec.grid
        zip = spec.zip
        sets = spec.sets
        seeds = spec.seeds
        entries = spec.expand()
    }

    /// A manifest of given entries (the trials of `descent tune`), without axes: `report`,
    /// `status` and `--index` read it like any sweep's.
    public init(script: String, entries: [SweepEntry], seeds: [Int]) {
        self.script = script
        grid = []
        zip = []
        sets = []
        self.seeds = seeds
        self.entries = entries
    }

    public static let fileName = "manifest.json"

    /// The keys that vary across entries (grid and zip keys), in expansion order.
    public var sweptKeys: [String] { grid.map(\.key) + zip.map(\.key) }

    public var json: JSONValue {
        func axes(_ list: [SweepAxis]) -> JSONValue {
            .array(list.map { .object([("key", .string($0.key)), ("values", .array($0.values.map(JSONValue.string)))]) })
        }
        return .object([
            ("format", 1),
            ("script", .string(script)),
            ("grid", axes(grid)),
            ("zip", axes(zip)),
            ("set", .object(sets.map { ($0.0, .string($0.1)) })),
            ("seeds", .array(seeds.map { .number(Double($0)) })),
            ("entries", .array(entries.map { e in
                .object([
                    ("index", .number(Double(e.index))), ("id", .string(e.id)),
                    ("overrides", .object(e.overrides.map { ($0.0, .string($0.1)) })),
                    ("seed", .number(Double(e.seed))), ("dir", .string(e.dir)),
                ])
            })),
        ])
    }

    public init(json: JSONValue) throws {
        func bad(_ what: String) -> ExperimentError { ExperimentError("manifest.json: expected \(what)") }
        func axes(_ key: String) throws -> [SweepAxis] {
            try (json[key]?.arrayValue ?? []).map { a in
                guard let k = a["key"]?.stringValue, let values = a["values"]?.arrayValue?.compactMap(\.stringValue)
                else { throw bad("\(key) axes with a key and string values") }
                return SweepAxis(key: k, values: values)
            }
        }
        guard let script = json["script"]?.stringValue else { throw bad("a \"script\" string") }
        self.script = script
        grid = try axes("grid")
        zip = try axes("zip")
        sets = (json["set"]?.objectValue ?? []).map { ($0.0, $0.1.stringValue ?? $0.1.compactJSON) }
        seeds = (json["seeds"]?.arrayValue ?? []).compactMap(\.intValue)
        guard let list = json["entries"]?.arrayValue else { throw bad("an \"entries\" array") }
        entries = try list.enumerated().map { i, e in
            guard let id = e["id"]?.stringValue, let seed = e["seed"]?.intValue, let overrides = e["overrides"]?.objectValue,
                  !id.isEmpty, id.allSatisfy({ $0.isHexDigit })
            else { throw bad("entry \(i) to have a hex \"id\", an integer \"seed\" and an \"overrides\" object") }
            return SweepEntry(index: i, id: id, overrides: overrides.map { ($0.0, $0.1.stringValue ?? $0.1.compactJSON) }, seed: seed)
        }
    }

    public static func load(from sweepDirectory: URL) throws -> SweepManifest {
        let url = sweepDirectory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ExperimentError("\(sweepDirectory.path): expected a sweep directory with \(fileName), found none")
        }
        return try SweepManifest(json: RunReader.readJSON(url))
    }

    /// Writes manifest.json unless an identical one is already there (so the tasks of a Slurm
    /// array do not all rewrite it).
    public func write(to sweepDirectory: URL) throws {
        try FileManager.default.createDirectory(at: sweepDirectory, withIntermediateDirectories: true)
        let url = sweepDirectory.appendingPathComponent(Self.fileName)
        let text = json.prettyJSON
        if let existing = FileManager.default.contents(atPath: url.path), existing == Data(text.utf8) { return }
        try AtomicFile.write(text, to: url)
    }

    /// The run directory of `entry` inside `sweepDirectory`.
    public static func runDirectory(_ entry: SweepEntry, in sweepDirectory: URL) -> URL {
        sweepDirectory.appendingPathComponent("runs").appendingPathComponent(entry.id)
    }
}
