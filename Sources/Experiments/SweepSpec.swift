import Foundation

/// One swept key and its values, as given on the command line (`--grid lr=0.1,0.01`).
public struct SweepAxis: Equatable {
    public let key: String
    public let values: [String]

    public init(key: String, values: [String]) {
        self.key = key
        self.values = values
    }

    /// Parses `key=v1,v2,...`; `option` names the flag in error messages. Grid values must be
    /// distinct (a repeated one is the same runs twice); zipped axes may repeat a value
    /// (`--zip lr=3e-3,3e-3,5e-2 --zip wd=0,0.1,0`) as long as the zipped tuples differ.
    ///
    ///     try SweepAxis.parse("lr=0.1,0.01", option: "--grid")  // key "lr", 2 values
    public static func parse(_ text: String, option: String, allowRepeats: Bool = false) throws -> SweepAxis {
        let (key, rest) = try SweepSpec.splitAssignment(text, option: option, expected: "key=v1,v2,...")
        let values = rest.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard !values.contains(where: \.isEmpty) else {
            throw ExperimentError("\(option) \(text): expected non-empty comma-separated values, got an empty one")
        }
        guard allowRepeats || Set(values.map(SweepEntry.canonicalKey)).count == values.count else {
            throw ExperimentError("\(option) \(text): expected distinct values, got a repeated one")
        }
        return SweepAxis(key: key, values: values)
    }
}

/// A sweep as described on the command line: grid axes (cartesian product), zipped axes
/// (paired, advancing together), constant `--set` overrides and seeds.
///
/// Expansion order is fixed: grid axes in command-line order (the first varies slowest), then
/// the zipped axes as one combined axis, then seeds innermost.
///
///     let spec = try SweepSpec(script: "train.lua",
///                              grid: [SweepAxis(key: "lr", values: ["0.1", "0.01"])],
///                              seeds: [1, 2])
///     spec.expand().map(\.seed)  // [1, 2, 1, 2]
public struct SweepSpec {
    /// Absolute, standardized path of the script, so ids do not depend on the current folder.
    public let script: String
    public let grid: [SweepAxis]
    public let zip: [SweepAxis]
    public let sets: [(String, String)]
    public let seeds: [Int]
    /// The script's `experiment.config` defaults when known (`descent sweep` probes the script):
    /// an override equal to its default does not change a run's id.
    public var defaults: [String: JSONValue] = [:]

    public init(script: String, grid: [SweepAxis] = [], zip: [SweepAxis] = [], sets: [(String, String)] = [],
                seeds: [Int] = [1]) throws {
        guard !script.isEmpty else { throw ExperimentError("sweep: expected a script path, got an empty one") }
        self.script = SweepSpec.absolutePath(script)
        self.grid = grid
        self.zip = zip
        self.sets = sets
        self.seeds = seeds
        var seen = Set<String>()
        for key in grid.map(\.key) + zip.map(\.key) + sets.map(\.0) {
            guard seen.insert(key).inserted else {
                throw ExperimentError("sweep: expected each key once across --grid, --zip and --set, got \"\(key)\" twice")
            }
        }
        if let first = zip.first, let bad = zip.first(where: { $0.values.count != first.values.count }) {
            throw ExperimentError("--zip: expected axes of equal length, got \(first.key) with \(first.values.count) "
                + "values and \(bad.key) with \(bad.values.count)")
        }
        guard !seeds.isEmpty else { throw ExperimentError("--seeds: expected at least one seed, got none") }
        guard Set(seeds).count == seeds.count else { throw ExperimentError("--seeds: expected distinct seeds, got a repeated one") }
        if let length = zip.first?.values.count {
            // Zipped axes may repeat values, but not a whole tuple (that would be one run twice).
            var tuples: [[String]: Int] = [:]
            for i in 0..<length {
                let tuple = zip.map { SweepEntry.canonicalKey($0.values[i]) }
                if let j = tuples[tuple] {
                    throw ExperimentError("--zip: expected distinct combinations, got positions \(j + 1) and \(i + 1) equal ("
                        + zip.map { "\($0.key)=\($0.values[i])" }.joined(separator: " ") + ")")
                }
                tuples[tuple] = i
            }
        }
    }

    /// The ordered entries of the sweep. Deterministic: the same spec always gives the same
    /// entries with the same ids, on any machine.
    public func expand() -> [SweepEntry] {
        var combos: [[(String, String)]] = [[]]
        for axis in grid {
            combos = combos.flatMap { prefix in axis.values.map { prefix + [(axis.key, $0)] } }
        }
        if let length = zip.first?.values.count {
            combos = combos.flatMap { prefix in (0..<length).map { i in prefix + zip.map { ($0.key, $0.values[i]) } } }
        }
        var entries: [SweepEntry] = []
        for combo in combos {
            for seed in seeds {
                let overrides = combo + sets
                entries.append(SweepEntry(index: entries.count, id: SweepEntry.id(script: script, overrides: overrides, seed: seed, defaults: defaults),
                                          overrides: overrides, seed: seed))
            }
        }
        return entries
    }

    /// Parses `--set key=value`.
    public static func parseSet(_ text: String) throws -> (String, String) {
        let (key, value) = try splitAssignment(text, option: "--set", expected: "key=value")
        return (key, value)
    }

    /// Parses `--seeds`: a list `1,2,3`, a count `5` (meaning 1...5), or a range `10..14`.
    ///
    ///     try SweepSpec.parseSeeds("3")      // [1, 2, 3]
    ///     try SweepSpec.parseSeeds("7..8")   // [7, 8]
    public static func parseSeeds(_ text: String) throws -> [Int] {
        let bad = ExperimentError("--seeds: expected a list (1,2,3), a count (5 = 1..5) or a range (10..14), got \"\(text)\"")
        if text.contains("..") {
            let parts = text.components(separatedBy: "..")
            guard parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo <= hi, hi - lo < 1_000_000 else { throw bad }
            return Array(lo...hi)
        }
        if text.contains(",") {
            let seeds = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
            guard !seeds.contains(where: { $0 == nil }) else { throw bad }
            return seeds.compactMap { $0 }
        }
        guard let count = Int(text), count >= 1, count <= 1_000_000 else { throw bad }
        return Array(1...count)
    }

    static func splitAssignment(_ text: String, option: String, expected: String) throws -> (String, String) {
        guard let eq = text.firstIndex(of: "=") else {
            throw ExperimentError("\(option): expected \(expected), got \"\(text)\"")
        }
        let key = String(text[..<eq])
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
        guard !key.isEmpty, key.allSatisfy(allowed.contains) else {
            throw ExperimentError("\(option) \(text): expected a key of letters, digits, '_', '.', '-', got \"\(key)\"")
        }
        return (key, String(text[text.index(after: eq)...]))
    }

    public static func absolutePath(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}

/// One run of a sweep.
public struct SweepEntry: Equatable {
    /// 0-based position in the expansion (the Slurm array index).
    public let index: Int
    /// Content hash of script, overrides and seed: the run's directory name.
    public let id: String
    /// key/value overrides in expansion order, passed as `--set key=value`.
    public let overrides: [(String, String)]
    public let seed: Int

    public init(index: Int, id: String, overrides: [(String, String)], seed: Int) {
        self.index = index
        self.id = id
        self.overrides = overrides
        self.seed = seed
    }

    public static func == (a: SweepEntry, b: SweepEntry) -> Bool {
        a.index == b.index && a.id == b.id && a.seed == b.seed
            && a.overrides.map(\.0) == b.overrides.map(\.0) && a.overrides.map(\.1) == b.overrides.map(\.1)
    }

    /// A command-line value as JSON: a finite number as a number, anything else as a string.
    static func canonical(_ value: String) -> JSONValue {
        if let d = Double(value.trimmingCharacters(in: .whitespaces)), d.isFinite { return .number(d) }
        if value == "true" || value == "false" { return .bool(value == "true") }
        return .string(value)
    }

    /// A default from the script as the value it would be on the command line.
    static func canonicalDefault(_ value: JSONValue) -> JSONValue {
        if let d = value.doubleValue { return .number(d) }
        return value
    }

    /// The canonical value as a comparable string (`1e-3` and `0.001` give the same key).
    static func canonicalKey(_ value: String) -> String { canonical(value).compactJSON }

    /// The run directory relative to the sweep directory.
    public var dir: String { "runs/" + id }

    /// `lr=0.1 depth=2 seed=1`, for progress lines and tables.
    public var label: String {
        (overrides.map { "\($0.0)=\($0.1)" } + ["seed=\(seed)"]).joined(separator: " ")
    }

    /// The first 12 hex digits of SHA-256 over the canonical JSON (keys sorted, compact) of
    /// `{"overrides": {...}, "script": FILE NAME, "seed": ...}`. Key order on the command line
    /// does not change an id, so a reordered or extended sweep finds its finished runs again; and
    /// only the script's file name counts, not its folder, so a sweep directory moved to another
    /// checkout or machine (cluster scratch to laptop) resumes instead of starting over.
    ///
    /// Values are canonical: a number is a JSON number however it was typed (`1e-3`, `0.001`
    /// and `.001` are one run), and an override equal to the script's default (`defaults`, from
    /// the script's `experiment.config`, when known) is left out, so setting a value to its
    /// default is the same run as not setting it.
    public static func id(script: String, overrides: [(String, String)], seed: Int, defaults: [String: JSONValue] = [:]) -> String {
        let sorted = overrides.sorted { $0.0 < $1.0 }
            .filter { key, value in defaults[key].map { canonicalDefault($0) != canonical(value) } ?? true }
            .map { ($0.0, canonical($0.1)) }
        let fileName = script.split(separator: "/").last.map(String.init) ?? script
        let identity = JSONValue.object([
            ("overrides", .object(sorted)), ("script", .string(fileName)), ("seed", .number(Double(seed))),
        ])
        return String(SHA256.hex(Array(identity.compactJSON.utf8)).prefix(12))
    }
}
