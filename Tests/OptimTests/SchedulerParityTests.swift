import Foundation
import Optim
import Tensors
import Testing

/// PyTorch's schedules over 200 epochs (scripts/reference/scheduler_fixtures.py), and resuming
/// each from its saved state.
struct SchedulerFixtureFile: Decodable {
    struct Case: Decodable {
        let name: String
        let optimizer: String
        let options: [String: JSONOption]
        let groups: [Double]
        let scheduler: SchedulerSpec
        let lrs: [[Double]]
        let momentum: [[Double]]?
    }
    let epochs: Int
    let cases: [Case]

    static let shared: SchedulerFixtureFile? = decodeFixture("schedulers", as: SchedulerFixtureFile.self)

    static var names: [String] { shared?.cases.map(\.name) ?? [] }
    static func named(_ name: String) -> Case? { shared?.cases.first { $0.name == name } }
}

/// The metric ReduceLROnPlateau is stepped with at epoch e (as the script).
func plateauMetric(_ e: Int) -> Double { 1 / (1 + 0.05 * Double(e)) + 0.02 * sin(0.7 * Double(e)) }

enum SchedulerFactory {
    static func build(_ opt: Optimizer, _ spec: SchedulerSpec) throws -> LRScheduler {
        guard case .spec(let type, let v, let children) = spec else { throw TensorError("bad spec") }
        func num(_ k: String, _ d: Double) -> Double { v[k]?.number ?? d }
        func int(_ k: String, _ d: Int) -> Int { v[k].map { Int($0.number) } ?? d }
        func list(_ k: String, _ d: [Double]) -> [Double] { v[k]?.list ?? d }
        func string(_ k: String, _ d: String) -> String { if case .string(let s)? = v[k] { s } else { d } }
        func bool(_ k: String, _ d: Bool) -> Bool { if case .bool(let b)? = v[k] { b } else { d } }
        switch type {
        case "MultiStepLR": return try MultiStepLR(opt, milestones: list("milestones", []).map { Int($0) }, gamma: num("gamma", 0.1))
        case "ConstantLR": return try ConstantLR(opt, factor: num("factor", 1.0 / 3), totalIters: int("total_iters", 5))
        case "PolynomialLR": return try PolynomialLR(opt, totalIters: int("total_iters", 5), power: num("power", 1))
        case "CosineAnnealingWarmRestarts":
            return try CosineAnnealingWarmRestarts(opt, t0: int("T_0", 1), tMult: int("T_mult", 1), etaMin: num("eta_min", 0))
        case "CyclicLR":
            return try CyclicLR(opt, baseLR: list("base_lr", []), maxLR: list("max_lr", []), stepSizeUp: int("step_size_up", 2000),
                                stepSizeDown: v["step_size_down"].map { Int($0.number) },
                                policy: CyclicLR.Policy(rawValue: string("mode", "triangular")) ?? .triangular,
                                gamma: num("gamma", 1), cycleMomentum: bool("cycle_momentum", true),
                                baseMomentum: list("base_momentum", [0.8]), maxMomentum: list("max_momentum", [0.9]))
        case "ReduceLROnPlateau":
            return try ReduceLROnPlateau(opt, mode: ReduceLROnPlateau.Mode(rawValue: string("mode", "min")) ?? .min,
                                         factor: num("factor", 0.1), patience: int("patience", 10), threshold: num("threshold", 1e-4),
                                         thresholdMode: ReduceLROnPlateau.ThresholdMode(rawValue: string("threshold_mode", "rel")) ?? .rel,
                                         cooldown: int("cooldown", 0), minLR: list("min_lr", [0]), eps: num("eps", 1e-8))
        case "ChainedScheduler": return try ChainedScheduler(try children.map { try build(opt, $0) })
        case "SequentialLR":
            return try SequentialLR(opt, schedulers: try children.map { try build(opt, $0) }, milestones: list("milestones", []).map { Int($0) })
        default:
            return try FixtureRun.makeScheduler(opt, spec)
        }
    }

    static func optimizer(_ c: SchedulerFixtureFile.Case) throws -> Optimizer {
        let groups = try c.groups.map { lr in ParamGroupSpec(params: [try Tensor.zeros([2])], options: ["lr": .number(lr)]) }
        var options = c.options.mapValues(\.optionValue)
        options.removeValue(forKey: "lr")
        return try Optimizers.build(name: c.optimizer, groups: groups, options: options)
    }

    static func step(_ s: LRScheduler, epoch e: Int) throws {
        if let plateau = s as? ReduceLROnPlateau { try plateau.step(metric: plateauMetric(e)) } else { try s.step() }
    }

    static func momentum(_ opt: Optimizer) -> [Double] {
        opt.groups.map { g in g.options["betas"] != nil ? g.options.pair("betas").0 : g.options.number("momentum") }
    }
}

@Suite struct SchedulerParityTests {
    func close(_ a: [Double], _ b: [Double]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * abs($1) + 1e-15 }
    }

    @Test func fixturesLoad() {
        #expect(SchedulerFixtureFile.names.count == 17)
    }

    /// Every epoch's rates (and cycled momentum) equal PyTorch's.
    @Test(arguments: SchedulerFixtureFile.names)
    func rates(_ name: String) throws {
        let c = try #require(SchedulerFixtureFile.named(name))
        let opt = try SchedulerFactory.optimizer(c)
        let sched = try SchedulerFactory.build(opt, c.scheduler)
        for e in 0...c.lrs.count - 1 {
            if e > 0 { try SchedulerFactory.step(sched, epoch: e) }
            let lrs = opt.groups.map(\.lr)
            #expect(close(lrs, c.lrs[e]), "\(name) epoch \(e): \(lrs) vs \(c.lrs[e])")
            #expect(close(sched.lastLR, c.lrs[e]), "\(name) epoch \(e) last_lr")
            if let m = c.momentum {
                #expect(close(SchedulerFactory.momentum(opt), m[e]), "\(name) epoch \(e) momentum")
            }
        }
    }

    /// Saved at several epochs and loaded into a fresh optimizer and scheduler (the optimizer's
    /// own state not loaded), each schedule continues with the uninterrupted rates.
    @Test(arguments: SchedulerFixtureFile.names)
    func resumes(_ name: String) throws {
        let c = try #require(SchedulerFixtureFile.named(name))
        for saveAt in [1, 7, 33, 120] {
            let opt = try SchedulerFactory.optimizer(c)
            let sched = try SchedulerFactory.build(opt, c.scheduler)
            for e in 1...saveAt { try SchedulerFactory.step(sched, epoch: e) }
            let saved = sched.state()
            let fresh = try SchedulerFactory.optimizer(c)
            let resumed = try SchedulerFactory.build(fresh, c.scheduler)
            try resumed.loadState(saved)
            #expect(resumed.state() == saved)
            for e in saveAt + 1...c.lrs.count - 1 {
                try SchedulerFactory.step(resumed, epoch: e)
                #expect(close(fresh.groups.map(\.lr), c.lrs[e]), "\(name) saved at \(saveAt), epoch \(e)")
                if let m = c.momentum {
                    #expect(close(SchedulerFactory.momentum(fresh), m[e]), "\(name) saved at \(saveAt), epoch \(e) momentum")
                }
            }
        }
    }

    /// The case: SequentialLR(LinearLR, CosineAnnealingLR) saved at epoch 7, loaded into
    /// a fresh one, gives the uninterrupted rates (PyTorch's, from the fixture).
    @Test func sequentialLinearCosineSavedAtSeven() throws {
        let c = try #require(SchedulerFixtureFile.named("sequential_linear_cosine"))
        func make() throws -> (Optimizer, SequentialLR) {
            let opt = try SchedulerFactory.optimizer(c)
            let s = try SequentialLR(opt, schedulers: [try LinearLR(opt, startFactor: 0.1, totalIters: 10),
                                                       try CosineAnnealingLR(opt, tMax: 190)], milestones: [10])
            return (opt, s)
        }
        let (o1, s1) = try make()
        for _ in 1...7 { try s1.step() }
        let optState = try o1.stateDict(), schedState = s1.state()
        // Either order of loading, or no optimizer state at all, resumes exactly.
        for variant in 0..<3 {
            let (o2, s2) = try make()
            switch variant {
            case 0: try o2.loadStateDict(optState); try s2.loadState(schedState)
            case 1: try s2.loadState(schedState); try o2.loadStateDict(optState)
            default: try s2.loadState(schedState)
            }
            #expect(close(o2.groups.map(\.lr), c.lrs[7]))
            for e in 8...200 {
                try s2.step()
                #expect(close(o2.groups.map(\.lr), c.lrs[e]), "variant \(variant) epoch \(e)")
            }
        }
    }

    @Test func plateauNeedsMetric() throws {
        let opt = try Optimizer(SGD(), params: [try Tensor.zeros([1])])
        let s = try ReduceLROnPlateau(opt)
        #expect(throws: TensorError("ReduceLROnPlateau: step needs the metric, e.g. sched:step(val_loss)")) { try s.step() }
        #expect(throws: (any Error).self) { try SequentialLR(opt, schedulers: [s], milestones: []) }
        #expect(throws: (any Error).self) { try ChainedScheduler([s]) }
    }
}
