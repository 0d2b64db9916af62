import FileIO
import Foundation

/// Early stopping for `descent tune`: asynchronous successive halving (ASHA; Li et al. 2020) on
/// a logged metric. Rungs are at `minResource · eta^k` (in the unit of `resourceKey`, e.g. the
/// logged `step`) below `maxResource`. When a trial first logs the metric at or past a rung, it
/// continues only if its value is among the best ⌊n/eta⌋ of the n trials that have reached that
/// rung so far (the first to arrive always continues), else it is stopped and recorded `pruned`.
public struct SuccessiveHalving: Equatable {
    public var eta: Double = 3
    public var minResource: Double
    public var maxResource: Double
    public var resourceKey: String = "step"

    public init(eta: Double = 3, minResource: Double, maxResource: Double, resourceKey: String = "step") {
        self.eta = eta
        self.minResource = minResource
        self.maxResource = maxResource
        self.resourceKey = resourceKey
    }

    public var rungs: [Double] {
        var r: [Double] = []
        var x = minResource
        while x < maxResource && r.count < 64 {
            r.append(x)
            x *= eta
        }
        return r
    }

    /// For each rung, the metric value a run logged when it first reached the rung (nil: not
    /// reached yet), from its metrics records.
    public func rungValues(_ records: [[(String, JSONValue)]], metric: String) -> [Double?] {
        rungs.map { rung in
            for record in records {
                guard let r = record.first(where: { $0.0 == resourceKey })?.1.doubleValue, r >= rung,
                      let v = record.first(where: { $0.0 == metric })?.1.doubleValue else { continue }
                return v
            }
            return nil
        }
    }

    /// Whether `value` continues at a rung where `competitors` (the other trials' values there)
    /// were recorded: Optuna's rule for the promotable rank.
    public func continues(_ value: Double, competitors: [Double], lowerIsBetter: Bool) -> Bool {
        if !value.isFinite { return false }
        let all = (competitors.filter(\.isFinite) + [value]).sorted { lowerIsBetter ? $0 < $1 : $0 > $1 }
        let k = max(Int(Double(all.count) / eta) - 1, 0)
        return lowerIsBetter ? value <= all[k] : value >= all[k]
    }
}

/// `descent tune`: trials drawn from a search space (Sobol, random or grid), each run for every
/// seed as an ordinary run directory of a sweep-format directory (manifest.json, runs/<id>), so
/// `descent report` and `status` read it; optional successive halving; resumable (trial i is a
/// pure function of the space, sampler, seed and i; finished and pruned runs are kept).
///
///     let tune = try Tuner(script: "train.lua", space: space, sampler: .sobol, trials: 16, seeds: [1],
///                          metric: "val_loss", lowerIsBetter: true, seed: 0)
///     try tune.manifest.write(to: out)
public struct Tuner {
    public enum Sampler: String, CaseIterable { case sobol, random, grid }

    public let space: SearchSpace
    public let sampler: Sampler
    public let metric: String
    public let lowerIsBetter: Bool
    public let seed: UInt64
    /// The trials' overrides, in trial order.
    public let trials: [[(String, String)]]
    public let manifest: SweepManifest

    public init(script: String, space: SearchSpace, sampler: Sampler, trials count: Int, seeds: [Int], metric: String,
                lowerIsBetter: Bool, seed: UInt64, gridPoints: Int = 3, defaults: [String: JSONValue] = [:]) throws {
        guard count >= 1 else { throw ExperimentError("--trials: expected at least 1, got \(count)") }
        guard !seeds.isEmpty else { throw ExperimentError("--seeds: expected at least one seed") }
        self.space = space
        self.sampler = sampler
        self.metric = metric
        self.lowerIsBetter = lowerIsBetter
        self.seed = seed
        let scriptPath = SweepSpec.absolutePath(script)
        // Draw points until `count` distinct configurations (a choice-only space has fewer).
        var points: [[Double]]
        switch sampler {
        case .grid:
            points = space.gridPoints(perAxis: gridPoints)
        case .sobol:
            var sobol = try Sobol(dimensions: min(space.dimensions, Sobol.maxDimensions), scrambleSeed: seed)
            if space.dimensions > Sobol.maxDimensions {
                throw ExperimentError("--sampler sobol: the space has \(space.dimensions) dimensions, at most \(Sobol.maxDimensions) are supported (use --sampler random)")
            }
            points = (0..<(count * 20)).map { _ in sobol.next() }
        case .random:
            var rng = SplitMix64(seed: seed)
            points = (0..<(count * 20)).map { _ in (0..<space.dimensions).map { _ in Double(rng.next() >> 11) / 9_007_199_254_740_992.0 } }
        }
        var chosen: [[(String, String)]] = []
        var seen = Set<String>()
        for p in points where chosen.count < count {
            let overrides = space.sample(p)
            let key = overrides.map { "\($0.0)=\(SweepEntry.canonicalKey($0.1))" }.joined(separator: "&")
            if seen.insert(key).inserted { chosen.append(overrides) }
        }
        trials = chosen
        var entries: [SweepEntry] = []
        for trial in chosen {
            for s in seeds {
                entries.append(SweepEntry(index: entries.count, id: SweepEntry.id(script: scriptPath, overrides: trial, seed: s, defaults: defaults),
                                          overrides: trial, seed: s))
            }
        }
        manifest = SweepManifest(script: scriptPath, entries: entries, seeds: seeds)
    }

    /// The monitor that stops trials by successive halving, for `SweepOptions.monitor`.
    public func halvingMonitor(_ sha: SuccessiveHalving, directory: URL) -> ([SweepEntry]) -> [(Int, String)] {
        let metric = self.metric, lower = lowerIsBetter, entries = manifest.entries
        var decided = Set<String>()  // "index@rung" already judged (continuing)
        return { running in
            // Rung values of every run so far (finished, pruned or running).
            var table: [Int: [Double?]] = [:]
            for e in entries {
                let dir = SweepManifest.runDirectory(e, in: directory)
                guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("metrics.jsonl").path) else { continue }
                table[e.index] = sha.rungValues(RunReader.metrics(in: dir), metric: metric)
            }
            var stop: [(Int, String)] = []
            for e in running {
                guard let values = table[e.index] else { continue }
                for (k, value) in values.enumerated() {
                    guard let value, !decided.contains("\(e.index)@\(k)") else { continue }
                    let others = table.filter { $0.key != e.index }.compactMap { $0.value[k] ?? nil }
                    if sha.continues(value, competitors: others, lowerIsBetter: lower) {
                        decided.insert("\(e.index)@\(k)")
                    } else {
                        let rung = SearchSpace.text(sha.rungs[k])
                        stop.append((e.index, "pruned at rung \(k + 1) (\(sha.resourceKey) \(rung)): \(metric) \(SearchSpace.text(value)) not in the best 1/\(SearchSpace.text(sha.eta)) of \(others.count + 1) trials there"))
                        break
                    }
                }
            }
            return stop
        }
    }

    /// The resource each run consumed (its last logged `resourceKey`), summed: the tuning cost.
    public static func resourceSpent(_ manifest: SweepManifest, directory: URL, key: String) -> Double {
        manifest.entries.reduce(0) { total, e in
            let records = RunReader.metrics(in: SweepManifest.runDirectory(e, in: directory))
            let last = records.reversed().lazy.compactMap { $0.first(where: { $0.0 == key })?.1.doubleValue }.first
            return total + (last ?? 0)
        }
    }
}
