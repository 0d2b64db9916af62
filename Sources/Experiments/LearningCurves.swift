import Foundation

/// One group's learning curve: at each x (step or epoch), the mean and sample std of the
/// metric over the group's runs that logged it there.
public struct CurveSeries {
    public let label: String
    public let x: [Double]
    public let mean: [Double]
    /// 0 where only one run has a value.
    public let std: [Double]
}

/// Learning curves from metrics.jsonl, grouped as in a report.
///
///     let (xKey, curves) = LearningCurves.build(report)
///     let svg = SVGPlot(title: "loss", xLabel: xKey, yLabel: "loss").render(curves)
public enum LearningCurves {
    /// The x key is `step` if any run logs it, else `epoch`, else the record number.
    public static func build(_ report: Report) -> (xKey: String, curves: [CurveSeries]) {
        typealias Record = [(String, JSONValue)]
        let logs: [[[Record]]] = report.groups.map { group in group.runs.map { RunReader.metrics(in: $0.directory) } }
        func anyRecord(has key: String) -> Bool {
            logs.contains { runs in runs.contains { records in records.contains { record in record.contains { $0.0 == key } } } }
        }
        let xKey = anyRecord(has: "step") ? "step" : anyRecord(has: "epoch") ? "epoch" : "record"
        var curves: [CurveSeries] = []
        for (group, runs) in zip(report.groups, logs) {
            var byX: [Double: [Double]] = [:]
            for records in runs {
                var seen: [Double: Double] = [:]  // the last value per x within one run
                for (i, record) in records.enumerated() {
                    let x: Double? = xKey == "record" ? Double(i + 1) : record.first(where: { $0.0 == xKey })?.1.doubleValue
                    let y: Double? = record.first(where: { $0.0 == report.metric })?.1.doubleValue
                    guard let x, let y, x.isFinite, y.isFinite else { continue }
                    seen[x] = y
                }
                for (x, y) in seen { byX[x, default: []].append(y) }
            }
            let xs = byX.keys.sorted()
            let stats = xs.map { DescriptiveStats(byX[$0] ?? []) }
            curves.append(CurveSeries(label: group.label, x: xs, mean: stats.map(\.mean),
                                      std: stats.map { $0.std.isFinite ? $0.std : 0 }))
        }
        return (xKey, curves.filter { !$0.x.isEmpty })
    }
}
