import Foundation
import Testing

/// `descent benchmark` through the binary on a tiny suite: a baseline and an optim.define'd
/// submission, 2 trials × 2 studies on 2 workloads; the score table agrees with the score
/// recomputed here from the trials it recorded.
@Suite struct BenchmarkTests {
    static let workloads = """
        return {
          quad = { problem = "quadratic", options = { dim = 10, noise = 0.6, seed = 42 },
            metric = "loss", mode = "min", target = 1.0, max_steps = 40, eval_every = 5 },
          mlp = { problem = "mlp", options = { hidden = { 8 }, batch_size = 64, data = "\(projectRoot.path)/data/mnist5k" },
            metric = "test_accuracy", mode = "max", target = 0.3, max_steps = 10, eval_every = 5 },
        }

        """

    @Test func tinyBenchmarkScoresABaselineAndASubmission() throws {
        let dir = try Descent.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Descent.write(Self.workloads, to: "wl.lua", in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("base"), withIntermediateDirectories: true)
        try Descent.write(#"{"optimizer": "heavy_ball", "lr": {"log_uniform": [1e-3, 0.1]}, "momentum": 0.9}"#, to: "base/heavy_ball.json", in: dir)
        let root = projectRoot.path
        let args = ["benchmark", "--baselines", "--baseline-dir", "base", "--results", "res", "--workloads", "wl.lua",
                    "--script", root + "/benchmarks/workload.lua", "--submission", root + "/scripts/examples/benchmark_lion.lua",
                    "--space", root + "/scripts/examples/benchmark_lion_space.json", "--trials", "2", "--studies", "2",
                    "--jobs", "2", "--out", "o"]
        let r = try Descent.run(args, in: dir, timeout: 300)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("| submission | score | mlp | quad |"), "\(r.stdout)")
        for file in ["res/heavy_ball.json", "o/results/benchmark_lion.json", "o/scores.md", "o/scores.csv", "o/deepobs.md"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(file).path), "\(file) missing")
        }
        for file in ["o/profile.svg", "o/sensitivity-quad.svg", "o/sensitivity-mlp.svg"] {
            let svg = (try? String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)) ?? ""
            #expect(svg.contains("<polyline"), "\(file) has no curve")
        }
        // Recompute every submission's time per workload from its recorded trials, then the score.
        func load(_ path: String) throws -> [String: Any] {
            try #require(JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent(path))) as? [String: Any])
        }
        var times: [String: [String: Double]] = [:]
        for (name, path) in [("heavy_ball", "res/heavy_ball.json"), ("benchmark_lion", "o/results/benchmark_lion.json")] {
            let trials = try #require(try load(path)["trials"] as? [[String: Any]])
            #expect(trials.count == 2 * 2 * 2)
            #expect(trials.allSatisfy { ($0["status"] as? String) == "done" }, "\(trials)")
            for w in ["mlp", "quad"] {
                let best = [1, 2].map { k in
                    trials.filter { ($0["workload"] as? String) == w && ($0["study"] as? Int) == k }
                        .compactMap { $0["steps_to_target"] as? Double }.min() ?? .infinity
                }
                times[name, default: [:]][w] = (best[0] + best[1]) / 2
            }
        }
        let csv = try String(contentsOf: dir.appendingPathComponent("o/scores.csv"), encoding: .utf8)
        for name in ["heavy_ball", "benchmark_lion"] {
            var area = 0.0
            for w in ["mlp", "quad"] {
                let t = times[name]![w]!, best = min(times["heavy_ball"]![w]!, times["benchmark_lion"]![w]!)
                let ratio = t.isFinite ? t / best : .infinity
                if ratio <= 4 { area += 4 - ratio }
                let row = try #require(csv.split(separator: "\n").first { $0.hasPrefix("\(name),\(w),") })
                let steps = String(row.split(separator: ",")[4])
                #expect(steps == (t.isFinite ? String(Int(t)) : "inf") || Double(steps) == t, "\(row) vs \(t)")
            }
            let score = area / 2 / 3
            let row = try #require(csv.split(separator: "\n").first { $0.hasPrefix("\(name),") })
            #expect(abs((Double(row.split(separator: ",")[7]) ?? -1) - score) < 1e-5, "\(row) vs \(score)")
        }
        // Scoring again from the recorded results runs nothing.
        let again = try Descent.run(["benchmark", "--results", "res", "--workloads", "wl.lua", "--script", root + "/benchmarks/workload.lua",
                                     "--out", "o2"], in: dir, timeout: 120)
        #expect(again.status == 0 && again.stdout.contains("| heavy_ball |"), "\(again.stderr)")
        #expect(!again.stderr.contains("runs in"), "\(again.stderr)")
    }
}
