import Foundation

/// AlgoPerf's scoring (Dahl et al. 2023, "Benchmarking Neural Network Training Algorithms"),
/// as pure functions of times to target. A time is steps (or seconds); `.infinity` means the
/// target was not reached.
///
/// - External tuning: a study is N trials; its time is the best (smallest) trial time. A
///   submission's time on a workload is the median over its K studies.
/// - Performance ratio r(s, w) = t(s, w) / min over submissions of t(·, w); a ratio above r_max
///   (or an infinite time) counts as infinite.
/// - Performance profile ρ_s(τ) = fraction of workloads with r(s, w) ≤ τ.
/// - Score B_s = ∫₁^r_max ρ_s(τ) dτ / (r_max − 1), in [0, 1]. ρ_s is a step function, so the
///   integral is exact: Σ_w max(0, r_max − r(s, w)) / |W| (AlgoPerf integrates on a grid).
///
///     let t = BenchmarkScore.workloadTime(studies: [[40, .infinity], [60, 80], [.infinity, .infinity]])  // 60
public enum BenchmarkScore {
    public static let defaultRMax = 4.0

    /// The best time among a study's trials (∞ when none reached the target).
    public static func studyTime(_ trials: [Double]) -> Double {
        trials.filter { !$0.isNaN }.min() ?? .infinity
    }

    /// The median; with an even count, the mean of the middle two (∞ if either is ∞).
    public static func median(_ values: [Double]) -> Double {
        let s = values.map { $0.isNaN ? .infinity : $0 }.sorted()
        guard !s.isEmpty else { return .infinity }
        let mid = s.count / 2
        return s.count % 2 == 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2
    }

    /// A workload's time for one submission: the median over studies of each study's best trial.
    public static func workloadTime(studies: [[Double]]) -> Double { median(studies.map(studyTime)) }

    /// Performance ratios: `times[s][w]` → `ratios[s][w]`, against the best submission per
    /// workload; ratios above `rMax` and infinite times are `.infinity`.
    public static func ratios(_ times: [[Double]], rMax: Double = defaultRMax) -> [[Double]] {
        guard let width = times.first?.count else { return [] }
        let best = (0..<width).map { w in times.map { $0[w] }.min() ?? .infinity }
        return times.map { row in
            zip(row, best).map { t, b in
                guard t.isFinite, b.isFinite else { return .infinity }
                let r = b > 0 ? t / b : (t == 0 ? 1 : .infinity)
                return r <= rMax ? r : .infinity
            }
        }
    }

    /// ρ(τ): the fraction of workloads whose ratio is at most τ.
    public static func profile(_ ratios: [Double], at tau: Double) -> Double {
        guard !ratios.isEmpty else { return 0 }
        return Double(ratios.filter { $0 <= tau }.count) / Double(ratios.count)
    }

    /// The integrated score: ∫₁^rMax ρ(τ) dτ / (rMax − 1).
    public static func score(_ ratios: [Double], rMax: Double = defaultRMax) -> Double {
        guard !ratios.isEmpty, rMax > 1 else { return 0 }
        let area = ratios.reduce(0.0) { sum, r in r.isFinite && r <= rMax ? sum + (rMax - max(1, r)) : sum }
        return area / Double(ratios.count) / (rMax - 1)
    }

    /// The profile as a step function on [1, rMax]: the (τ, ρ) corners of a line plot that
    /// jumps at every ratio.
    public static func profileSteps(_ ratios: [Double], rMax: Double = defaultRMax) -> [(Double, Double)] {
        let jumps = Array(Set(ratios.filter { $0.isFinite && $0 <= rMax }.map { max(1, $0) })).sorted()
        var points: [(Double, Double)] = [(1, profile(ratios, at: 1 - 1e-12))]
        for t in jumps {
            points.append((t, profile(ratios, at: t.nextDown)))
            points.append((t, profile(ratios, at: t)))
        }
        points.append((rMax, profile(ratios, at: rMax)))
        // Drop repeated corners (a ratio of exactly 1 starts the curve above 0).
        var out: [(Double, Double)] = []
        for p in points where out.last.map({ $0.0 != p.0 || $0.1 != p.1 }) ?? true { out.append(p) }
        return out
    }
}
