import Foundation

/// One panel of a figure: a metric's curves with their own y axis.
public struct FigurePanel {
    /// Shown above the panel when the figure has several.
    public var title: String
    public var yLabel: String
    public var curves: [CurveSeries]

    public init(title: String, yLabel: String, curves: [CurveSeries]) {
        self.title = title
        self.yLabel = yLabel
        self.curves = curves
    }
}

/// A hand-written SVG line chart: one or more panels (a row of up to three, then more rows)
/// sharing one legend, with one line per group (its mean) and a band around it, axes with
/// ticks and labels, optional log axes and fixed limits. No dependencies; the output is
/// well-formed XML that browsers, XML parsers and rsvg-convert accept.
///
/// Every group keeps one colour (GroupColors, from the curve's colorKey) in all panels. The
/// legend sits right of the panels in as many columns as it needs, each as wide as its longest
/// label, so no entry is clipped: the image grows instead.
///
///     let svg = SVGPlot(title: "val_loss by lr", xLabel: "step", yLabel: "val_loss", logY: true)
///         .render(curves)
public struct SVGPlot {
    public var title: String
    public var xLabel: String
    /// The y label of a single-panel figure; panels use their own.
    public var yLabel: String
    public var logY: Bool
    public var logX = false
    /// Fixed axis ranges; nil ends are taken from the data (with 5 % padding).
    public var xLimits: (Double?, Double?) = (nil, nil)
    public var yLimits: (Double?, Double?) = (nil, nil)
    /// The study's colours; nil assigns them from the curves' colour keys.
    public var colors: GroupColors?
    /// Prefix of the SVG element ids (clip paths), unique per figure of an HTML page.
    public var idPrefix = "fig"
    /// The plot area of one panel.
    public var plotWidth = 430.0
    public var plotHeight = 300.0

    public init(title: String, xLabel: String, yLabel: String, logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
    }

    /// Legend labels longer than this are shortened (the full label stays as the tooltip).
    static let longestLegendLabel = 60
    static let fontSize = 12.0
    static let legendRow = 18.0
    // Margins of one panel cell around its plot area.
    static let (cellLeft, cellRight, cellBottom) = (80.0, 24.0, 50.0)

    public func render(_ curves: [CurveSeries]) -> String {
        render(panels: [FigurePanel(title: "", yLabel: yLabel, curves: curves)])
    }

    public func render(panels: [FigurePanel]) -> String {
        let panels = panels.isEmpty ? [FigurePanel(title: "", yLabel: yLabel, curves: [])] : panels
        // Legend entries: every group once, in order of first appearance (the report's rank).
        var entries: [CurveSeries] = []
        var seen = Set<String>()
        for panel in panels {
            for c in panel.curves where seen.insert(c.colorKey).inserted { entries.append(c) }
        }
        let colors = self.colors ?? GroupColors(keys: entries.map(\.colorKey))

        let cols = Swift.min(panels.count, 3)
        let rows = (panels.count + cols - 1) / cols
        let panelTitle = panels.count > 1 ? 22.0 : 0
        let top = title.isEmpty ? 12.0 : 40.0
        let cellW = SVGPlot.cellLeft + plotWidth + SVGPlot.cellRight
        let cellH = panelTitle + plotHeight + SVGPlot.cellBottom
        let panelsH = Double(rows) * cellH

        // Legend layout: columns of at most `perColumn` entries, as many columns as needed.
        let fitting = Swift.max(1, Int((panelsH - SVGPlot.cellBottom) / SVGPlot.legendRow))
        let legendCols = entries.isEmpty ? 0 : (entries.count + fitting - 1) / fitting
        let perColumn = legendCols == 0 ? 0 : (entries.count + legendCols - 1) / legendCols
        let labels = entries.map { SVGPlot.shortened($0.label) }
        var columnWidths: [Double] = []
        for c in 0..<legendCols {
            let slice = labels[(c * perColumn)..<Swift.min(labels.count, (c + 1) * perColumn)]
            columnWidths.append(34 + (slice.map { SVGPlot.textWidth($0) }.max() ?? 0) + 18)
        }
        let legendX = Double(cols) * cellW
        let width = (legendX + columnWidths.reduce(0, +) + 8).rounded(.up)
        let titleW = SVGPlot.textWidth(title, size: 15) + 24
        let svgWidth = Swift.max(width, titleW.rounded(.up))
        let height = (top + Swift.max(panelsH, panelTitle + Double(perColumn) * SVGPlot.legendRow + 12)).rounded(.up)

        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(svgWidth))\" height=\"\(fmt(height))\" "
            + "viewBox=\"0 0 \(fmt(svgWidth)) \(fmt(height))\" font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        if !title.isEmpty {
            svg += "<text x=\"\(fmt(svgWidth / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">\(escape(title))</text>\n"
        }
        for (p, panel) in panels.enumerated() {
            let originX = Double(p % cols) * cellW + SVGPlot.cellLeft
            let originY = top + Double(p / cols) * cellH + panelTitle
            svg += renderPanel(panel, index: p, x: originX, y: originY, showTitle: panels.count > 1, colors: colors)
        }
        // The legend.
        svg += "<g>\n"
        for (i, c) in entries.enumerated() {
            let column = i / Swift.max(perColumn, 1)
            let x = legendX + columnWidths[..<column].reduce(0, +) + 4
            let y = top + panelTitle + 10 + Double(i % Swift.max(perColumn, 1)) * SVGPlot.legendRow
            let style = colors.style(for: c.colorKey)
            svg += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(y))\" x2=\"\(fmt(x + 28))\" y2=\"\(fmt(y))\" stroke=\"\(style.color)\" stroke-width=\"3\"\(dashAttribute(style))/>\n"
            svg += "<text x=\"\(fmt(x + 34))\" y=\"\(fmt(y + 4))\"><title>\(escape(c.label))</title>\(escape(labels[i]))</text>\n"
        }
        return svg + "</g>\n</svg>\n"
    }

    private func renderPanel(_ panel: FigurePanel, index: Int, x left: Double, y top: Double, showTitle: Bool,
                             colors: GroupColors) -> String {
        let (plotW, plotH) = (plotWidth, plotHeight)
        var svg = ""
        if showTitle {
            svg += "<text x=\"\(fmt(left + plotW / 2))\" y=\"\(fmt(top - 8))\" text-anchor=\"middle\" font-size=\"13\">\(escape(panel.title))</text>\n"
        }
        // Points a log axis cannot show are dropped; a band edge <= 0 on a log y axis (only from
        // curves built without log-space bands) is clipped to the smallest positive value shown.
        let curves = panel.curves.map { c -> (CurveSeries, [Int]) in
            let keep = c.x.indices.filter { i in
                c.x[i].isFinite && c.mean[i].isFinite && (!logX || c.x[i] > 0) && (!logY || c.mean[i] > 0)
            }
            return (c, keep)
        }
        var ys: [Double] = []
        var xs: [Double] = []
        for (c, keep) in curves {
            for i in keep {
                xs.append(c.x[i])
                ys += [c.mean[i], c.lower[i], c.upper[i]]
            }
        }
        ys = ys.filter { $0.isFinite && (!logY || $0 > 0) }
        let floorY = ys.min() ?? 1
        let dataX = (xs.min(), xs.max())
        let dataY = (ys.min(), ys.max())
        svg += "<text transform=\"translate(\(fmt(left - SVGPlot.cellLeft + 16)) \(fmt(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">"
            + escape(panel.yLabel + (logY ? " (log scale)" : "")) + "</text>\n"
        svg += "<text x=\"\(fmt(left + plotW / 2))\" y=\"\(fmt(top + plotH + 38))\" text-anchor=\"middle\">"
            + escape(xLabel + (logX ? " (log scale)" : "")) + "</text>\n"
        guard let xr = SVGPlot.range(data: dataX, limits: xLimits, log: logX),
              let yr = SVGPlot.range(data: dataY, limits: yLimits, log: logY) else {
            svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
            svg += "<text x=\"\(fmt(left + plotW / 2))\" y=\"\(fmt(top + plotH / 2))\" text-anchor=\"middle\">no data</text>\n"
            return svg
        }
        func scale(_ v: Double, _ r: (Double, Double), _ log: Bool) -> Double {
            log ? (log10(v) - log10(r.0)) / (log10(r.1) - log10(r.0)) : (v - r.0) / (r.1 - r.0)
        }
        let tx = { (x: Double) in left + scale(x, xr, logX) * plotW }
        let ty = { (y: Double) in top + plotH - scale(logY ? Swift.max(y, floorY) : y, yr, logY) * plotH }
        // Grid, ticks and tick labels.
        let xTicks = logX ? SVGPlot.logTicks(xr.0, xr.1) : SVGPlot.linearTicks(xr.0, xr.1)
        let yTicks = logY ? SVGPlot.logTicks(yr.0, yr.1) : SVGPlot.linearTicks(yr.0, yr.1)
        svg += "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
        for t in xTicks { svg += "<line x1=\"\(fmt(tx(t)))\" y1=\"\(fmt(top))\" x2=\"\(fmt(tx(t)))\" y2=\"\(fmt(top + plotH))\"/>\n" }
        for t in yTicks { svg += "<line x1=\"\(fmt(left))\" y1=\"\(fmt(ty(t)))\" x2=\"\(fmt(left + plotW))\" y2=\"\(fmt(ty(t)))\"/>\n" }
        svg += "</g>\n<g fill=\"#333\">\n"
        for t in xTicks {
            svg += "<text x=\"\(fmt(tx(t)))\" y=\"\(fmt(top + plotH + 16))\" text-anchor=\"middle\">\(SVGPlot.label(t))</text>\n"
        }
        for t in yTicks {
            svg += "<text x=\"\(fmt(left - 6))\" y=\"\(fmt(ty(t) + 4))\" text-anchor=\"end\">\(SVGPlot.label(t))</text>\n"
        }
        svg += "</g>\n"
        // Curves are clipped to the plot area (axis limits may cut them).
        let clip = "\(idPrefix)-clip\(index)"
        svg += "<clipPath id=\"\(clip)\"><rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\"/></clipPath>\n"
        svg += "<g clip-path=\"url(#\(clip))\">\n"
        // Bands first, so every line stays visible on top of them.
        for (c, keep) in curves where keep.contains(where: { c.upper[$0] > c.lower[$0] }) {
            let upper = keep.map { "\(fmt(tx(c.x[$0]))),\(fmt(ty(c.upper[$0])))" }
            let lower = keep.reversed().map { "\(fmt(tx(c.x[$0]))),\(fmt(ty(c.lower[$0])))" }
            svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colors.style(for: c.colorKey).color)\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
        }
        for (c, keep) in curves {
            let style = colors.style(for: c.colorKey)
            let points = keep.map { (tx(c.x[$0]), ty(c.mean[$0])) }
            if points.count == 1 {
                svg += "<circle cx=\"\(fmt(points[0].0))\" cy=\"\(fmt(points[0].1))\" r=\"3\" fill=\"\(style.color)\"/>\n"
            } else if points.count > 1 {
                svg += "<polyline points=\"\(points.map { "\(fmt($0.0)),\(fmt($0.1))" }.joined(separator: " "))\" fill=\"none\" "
                    + "stroke=\"\(style.color)\" stroke-width=\"2\"\(dashAttribute(style))><title>\(escape(c.label))</title></polyline>\n"
            }
        }
        svg += "</g>\n"
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        return svg
    }

    private func dashAttribute(_ style: GroupStyle) -> String {
        style.dash.isEmpty ? "" : " stroke-dasharray=\"\(style.dash)\""
    }

    private func fmt(_ v: Double) -> String { String(format: "%.2f", v.isFinite ? v : 0) }

    static func shortened(_ label: String) -> String {
        label.count > longestLegendLabel ? String(label.prefix(longestLegendLabel - 1)) + "…" : label
    }

    /// Advance widths of DejaVu Sans (the figures' first font, and rsvg-convert's default sans
    /// on Debian) for ASCII 32...126, in thousandths of an em; other characters count as 1 em.
    static let asciiWidths: [Int] = [
        318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636,
        636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775,
        752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390,
        337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
        635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
    ]

    /// The width of `text` in pixels at `size` (DejaVu Sans metrics: wider than most sans
    /// fonts, so a layout that fits with it fits with the others).
    public static func textWidth(_ text: String, size: Double = 12) -> Double {
        var em = 0
        for scalar in text.unicodeScalars {
            let v = Int(scalar.value)
            em += (32...126).contains(v) ? asciiWidths[v - 32] : 1000
        }
        return Double(em) / 1000 * size
    }

    /// Escapes text for XML content and attributes.
    static func escapeXML(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(ch)
            }
        }
        return out
    }

    private func escape(_ s: String) -> String { SVGPlot.escapeXML(s) }

    /// The axis range: the limits where given, the padded data range elsewhere; nil without data.
    static func range(data: (Double?, Double?), limits: (Double?, Double?), log: Bool) -> (Double, Double)? {
        guard let lo = limits.0 ?? data.0, let hi = limits.1 ?? data.1 else { return nil }
        var (a, b) = padded(lo, hi, log: log)
        if let l = limits.0 { a = l }
        if let h = limits.1 { b = h }
        if log && (a <= 0 || b <= 0) { return nil }
        return b > a ? (a, b) : padded(a, a, log: log)
    }

    /// The axis range: data range plus 5% (or a decade fraction in log space); a flat range
    /// is widened so the scale is never zero-width.
    static func padded(_ lo: Double, _ hi: Double, log: Bool) -> (Double, Double) {
        if log {
            let (a, b) = (log10(lo), log10(hi))
            let pad = b > a ? (b - a) * 0.05 : 0.5
            return (pow(10, a - pad), pow(10, b + pad))
        }
        if hi > lo { return (lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.05) }
        let pad = lo == 0 ? 1 : abs(lo) * 0.1
        return (lo - pad, hi + pad)
    }

    /// About five "nice" ticks (1, 2 or 5 times a power of ten) inside [lo, hi].
    static func linearTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let raw = (hi - lo) / 5
        guard raw > 0, raw.isFinite else { return [lo] }
        let mag = pow(10, floor(log10(raw)))
        let r = raw / mag
        let step = (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag
        let first = ceil(lo / step - 1e-9)
        var ticks: [Double] = []
        var i = 0.0
        while (first + i) * step <= hi + step * 1e-9, ticks.count < 50 {
            let t = (first + i) * step
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            i += 1
        }
        return ticks
    }

    /// Powers of ten inside [lo, hi] (every other one beyond 8 decades); with fewer than two,
    /// also 2× and 5× multiples.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let decades = Int(floor(log10(lo)))...Int(ceil(log10(hi)))
        var powers = decades.map { pow(10, Double($0)) }.filter { $0 >= lo && $0 <= hi }
        if powers.count > 8 { powers = powers.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) }
        if powers.count >= 2 { return powers }
        let fine = decades.flatMap { d in [1.0, 2, 5].map { $0 * pow(10, Double(d)) } }.filter { $0 >= lo && $0 <= hi }
        return fine.count >= 2 ? fine : linearTicks(lo, hi)
    }

    /// Tick text: up to 4 significant digits.
    static func label(_ v: Double) -> String { String(format: "%g", Double(String(format: "%.4g", v)) ?? v) }
}
