import ArgumentParser
import Experiments
import Foundation
import FileIO

/// `descent report`: statistics of a sweep's runs per group, as a table, CSV, JSON or HTML,
/// and learning curves as SVG.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Summarize a sweep's runs per group: n, mean, std, sem, median, q1, q3, min, max, failed, diverged.",
        discussion: """
        Groups default to every override that varies across runs, except the seed. The metric \
        defaults to the first key of the runs' summary.json, else `loss`; each run contributes its \
        summary value (or last logged value) with --reduce last, or its best/min/max logged value. \
        Groups are ranked by mean, best first (lower is better unless the metric name looks like \
        accuracy, or --reduce max / --goal max). Only runs whose status is done enter the \
        statistics; failed and diverged runs are counted.

        Examples:
          descent report runs/lr
          descent report runs/lr --group lr --metric val_loss --reduce best --format csv > lr.csv
          descent report runs/lr --metric loss --plot curves.svg --logy --html report.html
          descent report runs/zoo --metrics loss,val_loss --smooth 0.6 --x epoch --logy --plot fig.pdf
          descent report runs/zoo --group opt,lr --best-by opt --compare   # best lr per optimizer, tested
          descent report runs/zoo --group opt,lr --pivot opt,lr --format latex > table.tex
          descent report runs/zoo --export records.csv                      # every logged record, long format
        """)

    @Argument(help: "A sweep directory, or a folder of run directories.")
    var directory: String

    @Option(help: ArgumentHelp("Group by these keys (comma-separated; `seed` allowed).", valueName: "k1,k2"))
    var group: String?

    @Option(help: "The metric to compare.")
    var metric: String?

    @Option(help: ArgumentHelp("How a run's values become one number.", valueName: "last|best|min|max"))
    var reduce: String = "last"

    @Option(help: ArgumentHelp("Which direction is better, for ranking and --reduce best.", valueName: "min|max"))
    var goal: String?

    @Option(help: ArgumentHelp("Output format on stdout.", valueName: "table|markdown|csv|json|latex"))
    var format: String = "table"

    @Option(name: .customLong("best-by"), help: ArgumentHelp(
        "Keep, for each value of this group key, only its best group (e.g. the best lr per optimizer).", valueName: "key"))
    var bestBy: String?

    @Option(help: ArgumentHelp("Print a table with one group key as rows and another as columns (mean ± sem) instead of the ranked table.", valueName: "row,col"))
    var pivot: String?

    @Flag(help: "After the table, compare every group with the baseline: mean difference with a bootstrap CI, Welch t and Mann–Whitney U tests (Holm-adjusted), effect sizes.")
    var compare = false

    @Option(help: ArgumentHelp("The baseline group for --compare, as its label (default: the best-ranked group).", valueName: "\"k=v ...\""))
    var baseline: String?

    @Option(help: ArgumentHelp("Write every logged record with its run's config, one row each (long format for pandas/seaborn).", valueName: "file.csv|file.jsonl"))
    var export: String?

    @Option(help: ArgumentHelp("Write learning curves (mean ± std per group; one panel per --metrics name) to this file; the extension picks SVG, PNG or PDF (PNG/PDF need rsvg-convert).", valueName: "file.svg|.png|.pdf"))
    var plot: String?

    @Option(help: ArgumentHelp("Metrics to plot, one panel each, sharing colours and one legend (default: --metric).", valueName: "m1,m2"))
    var metrics: String?

    @Option(name: .customLong("x"), help: ArgumentHelp("The x axis of the curves: step, epoch or wall time (the logged `time`).", valueName: "step|epoch|time"))
    var xAxis: String?

    @Option(help: ArgumentHelp("TensorBoard-style debiased EMA of each run's values before pooling, weight in [0, 1).", valueName: "w"))
    var smooth: Double = 0

    @Flag(name: [.customLong("logy"), .customLong("log-y")], help: "Logarithmic y axis; bands become geometric mean ×/÷ geometric std.")
    var logY = false

    @Flag(name: .customLong("logx"), help: "Logarithmic x axis (points at x <= 0 are left out).")
    var logX = false

    @Option(help: ArgumentHelp("x axis limits; either side may be empty.", valueName: "lo,hi"))
    var xlim: String?

    @Option(help: ArgumentHelp("y axis limits (every panel); either side may be empty.", valueName: "lo,hi"))
    var ylim: String?

    @Option(help: "Figure title.")
    var title: String?

    @Option(help: "x axis label.")
    var xlabel: String?

    @Option(help: "y axis label of every panel (default: its metric).")
    var ylabel: String?

    @Option(help: ArgumentHelp("Write one self-contained HTML page with the table and the plot.", valueName: "file.html"))
    var html: String?

    func validate() throws {
        guard Reduction(rawValue: reduce) != nil else {
            throw ValidationError("--reduce: expected last, best, min or max, got \"\(reduce)\"")
        }
        guard ReportFormat(rawValue: format) != nil else {
            throw ValidationError("--format: expected table, markdown, csv, json or latex, got \"\(format)\"")
        }
        if let pivot, pivot.split(separator: ",", omittingEmptySubsequences: false).count != 2 {
            throw ValidationError("--pivot: expected two group keys as row,col, got \"\(pivot)\"")
        }
        if baseline != nil && !compare { throw ValidationError("--baseline goes with --compare") }
        if let export, !export.hasSuffix(".csv") && !export.hasSuffix(".jsonl") {
            throw ValidationError("--export: expected a file ending in .csv or .jsonl, got \"\(export)\"")
        }
        if let plot {
            do { _ = try FigureWriter.check(plot) } catch let e as ExperimentError { throw ValidationError("--plot: " + e.message) }
        }
        if let xAxis, CurveAxis(rawValue: xAxis) == nil { throw ValidationError("--x: expected step, epoch or time, got \"\(xAxis)\"") }
        if !(smooth >= 0 && smooth < 1) { throw ValidationError("--smooth: expected a weight in [0, 1), got \(smooth)") }
        if let metrics, metrics.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ValidationError("--metrics: expected comma-separated metric names, got \"\(metrics)\"")
        }
        do {
            for (name, text, log) in [("--xlim", xlim, logX), ("--ylim", ylim, logY)] {
                guard let text else { continue }
                let l = try ReportFigures.parseLimits(text, option: name)
                if log, (l.0 ?? 1) <= 0 || (l.1 ?? 1) <= 0 { throw ExperimentError("\(name): a log axis needs positive limits, got \"\(text)\"") }
            }
        } catch let e as ExperimentError { throw ValidationError(e.message) }
        if let goal, goal != "min", goal != "max" { throw ValidationError("--goal: expected min or max, got \"\(goal)\"") }
        if let group, group.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ValidationError("--group: expected comma-separated keys, got \"\(group)\"")
        }
    }

    func run() throws {
        let options = ReportOptions(
            groupKeys: group.map { $0.split(separator: ",").map(String.init) },
            metric: metric ?? metrics?.split(separator: ",").first.map(String.init),
            reduce: Reduction(rawValue: reduce) ?? .last,
            lowerIsBetter: goal.map { $0 == "min" })
        let runs = try ReportRun.load(from: URL(fileURLWithPath: directory))
        var report = try Report(runs: runs, options: options)
        if report.metricMissing {
            throw ExperimentError("--metric: no done run reported \"\(report.metric)\"; metrics found: "
                + Report.metricNames(in: runs).joined(separator: ", "))
        }
        if let bestBy { report = try report.bestBy(bestBy) }
        let outputFormat = ReportFormat(rawValue: format) ?? .table
        if let pivot {
            let keys = pivot.split(separator: ",").map(String.init)
            print(try ReportPivot(report, row: keys[0], column: keys[1]).render(as: outputFormat), terminator: "")
        } else {
            print(ReportFormatter.render(report, as: outputFormat), terminator: "")
        }
        if compare {
            if outputFormat == .table || outputFormat == .markdown { print("") }
            print(try ReportComparison(report, baseline: baseline).render(as: outputFormat), terminator: "")
        }
        if let export {
            try RecordExport.write(runs: runs, to: URL(fileURLWithPath: export))
            note("wrote \(export)")
        }

        var svg: String?
        if plot != nil || html != nil {
            var figure = FigureOptions()
            figure.metrics = metrics.map { $0.split(separator: ",").map(String.init) } ?? []
            figure.x = xAxis.flatMap(CurveAxis.init(rawValue:))
            figure.smooth = smooth
            figure.logX = logX
            figure.logY = logY
            figure.xLimits = try xlim.map { try ReportFigures.parseLimits($0, option: "--xlim") } ?? (nil, nil)
            figure.yLimits = try ylim.map { try ReportFigures.parseLimits($0, option: "--ylim") } ?? (nil, nil)
            figure.title = title
            figure.xLabel = xlabel
            figure.yLabel = ylabel
            figure.colorBy = bestBy
            svg = try ReportFigures.learningCurves(report, options: figure)
            if LearningCurves.build(report).curves.isEmpty && figure.metrics.isEmpty {
                note("no logged \(report.metric) values to plot (metrics.jsonl of done runs)")
            }
        }
        if let plot, let svg {
            try FigureWriter.write(svg, to: URL(fileURLWithPath: plot))
            note("wrote \(plot)")
        }
        if let html {
            let title = "descent report: " + URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
            var tables: [(caption: String, text: String)] = []
            if let pivot {
                let keys = pivot.split(separator: ",").map(String.init)
                tables.append(("\(keys[0]) × \(keys[1])", try ReportPivot(report, row: keys[0], column: keys[1]).render(as: .table)))
            }
            if compare { tables.append(("comparisons", try ReportComparison(report, baseline: baseline).render(as: .table))) }
            let page = HTMLReport.render(report, title: title, figures: svg.map { [("learning curves", $0)] } ?? [],
                                         tables: tables, runs: runs, command: CommandLine.arguments)
            try AtomicFile.write(page, to: URL(fileURLWithPath: html))
            note("wrote \(html)")
        }
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
