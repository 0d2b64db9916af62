#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// AdaBelief (Zhuang et al. 2020) as optax 0.2.8's `optax.adabelief`: Adam with the second
/// moment of the prediction error g − m ("belief") instead of g².
///
/// m ← (1 − β1)·g + β1·m; s ← (1 − β2)·(g − m)² + β2·s + ε_root; m̂ = m/(1 − β1^t) (Nesterov:
/// β1·m/(1 − β1^(t+1)) + (1 − β1)·g/(1 − β1^t)); ŝ = s/(1 − β2^t); u = m̂/(sqrt(ŝ) + ε) + λθ;
/// θ ← θ − lr·u. `weight_decay` is optax's `add_decayed_weights` after the scaling (decoupled, as
/// AdamW); optax's alias has none, so its default 0 is optax's behaviour.
///
/// ```swift
/// let opt = try Optimizer(AdaBelief(), params: params, options: ["lr": .number(1e-3)])
/// ```
public struct AdaBelief: OptimizerAlgorithm {
    public let name = "AdaBelief"
    public let spec = OptionTable(algorithm: "AdaBelief", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-16), check: OptionSpec.nonNegative),
        OptionSpec("eps_root", .number(1e-16), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("nesterov", .bool(false)),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas"), nesterov = o.bool("nesterov")
        for item in items {
            let t = Double(item.state.step)
            let m = try item.state.buffer("exp_avg", like: item.param)
            let s = try item.state.buffer("exp_avg_var", like: item.param)
            AdaBeliefKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, s: s.pointer, sign: Lanes(splat: gradSign),
                b1: Lanes(splat: b1), c1: Lanes(splat: 1 - b1), b2: Lanes(splat: b2), c2: Lanes(splat: 1 - b2),
                epsRoot: Lanes(splat: o.number("eps_root")), eps: Lanes(splat: o.number("eps")),
                bc1: Lanes(splat: 1 - pow(b1, t)), bc1Next: Lanes(splat: 1 - pow(b1, t + 1)), bc2: Lanes(splat: 1 - pow(b2, t)),
                wd: Lanes(splat: o.number("weight_decay")), nlr: Lanes(splat: -lr), nesterov: nesterov)
                .run(count: item.param.count)
        }
    }
}

struct AdaBeliefKernel: LaneKernel {
    let p, g, m, s: UnsafeMutablePointer<Float>
    let sign, b1, c1, b2, c2, epsRoot, eps, bc1, bc1Next, bc2, wd, nlr: Lanes  // Lanes(splat:)
    let nesterov: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        let mi = c1 * gi + b1 * Lanes(m, i, n)
        let e = gi - mi
        let si = c2 * (e * e) + b2 * Lanes(s, i, n) + epsRoot
        mi.store(m, i, n); si.store(s, i, n)
        let mHat = nesterov ? b1 * (mi / bc1Next) + c1 * (gi / bc1) : mi / bc1
        let u = mHat / (lanesSqrt(si / bc2) + eps) + wd * pi
        (pi + nlr * u).store(p, i, n)
    }
}

extension AdaBelief: BuiltinOptimizer {
    public static let registryOrder = 200
    public static var registered: [any OptimizerAlgorithm] { [AdaBelief()] }
}
