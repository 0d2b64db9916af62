import Foundation
import Glibc

/// Whole-file writes that readers never see half done: the bytes go to a temporary file in the
/// same directory, which is fsynced and then renamed over the target (rename is atomic within one
/// file system, and a crash leaves either the old file or the new one). Used for run records,
/// sweep manifests, reports and saved models.
///
///     try AtomicFile.write("{}\n", toPath: "runs/a/summary.json")
///
///     let file = try AtomicFile(path: "model.safetensors")   // streaming
///     do { try file.write(header); try file.write(data, count: n) } catch { file.abandon(); throw error }
///     try file.commit()
public struct AtomicFile {
    public let path: String
    public let tempPath: String
    private let fd: Int32

    /// Creates the temporary file next to `path`.
    public init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let prefix = slash.map { String(path[...$0]) } ?? ""   // the directory with its slash, or nothing
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        tempPath = prefix + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError.posix("cannot create \(tempPath)") }
    }

    /// Appends `count` bytes from `bytes`, retrying short writes and interrupts.
    public func write(_ bytes: UnsafeRawPointer, count: Int) throws {
        guard AtomicFile.writeAll(fd: fd, bytes, count: count) else { throw FileError.posix("cannot write \(tempPath)") }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            try write(base, count: raw.count)
        }
    }

    /// Flushes to disk and moves the file into place.
    public func commit() throws {
        guard fsync(fd) == 0 else { let e = FileError.posix("cannot sync \(tempPath)"); abandon(); throw e }
        close(fd)
        guard rename(tempPath, path) == 0 else {
            let e = FileError.posix("cannot rename \(tempPath) to \(path)")
            unlink(tempPath)
            throw e
        }
        // The rename itself lives in the directory; sync it so the new name survives a crash
        // (best effort: the data is already synced).
        let dfd = open(AtomicFile.directory(of: path), O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Closes and removes the temporary file (after a failure).
    public func abandon() {
        close(fd)
        unlink(tempPath)
    }

    /// Writes `bytes` to `path` atomically.
    public static func write(bytes: [UInt8], toPath path: String) throws {
        let file = try AtomicFile(path: path)
        do { try file.write(bytes) } catch { file.abandon(); throw error }
        try file.commit()
    }

    /// Writes `text` (UTF-8) to `path` atomically.
    public static func write(_ text: String, toPath path: String) throws {
        try write(bytes: Array(text.utf8), toPath: path)
    }

    /// Writes `text` (UTF-8) to a file URL atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(bytes: Array(text.utf8), toPath: url.path)
    }

    /// Writes every byte to `fd`, retrying short writes and EINTR; false on an error (errno set).
    public static func writeAll(fd: Int32, _ bytes: UnsafeRawPointer, count: Int) -> Bool {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, bytes + done, min(count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            done += n
        }
        return true
    }

    /// `writeAll` for a byte array.
    public static func writeAll(fd: Int32, bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in raw.baseAddress.map { writeAll(fd: fd, $0, count: raw.count) } ?? true }
    }

    /// The directory of a path: `.` when it has none, `/` for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// A file-system error: what was attempted, on which path, and the system's reason.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// `what: strerror(errno)`.
    public static func posix(_ what: String) -> FileError {
        FileError("\(what): \(String(cString: strerror(errno)))")
    }
}
