import Tensors

/// Reader for the IDX format of the MNIST files (LeCun et al.), plain or gzip-compressed.
///
/// Layout: two zero bytes, a type byte (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32,
/// 0x0E f64), the number of dimensions, then each dimension as a big-endian u32, then the data,
/// big-endian, row-major.
///
/// ```swift
/// let images = try IDX.load("data/mnist5k/mnist5k-train-images-idx3-ubyte.gz")  // [4000, 28, 28]
/// ```
public enum IDX {
    /// Loads an IDX file (`.gz` or not) as a float32 tensor with the file's shape.
    /// Throws a `TensorError` naming the path for a bad header, a truncated file or trailing data.
    public static func load(_ path: String) throws -> Tensor {
        let stream = try ByteStream(path: path)
        let magic = try stream.read(4, what: "IDX header")
        guard magic[0] == 0, magic[1] == 0 else {
            throw TensorError(
                "\(path): not an IDX file: expected the magic to start with 0x00 0x00, got 0x\(hex(magic[0])) 0x\(hex(magic[1]))")
        }
        guard let format = elementFormat(magic[2]) else {
            throw TensorError(
                "\(path): IDX type byte: expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E, got 0x\(hex(magic[2]))")
        }
        let rank = Int(magic[3])
        let dimBytes = try stream.read(4 * rank, what: "IDX dimensions")
        var shape = [Int]()
        for d in 0..<rank {
            let b = dimBytes[(4 * d)..<(4 * d + 4)].map(Int.init)
            shape.append(b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3])
        }
        let tensor = try stream.readElements(format, shape: shape, what: "IDX data")
        try stream.finish(what: "IDX data of shape \(describe(shape: shape))")
        return tensor
    }

    /// Whether the file stores unsigned bytes (type byte 0x08, as MNIST's images and labels do),
    /// read from the header alone. `descent predict` scales such images by 1/255 by default.
    ///
    /// ```swift
    /// try IDX.storesUnsignedBytes("t10k-images-idx3-ubyte.gz")  // true
    /// ```
    public static func storesUnsignedBytes(_ path: String) throws -> Bool {
        let magic = try ByteStream(path: path).read(4, what: "IDX header")
        return magic[0] == 0 && magic[1] == 0 && magic[2] == 0x08
    }

    /// The element format for an IDX type byte, nil when the byte is not one of the six types.
    static func elementFormat(_ byte: UInt8) -> ElementFormat? {
        switch byte {
        case 0x08: return ElementFormat(kind: .unsigned, size: 1, bigEndian: true)
        case 0x09: return ElementFormat(kind: .signed, size: 1, bigEndian: true)
        case 0x0B: return ElementFormat(kind: .signed, size: 2, bigEndian: true)
        case 0x0C: return ElementFormat(kind: .signed, size: 4, bigEndian: true)
        case 0x0D: return ElementFormat(kind: .float, size: 4, bigEndian: true)
        case 0x0E: return ElementFormat(kind: .float, size: 8, bigEndian: true)
        default: return nil
        }
    }

    static func hex(_ byte: UInt8) -> String {
        let s = String(byte, radix: 16, uppercase: true)
        return s.count == 1 ? "0" + s : s
    }
}
