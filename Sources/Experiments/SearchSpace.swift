import Foundation

/// A hyperparameter search space for `descent tune`, from JSON (or a Lua table turned into
/// JSON):
///
///     {"lr": {"log_uniform": [1e-4, 1]}, "wd": {"uniform": [0, 0.1]},
///      "steps": {"int": [10, 100]}, "opt": {"choice": ["adam", "sgd"]}, "eps": 1e-8}
///
/// A `choice` may instead map each option to a sub-space used only when that option is drawn
/// (conditional spaces, per optimizer):
///
///     {"opt": {"choice": {"adam": {"beta2": {"uniform": [0.9, 0.999]}},
///                         "sgd": {"momentum": {"uniform": [0, 0.99]}}}}}
///
/// Each distribution takes one coordinate of a point in [0, 1)^d (Sobol, random) — the
/// dimensions are the keys in order, conditional keys after them — so a trial is a pure
/// function of its point.
public struct SearchSpace {
    public indirect enum Distribution: Equatable {
        case fixed(JSONValue)
        case uniform(Double, Double)
        case logUniform(Double, Double)
        case int(Int, Int)
        case choice([String])
        case conditional([(String, [(String, Distribution)])])

        public static func == (a: Distribution, b: Distribution) -> Bool {
            switch (a, b) {
            case let (.fixed(x), .fixed(y)): return x == y
            case let (.uniform(x1, x2), .uniform(y1, y2)), let (.logUniform(x1, x2), .logUniform(y1, y2)): return x1 == y1 && x2 == y2
            case let (.int(x1, x2), .int(y1, y2)): return x1 == y1 && x2 == y2
            case let (.choice(x), .choice(y)): return x == y
            case let (.conditional(x), .conditional(y)):
                return x.map(\.0) == y.map(\.0) && zip(x, y).allSatisfy { $0.1.map(\.0) == $1.1.map(\.0) && zip($0.1, $1.1).allSatisfy { $0.1 == $1.1 } }
            default: return false
            }
        }
    }

    /// Keys in file order.
    public let entries: [(String, Distribution)]

    public init(entries: [(String, Distribution)]) { self.entries = entries }

    /// Parses the JSON object of a space; errors name the key and what was expected.
    public init(json: JSONValue, path: String = "space") throws {
        guard let object = json.objectValue else { throw ExperimentError("\(path): expected a JSON object of key: distribution") }
        entries = try object.map { key, value in (key, try SearchSpace.distribution(value, at: "\(path).\(key)")) }
        guard !entries.isEmpty else { throw ExperimentError("\(path): expected at least one key") }
    }

    public static func load(_ url: URL) throws -> SearchSpace {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw ExperimentError("--space: cannot read \(url.path)")
        }
        let json: JSONValue
        do { json = try JSONValue.parse(text) } catch { throw ExperimentError("--space \(url.lastPathComponent): \(error)") }
        return try SearchSpace(json: json, path: url.lastPathComponent)
    }

    static func distribution(_ value: JSONValue, at path: String) throws -> Distribution {
        guard let object = value.objectValue else {
            guard value.arrayValue == nil else { throw ExperimentError("\(path): expected a number, string, boolean or {distribution: ...}, got an array") }
            return .fixed(value)
        }
        guard object.count == 1, let (kind, arg) = object.first else {
            throw ExperimentError("\(path): expected one of log_uniform, uniform, int, choice, got \(value.compactJSON)")
        }
        func bounds() throws -> (Double, Double) {
            guard let a = arg.arrayValue, a.count == 2, let lo = a[0].doubleValue, let hi = a[1].doubleValue, lo.isFinite, hi.isFinite, lo < hi else {
                throw ExperimentError("\(path).\(kind): expected [low, high] with low < high, got \(arg.compactJSON)")
            }
            return (lo, hi)
        }
        switch kind {
        case "uniform":
            let (lo, hi) = try bounds()
            return .uniform(lo, hi)
        case "log_uniform":
            let (lo, hi) = try bounds()
            guard lo > 0 else { throw ExperimentError("\(path).log_uniform: expected positive bounds, got \(arg.compactJSON)") }
            return .logUniform(lo, hi)
        case "int":
            guard let a = arg.arrayValue, a.count == 2, let lo = a[0].doubleValue, let hi = a[1].doubleValue,
                  lo == lo.rounded(), hi == hi.rounded(), lo <= hi, abs(lo) < 1e15, abs(hi) < 1e15 else {
                throw ExperimentError("\(path).int: expected [low, high] integers with low <= high, got \(arg.compactJSON)")
            }
            return .int(Int(lo), Int(hi))
        case "choice":
            if let options = arg.arrayValue {
                guard !options.isEmpty else { throw ExperimentError("\(path).choice: expected at least one option") }
                return .choice(try options.map { o in
                    if let s = o.stringValue { return s }
                    if o.doubleValue != nil || o == .bool(true) || o == .bool(false) { return o.compactJSON }
                    throw ExperimentError("\(path).choice: expected numbers, strings or booleans, got \(o.compactJSON)")
                })
            }
            if let branches = arg.objectValue, !branches.isEmpty {
                return .conditional(try branches.map { option, sub in
                    guard let subObject = sub.objectValue else {
                        throw ExperimentError("\(path).choice.\(option): expected a sub-space object, got \(sub.compactJSON)")
                    }
                    return (option, try subObject.map { k, v in (k, try distribution(v, at: "\(path).\(option).\(k)")) })
                })
            }
            throw ExperimentError("\(path).choice: expected an array of options or an object of option: sub-space")
        default:
            throw ExperimentError("\(path): unknown distribution '\(kind)' (expected log_uniform, uniform, int, choice)")
        }
    }

    /// The number of coordinates a point needs: one per key, plus each conditional branch's
    /// keys (every branch has its own coordinates, so branches do not share draws).
    public var dimensions: Int {
        func count(_ list: [(String, Distribution)]) -> Int {
            list.reduce(0) { total, e in
                if case let .conditional(branches) = e.1 { return total + 1 + branches.reduce(0) { $0 + count($1.1) } }
                return total + 1
            }
        }
        return count(entries)
    }

    /// The overrides of the trial at point `u` (coordinates in [0, 1)), as `--set` values.
    public func sample(_ u: [Double]) -> [(String, String)] {
        var next = 0
        func take() -> Double {
            defer { next += 1 }
            return next < u.count ? min(max(u[next], 0), 0.999_999_999_999) : 0.5
        }
        func walk(_ list: [(String, Distribution)], into out: inout [(String, String)]) {
            for (key, d) in list {
                let x = take()
                switch d {
                case let .fixed(v): out.append((key, v.stringValue ?? v.compactJSON))
                case let .uniform(lo, hi): out.append((key, SearchSpace.short(lo + (hi - lo) * x)))
                case let .logUniform(lo, hi): out.append((key, SearchSpace.short(exp(log(lo) + (log(hi) - log(lo)) * x))))
                case let .int(lo, hi): out.append((key, String(lo + min(Int(Double(hi - lo + 1) * x), hi - lo))))
                case let .choice(options): out.append((key, options[min(Int(Double(options.count) * x), options.count - 1)]))
                case let .conditional(branches):
                    let chosen = min(Int(Double(branches.count) * x), branches.count - 1)
                    out.append((key, branches[chosen].0))
                    for (i, branch) in branches.enumerated() {
                        var sub: [(String, String)] = []
                        walk(branch.1, into: &sub)  // consumes this branch's coordinates either way
                        if i == chosen { out += sub }
                    }
                }
            }
        }
        var out: [(String, String)] = []
        walk(entries, into: &out)
        return out
    }

    /// The grid sampler's points: `perAxis` values for each continuous or integer key (log-spaced
    /// for log_uniform: cell midpoints), every option of a choice; conditional sub-spaces take
    /// their branch's midpoints.
    public func gridPoints(perAxis: Int) -> [[Double]] {
        var axes: [[Double]] = []
        func walk(_ list: [(String, Distribution)], top: Bool) {
            for (_, d) in list {
                let k: Int
                switch d {
                case .fixed: k = 1
                case let .choice(options): k = options.count
                case let .conditional(branches):
                    axes.append(top ? (0..<branches.count).map { (Double($0) + 0.5) / Double(branches.count) } : [0.5])
                    for b in branches { walk(b.1, top: false) }
                    continue
                case let .int(lo, hi): k = min(perAxis, hi - lo + 1)
                default: k = perAxis
                }
                axes.append(top ? (0..<k).map { (Double($0) + 0.5) / Double(k) } : [0.5])
            }
        }
        walk(entries, top: true)
        var points: [[Double]] = [[]]
        for axis in axes { points = points.flatMap { p in axis.map { p + [$0] } } }
        return points
    }

    /// A sampled number to 6 significant digits (`0.00341384`, not `0.0034138405477577567`):
    /// what a paper reports and a `--set` reproduces.
    static func short(_ v: Double) -> String {
        text(Double(String(format: "%.6g", v)) ?? v)
    }

    /// Numbers printed so they parse back to the same double (and read well: 0.003 not 3.0e-3).
    public static func text(_ v: Double) -> String {
        var out: [UInt8] = []
        JSONValue.appendNumber(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
