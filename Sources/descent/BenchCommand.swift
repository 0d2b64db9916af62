import ArgumentParser
import Foundation
import LuaModules
import Optim
import Tensors

/// `descent bench [NAME]`: the speed figures of docs/performance.md, measured here.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure kernel and interpreter speed.",
        discussion: """
            Each benchmark prints one line: its name, the median time of several repetitions, \
            and a rate (GB/s, GFLOP/s or calls/s). Run with a release build \
            (./scripts/descent bench) for meaningful numbers.

            Examples:
              descent bench              # everything
              descent bench add matmul   # by name
              descent bench --list
            """)

    @Argument(help: "Benchmarks to run (default: all).")
    var names: [String] = []

    @Option(help: "Threads for kernels and OpenBLAS (default: all cores).")
    var threads: Int?

    @Flag(help: "List the benchmarks.")
    var list = false

    @Flag(help: "Print JSON lines instead of a table.")
    var json = false

    func validate() throws {
        let known = Set(Benchmarks.all.map(\.name))
        for n in names where !known.contains(n) {
            throw ValidationError("unknown benchmark '\(n)' (known: \(Benchmarks.all.map(\.name).joined(separator: ", ")))")
        }
        if let t = threads, t < 1 { throw ValidationError("--threads expects a positive number, got \(t)") }
    }

    func run() throws {
        if list {
            for b in Benchmarks.all { print("\(b.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(b.summary)") }
            return
        }
        Parallel.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let selected = names.isEmpty ? Benchmarks.all : Benchmarks.all.filter { names.contains($0.name) }
        for b in selected {
            let r = try b.run()
            if json {
                print("{\"name\":\"\(b.name)\",\"seconds\":\(r.seconds),\"rate\":\(r.rate),\"unit\":\"\(r.unit)\",\"threads\":\(Parallel.threads)}")
            } else {
                print("\(b.name.padding(toLength: 18, withPad: " ", startingAt: 0)) \(formatTime(r.seconds).padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%.2f", r.rate)) \(r.unit)")
            }
        }
    }
}

func formatTime(_ s: Double) -> String {
    if s < 1e-6 { return String(format: "%.1f ns", s * 1e9) }
    if s < 1e-3 { return String(format: "%.2f µs", s * 1e6) }
    if s < 1 { return String(format: "%.3f ms", s * 1e3) }
    return String(format: "%.3f s", s)
}

struct BenchResult { var seconds: Double; var rate: Double; var unit: String }

struct Benchmark {
    let name: String
    let summary: String
    let run: () throws -> BenchResult
}

enum Benchmarks {
    static let all: [Benchmark] = [
        Benchmark(name: "add", summary: "elementwise add of two 10M-element tensors (GB/s moved: 3 × 40 MB)") {
            let a = try Tensor.randn([10_000_000]), b = try Tensor.randn([10_000_000])
            let t = try median(repeats: 15) { _ = try a.add(b) }
            return BenchResult(seconds: t, rate: 120e6 / t / 1e9, unit: "GB/s")
        },
        Benchmark(name: "add_", summary: "in-place add of two 10M-element tensors (GB/s moved: 3 × 40 MB)") {
            let a = try Tensor.randn([10_000_000]), b = try Tensor.randn([10_000_000])
            let t = try median(repeats: 15) { try a.add_(b) }
            return BenchResult(seconds: t, rate: 120e6 / t / 1e9, unit: "GB/s")
        },
        Benchmark(name: "matmul", summary: "1024×1024 by 1024×1024 matmul (OpenBLAS sgemm)") {
            let a = try Tensor.randn([1024, 1024]), b = try Tensor.randn([1024, 1024])
            let t = try median(repeats: 9) { _ = try a.matmul(b) }
            return BenchResult(seconds: t, rate: 2 * pow(1024.0, 3) / t / 1e9, unit: "GFLOP/s")
        },
        Benchmark(name: "sum", summary: "sum of a 10M-element tensor (GB/s read)") {
            let a = try Tensor.randn([10_000_000])
            let t = try median(repeats: 15) { _ = try a.sum() }
            return BenchResult(seconds: t, rate: 40e6 / t / 1e9, unit: "GB/s")
        },
        Benchmark(name: "lua_call", summary: "a Lua → Swift method call on a small tensor (t:add(u), 2 elements)") {
            try luaBenchmark("lua_call")
        },
        Benchmark(name: "lua_index", summary: "t:dim() from Lua: method lookup + call, no allocation") {
            try luaBenchmark("lua_index")
        },
        Benchmark(name: "train_step", summary: "MLP 64-32-10 training step from Lua (batch 32, Adam; scripts/bench/train_step.lua)") {
            try luaBenchmark("train_step")
        },
        Benchmark(name: "mlp_fwd_bwd", summary: "784-512-512-10 ReLU MLP, batch 128: loss and autograd.grad of the 6 parameters (the reference for mlp_hvp)") {
            try luaBenchmark("mlp_fwd_bwd")
        },
        Benchmark(name: "mlp_hvp", summary: "the same MLP: one Hessian-vector product by double backward (autograd.hvp)") {
            try luaBenchmark("mlp_hvp")
        },
        optimizerStep("optim_adam", "adam"),
        optimizerStep("optim_adamw", "adamw"),
        optimizerStep("optim_amsgrad", "amsgrad"),
        optimizerStep("optim_sgd", "sgd", ["momentum": .number(0.9)]),
        optimizerStep("optim_adadelta", "adadelta"),
        optimizerStep("optim_asgd", "asgd"),
        optimizerStep("optim_rprop", "rprop"),
        optimizerStep("optim_adafactor", "adafactor", shape: [2500, 4000]),
        optimizerStep("optim_muon", "muon", shape: [4096, 4096], steps: 3),
        // Shampoo and SOAP with their matrix work every step (statistics, inverse roots or the QR
        // basis update): one warm-up step (SOAP's first step is its eigh initialisation), one timed.
        optimizerStep("optim_shampoo", "shampoo", ["start_preconditioning_step": .number(1), "preconditioning_compute_steps": .number(1)],
                      shape: [4096, 4096], steps: 1),
        optimizerStep("optim_soap", "soap", ["precondition_frequency": .number(1)], shape: [4096, 4096], steps: 1),
    ] + frontierOptimizerSteps + [
        Benchmark(name: "startup", summary: "create the Lua runtime with every module installed") {
            let t = try median(repeats: 21) { _ = try Runtime(context: RunContext()) }
            return BenchResult(seconds: t, rate: 1 / t, unit: "runtimes/s")
        },
    ]

    /// The optax-referenced optimizers (and MARS), one benchmark each: `optim_<build name>`. The
    /// bytes counted are one pass's (param, grad, state); LAMB, LARS, NovoGrad, Prodigy,
    /// DAdaptAdamW and MARS make a second pass for their norms, which the rate includes.
    static var frontierOptimizerSteps: [Benchmark] {
        ["adabelief", "adan", "lamb", "lars", "yogi", "novograd", "sign_sgd", "signum", "ademamix", "adopt", "madgrad",
         "schedule_free_adamw", "schedule_free_sgd", "prodigy", "dadapt_adamw", "mars"].map { optimizerStep("optim_" + $0, $0) }
    }

    /// One fused step of optimizer `algorithm` (lr 1e-3) on a 10M-element parameter, the figure
    /// scripts/bench/optim_step.py measures for PyTorch's `fused=True` step.
    /// `shape` runs it on a matrix (Adafactor's factored path; Muon, 4096×4096 as
    /// scripts/bench/muon_step.py times PyTorch's).
    static func optimizerStep(_ name: String, _ algorithm: String, _ options: [String: OptionValue] = [:],
                              shape: [Int]? = nil, steps: Int = 11) -> Benchmark {
        let count = shape?.reduce(1, *) ?? 10_000_000
        let what = shape.map { $0.map(String.init).joined(separator: "x") + " parameter" } ?? "10M parameters"
        return Benchmark(name: name, summary: "\(algorithm) step on \(what) (GB/s moved: param, grad, state)") {
            var all = options
            all["lr"] = .number(1e-3)
            let r = try OptimBench.measure(name: algorithm, count: count, steps: steps, options: all, shape: shape)
            return BenchResult(seconds: r.secondsPerStep, rate: r.gigabytesPerSecond, unit: "GB/s")
        }
    }

    /// Median wall time of `repeats` runs of `body` after one warm-up run.
    static func median(repeats: Int, _ body: () throws -> Void) throws -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }

    /// Time per iteration of the Lua benchmark `name` (lua/bench.lua), minus an empty loop's time.
    static func luaBenchmark(_ name: String) throws -> BenchResult {
        let runtime = try Runtime(context: RunContext(quiet: true))
        let host = runtime.host
        try host.load(chunk: EmbeddedLua.bench)
        try host.call(nargs: 0, nresults: 1)
        defer { host.state.pop() }
        host.state.rawGet(-1, "measure")
        host.state.push(name)
        host.state.push(5)
        try host.call(nargs: 2, nresults: 1)
        defer { host.state.pop() }
        let t = host.state.number(at: -1) ?? 0
        return BenchResult(seconds: t, rate: 1 / t, unit: "calls/s")
    }
}
