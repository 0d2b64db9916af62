import Foundation

/// A hand-written SVG line chart: one mean line per series with a ±std band, axes with
/// ticks and labels, a legend, optional log-scale y. No dependencies; the output is
/// well-formed XML that browsers and XML parsers accept.
///
///     let svg = SVGPlot(title: "val_loss by lr", xLabel: "step", yLabel: "val_loss", logY: true)
///         .render(curves)
public struct SVGPlot {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var logY: Bool
    /// The image width when legend labels are short (up to ~22 characters); longer ones widen it.
    public var width = 760.0
    public var height = 440.0

    public init(title: String, xLabel: String, yLabel: String, logY: Bool = false) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// Legend labels longer than this are shortened (the full label stays as the tooltip).
    static let longestLegendLabel = 60

    public func render(_ curves: [CurveSeries]) -> String {
        // The legend column grows with the longest label (about 7 px per character), so labels
        // that name several keys ("lr=0.003 weight_decay=0.001") stay readable; the plot area
        // keeps its size and the image gets wider.
        let labelChars = Swift.min(curves.map(\.label.count).max() ?? 0, SVGPlot.longestLegendLabel)
        let (left, top, bottom) = (72.0, 36.0, 52.0)
        let right = Swift.max(200.0, 46.0 + 7.0 * Double(labelChars))
        let plotW = width - left - 200.0
        let svgWidth = left + plotW + right
        let plotH = height - top - bottom
        // In log mode the band's lower edge may be <= 0; it is clipped to the smallest value.
        var ys: [Double] = []
        for c in curves {
            for (m, s) in zip(c.mean, c.std) { ys += [m - s, m, m + s] }
        }
        ys = ys.filter { $0.isFinite && (!logY || $0 > 0) }
        let xs: [Double] = curves.flatMap { $0.x }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(fmt(svgWidth))\" height=\"\(fmt(height))\" "
            + "viewBox=\"0 0 \(fmt(svgWidth)) \(fmt(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += "<text x=\"\(fmt(left + plotW / 2))\" y=\"20\" text-anchor=\"middle\" font-size=\"14\">\(escape(title))</text>\n"
        guard let xMin = xs.min(), let xMax = xs.max(), let yLo = ys.min(), let yHi = ys.max() else {
            svg += "<text x=\"\(fmt(left + plotW / 2))\" y=\"\(fmt(top + plotH / 2))\" text-anchor=\"middle\">no data</text>\n</svg>\n"
            return svg
        }
        let xr = SVGPlot.padded(xMin, xMax, log: false)
        let yr = SVGPlot.padded(yLo, yHi, log: logY)
        let tx = { (x: Double) in left + (x - xr.0) / (xr.1 - xr.0) * plotW }
        let ty = { (y: Double) -> Double in
            let (v, lo, hi) = logY ? (log10(Swift.max(y, yr.0)), log10(yr.0), log10(yr.1)) : (y, yr.0, yr.1)
            return top + plotH - (v - lo) / (hi - lo) * plotH
        }
        // Grid, ticks and tick labels.
        svg += "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
        let xTicks = SVGPlot.linearTicks(xr.0, xr.1)
        let yTicks = logY ? SVGPlot.logTicks(yr.0, yr.1) : SVGPlot.linearTicks(yr.0, yr.1)
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
        svg += "<rect x=\"\(fmt(left))\" y=\"\(fmt(top))\" width=\"\(fmt(plotW))\" height=\"\(fmt(plotH))\" fill=\"none\" stroke=\"#333\"/>\n"
        svg += "<text x=\"\(fmt(left + plotW / 2))\" y=\"\(fmt(height - 12))\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(16 \(fmt(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">"
            + escape(yLabel + (logY ? " (log scale)" : "")) + "</text>\n"
        // Bands first, so every line stays visible on top of them.
        for (i, c) in curves.enumerated() where c.std.contains(where: { $0 > 0 }) {
            let upper = zip(c.x, zip(c.mean, c.std)).map { "\(fmt(tx($0))),\(fmt(ty($1.0 + $1.1)))" }
            let lower = zip(c.x, zip(c.mean, c.std)).reversed().map { "\(fmt(tx($0))),\(fmt(ty($1.0 - $1.1)))" }
            svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color(i))\" fill-opacity=\"0.18\" stroke=\"none\"/>\n"
        }
        for (i, c) in curves.enumerated() {
            let points = zip(c.x, c.mean).filter { !logY || $1 > 0 }.map { "\(fmt(tx($0))),\(fmt(ty($1)))" }
            if points.count == 1 {
                let p = points[0].split(separator: ",")
                svg += "<circle cx=\"\(p[0])\" cy=\"\(p[p.count - 1])\" r=\"3\" fill=\"\(color(i))\"/>\n"
            } else if points.count > 1 {
                svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color(i))\" stroke-width=\"2\"\(dash(i))/>\n"
            }
        }
        // Legend.
        for (i, c) in curves.enumerated() {
            let y = top + 10 + Double(i) * 18
            let x = left + plotW + 14
            svg += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(y))\" x2=\"\(fmt(x + 18))\" y2=\"\(fmt(y))\" stroke=\"\(color(i))\" stroke-width=\"3\"\(dash(i))/>\n"
            let limit = SVGPlot.longestLegendLabel
            let short = c.label.count > limit ? String(c.label.prefix(limit - 1)) + "…" : c.label
            svg += "<text x=\"\(fmt(x + 24))\" y=\"\(fmt(y + 4))\"><title>\(escape(c.label))</title>\(escape(short))</text>\n"
        }
        return svg + "</svg>\n"
    }

    private func color(_ i: Int) -> String { SVGPlot.palette[i % SVGPlot.palette.count] }

    /// Solid lines for the first round of colours, then dashed, dotted, dash-dotted ones: with
    /// more groups than colours, curves that share a colour still tell apart (line and legend).
    private func dash(_ i: Int) -> String {
        let patterns = ["", "7 4", "2 3", "8 3 2 3"]
        let pattern = patterns[(i / SVGPlot.palette.count) % patterns.count]
        return pattern.isEmpty ? "" : " stroke-dasharray=\"\(pattern)\""
    }

    private func fmt(_ v: Double) -> String { String(format: "%.2f", v.isFinite ? v : 0) }

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
            ticks.append((first + i) * step)
            i += 1
        }
        return ticks
    }

    /// Powers of ten inside [lo, hi]; with fewer than two, also 2× and 5× multiples.
    static func logTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let decades = Int(floor(log10(lo)))...Int(ceil(log10(hi)))
        let powers = decades.map { pow(10, Double($0)) }.filter { $0 >= lo && $0 <= hi }
        if powers.count >= 2 { return powers }
        let fine = decades.flatMap { d in [1.0, 2, 5].map { $0 * pow(10, Double(d)) } }.filter { $0 >= lo && $0 <= hi }
        return fine.count >= 2 ? fine : linearTicks(lo, hi)
    }

    /// Tick text: up to 4 significant digits.
    static func label(_ v: Double) -> String { String(format: "%g", Double(String(format: "%.4g", v)) ?? v) }
}
