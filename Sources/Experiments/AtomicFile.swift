import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file writes that readers never see half done: the bytes go to a temp file in the same
/// directory, which is fsynced and then renamed over the target (rename is atomic within one
/// file system, and a crash leaves either the old file or the new one).
///
///     try AtomicFile.write("{}\n", to: dir.appendingPathComponent("summary.json"))
public enum AtomicFile {
    public static func write(_ text: String, to url: URL) throws {
        try write(bytes: Array(text.utf8), to: url)
    }

    public static func write(bytes: [UInt8], to url: URL) throws {
        let path = url.path
        let dir = url.deletingLastPathComponent().path
        let temp = dir + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw posixError("cannot create \(temp)") }
        var ok = writeAll(fd: fd, bytes: bytes) && fsync(fd) == 0
        let failure = ok ? nil : posixError("cannot write \(temp)")
        ok = close(fd) == 0 && ok
        guard ok, rename(temp, path) == 0 else {
            let err = failure ?? posixError("cannot rename \(temp) to \(path)")
            unlink(temp)
            throw err
        }
        // The rename itself lives in the directory; sync it so the new name survives a crash.
        let dfd = open(dir, O_RDONLY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Writes every byte, retrying short writes and EINTR.
    static func writeAll(fd: Int32, bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            guard var p = raw.baseAddress else { return true }
            var left = raw.count
            while left > 0 {
                let n = Glibc.write(fd, p, left)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                p += n
                left -= n
            }
            return true
        }
    }

    static func posixError(_ what: String) -> ExperimentError {
        ExperimentError("\(what): \(String(cString: strerror(errno)))")
    }
}
