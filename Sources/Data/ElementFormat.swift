import Tensors

/// The on-disk element types that IDX and NPY files store, and their conversion to float32.
///
/// ```swift
/// let format = ElementFormat(kind: .unsigned, size: 1, bigEndian: false)
/// format.decode(bytes, count: n, into: tensor.pointer)
/// ```
struct ElementFormat: Equatable, CustomStringConvertible {
    enum Kind: Equatable { case float, signed, unsigned, bool }

    let kind: Kind
    /// Bytes per element.
    let size: Int
    let bigEndian: Bool

    var description: String {
        let k: String
        switch kind {
        case .float: k = "f"
        case .signed: k = "i"
        case .unsigned: k = "u"
        case .bool: k = "b"
        }
        return (size == 1 ? "|" : bigEndian ? ">" : "<") + k + String(size)
    }

    /// Whether `decode` knows this combination of kind and size.
    var isSupported: Bool {
        switch kind {
        case .float: return size == 2 || size == 4 || size == 8
        case .signed, .unsigned: return [1, 2, 4, 8].contains(size)
        case .bool: return size == 1
        }
    }

    /// Converts `count` packed elements at `src` to float32 at `dst`.
    ///
    /// One specialised loop per type so the compiler can vectorise each; the source may be
    /// unaligned (file data), so every element is read with `loadUnaligned`.
    func decode(_ src: UnsafeRawPointer, count n: Int, into dst: UnsafeMutablePointer<Float>) {
        let swap = bigEndian != (1.bigEndian == 1)
        switch (kind, size) {
        case (.unsigned, 1):
            let p = src.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { dst[i] = Float(p[i]) }
        case (.bool, 1):
            let p = src.assumingMemoryBound(to: UInt8.self)
            for i in 0..<n { dst[i] = p[i] == 0 ? 0 : 1 }
        case (.signed, 1):
            let p = src.assumingMemoryBound(to: Int8.self)
            for i in 0..<n { dst[i] = Float(p[i]) }
        case (.signed, 2): ElementFormat.convert(src, n, dst, swap) { (v: UInt16) in Float(Int16(bitPattern: v)) }
        case (.unsigned, 2): ElementFormat.convert(src, n, dst, swap) { (v: UInt16) in Float(v) }
        case (.signed, 4): ElementFormat.convert(src, n, dst, swap) { (v: UInt32) in Float(Int32(bitPattern: v)) }
        case (.unsigned, 4): ElementFormat.convert(src, n, dst, swap) { (v: UInt32) in Float(v) }
        case (.signed, 8): ElementFormat.convert(src, n, dst, swap) { (v: UInt64) in Float(Int64(bitPattern: v)) }
        case (.unsigned, 8): ElementFormat.convert(src, n, dst, swap) { (v: UInt64) in Float(v) }
        case (.float, 2): ElementFormat.convert(src, n, dst, swap) { (v: UInt16) in Float(Float16(bitPattern: v)) }
        case (.float, 4): ElementFormat.convert(src, n, dst, swap) { (v: UInt32) in Float(bitPattern: v) }
        case (.float, 8): ElementFormat.convert(src, n, dst, swap) { (v: UInt64) in Float(Double(bitPattern: v)) }
        default:
            // Unreachable: callers check `isSupported` while parsing the header.
            for i in 0..<n { dst[i] = .nan }
        }
    }

    @inline(__always)
    private static func convert<T: FixedWidthInteger>(
        _ src: UnsafeRawPointer, _ n: Int, _ dst: UnsafeMutablePointer<Float>, _ swap: Bool,
        _ body: (T) -> Float
    ) {
        let stride = MemoryLayout<T>.size
        if swap {
            for i in 0..<n { dst[i] = body(src.loadUnaligned(fromByteOffset: i * stride, as: T.self).byteSwapped) }
        } else {
            for i in 0..<n { dst[i] = body(src.loadUnaligned(fromByteOffset: i * stride, as: T.self)) }
        }
    }
}

extension ByteStream {
    /// Reads `count` elements of `format` into a new float32 tensor of `shape`, in chunks so
    /// that no raw copy of the whole file is held in memory. `what` names the data in errors.
    func readElements(_ format: ElementFormat, shape: [Int], what: String) throws -> Tensor {
        try Tensor.validate(shape: shape)
        let count = shape.reduce(1, *)
        let (bytes, overflow) = count.multipliedReportingOverflow(by: format.size)
        guard !overflow, bytes <= maxRemaining else {
            throw TensorError(
                "\(path): truncated file: \(what) of shape \(describe(shape: shape)) needs \(overflow ? "too many" : String(bytes)) bytes, the file is smaller")
        }
        let out = try Tensor(uninitializedShape: shape)
        let chunkElements = max(1, (1 << 16) / format.size)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkElements * format.size, alignment: 16)
        defer { buffer.deallocate() }
        let dst = out.pointer
        var done = 0
        while done < count {
            let n = min(chunkElements, count - done)
            let got = try readSome(into: buffer, count: n * format.size)
            guard got == n * format.size else {
                throw TensorError(
                    "\(path): truncated file: \(what) needs \(bytes) bytes, only \(done * format.size + got) present")
            }
            format.decode(buffer, count: n, into: dst + done)
            done += n
        }
        return out
    }

    /// Throws unless the stream has no bytes left and (for gzip) ended cleanly.
    func finish(what: String) throws {
        guard try isAtEnd() else {
            throw TensorError("\(path): unexpected trailing bytes after the \(what)")
        }
        try close()
    }
}
