import Foundation
import Optim
import Tensors
import Testing

/// Behaviour of the optax-referenced optimizers beyond parity: state-dict round trips, thread-count
/// independence of the two-pass ones, the schedule-free evaluation point, build names.
@Suite struct FrontierBehaviourTests {
    static let names = ["adabelief", "adan", "lamb", "lars", "yogi", "novograd", "sign_sgd", "signum", "ademamix",
                        "adopt", "madgrad", "schedule_free_adamw", "schedule_free_sgd", "prodigy", "dadapt_adamw", "mars"]
    static let shapes = [[3, 4], [5]]

    static func params() throws -> [Tensor] {
        try shapes.enumerated().map { try Formula.param($0.offset, shape: $0.element) }
    }

    static func step(_ opt: Optimizer, _ ps: [Tensor], _ s: Int) throws {
        for (j, p) in ps.enumerated() { p.grad = try Formula.grad(step: s, param: j, shape: shapes[j]) }
        try opt.step()
    }

    /// 5 steps, save, load into a fresh optimizer over copies, 5 more steps on both: same bits.
    @Test(arguments: names)
    func stateDictRoundTrip(_ name: String) throws {
        let a = try Self.params()
        let opt = try Optimizers.build(name: name, params: a)
        for s in 1...5 { try Self.step(opt, a, s) }
        let b = try a.map { try Tensor($0.toArray(), shape: $0.shape) }
        let other = try Optimizers.build(name: name, params: b)
        try other.loadStateDict(try opt.stateDict())
        for s in 6...10 {
            try Self.step(opt, a, s)
            try Self.step(other, b, s)
        }
        for (x, y) in zip(a, b) { #expect(x.toArray() == y.toArray(), "\(name)") }
    }

    /// The norm passes (LAMB, LARS, NovoGrad) and the group-wide estimate (Prodigy,
    /// DAdaptAdamW) sum per chunk in a fixed order: 1 and 2 threads give the same bits.
    @Test(arguments: ["lamb", "lars", "novograd", "prodigy", "dadapt_adamw", "mars"])
    func threadCountIndependence(_ name: String) throws {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var results: [[Float]] = []
        for threads in [1, 2] {
            Parallel.threads = threads
            let n = 3 * Parallel.defaultChunk + 5
            // A column: MARS's matrix path (its norm pass), with the cautious count too.
            let p = try Tensor((0..<n).map { Float(sin(Double($0) * 0.37)) }, shape: [n, 1])
            let opt = try Optimizers.build(name: name, params: [p], options: name == "mars" ? ["cautious": .bool(true)] : [:])
            for s in 1...3 {
                p.grad = try Tensor((0..<n).map { Float(cos(Double($0) * 0.11 + Double(s))) }, shape: [n, 1])
                try opt.step()
            }
            results.append(p.toArray())
        }
        #expect(results[0] == results[1])
    }

    /// Adafactor's factored passes split a batch of matrices into row chunks and column strips:
    /// several of each here (700 columns > one 512-column strip; 600 rows > one chunk), and 1
    /// and 2 threads give the same bits, with weight decay's extra factor too.
    @Test func adafactorThreadCountIndependence() throws {
        let saved = Parallel.threads
        defer { Parallel.threads = saved }
        var results: [[Float]] = []
        for threads in [1, 2] {
            Parallel.threads = threads
            let shape = [2, 300, 700], n = shape.reduce(1, *)
            let p = try Tensor((0..<n).map { Float(sin(Double($0) * 0.37)) }, shape: shape)
            let opt = try Optimizers.build(name: "adafactor", params: [p], options: ["weight_decay": .number(0.1)])
            for s in 1...3 {
                p.grad = try Tensor((0..<n).map { Float(cos(Double($0) * 0.11 + Double(s))) }, shape: shape)
                try opt.step()
            }
            results.append(p.toArray() + (opt.state(for: p)?.buffers["row_var"]?.toArray() ?? [])
                           + (opt.state(for: p)?.buffers["col_var"]?.toArray() ?? []))
        }
        #expect(results[0].count == 2 * 300 * 700 + 2 * 300 + 2 * 700)
        #expect(results[0] == results[1])
    }

    @Test func scheduleFreeEvalAndTrain() throws {
        let ps = try Self.params()
        let opt = try Optimizers.build(name: "schedule_free_adamw", params: ps, options: ["lr": .number(0.05)])
        #expect(opt.name == "ScheduleFreeAdamW" && opt.hasEvaluationPoint)
        try opt.eval()          // before any step: no state, nothing moves
        #expect(try ps[0].toArray() == Self.params()[0].toArray())
        try opt.train()
        for s in 1...4 { try Self.step(opt, ps, s) }
        let y = ps.map { $0.toArray() }
        try opt.eval()
        let x = ps.map { $0.toArray() }
        #expect(x != y)
        try opt.eval()          // idempotent
        #expect(ps.map { $0.toArray() } == x)
        #expect(opt.inEvalMode)
        // Stepping at x is an error and leaves the step count alone.
        let before = opt.state(for: ps[0])?.step
        #expect(throws: TensorError("ScheduleFreeAdamW: step called in eval mode (the parameters hold the evaluation weights); call opt:train() first")) {
            try Self.step(opt, ps, 5)
        }
        #expect(opt.state(for: ps[0])?.step == before)
        try opt.train()
        for (p, yy) in zip(ps, y) {
            #expect(mismatch(p.toArray(), yy.map(Double.init), rel: 1e-6, abs: 1e-7) == nil)
        }
        // The others: no-ops.
        let w = try Tensor([1, 2], shape: [2])
        let adam = try Optimizers.build(name: "adam", params: [w])
        w.grad = try Tensor([1, 1], shape: [2])
        try adam.step()
        let after = w.toArray()
        try adam.eval()
        #expect(w.toArray() == after && !adam.inEvalMode && !adam.hasEvaluationPoint)
    }

    @Test func buildNamesAndDisplayNames() throws {
        let names = Optimizers.names
        for n in Self.names { #expect(names.contains(n), "\(n)") }
        let w = try Tensor([1], shape: [1])
        #expect(try Optimizers.build(name: "sign_sgd", params: [w]).name == "SignSGD")
        #expect(try Optimizers.build(name: "SignSGD", params: [w]).name == "SignSGD")
        #expect(try Optimizers.build(name: "scheduleFreeSGD", params: [w]).name == "ScheduleFreeSGD")
        #expect(try Optimizers.build(name: "DADAPT_ADAMW", params: [w]).name == "DAdaptAdamW")
        #expect(!names.contains("signsgd"))
    }

    @Test func optionChecks() throws {
        let w = try Tensor([1], shape: [1])
        #expect(throws: TensorError("Adan: option 'betas' expected three numbers in [0, 1), got {0.9, 1, 0.9}")) {
            try Optimizers.build(name: "adan", params: [w], options: ["betas": .triple(0.9, 1, 0.9)])
        }
        #expect(throws: TensorError("Adan: option 'betas' expected three numbers, got pair")) {
            try Optimizers.build(name: "adan", params: [w], options: ["betas": .pair(0.9, 0.9)])
        }
        #expect(throws: TensorError("ScheduleFreeSGD: momentum (the interpolation weight β1) must be in (0, 1), got 0")) {
            try Optimizers.build(name: "schedule_free_sgd", params: [w], options: ["momentum": .number(0)])
        }
        #expect(throws: TensorError("Prodigy: option 'beta3' expected a number in [0, 1), or -1 for sqrt(betas[2]), got 2")) {
            try Optimizers.build(name: "prodigy", params: [w], options: ["beta3": .number(2)])
        }
    }
}
