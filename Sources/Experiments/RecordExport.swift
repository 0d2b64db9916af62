import FileIO
import Foundation

/// Every logged record of every run, one row each, with its run's identity and config: the
/// long ("tidy") format pandas and seaborn read directly (`descent report DIR --export F`).
///
///     run, status, seed, <config keys...>, <metric keys...>
///
/// Written as CSV (`.csv`: a header with the union of keys, in first-seen order; missing values
/// empty) or JSON Lines (`.jsonl`: one object per record). Runs of every status are included
/// (the `status` column says which), so diverged and failed runs can be studied too.
///
///     try RecordExport.write(runs: try ReportRun.load(from: dir), to: URL(fileURLWithPath: "all.csv"))
public enum RecordExport {
    public static func rows(_ runs: [ReportRun]) -> (columns: [String], rows: [[(String, JSONValue)]]) {
        var columns = ["run", "status", "seed"]
        var rows: [[(String, JSONValue)]] = []
        func note(_ key: String) { if !columns.contains(key) { columns.append(key) } }
        for run in runs {
            var identity: [(String, JSONValue)] = [
                ("run", .string(run.directory.lastPathComponent)),
                ("status", run.status.map { .string($0.rawValue) } ?? .string("missing")),
                ("seed", run.seed.map { .number(Double($0)) } ?? .null),
            ]
            for (k, v) in run.overrides where k != "seed" {
                identity.append((k, Double(v).map { .number($0) } ?? .string(v)))
                note(k)
            }
            for record in RunReader.metrics(in: run.directory) {
                for (k, _) in record { note(k) }
                rows.append(identity + record.filter { key, _ in !identity.contains { $0.0 == key } })
            }
        }
        return (columns, rows)
    }

    public static func write(runs: [ReportRun], to url: URL) throws {
        let (columns, rows) = rows(runs)
        let text: String
        switch url.pathExtension.lowercased() {
        case "csv":
            var lines = [columns.map(ReportFormatter.csvField).joined(separator: ",")]
            for row in rows {
                lines.append(columns.map { key -> String in
                    guard let v = row.first(where: { $0.0 == key })?.1 else { return "" }
                    if let d = v.doubleValue { return ReportFormatter.number(d) }
                    return ReportFormatter.csvField(v.stringValue ?? (v == .null ? "" : v.compactJSON))
                }.joined(separator: ","))
            }
            text = lines.joined(separator: "\n") + "\n"
        case "jsonl":
            text = rows.map { JSONValue.object($0).compactJSON + "\n" }.joined()
        default:
            throw ExperimentError("--export: expected a file ending in .csv or .jsonl, got \"\(url.lastPathComponent)\"")
        }
        try AtomicFile.write(text, to: url)
    }
}
