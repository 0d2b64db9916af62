import Tensors

/// The element types of the safetensors format that descent reads (all converted to float32).
enum SafetensorsDType: String {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// Converts `count` little-endian elements at `src` (any alignment) to float32 at `dst`.
    func convert(_ src: UnsafeRawPointer, to dst: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .f32: UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: count * 4)
        case .f64: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
        case .f16:
            for i in 0..<count {
                dst[i] = Float(Float16(bitPattern: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
            }
        case .bf16:
            for i in 0..<count {
                dst[i] = Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16)
            }
        case .i64: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
        case .i32: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
        case .i16: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)) }
        case .i8: for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self)) }
        case .u8: for i in 0..<count { dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self)) }
        case .bool: for i in 0..<count { dst[i] = src.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
        }
    }
}

/// One tensor's entry in a safetensors header.
struct SafetensorsEntry {
    let name: String
    let dtype: SafetensorsDType
    let shape: [Int]
    let begin, end: Int
}

/// Encodes a string as a JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
    }
    return out + "\""
}

/// The header JSON for `entries` (float32, in data order) and `metadata` (sorted keys first,
/// under `__metadata__`), padded with spaces to a multiple of 8 bytes as the reference
/// implementation does.
func safetensorsHeader(_ entries: [SafetensorsEntry], metadata: [String: String]) -> [UInt8] {
    var parts = [String]()
    if !metadata.isEmpty {
        let fields = metadata.sorted { $0.key < $1.key }.map { jsonString($0.key) + ":" + jsonString($0.value) }
        parts.append("\"__metadata__\":{" + fields.joined(separator: ",") + "}")
    }
    for e in entries {
        let shape = "[" + e.shape.map(String.init).joined(separator: ",") + "]"
        parts.append(jsonString(e.name) + ":{\"dtype\":\"\(e.dtype.rawValue)\",\"shape\":\(shape),\"data_offsets\":[\(e.begin),\(e.end)]}")
    }
    var bytes = Array(("{" + parts.joined(separator: ",") + "}").utf8)
    bytes += [UInt8](repeating: 0x20, count: (8 - bytes.count % 8) % 8)
    return bytes
}
