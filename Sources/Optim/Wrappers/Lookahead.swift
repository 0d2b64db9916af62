import Tensors

/// Lookahead (Zhang et al. 2019) around any optimizer, with optax 0.2.8's semantics
/// (`optax.lookahead`): the parameters are the fast weights, stepped by the inner optimizer; the
/// state keeps the slow weights φ (the parameters at the first step). One counter for the whole
/// optimizer counts steps; every `sync_period`-th step, after the inner step,
/// φ ← φ + α·(θ − φ) and θ ← φ for every parameter (α = `slow_step_size`), and with
/// `reset_state` the inner optimizer's state is forgotten (re-created at its next step, as
/// optax re-runs the fast optimizer's `init`). `eval()` puts the slow weights into the
/// parameters (optax: "the slow parameters should be used for testing and inference").
///
/// ```swift
/// let opt = try Optimizer.lookahead(try Optimizers.build(name: "adamw", params: ps), syncPeriod: 5, slowStepSize: 0.5)
/// ```
public struct Lookahead: OptimizerWrapper {
    public let inner: Optimizer
    public let syncPeriod: Int
    public let slowStepSize: Double
    public let resetState: Bool
    public let counter = WrapperCounter()
    public var name: String { "Lookahead(\(inner.name))" }
    public var buildName: String { "lookahead" }
    public var counterKey: String { "steps_since_sync" }
    public var bufferNames: [String] { ["slow_params"] }
    public var settings: [String: OptionValue] {
        ["sync_period": .number(Double(syncPeriod)), "slow_step_size": .number(slowStepSize), "reset_state": .bool(resetState)]
    }

    public func initWrapperState(_ state: ParamState, param: Tensor) throws {
        state.buffers["slow_params"] = try cloneData(param)
    }

    public func afterStep(_ opt: Optimizer, states: [[ParamState?]]) throws {
        let sync = counter.value == syncPeriod - 1
        counter.value = (counter.value + 1) % syncPeriod
        guard sync else { return }
        let keep = Float(1 - slowStepSize)
        for (g, group) in opt.groups.enumerated() {
            for (i, p) in group.params.enumerated() {
                guard let slow = states[g][i]?.buffers["slow_params"], slow.count == p.count else { continue }
                LookaheadSyncKernel(fast: p.pointer, slow: slow.pointer, keep: keep).run(count: p.count)
            }
        }
        if resetState { inner.resetState() }
    }

    public func writeEvaluationWeights(_ param: Tensor, state: ParamState) throws {
        guard let slow = state.buffers["slow_params"], slow.count == param.count else { return }
        param.pointer.update(from: slow.pointer, count: param.count)
    }
}

/// θ ← θ + (1 − α)·(φ − θ) (= φ + α·(θ − φ), pytorch-optimizer's `lerp_`), φ ← θ.
struct LookaheadSyncKernel: LaneKernel {
    let fast, slow: UnsafeMutablePointer<Float>
    let keep: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let f = Lanes(fast, i, n), s = Lanes(slow, i, n)
        let x = f + keep * (s - f)
        x.store(fast, i, n)
        x.store(slow, i, n)
    }
}

extension Optimizer {
    /// Lookahead around `inner` (see `Lookahead`): `syncPeriod` ≥ 1 (optax's `sync_period`),
    /// `slowStepSize` in [0, 1] (α), `resetState` as optax's `reset_state`.
    public static func lookahead(_ inner: Optimizer, syncPeriod: Int = 5, slowStepSize: Double = 0.5, resetState: Bool = false) throws -> Optimizer {
        try checkWrappable(inner, "optim.lookahead")
        guard syncPeriod >= 1, syncPeriod < 1_000_000_000 else {
            throw TensorError("optim.lookahead: option 'sync_period' expected a positive integer, got \(syncPeriod)")
        }
        guard slowStepSize >= 0, slowStepSize <= 1 else {
            throw TensorError("optim.lookahead: option 'slow_step_size' expected a number in [0, 1], got \(formatOption(slowStepSize))")
        }
        return Optimizer(wrapper: Lookahead(inner: inner, syncPeriod: syncPeriod, slowStepSize: slowStepSize, resetState: resetState))
    }
}
