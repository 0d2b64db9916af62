import Foundation
import Tensors

/// Reader and writer for numpy's .npy format (versions 1.0, 2.0 and 3.0).
///
/// `load` accepts the dtypes `<f4 <f8 |u1 |i1 <i2 <i4 <i8 |b1` (also `<f2 <u2 <u4 <u8` and
/// big-endian variants) and converts them to float32; Fortran-ordered arrays are transposed
/// into row-major order. `save` writes `<f4`, version 1.0, C order, which every numpy reads.
///
/// ```swift
/// try NPY.save("weights.npy", w)
/// let back = try NPY.load("weights.npy")
/// ```
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// numpy's own reader refuses headers over 10 000 bytes by default; allow some more.
    static let maxHeaderBytes = 1 << 20

    /// Loads a .npy file (or a gzip-compressed one) as a float32 tensor with the array's shape.
    public static func load(_ path: String) throws -> Tensor {
        let stream = try ByteStream(path: path)
        let preamble = try stream.read(8, what: "NPY preamble")
        guard Array(preamble[0..<6]) == magic else {
            throw TensorError("\(path): not an NPY file: expected the magic \\x93NUMPY at the start")
        }
        let major = preamble[6]
        let lengthBytes: [UInt8]
        switch major {
        case 1: lengthBytes = try stream.read(2, what: "NPY header length")
        case 2, 3: lengthBytes = try stream.read(4, what: "NPY header length")
        default: throw TensorError("\(path): NPY version: expected 1, 2 or 3, got \(major).\(preamble[7])")
        }
        let headerLength = lengthBytes.reversed().reduce(0) { $0 << 8 | Int($1) }
        guard headerLength <= maxHeaderBytes else {
            throw TensorError("\(path): NPY header length: expected at most \(maxHeaderBytes) bytes, got \(headerLength)")
        }
        let headerBytes = try stream.read(headerLength, what: "NPY header")
        let header = try NPYHeader(parsing: String(decoding: headerBytes, as: UTF8.self), path: path)
        let stored = header.fortranOrder ? header.shape.reversed() : header.shape
        let data = try stream.readElements(header.format, shape: stored, what: "NPY data")
        try stream.finish(what: "NPY data of shape \(describe(shape: header.shape))")
        guard header.fortranOrder else { return data }
        // Column-major data of shape S is row-major data of shape reversed(S); reading that
        // through reversed strides gives the array, which contiguousData lays out row-major.
        let view = Tensor(
            storage: data.storage, shape: header.shape, strides: data.strides.reversed(), offset: 0)
        return try view.contiguousData()
    }

    /// Writes `tensor` as a version 1.0 `<f4` C-order .npy file (atomically: temp file + rename).
    public static func save(_ path: String, _ tensor: Tensor) throws {
        let values = try tensor.contiguousData()
        let header = NPYHeader(
            format: ElementFormat(kind: .float, size: 4, bigEndian: false), fortranOrder: false,
            shape: values.shape)
        var text = Array(header.text.utf8)
        // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
        let unpadded = magic.count + 2 + 2 + text.count + 1
        text += [UInt8](repeating: 0x20, count: (64 - unpadded % 64) % 64) + [0x0A]
        guard text.count <= Int(UInt16.max) else {
            throw TensorError("\(path): NPY header too long for version 1.0 (shape \(describe(shape: values.shape)))")
        }
        var bytes = Foundation.Data(magic + [1, 0, UInt8(text.count & 0xFF), UInt8(text.count >> 8)] + text)
        let n = values.count
        var little = [UInt32](repeating: 0, count: n)
        let src = values.pointer
        little.withUnsafeMutableBufferPointer { out in
            for i in 0..<n { out[i] = src[i].bitPattern.littleEndian }
        }
        little.withUnsafeBytes { bytes.append(contentsOf: $0) }
        do {
            try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw TensorError("\(path): cannot write: \(error.localizedDescription)")
        }
    }
}
