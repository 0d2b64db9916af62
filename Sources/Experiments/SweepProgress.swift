import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Progress output of a sweep, on stderr. On a terminal: one live line, redrawn in place
/// (`done 5/24 failed 1 running 2 eta 0:41`), with failures printed above it. Otherwise: one
/// plain, parseable line per finished entry. Colour only on a terminal and without NO_COLOR.
final class SweepProgress {
    let total: Int
    let live: Bool
    let color: Bool
    let jobs: Int
    let silent: Bool
    private(set) var done = 0
    private(set) var failed = 0
    private(set) var pruned = 0
    private(set) var running = 0
    private var durations: [Double] = []
    private let start = Date()
    private var lastLine = ""

    init(total: Int, jobs: Int, live: Bool = isatty(2) == 1,
         color: Bool = isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true,
         silent: Bool = false) {
        self.silent = silent
        self.total = total
        self.jobs = max(1, jobs)
        self.live = live
        self.color = color
    }

    func started() {
        running += 1
        redraw()
    }

    /// Records a finished entry and prints it (plain mode) or redraws (live mode).
    func finished(_ entry: SweepEntry, status: RunStatus, seconds: Double, detail: String?) {
        running -= 1
        durations.append(seconds)
        switch status {
        case .done: done += 1
        case .pruned: pruned += 1
        default: failed += 1
        }
        let word = status.rawValue
        let painted = color && status != .done && status != .pruned ? "\u{1B}[31m\(word)\u{1B}[0m" : word
        let line = "[\(done + failed + pruned)/\(total)] \(painted) \(entry.index) \(entry.id) \(entry.label) "
            + "(\(SweepProgress.clock(seconds)))" + (detail.map { ": " + $0 } ?? "")
        if !live {
            emit(line + "\n")
        } else {
            if status != .done {
                emit("\r\u{1B}[2K" + line + "\n")
                lastLine = ""  // the live line was erased: draw it again
            }
            redraw()
        }
    }

    /// Redraws the live line (a no-op when stderr is not a terminal).
    func redraw() {
        guard live else { return }
        let failedText = color && failed > 0 ? "\u{1B}[31mfailed \(failed)\u{1B}[0m" : "failed \(failed)"
        let line = "done \(done)/\(total) \(failedText) running \(running) eta \(eta.map(SweepProgress.clock) ?? "?")"
        guard line != lastLine else { return }
        lastLine = line
        emit("\r\u{1B}[2K" + line)
    }

    /// Ends the live line and prints the totals.
    func close(skipped: Int) {
        if live { emit("\r\u{1B}[2K") }
        let elapsed = SweepProgress.clock(Date().timeIntervalSince(start))
        let prunedText = pruned > 0 ? "\(pruned) pruned, " : ""
        emit("sweep: \(done) done, \(prunedText)\(failed) failed, \(skipped) skipped, \(total - done - failed - pruned) not run, in \(elapsed)\n")
    }

    /// Remaining entries times the mean duration so far, spread over the parallel jobs.
    var eta: Double? {
        guard !durations.isEmpty else { return nil }
        let mean = durations.reduce(0, +) / Double(durations.count)
        let left = Double(total - done - failed - pruned)
        return mean * left / Double(jobs)
    }

    /// `m:ss`, or `h:mm:ss` from one hour on.
    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.isFinite ? max(0, seconds.rounded()) : 0)
        let (h, m, r) = (s / 3600, (s / 60) % 60, s % 60)
        let two = { (v: Int) in v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }

    private func emit(_ text: String) {
        guard !silent else { return }
        FileHandle.standardError.write(Data(text.utf8))
    }
}
