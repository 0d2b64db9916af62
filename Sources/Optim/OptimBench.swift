import Dispatch
import Tensors

/// Timing of one optimizer step on a large parameter, for `descent bench` and the comparison
/// with PyTorch's fused CPU step (scripts/bench/optim_step.py).
///
/// ```swift
/// let r = try OptimBench.measure(name: "adam", count: 10_000_000, steps: 20)
/// print(r.secondsPerStep, r.gigabytesPerSecond)
/// ```
public enum OptimBench {
    public struct Result: Sendable {
        /// Median wall time of one `step()`.
        public let secondsPerStep: Double
        /// Bytes one step reads and writes: param, grad and every state buffer read, param and
        /// buffers written.
        public let bytesPerStep: Int
        public var gigabytesPerSecond: Double { Double(bytesPerStep) / secondsPerStep / 1e9 }
    }

    /// Median seconds of one step of optimizer `name` over one parameter of `count` elements,
    /// after three warm-up steps; the gradient stays fixed.
    public static func stepTime(name: String, count: Int, steps: Int, options: [String: OptionValue] = [:]) throws -> Double {
        try measure(name: name, count: count, steps: steps, options: options).secondsPerStep
    }

    /// `shape` (default `[count]`) lets matrix-aware optimizers (Muon, Adafactor's factored
    /// moments) run on a matrix of `count` elements.
    public static func measure(name: String, count: Int, steps: Int, options: [String: OptionValue] = [:],
                               shape: [Int]? = nil) throws -> Result {
        guard count > 0, steps > 0 else {
            throw TensorError("OptimBench: count and steps expected positive integers, got \(count) and \(steps)")
        }
        let shape = shape ?? [count]
        guard shape.reduce(1, *) == count else {
            throw TensorError("OptimBench: shape \(describe(shape: shape)) does not hold \(count) elements")
        }
        let w = try Tensor(uninitializedShape: shape), g = try Tensor(uninitializedShape: shape)
        for i in 0..<count {
            w.pointer[i] = Float(i % 1000) * 1e-3 - 0.5
            g.pointer[i] = Float(i % 777) * 1e-3 - 0.3
        }
        w.grad = g
        let opt = try Optimizers.build(name: name, params: [w], options: options)
        guard !opt.requiresClosure else {
            throw TensorError("OptimBench: \(opt.name) needs a closure (its step re-evaluates the objective); it has no fixed-gradient step to time")
        }
        for _ in 0..<min(3, steps) { try opt.step() }
        var times: [Double] = []
        for _ in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try opt.step()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        times.sort()
        let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
        let buffers = opt.state(for: w)?.buffers.count ?? 0
        return Result(secondsPerStep: median, bytesPerStep: (3 + 2 * buffers) * count * MemoryLayout<Float>.stride)
    }
}
