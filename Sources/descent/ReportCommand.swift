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
          descent report runs/lr --metric loss --plot curves.svg --log-y --html report.html
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

    @Option(help: ArgumentHelp("Output format on stdout.", valueName: "table|markdown|csv|json"))
    var format: String = "table"

    @Option(help: ArgumentHelp("Write learning curves (metric vs step or epoch, mean ± std per group) to this SVG file.", valueName: "file.svg"))
    var plot: String?

    @Flag(help: "Logarithmic y axis in plots.")
    var logY = false

    @Option(help: ArgumentHelp("Write one self-contained HTML page with the table and the plot.", valueName: "file.html"))
    var html: String?

    func validate() throws {
        guard Reduction(rawValue: reduce) != nil else {
            throw ValidationError("--reduce: expected last, best, min or max, got \"\(reduce)\"")
        }
        guard ReportFormat(rawValue: format) != nil else {
            throw ValidationError("--format: expected table, markdown, csv or json, got \"\(format)\"")
        }
        if let goal, goal != "min", goal != "max" { throw ValidationError("--goal: expected min or max, got \"\(goal)\"") }
        if let group, group.split(separator: ",", omittingEmptySubsequences: false).contains(where: \.isEmpty) {
            throw ValidationError("--group: expected comma-separated keys, got \"\(group)\"")
        }
    }

    func run() throws {
        let options = ReportOptions(
            groupKeys: group.map { $0.split(separator: ",").map(String.init) },
            metric: metric,
            reduce: Reduction(rawValue: reduce) ?? .last,
            lowerIsBetter: goal.map { $0 == "min" })
        let runs = try ReportRun.load(from: URL(fileURLWithPath: directory))
        let report = try Report(runs: runs, options: options)
        if report.metricMissing {
            throw ExperimentError("--metric: no done run reported \"\(report.metric)\"; metrics found: "
                + Report.metricNames(in: runs).joined(separator: ", "))
        }
        print(ReportFormatter.render(report, as: ReportFormat(rawValue: format) ?? .table), terminator: "")

        var svg: String?
        if plot != nil || html != nil {
            let (xKey, curves) = LearningCurves.build(report)
            let title = "\(report.metric) by " + (report.groupKeys.isEmpty ? "run" : report.groupKeys.joined(separator: ", "))
            svg = SVGPlot(title: title, xLabel: xKey, yLabel: report.metric, logY: logY).render(curves)
            if curves.isEmpty { note("no logged \(report.metric) values to plot (metrics.jsonl of done runs)") }
        }
        if let plot, let svg {
            try AtomicFile.write(svg, to: URL(fileURLWithPath: plot))
            note("wrote \(plot)")
        }
        if let html {
            let title = "descent report: " + URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent
            try AtomicFile.write(HTMLReport.render(report, title: title, svg: svg), to: URL(fileURLWithPath: html))
            note("wrote \(html)")
        }
    }

    private func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
