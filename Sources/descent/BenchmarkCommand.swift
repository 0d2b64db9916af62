import ArgumentParser
import Experiments
import FileIO
import Foundation
import LuaModules

/// `descent benchmark`: AlgoPerf-style scoring of optimizers on a suite of CPU-scale workloads
/// (benchmarks/workloads.lua), with the external-tuning protocol; the protocol and the scoring
/// live in Experiments (BenchmarkPlan, BenchmarkResult, BenchmarkScore, BenchmarkReport).
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Score optimizers as AlgoPerf does: time to target on a workload suite, performance profiles.",
        discussion: """
            Each submission is tuned by the external-tuning protocol: K studies (--studies), each of \
            N quasi-random Sobol trials (--trials) from its search space; a trial trains a workload \
            until its validation target is reached or its step budget is spent. A submission's time \
            on a workload is the median over studies of the best trial's steps (or seconds) to \
            target (a miss counts as infinite). Performance ratios are taken against the best \
            submission per workload; the score is the integral of the performance profile ρ(τ) \
            over [1, r_max] divided by r_max - 1 (AlgoPerf, r_max = 4).

            A submission is a Lua file that returns an optimizer constructor from optim.define, \
            with a search space file (JSON or Lua) over lr and any of weight_decay, momentum, \
            beta1, beta2, eps. The baselines (AdamW, NAdamW, Nesterov, heavy-ball momentum) are \
            search spaces in benchmarks/baselines/; their committed results in \
            benchmarks/results/*.json are scored with every submission, without re-running them.

            Writes DIR/scores.md, scores.csv, profile.svg, deepobs.md (Performance / Speed / \
            Tuneability), sensitivity-<workload>.svg (final metric against lr) and \
            results/<name>.json; the runs are in DIR/runs-<name> (`descent report` reads them).

            Examples:
              descent benchmark --submission scripts/examples/benchmark_adam.lua \\
                  --space scripts/examples/benchmark_adam_space.json --jobs 2 --out bench
              descent benchmark --baselines --trials 4 --studies 2 --jobs 2 --out bench-baselines
              descent benchmark --out bench-scores      # score the committed results only
            """)

    @Option(help: ArgumentHelp("A Lua file returning an optimizer constructor (from optim.define).", valueName: "file.lua"))
    var submission: String?

    @Option(help: ArgumentHelp("The submission's search space (JSON or a Lua file returning a table).", valueName: "file"))
    var space: String?

    @Option(help: "The submission's name in the tables (default: the file name without .lua).")
    var name: String?

    @Flag(help: "Run the baselines (every space in --baseline-dir) and write their results to --results.")
    var baselines = false

    @Option(help: ArgumentHelp("The baselines' search spaces, one JSON file each.", valueName: "dir"))
    var baselineDir = "benchmarks/baselines"

    @Option(help: ArgumentHelp("Committed results scored with every submission (written by --baselines).", valueName: "dir"))
    var results = "benchmarks/results"

    @Option(help: ArgumentHelp("The workload suite: a Lua file returning a table, or JSON.", valueName: "file"))
    var workloads = "benchmarks/workloads.lua"

    @Option(help: ArgumentHelp("The trial script that trains one workload with one configuration.", valueName: "file"))
    var script = "benchmarks/workload.lua"

    @Option(help: ArgumentHelp("Only these workloads (comma-separated names).", valueName: "names"))
    var only: String?

    @Option(help: "Trials per study (N).")
    var trials = 4

    @Option(help: "Studies per submission (K); the time is the median over studies.")
    var studies = 2

    @Option(help: ArgumentHelp("Score by steps or seconds to target.", valueName: "steps|seconds"))
    var scoreBy = "steps"

    @Option(help: "The largest performance ratio that counts (AlgoPerf: 4).")
    var rMax = BenchmarkScore.defaultRMax

    @Option(help: "Runs in parallel.")
    var jobs = 1

    @Option(help: "--threads for each run.")
    var threadsPerJob = 1

    @Option(help: ArgumentHelp("The output directory.", valueName: "dir"))
    var out = "benchmark"

    @Flag(help: "Keep finished runs; run the rest.")
    var resume = false

    func validate() throws {
        guard ["steps", "seconds"].contains(scoreBy) else { throw ValidationError("--score-by: expected steps or seconds, got \"\(scoreBy)\"") }
        guard trials >= 1, studies >= 1, jobs >= 1, threadsPerJob >= 1 else {
            throw ValidationError("--trials, --studies, --jobs and --threads-per-job: expected at least 1")
        }
        guard rMax > 1 else { throw ValidationError("--r-max: expected a number above 1, got \(rMax)") }
        guard (submission == nil) == (space == nil) else { throw ValidationError("--submission and --space go together") }
        for (option, path) in [("--workloads", workloads), ("--script", script)] + (submission.map { [("--submission", $0), ("--space", space ?? "")] } ?? []) {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ValidationError("\(option): cannot read \(path) (run from the repository root, or pass the path)")
            }
        }
    }

    func run() throws {
        let started = Date()
        var suite = try asUsageError { try BenchmarkWorkload.suite(evaluate(workloads), path: URL(fileURLWithPath: workloads).lastPathComponent) }
        if let only {
            let names = only.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            if let bad = names.first(where: { n in !suite.contains { $0.name == n } }) {
                throw ValidationError("--only: no workload '\(bad)' (valid: \(suite.map(\.name).joined(separator: ", ")))")
            }
            suite = suite.filter { names.contains($0.name) }
        }
        let outDir = URL(fileURLWithPath: out).standardizedFileURL.absoluteURL
        let resultsDir = URL(fileURLWithPath: results).standardizedFileURL.absoluteURL
        // What to run: (name, space file, fixed overrides, where its result goes).
        var toRun: [(String, String, [(String, String)], URL)] = []
        if baselines {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: baselineDir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
            guard !files.isEmpty else { throw ValidationError("--baselines: no .json search spaces in \(baselineDir)") }
            for f in files {
                let n = String(f.dropLast(5))
                toRun.append((n, baselineDir + "/" + f, [], resultsDir.appendingPathComponent(n + ".json")))
            }
        }
        if let submission, let space {
            let n = name ?? URL(fileURLWithPath: submission).deletingPathExtension().lastPathComponent
            toRun.append((n, space, [("submission", SweepSpec.absolutePath(submission))], outDir.appendingPathComponent("results/\(n).json")))
        }
        let defaults = try ConfigProbe.defaults(script: script) ?? [:]
        var fresh: [BenchmarkResult] = []
        var failedRuns = 0
        for (n, spaceFile, fixed, destination) in toRun {
            let searchSpace = try asUsageError { try loadSpace(spaceFile) }
            if !defaults.isEmpty, let bad = searchSpace.entries.map(\.0).first(where: { defaults[$0] == nil }) {
                throw ValidationError("\(spaceFile): \(script) has no config key '\(bad)' (its keys: \(defaults.keys.sorted().joined(separator: ", ")))")
            }
            let plan = try asUsageError {
                try BenchmarkPlan(script: script, workloadsFile: workloads, workloads: suite, space: searchSpace, trials: trials,
                                  studies: studies, fixed: fixed, defaults: defaults)
            }
            let dir = outDir.appendingPathComponent("runs-\(n)")
            try plan.manifest.write(to: dir)
            note("benchmark \(n): \(suite.count) workloads × \(studies) studies × \(trials) trials = \(plan.manifest.entries.count) runs in \(dir.path)")
            let t0 = Date()
            let result = try SweepRunner(manifest: plan.manifest, directory: dir,
                                         options: SweepOptions(jobs: jobs, threadsPerJob: threadsPerJob, resume: resume)).run()
            if result.interrupted { throw ExitCode(result.exitCode) }
            failedRuns += result.failed
            let spaceJSON = (try? evaluate(spaceFile)) ?? .null
            let r = BenchmarkResult(name: n, space: spaceJSON, trialsPerStudy: trials, studies: studies, workloads: suite,
                                    trials: BenchmarkResult.collect(plan, directory: dir),
                                    provenance: [("descent_version", .string(Descent.version)), ("score_jobs", .number(Double(jobs))),
                                                 ("wall_seconds", .number((Date().timeIntervalSince(t0) * 10).rounded() / 10)),
                                                 ("date", .string(ISO8601DateFormatter().string(from: Date())))])
            try r.write(to: destination)
            note("benchmark \(n): result in \(destination.path) (\(String(format: "%.1f", Date().timeIntervalSince(t0))) s)")
            fresh.append(r)
        }
        // Committed results, replaced by what was just run under the same name.
        var all: [BenchmarkResult] = []
        let committed = ((try? FileManager.default.contentsOfDirectory(atPath: resultsDir.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        for f in committed {
            let r = try asUsageError { try BenchmarkResult.load(resultsDir.appendingPathComponent(f)) }
            if !fresh.contains(where: { $0.name == r.name }) { all.append(r) }
        }
        all += fresh
        let report = try asUsageError { try BenchmarkReport(results: all, workloads: suite, bySeconds: scoreBy == "seconds", rMax: rMax) }
        for r in all where r.trialsPerStudy != trials || r.studies != studies {
            note("note: '\(r.name)' was tuned with \(r.studies) studies × \(r.trialsPerStudy) trials, not \(studies) × \(trials)")
        }
        try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        try AtomicFile.write(report.markdown, to: outDir.appendingPathComponent("scores.md"))
        try AtomicFile.write(report.csv, to: outDir.appendingPathComponent("scores.csv"))
        try AtomicFile.write(report.profileSVG, to: outDir.appendingPathComponent("profile.svg"))
        try AtomicFile.write(report.deepOBSMarkdown, to: outDir.appendingPathComponent("deepobs.md"))
        for w in suite {
            try AtomicFile.write(report.sensitivitySVG(w), to: outDir.appendingPathComponent("sensitivity-\(w.name).svg"))
        }
        print(report.markdown)
        print(report.deepOBSMarkdown)
        print("wrote scores.md, scores.csv, profile.svg, deepobs.md, sensitivity-*.svg in \(outDir.path)")
        print("wall time: \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        if failedRuns > 0 {
            note("benchmark: \(failedRuns) run(s) failed (counted as missing the target); `descent status` on the runs- directories says why")
        }
    }

    /// A JSON file, or a Lua file returning a table.
    func evaluate(_ path: String) throws -> JSONValue {
        if path.hasSuffix(".lua") { return try Runtime(context: RunContext(quiet: true)).evaluateTable(path: path) }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw ExperimentError("cannot read \(path)") }
        do { return try JSONValue.parse(text) } catch { throw ExperimentError("\(path): \(error)") }
    }

    func loadSpace(_ path: String) throws -> SearchSpace {
        try SearchSpace(json: evaluate(path), path: URL(fileURLWithPath: path).lastPathComponent)
    }

    private func note(_ text: String) { FileHandle.standardError.write(Data((text + "\n").utf8)) }
}
