/// Descriptive statistics of one group of runs, with the definitions NumPy uses: sample
/// standard deviation (n − 1), standard error std/√n, and quantiles by linear interpolation
/// between order statistics (NumPy's default `method="linear"`). Undefined values (the std of
/// one value, anything of zero values) are NaN.
///
///     let s = DescriptiveStats([1, 2, 3, 4])
///     (s.mean, s.median, s.q1, s.q3)  // (2.5, 2.5, 1.75, 3.25)
public struct DescriptiveStats: Equatable {
    public let n: Int
    public let mean: Double
    public let std: Double
    public let sem: Double
    public let median: Double
    public let q1: Double
    public let q3: Double
    public let min: Double
    public let max: Double

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        n = sorted.count
        guard let lo = sorted.first, let hi = sorted.last else {
            (mean, std, sem, median, q1, q3, min, max) = (.nan, .nan, .nan, .nan, .nan, .nan, .nan, .nan)
            return
        }
        let m = sorted.reduce(0, +) / Double(n)
        mean = m
        std = n > 1 ? (sorted.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)).squareRoot() : .nan
        sem = std / Double(n).squareRoot()
        median = DescriptiveStats.quantile(sorted: sorted, 0.5)
        q1 = DescriptiveStats.quantile(sorted: sorted, 0.25)
        q3 = DescriptiveStats.quantile(sorted: sorted, 0.75)
        min = lo
        max = hi
    }

    public static func == (a: DescriptiveStats, b: DescriptiveStats) -> Bool {
        func same(_ x: Double, _ y: Double) -> Bool { x == y || (x.isNaN && y.isNaN) }
        return a.n == b.n && same(a.mean, b.mean) && same(a.std, b.std) && same(a.sem, b.sem) && same(a.median, b.median)
            && same(a.q1, b.q1) && same(a.q3, b.q3) && same(a.min, b.min) && same(a.max, b.max)
    }

    /// The p-quantile (0...1) of ascending `sorted` values: position (n − 1)·p, interpolated.
    public static func quantile(sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let pos = Double(sorted.count - 1) * Swift.min(1, Swift.max(0, p))
        let i = Int(pos.rounded(.down))
        let frac = pos - Double(i)
        return i + 1 < sorted.count ? sorted[i] + (sorted[i + 1] - sorted[i]) * frac : sorted[i]
    }

    /// The statistic columns, in the order reports print them.
    public static let columns = ["n", "mean", "std", "sem", "median", "q1", "q3", "min", "max"]

    /// The values of `columns`, `n` as a Double.
    public var values: [Double] { [Double(n), mean, std, sem, median, q1, q3, min, max] }
}
