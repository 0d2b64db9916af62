import Tensors

/// Splits CSV text into rows of fields (RFC 4180): comma-separated, fields optionally in double
/// quotes with `""` for a quote inside, LF, CRLF or CR line ends, a UTF-8 byte-order mark
/// ignored. Completely empty lines (such as a trailing one) are skipped.
///
/// ```swift
/// try CSVParser.parse(Array("a,b\n1,2\n".utf8), path: "x.csv") { fields, line in print(line, fields) }
/// ```
enum CSVParser {
    /// Calls `row` with the fields of every non-empty line and the line's 1-based number.
    static func parse(_ bytes: [UInt8], path: String, row: ([String], Int) throws -> Void) throws {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var fields = [String]()
        var field = [UInt8]()
        var quoted = false  // the current field was quoted (so an empty line is not empty)

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endLine() throws {
            endField()
            let isEmptyLine = fields.count == 1 && fields[0].isEmpty && !quoted
            if !isEmptyLine { try row(fields, line) }
            fields.removeAll(keepingCapacity: true)
            quoted = false
        }

        while i < bytes.count {
            let c = bytes[i]
            if c == quote && field.isEmpty && !quoted {
                // A quoted field: runs to the next lone quote, across commas and newlines.
                quoted = true
                let startLine = line
                i += 1
                while true {
                    guard i < bytes.count else {
                        throw TensorError("\(path): line \(startLine): unterminated quoted field")
                    }
                    let q = bytes[i]
                    if q == quote {
                        if i + 1 < bytes.count && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        i += 1
                        break
                    }
                    if q == lf { line += 1 }
                    field.append(q)
                    i += 1
                }
                if i < bytes.count, bytes[i] != comma, bytes[i] != lf, bytes[i] != cr {
                    throw TensorError("\(path): line \(line): expected a comma or line end after a closing quote")
                }
                continue
            }
            switch c {
            case comma:
                endField()
                quoted = false
            case lf, cr:
                try endLine()
                if c == cr, i + 1 < bytes.count, bytes[i + 1] == lf { i += 1 }
                line += 1
            default:
                field.append(c)
            }
            i += 1
        }
        if !fields.isEmpty || !field.isEmpty || quoted { try endLine() }
    }
}
