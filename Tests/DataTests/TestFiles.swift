import CZlib
import Foundation

/// Scratch files for the reader tests: each test gets its own temporary directory.
struct TestFiles {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("descent-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes `bytes` to `name` and returns the path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Foundation.Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    func write(_ name: String, text: String) throws -> String { try write(name, Array(text.utf8)) }

    /// Writes `bytes` gzip-compressed with zlib's gzopen/gzwrite and returns the path.
    @discardableResult
    func writeGzip(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = path(name)
        guard let file = gzopen(p, "wb") else { throw CocoaError(.fileWriteUnknown) }
        let written = bytes.withUnsafeBytes { gzwrite(file, $0.baseAddress, UInt32($0.count)) }
        guard gzclose(file) == Z_OK, written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
        return p
    }

    func read(_ path: String) throws -> [UInt8] { [UInt8](try Foundation.Data(contentsOf: URL(fileURLWithPath: path))) }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// The repository root (three levels above this file), for the bundled example data.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// An IDX header: magic, type byte, rank, big-endian dimensions.
func idxHeader(type: UInt8, shape: [Int]) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
    for d in shape { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return bytes
}

/// Runs `body` and returns the TensorError message it threw, or nil if it did not throw.
func errorMessage(_ body: () throws -> Void) -> String? {
    do { try body() } catch { return "\(error)" }
    return nil
}
