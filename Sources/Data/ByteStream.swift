import CZlib
import Foundation
import Tensors

/// A bounds-checked reader over a file that may be gzip-compressed.
///
/// zlib's gz* API reads plain files transparently, so every reader in this module (IDX, NPY,
/// CSV) accepts `file` and `file.gz` alike. Files are untrusted: every read that comes up short
/// throws a `TensorError` naming the path, and `maxRemaining` bounds how much data the file can
/// still hold so a lying header is rejected before anything is allocated for it.
///
/// ```swift
/// let stream = try ByteStream(path: "train-labels-idx1-ubyte.gz")
/// let magic = try stream.read(4)
/// ```
final class ByteStream {
    let path: String
    private var file: gzFile?
    /// Size of the file on disk (compressed size for gzip files).
    private let fileSize: Int
    /// Whether the file is compressed (false: zlib reads it as-is).
    let isCompressed: Bool
    /// Uncompressed bytes consumed so far.
    private(set) var consumed = 0

    /// The largest ratio deflate can reach (about 1032:1), plus slack for the gzip framing.
    private static let maxDeflateRatio = 1040

    init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TensorError("\(path): no such file")
        }
        guard !isDirectory.boolValue else { throw TensorError("\(path): is a directory, expected a file") }
        // Only a regular file's size bounds its contents (a pipe or /proc file reports 0).
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let attributes = try? FileManager.default.attributesOfItem(atPath: target)
        let isRegular = (attributes?[.type] as? FileAttributeType) == .typeRegular
        fileSize = isRegular ? (attributes?[.size] as? NSNumber)?.intValue ?? Int.max : Int.max
        guard let handle = gzopen(path, "rb") else {
            throw TensorError("\(path): cannot open: \(String(cString: strerror(errno)))")
        }
        file = handle
        _ = gzbuffer(handle, 1 << 16)
        // Called before any read, gzdirect looks at the first bytes to tell gzip from plain.
        isCompressed = gzdirect(handle) == 0
    }

    deinit { if let file { gzclose(file) } }

    /// An upper bound on the bytes left to read: exact for plain files, the deflate limit for
    /// compressed ones.
    var maxRemaining: Int {
        if fileSize == Int.max { return Int.max }
        if !isCompressed { return max(0, fileSize - consumed) }
        let (bound, overflow) = fileSize.multipliedReportingOverflow(by: ByteStream.maxDeflateRatio)
        return overflow ? Int.max : bound + 64
    }

    /// Reads up to `count` bytes into `buffer`; returns how many were read (0 at the end).
    func readSome(into buffer: UnsafeMutableRawPointer, count: Int) throws -> Int {
        guard let file else { throw TensorError("\(path): read after close") }
        var total = 0
        while total < count {
            let want = UInt32(min(count - total, 1 << 30))
            let got = gzread(file, buffer + total, want)
            if got < 0 { throw TensorError("\(path): read error: \(errorMessage())") }
            if got == 0 { break }
            total += Int(got)
        }
        consumed += total
        return total
    }

    /// Reads exactly `count` bytes into `buffer`, or throws naming `what` was being read.
    func read(into buffer: UnsafeMutableRawPointer, count: Int, what: String) throws {
        let got = try readSome(into: buffer, count: count)
        guard got == count else {
            throw TensorError("\(path): truncated file: \(what) needs \(count) bytes, only \(got) left")
        }
    }

    /// Reads exactly `count` bytes.
    func read(_ count: Int, what: String = "header") throws -> [UInt8] {
        guard count >= 0, count <= maxRemaining else {
            throw TensorError("\(path): truncated file: \(what) needs \(count) bytes, the file is smaller")
        }
        var bytes = [UInt8](repeating: 0, count: count)
        try bytes.withUnsafeMutableBytes { raw in
            if let base = raw.baseAddress { try read(into: base, count: count, what: what) }
        }
        return bytes
    }

    /// Reads everything that is left, refusing more than `limit` bytes.
    func readAll(limit: Int) throws -> [UInt8] {
        var out = [UInt8]()
        let chunkSize = 1 << 16
        let chunk = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let got = try readSome(into: chunk, count: chunkSize)
            if got == 0 { break }
            guard out.count + got <= limit else {
                throw TensorError("\(path): file is larger than the \(limit)-byte limit")
            }
            out.append(contentsOf: UnsafeRawBufferPointer(start: chunk, count: got))
        }
        return out
    }

    /// Whether the data is exhausted (reads one byte to find out).
    func isAtEnd() throws -> Bool {
        var byte: UInt8 = 0
        return try readSome(into: &byte, count: 1) == 0
    }

    /// Closes the file; throws if a compressed stream ended early (the file was truncated).
    func close() throws {
        guard let handle = file else { return }
        file = nil
        let status = gzclose(handle)
        if status == Z_BUF_ERROR {
            throw TensorError("\(path): truncated gzip stream")
        }
        if status != Z_OK {
            throw TensorError("\(path): gzip error \(status) while closing")
        }
    }

    private func errorMessage() -> String {
        guard let file else { return "closed" }
        var code: Int32 = 0
        guard let message = gzerror(file, &code) else { return "unknown error" }
        return String(cString: message)
    }
}
