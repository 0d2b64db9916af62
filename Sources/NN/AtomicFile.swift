import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file atomically: into a temporary file in the same directory, fsync, then rename over
/// the destination (and fsync the directory), so a crash leaves either the old or the new file,
/// never a torn one.
struct AtomicFile {
    let path: String
    let tempPath: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        tempPath = (dir.isEmpty ? "" : dir + "/") + ".\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AtomicFile.error("cannot create", tempPath) }
    }

    /// Appends `count` bytes from `bytes`, retrying short writes and interrupts.
    func write(_ bytes: UnsafeRawPointer, count: Int) throws {
        var done = 0
        while done < count {
            let n = Glibc.write(fd, bytes + done, min(count - done, 1 << 30))
            if n < 0 {
                if errno == EINTR { continue }
                throw AtomicFile.error("cannot write", tempPath)
            }
            done += n
        }
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            try write(base, count: raw.count)
        }
    }

    /// Flushes to disk and moves the file into place.
    func commit() throws {
        guard fsync(fd) == 0 else { let e = AtomicFile.error("cannot sync", tempPath); abandon(); throw e }
        close(fd)
        guard rename(tempPath, path) == 0 else { let e = AtomicFile.error("cannot rename to", path); unlink(tempPath); throw e }
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { String(path[..<$0]) } ?? "."
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { _ = fsync(dfd); close(dfd) }  // best effort: the data itself is already synced
    }

    /// Closes and removes the temporary file (after a failure).
    func abandon() {
        close(fd)
        unlink(tempPath)
    }

    static func error(_ what: String, _ path: String) -> TensorError {
        TensorError("\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
