import Foundation

/// Output formats of `descent report`.
public enum ReportFormat: String, CaseIterable {
    case table, markdown, csv, json
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
        let widths = header(report).indices.map { c in rows.map { $0[c].count }.max() ?? 0 }
        let keyColumns = 1..<(1 + report.groupKeys.count)
        var lines = rows.map { row in
            row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return keyColumns.contains(c) ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        return lines.joined(separator: "\n") + "\n" + footnote(report)
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
        func field(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        func number(_ v: Double) -> String {
            guard v.isFinite else { return "" }
            var out: [UInt8] = []
            JSONValue.appendNumber(v, to: &out)
            return String(decoding: out, as: UTF8.self)
        }
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
