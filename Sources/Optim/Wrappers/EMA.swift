#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// An exponential moving average of the parameters (Polyak averaging) around any optimizer, with
/// optax 0.2.8's `optax.ema(decay, debias)` applied to the parameters after every step: the
/// average starts at zero, e ← (1 − decay)·θ + decay·e per step (every parameter, with or
/// without a gradient), and the evaluation weights are e/(1 − decay^t) with `debias` (t: the
/// number of averaged steps), e without. `eval()` puts them into the parameters, `train()`
/// restores the training weights.
///
/// ```swift
/// let opt = try Optimizer.ema(try Optimizers.build(name: "sgd", params: ps), decay: 0.999)
/// try opt.step(); try opt.eval()   // parameters hold the debiased average
/// ```
public struct EMA: OptimizerWrapper {
    public let inner: Optimizer
    public let decay: Double
    public let debias: Bool
    public let counter = WrapperCounter()
    public var name: String { "EMA(\(inner.name))" }
    public var buildName: String { "ema" }
    public var counterKey: String { "ema_count" }
    public var bufferNames: [String] { ["ema"] }
    public var settings: [String: OptionValue] { ["decay": .number(decay), "debias": .bool(debias)] }

    public func initWrapperState(_ state: ParamState, param: Tensor) throws {
        _ = try state.buffer("ema", like: param)
    }

    public func afterStep(_ opt: Optimizer, states: [[ParamState?]]) throws {
        counter.value += 1
        for (g, group) in opt.groups.enumerated() {
            for (i, p) in group.params.enumerated() {
                guard let e = states[g][i]?.buffers["ema"], e.count == p.count else { continue }
                EMAKernel(p: p.pointer, e: e.pointer, d: Float(decay), c: Float(1 - decay)).run(count: p.count)
            }
        }
    }

    public func writeEvaluationWeights(_ param: Tensor, state: ParamState) throws {
        guard let e = state.buffers["ema"], e.count == param.count else { return }
        let bc = Float(debias ? 1 - pow(decay, Double(counter.value)) : 1)
        EMAEvalKernel(p: param.pointer, e: e.pointer, bc: bc).run(count: param.count)
    }
}

/// e ← (1 − d)·θ + d·e (optax's `update_moment`, order 1).
struct EMAKernel: LaneKernel {
    let p, e: UnsafeMutablePointer<Float>
    let d, c: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        (c * Lanes(p, i, n) + d * Lanes(e, i, n)).store(e, i, n)
    }
}

/// θ ← e/bc (optax's `bias_correction`).
struct EMAEvalKernel: LaneKernel {
    let p, e: UnsafeMutablePointer<Float>
    let bc: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        (Lanes(e, i, n) / bc).store(p, i, n)
    }
}

extension Optimizer {
    /// An EMA of `inner`'s parameters (see `EMA`): `decay` in [0, 1), `debias` as optax's.
    public static func ema(_ inner: Optimizer, decay: Double = 0.999, debias: Bool = true) throws -> Optimizer {
        try checkWrappable(inner, "optim.ema")
        guard decay >= 0, decay < 1 else {
            throw TensorError("optim.ema: option 'decay' expected a number in [0, 1), got \(formatOption(decay))")
        }
        return Optimizer(wrapper: EMA(inner: inner, decay: decay, debias: debias))
    }
}
