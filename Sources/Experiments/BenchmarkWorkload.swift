import Foundation

/// A workload of `descent benchmark` (benchmarks/workloads.lua): a problem with a validation
/// target and a step budget. Only the fields that scoring needs are read here; the problem and
/// its options reach the trial script, which reads the same file.
public struct BenchmarkWorkload: Equatable {
    public let name: String
    /// A key of the problem's evaluate() table.
    public let metric: String
    public let lowerIsBetter: Bool
    public let target: Double
    public let maxSteps: Int
    public let evalEvery: Int

    public init(name: String, metric: String, lowerIsBetter: Bool, target: Double, maxSteps: Int, evalEvery: Int) {
        self.name = name
        self.metric = metric
        self.lowerIsBetter = lowerIsBetter
        self.target = target
        self.maxSteps = maxSteps
        self.evalEvery = evalEvery
    }

    /// Whether a metric value meets the target.
    public func reaches(_ value: Double) -> Bool { value.isFinite && (lowerIsBetter ? value <= target : value >= target) }

    /// The workloads of a suite file (a JSON object, or a Lua table turned into one), sorted by
    /// name; errors name the workload and the field.
    public static func suite(_ json: JSONValue, path: String = "workloads") throws -> [BenchmarkWorkload] {
        guard let object = json.objectValue, !object.isEmpty else {
            throw ExperimentError("\(path): expected a table of name = {problem, metric, mode, target, max_steps, eval_every}")
        }
        return try object.map { name, value in try BenchmarkWorkload(json: value, name: name, path: "\(path).\(name)") }
            .sorted { $0.name < $1.name }
    }

    init(json: JSONValue, name: String, path: String) throws {
        guard json.objectValue != nil else { throw ExperimentError("\(path): expected a table, got \(json.compactJSON)") }
        guard let metric = json["metric"]?.stringValue else { throw ExperimentError("\(path).metric: expected a string") }
        guard let mode = json["mode"]?.stringValue, mode == "min" || mode == "max" else {
            throw ExperimentError("\(path).mode: expected \"min\" or \"max\", got \(json["mode"]?.compactJSON ?? "nothing")")
        }
        guard let target = json["target"]?.doubleValue, target.isFinite else {
            throw ExperimentError("\(path).target: expected a number, got \(json["target"]?.compactJSON ?? "nothing")")
        }
        guard let steps = json["max_steps"]?.intValue, steps >= 1 else {
            throw ExperimentError("\(path).max_steps: expected a positive integer, got \(json["max_steps"]?.compactJSON ?? "nothing")")
        }
        guard let every = json["eval_every"]?.intValue, every >= 1 else {
            throw ExperimentError("\(path).eval_every: expected a positive integer, got \(json["eval_every"]?.compactJSON ?? "nothing")")
        }
        self.init(name: name, metric: metric, lowerIsBetter: mode == "min", target: target, maxSteps: steps, evalEvery: every)
    }

    public var json: JSONValue {
        .object([("name", .string(name)), ("metric", .string(metric)), ("mode", .string(lowerIsBetter ? "min" : "max")),
                 ("target", .number(target)), ("max_steps", .number(Double(maxSteps))), ("eval_every", .number(Double(evalEvery)))])
    }

    public init(json: JSONValue) throws {
        guard let name = json["name"]?.stringValue else { throw ExperimentError("workload: expected a name") }
        try self.init(json: json, name: name, path: "workload \(name)")
    }
}
