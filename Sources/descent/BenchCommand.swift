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
              descent bench optim        # every optimizer at 1M and 10M, with copy and in-place passes
              descent bench optim_100m   # torch.optim's optimizers at 100M (1.2-2 GB each)
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
        let known = Set(Benchmarks.all.map(\.name)).union(Benchmarks.groups.keys)
        for n in names where !known.contains(n) {
            throw ValidationError("unknown benchmark '\(n)' (known: \(Benchmarks.all.map(\.name).joined(separator: ", ")); groups: \(Benchmarks.groups.keys.sorted().joined(separator: ", ")))")
        }
        if let t = threads, t < 1 { throw ValidationError("--threads expects a positive number, got \(t)") }
    }

    func run() throws {
        // The name column fits the longest name (optim_schedule_free_adamw_1m), never cutting one.
        let width = max(22, Benchmarks.all.map(\.name.count).max() ?? 0)
        func column(_ name: String) -> String { name.padding(toLength: width, withPad: " ", startingAt: 0) }
        if list {
            for b in Benchmarks.all { print("\(column(b.name)) \(b.summary)") }
            for (g, members) in Benchmarks.groups.sorted(by: { $0.key < $1.key }) {
                print("\(column(g)) group: \(members.count) benchmarks (\(members.first ?? "") ... \(members.last ?? ""))")
            }
            return
        }
        Parallel.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        // The element-wise optimizer rows are printed as a percentage of the copy and in-place
        // passes over the same number of floats, measured in this run: those passes run first.
        let selected = Benchmarks.select(names)
        var passRates: [String: Double] = [:]  // "copy@10000000" -> GB/s
        for b in selected {
            let r = try b.run()
            var percents: [(String, Double)] = []
            switch b.kind {
            case .pass(let label, let count): passRates["\(label)@\(count)"] = r.rate
            case .elementwise(let count):
                for label in ["copy", "triad_"] {
                    if let ref = passRates["\(label)@\(count)"], ref > 0 { percents.append((label, 100 * r.rate / ref)) }
                }
            case .other: break
            }
            if json {
                let extra = percents.map { ",\"percent_of_\($0.0 == "copy" ? "copy" : "inplace")\":\(String(format: "%.1f", $0.1))" }.joined()
                print("{\"name\":\"\(b.name)\",\"seconds\":\(r.seconds),\"rate\":\(r.rate),\"unit\":\"\(r.unit)\",\"threads\":\(Parallel.threads)\(extra)}")
            } else {
                let tail = percents.isEmpty ? "" : "   " + percents.map { String(format: "%5.1f%% of %@", $0.1, $0.0) }.joined(separator: ", ")
                print("\(column(b.name)) \(formatTime(r.seconds).padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%.2f", r.rate)) \(r.unit)\(tail)")
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
    /// What a row's rate is compared with: `.pass` rows are the reference passes (copy, in-place)
    /// over `count` floats; `.elementwise` rows are printed as a percentage of those of the same count.
    enum Kind { case other, pass(String, Int), elementwise(Int) }

    let name: String
    let summary: String
    var kind: Kind = .other
    let run: () throws -> BenchResult

    init(name: String, summary: String, kind: Kind = .other, run: @escaping () throws -> BenchResult) {
        self.name = name
        self.summary = summary
        self.kind = kind
        self.run = run
    }
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
        Benchmark(name: "mlp_hvp_ratio", summary: "mlp_hvp / mlp_fwd_bwd, timed in alternation (median of 9 rounds; the rate column is the ratio)") {
            try luaHVPRatio()
        },
    ] + streamPasses(sizes + [largeSize]) + optimizerSteps + largeOptimizerSteps + [
        // Shampoo and SOAP with their matrix work every step (statistics, inverse roots or the QR
        // basis update): one warm-up step (SOAP's first step is its eigh initialisation), one timed.
        // Not in the `optim` group: a round takes minutes.
        optimizerStep("optim_shampoo", "shampoo", ["start_preconditioning_step": .number(1), "preconditioning_compute_steps": .number(1)],
                      shape: [4096, 4096], steps: 1),
        optimizerStep("optim_soap", "soap", ["precondition_frequency": .number(1)], shape: [4096, 4096], steps: 1),
        Benchmark(name: "startup", summary: "create the Lua runtime with every module installed") {
            let t = try median(repeats: 21) { _ = try Runtime(context: RunContext()) }
            return BenchResult(seconds: t, rate: 1 / t, unit: "runtimes/s")
        },
    ]

    /// Names that stand for several benchmarks: `optim` is every optimizer row (each at 1M and
    /// 10M parameters, Muon on 4096×4096) with the copy and in-place passes they are compared with;
    /// `optim_100m` torch.optim's optimizers at 100M parameters with the 100M passes.
    static var groups: [String: [String]] {
        ["optim": (streamPasses(sizes) + optimizerSteps).map(\.name),
         "optim_100m": (streamPasses([largeSize]) + largeOptimizerSteps).map(\.name),
         "stream": streamPasses(sizes).map(\.name)]
    }

    /// The benchmarks `names` selects (groups expanded), in table order; the copy and in-place
    /// passes of every size an element-wise row uses come first.
    static func select(_ names: [String]) -> [Benchmark] {
        if names.isEmpty { return all }
        var wanted = Set(names.flatMap { groups[$0] ?? [$0] })
        for b in all where wanted.contains(b.name) {
            if case .elementwise(let count) = b.kind {
                for p in streamPasses(sizes + [largeSize]) { if case .pass(_, count) = p.kind { wanted.insert(p.name) } }
            }
        }
        return all.filter { wanted.contains($0.name) }
    }

    /// The sizes of the optimizer rows: 10M parameters (`optim_<name>`, the name compare.sh and
    /// earlier tables use) and 1M (`optim_<name>_1m`).
    static let sizes: [(suffix: String, count: Int, steps: Int)] = [("", 10_000_000, 11), ("_1m", 1_000_000, 51)]

    /// 100M parameters (`optim_<name>_100m`, group `optim_100m`): torch.optim's optimizers only,
    /// where a step moves gigabytes and the machine's bandwidth decides (issue 20's largest size).
    /// Not in the `optim` group: each row allocates 1.2–2 GB and takes seconds to set up.
    static let largeSize: (suffix: String, count: Int, steps: Int) = ("_100m", 100_000_000, 5)

    /// torch.optim's element-wise optimizers with their options in the benchmark (the rows
    /// scripts/bench/torch_bench.py and jax_bench.py time too).
    static let torchOptimKinds: [(String, [String: OptionValue])] = [
        ("adam", [:]), ("adamw", [:]), ("amsgrad", [:]), ("sgd", ["momentum": .number(0.9)]), ("adadelta", [:]),
        ("asgd", [:]), ("rprop", [:]), ("nadam", [:]), ("radam", [:]), ("rmsprop", [:]), ("adagrad", [:]),
        ("adamax", [:]),
    ]

    /// The reference passes (`OptimBench.stream`) at `sizes`: `copy` (y[i] = x[i]) and `triad_`
    /// (a[i] += s·b[i] in place) over 10M floats, `copy_1m`, `triad_1m` over 1M, and so on.
    static func streamPasses(_ sizes: [(suffix: String, count: Int, steps: Int)]) -> [Benchmark] {
        sizes.flatMap { size in
            [("copy", OptimBench.StreamPass.copy, "y[i] = x[i]", 2), ("triad_", .triad, "a[i] += s·b[i] in place", 3)].map { label, pass, what, streams in
                let name = size.suffix.isEmpty ? label : label.replacingOccurrences(of: "_", with: "") + size.suffix
                let millions = size.count / 1_000_000
                return Benchmark(name: name, summary: "\(what) over \(millions)M floats, the optimizers' kernel machinery (GB/s moved: \(streams) × \(4 * millions) MB)",
                                 kind: .pass(label, size.count)) {
                    let r = try OptimBench.stream(pass, count: size.count, steps: size.steps * 2 + 1)
                    return BenchResult(seconds: r.secondsPerStep, rate: r.gigabytesPerSecond, unit: "GB/s")
                }
            }
        }
    }

    /// Every built-in optimizer with a fixed-gradient step (LBFGS needs a closure), at 10M and
    /// 1M parameters; Muon once, on a 4096×4096 matrix.
    static var optimizerSteps: [Benchmark] {
        let elementwise: [(String, [String: OptionValue])] = torchOptimKinds + ["lion", "adabelief", "adan", "lamb", "lars", "yogi", "novograd", "sign_sgd", "signum", "ademamix", "adopt", "madgrad",
             "schedule_free_adamw", "schedule_free_sgd", "prodigy", "dadapt_adamw", "mars",
             // SAM with a closure that restores the fixed gradient; Sophia with a gradient that
             // carries a graph (its Hessian estimate every 10th step included).
             "sam", "sophia"].map { ($0, [:]) }
        return sizes.flatMap { size in
            elementwise.map { name, options in
                optimizerStep("optim_" + name + size.suffix, name, options, count: size.count, steps: size.steps)
            } + [optimizerStep("optim_adafactor" + size.suffix, "adafactor",
                               shape: size.count == 10_000_000 ? [2500, 4000] : [1000, 1000], steps: size.steps)]
              // The wrappers around AdamW: their own pass on top of AdamW's.
              + (["lookahead", "ema"] as [String]).map { w in
                  optimizerStep("optim_\(w)_adamw" + size.suffix, "adamw", count: size.count, steps: size.steps, wrapper: w)
              }
        } + [optimizerStep("optim_muon", "muon", shape: [4096, 4096], steps: 1)]
    }

    /// torch.optim's optimizers at 100M parameters (Adafactor on a 10000×10000 matrix).
    static var largeOptimizerSteps: [Benchmark] {
        let size = largeSize
        return torchOptimKinds.map { name, options in
            optimizerStep("optim_" + name + size.suffix, name, options, count: size.count, steps: size.steps)
        } + [optimizerStep("optim_adafactor" + size.suffix, "adafactor", shape: [10_000, 10_000], steps: size.steps)]
    }

    /// One step of optimizer `algorithm` (lr 1e-3) on a parameter of `count` elements (10M:
    /// the figure scripts/bench/optim_step.py and torch_bench.py measure for PyTorch's step).
    /// `shape` runs it on a matrix (Adafactor's factored path; Muon, 4096×4096 as
    /// scripts/bench/muon_step.py times PyTorch's); a vector parameter's row is element-wise.
    /// LAMB, LARS, NovoGrad, Prodigy, DAdaptAdamW and MARS make a second pass for their norms,
    /// which the rate includes (the bytes counted are one pass's: param, grad, state).
    static func optimizerStep(_ name: String, _ algorithm: String, _ options: [String: OptionValue] = [:],
                              count: Int = 10_000_000, shape: [Int]? = nil, steps: Int = 11, wrapper: String? = nil) -> Benchmark {
        let count = shape?.reduce(1, *) ?? count
        let what = shape.map { $0.map(String.init).joined(separator: "x") + " parameter" } ?? "\(count / 1_000_000)M parameters"
        let label = wrapper.map { "\($0)(\(algorithm))" } ?? algorithm
        return Benchmark(name: name, summary: "\(label) step on \(what) (GB/s moved: param, grad, state)",
                         kind: shape == nil ? .elementwise(count) : .other) {
            var all = options
            all["lr"] = .number(1e-3)
            let r = try OptimBench.measure(name: algorithm, count: count, steps: steps, options: all, shape: shape, wrapper: wrapper)
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
    /// `mlp_hvp_ratio`: bench.lua's `hvp_ratio(9)` (the median ratio and seconds per product).
    static func luaHVPRatio() throws -> BenchResult {
        let runtime = try Runtime(context: RunContext(quiet: true))
        let host = runtime.host
        try host.load(chunk: EmbeddedLua.bench)
        try host.call(nargs: 0, nresults: 1)
        defer { host.state.pop() }
        host.state.rawGet(-1, "hvp_ratio")
        host.state.push(9)
        try host.call(nargs: 1, nresults: 2)
        defer { host.state.pop(2) }
        let ratio = host.state.number(at: -2) ?? 0, t = host.state.number(at: -1) ?? 0
        return BenchResult(seconds: t, rate: ratio, unit: "x fwd+bwd")
    }

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
