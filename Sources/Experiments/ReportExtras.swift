import Foundation

// What `descent report` adds to the ranked table for a paper's ablation: the best configuration
// per group (`--best-by`), pivot tables (`--pivot`), statistical comparisons between groups
// (`--compare`) and LaTeX (booktabs) output.

extension Report {
    /// The report keeping, for each value of `key`, only its best-ranked group (the best
    /// learning rate per optimizer: `--best-by opt` over groups `opt, lr`), ranks renumbered.
    ///
    ///     let best = try report.bestBy("opt")   // one row per optimizer
    public func bestBy(_ key: String) throws -> Report {
        guard let column = groupKeys.firstIndex(of: key) else {
            throw ExperimentError("--best-by: expected one of the group keys (\(groupKeys.joined(separator: ", "))), got \"\(key)\"")
        }
        var seen = Set<String>()
        var kept: [ReportGroup] = []
        for g in groups where seen.insert(g.keys[column].1).inserted { kept.append(g) }
        var copy = self
        copy.groups = kept.enumerated().map { i, g in
            var g = g
            g.rank = g.stats.n > 0 ? i + 1 : nil
            return g
        }
        return copy
    }
}

/// A pivot of a report: rows by one group key, columns by another, cells `mean ± sem`.
///
///     let pivot = try ReportPivot(report, row: "opt", column: "lr")
///     print(pivot.render(as: .markdown))
public struct ReportPivot {
    public let row: String
    public let column: String
    public let rowValues: [String]
    public let columnValues: [String]
    /// [row][column] → the group's statistics (nil: no such group).
    public let cells: [[DescriptiveStats?]]
    public let metric: String

    public init(_ report: Report, row: String, column: String) throws {
        for key in [row, column] where !report.groupKeys.contains(key) {
            throw ExperimentError("--pivot: expected group keys (\(report.groupKeys.joined(separator: ", "))), got \"\(key)\"")
        }
        guard row != column else { throw ExperimentError("--pivot: expected two different keys, got \"\(row),\(column)\"") }
        guard report.groupKeys.count == 2 else {
            throw ExperimentError("--pivot: the report must be grouped by exactly the two pivot keys (use --group \(row),\(column)), got \(report.groupKeys.count) group keys")
        }
        self.row = row
        self.column = column
        metric = report.metric
        let r = report.groupKeys.firstIndex(of: row) ?? 0, c = report.groupKeys.firstIndex(of: column) ?? 1
        func ordered(_ i: Int) -> [String] {
            var values: [String] = []
            for g in report.groups where !values.contains(g.keys[i].1) { values.append(g.keys[i].1) }
            // Numbers in numeric order, everything else as first seen.
            if values.allSatisfy({ Double($0) != nil }) { values.sort { Double($0)! < Double($1)! } }
            return values
        }
        rowValues = ordered(r)
        columnValues = ordered(c)
        var table = [[DescriptiveStats?]](repeating: [DescriptiveStats?](repeating: nil, count: columnValues.count), count: rowValues.count)
        for g in report.groups {
            guard let i = rowValues.firstIndex(of: g.keys[r].1), let j = columnValues.firstIndex(of: g.keys[c].1) else { continue }
            table[i][j] = g.stats
        }
        cells = table
    }

    /// `mean ± sem` (LaTeX output turns ± into `$\\pm$` when it escapes the cell).
    func cellText(_ s: DescriptiveStats?) -> String {
        guard let s, s.n > 0 else { return "-" }
        return s.sem.isFinite ? ReportFormatter.short(s.mean) + " ± " + ReportFormatter.short(s.sem) : ReportFormatter.short(s.mean)
    }

    public func render(as format: ReportFormat) -> String {
        let head = ["\(row) \\ \(column)"] + columnValues
        let rows = rowValues.indices.map { i in [rowValues[i]] + cells[i].map { cellText($0) } }
        switch format {
        case .csv:
            var lines = [([row] + columnValues.flatMap { ["\($0)_mean", "\($0)_sem", "\($0)_n"] }).joined(separator: ",")]
            for (i, v) in rowValues.enumerated() {
                let values = cells[i].flatMap { s -> [String] in
                    guard let s, s.n > 0 else { return ["", "", "0"] }
                    return [ReportFormatter.number(s.mean), ReportFormatter.number(s.sem), String(s.n)]
                }
                lines.append(([ReportFormatter.csvField(v)] + values).joined(separator: ","))
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            let object = JSONValue.object(rowValues.enumerated().map { i, v in
                (v, .object(columnValues.enumerated().map { j, c in
                    let s = cells[i][j]
                    let value: JSONValue = s.map { s in
                        .object([("n", .number(Double(s.n))), ("mean", s.mean.isFinite ? .number(s.mean) : .null),
                                 ("sem", s.sem.isFinite ? .number(s.sem) : .null)])
                    } ?? .null
                    return (c, value)
                }))
            })
            return object.prettyJSON
        case .latex:
            return ReportFormatter.latexTable(head: head, rows: rows, numericFrom: 1,
                                              caption: "\(metric): mean $\\pm$ s.e.m.")
        case .markdown:
            let rule = ["---"] + columnValues.map { _ in "---:" }
            return ([head, rule] + rows).map { "| " + $0.map(ReportFormatter.escapeMarkdown).joined(separator: " | ") + " |" }
                .joined(separator: "\n") + "\n\nmetric: \(metric) (mean ± sem)\n"
        case .table:
            return ReportFormatter.aligned([head] + rows, leftColumns: [0]) + "\nmetric: \(metric) (mean ± sem)\n"
        }
    }
}

/// Every group compared with one baseline group (default: the best-ranked): difference of
/// means with a bootstrap interval, Welch's t-test and the Mann–Whitney U test with
/// Holm-adjusted p-values over the comparisons, and effect sizes (`descent report --compare`).
public struct ReportComparison {
    public struct Row {
        public let group: ReportGroup
        public let result: TwoSampleComparison
        public let welchHolm: Double
        public let mannWhitneyHolm: Double
    }

    public let baseline: ReportGroup
    public let rows: [Row]
    public let metric: String

    public static let columns = [
        "group", "baseline", "n", "n_baseline", "mean_diff", "ci_low", "ci_high", "welch_t", "welch_df", "welch_p",
        "welch_p_holm", "mwu_u", "mwu_p", "mwu_p_holm", "cohens_d", "hedges_g", "rank_biserial",
    ]

    /// `baseline` is a group label (`opt=adam lr=0.1`) or nil for the best-ranked group.
    public init(_ report: Report, baseline label: String? = nil, seed: UInt64 = 0) throws {
        let chosen: ReportGroup?
        if let baseline = label {
            chosen = report.groups.first { $0.label == baseline }
            if chosen == nil {
                throw ExperimentError("--baseline: expected a group label (\(report.groups.map { "\"\($0.label)\"" }.joined(separator: ", "))), got \"\(baseline)\"")
            }
        } else {
            chosen = report.groups.first { $0.rank == 1 }
        }
        guard let base = chosen, base.stats.n > 0 else {
            throw ExperimentError("--compare: the baseline group has no finished run with the metric")
        }
        baseline = base
        metric = report.metric
        let others = report.groups.filter { $0.label != base.label && $0.stats.n > 0 }
        let values = { (g: ReportGroup) in
            g.runs.compactMap { Report.value(of: $0, metric: report.metric, reduce: report.reduce, lowerIsBetter: report.lowerIsBetter) }
        }
        let baseValues = values(base)
        let results = others.map { TwoSampleComparison(a: values($0), b: baseValues, seed: seed) }
        let welch = TwoSampleComparison.holm(results.map(\.welchP))
        let mwu = TwoSampleComparison.holm(results.map(\.mannWhitneyP))
        rows = others.indices.map { Row(group: others[$0], result: results[$0], welchHolm: welch[$0], mannWhitneyHolm: mwu[$0]) }
    }

    func numbers(_ r: Row) -> [Double] {
        let c = r.result
        return [Double(c.n1), Double(c.n2), c.meanDifference, c.bootstrapLow, c.bootstrapHigh, c.welchT, c.welchDF, c.welchP,
                r.welchHolm, c.mannWhitneyU, c.mannWhitneyP, r.mannWhitneyHolm, c.cohensD, c.hedgesG, c.rankBiserial]
    }

    public func render(as format: ReportFormat) -> String {
        let note = "\nmetric: \(metric); each group vs \(baseline.label): mean difference (group − baseline) with a 95 % "
            + "percentile-bootstrap interval, two-sided Welch t and Mann–Whitney U tests (p adjusted by Holm over "
            + "\(rows.count) comparison\(rows.count == 1 ? "" : "s")), Cohen's d, Hedges' g, rank-biserial r.\n"
        switch format {
        case .csv:
            let lines = [Self.columns.joined(separator: ",")] + rows.map { r in
                ([ReportFormatter.csvField(r.group.label), ReportFormatter.csvField(baseline.label)]
                    + numbers(r).map(ReportFormatter.number)).joined(separator: ",")
            }
            return lines.joined(separator: "\n") + "\n"
        case .json:
            return JSONValue.array(rows.map { r in
                .object([("group", .string(r.group.label)), ("baseline", .string(baseline.label))]
                    + zip(Self.columns.dropFirst(2), numbers(r)).map { ($0, $1.isFinite ? .number($1) : .null) })
            }).prettyJSON
        case .latex:
            let head = ["group", "$\\Delta$ mean", "95\\% CI", "$p$ (Welch, Holm)", "$p$ (MWU, Holm)", "$d$"]
            let rows = rows.map { r -> [String] in
                let c = r.result
                return [ReportFormatter.latexEscape(r.group.label), ReportFormatter.short(c.meanDifference),
                        "[\(ReportFormatter.short(c.bootstrapLow)), \(ReportFormatter.short(c.bootstrapHigh))]",
                        ReportFormatter.short(r.welchHolm), ReportFormatter.short(r.mannWhitneyHolm), ReportFormatter.short(c.cohensD)]
            }
            return ReportFormatter.latexTable(head: head, rows: rows, numericFrom: 1, escape: false,
                                              caption: "\(ReportFormatter.latexEscape(metric)) against \(ReportFormatter.latexEscape(baseline.label))")
        case .markdown, .table:
            let head = ["group", "n", "diff", "95% CI", "welch p", "holm", "mwu p", "holm", "d", "g", "r"]
            let body = rows.map { r -> [String] in
                let c = r.result
                return [r.group.label, String(c.n1), ReportFormatter.short(c.meanDifference),
                        "[\(ReportFormatter.short(c.bootstrapLow)), \(ReportFormatter.short(c.bootstrapHigh))]",
                        ReportFormatter.short(c.welchP), ReportFormatter.short(r.welchHolm), ReportFormatter.short(c.mannWhitneyP),
                        ReportFormatter.short(r.mannWhitneyHolm), ReportFormatter.short(c.cohensD), ReportFormatter.short(c.hedgesG),
                        ReportFormatter.short(c.rankBiserial)]
            }
            if format == .markdown {
                let rule = ["---"] + head.dropFirst().map { _ in "---:" }
                return ([head, rule] + body).map { "| " + $0.map(ReportFormatter.escapeMarkdown).joined(separator: " | ") + " |" }
                    .joined(separator: "\n") + "\n" + note
            }
            return ReportFormatter.aligned([head] + body, leftColumns: [0, 3]) + "\n" + note
        }
    }
}
