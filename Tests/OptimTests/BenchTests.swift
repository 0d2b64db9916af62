import Foundation
import Optim
import Tensors
import Testing

/// Step timing on 10M parameters; runs only with DESCENT_OPTIM_BENCH=1 (use a release build:
/// `swift test -c release --filter OptimTests.BenchTests`).
@Suite struct BenchTests {
    static let enabled = ProcessInfo.processInfo.environment["DESCENT_OPTIM_BENCH"] == "1"

    @Test(.enabled(if: enabled))
    func stepTimes() throws {
        let saved = Parallel.threads
        Parallel.threads = Int(ProcessInfo.processInfo.environment["DESCENT_OPTIM_THREADS"] ?? "2") ?? 2
        defer { Parallel.threads = saved }
        let runs: [(String, String, [String: OptionValue])] = [
            ("Adam", "adam", [:]), ("AdamW", "adamw", [:]), ("AMSGrad", "amsgrad", [:]),
            ("SGD-momentum", "sgd", ["momentum": .number(0.9)]),
        ]
        for (label, name, options) in runs {
            let r = try OptimBench.measure(name: name, count: 10_000_000, steps: 21, options: options)
            print(String(format: "optim bench %@: %.2f ms/step, %.1f GB/s (threads %d)", label,
                         r.secondsPerStep * 1e3, r.gigabytesPerSecond, Parallel.threads))
        }
    }
}
