import ArgumentParser
import Experiments
import Foundation
import LuaModules
import Tensors

/// The options that shape a Lua runtime, shared by `descent run` and `descent repl`:
/// `--set key=value`, `--seed N`, `--threads N`.
///
/// ```swift
/// @OptionGroup var runtimeOptions: RuntimeOptions
/// let context = runtimeOptions.makeContext(scriptPath: script)
/// let runtime = try Runtime(context: context)
/// ```
struct RuntimeOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key (experiment.config).", valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "The run's seed (default RNG seed and experiment.seed()).")
    var seed: Int = 0

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        for o in overrides where !o.contains("=") || o.hasPrefix("=") {
            throw ValidationError("--set expects key=value, got '\(o)'")
        }
    }

    /// `--set` values split at the first `=`, in command-line order.
    var overridePairs: [(String, String)] {
        overrides.compactMap { o in
            guard let eq = o.firstIndex(of: "=") else { return nil }  // validate() rejects these
            return (String(o[..<eq]), String(o[o.index(after: eq)...]))
        }
    }

    /// The thread count in effect (`--threads`, or every core).
    var threadCount: Int { threadOptions.threadCount }

    /// Applies `--threads` and returns the context a `Runtime` is built from.
    func makeContext(scriptPath: String, recorder: RunRecorder? = nil, quiet: Bool = false,
                     memoryLimitBytes: Int64 = 0) -> RunContext {
        threadOptions.apply()
        return RunContext(scriptPath: scriptPath, seed: seed, overrides: overridePairs, recorder: recorder,
                          quiet: quiet, memoryLimitBytes: memoryLimitBytes)
    }
}

/// `--threads N`: threads for descent's kernels and OpenBLAS; shared by every command that runs Lua.
struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for descent's kernels and OpenBLAS (default: all cores).")
    var threads: Int?

    func validate() throws {
        if let t = threads, t < 1 { throw ValidationError("--threads expects a positive number, got \(t)") }
    }

    /// The thread count in effect (`--threads`, or every core).
    var threadCount: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }

    /// Sets `Parallel.threads` (descent's kernels and its GEMM panels) to `threadCount`.
    ///
    /// More threads than cores is allowed (results do not depend on the count) but cannot run
    /// faster: Dispatch runs at most one worker per core, so a note says so on stderr.
    func apply() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let t = threads, t > cores {
            FileHandle.standardError.write(Data("descent: --threads \(t) is more than this machine's \(cores) cores: work is split \(t) ways, but at most \(cores) threads run at once\n".utf8))
        }
        Parallel.threads = threadCount
    }
}
