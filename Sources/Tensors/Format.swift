#if canImport(Glibc)
import Glibc
#endif

/// `print(t)` / `tostring(t)`: PyTorch-like nested brackets with aligned columns, then a trailer
/// with the shape.
///
/// ```
/// [[ 1.0000, -2.5000],
///  [ 3.0000,  4.0000]]
/// [tensor of shape [2, 2]]
/// ```
/// Numbers use 4 decimals, integers none, and scientific notation when magnitudes span more than
/// 1000x or reach 1e8 or fall under 1e-4. Over 1000 elements, each dimension longer than 6
/// shows its first and last 3 entries around "...". A 0-d tensor prints just its number; an
/// empty one prints only the trailer.
extension Tensor: CustomStringConvertible {
    public var description: String {
        if count == 0 { return "[tensor of shape \(describe(shape: shape))]" }
        let base = storage.base
        if dim == 0 { return NumberFormat([base[offset]]).string(base[offset]) }
        // The layout recurses once per dimension; views past `maxRank` (a long chain of
        // unsqueeze) print only their shape.
        if dim > Tensor.maxRank { return "[tensor of shape \(describe(shape: shape))]" }
        let layout = PrintLayout(shape: shape, strides: strides, summarize: count > 1000)
        var shown = [Float]()
        layout.visit(0, offset) { shown.append(base[$0]) }
        let format = NumberFormat(shown)
        var out = ""
        layout.render(0, offset, into: &out) { format.padded(base[$0]) }
        return out + "\n[tensor of shape \(describe(shape: shape))]"
    }
}

/// Which elements are shown and how the brackets nest.
private struct PrintLayout {
    let shape: [Int], strides: [Int], summarize: Bool
    static let edge = 3, lineWidth = 80

    /// Positions shown along dim `d`, nil standing for the elided middle.
    func positions(_ d: Int) -> [Int?] {
        let n = shape[d]
        if summarize && n > 2 * PrintLayout.edge {
            return Array(0..<PrintLayout.edge) + [nil] + Array((n - PrintLayout.edge)..<n)
        }
        return Array(0..<n)
    }

    /// Calls `body` with the storage offset of each shown element, in print order.
    func visit(_ d: Int, _ off: Int, _ body: (Int) -> Void) {
        for case let i? in positions(d) {
            if d == shape.count - 1 { body(off + i * strides[d]) } else { visit(d + 1, off + i * strides[d], body) }
        }
    }

    func render(_ d: Int, _ off: Int, into out: inout String, _ element: (Int) -> String) {
        let indent = String(repeating: " ", count: d + 1)
        out += "["
        if d == shape.count - 1 {
            var column = d + 1
            for (k, i) in positions(d).enumerated() {
                let item = i.map { element(off + $0 * strides[d]) } ?? "..."
                if k > 0 {
                    // Room for the separator, the item and a trailing "," or the closing brackets.
                    if column + 2 + item.count + d + 1 > PrintLayout.lineWidth {
                        out += ",\n" + indent
                        column = d + 1
                    } else {
                        out += ", "
                        column += 2
                    }
                }
                out += item
                column += item.count
            }
        } else {
            let separator = "," + String(repeating: "\n", count: shape.count - d - 1) + indent
            for (k, i) in positions(d).enumerated() {
                if k > 0 { out += separator }
                if let i { render(d + 1, off + i * strides[d], into: &out, element) } else { out += "..." }
            }
        }
        out += "]"
    }
}

/// How the shown numbers are written: one style and one width for all of them.
private struct NumberFormat {
    enum Style { case integer, fixed, scientific }
    let style: Style
    private(set) var width = 0

    init(_ values: [Float]) {
        let finite = values.filter { $0.isFinite }.map { Double(Swift.abs($0)) }
        let nonzero = finite.filter { $0 != 0 }
        let largest = nonzero.max() ?? 0, smallest = nonzero.min() ?? 0
        if finite.allSatisfy({ $0 == $0.rounded() }) {
            style = largest >= 1e8 ? .scientific : .integer
        } else if largest / smallest > 1000 || largest >= 1e8 || smallest < 1e-4 {
            style = .scientific
        } else {
            style = .fixed
        }
        width = values.reduce(0) { Swift.max($0, string($1).count) }
    }

    func string(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        switch style {
        case .integer: return NumberFormat.c("%.0f", Double(v))
        case .fixed: return NumberFormat.c("%.4f", Double(v))
        case .scientific: return NumberFormat.c("%.4e", Double(v))
        }
    }

    func padded(_ v: Float) -> String {
        let s = string(v)
        return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
    }

    static func c(_ format: String, _ v: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buf in
            guard let p = buf.baseAddress else { return String(v) }
            _ = withVaList([v]) { vsnprintf(p, 64, format, $0) }
            return String(cString: p)
        }
    }
}
