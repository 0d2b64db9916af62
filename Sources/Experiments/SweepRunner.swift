import Foundation
#if canImport(Glibc)
import Glibc
import FileIO
#endif

/// How sweep entries are run.
public struct SweepOptions {
    /// Parallel child processes.
    public var jobs: Int
    /// `--threads` given to each child (OpenBLAS/OpenMP are capped to the same number).
    public var threadsPerJob: Int
    public var resume: Bool
    public var retryFailed: Bool
    /// The `descent` binary to run children with (see `SweepRunner.defaultBinary`).
    public var binary: String
    /// Progress on a terminal line (nil: decide from isatty(2)).
    public var live: Bool?
    /// No progress output at all (for embedding and tests).
    public var quiet: Bool
    /// Pass `--stop-on-diverge` to every run: a run ends at its first non-finite logged value.
    public var stopOnDiverge = false
    /// Called about 5 times a second with the running entries; the entries it returns (with a
    /// reason) are stopped and recorded `pruned` (how `descent tune` runs successive halving).
    public var monitor: (([SweepEntry]) -> [(Int, String)])?

    public init(jobs: Int = 1, threadsPerJob: Int = 1, resume: Bool = false, retryFailed: Bool = false,
                binary: String = SweepRunner.defaultBinary(), live: Bool? = nil, quiet: Bool = false) {
        self.jobs = jobs
        self.threadsPerJob = threadsPerJob
        self.resume = resume
        self.retryFailed = retryFailed
        self.binary = binary
        self.live = live
        self.quiet = quiet
    }
}

/// What a sweep invocation did.
public struct SweepResult: Equatable {
    public var done = 0
    public var failed = 0
    /// Entries stopped early by the monitor (the tuner's successive halving).
    public var pruned = 0
    /// Entries the resume rule skipped, and entries another live process is still running.
    public var skipped = 0
    /// Entries never started because the sweep was interrupted.
    public var notRun = 0
    public var interrupted = false

    /// The CLI's exit status: 0 when everything attempted finished `done`.
    public var exitCode: Int32 { interrupted ? 130 : (failed > 0 || notRun > 0 ? 1 : 0) }
}

/// Runs sweep entries as child processes:
/// `<descent> run SCRIPT --set k=v... --seed S --threads T --out DIR/runs/<id> --quiet`,
/// with stdout/stderr captured to stdout.log/stderr.log in the run directory, at most `jobs`
/// at a time. A failing entry never stops the others. If a child dies without recording a
/// final status (crash, kill, out of memory), the runner records `failed` (or `interrupted`
/// for SIGINT/SIGTERM) with the exit code, so `descent status` always has an answer.
///
///     let runner = SweepRunner(manifest: manifest, directory: out, options: SweepOptions(jobs: 2))
///     let result = try runner.run()          // or run(indices: [3])
///     exit(result.exitCode)
public final class SweepRunner {
    public let manifest: SweepManifest
    public let directory: URL
    public let options: SweepOptions

    private let lock = NSLock()
    private let wake = DispatchSemaphore(value: 0)
    private var exited: [(Int, Int32, Process.TerminationReason)] = []

    public init(manifest: SweepManifest, directory: URL, options: SweepOptions) {
        self.manifest = manifest
        self.directory = directory
        self.options = options
    }

    /// The binary to run children with: `$DESCENT_BIN` if set (tests use a fake), else this
    /// executable (/proc/self/exe), else argv[0].
    public static func defaultBinary() -> String {
        if let bin = ProcessInfo.processInfo.environment["DESCENT_BIN"], !bin.isEmpty { return bin }
        return currentExecutable()
    }

    /// The absolute path of the running executable (what emitted scripts call back into).
    public static func currentExecutable() -> String {
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return exe }
        let argv0 = CommandLine.arguments.first ?? "descent"
        return argv0.contains("/") ? SweepSpec.absolutePath(argv0) : argv0
    }

    /// The child's argument list (without the binary).
    public func arguments(for entry: SweepEntry) -> [String] {
        ["run", manifest.script] + entry.overrides.flatMap { ["--set", "\($0.0)=\($0.1)"] }
            + ["--seed", String(entry.seed), "--threads", String(options.threadsPerJob),
               "--out", SweepManifest.runDirectory(entry, in: directory).path, "--quiet"]
            + (options.stopOnDiverge ? ["--stop-on-diverge"] : [])
    }

    /// Runs the entries at `indices` (all entries if nil) that the resume rule selects.
    /// SIGINT/SIGTERM stop launching new entries, are forwarded to the running children, and
    /// make the result `interrupted`.
    public func run(indices: [Int]? = nil) throws -> SweepResult {
        let chosen: [SweepEntry]
        if let indices {
            chosen = try indices.map { i in
                guard manifest.entries.indices.contains(i) else {
                    throw ExperimentError("--index: expected 0...\(manifest.entries.count - 1), got \(i)")
                }
                return manifest.entries[i]
            }
        } else {
            chosen = manifest.entries
        }
        var result = SweepResult()
        var queue: [SweepEntry] = []
        let busy = LiveRuns.directories()
        for entry in chosen {
            let runDir = SweepManifest.runDirectory(entry, in: directory)
            if busy.contains(runDir.path) {
                // An orphan of a killed sweep still runs it: a second run would share its files.
                if !options.quiet {
                    FileHandle.standardError.write(Data("entry \(entry.index) (\(entry.id)) is still running in another process on this host; not started again\n".utf8))
                }
                result.skipped += 1
                continue
            }
            let status = RunReader.status(in: runDir)?.status
            if SweepState.shouldRun(status, resume: options.resume, retryFailed: options.retryFailed) {
                queue.append(entry)
            } else {
                result.skipped += 1
            }
        }
        let progress = SweepProgress(total: queue.count, jobs: options.jobs, live: options.live ?? (isatty(2) == 1),
                                     silent: options.quiet)
        StopSignal.install()
        defer { StopSignal.restore() }

        var running: [Int: (entry: SweepEntry, process: Process, start: Date)] = [:]
        var pruned: [Int: String] = [:]
        queue.reverse()  // pop from the end, in manifest order
        while !queue.isEmpty || !running.isEmpty {
            let stopping = currentStopSignal() != 0
            while !stopping, running.count < max(1, options.jobs), let entry = queue.popLast() {
                let start = Date()
                do {
                    let process = try launch(entry)
                    running[entry.index] = (entry, process, start)
                    progress.started()
                } catch {
                    progress.started()
                    record(entry, status: .failed, error: "\(error)", start: start)
                    progress.finished(entry, status: .failed, seconds: 0, detail: "\(error)")
                    result.failed += 1
                }
            }
            if stopping, !queue.isEmpty {
                result.notRun += queue.count
                queue.removeAll()
            }
            if running.isEmpty { break }
            // The signal handler cannot post the semaphore safely, so poll at 5 Hz.
            _ = wake.wait(timeout: .now() + 0.2)
            for (index, code, reason) in takeExited() {
                guard let job = running.removeValue(forKey: index) else { continue }
                var (status, detail) = settle(job.entry, code: code, reason: reason, start: job.start)
                if let why = pruned[index] {
                    record(job.entry, status: .pruned, error: why, start: job.start)
                    (status, detail) = (.pruned, why)
                }
                progress.finished(job.entry, status: status, seconds: Date().timeIntervalSince(job.start), detail: detail)
                switch status {
                case .done: result.done += 1
                case .pruned: result.pruned += 1
                default: result.failed += 1
                }
            }
            if let monitor = options.monitor, currentStopSignal() == 0 {
                for (index, reason) in monitor(running.values.map(\.entry).sorted { $0.index < $1.index }) {
                    guard let job = running[index], pruned[index] == nil else { continue }
                    pruned[index] = reason
                    if job.process.isRunning { kill(job.process.processIdentifier, SIGTERM) }
                }
            }
            let sig = currentStopSignal()
            if sig != 0 { for job in running.values where job.process.isRunning { kill(job.process.processIdentifier, sig) } }
            progress.redraw()
        }
        result.interrupted = currentStopSignal() != 0
        progress.close(skipped: result.skipped)
        return result
    }

    private func launch(_ entry: SweepEntry) throws -> Process {
        let runDir = SweepManifest.runDirectory(entry, in: directory)
        try FileManager.default.createDirectory(at: runDir, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: options.binary)
        process.arguments = arguments(for: entry)
        var env = ProcessInfo.processInfo.environment
        for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"] { env[key] = String(options.threadsPerJob) }
        process.environment = env
        process.currentDirectoryURL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try logHandle(runDir.appendingPathComponent("stdout.log"))
        process.standardError = try logHandle(runDir.appendingPathComponent("stderr.log"))
        let index = entry.index
        process.terminationHandler = { [weak self] p in
            guard let self else { return }
            self.lock.lock()
            self.exited.append((index, p.terminationStatus, p.terminationReason))
            self.lock.unlock()
            self.wake.signal()
        }
        do {
            try process.run()
        } catch {
            throw ExperimentError("cannot start \(options.binary): \(error.localizedDescription)")
        }
        return process
    }

    private func logHandle(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil),
              let handle = FileHandle(forWritingAtPath: url.path)
        else { throw ExperimentError("cannot create \(url.path)") }
        return handle
    }

    /// The entry's final state after its process exited; records one if the child did not.
    private func settle(_ entry: SweepEntry, code: Int32, reason: Process.TerminationReason, start: Date) -> (RunStatus, String?) {
        let runDir = SweepManifest.runDirectory(entry, in: directory)
        let how = reason == .uncaughtSignal ? "killed by \(RunRecorder.signalName(code))" : "exit code \(code)"
        if let status = RunReader.status(in: runDir), status.status != .running {
            let detail = status.status == .done ? nil
                : (status.error.map { String($0.split(separator: "\n").first ?? "") } ?? how) + ", see \(runDir.path)/stderr.log"
            return (status.status, detail)
        }
        let byStop = reason == .uncaughtSignal && (code == SIGINT || code == SIGTERM)
            || currentStopSignal() != 0 && (code == 128 + SIGINT || code == 128 + SIGTERM)
        let status: RunStatus = byStop ? .interrupted : .failed
        let error = "\(how) without a final status.json"
        record(entry, status: status, error: error, start: start)
        return (status, error + ", see \(runDir.path)/stderr.log")
    }

    private func record(_ entry: SweepEntry, status: RunStatus, error: String, start: Date) {
        let runDir = SweepManifest.runDirectory(entry, in: directory)
        try? FileManager.default.createDirectory(at: runDir, withIntermediateDirectories: true)
        let record = StatusRecord(status: status, error: error, startTime: start, endTime: Date())
        try? AtomicFile.write(record.json.prettyJSON, to: runDir.appendingPathComponent("status.json"))
    }

    private func takeExited() -> [(Int, Int32, Process.TerminationReason)] {
        lock.lock()
        defer { lock.unlock() }
        let list = exited
        exited.removeAll()
        return list
    }

    private func currentStopSignal() -> Int32 { StopSignal.received }
}
