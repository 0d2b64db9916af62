import Foundation

/// What a report's figures show and how (`descent report --plot ... --metrics ... --x ...`).
public struct FigureOptions {
    /// One panel per metric; empty: the report's metric.
    public var metrics: [String] = []
    /// nil: step, else epoch, else the record number.
    public var x: CurveAxis?
    /// TensorBoard's debiased EMA weight, in [0, 1).
    public var smooth = 0.0
    public var logX = false
    /// Log y axes; the bands become geometric (LearningCurves.build's logSpace).
    public var logY = false
    public var xLimits: (Double?, Double?) = (nil, nil)
    public var yLimits: (Double?, Double?) = (nil, nil)
    public var title: String?
    public var xLabel: String?
    /// The y label of every panel (default: its metric).
    public var yLabel: String?
    /// The group key whose value picks a group's colour (with --best-by: the best-by key, so an
    /// optimizer keeps its colour whichever learning rate won); nil: the whole group label.
    public var colorBy: String?

    public init() {}
}

/// The figures of a report, coloured by GroupColors over the whole study.
///
///     let svg = try ReportFigures.learningCurves(report, options: options)
public enum ReportFigures {
    /// The key a group's colour derives from: `colorBy=value` when the group has that key,
    /// else its label.
    public static func colorKey(_ group: ReportGroup, colorBy: String?) -> String {
        if let colorBy, let value = group.keys.first(where: { $0.0 == colorBy })?.1 { return "\(colorBy)=\(value)" }
        return group.label
    }

    /// One colour per group of the study (every group of the report, with or without data).
    public static func colors(_ report: Report, colorBy: String?) -> GroupColors {
        GroupColors(keys: report.groups.map { colorKey($0, colorBy: colorBy) })
    }

    /// The learning curves as one figure, a panel per metric sharing one legend. Throws when a
    /// metric asked for by name has no logged value in any done run.
    public static func learningCurves(_ report: Report, options: FigureOptions, idPrefix: String = "curves") throws -> String {
        let metrics = options.metrics.isEmpty ? [report.metric] : options.metrics
        var panels: [FigurePanel] = []
        var xKey = "step"
        let keyOf = Dictionary(report.groups.map { ($0.label, colorKey($0, colorBy: options.colorBy)) }, uniquingKeysWith: { a, _ in a })
        for metric in metrics {
            let built = try LearningCurves.build(report, metric: metric, x: options.x, smooth: options.smooth, logSpace: options.logY)
            if built.curves.isEmpty && !options.metrics.isEmpty {
                let runs = report.groups.flatMap(\.runs)
                throw ExperimentError("--metrics: no done run logged \"\(metric)\"; metrics found: "
                    + Report.metricNames(in: runs).joined(separator: ", "))
            }
            xKey = built.xKey
            let curves = built.curves.map { c -> CurveSeries in
                var c = c
                c.colorKey = keyOf[c.label] ?? c.label
                return c
            }
            panels.append(FigurePanel(title: metric, yLabel: options.yLabel ?? metric, curves: curves))
        }
        let defaultTitle = metrics.joined(separator: ", ") + " by "
            + (report.groupKeys.isEmpty ? "run" : report.groupKeys.joined(separator: ", "))
            + (options.smooth > 0 ? " (EMA \(SVGPlot.label(options.smooth)))" : "")
        var plot = SVGPlot(title: options.title ?? defaultTitle, xLabel: options.xLabel ?? xKey,
                           yLabel: options.yLabel ?? metrics[0], logY: options.logY)
        plot.logX = options.logX
        plot.xLimits = options.xLimits
        plot.yLimits = options.yLimits
        plot.colors = colors(report, colorBy: options.colorBy)
        plot.idPrefix = idPrefix
        return plot.render(panels: panels)
    }

    /// Parses `lo,hi` axis limits; either side may be empty (`,1` or `0.1,`).
    public static func parseLimits(_ text: String, option: String) throws -> (Double?, Double?) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func number(_ s: String) throws -> Double? {
            if s.isEmpty { return nil }
            guard let v = Double(s), v.isFinite else { throw ExperimentError("\(option): expected a number, got \"\(s)\"") }
            return v
        }
        guard parts.count == 2 else { throw ExperimentError("\(option): expected lo,hi (either may be empty), got \"\(text)\"") }
        let limits = (try number(parts[0]), try number(parts[1]))
        if let lo = limits.0, let hi = limits.1, lo >= hi {
            throw ExperimentError("\(option): expected lo < hi, got \"\(text)\"")
        }
        return limits
    }
}
