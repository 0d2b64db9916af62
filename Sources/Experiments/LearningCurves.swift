import Foundation

/// One group's learning curve: at each x, the centre line and the band around it over the
/// group's runs that logged the metric there.
public struct CurveSeries {
    public let label: String
    /// What picks the colour (GroupColors); the label unless set.
    public var colorKey: String
    public let x: [Double]
    /// The line: the arithmetic mean, or in log mode the geometric mean.
    public let mean: [Double]
    /// The spread: the sample std, or in log mode the std of log10 of the values. 0 where only
    /// one run has a value.
    public let std: [Double]
    /// The band's edges: mean ∓ std, or in log mode mean ÷ / × 10^std (always positive).
    public let lower: [Double]
    public let upper: [Double]

    /// A curve with a mean ± std band.
    public init(label: String, x: [Double], mean: [Double], std: [Double]) {
        self.init(label: label, x: x, mean: mean, std: std,
                  lower: zip(mean, std).map { $0 - $1 }, upper: zip(mean, std).map { $0 + $1 })
    }

    public init(label: String, x: [Double], mean: [Double], std: [Double], lower: [Double], upper: [Double]) {
        self.label = label
        colorKey = label
        self.x = x
        self.mean = mean
        self.std = std
        self.lower = lower
        self.upper = upper
    }
}

/// What the x axis of a learning curve counts.
public enum CurveAxis: String, CaseIterable {
    case step, epoch
    /// Wall time: the `time` key runs log (seconds since the start, as `train.fit` does).
    case time
}

/// Learning curves from metrics.jsonl, grouped as in a report.
///
///     let (xKey, curves) = try LearningCurves.build(report, metric: "val_loss", x: .epoch, smooth: 0.6, logSpace: true)
///     let svg = SVGPlot(title: "val_loss", xLabel: xKey, yLabel: "val_loss", logY: true).render(curves)
public enum LearningCurves {
    typealias Record = [(String, JSONValue)]

    /// The x key is `step` if any run logs it, else `epoch`, else the record number.
    public static func build(_ report: Report) -> (xKey: String, curves: [CurveSeries]) {
        // Without an explicit axis nothing can be missing, so this never throws.
        (try? build(report, metric: report.metric)) ?? ("record", [])
    }

    /// The curves of `metric` (default: the report's) for every group of `report` with data.
    ///
    /// - x: nil picks `step`, else `epoch`, else the record number. Runs are aligned on that
    ///   key; with `.time` they are aligned on step (else epoch, else record number) and the
    ///   curve's x is the mean over the group's runs of the `time` each logged there (wall
    ///   clocks of different runs never coincide).
    /// - smooth: the weight of TensorBoard's debiased exponential moving average, applied to
    ///   each run's values in x order before they are pooled (0 = none; must be in [0, 1)).
    /// - logSpace: the line is the geometric mean and the band the geometric mean ×/÷ the
    ///   geometric std (mean ± std of log10 of the values), so it is positive and symmetric on
    ///   a log axis; values <= 0 cannot be drawn there and are left out.
    public static func build(_ report: Report, metric: String? = nil, x axis: CurveAxis? = nil,
                             smooth: Double = 0, logSpace: Bool = false) throws -> (xKey: String, curves: [CurveSeries]) {
        let metric = metric ?? report.metric
        let logs: [[[Record]]] = report.groups.map { group in group.runs.map { RunReader.metrics(in: $0.directory) } }
        func anyRecord(has key: String) -> Bool {
            logs.contains { runs in runs.contains { records in records.contains { record in record.contains { $0.0 == key } } } }
        }
        let natural = anyRecord(has: "step") ? "step" : anyRecord(has: "epoch") ? "epoch" : "record"
        let alignKey: String
        switch axis {
        case nil: alignKey = natural
        case .time?:
            guard anyRecord(has: "time") else {
                throw ExperimentError("--x time: no run logged \"time\" (seconds since the start, as train.fit logs it)")
            }
            alignKey = natural
        case let a?:
            guard anyRecord(has: a.rawValue) else { throw ExperimentError("--x \(a.rawValue): no run logged \"\(a.rawValue)\"") }
            alignKey = a.rawValue
        }
        var curves: [CurveSeries] = []
        for (group, runs) in zip(report.groups, logs) {
            var byX: [Double: [Double]] = [:]
            var timeAt: [Double: [Double]] = [:]
            for records in runs {
                var seen: [Double: (y: Double, time: Double?)] = [:]  // the last value per x within one run
                for (i, record) in records.enumerated() {
                    let x: Double? = alignKey == "record" ? Double(i + 1) : record.first(where: { $0.0 == alignKey })?.1.doubleValue
                    let y: Double? = record.first(where: { $0.0 == metric })?.1.doubleValue
                    guard let x, let y, x.isFinite, y.isFinite else { continue }
                    seen[x] = (y, record.first(where: { $0.0 == "time" })?.1.doubleValue)
                }
                let xs = seen.keys.sorted()
                let ys = smoothed(xs.map { seen[$0]?.y ?? 0 }, weight: smooth)
                for (x, y) in zip(xs, ys) {
                    byX[x, default: []].append(y)
                    if let t = seen[x]?.time, t.isFinite { timeAt[x, default: []].append(t) }
                }
            }
            var xs: [Double] = [], mean: [Double] = [], std: [Double] = [], lower: [Double] = [], upper: [Double] = []
            for x in byX.keys.sorted() {
                var values = byX[x] ?? []
                if logSpace { values = values.filter { $0 > 0 } }
                guard !values.isEmpty else { continue }
                let position: Double
                if axis == .time {
                    guard let times = timeAt[x], !times.isEmpty else { continue }
                    position = times.reduce(0, +) / Double(times.count)
                } else {
                    position = x
                }
                let band = logSpace ? geometricBand(values) : arithmeticBand(values)
                xs.append(position)
                mean.append(band.center)
                std.append(band.spread)
                lower.append(band.lower)
                upper.append(band.upper)
            }
            var curve = CurveSeries(label: group.label, x: xs, mean: mean, std: std, lower: lower, upper: upper)
            curve.colorKey = group.label
            curves.append(curve)
        }
        let xKey = axis == .time ? "time (s)" : alignKey
        return (xKey, curves.filter { !$0.x.isEmpty })
    }

    /// Mean ± sample std (std 0 for one value).
    static func arithmeticBand(_ values: [Double]) -> (center: Double, spread: Double, lower: Double, upper: Double) {
        let stats = DescriptiveStats(values)
        let s = stats.std.isFinite ? stats.std : 0
        return (stats.mean, s, stats.mean - s, stats.mean + s)
    }

    /// Geometric mean ×/÷ geometric std: 10^(m ± s) with m, s the mean and sample std of
    /// log10 of the (positive) values.
    static func geometricBand(_ values: [Double]) -> (center: Double, spread: Double, lower: Double, upper: Double) {
        let stats = DescriptiveStats(values.map { log10($0) })
        let s = stats.std.isFinite ? stats.std : 0
        return (pow(10, stats.mean), s, pow(10, stats.mean - s), pow(10, stats.mean + s))
    }

    /// TensorBoard's smoothing: an exponential moving average started at 0 and divided by
    /// 1 − weight^k after k values (debiased), so the first point is the first value.
    /// Non-finite values pass through and do not enter the average; a constant series is
    /// returned as is.
    public static func smoothed(_ values: [Double], weight: Double) -> [Double] {
        guard weight > 0, let first = values.first, !values.allSatisfy({ $0 == first }) else { return values }
        var last = 0.0
        var count = 0.0
        return values.map { v in
            guard v.isFinite else { return v }
            last = last * weight + (1 - weight) * v
            count += 1
            return last / (1 - pow(weight, count))
        }
    }
}
