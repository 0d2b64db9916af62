import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock (flock) on a file in a directory, held while this object lives: one
/// `descent run` per run directory, one whole `descent sweep` per sweep directory. A second
/// process is refused with a message naming the holder's pid.
///
/// ```swift
/// let lock = try DirectoryLock(directory: runDir, name: ".lock", what: "run directory")
/// ```
///
/// The lock file is opened with O_CLOEXEC, so the children a sweep starts do not inherit (and
/// keep) the sweep's lock; the kernel releases it when the process dies, however it dies.
public final class DirectoryLock {
    private let fd: Int32

    /// `shared`: several holders may coexist (the `--index` tasks of one sweep), but not with an
    /// exclusive holder (the whole sweep).
    public init(directory: URL, name: String, what: String, shared: Bool = false) throws {
        let path = directory.appendingPathComponent(name).path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExperimentError("\(what) \(directory.path): cannot open its lock file (\(String(cString: strerror(errno))))") }
        if flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
            let busy = errno == EWOULDBLOCK
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = pread(fd, &buffer, 31, 0)
            let holder = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            close(fd)
            if busy {
                throw ExperimentError("\(what) \(directory.path) is in use by another descent process\(holder.isEmpty ? "" : " (pid \(holder))"); wait for it to end or choose another --out")
            }
            throw ExperimentError("\(what) \(directory.path): cannot lock it (\(String(cString: strerror(errno))))")
        }
        if !shared {
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = pwrite(fd, text, text.count, 0)
        }
    }

    deinit { close(fd) }
}
