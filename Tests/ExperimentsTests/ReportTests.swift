import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Experiments

/// A sweep directory over lr x seeds with runs written directly: lr=0.1 runs end at loss
/// 0.1*seed, lr=1 ends at 1*seed; one lr=1 run failed, one diverged.
func makeSweepFixture(_ root: URL) throws -> SweepManifest {
    let spec = try SweepSpec(script: "/tmp/train.lua", grid: [SweepAxis(key: "lr", values: ["1", "0.1"])],
                             sets: [("epochs", "3")], seeds: [1, 2, 3, 4])
    let manifest = SweepManifest(spec: spec)
    try manifest.write(to: root)
    for e in manifest.entries {
        let lr = Double(e.overrides[0].1) ?? 0
        let final = lr * Double(e.seed)
        let dir = SweepManifest.runDirectory(e, in: root)
        if lr == 1 && e.seed == 3 { try writeRun(dir, losses: [2, 1], status: .failed); continue }
        if lr == 1 && e.seed == 4 { try writeRun(dir, losses: [2, .nan]); continue }
        try writeRun(dir, losses: [final * 3, final * 2, final], summary: [("val_loss", .number(final)), ("acc", .number(1 - final / 10))])
    }
    return manifest
}

@Test func reportGroupsRanksAndCounts() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    _ = try makeSweepFixture(root)
    let report = try Report(directory: root)
    #expect(report.metric == "val_loss" && report.lowerIsBetter && report.groupKeys == ["lr"])
    #expect(report.groups.map(\.label) == ["lr=0.1", "lr=1"])
    #expect(report.groups.map(\.rank) == [1, 2])
    let best = report.groups[0]
    #expect(best.stats.n == 4 && abs(best.stats.mean - 0.25) < 1e-12 && best.failed == 0 && best.diverged == 0)
    let worst = report.groups[1]
    #expect(worst.stats.n == 2 && worst.stats.mean == 1.5 && worst.failed == 1 && worst.diverged == 1)

    let acc = try Report(directory: root, options: ReportOptions(metric: "acc"))
    #expect(!acc.lowerIsBetter && acc.groups[0].label == "lr=0.1")
    // best over the logged loss: min of [3f, 2f, f] is f.
    let best2 = try Report(directory: root, options: ReportOptions(metric: "loss", reduce: .max))
    #expect(abs((best2.groups.first(where: { $0.label == "lr=0.1" })?.stats.mean ?? 0) - 0.75) < 1e-12)
    let bySeed = try Report(directory: root, options: ReportOptions(groupKeys: ["lr", "seed"]))
    #expect(bySeed.groups.count == 8)
    #expect(throws: ExperimentError.self) { try Report(directory: root, options: ReportOptions(groupKeys: ["nope"])) }
}

@Test func csvAndJSONHaveTheExactColumns() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    _ = try makeSweepFixture(root)
    let report = try Report(directory: root)
    let csv = ReportFormatter.render(report, as: .csv)
    let lines = csv.split(separator: "\n")
    #expect(lines.first == "rank,lr,n,mean,std,sem,median,q1,q3,min,max,failed,diverged")
    #expect(lines.count == 3)
    #expect(lines[1].hasPrefix("1,0.1,4,0.25,"))
    #expect(lines[2].hasSuffix(",1,1"))

    let json = try JSONValue.parse(ReportFormatter.render(report, as: .json))
    let rows = json.arrayValue ?? []
    #expect(rows.count == 2)
    #expect(rows[0].objectValue?.map(\.0) == ["rank", "lr", "n", "mean", "std", "sem", "median", "q1", "q3", "min", "max", "failed", "diverged"])
    #expect(rows[0]["lr"] == "0.1" && rows[0]["n"] == 4 && rows[1]["diverged"] == 1)
    // It also decodes with Foundation's JSONDecoder.
    struct Row: Decodable { let rank: Int?; let n: Int; let mean: Double?; let failed: Int }
    let decoded = try JSONDecoder().decode([Row].self, from: Data(ReportFormatter.render(report, as: .json).utf8))
    #expect(decoded.map(\.n) == [4, 2] && decoded[1].failed == 1)

    let md = ReportFormatter.render(report, as: .markdown).split(separator: "\n")
    #expect(md[0] == "| rank | lr | n | mean | std | sem | median | q1 | q3 | min | max | failed | diverged |")
    #expect(md[1].hasPrefix("| ---: | --- | ---: |"))
    let table = ReportFormatter.render(report, as: .table)
    #expect(table.contains("metric: val_loss (last, lower is better)"))
}

@Test func groupWithoutDoneRunsRanksLastWithNullStats() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    let manifest = SweepManifest(spec: try SweepSpec(script: "/tmp/t.lua", grid: [SweepAxis(key: "k", values: ["a", "b", "c,d"])]))
    try manifest.write(to: root)
    try writeRun(SweepManifest.runDirectory(manifest.entries[0], in: root), losses: [1], status: .failed)
    try writeRun(SweepManifest.runDirectory(manifest.entries[1], in: root), losses: [0.5])
    let report = try Report(directory: root)
    #expect(report.metric == "loss" && report.pending == 1)
    #expect(report.groups.map(\.label) == ["k=b", "k=a", "k=c,d"])
    #expect(report.groups.map(\.rank) == [1, nil, nil])
    let csv = ReportFormatter.render(report, as: .csv).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(csv[2] == ",a,0,,,,,,,,,1,0")
    #expect(csv[3] == ",\"c,d\",0,,,,,,,,,0,0")
    let json = try JSONValue.parse(ReportFormatter.render(report, as: .json))
    #expect(json.arrayValue?[1]["mean"] == .null && json.arrayValue?[1]["rank"] == .null)
}

@Test func reportWorksOnPlainRunDirectories() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    for (i, lr) in [0.1, 0.2].enumerated() {
        let rec = try RunRecorder(directory: root.appendingPathComponent("run\(i)"), config: sampleConfig(config: [("lr", .number(lr)), ("d", 2)]))
        try rec.log([("epoch", 1), ("loss", .number(lr))])
        try rec.finish(.done)
    }
    let report = try Report(directory: root)
    #expect(report.groupKeys == ["lr"] && report.groups.count == 2 && report.groups[0].label == "lr=0.1")
    #expect(throws: ExperimentError.self) { try Report(directory: root.appendingPathComponent("run0/checkpoints")) }
}

@Test func svgLegendWidensForLongLabels() throws {
    func curve(_ label: String) -> CurveSeries { CurveSeries(label: label, x: [1, 2], mean: [1, 0.5], std: [0, 0]) }
    func width(_ svg: String) -> Double? {
        guard let r = svg.range(of: #"width="([0-9.]+)""#, options: .regularExpression) else { return nil }
        return Double(svg[r].dropFirst(7).dropLast())
    }
    let short = SVGPlot(title: "t", xLabel: "epoch", yLabel: "e").render([curve("lr=0.1")])
    let long = SVGPlot(title: "t", xLabel: "epoch", yLabel: "e").render([curve("optimizer=adamw lr=0.0003 weight_decay=0.001")])
    #expect((width(long) ?? 0) > (width(short) ?? .infinity) && parsesAsXML(long))
    #expect(long.contains(">optimizer=adamw lr=0.0003 weight_decay=0.001</text>"), "\(long)")
    let huge = SVGPlot(title: "t", xLabel: "epoch", yLabel: "e").render([curve(String(repeating: "k", count: 80))])
    #expect(huge.contains(String(repeating: "k", count: 59) + "…</text>"))
}

@Test func svgPlotIsWellFormedXML() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    _ = try makeSweepFixture(root)
    let report = try Report(directory: root, options: ReportOptions(metric: "loss"))
    let (xKey, curves) = LearningCurves.build(report)
    #expect(xKey == "step" && curves.count == 2)
    #expect(curves[0].x == [1, 2, 3] && abs(curves[0].mean[2] - 0.25) < 1e-12 && curves[0].std[2] > 0)
    for logY in [false, true] {
        let svg = SVGPlot(title: "loss <by> lr & seed", xLabel: xKey, yLabel: "loss", logY: logY).render(curves)
        #expect(parsesAsXML(svg), "\(svg)")
        #expect(svg.contains("<polyline") && svg.contains("<polygon") && svg.contains("lr=0.1"))
    }
    #expect(parsesAsXML(SVGPlot(title: "empty", xLabel: "x", yLabel: "y").render([])))
    let html = HTMLReport.render(report, title: "sweep", svg: SVGPlot(title: "t", xLabel: "step", yLabel: "loss").render(curves))
    #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && html.contains("<td class=\"num\">0.25</td>"))
}

@Test func ticksAreNice() {
    #expect(SVGPlot.linearTicks(0, 10) == [0, 2, 4, 6, 8, 10])
    let ticks = SVGPlot.linearTicks(-0.05, 1.05)
    #expect(ticks.count == 6 && zip(ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]).allSatisfy { abs($0 - $1) < 1e-12 })
    #expect(SVGPlot.linearTicks(3, 3).isEmpty == false)
    #expect(SVGPlot.logTicks(0.005, 20) == [0.01, 0.1, 1, 10])
}

func parsesAsXML(_ text: String) -> Bool {
    let parser = XMLParser(data: Data(text.utf8))
    return parser.parse()
}

/// A sweep over opt × lr × 3 seeds (opt b with lr 0.1 the best): for --best-by, --pivot,
/// --compare and --export.
func makeAblationFixture(_ root: URL) throws {
    let spec = try SweepSpec(script: "/tmp/train.lua",
                             grid: [SweepAxis(key: "opt", values: ["a", "b"]), SweepAxis(key: "lr", values: ["1", "0.1"])],
                             sets: [], seeds: [1, 2, 3])
    let manifest = SweepManifest(spec: spec)
    try manifest.write(to: root)
    for e in manifest.entries {
        let opt = e.overrides[0].1, lr = Double(e.overrides[1].1) ?? 0
        let final = (opt == "a" ? 2.0 : 1.0) * lr + Double(e.seed) * 0.01
        try writeRun(SweepManifest.runDirectory(e, in: root), losses: [final * 2, final], summary: [("val_loss", .number(final))])
    }
}

@Test func bestByKeepsTheBestGroupPerValue() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    try makeAblationFixture(root)
    let report = try Report(directory: root)
    #expect(report.groupKeys == ["opt", "lr"] && report.groups.count == 4)
    let best = try report.bestBy("opt")
    #expect(best.groups.map(\.label) == ["opt=b lr=0.1", "opt=a lr=0.1"])
    #expect(best.groups.map(\.rank) == [1, 2])
    #expect(throws: ExperimentError.self) { try report.bestBy("nope") }
}

@Test func pivotPlacesGroupsInRowsAndColumns() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    try makeAblationFixture(root)
    let report = try Report(directory: root)
    let pivot = try ReportPivot(report, row: "opt", column: "lr")
    // Rows in rank order of their best group; numeric columns in numeric order.
    #expect(pivot.rowValues == ["b", "a"] && pivot.columnValues == ["0.1", "1"])
    #expect(abs((pivot.cells[0][0]?.mean ?? 0) - 0.12) < 1e-12)  // b, lr 0.1: 0.1 + mean(0.01, 0.02, 0.03)
    let md = pivot.render(as: .markdown)
    #expect(md.hasPrefix("| opt \\ lr | 0.1 | 1 |\n| --- | ---: | ---: |\n| b | 0.12 ± 0.005774 | 1.02 ± 0.005774 |\n| a | 0.22 ± 0.005774 |"), "\(md)")
    let tex = pivot.render(as: .latex)
    #expect(tex.contains("\\toprule") && tex.contains("0.22 $\\pm$ 0.005774"), "\(tex)")
    #expect(throws: ExperimentError.self) { try ReportPivot(report, row: "opt", column: "opt") }
}

@Test func compareTestsEveryGroupAgainstTheBest() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    try makeAblationFixture(root)
    let report = try Report(directory: root)
    let comparison = try ReportComparison(report)
    #expect(comparison.baseline.label == "opt=b lr=0.1")
    #expect(comparison.rows.map(\.group.label) == ["opt=a lr=0.1", "opt=b lr=1", "opt=a lr=1"])
    // a at lr 0.1 is worse by exactly 0.1 in every seed: mean difference 0.1.
    #expect(abs(comparison.rows[0].result.meanDifference - 0.1) < 1e-12)
    // Holm never lowers a p-value.
    #expect(comparison.rows.allSatisfy { $0.welchHolm >= $0.result.welchP || $0.result.welchP.isNaN })
    let csv = comparison.render(as: .csv)
    #expect(csv.hasPrefix(ReportComparison.columns.joined(separator: ",") + "\nopt=a lr=0.1,opt=b lr=0.1,3,3,0.1,"), "\(csv)")
    #expect(throws: ExperimentError.self) { try ReportComparison(report, baseline: "opt=z") }
}

@Test func exportWritesEveryRecordWithItsConfig() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    try makeAblationFixture(root)
    let out = root.appendingPathComponent("records.csv")
    try RecordExport.write(runs: try ReportRun.load(from: root), to: out)
    let lines = readText(out).split(separator: "\n")
    #expect(lines.count == 1 + 12 * 2)  // 12 runs x 2 logged records
    #expect(lines[0].hasPrefix("run,status,seed,opt,lr,"))
    #expect(lines[1].contains(",done,1,a,1,"))
    let jsonl = root.appendingPathComponent("records.jsonl")
    try RecordExport.write(runs: try ReportRun.load(from: root), to: jsonl)
    #expect(readText(jsonl).split(separator: "\n").count == 24)
    #expect(throws: ExperimentError.self) { try RecordExport.write(runs: [], to: root.appendingPathComponent("x.txt")) }
}

@Test func latexTableEscapesKeys() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    try makeAblationFixture(root)
    let tex = ReportFormatter.render(try Report(directory: root), as: .latex)
    #expect(tex.contains("\\begin{tabular}{lllrrrrrrr}") && tex.contains("\\caption{val\\_loss (last, lower is better)}"), "\(tex)")
}
