import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Run directories that a live process on this host is writing right now. A sweep killed with
/// SIGKILL (or whose terminal went away) leaves its `descent run` children running: they are
/// in process groups of their own and finish their runs. A `--resume` started meanwhile must
/// not start those entries a second time into the same directory, so the runner skips every
/// entry listed here.
///
///     let busy = LiveRuns.directories()          // ["/abs/sweep/runs/3f2a9c01b7de", ...]
enum LiveRuns {
    /// The `--out` directories in the command lines of this host's `descent run` processes
    /// (from /proc; empty where there is no /proc). Paths are as the sweep wrote them: absolute
    /// run directories, which is what `SweepManifest.runDirectory` gives.
    static func directories() -> Set<String> {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        let me = getpid()
        var found = Set<String>()
        for name in names {
            guard let pid = Int32(name), pid != me, let args = commandLine(pid: pid),
                  args.count > 3, args[1] == "run",
                  let out = args.firstIndex(of: "--out"), out + 1 < args.count
            else { continue }
            found.insert(args[out + 1])
        }
        return found
    }

    /// The arguments of process `pid` (empty for zombies and kernel threads; nil if gone).
    static func commandLine(pid: Int32) -> [String]? {
        // /proc files report size 0, so read until EOF instead of trusting stat.
        let fd = open("/proc/\(pid)/cmdline", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        var args = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if args.last == "" { args.removeLast() }  // the NUL after the last argument
        return args
    }
}
