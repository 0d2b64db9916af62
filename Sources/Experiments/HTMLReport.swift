/// One self-contained HTML page with the report table and the learning-curve plot inline
/// (no scripts, no external files), for sharing a sweep's result as one file.
///
///     let html = HTMLReport.render(report, title: "lr sweep", svg: svg)
public enum HTMLReport {
    public static func render(_ report: Report, title: String, svg: String?) -> String {
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
        caption { text-align: left; color: #555; padding-bottom: 4px; }
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
        if let svg { html += "<figure>\n\(svg)</figure>\n" }
        return html + "</body>\n</html>\n"
    }
}
