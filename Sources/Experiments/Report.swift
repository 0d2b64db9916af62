import Foundation

/// How a run's series of values becomes the one number a report compares.
public enum Reduction: String, CaseIterable {
    /// summary.json's value, else the last logged value.
    case last
    /// min for lower-is-better metrics, max otherwise.
    case best
    case min
    case max
}

/// What `descent report` computes.
public struct ReportOptions {
    /// Keys to group by; nil: every override key that varies across runs, except the seed.
    public var groupKeys: [String]?
    /// nil: the first key of the first summary.json, else `loss`.
    public var metric: String?
    public var reduce: Reduction
    /// nil: decided from `reduce` (min/max) or the metric's name (accuracy-like names are
    /// higher-is-better, everything else lower-is-better).
    public var lowerIsBetter: Bool?

    public init(groupKeys: [String]? = nil, metric: String? = nil, reduce: Reduction = .last, lowerIsBetter: Bool? = nil) {
        self.groupKeys = groupKeys
        self.metric = metric
        self.reduce = reduce
        self.lowerIsBetter = lowerIsBetter
    }
}

/// One row of a report: a group of runs sharing the values of the group keys.
public struct ReportGroup {
    /// group key → value, in group-key order.
    public let keys: [(String, String)]
    /// 1 = best; nil when no run of the group is done.
    public internal(set) var rank: Int?
    public let stats: DescriptiveStats
    /// Runs that failed, were interrupted, or finished without the metric.
    public let failed: Int
    public let diverged: Int
    /// The done runs that contributed a value.
    public let runs: [ReportRun]

    /// `lr=0.1 depth=2`, or `all` for a report without group keys.
    public var label: String { keys.isEmpty ? "all" : keys.map { "\($0.0)=\($0.1)" }.joined(separator: " ") }
}

/// Runs grouped and ranked by one metric.
///
///     let report = try Report(directory: out, options: ReportOptions(metric: "val_loss"))
///     print(ReportFormatter.render(report, as: .markdown))
public struct Report {
    public let metric: String
    public let reduce: Reduction
    public let lowerIsBetter: Bool
    public let groupKeys: [String]
    /// Ranked: best mean first, groups without done runs last.
    public internal(set) var groups: [ReportGroup]
    /// Runs not finished yet (running or missing), for a note under the table.
    public let pending: Int
    /// Runs whose status is done (with or without the metric).
    public let doneRuns: Int

    public init(directory: URL, options: ReportOptions = ReportOptions()) throws {
        try self.init(runs: ReportRun.load(from: directory), options: options)
    }

    public init(runs: [ReportRun], options: ReportOptions = ReportOptions()) throws {
        let metric = options.metric ?? Report.defaultMetric(runs)
        let lower = options.lowerIsBetter
            ?? (options.reduce == .min ? true : options.reduce == .max ? false : Report.lowerIsBetter(metric))
        let keys = try options.groupKeys.map { keys in
            let known = Set(runs.flatMap { $0.overrides.map(\.0) })
            if let bad = keys.first(where: { !known.contains($0) && $0 != "seed" }) {
                throw ExperimentError("--group: expected keys among \(known.sorted().joined(separator: ", ")), got \"\(bad)\"")
            }
            return keys
        } ?? Report.varyingKeys(runs)

        var order: [[String]] = []
        var members: [[String]: [ReportRun]] = [:]
        for run in runs {
            let values = keys.map { $0 == "seed" ? run.seed.map(String.init) ?? "" : run.value(of: $0) ?? "" }
            if members[values] == nil { order.append(values) }
            members[values, default: []].append(run)
        }
        var groups: [ReportGroup] = []
        var pending = 0
        for values in order {
            var numbers: [Double] = []
            var used: [ReportRun] = []
            var failed = 0
            var diverged = 0
            for run in members[values] ?? [] {
                switch run.status {
                case .done?:
                    if let v = Report.value(of: run, metric: metric, reduce: options.reduce, lowerIsBetter: lower) {
                        if v.isFinite { numbers.append(v); used.append(run) } else { diverged += 1 }
                    } else {
                        failed += 1
                    }
                case .diverged?: diverged += 1
                case .failed?, .interrupted?: failed += 1
                case .pruned?: break  // stopped early by the tuner: neither a result nor a failure
                case .running?, nil: pending += 1
                }
            }
            groups.append(ReportGroup(keys: Array(zip(keys, values)), rank: nil, stats: DescriptiveStats(numbers),
                                      failed: failed, diverged: diverged, runs: used))
        }
        // Stable sort: equal means keep manifest order.
        let ranked = groups.enumerated().sorted { a, b in
            let (x, y) = (a.element.stats.mean, b.element.stats.mean)
            if x.isNaN != y.isNaN { return !x.isNaN }
            if !x.isNaN, x != y { return lower ? x < y : x > y }
            return a.offset < b.offset
        }.map(\.element)
        self.groups = ranked.enumerated().map { i, g in
            var g = g
            g.rank = g.stats.n > 0 ? i + 1 : nil
            return g
        }
        self.metric = metric
        self.reduce = options.reduce
        self.lowerIsBetter = lower
        self.groupKeys = keys
        self.pending = pending
        doneRuns = runs.filter { $0.status == .done }.count
    }

    /// True when no done run reported the metric (probably a misspelled --metric).
    public var metricMissing: Bool {
        groups.allSatisfy { $0.stats.n == 0 } && (doneRuns > 0)
    }

    /// Metric names found in the first done run (summary keys, then logged keys), for hints.
    public static func metricNames(in runs: [ReportRun]) -> [String] {
        guard let run = runs.first(where: { $0.status == .done }) else { return [] }
        var names = RunReader.load(run.directory).summary?.map(\.0) ?? []
        for record in RunReader.metrics(in: run.directory) {
            for (key, value) in record where value.doubleValue != nil && !names.contains(key) { names.append(key) }
        }
        return names
    }

    /// The summary's first key of the first done run that wrote one, else `loss`.
    static func defaultMetric(_ runs: [ReportRun]) -> String {
        for run in runs where run.status == .done {
            if let key = RunReader.load(run.directory).summary?.first?.0 { return key }
        }
        return "loss"
    }

    /// Override keys (seed excluded) whose value is not the same in every run, first-seen order.
    static func varyingKeys(_ runs: [ReportRun]) -> [String] {
        var order: [String] = []
        var values: [String: Set<String>] = [:]
        for run in runs {
            for (k, v) in run.overrides where k != "seed" {
                if values[k] == nil { order.append(k) }
                values[k, default: []].insert(v)
            }
        }
        return order.filter { k in (values[k]?.count ?? 0) > 1 || runs.contains { $0.value(of: k) == nil } }
    }

    /// Accuracy-like names are higher-is-better; losses, errors and times lower-is-better.
    public static func lowerIsBetter(_ metric: String) -> Bool {
        let name = metric.lowercased()
        let higher = ["acc", "auc", "f1", "precision", "recall", "score", "reward", "return", "bleu", "iou", "r2", "map"]
        return !higher.contains(where: { name.contains($0) })
    }

    /// The number `reduce` picks for one run; nil if the run never reported the metric.
    static func value(of run: ReportRun, metric: String, reduce: Reduction, lowerIsBetter: Bool) -> Double? {
        let summaryValue = reduce == .last ? RunReader.load(run.directory).summary?.first(where: { $0.0 == metric })?.1.doubleValue : nil
        if let summaryValue { return summaryValue }
        let series = RunReader.metrics(in: run.directory).compactMap { record in record.first(where: { $0.0 == metric })?.1.doubleValue }
        if series.isEmpty {
            return RunReader.load(run.directory).summary?.first(where: { $0.0 == metric })?.1.doubleValue
        }
        if series.contains(where: { !$0.isFinite }) { return .nan }
        switch reduce {
        case .last: return series.last
        case .min: return series.min()
        case .max: return series.max()
        case .best: return lowerIsBetter ? series.min() : series.max()
        }
    }
}
