import ArgumentParser
import Experiments
import Foundation
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

    @Flag(name: .customLong("detect-anomaly"), help: "Stop at the first op or backward step that produces NaN/Inf, naming it and its script line (slower).")
    var detectAnomaly = false

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
        if let m = maxMemory, m < 1 { throw ValidationError("--max-memory expects a positive number of MB, got \(m)") }
        if resume && out == nil { throw ValidationError("--resume needs --out DIR (the run to continue)") }
        if let t = timeout, !(t > 0) { throw ValidationError("--timeout expects a positive number of seconds, got \(t)") }
        guard FileManager.default.isReadableFile(atPath: script) else {
            throw ValidationError("cannot read script '\(script)'")
        }
    }

    func run() throws {
        unblockTerminationSignals()
        let limit = Int64(maxMemory ?? 0) * 1024 * 1024
        var recorder: RunRecorder? = nil
        if let out {
            let config = RunConfig(script: script, config: runtimeOptions.overridePairs.map { ($0.0, .string($0.1)) },
                                   seed: runtimeOptions.seed, commandLine: CommandLine.arguments,
                                   version: Descent.version, threads: runtimeOptions.threadCount)
            recorder = try RunRecorder(directory: URL(fileURLWithPath: out), config: config, appendMetrics: resume)
            RunRecorder.installSignalHandlers()
        }
        if limit > 0 { TensorMemory.limit = Int(limit) }
        let context = runtimeOptions.makeContext(scriptPath: script, recorder: recorder, quiet: quiet,
                                                 memoryLimitBytes: limit)
        context.resuming = resume
        context.detectAnomaly = detectAnomaly
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
        if let timeout { runtime.host.setTimeout(seconds: timeout) }
        do {
            try runtime.runScript(path: script, arguments: scriptArguments)
        } catch {
            var message = "\(error)"
            switch runtime.host.limitHit {
            case .memory?:
                let limitText = "memory limit of \(maxMemory ?? 0) MB exceeded (--max-memory)"
                message = message.replacingOccurrences(of: "not enough memory", with: limitText)
                    .replacingOccurrences(of: "memory limit exceeded (--max-memory)", with: limitText)
            case .time?:
                message = message.replacingOccurrences(
                    of: "time limit exceeded (--timeout)", with: "time limit of \(formatSeconds(timeout ?? 0)) s exceeded (--timeout)")
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
