import FileIO
import Foundation

/// One trial of a benchmark study: its configuration and whether (and when) it reached the
/// workload's target.
public struct BenchmarkTrial: Equatable {
    public let workload: String
    /// 1-based study and trial numbers.
    public let study: Int
    public let trial: Int
    /// The sampled hyperparameters (the space's keys), as `--set` values.
    public let config: [(String, String)]
    /// done, failed, pruned, ... (the run's status; "missing" when it never ran).
    public let status: String
    public let steps: Double?
    public let seconds: Double?
    /// The last evaluated value of the workload's metric, and the best one.
    public let finalMetric: Double?
    public let bestMetric: Double?

    public init(workload: String, study: Int, trial: Int, config: [(String, String)], status: String,
                steps: Double?, seconds: Double?, finalMetric: Double?, bestMetric: Double?) {
        self.workload = workload
        self.study = study
        self.trial = trial
        self.config = config
        self.status = status
        self.steps = steps
        self.seconds = seconds
        self.finalMetric = finalMetric
        self.bestMetric = bestMetric
    }

    public static func == (a: BenchmarkTrial, b: BenchmarkTrial) -> Bool {
        a.workload == b.workload && a.study == b.study && a.trial == b.trial && a.config.map(\.0) == b.config.map(\.0)
            && a.config.map(\.1) == b.config.map(\.1) && a.status == b.status && a.steps == b.steps && a.seconds == b.seconds
            && a.finalMetric == b.finalMetric && a.bestMetric == b.bestMetric
    }

    /// Steps or seconds to target; ∞ when the trial did not reach it.
    public func time(bySeconds: Bool) -> Double { (bySeconds ? seconds : steps) ?? .infinity }

    /// A hyperparameter as a number (nil when absent or not numeric).
    public func number(_ key: String) -> Double? { config.first { $0.0 == key }.flatMap { Double($0.1) } }

    var json: JSONValue {
        func num(_ v: Double?) -> JSONValue { v.map { $0.isFinite ? .number($0) : .null } ?? .null }
        return .object([("workload", .string(workload)), ("study", .number(Double(study))), ("trial", .number(Double(trial))),
                        ("config", .object(config.map { ($0.0, SweepEntry.canonical($0.1)) })), ("status", .string(status)),
                        ("steps_to_target", num(steps)), ("seconds_to_target", num(seconds)),
                        ("final_metric", num(finalMetric)), ("best_metric", num(bestMetric))])
    }

    init(json: JSONValue) throws {
        guard let w = json["workload"]?.stringValue, let s = json["study"]?.intValue, let t = json["trial"]?.intValue,
              let config = json["config"]?.objectValue, let status = json["status"]?.stringValue else {
            throw ExperimentError("trial: expected workload, study, trial, config and status, got \(json.compactJSON)")
        }
        self.init(workload: w, study: s, trial: t, config: config.map { ($0.0, $0.1.stringValue ?? $0.1.compactJSON) }, status: status,
                  steps: json["steps_to_target"]?.doubleValue, seconds: json["seconds_to_target"]?.doubleValue,
                  finalMetric: json["final_metric"]?.doubleValue, bestMetric: json["best_metric"]?.doubleValue)
    }
}

/// Everything a submission's benchmark produced: the protocol, the workloads as they were and
/// every trial. benchmarks/results/<name>.json holds one per baseline, so a new submission is
/// scored against them without re-running them.
public struct BenchmarkResult {
    public let name: String
    /// The search space file's JSON.
    public let space: JSONValue
    public let trialsPerStudy: Int
    public let studies: Int
    public let workloads: [BenchmarkWorkload]
    public let trials: [BenchmarkTrial]
    /// Free-form provenance (descent version, command, wall time).
    public let provenance: [(String, JSONValue)]

    public init(name: String, space: JSONValue, trialsPerStudy: Int, studies: Int, workloads: [BenchmarkWorkload],
                trials: [BenchmarkTrial], provenance: [(String, JSONValue)] = []) {
        self.name = name
        self.space = space
        self.trialsPerStudy = trialsPerStudy
        self.studies = studies
        self.workloads = workloads
        self.trials = trials
        self.provenance = provenance
    }

    /// Per study, the trials' times to target on `workload` (∞ for a miss).
    public func studyTimes(_ workload: String, bySeconds: Bool) -> [[Double]] {
        (1...max(studies, 1)).map { k in trials.filter { $0.workload == workload && $0.study == k }.map { $0.time(bySeconds: bySeconds) } }
    }

    /// The submission's time on `workload`: median over studies of the best trial.
    public func time(_ workload: String, bySeconds: Bool) -> Double {
        BenchmarkScore.workloadTime(studies: studyTimes(workload, bySeconds: bySeconds))
    }

    public var json: JSONValue {
        .object([("name", .string(name)), ("space", space), ("trials_per_study", .number(Double(trialsPerStudy))),
                 ("studies", .number(Double(studies))), ("workloads", .array(workloads.map(\.json))),
                 ("trials", .array(trials.map(\.json))), ("provenance", .object(provenance))])
    }

    public init(json: JSONValue, path: String = "result") throws {
        guard let name = json["name"]?.stringValue, let n = json["trials_per_study"]?.intValue, let k = json["studies"]?.intValue,
              let w = json["workloads"]?.arrayValue, let t = json["trials"]?.arrayValue else {
            throw ExperimentError("\(path): expected a benchmark result (name, trials_per_study, studies, workloads, trials)")
        }
        self.init(name: name, space: json["space"] ?? .null, trialsPerStudy: n, studies: k, workloads: try w.map(BenchmarkWorkload.init(json:)),
                  trials: try t.map(BenchmarkTrial.init(json:)), provenance: json["provenance"]?.objectValue ?? [])
    }

    public static func load(_ url: URL) throws -> BenchmarkResult {
        let json: JSONValue
        do { json = try RunReader.readJSON(url) } catch { throw ExperimentError("\(url.path): \(error)") }
        return try BenchmarkResult(json: json, path: url.lastPathComponent)
    }

    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(json.prettyJSON, to: url)
    }

    /// The trials of a finished (or partly finished) benchmark directory, from its runs' summaries.
    public static func collect(_ plan: BenchmarkPlan, directory: URL) -> [BenchmarkTrial] {
        plan.slots.map { slot in
            let dir = SweepManifest.runDirectory(plan.manifest.entries[slot.entry], in: directory)
            let run = RunReader.load(dir)
            let summary = run.summary ?? []
            func value(_ key: String) -> Double? { summary.first { $0.0 == key }?.1.doubleValue.flatMap { $0.isFinite ? $0 : nil } }
            let reached = summary.first { $0.0 == "reached" }?.1.boolValue == true && run.isDone
            return BenchmarkTrial(workload: slot.workload, study: slot.study, trial: slot.trial, config: slot.config,
                                  status: run.status?.status.rawValue ?? "missing",
                                  steps: reached ? value("steps_to_target") : nil, seconds: reached ? value("seconds_to_target") : nil,
                                  finalMetric: value("final_metric"), bestMetric: value("best_metric"))
        }
    }
}
