import Tensors

/// The header of a .npy file: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }`.
///
/// Only the literal forms numpy writes are accepted: quoted strings, `True`/`False` and tuples of
/// non-negative integers. Anything else (structured dtypes, object arrays) is a clear error.
struct NPYHeader: Equatable {
    var format: ElementFormat
    var fortranOrder: Bool
    var shape: [Int]

    /// Parses the dict text; `path` is only used in error messages.
    init(parsing text: String, path: String) throws {
        var parser = DictParser(bytes: Array(text.utf8), path: path)
        let dict = try parser.parseDict()
        guard case .string(let descr)? = dict["descr"] else {
            throw TensorError("\(path): NPY header: expected 'descr' to be a dtype string like '<f4', got \(dict["descr"].map { "\($0)" } ?? "nothing")")
        }
        guard case .bool(let fortran)? = dict["fortran_order"] else {
            throw TensorError("\(path): NPY header: expected 'fortran_order' True or False")
        }
        guard case .tuple(let shape)? = dict["shape"] else {
            throw TensorError("\(path): NPY header: expected 'shape' to be a tuple of integers")
        }
        self.format = try NPYHeader.format(descr, path: path)
        self.fortranOrder = fortran
        self.shape = shape
    }

    init(format: ElementFormat, fortranOrder: Bool, shape: [Int]) {
        self.format = format
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    /// The dict text numpy writes, without padding.
    var text: String {
        let dims = shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? "," : "")
        return "{'descr': '\(format)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': (\(dims)), }"
    }

    /// Maps a numpy dtype string (`<f4`, `|u1`, `>i8`, `?`, ...) to an element format.
    static func format(_ descr: String, path: String) throws -> ElementFormat {
        let supported = "<f2 <f4 <f8 |u1 |i1 |b1 <i2 <i4 <i8 <u2 <u4 <u8 (or big-endian '>')"
        var chars = Array(descr)
        if descr == "?" { chars = ["|", "b", "1"] }
        if let first = chars.first, !"<>|=".contains(first) { chars.insert("=", at: 0) }
        guard chars.count >= 3, let size = Int(String(chars[2...])) else {
            throw TensorError("\(path): NPY dtype: expected one of \(supported), got '\(descr)'")
        }
        let kind: ElementFormat.Kind
        switch chars[1] {
        case "f": kind = .float
        case "i": kind = .signed
        case "u": kind = .unsigned
        case "b": kind = .bool
        default: throw TensorError("\(path): NPY dtype: expected one of \(supported), got '\(descr)'")
        }
        let format = ElementFormat(kind: kind, size: size, bigEndian: chars[0] == ">")
        guard format.isSupported else {
            throw TensorError("\(path): NPY dtype: expected one of \(supported), got '\(descr)'")
        }
        return format
    }
}

/// A value in the header dict.
enum NPYValue: Equatable, CustomStringConvertible {
    case string(String), bool(Bool), tuple([Int])

    var description: String {
        switch self {
        case .string(let s): return "'\(s)'"
        case .bool(let b): return b ? "True" : "False"
        case .tuple(let t): return "(" + t.map(String.init).joined(separator: ", ") + ")"
        }
    }
}

/// A recursive-descent parser for the small subset of Python literals used in NPY headers.
private struct DictParser {
    let bytes: [UInt8]
    let path: String
    var i = 0

    init(bytes: [UInt8], path: String) {
        self.bytes = bytes
        self.path = path
    }

    private func fail(_ expected: String) -> TensorError {
        let found = i < bytes.count ? "'\(Character(Unicode.Scalar(bytes[i])))'" : "the end"
        return TensorError("\(path): NPY header: expected \(expected) at offset \(i), got \(found)")
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x09 || bytes[i] == 0x0D { i += 1 }
    }

    private mutating func expect(_ c: Character) throws {
        skipSpace()
        guard i < bytes.count, bytes[i] == c.asciiValue else { throw fail("'\(c)'") }
        i += 1
    }

    /// Consumes `c` if it is next (after spaces).
    private mutating func accept(_ c: Character) -> Bool {
        skipSpace()
        if i < bytes.count, bytes[i] == c.asciiValue { i += 1; return true }
        return false
    }

    mutating func parseDict() throws -> [String: NPYValue] {
        try expect("{")
        var dict = [String: NPYValue]()
        while !accept("}") {
            guard case .string(let key) = try parseValue() else { throw fail("a quoted key") }
            try expect(":")
            dict[key] = try parseValue()
            if !accept(",") { try expect("}"); break }
        }
        return dict
    }

    private mutating func parseValue() throws -> NPYValue {
        skipSpace()
        guard i < bytes.count else { throw fail("a value") }
        switch bytes[i] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "("): return .tuple(try parseTuple())
        default:
            if matchWord("True") { return .bool(true) }
            if matchWord("False") { return .bool(false) }
            throw fail("a string, True, False or a tuple")
        }
    }

    private mutating func matchWord(_ word: String) -> Bool {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { return false }
        i += w.count
        return true
    }

    private mutating func parseString() throws -> String {
        let quote = bytes[i]
        i += 1
        let start = i
        while i < bytes.count, bytes[i] != quote {
            guard bytes[i] != UInt8(ascii: "\\") else { throw fail("a plain string without escapes") }
            i += 1
        }
        guard i < bytes.count else { throw fail("a closing quote") }
        let s = String(decoding: bytes[start..<i], as: UTF8.self)
        i += 1
        return s
    }

    private mutating func parseTuple() throws -> [Int] {
        try expect("(")
        var values = [Int]()
        while !accept(")") {
            skipSpace()
            let start = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            // numpy 1.x on some platforms wrote `3L`.
            let digits = String(decoding: bytes[start..<i], as: UTF8.self)
            if i < bytes.count, bytes[i] == UInt8(ascii: "L") { i += 1 }
            guard !digits.isEmpty, let v = Int(digits) else { i = start; throw fail("a non-negative integer") }
            values.append(v)
            if !accept(",") { try expect(")"); break }
        }
        return values
    }
}
