import Foundation
import Testing
@testable import Experiments

@Test func groupColoursDependOnTheKeyNotOnRankOrOtherGroups() {
    let four = ["opt=adam", "opt=sgd", "opt=lion", "opt=adamw"]
    let a = GroupColors(keys: four)
    let b = GroupColors(keys: four.reversed())
    for key in four { #expect(a.style(for: key) == b.style(for: key)) }
    // Four keys take four different colours, all solid.
    #expect(Set(four.map { a.style(for: $0).color }).count == 4)
    #expect(four.allSatisfy { a.style(for: $0).dash.isEmpty })
    // A key alone has its hash colour; in a study where no other key took that colour it keeps it.
    for key in four {
        let alone = GroupColors(keys: [key]).style(for: key)
        #expect(alone.color == GroupColors.preferredColor(key))
        let others = four.filter { $0 != key && GroupColors.preferredColor($0) != alone.color }
        #expect(GroupColors(keys: [key] + others).style(for: key) == alone)
    }
    // 36 groups: every (colour, dash) pair distinct.
    let many = (0..<36).map { "opt=o\($0 % 4) lr=\($0 / 4)" }
    let styles = GroupColors(keys: many)
    #expect(Set(many.map { "\(styles.style(for: $0).color)|\(styles.style(for: $0).dash)" }).count == 36)
}

@Test func colourIsTheSameInEveryPanelAndFigure() {
    func curve(_ label: String) -> CurveSeries { CurveSeries(label: label, x: [1, 2], mean: [1, 0.5], std: [0.1, 0.1]) }
    let study = GroupColors(keys: ["g=a", "g=b", "g=c"])
    var plot = SVGPlot(title: "t", xLabel: "step", yLabel: "loss")
    plot.colors = study
    // Panel 2 lacks g=a and lists the groups in another order.
    let svg = plot.render(panels: [FigurePanel(title: "loss", yLabel: "loss", curves: [curve("g=a"), curve("g=b"), curve("g=c")]),
                                   FigurePanel(title: "acc", yLabel: "acc", curves: [curve("g=c"), curve("g=b")])])
    #expect(parsesAsXML(svg))
    for key in ["g=b", "g=c"] {
        let colour = study.style(for: key).color
        let lines = svg.components(separatedBy: "\n").filter { $0.hasPrefix("<polyline") && $0.contains("<title>\(key)</title>") }
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("stroke=\"\(colour)\"") })
    }
    #expect(svg.components(separatedBy: "clip-path=\"url(").count - 1 == 2)  // two panels
    #expect(svg.components(separatedBy: "\n").filter { $0.hasPrefix("<text x=") && $0.contains("<title>g=b</title>") }.count == 1)  // one legend entry
}

@Test func logBandsAreGeometric() {
    let band = LearningCurves.geometricBand([1, 100])
    #expect(abs(band.center - 10) < 1e-12)
    #expect(abs(band.spread - 2.0.squareRoot()) < 1e-12)
    #expect(abs(band.lower - pow(10, 1 - 2.0.squareRoot())) < 1e-12 && band.lower > 0)
    #expect(abs(band.upper - pow(10, 1 + 2.0.squareRoot())) < 1e-9)
    // A linear band of the same values would go below zero: mean 50.5, std 70.0.
    #expect(LearningCurves.arithmeticBand([1, 100]).lower < 0)
}

@Test func emaMatchesTensorBoard() {
    // TensorBoard: last = last*w + (1-w)*y; smoothed = last / (1 - w^k).
    let s = LearningCurves.smoothed([1, 2, 3], weight: 0.5)
    #expect(abs(s[0] - 1) < 1e-12)
    #expect(abs(s[1] - (0.25 + 1.0) / 0.75) < 1e-12)  // 5/3
    #expect(abs(s[2] - (0.625 + 1.5) / 0.875) < 1e-12)  // 17/7
    #expect(LearningCurves.smoothed([4, 4, 4], weight: 0.9) == [4, 4, 4])
    #expect(LearningCurves.smoothed([1, 2], weight: 0) == [1, 2])
    let withNaN = LearningCurves.smoothed([1, .nan, 3], weight: 0.5)
    #expect(withNaN[1].isNaN && abs(withNaN[2] - (0.25 + 1.5) / 0.75) < 1e-12)
}

@Test func figureExtensionsAreCheckedBeforeWriting() throws {
    let root = try makeTempDir()
    defer { cleanup(root) }
    let svg = SVGPlot(title: "t", xLabel: "x", yLabel: "y").render([])
    #expect(throws: ExperimentError.self) { try FigureWriter.write(svg, to: root.appendingPathComponent("a.jpg")) }
    #expect(throws: ExperimentError.self) { try FigureWriter.write(svg, to: root.appendingPathComponent("noext")) }
    #expect(throws: ExperimentError.self) { try FigureWriter.write(svg, to: root.appendingPathComponent("a.png"), converter: nil) }
    #expect(throws: ExperimentError.self) { try FigureWriter.write(svg, to: root.appendingPathComponent("a.pdf"), converter: nil) }
    #expect(try FigureWriter.check("A.PNG", converter: URL(fileURLWithPath: "/bin/true")) == .png)
    // Nothing was written by the failures.
    #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty)
    // A converter that "succeeds" without writing a PNG leaves no mislabelled file.
    #expect(throws: ExperimentError.self) {
        try FigureWriter.write(svg, to: root.appendingPathComponent("b.png"), converter: URL(fileURLWithPath: "/bin/true"))
    }
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("b.png").path))
    try FigureWriter.write(svg, to: root.appendingPathComponent("c.svg"), converter: nil)
    #expect(readText(root.appendingPathComponent("c.svg")).hasPrefix("<svg"))
    if let converter = FigureWriter.findConverter() {
        try FigureWriter.write(svg, to: root.appendingPathComponent("d.png"), converter: converter)
        let head = FileManager.default.contents(atPath: root.appendingPathComponent("d.png").path).map { Array($0.prefix(4)) }
        #expect(head == [0x89, 0x50, 0x4E, 0x47])
    }
}

@Test func legendWith36GroupsStaysInsideTheViewBox() {
    let curves = (0..<36).map { i in
        CurveSeries(label: "optimizer=opt\(i % 4) lr=\(SVGPlot.label(pow(10, -Double(i / 4)))) wd=0.001",
                    x: [1, 2, 3], mean: [1, 0.5, 0.25].map { $0 * Double(i + 1) }, std: [0.1, 0.1, 0.1])
    }
    let svg = SVGPlot(title: "loss by optimizer, lr, wd", xLabel: "step", yLabel: "loss", logY: true)
        .render(panels: [FigurePanel(title: "loss", yLabel: "loss", curves: curves),
                         FigurePanel(title: "val_loss", yLabel: "val_loss", curves: curves)])
    #expect(parsesAsXML(svg))
    let numbers = svg.components(separatedBy: "viewBox=\"")[1].split(separator: "\"")[0].split(separator: " ").compactMap { Double($0) }
    let (width, height) = (numbers[2], numbers[3])
    var texts = 0
    for line in svg.components(separatedBy: "\n") where line.hasPrefix("<text x=") {
        func attribute(_ name: String) -> Double? {
            guard let r = line.range(of: " \(name)=\"") else { return nil }
            return Double(line[r.upperBound...].prefix(while: { $0 != "\"" }))
        }
        guard let x = attribute("x"), let y = attribute("y") else { continue }
        var content = line
        if let t = content.range(of: "</title>") { content = String(content[t.upperBound...]) } else {
            content = String(content[(content.firstIndex(of: ">").map { content.index(after: $0) } ?? content.startIndex)...])
        }
        content = String(content.prefix(while: { $0 != "<" }))
        let size = line.contains("font-size=\"15\"") ? 15.0 : 12.0
        let w = SVGPlot.textWidth(content, size: size)
        let left = line.contains("text-anchor=\"middle\"") ? x - w / 2 : line.contains("text-anchor=\"end\"") ? x - w : x
        #expect(left >= 0 && left + w <= width && y <= height && y >= 0, "\(line)")
        texts += 1
    }
    #expect(texts > 36)
    // Every group has a legend entry.
    for c in curves { #expect(svg.contains("<title>\(c.label)</title>")) }
}
