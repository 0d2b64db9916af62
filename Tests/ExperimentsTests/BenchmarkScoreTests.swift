import Foundation
import Testing
@testable import Experiments

/// AlgoPerf's scoring on hand-computed examples.
@Suite struct BenchmarkScoreTests {
    let inf = Double.infinity

    @Test func studyTimeIsTheBestTrialAndTheWorkloadTimeTheMedianOverStudies() {
        #expect(BenchmarkScore.studyTime([40, inf, 25]) == 25)
        #expect(BenchmarkScore.studyTime([inf, inf]) == inf)
        // Three studies: best trials 25, 60, ∞ → median 60.
        #expect(BenchmarkScore.workloadTime(studies: [[40, inf, 25], [60, 80, inf], [inf, inf, inf]]) == 60)
        // Two studies: the mean of the two middle values; a missed study makes it ∞.
        #expect(BenchmarkScore.workloadTime(studies: [[30, 50], [70]]) == 50)
        #expect(BenchmarkScore.workloadTime(studies: [[30], [inf]]) == inf)
        #expect(BenchmarkScore.median([5, 1, 3, 2]) == 2.5)
    }

    /// Three submissions, three workloads:
    ///   times   s1 = [10, 20, ∞], s2 = [20, 20, 30], s3 = [50, ∞, ∞]; best per workload [10, 20, 30]
    ///   ratios  s1 = [1, 1, ∞],  s2 = [2, 1, 1],     s3 = [5 > r_max → ∞, ∞, ∞]
    ///   score   s1 = ((4−1) + (4−1) + 0) / 3 / 3 = 2/3; s2 = ((4−2) + 3 + 3) / 9 = 8/9; s3 = 0.
    @Test func ratiosProfilesAndScoresMatchHandComputation() {
        let times: [[Double]] = [[10, 20, inf], [20, 20, 30], [50, inf, inf]]
        let r = BenchmarkScore.ratios(times)
        #expect(r[0] == [1, 1, inf])
        #expect(r[1] == [2, 1, 1])
        #expect(r[2] == [inf, inf, inf])
        #expect(abs(BenchmarkScore.score(r[0]) - 2.0 / 3) < 1e-12)
        #expect(abs(BenchmarkScore.score(r[1]) - 8.0 / 9) < 1e-12)
        #expect(BenchmarkScore.score(r[2]) == 0)
        #expect(BenchmarkScore.profile(r[1], at: 1) == 2.0 / 3)
        #expect(BenchmarkScore.profile(r[1], at: 1.99) == 2.0 / 3)
        #expect(BenchmarkScore.profile(r[1], at: 2) == 1)
        #expect(BenchmarkScore.profile(r[0], at: 4) == 2.0 / 3)
        // With r_max = 6 the ratio 5 counts: s3 = (6 − 5) / 3 / 5.
        let wide = BenchmarkScore.ratios(times, rMax: 6)
        #expect(wide[2][0] == 5)
        #expect(abs(BenchmarkScore.score(wide[2], rMax: 6) - 1.0 / 15) < 1e-12)
    }

    /// The closed form equals the integral of the step function computed numerically.
    @Test func scoreIsTheIntegralOfTheProfile() {
        let ratios: [Double] = [1, 1.3, 2.75, 3.999, inf, 1.05]
        let n = 300_000
        var area = 0.0
        for i in 0..<n {
            let tau = 1 + 3 * (Double(i) + 0.5) / Double(n)
            area += BenchmarkScore.profile(ratios, at: tau) * 3 / Double(n)
        }
        #expect(abs(BenchmarkScore.score(ratios) - area / 3) < 1e-5)
        let steps = BenchmarkScore.profileSteps(ratios)
        #expect(steps.first! == (1, 0) || (steps.first!.0 == 1 && steps.first!.1 == 0))
        #expect(steps.last!.0 == 4 && abs(steps.last!.1 - 5.0 / 6) < 1e-12)
        #expect(steps.contains { $0.0 == 1 && abs($0.1 - 1.0 / 6) < 1e-12 })
    }

    func trial(_ w: String, _ study: Int, _ i: Int, lr: Double, steps: Double?, final: Double) -> BenchmarkTrial {
        BenchmarkTrial(workload: w, study: study, trial: i, config: [("lr", SearchSpace.text(lr))], status: "done", steps: steps,
                       seconds: steps.map { $0 / 100 }, finalMetric: final, bestMetric: final)
    }

    /// Results on the same suite are scored together; the tables carry the hand-computed numbers.
    @Test func reportTablesAndChecks() throws {
        let a = BenchmarkWorkload(name: "a", metric: "loss", lowerIsBetter: true, target: 1, maxSteps: 100, evalEvery: 10)
        let b = BenchmarkWorkload(name: "b", metric: "acc", lowerIsBetter: false, target: 0.9, maxSteps: 100, evalEvery: 10)
        // x: a → studies best 20, 40 → 30; b → 50, ∞ → ∞.   y: a → 60, 60 → 60; b → 30, 50 → 40.
        let x = BenchmarkResult(name: "x", space: .null, trialsPerStudy: 2, studies: 2, workloads: [a, b], trials: [
            trial("a", 1, 1, lr: 0.1, steps: 20, final: 0.5), trial("a", 1, 2, lr: 1, steps: nil, final: 3),
            trial("a", 2, 1, lr: 0.01, steps: 40, final: 0.9), trial("a", 2, 2, lr: 0.3, steps: 70, final: 0.8),
            trial("b", 1, 1, lr: 0.1, steps: 50, final: 0.95), trial("b", 1, 2, lr: 1, steps: nil, final: 0.1),
            trial("b", 2, 1, lr: 0.01, steps: nil, final: 0.5), trial("b", 2, 2, lr: 0.3, steps: nil, final: 0.85),
        ])
        let y = BenchmarkResult(name: "y", space: .null, trialsPerStudy: 1, studies: 2, workloads: [a, b], trials: [
            trial("a", 1, 1, lr: 0.1, steps: 60, final: 0.7), trial("a", 2, 1, lr: 0.2, steps: 60, final: 0.7),
            trial("b", 1, 1, lr: 0.1, steps: 30, final: 0.95), trial("b", 2, 1, lr: 0.2, steps: 50, final: 0.92),
        ])
        let report = try BenchmarkReport(results: [x, y], workloads: [a, b])
        #expect(report.times == [[30, inf], [60, 40]])
        #expect(report.ratios == [[1, inf], [2, 1]])
        #expect(abs(report.scores[0] - 0.5) < 1e-12)    // (3 + 0) / 2 / 3
        #expect(abs(report.scores[1] - 5.0 / 6) < 1e-12)  // (2 + 3) / 2 / 3
        #expect(report.markdown.contains("| x | 0.5000 | 30 (1) | inf |"), "\(report.markdown)")
        #expect(report.markdown.contains("| y | 0.8333 | 60 (2) | 40 (1) |"), "\(report.markdown)")
        #expect(report.csv.contains("x,a,loss,1,30,0.3,1,0.500000,3,4"), "\(report.csv)")
        // Seconds: x a → studies 0.2, 0.4 → 0.3; y a → 0.6.
        let bySeconds = try BenchmarkReport(results: [x, y], workloads: [a, b], bySeconds: true)
        #expect(bySeconds.times[0][0] == 0.30000000000000004 || abs(bySeconds.times[0][0] - 0.3) < 1e-12)
        // DeepOBS: performance is the best final metric, tuneability the fraction of trials that hit.
        #expect(report.deepOBSMarkdown.contains("| a | x | 0.5 | 30 | 0.75 (3/4) |"), "\(report.deepOBSMarkdown)")
        #expect(report.deepOBSMarkdown.contains("| b | y | 0.95 | 40 | 1.00 (2/2) |"), "\(report.deepOBSMarkdown)")
        #expect(report.profileSVG.contains("<polyline") && report.profileSVG.contains("y (0.833)"))
        #expect(report.sensitivitySVG(a).contains("<polyline"))
        // A result measured on another target is refused, naming it.
        let moved = BenchmarkWorkload(name: "a", metric: "loss", lowerIsBetter: true, target: 0.5, maxSteps: 100, evalEvery: 10)
        #expect(throws: ExperimentError.self) { try BenchmarkReport(results: [x], workloads: [moved, b]) }
        // Results survive their JSON form.
        let back = try BenchmarkResult(json: JSONValue.parse(x.json.prettyJSON))
        #expect(back.trials == x.trials && back.workloads == x.workloads && back.name == "x")
    }

    @Test func workloadSuitesAreCheckedAndPlansCoverTheProtocol() throws {
        let suite = try BenchmarkWorkload.suite(JSONValue.parse(#"""
            {"q": {"problem": "quadratic", "metric": "loss", "mode": "min", "target": 1, "max_steps": 50, "eval_every": 5},
             "m": {"problem": "mlp", "metric": "test_accuracy", "mode": "max", "target": 0.8, "max_steps": 40, "eval_every": 10}}
            """#))
        #expect(suite.map(\.name) == ["m", "q"])
        #expect(suite[1].reaches(0.9) && !suite[1].reaches(1.1) && suite[0].reaches(0.8) && !suite[0].reaches(.nan))
        #expect(throws: ExperimentError.self) {
            try BenchmarkWorkload.suite(JSONValue.parse(#"{"q": {"metric": "loss", "mode": "down", "target": 1, "max_steps": 5, "eval_every": 1}}"#))
        }
        let space = try SearchSpace(json: JSONValue.parse(#"{"optimizer": "adamw", "lr": {"log_uniform": [1e-4, 1]}, "weight_decay": 0.1}"#))
        let plan = try BenchmarkPlan(script: "/tmp/w.lua", workloadsFile: "/tmp/wl.lua", workloads: suite, space: space, trials: 3, studies: 2)
        #expect(plan.manifest.entries.count == 2 * 2 * 3)
        #expect(Set(plan.manifest.entries.map(\.id)).count == 12)
        let first = plan.manifest.entries[0]
        #expect(first.seed == 1 && first.overrides.contains { $0 == ("options", "lr,weight_decay") })
        // Study k draws from its own scrambled sequence: study 1 and 2 differ, workloads share a study's draws.
        let lrs = plan.slots.map { s in s.config.first { $0.0 == "lr" }!.1 }
        #expect(Array(lrs[0..<3]) == Array(lrs[3..<6]) && Array(lrs[0..<3]) != Array(lrs[6..<9]))
        #expect(throws: ExperimentError.self) {
            try BenchmarkPlan(script: "/tmp/w.lua", workloadsFile: "/tmp/wl.lua", workloads: suite,
                              space: SearchSpace(json: JSONValue.parse(#"{"momentum": 0.9}"#)), trials: 2, studies: 1)
        }
    }
}
