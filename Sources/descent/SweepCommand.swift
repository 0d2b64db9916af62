import ArgumentParser
import Experiments
import Foundation
import FileIO

/// `descent sweep`: expands a grid of overrides and seeds into manifest.json and runs each
/// entry as a `descent run` child process (or emits a Slurm / GNU parallel script that does).
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Run a script over a grid of config overrides and seeds, one run directory each.",
        discussion: """
        Entries are the cartesian product of the --grid axes (in command-line order, the first \
        varying slowest), then the --zip axes advancing together, with seeds innermost. Each entry \
        runs as `descent run SCRIPT --set k=v... --seed S --threads T --out DIR/runs/<id> --quiet`; \
        <id> is a hash of script, overrides and seed, so an extended sweep finds its finished runs.

        Which entries run: all of them; only entry I with --index I; with neither --index, --list \
        nor --emit, a set SLURM_ARRAY_TASK_ID selects the entry (that is how Slurm array tasks run).

        Examples:
          descent sweep train.lua --grid lr=0.1,0.01 --seeds 3 --out runs/lr --jobs 2
          descent sweep train.lua --grid lr=0.1,0.01 --seeds 3 --out runs/lr --resume
          descent sweep train.lua --grid lr=0.1,0.01 --seeds 3 --out runs/lr --emit slurm
          descent status runs/lr
          descent report runs/lr --plot lr.svg
        """)

    @Argument(help: "The Lua script to run.")
    var script: String

    @Option(name: .customLong("grid"), help: ArgumentHelp("A swept key and its values (repeatable).", valueName: "key=v1,v2"))
    var grid: [String] = []

    @Option(name: .customLong("zip"), help: ArgumentHelp("Paired axes advancing together; all --zip axes need the same length (repeatable).", valueName: "key=v1,v2"))
    var zip: [String] = []

    @Option(name: .customLong("set"), help: ArgumentHelp("A fixed override for every entry (repeatable).", valueName: "key=value"))
    var sets: [String] = []

    @Option(help: ArgumentHelp("Seeds: a list (1,2,3), a count (5 means 1..5) or a range (10..14). Default: 1.", valueName: "seeds"))
    var seeds: String?

    @Option(help: ArgumentHelp("The sweep directory (manifest.json, runs/<id>/, logs/).", valueName: "dir"))
    var out: String

    @Option(help: "Entries to run in parallel.")
    var jobs: Int = 1

    @Option(help: "--threads for each run (OpenBLAS is capped to the same).")
    var threadsPerJob: Int = 1

    @Flag(help: "Skip entries whose status is done (and failed/diverged ones: they would fail again).")
    var resume = false

    @Flag(help: "Also rerun failed, diverged and interrupted entries (implies --resume).")
    var retryFailed = false

    @Flag(help: "Print the manifest as a table (with each entry's status) and exit.")
    var list = false

    @Option(help: ArgumentHelp("Run only these entries (0-based; e.g. 3 or 3,7-9).", valueName: "I"))
    var index: String?

    @Option(help: ArgumentHelp("Write DIR/sweep.sbatch (slurm) or print a GNU parallel command (parallel) instead of running.", valueName: "slurm|parallel"))
    var emit: String?

    @Option(help: "With --emit slurm: at most this many array tasks at once.")
    var throttle: Int = 8

    @Option(name: .customLong("sbatch"), help: ArgumentHelp("With --emit slurm: an extra #SBATCH line, e.g. --sbatch=--time=01:00:00 (repeatable).", valueName: "option"))
    var sbatchOptions: [String] = []

    @Flag(name: .customLong("stop-on-diverge"), help: "Each run ends at its first non-finite logged value (recorded as diverged).")
    var stopOnDiverge = false

    @Option(help: "With --emit slurm: entries per array task, run one after the other (default 1).")
    var perTask: Int = 1

    @Option(help: ArgumentHelp("With --emit slurm: a file of shell lines (module loads, environment) run before the entries.", valueName: "file.sh"))
    var setup: String?

    @Option(help: ArgumentHelp("A JSON file with grid/zip/set/seeds, added before the command-line axes.", valueName: "file.json"))
    var sweepFile: String?

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs: expected at least 1, got \(jobs)") }
        guard threadsPerJob >= 1 else { throw ValidationError("--threads-per-job: expected at least 1, got \(threadsPerJob)") }
        guard throttle >= 1 else { throw ValidationError("--throttle: expected at least 1, got \(throttle)") }
        guard perTask >= 1 else { throw ValidationError("--per-task: expected at least 1, got \(perTask)") }
        if (perTask != 1 || setup != nil) && emit != "slurm" {
            throw ValidationError("--per-task and --setup go with --emit slurm")
        }
        if let setup, !FileManager.default.isReadableFile(atPath: setup) {
            throw ValidationError("--setup: cannot read \(setup)")
        }
        if let emit, !["slurm", "parallel"].contains(emit) {
            throw ValidationError("--emit: expected slurm or parallel, got \"\(emit)\"")
        }
        if emit != nil, index != nil { throw ValidationError("--emit and --index cannot be combined: the emitted script passes --index itself") }
        if list, emit != nil { throw ValidationError("--list and --emit cannot be combined") }
        if let index { _ = try asUsageError { try IndexRanges.parse(index) } }
        guard FileManager.default.fileExists(atPath: script) else { throw ValidationError("\(script): no such script") }
        _ = try spec()
    }

    func run() throws {
        var spec = try spec()
        // The script's defaults: unknown keys stop the sweep here, once, before any run; an
        // override equal to its default does not change a run's id.
        if let defaults = try ConfigProbe.defaults(script: script) {
            let known = Set(defaults.keys)
            let swept = spec.grid.map(\.key) + spec.zip.map(\.key) + spec.sets.map(\.0)
            if let bad = swept.first(where: { !known.contains($0) }) {
                throw ValidationError("\(script) has no config key '\(bad)' (its experiment.config keys: \(known.sorted().joined(separator: ", ")))")
            }
            spec.defaults = defaults
        }
        let manifest = SweepManifest(spec: spec)
        let outDir = URL(fileURLWithPath: out).standardizedFileURL.absoluteURL
        if list {  // read-only: a preview must not create the sweep directory
            print(SweepState.read(manifest: manifest, in: outDir).table(manifest: manifest), terminator: "")
            return
        }
        try manifest.write(to: outDir)
        if let emit {
            try self.emit(emit, manifest: manifest, outDir: outDir)
            return
        }
        var indices: [Int]?
        if let index {
            indices = try IndexRanges.parse(index)
        } else if let task = ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"], !task.isEmpty {
            guard let i = Int(task) else { throw ExperimentError("SLURM_ARRAY_TASK_ID: expected an integer, got \"\(task)\"") }
            indices = [i]
        }
        var options = SweepOptions(jobs: jobs, threadsPerJob: threadsPerJob, resume: resume || retryFailed,
                                   retryFailed: retryFailed)
        options.stopOnDiverge = stopOnDiverge
        let result = try SweepRunner(manifest: manifest, directory: outDir, options: options).run(indices: indices)
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }

    /// The sweep from the sweep file (if any) and the command line.
    private func spec() throws -> SweepSpec {
        try asUsageError {
            let file = try sweepFile.map { try SweepFile.load(URL(fileURLWithPath: $0)) }
            let seedList = try seeds.map(SweepSpec.parseSeeds) ?? file?.seeds ?? [1]
            return try SweepSpec(
                script: script,
                grid: (file?.grid ?? []) + grid.map { try SweepAxis.parse($0, option: "--grid") },
                zip: (file?.zip ?? []) + zip.map { try SweepAxis.parse($0, option: "--zip", allowRepeats: true) },
                sets: (file?.sets ?? []) + sets.map(SweepSpec.parseSet),
                seeds: seedList)
        }
    }

    private func emit(_ kind: String, manifest: SweepManifest, outDir: URL) throws {
        // The same sweep, with absolute paths, so tasks work from any directory.
        // This executable runs the tasks' sweeps; children still honour DESCENT_BIN there.
        var command = [SweepRunner.currentExecutable(), "sweep", manifest.script]
        if let sweepFile { command += ["--sweep-file", URL(fileURLWithPath: sweepFile).standardizedFileURL.path] }
        command += grid.flatMap { ["--grid", $0] } + zip.flatMap { ["--zip", $0] } + sets.flatMap { ["--set", $0] }
        if let seeds { command += ["--seeds", seeds] }
        command += ["--threads-per-job", String(threadsPerJob), "--out", outDir.path]
        if resume { command.append("--resume") }
        if stopOnDiverge { command.append("--stop-on-diverge") }
        if retryFailed { command.append("--retry-failed") }
        let count = manifest.entries.count
        if kind == "slurm" {
            try FileManager.default.createDirectory(at: outDir.appendingPathComponent("logs"), withIntermediateDirectories: true)
            let setupLines = try setup.map { try String(contentsOfFile: $0, encoding: .utf8) }
                .map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
            let text = SweepEmitter.sbatch(command: command, count: count, sweepDirectory: outDir, throttle: throttle,
                                           cpusPerTask: threadsPerJob, extra: sbatchOptions, perTask: perTask,
                                           setup: setupLines.last == "" ? Array(setupLines.dropLast()) : setupLines)
            let file = outDir.appendingPathComponent("sweep.sbatch")
            try AtomicFile.write(text, to: file)
            let tasks = (count + perTask - 1) / perTask
            FileHandle.standardError.write(Data("wrote \(file.path) (\(tasks) array tasks, \(count) entries)\n".utf8))
            print("sbatch \(SweepEmitter.shellQuote(file.path))")
        } else {
            print(SweepEmitter.parallel(command: command, count: count, jobs: jobs, sweepDirectory: outDir))
        }
    }
}

/// Turns the Experiments module's input errors into argument errors (exit code 2).
func asUsageError<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExperimentError {
        throw ValidationError(error.message)
    }
}
