import Foundation

/// The runs of one submission's benchmark: for every workload and study k = 1...K, the N trials
/// that Sobol sampling of the search space (scrambled with seed k) draws, each run once with
/// seed k. One sweep-format manifest holds them all, so `--jobs` runs across workloads and
/// studies, `--resume` runs what is missing, and `descent report`/`status` read the directory.
///
///     let plan = try BenchmarkPlan(script: "benchmarks/workload.lua", workloadsFile: "benchmarks/workloads.lua",
///                                  workloads: suite, space: space, trials: 8, studies: 3, fixed: [("optimizer", "adamw")])
///     try plan.manifest.write(to: out)
public struct BenchmarkPlan {
    /// Where a run sits in the protocol.
    public struct Slot: Equatable {
        public let workload: String
        public let study: Int
        public let trial: Int
        public let entry: Int
        public let config: [(String, String)]

        public static func == (a: Slot, b: Slot) -> Bool {
            a.workload == b.workload && a.study == b.study && a.trial == b.trial && a.entry == b.entry
                && a.config.map(\.0) == b.config.map(\.0) && a.config.map(\.1) == b.config.map(\.1)
        }
    }

    /// The hyperparameters the trial script knows how to pass to an optimizer.
    public static let optimizerKeys = ["lr", "weight_decay", "momentum", "beta1", "beta2", "eps"]

    public let slots: [Slot]
    public let manifest: SweepManifest

    /// `fixed` overrides go to every run (the optimizer or the submission file); the `options`
    /// override lists which optimizer hyperparameters the space sets.
    public init(script: String, workloadsFile: String, workloads: [BenchmarkWorkload], space: SearchSpace, trials: Int, studies: Int,
                fixed: [(String, String)] = [], defaults: [String: JSONValue] = [:]) throws {
        guard studies >= 1 else { throw ExperimentError("--studies: expected at least 1, got \(studies)") }
        let keys = Set(space.entries.map(\.0))
        guard keys.contains("lr") else { throw ExperimentError("the search space must set lr (it sets \(keys.sorted().joined(separator: ", ")))") }
        let passed = Self.optimizerKeys.filter { keys.contains($0) }.joined(separator: ",")
        let scriptPath = SweepSpec.absolutePath(script)
        let common = [("workloads", SweepSpec.absolutePath(workloadsFile))] + fixed + [("options", passed)]
        var slots: [Slot] = []
        var entries: [SweepEntry] = []
        for k in 1...studies {
            let tuner = try Tuner(script: script, space: space, sampler: .sobol, trials: trials, seeds: [k], metric: "final_metric",
                                  lowerIsBetter: true, seed: UInt64(k), defaults: defaults)
            for w in workloads {
                for (i, trial) in tuner.trials.enumerated() {
                    let overrides = [("workload", w.name)] + common + trial
                    let id = SweepEntry.id(script: scriptPath, overrides: overrides, seed: k, defaults: defaults)
                    slots.append(Slot(workload: w.name, study: k, trial: i + 1, entry: entries.count, config: trial))
                    entries.append(SweepEntry(index: entries.count, id: id, overrides: overrides, seed: k))
                }
            }
        }
        self.slots = slots
        manifest = SweepManifest(script: scriptPath, entries: entries, seeds: Array(1...studies))
    }
}
