/// One self-contained HTML page with the report table, every figure inline, further tables
/// (pivot, comparisons) and the runs' metadata (config and provenance): no scripts, no external
/// files, for sharing a sweep's result as one file.
///
///     let html = HTMLReport.render(report, title: "lr sweep", figures: [("loss", svg)], runs: runs)
public enum HTMLReport {
    public static func render(_ report: Report, title: String, svg: String?) -> String {
        render(report, title: title, figures: svg.map { [("", $0)] } ?? [])
    }

    public static func render(_ report: Report, title: String, figures: [(caption: String, svg: String)],
                              tables: [(caption: String, text: String)] = [], runs: [ReportRun] = [],
                              command: [String] = []) -> String {
        let esc = SVGPlot.escapeXML
        let head = ReportFormatter.header(report)
        let keyColumns = 1..<(1 + report.groupKeys.count)
        var html = """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(esc(title))</title>
        <style>
        body { font-family: sans-serif; margin: 2em; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; }
        th { background: #f4f4f4; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        caption, figcaption { text-align: left; color: #555; padding-bottom: 4px; }
        figure { margin: 1.5em 0; }
        figure svg { max-width: 100%; height: auto; }
        pre { background: #f8f8f8; padding: 8px; overflow-x: auto; }
        table.runs td { font-size: 90%; vertical-align: top; }
        code { font-size: 90%; }
        </style>
        </head>
        <body>
        <h1>\(esc(title))</h1>
        <table>
        <caption>\(esc(ReportFormatter.footnote(report).trimmingCharacters(in: .whitespacesAndNewlines)))</caption>

        """
        html += "<tr>" + head.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
        for row in ReportFormatter.readableRows(report) {
            html += "<tr>" + row.enumerated().map { c, cell in
                keyColumns.contains(c) ? "<td>\(esc(cell))</td>" : "<td class=\"num\">\(esc(cell))</td>"
            }.joined() + "</tr>\n"
        }
        html += "</table>\n"
        if !command.isEmpty {
            html += "<p>made by <code>\(esc(command.joined(separator: " ")))</code></p>\n"
        }
        for (caption, svg) in figures {
            html += "<figure>\n\(svg)" + (caption.isEmpty ? "" : "<figcaption>\(esc(caption))</figcaption>\n") + "</figure>\n"
        }
        for (caption, text) in tables {
            html += "<h2>\(esc(caption))</h2>\n<pre>\(esc(text))</pre>\n"
        }
        if !runs.isEmpty { html += runTable(report, runs: runs) }
        return html + "</body>\n</html>\n"
    }

    /// One row per run: its group, seed, status, metric value and provenance (script and its
    /// SHA-256, descent version, host, command line), the resolved config folded under it.
    static func runTable(_ report: Report, runs: [ReportRun]) -> String {
        let esc = SVGPlot.escapeXML
        var html = "<h2>Runs</h2>\n<table class=\"runs\">\n<tr><th>run</th><th>group</th><th>seed</th><th>status</th>"
            + "<th>\(esc(report.metric))</th><th>script</th><th>sha256</th><th>version</th><th>host</th><th>config</th></tr>\n"
        for run in runs {
            let record = RunReader.load(run.directory)
            let group = report.groupKeys.map { k in "\(k)=" + (k == "seed" ? run.seed.map(String.init) ?? "" : run.value(of: k) ?? "") }
                .joined(separator: " ")
            let value = run.status == .done
                ? Report.value(of: run, metric: report.metric, reduce: report.reduce, lowerIsBetter: report.lowerIsBetter)
                    .map { ReportFormatter.short($0) } ?? "" : ""
            let config = record.config
            var details = ""
            if let config {
                details = "<details><summary>config</summary><pre>"
                    + esc(JSONValue.object(config.config).compactJSON) + "</pre>"
                    + "<div>command: <code>" + esc(config.commandLine.joined(separator: " ")) + "</code></div>"
                    + (config.machine.isEmpty ? "" : "<div>machine: <code>" + esc(JSONValue.object(config.machine).compactJSON) + "</code></div>")
                    + "</details>"
            }
            let cells = [run.directory.lastPathComponent, group, run.seed.map(String.init) ?? "",
                         run.status?.rawValue ?? "missing", value, config?.script ?? "",
                         String((config?.scriptSHA256 ?? "").prefix(12)), config?.version ?? "", config?.host ?? ""]
            html += "<tr>" + cells.map { "<td>\(esc($0))</td>" }.joined() + "<td>\(details)</td></tr>\n"
        }
        return html + "</table>\n"
    }
}
