import Foundation

/// Output formats of `descent report`.
public enum ReportFormat: String, CaseIterable {
    case table, markdown, csv, json, latex
}

/// Renders a report. Every format has the same columns: `rank`, the group keys, then
/// `n, mean, std, sem, median, q1, q3, min, max, failed, diverged`. CSV and JSON carry full
/// precision (undefined values: empty in CSV, null in JSON); table and markdown round to four
/// significant digits and show undefined values as `-`.
///
///     print(ReportFormatter.render(report, as: .csv))
public enum ReportFormatter {
    public static let statColumns = DescriptiveStats.columns + ["failed", "diverged"]

    public static func header(_ report: Report) -> [String] { ["rank"] + report.groupKeys + statColumns }

    public static func render(_ report: Report, as format: ReportFormat) -> String {
        switch format {
        case .table: return table(report)
        case .markdown: return markdown(report)
        case .csv: return csv(report)
        case .json: return json(report).prettyJSON
        case .latex: return latex(report)
        }
    }

    /// Cells with numbers rounded for reading.
    static func readableRows(_ report: Report) -> [[String]] {
        report.groups.map { g -> [String] in
            let rank: String = g.rank.map { String($0) } ?? "-"
            let keys: [String] = g.keys.map { $0.1 }
            let stats: [String] = g.stats.values.dropFirst().map { short($0) }
            return [rank] + keys + [String(g.stats.n)] + stats + [String(g.failed), String(g.diverged)]
        }
    }

    static func short(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        return String(format: "%.4g", v)
    }

    static func table(_ report: Report) -> String {
        let rows = [header(report)] + readableRows(report)
        return aligned(rows, leftColumns: Set(1..<(1 + report.groupKeys.count))) + "\n" + footnote(report)
    }

    /// Rows as aligned columns under a dashed rule (the first row is the header); columns in
    /// `leftColumns` are left-aligned, the others right-aligned (numbers).
    static func aligned(_ rows: [[String]], leftColumns: Set<Int>) -> String {
        guard let head = rows.first else { return "" }
        let widths = head.indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return leftColumns.contains(c) ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        return lines.joined(separator: "\n")
    }

    /// A booktabs table (`\\usepackage{booktabs}`): text columns left, numbers right.
    static func latexTable(head: [String], rows: [[String]], numericFrom: Int, escape: Bool = true, caption: String) -> String {
        let spec = head.indices.map { $0 < numericFrom ? "l" : "r" }.joined()
        func line(_ cells: [String]) -> String {
            cells.map { escape ? latexEscape($0) : $0 }.joined(separator: " & ") + " \\\\"
        }
        var out = ["\\begin{table}[t]", "\\centering", "\\begin{tabular}{\(spec)}", "\\toprule", line(head), "\\midrule"]
        out += rows.map(line)
        out += ["\\bottomrule", "\\end{tabular}", "\\caption{\(caption)}", "\\end{table}"]
        return out.joined(separator: "\n") + "\n"
    }

    /// TeX's special characters escaped (`_` in keys such as `weight_decay`, `%`, `&`, ...).
    static func latexEscape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\textbackslash{}"
            case "&", "%", "$", "#", "_", "{", "}": out += "\\" + String(ch)
            case "~": out += "\\textasciitilde{}"
            case "^": out += "\\textasciicircum{}"
            case "±": out += "$\\pm$"
            default: out.append(ch)
            }
        }
        return out
    }

    /// The report as a booktabs table: rank, group keys, n, mean ± std, median, failed.
    static func latex(_ report: Report) -> String {
        let head = ["rank"] + report.groupKeys + ["n", "mean", "std", "sem", "median", "failed", "diverged"]
        let rows = report.groups.map { g -> [String] in
            [g.rank.map(String.init) ?? "-"] + g.keys.map { $0.1 }
                + [String(g.stats.n), short(g.stats.mean), short(g.stats.std), short(g.stats.sem), short(g.stats.median),
                   String(g.failed), String(g.diverged)]
        }
        let direction = report.lowerIsBetter ? "lower" : "higher"
        return latexTable(head: head, rows: rows, numericFrom: 1 + report.groupKeys.count,
                          caption: latexEscape("\(report.metric) (\(report.reduce.rawValue), \(direction) is better)"))
    }

    /// A CSV field, quoted when it must be.
    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// A number at full precision as JSON writes it; empty when undefined.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "" }
        var out: [UInt8] = []
        JSONValue.appendNumber(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func markdown(_ report: Report) -> String {
        let head = header(report)
        let keyColumns = 1..<(1 + report.groupKeys.count)
        let rule = head.indices.map { keyColumns.contains($0) ? "---" : "---:" }
        let lines = ([head, rule] + readableRows(report)).map { "| " + $0.map(escapeMarkdown).joined(separator: " | ") + " |" }
        return lines.joined(separator: "\n") + "\n" + footnote(report)
    }

    /// Metric, reduction and direction, plus unfinished runs if any.
    static func footnote(_ report: Report) -> String {
        var text = "\nmetric: \(report.metric) (\(report.reduce.rawValue), \(report.lowerIsBetter ? "lower" : "higher") is better)"
        if report.pending > 0 { text += "; \(report.pending) run(s) still running or missing" }
        return text + "\n"
    }

    static func escapeMarkdown(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }

    static func csv(_ report: Report) -> String {
        let field = csvField
        var lines = [header(report).map(field).joined(separator: ",")]
        for g in report.groups {
            let rank: String = g.rank.map { String($0) } ?? ""
            let keys: [String] = g.keys.map { field($0.1) }
            let stats: [String] = g.stats.values.dropFirst().map { number($0) }
            let cells = [rank] + keys + [String(g.stats.n)] + stats + [String(g.failed), String(g.diverged)]
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// An array of objects, one per group, keys as in `header`.
    public static func json(_ report: Report) -> JSONValue {
        .array(report.groups.map { g in
            let stats = zip(DescriptiveStats.columns, g.stats.values).map { name, v -> (String, JSONValue) in
                (name, v.isFinite ? .number(v) : .null)
            }
            let rank: JSONValue = g.rank.map { .number(Double($0)) } ?? .null
            let keys: [(String, JSONValue)] = g.keys.map { ($0.0, .string($0.1)) }
            let counts: [(String, JSONValue)] = [("failed", .number(Double(g.failed))), ("diverged", .number(Double(g.diverged)))]
            return .object([("rank", rank)] + keys + stats + counts)
        })
    }
}
