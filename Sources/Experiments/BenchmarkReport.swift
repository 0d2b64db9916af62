import Foundation

/// The score of several submissions on one suite: times to target, performance ratios, the
/// performance profile and its integrated score (AlgoPerf), and DeepOBS's per-workload
/// Performance / Speed / Tuneability table and learning-rate sensitivity.
///
///     let report = try BenchmarkReport(results: [adamw, nadamw, mine], workloads: suite)
///     print(report.markdown)
///     try report.profileSVG.write(to: url, atomically: true, encoding: .utf8)
public struct BenchmarkReport {
    public let results: [BenchmarkResult]
    public let workloads: [BenchmarkWorkload]
    /// Score by seconds to target instead of steps.
    public let bySeconds: Bool
    public let rMax: Double
    /// times[s][w]: the submission's time on the workload (∞: target missed).
    public let times: [[Double]]
    /// The other unit (seconds when scoring by steps, and the reverse), for the table.
    public let otherTimes: [[Double]]
    public let ratios: [[Double]]
    public let scores: [Double]

    /// Every result must have been measured on the same workloads (target, budget, metric).
    public init(results: [BenchmarkResult], workloads: [BenchmarkWorkload], bySeconds: Bool = false, rMax: Double = BenchmarkScore.defaultRMax) throws {
        guard !results.isEmpty else { throw ExperimentError("benchmark: no submissions to score") }
        var seen = Set<String>()
        for r in results {
            guard seen.insert(r.name).inserted else { throw ExperimentError("benchmark: two submissions are named '\(r.name)'") }
            for w in workloads {
                guard let theirs = r.workloads.first(where: { $0.name == w.name }) else {
                    throw ExperimentError("benchmark: the result of '\(r.name)' has no workload '\(w.name)' (re-run it on this suite)")
                }
                guard theirs == w else {
                    throw ExperimentError("benchmark: '\(r.name)' was measured on a different '\(w.name)' (\(theirs.json.compactJSON), now \(w.json.compactJSON)); re-run it")
                }
            }
        }
        self.results = results
        self.workloads = workloads
        self.bySeconds = bySeconds
        self.rMax = rMax
        times = results.map { r in workloads.map { r.time($0.name, bySeconds: bySeconds) } }
        otherTimes = results.map { r in workloads.map { r.time($0.name, bySeconds: !bySeconds) } }
        ratios = BenchmarkScore.ratios(times, rMax: rMax)
        scores = ratios.map { BenchmarkScore.score($0, rMax: rMax) }
    }

    var unit: String { bySeconds ? "seconds" : "steps" }

    static func text(_ v: Double, digits: Int = 3) -> String {
        guard v.isFinite else { return v.isNaN ? "–" : "inf" }
        if v == v.rounded() && abs(v) < 1e9 { return String(Int(v)) }
        return String(format: "%.\(digits)g", v)
    }

    /// Rows in submission order: name, score, then per workload time (ratio).
    public var markdown: String {
        let header = ["submission", "score"] + workloads.map(\.name)
        var lines = ["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
        for (s, r) in results.enumerated() {
            let cells = workloads.indices.map { w -> String in
                let t = times[s][w]
                return t.isFinite ? "\(Self.text(t)) (\(Self.text(ratios[s][w], digits: 3)))" : "inf"
            }
            lines.append("| " + ([r.name, String(format: "%.4f", scores[s])] + cells).joined(separator: " | ") + " |")
        }
        let note = "Cells: median over \(results.map(\.studies).max() ?? 0) studies of the best trial's \(unit) to target (performance ratio to the best submission); "
            + "inf: target missed or ratio above r_max. Score: ∫₁^\(Self.text(rMax)) ρ(τ) dτ / \(Self.text(rMax - 1))."
        return lines.joined(separator: "\n") + "\n\n" + note + "\n"
    }

    /// One row per submission × workload: both units, the ratio and the score.
    public var csv: String {
        var lines = ["submission,workload,metric,target,steps_to_target,seconds_to_target,ratio,score,trials_reached,trials"]
        for (s, r) in results.enumerated() {
            for (w, wl) in workloads.enumerated() {
                let (steps, seconds) = bySeconds ? (otherTimes[s][w], times[s][w]) : (times[s][w], otherTimes[s][w])
                let trials = r.trials.filter { $0.workload == wl.name }
                let hit = trials.filter { $0.time(bySeconds: false).isFinite }.count
                lines.append([r.name, wl.name, wl.metric, Self.text(wl.target, digits: 6), Self.text(steps, digits: 6), Self.text(seconds, digits: 6),
                              Self.text(ratios[s][w], digits: 6), String(format: "%.6f", scores[s]), String(hit), String(trials.count)]
                    .joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The performance profiles as step functions on [1, r_max].
    public var profileSVG: String {
        let curves = results.enumerated().map { s, r -> CurveSeries in
            let steps = BenchmarkScore.profileSteps(ratios[s], rMax: rMax)
            return CurveSeries(label: "\(r.name) (\(String(format: "%.3f", scores[s])))", x: steps.map(\.0), mean: steps.map(\.1),
                               std: steps.map { _ in 0 })
        }
        return SVGPlot(title: "Performance profiles (\(unit) to target, \(workloads.count) workloads)", xLabel: "τ (performance ratio)",
                       yLabel: "ρ(τ): fraction of workloads within τ of the best").render(curves)
    }

    // DeepOBS ------------------------------------------------------------------------------

    /// DeepOBS's learning-rate sensitivity on one workload: the final metric of every trial
    /// against its learning rate (log10), one line per submission, sorted by lr.
    public func sensitivitySVG(_ workload: BenchmarkWorkload) -> String {
        let curves = results.compactMap { r -> CurveSeries? in
            let points = r.trials.filter { $0.workload == workload.name }
                .compactMap { t -> (Double, Double)? in
                    guard let lr = t.number("lr"), lr > 0, let m = t.finalMetric, m.isFinite else { return nil }
                    return (log10(lr), m)
                }.sorted { $0.0 < $1.0 }
            guard !points.isEmpty else { return nil }
            return CurveSeries(label: r.name, x: points.map(\.0), mean: points.map(\.1), std: points.map { _ in 0 })
        }
        return SVGPlot(title: "\(workload.name): \(workload.metric) at the end of each trial (target \(Self.text(workload.target)))",
                       xLabel: "log10(learning rate)", yLabel: workload.metric).render(curves)
    }

    /// Per workload and submission: Performance (the best final metric of any trial), Speed
    /// (the median over studies of the best trial's steps to target, as the score uses), and
    /// Tuneability (the fraction of all trials that reached the target: how likely a draw from
    /// the search space is good enough).
    public var deepOBSMarkdown: String {
        var lines = ["| workload | submission | performance | speed (steps) | tuneability |", "|---|---|---|---|---|"]
        for wl in workloads {
            for r in results {
                let trials = r.trials.filter { $0.workload == wl.name }
                let finals = trials.compactMap(\.finalMetric).filter(\.isFinite)
                let best = wl.lowerIsBetter ? finals.min() : finals.max()
                let hit = trials.filter { $0.time(bySeconds: false).isFinite }.count
                let tune = trials.isEmpty ? "–" : String(format: "%.2f (%d/%d)", Double(hit) / Double(trials.count), hit, trials.count)
                lines.append("| \(wl.name) | \(r.name) | \(best.map { Self.text($0, digits: 4) } ?? "–") | \(Self.text(r.time(wl.name, bySeconds: false))) | \(tune) |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
