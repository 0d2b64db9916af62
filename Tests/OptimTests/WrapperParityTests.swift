import Foundation
import Optim
import Tensors
import Testing

/// `optim.lookahead`, `optim.ema`, `sam` and `sophia` against their references, from
/// Tests/OptimTests/Fixtures/wrapper_parity.json (scripts/reference/wrapper_fixtures.py):
/// Lookahead against pytorch-optimizer 4.1.0's Lookahead (optax 0.2.8's lookahead agrees; the
/// script asserts it), with the slow weights compared after `eval()`; EMA against optax 0.2.8's
/// `ema` of the parameters, the average compared after `eval()`; SAM against pytorch-optimizer
/// 4.1.0's SAM with the same closure (L = Σ 0.125·θ⁴ + c_s·θ), so the same perturbations; Sophia
/// against optax 0.2.8's contrib.sophia with the same probes and a coupled objective (that adds
/// 0.3·(Σθ₀)(Σθ₁) + 0.2·(Σθ₁)², so the estimate depends on the probes). Every
/// step, every parameter within 1e-5 relative (+1e-6 absolute). A second run saves its state
/// dict after 7 steps, loads it into a fresh wrapper over copies of the parameters and must
/// continue on the reference trajectory.
@Suite struct WrapperParityTests {
    struct Case: Decodable {
        let name: String
        let kind: String
        let inner: String
        let inner_options: [String: JSONOption]
        let options: [String: JSONOption]
        let scheduler: SchedulerSpec?
        let groups: [[String: JSONOption]]?
        let trajectory: [[[Double]]]
        let slow: [[[Double]]]?
        let average: [[[Double]]]?
        let losses: [Double]?
    }

    struct File: Decodable {
        let steps: Int
        let shapes: [[Int]]
        let cases: [Case]
    }

    static let file: File? = decodeFixture("wrapper_parity", as: File.self)

    static var caseNames: [String] { file?.cases.map(\.name) ?? [] }

    /// A run of one case: parameters, the optimizer (wrapper or SAM) and its scheduler.
    struct Run {
        let c: Case
        let shapes: [[Int]]
        let params: [Tensor]
        let opt: Optimizer
        let scheduler: LRScheduler?

        init(_ c: Case, shapes: [[Int]]) throws {
            self.c = c
            self.shapes = shapes
            let params = try shapes.enumerated().map { try Formula.param($0.offset, shape: $0.element) }
            self.params = params
            let innerOptions = c.inner_options.mapValues(\.optionValue)
            let groups = c.groups.map { gs in
                gs.map { g in
                    ParamGroupSpec(params: (g["params"]?.list ?? []).map { params[Int($0)] },
                                   options: g.filter { $0.key != "params" }.mapValues(\.optionValue))
                }
            } ?? [ParamGroupSpec(params: params)]
            let inner = c.kind == "sophia"
                ? try Optimizer(Sophia(probe: WrapperParityTests.probe), groups: groups, options: innerOptions)
                : try Optimizers.build(name: c.inner, groups: groups, options: innerOptions)
            if c.kind == "sophia" { for p in params { p.requiresGrad = true } }
            func num(_ k: String) -> Double? { c.options[k].map(\.number) }
            var debias = true, reset = false
            if case .bool(let b)? = c.options["debias"] { debias = b }
            if case .bool(let b)? = c.options["reset_state"] { reset = b }
            switch c.kind {
            case "lookahead":
                opt = try Optimizer.lookahead(inner, syncPeriod: Int(num("sync_period") ?? 5),
                                              slowStepSize: num("slow_step_size") ?? 0.5, resetState: reset)
            case "ema": opt = try Optimizer.ema(inner, decay: num("decay") ?? 0.999, debias: debias)
            default: opt = inner
            }
            let built = opt
            scheduler = try c.scheduler.map { try FixtureRun.makeScheduler(built, $0) }
        }

        /// Step `s` (1-based): gradients from the formula, or SAM's closure.
        func step(_ s: Int) throws -> Double? {
            if c.kind == "sam" {
                let cs = try shapes.enumerated().map { try Formula.grad(step: s, param: $0.offset, shape: $0.element).toArray() }
                return try opt.step {
                    var loss = 0.0
                    for (j, p) in params.enumerated() {
                        let w = p.toArray()
                        var g = [Float](repeating: 0, count: w.count)
                        for i in 0..<w.count {
                            g[i] = 0.5 * w[i] * w[i] * w[i] + cs[j][i]
                            loss += 0.125 * pow(Double(w[i]), 4) + Double(cs[j][i]) * Double(w[i])
                        }
                        p.grad = try Tensor(g, shape: p.shape)
                    }
                    return loss
                }
            }
            if c.kind == "sophia" {
                // The loss with its graph, and gradients that keep theirs (create_graph).
                var loss: Tensor? = nil
                for (j, p) in params.enumerated() {
                    let cj = try Formula.grad(step: s, param: j, shape: shapes[j])
                    let term = try p.pow(4).mul(0.125).add(p.mul(cj)).sum()
                    loss = try loss.map { try $0.add(term) } ?? term
                }
                let s0 = try params[0].sum(), s1 = try params[1].sum()
                let l = try #require(loss).add(s0.mul(s1).mul(0.3)).add(s1.mul(s1).mul(0.2))
                let gs = try Autograd.grad(outputs: [l], inputs: params, createGraph: true)
                for (p, g) in zip(params, gs) { p.grad = g }
                try opt.step()
                return Double(l.toArray()[0])
            }
            for (j, p) in params.enumerated() { p.grad = try Formula.grad(step: s, param: j, shape: shapes[j]) }
            try opt.step()
            try scheduler?.step()
            return nil
        }
    }

    func check(_ run: Run, step s: Int, loss: Double?) throws {
        let c = run.c
        for (j, p) in run.params.enumerated() {
            let bad = mismatch(p.toArray(), c.trajectory[s - 1][j])
            #expect(bad == nil, "\(c.name) step \(s) param \(j): \(bad ?? "")")
        }
        if let loss, let want = c.losses?[s - 1] {
            #expect(abs(loss - want) <= 1e-5 * abs(want) + 1e-6, "\(c.name) step \(s) loss \(loss) vs \(want)")
        }
        guard let evalPoint = c.slow ?? c.average else { return }
        let before = run.params.map { $0.toArray() }
        try run.opt.eval()
        #expect(run.opt.inEvalMode)
        for (j, p) in run.params.enumerated() {
            let bad = mismatch(p.toArray(), evalPoint[s - 1][j])
            #expect(bad == nil, "\(c.name) step \(s) param \(j) at the evaluation point: \(bad ?? "")")
        }
        try run.opt.train()
        #expect(run.params.map { $0.toArray() } == before, "\(c.name): train() must restore the training weights exactly")
    }

    /// The fixture's Hessian probes: sign of sin(1.3·n + 0.7·j + 2.1·i + 0.4), +1 at 0.
    static let probe: Sophia.Probe = { n, j, shape in
        let count = shape.reduce(1, *)
        return try Tensor((0..<count).map { i in sin(1.3 * Double(n) + 0.7 * Double(j) + 2.1 * Double(i) + 0.4) >= 0 ? 1 : -1 }, shape: shape)
    }

    @Test func everyKindHasCases() throws {
        let file = try #require(Self.file)
        for kind in ["lookahead", "ema", "sam", "sophia"] {
            #expect(file.cases.filter { $0.kind == kind }.count >= 2, "\(kind)")
        }
    }

    @Test(arguments: caseNames)
    func parity(_ name: String) throws {
        let file = try #require(Self.file)
        let c = try #require(file.cases.first { $0.name == name })
        let run = try Run(c, shapes: file.shapes)
        for s in 1...file.steps { try check(run, step: s, loss: try run.step(s)) }
    }

    @Test(arguments: caseNames)
    func resumedFromStateDict(_ name: String) throws {
        let file = try #require(Self.file)
        let c = try #require(file.cases.first { $0.name == name })
        let first = try Run(c, shapes: file.shapes)
        for s in 1...7 { _ = try first.step(s) }
        let saved = try first.opt.stateDict()
        let second = try Run(c, shapes: file.shapes)
        for (dst, src) in zip(second.params, first.params) { dst.pointer.update(from: src.pointer, count: src.count) }
        try second.opt.loadStateDict(saved)
        if let s1 = first.scheduler, let s2 = second.scheduler { try s2.loadState(s1.state()) }
        // Later steps of the first run must not change the saved copy.
        _ = try first.step(8)
        for s in 8...file.steps { try check(second, step: s, loss: try second.step(s)) }
    }
}
