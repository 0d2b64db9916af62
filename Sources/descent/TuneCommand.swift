import ArgumentParser
import Experiments
import FileIO
import Foundation
import LuaModules

/// `descent tune`: hyperparameter search over a space file, with quasi-random (Sobol), random
/// or grid sampling, seeds per trial, successive halving, and resumable trial directories.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Search hyperparameters: trials drawn from a space file, run as a resumable sweep.",
        discussion: """
            The space file (JSON, or a Lua file returning a table) maps config keys to \
            {"log_uniform": [lo, hi]}, {"uniform": [lo, hi]}, {"int": [lo, hi]}, \
            {"choice": [...]}, a fixed value, or {"choice": {"adam": {...}, "sgd": {...}}} for \
            per-option sub-spaces. Trial i is drawn from point i of the sampler (Sobol: scrambled \
            with --tune-seed), so a tune is reproducible and --resume runs exactly what is missing. \
            Every trial × seed is an ordinary run directory: `descent report DIR` and \
            `descent status DIR` read the result. With --asha, trials that are not among the best \
            1/eta at a rung of the resource (the logged `step` by default) stop early and are \
            recorded `pruned`.

            Examples:
              descent tune train.lua --space space.json --trials 16 --metric val_loss --mode min --out tune
              descent tune train.lua --space space.json --trials 27 --metric loss --mode min \\
                  --asha --min-resource 10 --max-resource 270 --jobs 2 --out tune-asha
              descent report tune --metric val_loss --reduce last
            """)

    @Argument(help: "The Lua script each trial runs (its experiment.config receives the values).")
    var script: String

    @Option(help: ArgumentHelp("The search space: a JSON file or a Lua file returning a table.", valueName: "file"))
    var space: String

    @Option(help: "Number of trials (distinct configurations).")
    var trials: Int = 16

    @Option(help: "The metric to optimise (a key of experiment.log or experiment.summary).")
    var metric: String

    @Option(help: ArgumentHelp("Whether lower or higher values of the metric are better.", valueName: "min|max"))
    var mode: String

    @Option(help: ArgumentHelp("How trials are drawn.", valueName: "sobol|random|grid"))
    var sampler: String = "sobol"

    @Option(help: "With --sampler grid: values per continuous or integer key.")
    var gridPoints: Int = 3

    @Option(help: ArgumentHelp("Seeds per trial: a list (1,2,3), a count (3 means 1..3) or a range.", valueName: "seeds"))
    var seeds: String = "1"

    @Option(help: "The sampler's seed (Sobol scrambling, random draws).")
    var tuneSeed: UInt64 = 0

    @Option(help: "Runs in parallel.")
    var jobs: Int = 1

    @Option(help: "--threads for each run.")
    var threadsPerJob: Int = 1

    @Option(help: ArgumentHelp("The tune directory (manifest.json, tune.json, runs/<id>).", valueName: "dir"))
    var out: String?

    @Flag(help: "Keep finished and pruned runs; run the rest.")
    var resume = false

    @Flag(help: "Stop unpromising trials early by asynchronous successive halving (needs --min-resource and --max-resource).")
    var asha = false

    @Option(help: "Successive halving: keep the best 1/eta at each rung.")
    var eta: Double = 3

    @Option(help: "Successive halving: the first rung, in units of --resource-key.")
    var minResource: Double?

    @Option(help: "Successive halving: the full budget of a trial (no rung at or above it).")
    var maxResource: Double?

    @Option(help: "Successive halving: the logged key that measures progress.")
    var resourceKey: String = "step"

    @Option(help: ArgumentHelp("Run only these entries (0-based, e.g. 3 or 3,7-9); SLURM_ARRAY_TASK_ID does the same.", valueName: "I"))
    var index: String?

    @Option(help: ArgumentHelp("Write DIR/sweep.sbatch (one array task per trial run) instead of running.", valueName: "slurm"))
    var emit: String?

    @Flag(name: .customLong("stop-on-diverge"), help: "Each run ends at its first non-finite logged value.")
    var stopOnDiverge = false

    func validate() throws {
        guard ["min", "max"].contains(mode) else { throw ValidationError("--mode: expected min or max, got \"\(mode)\"") }
        guard Tuner.Sampler(rawValue: sampler) != nil else {
            throw ValidationError("--sampler: expected sobol, random or grid, got \"\(sampler)\"")
        }
        guard trials >= 1 else { throw ValidationError("--trials: expected at least 1, got \(trials)") }
        guard jobs >= 1, threadsPerJob >= 1, gridPoints >= 1 else { throw ValidationError("--jobs, --threads-per-job and --grid-points: expected at least 1") }
        if asha {
            guard let lo = minResource, let hi = maxResource, lo > 0, hi > lo else {
                throw ValidationError("--asha needs --min-resource R and --max-resource M with 0 < R < M")
            }
            guard eta > 1 else { throw ValidationError("--eta: expected a number above 1, got \(eta)") }
        }
        if let emit, emit != "slurm" { throw ValidationError("--emit: expected slurm, got \"\(emit)\"") }
        guard FileManager.default.isReadableFile(atPath: script) else { throw ValidationError("\(script): no such script") }
        guard FileManager.default.isReadableFile(atPath: space) else { throw ValidationError("--space: cannot read \(space)") }
        if let index { _ = try asUsageError { try IndexRanges.parse(index) } }
    }

    func run() throws {
        let searchSpace = try asUsageError { try loadSpace() }
        let seedList = try asUsageError { try SweepSpec.parseSeeds(seeds) }
        let defaults = try ConfigProbe.defaults(script: script)
        if let defaults {
            let keys = Set(defaults.keys)
            let spaceKeys = Self.keys(of: searchSpace.entries)
            if let bad = spaceKeys.first(where: { !keys.contains($0) }) {
                throw ValidationError("\(script) has no config key '\(bad)' (its experiment.config keys: \(keys.sorted().joined(separator: ", ")))")
            }
        }
        let tuner = try asUsageError {
            try Tuner(script: script, space: searchSpace, sampler: Tuner.Sampler(rawValue: sampler) ?? .sobol, trials: trials,
                      seeds: seedList, metric: metric, lowerIsBetter: mode == "min", seed: tuneSeed, gridPoints: gridPoints,
                      defaults: defaults ?? [:])
        }
        let outDir = URL(fileURLWithPath: out ?? "tune-" + URL(fileURLWithPath: script).deletingPathExtension().lastPathComponent)
            .standardizedFileURL.absoluteURL
        try tuner.manifest.write(to: outDir)
        try AtomicFile.write(tuneRecord(tuner).prettyJSON, to: outDir.appendingPathComponent("tune.json"))
        note("tune: \(tuner.trials.count) trials × \(seedList.count) seed(s) = \(tuner.manifest.entries.count) runs in \(outDir.path)")
        if emit != nil {
            var command = [SweepRunner.currentExecutable(), "tune", SweepSpec.absolutePath(script), "--space", SweepSpec.absolutePath(space)]
            command += ["--trials", String(trials), "--metric", metric, "--mode", mode, "--sampler", sampler, "--grid-points", String(gridPoints),
                        "--seeds", seeds, "--tune-seed", String(tuneSeed), "--threads-per-job", String(threadsPerJob), "--out", outDir.path]
            if asha, let lo = minResource, let hi = maxResource {
                command += ["--asha", "--eta", String(eta), "--min-resource", String(lo), "--max-resource", String(hi), "--resource-key", resourceKey]
            }
            if resume { command.append("--resume") }
            let text = SweepEmitter.sbatch(command: command, count: tuner.manifest.entries.count, sweepDirectory: outDir,
                                           throttle: 8, cpusPerTask: threadsPerJob)
            try FileManager.default.createDirectory(at: outDir.appendingPathComponent("logs"), withIntermediateDirectories: true)
            try AtomicFile.write(text, to: outDir.appendingPathComponent("sweep.sbatch"))
            print("sbatch \(SweepEmitter.shellQuote(outDir.appendingPathComponent("sweep.sbatch").path))")
            return
        }
        var indices: [Int]?
        if let index {
            indices = try IndexRanges.parse(index)
        } else if let task = ProcessInfo.processInfo.environment["SLURM_ARRAY_TASK_ID"], let i = Int(task) {
            indices = [i]
        }
        var options = SweepOptions(jobs: jobs, threadsPerJob: threadsPerJob, resume: resume)
        options.stopOnDiverge = stopOnDiverge
        var sha: SuccessiveHalving?
        if asha, let lo = minResource, let hi = maxResource {
            let halving = SuccessiveHalving(eta: eta, minResource: lo, maxResource: hi, resourceKey: resourceKey)
            options.monitor = tuner.halvingMonitor(halving, directory: outDir)
            sha = halving
            note("successive halving: rungs at \(resourceKey) " + halving.rungs.map(SearchSpace.text).joined(separator: ", ") + ", eta \(SearchSpace.text(eta))")
        }
        let result = try SweepRunner(manifest: tuner.manifest, directory: outDir, options: options).run(indices: indices)
        try summarize(tuner, directory: outDir, sha: sha)
        if result.exitCode != 0 { throw ExitCode(result.exitCode) }
    }

    func loadSpace() throws -> SearchSpace {
        if space.hasSuffix(".lua") {
            let runtime = try Runtime(context: RunContext(quiet: true))
            return try SearchSpace(json: runtime.evaluateTable(path: space), path: URL(fileURLWithPath: space).lastPathComponent)
        }
        return try SearchSpace.load(URL(fileURLWithPath: space))
    }

    static func keys(of entries: [(String, SearchSpace.Distribution)]) -> [String] {
        entries.flatMap { key, d -> [String] in
            if case let .conditional(branches) = d { return [key] + branches.flatMap { keys(of: $0.1) } }
            return [key]
        }
    }

    func tuneRecord(_ tuner: Tuner) -> JSONValue {
        .object([
            ("script", .string(SweepSpec.absolutePath(script))), ("space", .string(SweepSpec.absolutePath(space))),
            ("sampler", .string(sampler)), ("tune_seed", .number(Double(tuneSeed))), ("trials", .number(Double(tuner.trials.count))),
            ("seeds", .string(seeds)), ("metric", .string(metric)), ("mode", .string(mode)),
            ("asha", asha ? .object([("eta", .number(eta)), ("min_resource", .number(minResource ?? 0)),
                                      ("max_resource", .number(maxResource ?? 0)), ("resource_key", .string(resourceKey))]) : .null),
            ("version", .string(Descent.version)),
        ])
    }

    /// The best trial (mean over its seeds) and what the search cost.
    func summarize(_ tuner: Tuner, directory: URL, sha: SuccessiveHalving?) throws {
        let runs = try ReportRun.load(from: directory)
        let counts = Dictionary(grouping: runs, by: { $0.status?.rawValue ?? "missing" }).mapValues(\.count)
        let keys = Self.keys(of: tuner.space.entries)
        let report = try Report(runs: runs, options: ReportOptions(groupKeys: keys.filter { k in runs.contains { $0.value(of: k) != nil } },
                                                                   metric: metric, reduce: .last, lowerIsBetter: mode == "min"))
        var lines = ["tune: " + counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")]
        if let best = report.groups.first(where: { $0.rank == 1 }) {
            lines.append("best: \(best.label): \(metric) \(SearchSpace.text(best.stats.mean)) (mean of \(best.stats.n) seed(s))")
        }
        if let sha {
            let spent = Tuner.resourceSpent(tuner.manifest, directory: directory, key: sha.resourceKey)
            let full = Double(tuner.manifest.entries.count) * sha.maxResource
            lines.append("\(sha.resourceKey)s spent: \(SearchSpace.text(spent)) of \(SearchSpace.text(full)) for every run to the end (\(String(format: "%.1f", 100 * spent / max(full, 1))) %)")
        }
        print(lines.joined(separator: "\n"))
    }

    private func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
