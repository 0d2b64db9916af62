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
        /// buffers written, plus the passes the algorithm's `extraStreams` names.
        public let bytesPerStep: Int
        public var gigabytesPerSecond: Double { Double(bytesPerStep) / secondsPerStep / 1e9 }
    }

    /// Median seconds of one step of optimizer `name` over one parameter of `count` elements,
    /// after three warm-up steps (one if `steps` < 5); the gradient stays fixed.
    public static func stepTime(name: String, count: Int, steps: Int, options: [String: OptionValue] = [:]) throws -> Double {
        try measure(name: name, count: count, steps: steps, options: options).secondsPerStep
    }

    /// `shape` (default `[count]`) lets matrix-aware optimizers (Muon, Adafactor's factored
    /// moments) run on a matrix of `count` elements.
    /// `wrapper` ("lookahead", sync_period 5; "ema") times the wrapped optimizer's step; the
    /// bytes then include the wrapper's pass (and SAM's include its own three passes around the
    /// base step's) (EMA: θ read, the average read and written every
    /// step; Lookahead: θ and φ read and written every 5th step, counted as 4/5 of a stream).
    public static func measure(name: String, count: Int, steps: Int, options: [String: OptionValue] = [:],
                               shape: [Int]? = nil, wrapper: String? = nil) throws -> Result {
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
        var opt = try Optimizers.build(name: name, params: [w], options: options)
        var wrapperBytes = 0
        switch wrapper {
        case nil: break
        case "lookahead":
            opt = try Optimizer.lookahead(opt, syncPeriod: 5)
            wrapperBytes = 4 * count * MemoryLayout<Float>.stride / 5
        case "ema":
            opt = try Optimizer.ema(opt)
            wrapperBytes = 3 * count * MemoryLayout<Float>.stride
        case let other?:
            throw TensorError("OptimBench: wrapper expected \"lookahead\" or \"ema\", got \"\(other)\"")
        }
        // Sophia's Hessian-estimate steps differentiate the gradient again: θ·0 + g has g's values
        // and a graph (a zero Hessian, so its cost is the estimator's passes, not a model's).
        if opt.requiresGradientGraph {
            w.requiresGrad = true
            w.grad = try GradMode.withGrad { try w.mul(0).add(g) }
        }
        let grad = w.grad
        let median: Double
        if opt.requiresClosure {
            // SAM (LBFGS is refused: its step is a whole line search over the closure): a closure
            // that puts the same gradient back, so the time is the optimizer's own passes.
            guard opt.algorithm is SAM || opt.wrapper?.inner.algorithm is SAM else {
                throw TensorError("OptimBench: \(opt.name) runs many closure evaluations per step (a line search); it has no fixed-gradient step to time")
            }
            median = try medianTime(steps: steps) { _ = try opt.step { w.grad = grad; return 0 } }
            // SAM's own passes (default options): the norm reads g; the perturbation reads θ and g
            // and writes θ and its saved copy; the restore reads the copy and writes θ.
            wrapperBytes += 7 * count * MemoryLayout<Float>.stride
        } else {
            median = try medianTime(steps: steps) { try opt.step() }
        }
        let buffers = opt.state(for: w)?.buffers.count ?? 0
        // Passes a whole-tensor norm forces (LAMB, LARS, NovoGrad; `extraStreams`).
        let algorithm = opt.wrapper?.inner.algorithm ?? opt.algorithm
        wrapperBytes += algorithm.extraStreams * count * MemoryLayout<Float>.stride
        return Result(secondsPerStep: median, bytesPerStep: (3 + 2 * buffers) * count * MemoryLayout<Float>.stride + wrapperBytes)
    }

    /// The reference passes an element-wise optimizer step is compared with (`descent bench copy`,
    /// `triad_`): the same kernel machinery as the optimizers (`LaneKernel`, SIMD lanes, chunks of
    /// `Parallel.defaultChunk` on `Parallel.threads` threads), with no arithmetic to speak of.
    public enum StreamPass: String, Sendable, CaseIterable {
        /// y[i] = x[i]: 4 bytes read and 4 written per element (the counted bytes; the write
        /// also reads y's line into the cache first, which the count leaves out, as STREAM does).
        case copy
        /// a[i] += s·b[i] in place, STREAM's triad written the way an optimizer updates its
        /// parameter: a and b read, a written (12 bytes per element, every one counted).
        case triad
    }

    /// Median seconds of one `pass` over `count` floats (after warm-up passes that also fault the
    /// pages in), with the bytes counted as the optimizers count theirs.
    public static func stream(_ pass: StreamPass, count: Int, steps: Int) throws -> Result {
        guard count > 0, steps > 0 else {
            throw TensorError("OptimBench: count and steps expected positive integers, got \(count) and \(steps)")
        }
        let x = try Tensor(uninitializedShape: [count]), y = try Tensor(uninitializedShape: [count])
        for i in 0..<count {
            x.pointer[i] = Float(i % 1000) * 1e-3 - 0.5
            y.pointer[i] = Float(i % 777) * 1e-3 - 0.3
        }
        let seconds: Double, streams: Int
        switch pass {
        case .copy:
            let k = CopyKernel(x: x.pointer, y: y.pointer)
            seconds = try medianTime(steps: steps) { k.run(count: count) }
            streams = 2
        case .triad:
            // s small and alternating in sign, so a stays bounded over any number of passes.
            var s: Float = 1e-3
            seconds = try medianTime(steps: steps) {
                TriadKernel(a: y.pointer, b: x.pointer, s: s).run(count: count)
                s = -s
            }
            streams = 3
        }
        withExtendedLifetime((x, y)) {}
        return Result(secondsPerStep: seconds, bytesPerStep: streams * count * MemoryLayout<Float>.stride)
    }

    /// Median wall time of `body` over `steps` runs after min(3, steps) warm-up runs (one when
    /// `steps` < 5: Muon's 4096×4096 step takes seconds).
    static func medianTime(steps: Int, _ body: () throws -> Void) throws -> Double {
        for _ in 0..<(steps < 5 ? 1 : 3) { try body() }
        var times: [Double] = []
        for _ in 0..<steps {
            let t0 = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        times.sort()
        return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }
}

/// y ← x: the plain copy of `OptimBench.stream(.copy, ...)`, and SAM's restore of θ.
struct CopyKernel: LaneKernel {
    let x, y: UnsafeMutablePointer<Float>

    @inline(__always)
    func apply(_ i: Int, _ n: Int) { Lanes(x, i, n).store(y, i, n) }
}

/// a ← a + s·b, the in-place pass of `OptimBench.stream(.triad, ...)`.
struct TriadKernel: LaneKernel {
    let a, b: UnsafeMutablePointer<Float>
    let s: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) { (Lanes(a, i, n) + s * Lanes(b, i, n)).store(a, i, n) }
}
