import ArgumentParser
import Experiments
import Foundation
import LuaHost
import LuaModules
import Tensors

/// `descent run SCRIPT`: runs one experiment script.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua experiment script.",
        discussion: """
            Exit status: 0 on success, 1 when the script fails (message and traceback on \
            stderr), 2 on a usage error.

            Examples:
              descent run exp.lua --set lr=3e-4 --seed 1
              descent run exp.lua --out runs/exp1 -- extra script arguments
            """)

    @Argument(help: "The Lua script to run.")
    var script: String

    @OptionGroup var runtimeOptions: RuntimeOptions

    @Option(help: ArgumentHelp("Write a run record (config, metrics, summary, status) to this directory.", valueName: "dir"))
    var out: String?

    @Flag(help: "Continue the run in --out: keep its metrics and let experiment.restore pick up its last checkpoint.")
    var resume = false

    @Flag(help: "With --resume: continue even if the run already finished or its script, modules, --set values or seed changed (status.json records that it was forced and why).")
    var force = false

    @Flag(name: .customLong("detect-anomaly"), help: "Stop at the first op or backward step that produces NaN/Inf, naming it and its script line (slower).")
    var detectAnomaly = false

    @Flag(name: .customLong("unsafe-debug"), help: "Give the script the whole debug library (sethook, setmetatable, setupvalue, ...). It MAY CRASH descent and can lift --timeout; without it only debug.traceback, getinfo and getlocal exist.")
    var unsafeDebug = false

    @Flag(help: "Do not print experiment.log records to stdout.")
    var quiet = false

    @Flag(help: "Run an untrusted script: no os.execute, io.popen, package.loadlib, C modules or debug library; files only under the script's folder and the run directory.")
    var sandbox = false

    @Option(name: .customLong("max-memory"), help: ArgumentHelp("End the run when Lua heap plus tensor memory exceeds this many MB.", valueName: "MB"))
    var maxMemory: Int?

    @Option(help: ArgumentHelp("End the run after this many seconds.", valueName: "seconds"))
    var timeout: Double?

    @Flag(name: .customLong("stop-on-diverge"), help: "End the run at the first non-finite logged value (recorded as diverged, exit 0) instead of computing NaNs.")
    var stopOnDiverge = false

    @Option(name: .customLong("probe-config"), help: .hidden)
    var probeConfig: String?

    @Argument(parsing: .postTerminator, help: "Arguments for the script (after --): arg[1], ... and `...`.")
    var scriptArguments: [String] = []

    func validate() throws {
        // Bounded so that MB → bytes and seconds → nanoseconds cannot overflow (a trap before).
        if let m = maxMemory, m < 1 || m > RunCommand.maxMemoryMB {
            throw ValidationError("--max-memory expects a number of MB in 1...\(RunCommand.maxMemoryMB), got \(m)")
        }
        if resume && out == nil { throw ValidationError("--resume needs --out DIR (the run to continue)") }
        if let t = timeout, !(t > 0 && t <= RunCommand.maxTimeout) {
            throw ValidationError("--timeout expects a number of seconds in (0, \(Int(RunCommand.maxTimeout))], got \(t)")
        }
        guard FileManager.default.isReadableFile(atPath: script) else {
            throw ValidationError("cannot read script '\(script)'")
        }
        if force && !resume { throw ValidationError("--force goes with --resume") }
        if resume, !force, let problem = resumeProblem() {
            throw ValidationError("--resume: \(problem); pass --force to run it anyway (status.json records that it was forced)")
        }
    }

    /// Why continuing the run in --out would mix what should not be mixed: it finished already,
    /// or its script, a module it required, its --set values or its seed changed since it
    /// started. nil when it can continue (or there is nothing to continue).
    func resumeProblem() -> String? {
        guard let out else { return nil }
        let dir = URL(fileURLWithPath: out)
        if let status = RunReader.status(in: dir)?.status, status == .done || status == .diverged {
            return "the run in \(out) already finished (\(status.rawValue))"
        }
        guard let json = try? RunReader.readJSON(dir.appendingPathComponent("config.json")),
              let old = try? RunConfig(json: json) else { return nil }
        if !old.scriptSHA256.isEmpty, let now = RunConfig.fileSHA256(script), now != old.scriptSHA256 {
            return "the script changed since the run started (sha256 \(old.scriptSHA256.prefix(12))... now \(now.prefix(12))...)"
        }
        for (path, sha) in old.modules where RunConfig.fileSHA256(path) != sha {
            return "the module \(path) changed since the run started"
        }
        if json["overrides"] != nil {
            let was = old.overrides.map { "\($0.0)=\($0.1)" }, now = runtimeOptions.overridePairs.map { "\($0.0)=\($0.1)" }
            if was != now {
                return "the config changed since the run started (--set \(was.isEmpty ? "none" : was.joined(separator: " ")) then, \(now.isEmpty ? "none" : now.joined(separator: " ")) now)"
            }
        }
        if json["seed"] != nil, old.seed != runtimeOptions.seed {
            return "the seed changed since the run started (\(old.seed) then, \(runtimeOptions.seed) now)"
        }
        return nil
    }

    /// 2^40 MB (a zettabyte-scale limit is no limit) and a year of seconds.
    static let maxMemoryMB = 1 << 40
    static let maxTimeout = 365.0 * 24 * 3600

    func run() throws {
        unblockTerminationSignals()
        let limit = Int64(maxMemory ?? 0) * 1024 * 1024
        var recorder: RunRecorder? = nil
        if let out {
            var config = RunConfig(script: script, config: runtimeOptions.overridePairs.map { ($0.0, .string($0.1)) },
                                   seed: runtimeOptions.seed, commandLine: CommandLine.arguments,
                                   version: Descent.version, threads: runtimeOptions.threadCount)
            // The run's identity: what --resume compares before continuing it.
            config.scriptSHA256 = RunConfig.fileSHA256(script) ?? ""
            config.overrides = runtimeOptions.overridePairs
            config.machine = RunConfig.currentMachine() + [("build_cpu_level", .string(CPULevel.compiled))]
            let forced = resume && force ? (resumeProblem() ?? "--force (nothing to override)") : nil
            recorder = try RunRecorder(directory: URL(fileURLWithPath: out), config: config, appendMetrics: resume, forced: forced)
            RunRecorder.installSignalHandlers()
        }
        if limit > 0 { TensorMemory.limit = Int(limit) }
        let context = runtimeOptions.makeContext(scriptPath: script, recorder: recorder, quiet: quiet,
                                                 memoryLimitBytes: limit)
        context.resuming = resume
        let identityText = (RunConfig.fileSHA256(script) ?? "") + "\n" + String(runtimeOptions.seed) + "\n"
            + runtimeOptions.overridePairs.map { $0.0 + "=" + $0.1 }.joined(separator: "\n")
        context.identity = SHA256.hex(Array(identityText.utf8))
        context.detectAnomaly = detectAnomaly
        context.unsafeDebug = unsafeDebug && !sandbox
        context.configProbePath = probeConfig
        context.stopOnDiverge = stopOnDiverge
        context.endDivergedRun = { reason in
            FileHandle.standardError.write(Data(("descent: " + reason + "\n").utf8))
            try? recorder?.finish(.done)  // a non-finite value was logged: recorded as diverged
            Glibc.exit(0)
        }
        if sandbox {
            let scriptDir = URL(fileURLWithPath: script).deletingLastPathComponent().path
            context.fileAccess = FileAccessPolicy(roots: [scriptDir] + (out.map { [$0] } ?? []))
        }
        let runtime: Runtime
        do {
            runtime = try Runtime(context: context)
        } catch {
            try? recorder?.finish(.failed, error: "\(error)")
            throw error
        }
        let limitText: (LuaHost.LimitHit) -> String = { hit in
            hit == .memory ? "memory limit of \(maxMemory ?? 0) MB exceeded (--max-memory)"
                : "time limit of \(formatSeconds(timeout ?? 0)) s exceeded (--timeout)"
        }
        // Where no Lua error can be raised (a finalizer allocating inside a Swift call, code no
        // hook reaches past the deadline): record the failure and end the process.
        let fatalRecorder = recorder
        LuaHost.onFatalLimit = { hit in
            let message = limitText(hit) + (hit == .time ? " (ended by the watchdog: no Lua instruction ran)" : " (inside a finalizer)")
            FileHandle.standardError.write(Data(("descent: " + message + "\n").utf8))
            try? fatalRecorder?.finish(.failed, error: message)
            _exit(1)
        }
        if let timeout { runtime.host.setTimeout(seconds: timeout) }
        do {
            defer { runtime.host.cancelWatchdog() }
            try runtime.runScript(path: script, arguments: scriptArguments)
            // A limit hit where no error could be raised (a finalizer's allocation failed: Lua
            // made it a warning) still ends the run as failed.
            if let hit = runtime.host.limitHit { throw LuaError(limitText(hit)) }
        } catch {
            var message = "\(error)"
            switch runtime.host.limitHit {
            case .memory?:
                message = message.replacingOccurrences(of: "not enough memory", with: limitText(.memory))
                    .replacingOccurrences(of: "memory limit exceeded (--max-memory)", with: limitText(.memory))
                // A tensor allocation refused under the limit says so in its own words.
                if !message.contains(limitText(.memory)) { message = limitText(.memory) + ": " + message }
            case .time?:
                message = message.replacingOccurrences(of: "time limit exceeded (--timeout)", with: limitText(.time))
            case nil:
                break
            }
            FileHandle.standardError.write(Data(("descent: " + message + "\n").utf8))
            try? recorder?.finish(.failed, error: message)
            throw ExitCode(1)
        }
        if !context.unusedOverrides.isEmpty {
            let message = "--set \(context.unusedOverrides.joined(separator: ", ")): the script never read "
                + (context.unusedOverridesCalledConfig ? "these keys" : "its config (no experiment.config call)")
            FileHandle.standardError.write(Data(("descent: " + message + "\n").utf8))
            try? recorder?.finish(.failed, error: message)
            throw ExitCode(1)
        }
        try recorder?.finish(.done)
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(s)
}

/// A parent may start us with SIGINT/SIGTERM blocked (the mask is inherited across exec; test
/// runners and some job launchers do this), which would make the run impossible to interrupt.
func unblockTerminationSignals() {
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    sigprocmask(SIG_UNBLOCK, &set, nil)
}
