import Experiments
import Foundation

/// What a script run knows about itself: its seed, the `--set` overrides, the run directory.
public final class RunContext {
    public let scriptPath: String
    public let seed: Int
    /// `--set key=value` pairs in command-line order; values are parsed by `experiment.config`
    /// to the type of the script's default.
    public let overrides: [(String, String)]
    public var recorder: RunRecorder?
    public var quiet: Bool
    /// `descent run --resume`: the run directory already holds a killed run to continue.
    public var resuming = false
    /// `descent run --detect-anomaly`.
    public var detectAnomaly = false
    /// `descent run --probe-config FILE` (used by `descent sweep`): `experiment.config` writes
    /// the script's defaults to FILE as JSON and the process ends there.
    public var configProbePath: String?
    /// `--stop-on-diverge` or `experiment.stop_on_diverge(true)`: the first logged non-finite
    /// value ends the run, recorded as diverged (exit code 0), instead of computing NaNs.
    public var stopOnDiverge = false
    /// Ends the run for `--stop-on-diverge` (set by the command that owns the run record).
    public var endDivergedRun: ((String) -> Never)?
    public var memoryLimitBytes: Int64
    /// Where the script may read and write files (everywhere unless `--sandbox`).
    public var fileAccess: FileAccessPolicy = .unrestricted
    public var sandboxed: Bool { fileAccess.roots != nil }
    /// Override keys that `experiment.config` has consumed (the rest are reported).
    var consumedOverrides: Set<String> = []
    var configCalled = false

    public init(scriptPath: String = "", seed: Int = 0, overrides: [(String, String)] = [],
                recorder: RunRecorder? = nil, quiet: Bool = false, memoryLimitBytes: Int64 = 0) {
        self.scriptPath = scriptPath
        self.seed = seed
        self.overrides = overrides
        self.recorder = recorder
        self.quiet = quiet
        self.memoryLimitBytes = memoryLimitBytes
    }

    /// Overrides the script never asked for (no `experiment.config` call, or no such key).
    public var unusedOverridesCalledConfig: Bool { configCalled }

    public var unusedOverrides: [String] {
        overrides.map(\.0).filter { !consumedOverrides.contains($0) }
    }
}
