import FileIO
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes one run directory: config.json and status.json at start, one metrics.jsonl line per
/// `log`, summary.json, and the final status. Thread-safe (one lock), so a signal handler on
/// another queue can mark the run interrupted while the script is still logging.
///
///     let rec = try RunRecorder(directory: URL(fileURLWithPath: "runs/a"), config: config)
///     try rec.log([("step", 1), ("loss", 0.7)])
///     try rec.summary([("loss", 0.1)])
///     try rec.finish(.done, error: nil)   // writes "diverged" instead if a NaN was logged
public final class RunRecorder {
    public let directory: URL
    public private(set) var config: RunConfig
    public let startTime: Date
    /// Set when a logged record held a non-finite number; `finish(.done)` then records
    /// `diverged`. The lead may also set it when the script detects divergence itself.
    public var diverged: Bool {
        get { lock.lock(); defer { lock.unlock() }; return divergedFlag }
        set { lock.lock(); divergedFlag = newValue; lock.unlock() }
    }
    /// Why the run diverged: the first record and key holding a non-finite value.
    public private(set) var divergence: String?

    private let lock = NSLock()
    private var divergedFlag = false
    private var metricsFD: Int32
    private var records = 0
    private var finished = false
    /// The first metrics append that failed (disk full, file too large): a run that lost records
    /// does not end `done`, even when the script caught the error.
    private var writeFailure: String?
    private var line: [UInt8] = []
    private let marker: InterruptMarker
    private let lockFile: DirectoryLock
    private let attempts: [JSONValue]
    private let forced: String?

    private func record(_ status: RunStatus, error: String?, end: Date?) -> StatusRecord {
        var r = StatusRecord(status: status, error: error, startTime: startTime, endTime: end)
        r.attempts = attempts
        r.forced = forced
        return r
    }

    /// Creates `directory` (and parents), writes config.json and status.json (`running`), and
    /// opens metrics.jsonl, truncating it unless `appendMetrics` (for a run resumed from a
    /// checkpoint). A stale summary.json from an earlier attempt is removed.
    ///
    /// A resumed run (`appendMetrics`) keeps the history: the status.json it replaces joins the
    /// `attempts` list of the new one; `forced` says why it ran anyway (`--force`).
    public init(directory: URL, config: RunConfig, appendMetrics: Bool = false, forced: String? = nil) throws {
        self.directory = directory
        self.config = config
        startTime = Date()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ExperimentError("run directory \(directory.path): cannot create it (\(error.localizedDescription))")
        }
        // One process per run directory: a second one would interleave metrics.jsonl lines and
        // overwrite status.json. Held until this recorder dies (or the process does).
        lockFile = try DirectoryLock(directory: directory, name: ".lock", what: "run directory")
        try? FileManager.default.removeItem(at: directory.appendingPathComponent("summary.json"))
        if appendMetrics, let previous = RunReader.status(in: directory) {
            var last = previous
            last.attempts = []
            attempts = previous.attempts + [last.json]
        } else {
            attempts = []
        }
        self.forced = forced
        try AtomicFile.write(config.json.prettyJSON, to: directory.appendingPathComponent("config.json"))
        var running = StatusRecord(status: .running, startTime: startTime)
        running.attempts = attempts
        running.forced = forced
        try AtomicFile.write(running.json.prettyJSON, to: directory.appendingPathComponent("status.json"))
        let path = directory.appendingPathComponent("metrics.jsonl").path
        let flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (appendMetrics ? 0 : O_TRUNC)
        metricsFD = open(path, flags, 0o644)
        guard metricsFD >= 0 else { throw FileError.posix("cannot open \(path)") }
        line.reserveCapacity(256)
        var history: [UInt8] = []
        if let forced { history += Array(#","forced":"#.utf8); JSONValue.appendString(forced, to: &history) }
        if !attempts.isEmpty { history += Array(#","attempts":"#.utf8); JSONValue.array(attempts).appendCompactJSON(to: &history) }
        marker = InterruptMarker(directory: directory, startTime: startTime, host: RunConfig.currentHost(), pid: getpid(),
                                 extra: history)
        RunRecorder.activeLock.lock()
        InterruptMarker.active = marker
        RunRecorder.activeLock.unlock()
    }

    deinit {
        if metricsFD >= 0 { close(metricsFD) }
        RunRecorder.activeLock.lock()
        if InterruptMarker.active === marker { InterruptMarker.active = nil }
        RunRecorder.activeLock.unlock()
    }

    private static let activeLock = NSLock()

    /// Where checkpoints go: `<run dir>/checkpoints` (created on first use by `checkpointURL`).
    public var checkpointDirectory: URL { directory.appendingPathComponent("checkpoints") }

    /// The file for checkpoint `name`, creating the checkpoint directory. Names are plain file
    /// names: letters, digits, `-`, `_`, `.`, not starting with a dot.
    ///
    ///     try rec.checkpointURL(name: "best")  // <run>/checkpoints/best.ckpt
    public func checkpointURL(name: String, extension ext: String = "ckpt") throws -> URL {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !name.isEmpty, !name.hasPrefix("."), name.count <= 128, name.allSatisfy(allowed.contains) else {
            throw ExperimentError("checkpoint: expected a name of letters, digits, '-', '_', '.', got \"\(name)\"")
        }
        try FileManager.default.createDirectory(at: checkpointDirectory, withIntermediateDirectories: true)
        return checkpointDirectory.appendingPathComponent(ext.isEmpty ? name : name + "." + ext)
    }

    /// Appends `record` as one line of metrics.jsonl. The line reaches the OS in a single
    /// write(2), so a crash never leaves a half-written line that a later reader trusts, and
    /// `tail -f` sees it at once. A non-finite number anywhere in the record sets `diverged`.
    public func log(_ record: [(String, JSONValue)]) throws {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { throw ExperimentError("experiment.log: the run has already finished") }
        if let writeFailure { throw ExperimentError("experiment.log: metrics.jsonl can no longer be written (\(writeFailure))") }
        records += 1
        if !divergedFlag, let bad = record.first(where: { $0.1.containsNonFinite }) {
            divergedFlag = true
            divergence = "non-finite \(bad.0) in metrics record \(records)"
        }
        line.removeAll(keepingCapacity: true)
        JSONValue.object(record).appendCompactJSON(to: &line)
        line.append(10)
        let before = lseek(metricsFD, 0, SEEK_END)
        guard AtomicFile.writeAll(fd: metricsFD, bytes: line) else {
            let error = FileError.posix("cannot append to \(directory.path)/metrics.jsonl")
            // A partial write (disk full) must not leave a torn line for readers to trip on.
            if before >= 0 { _ = ftruncate(metricsFD, before) }
            writeFailure = "\(error)"
            throw error
        }
    }

    /// Changes the recorded config (the resolved config once `experiment.config` ran, a module
    /// the script required) and rewrites config.json.
    public func updateConfig(_ change: (inout RunConfig) -> Void) throws {
        lock.lock()
        defer { lock.unlock() }
        change(&config)
        try AtomicFile.write(config.json.prettyJSON, to: directory.appendingPathComponent("config.json"))
    }

    /// Writes summary.json (the run's final metrics), replacing any earlier summary.
    public func summary(_ values: [(String, JSONValue)]) throws {
        lock.lock()
        defer { lock.unlock() }
        if !divergedFlag, let bad = values.first(where: { $0.1.containsNonFinite }) {
            divergedFlag = true
            divergence = "non-finite \(bad.0) in summary"
        }
        try AtomicFile.write(JSONValue.object(values).prettyJSON, to: directory.appendingPathComponent("summary.json"))
    }

    /// Writes the final status.json and closes metrics.jsonl. `.done` becomes `.diverged` when
    /// a non-finite value was logged. Later calls (and `log`) after the first finish are
    /// ignored / rejected, so a signal handler's `interrupted` is not overwritten.
    public func finish(_ status: RunStatus, error: String? = nil) throws {
        lock.lock()
        defer { lock.unlock() }
        // The marker's flag is also set by a signal handler that already wrote `interrupted`.
        guard !finished, marker.finished.pointee == 0 else { return }
        finished = true
        marker.finished.pointee = 1
        var final: RunStatus = (status == .done && divergedFlag) ? .diverged : status
        var message = error ?? (final == .diverged ? divergence : nil)
        if let writeFailure, final == .done || final == .diverged {
            final = .failed
            message = "metrics records were lost: " + writeFailure
        }
        close(metricsFD)
        metricsFD = -1
        let path = directory.appendingPathComponent("status.json").path
        let text = Array(record(final, error: message, end: Date()).json.prettyJSON.utf8)
        do {
            try AtomicFile.write(bytes: text, toPath: path)
        } catch {
            // Disk full: the temporary file cannot be written. status.json's own blocks are
            // already allocated, so the final status still fits in place (never left "running").
            guard RunRecorder.overwriteInPlace(text, path: path) else { throw error }
        }
    }

    /// Rewrites the file at `path` with `bytes` without allocating new blocks: only when the
    /// file's allocated size holds them, so the write cannot stop half way for want of space.
    static func overwriteInPlace(_ bytes: [UInt8], path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, Int(info.st_blocks) * 512 >= bytes.count else { return false }
        let written = bytes.withUnsafeBytes { raw in pwrite(fd, raw.baseAddress, raw.count, 0) }
        guard written == bytes.count, ftruncate(fd, off_t(bytes.count)) == 0 else { return false }
        _ = fsync(fd)
        return true
    }

    /// Records `interrupted` right away, synchronously; safe to call from any thread (but not
    /// from a C signal handler: use `signalHandlerMarkInterrupted` there).
    public func markInterrupted(signal: Int32? = nil) {
        let reason = signal.map { "interrupted by signal \($0) (\(RunRecorder.signalName($0)))" } ?? "interrupted"
        try? finish(.interrupted, error: reason)
    }

    /// Writes `interrupted` (error "interrupted by signal N") into the status.json of the most
    /// recently started run that has not finished. Async-signal-safe: meant to be called from
    /// a C signal handler, e.g.
    ///
    ///     signal(SIGINT) { sig in RunRecorder.signalHandlerMarkInterrupted(sig); _exit(128 + sig) }
    public static func signalHandlerMarkInterrupted(_ sig: Int32) {
        InterruptMarker.active?.write(signal: sig)
    }

    /// Installs C handlers for SIGINT and SIGTERM that mark the current run `interrupted` and,
    /// if `exitProcess`, exit at once with 128 + signal (130 for Ctrl-C). With `exitProcess`
    /// false the handler only records the status; the script keeps running until it ends.
    /// Handlers (unlike ignored signals) reset to the default in child processes.
    public static func installSignalHandlers(exitProcess: Bool = true) {
        exitOnSignal.pointee = exitProcess ? 1 : 0
        for sig in [SIGINT, SIGTERM] { signal(sig, interruptHandler) }
        installCrashHandlers()
    }

    /// Faults (a stack overflow, a Swift runtime trap, an abort) write status `crashed`, so a run
    /// that dies is never left `running`; the previous handler (Swift's backtracer, or the
    /// default) then runs as before. On an alternate stack: a stack overflow has none left.
    static func installCrashHandlers() {
        guard crashHandlersInstalled.pointee == 0 else { return }
        crashHandlersInstalled.pointee = 1
        var stack = stack_t()
        let size = 1 << 16
        stack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        stack.ss_size = size
        stack.ss_flags = 0
        sigaltstack(&stack, nil)
        for (k, sig) in crashSignals.enumerated() {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashHandler
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_ONSTACK
            sigaction(sig, &action, previousCrashActions + k)
        }
    }

    static let crashSignals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]
    static let previousCrashActions: UnsafeMutablePointer<sigaction> = .allocate(capacity: 6)
    static let crashHandlersInstalled: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.pointee = 0
        return p
    }()

    static let exitOnSignal: UnsafeMutablePointer<Int32> = {
        let p = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        p.pointee = 1
        return p
    }()

    static func signalName(_ sig: Int32) -> String {
        switch sig {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        case SIGKILL: return "SIGKILL"
        case SIGHUP: return "SIGHUP"
        case SIGSEGV: return "SIGSEGV"
        case SIGABRT: return "SIGABRT"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL"
        case SIGTRAP: return "SIGTRAP"
        default: return "signal \(sig)"
        }
    }
}

/// Records `crashed`, restores the handler that was there before and returns: a fault re-runs
/// the faulting instruction (and an abort re-raises) into that handler.
private let crashHandler: @convention(c) (Int32) -> Void = { sig in
    InterruptMarker.active?.write(signal: sig, crashed: true)
    let signals = RunRecorder.crashSignals
    for k in 0..<signals.count where signals[k] == sig {
        sigaction(sig, RunRecorder.previousCrashActions + k, nil)
    }
}

private let interruptHandler: @convention(c) (Int32) -> Void = { sig in
    RunRecorder.signalHandlerMarkInterrupted(sig)
    if RunRecorder.exitOnSignal.pointee != 0 { _exit(128 + sig) }
}
