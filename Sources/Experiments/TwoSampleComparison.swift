import Foundation

/// Two-sample comparisons for `descent report --compare`: Welch's t-test, the Mann–Whitney U
/// test, a bootstrap confidence interval of the difference of means, effect sizes, and Holm's
/// correction for testing several pairs. Definitions follow scipy.stats (1.17) so that a report
/// can be checked against it: `ttest_ind(equal_var=False)`, `mannwhitneyu` (method "auto",
/// continuity correction), two-sided.
///
///     let c = TwoSampleComparison(a: [0.91, 0.93, 0.92], b: [0.88, 0.90, 0.87], seed: 1)
///     (c.welchP, c.mannWhitneyP, c.cohensD)
public struct TwoSampleComparison: Equatable {
    public let n1: Int
    public let n2: Int
    /// mean(a) − mean(b).
    public let meanDifference: Double
    /// Welch's t statistic and its degrees of freedom (Welch–Satterthwaite), two-sided p.
    public let welchT: Double
    public let welchDF: Double
    public let welchP: Double
    /// U of the first sample (scipy's `statistic`) and the two-sided p-value.
    public let mannWhitneyU: Double
    public let mannWhitneyP: Double
    /// Percentile bootstrap 95 % interval of mean(a) − mean(b) (seeded resampling of each
    /// sample with replacement).
    public let bootstrapLow: Double
    public let bootstrapHigh: Double
    /// Cohen's d with the pooled standard deviation, Hedges' g (small-sample corrected), and the
    /// rank-biserial correlation 2U/(n1·n2) − 1 (positive when a tends to be larger).
    public let cohensD: Double
    public let hedgesG: Double
    public let rankBiserial: Double

    public init(a: [Double], b: [Double], resamples: Int = 10_000, confidence: Double = 0.95, seed: UInt64 = 0) {
        n1 = a.count
        n2 = b.count
        let m1 = Self.mean(a), m2 = Self.mean(b)
        let v1 = Self.variance(a), v2 = Self.variance(b)
        meanDifference = m1 - m2
        // Welch.
        let s1 = v1 / Double(n1), s2 = v2 / Double(n2)
        welchT = (m1 - m2) / (s1 + s2).squareRoot()
        welchDF = (s1 + s2) * (s1 + s2) / (s1 * s1 / Double(n1 - 1) + s2 * s2 / Double(n2 - 1))
        welchP = welchT.isFinite ? StudentT.twoSidedP(t: welchT, df: welchDF) : .nan
        // Mann–Whitney.
        let (u, p) = MannWhitney.test(a, b)
        mannWhitneyU = u
        mannWhitneyP = p
        // Bootstrap.
        (bootstrapLow, bootstrapHigh) = Self.bootstrapInterval(a, b, resamples: resamples, confidence: confidence, seed: seed)
        // Effect sizes.
        let pooled = ((Double(n1 - 1) * v1 + Double(n2 - 1) * v2) / Double(n1 + n2 - 2)).squareRoot()
        cohensD = (m1 - m2) / pooled
        hedgesG = cohensD * (1 - 3 / (4 * Double(n1 + n2) - 9))
        rankBiserial = n1 > 0 && n2 > 0 ? 2 * u / Double(n1 * n2) - 1 : .nan
    }

    public static func == (x: Self, y: Self) -> Bool {
        func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
        return x.n1 == y.n1 && x.n2 == y.n2 && same(x.welchT, y.welchT) && same(x.welchP, y.welchP)
            && same(x.mannWhitneyU, y.mannWhitneyU) && same(x.mannWhitneyP, y.mannWhitneyP)
            && same(x.bootstrapLow, y.bootstrapLow) && same(x.bootstrapHigh, y.bootstrapHigh)
    }

    static func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }

    /// Sample variance (n − 1); NaN for fewer than two values.
    static func variance(_ v: [Double]) -> Double {
        guard v.count > 1 else { return .nan }
        let m = mean(v)
        return v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)
    }

    static func bootstrapInterval(_ a: [Double], _ b: [Double], resamples: Int, confidence: Double, seed: UInt64)
        -> (Double, Double) {
        guard !a.isEmpty, !b.isEmpty, resamples > 0 else { return (.nan, .nan) }
        var rng = SplitMix64(seed: seed)
        var diffs = [Double](repeating: 0, count: resamples)
        for r in 0..<resamples {
            var s1 = 0.0, s2 = 0.0
            for _ in 0..<a.count { s1 += a[Int(rng.next() % UInt64(a.count))] }
            for _ in 0..<b.count { s2 += b[Int(rng.next() % UInt64(b.count))] }
            diffs[r] = s1 / Double(a.count) - s2 / Double(b.count)
        }
        diffs.sort()
        let alpha = (1 - confidence) / 2
        return (DescriptiveStats.quantile(sorted: diffs, alpha), DescriptiveStats.quantile(sorted: diffs, 1 - alpha))
    }

    /// Holm's step-down adjustment of p-values (family-wise error), in the input order:
    /// sorted ascending, p₍ᵢ₎ becomes max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎). NaNs stay NaN
    /// and do not count in m.
    public static func holm(_ p: [Double]) -> [Double] {
        let order = p.indices.filter { !p[$0].isNaN }.sorted { p[$0] < p[$1] }
        var adjusted = p
        var running = 0.0
        for (rank, i) in order.enumerated() {
            running = max(running, min(1, Double(order.count - rank) * p[i]))
            adjusted[i] = running
        }
        return adjusted
    }
}

/// SplitMix64: a small, fast, seedable generator for resampling (statistics, not tensors).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The Mann–Whitney U test as scipy.stats.mannwhitneyu(method="auto", use_continuity=True,
/// alternative="two-sided"): the exact null distribution when a sample has at most 8 values and
/// there are no ties, the tie-corrected normal approximation otherwise.
enum MannWhitney {
    /// (U of the first sample, two-sided p).
    static func test(_ a: [Double], _ b: [Double]) -> (Double, Double) {
        let n1 = a.count, n2 = b.count
        guard n1 > 0, n2 > 0 else { return (.nan, .nan) }
        // Mid-ranks of the pooled sample, and the sizes of tied groups.
        let pooled = (a.map { ($0, 0) } + b.map { ($0, 1) }).sorted { $0.0 < $1.0 }
        var ranks = [Double](repeating: 0, count: pooled.count)
        var ties: [Int] = []
        var i = 0
        while i < pooled.count {
            var j = i
            while j + 1 < pooled.count && pooled[j + 1].0 == pooled[i].0 { j += 1 }
            let mid = Double(i + j + 2) / 2
            for k in i...j { ranks[k] = mid }
            ties.append(j - i + 1)
            i = j + 1
        }
        let r1 = zip(pooled, ranks).filter { $0.0.1 == 0 }.reduce(0) { $0 + $1.1 }
        let u1 = r1 - Double(n1 * (n1 + 1)) / 2
        let u2 = Double(n1 * n2) - u1
        let u = max(u1, u2)
        let hasTies = ties.contains { $0 > 1 }
        var p: Double
        if (n1 > 8 && n2 > 8) || hasTies {
            let n = Double(n1 + n2)
            let tieTerm = ties.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) }
            let s = (Double(n1 * n2) / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
            let z = (u - Double(n1 * n2) / 2 - 0.5) / s
            p = 2 * 0.5 * erfc(z / 2.0.squareRoot())
        } else {
            p = 2 * exactSurvival(Int(u), n1, n2)
        }
        p = min(max(p, 0), 1)
        return (u1, p)
    }

    /// P(U ≥ k) under the null for sample sizes n1, n2: the number of arrangements with U = u
    /// counted by the recurrence c(u; m, n) = c(u − n; m − 1, n) + c(u; m, n − 1).
    static func exactSurvival(_ k: Int, _ n1: Int, _ n2: Int) -> Double {
        let maxU = n1 * n2
        // counts[m][n] as rolling tables over n for each m.
        var table = [[[Double]]](repeating: [[Double]](repeating: [], count: n2 + 1), count: n1 + 1)
        for m in 0...n1 {
            for n in 0...n2 {
                if m == 0 || n == 0 {
                    table[m][n] = [1]
                    continue
                }
                var c = [Double](repeating: 0, count: m * n + 1)
                let left = table[m - 1][n], down = table[m][n - 1]
                for u in 0...(m * n) {
                    if u - n >= 0 && u - n < left.count { c[u] += left[u - n] }
                    if u < down.count { c[u] += down[u] }
                }
                table[m][n] = c
            }
        }
        let counts = table[n1][n2]
        let total = counts.reduce(0, +)
        guard k <= maxU else { return 0 }
        return counts[max(k, 0)...].reduce(0, +) / total
    }
}

/// Student's t distribution: two-sided tail probability through the regularized incomplete
/// beta function, P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2).
enum StudentT {
    static func twoSidedP(t: Double, df: Double) -> Double {
        guard df > 0, t.isFinite else { return .nan }
        return IncompleteBeta.regularized(x: df / (df + t * t), a: df / 2, b: 0.5)
    }
}

/// The regularized incomplete beta function I_x(a, b), by its continued fraction (modified
/// Lentz), using the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) where the fraction converges faster.
enum IncompleteBeta {
    static func regularized(x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let lnBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let lnFront: Double = lnBeta + a * log(x) + b * log(1 - x)
        if x < (a + 1) / (a + b + 2) {
            return exp(lnFront) * continuedFraction(x: x, a: a, b: b) / a
        }
        return 1 - exp(lnFront) * continuedFraction(x: 1 - x, a: b, b: a) / b
    }

    static func continuedFraction(x: Double, a: Double, b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...500 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }
}
