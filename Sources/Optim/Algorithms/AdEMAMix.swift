#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// AdEMAMix (Pagliardini et al. 2024) as optax 0.2.8's `optax.contrib.ademamix`: Adam plus a
/// slow EMA of the gradient (β3 close to 1) added with weight α.
///
/// m1 ← (1 − β1)·g + β1·m1; m2 ← (1 − β3)·g + β3·m2; ν ← (1 − β2)·g² + β2·ν;
/// u = (m̂1 + α·m2)/(sqrt(ν̂ + ε_root) + ε) + λθ (m2 is not bias-corrected); θ ← θ − lr·u.
/// `betas` is the triple (β1, β2, β3). The paper's α and β3 warmups (optax: schedules) are not
/// options; schedule `alpha` by writing it through `param_groups`. `cautious = true` masks m1
/// where m1·g ≤ 0 and scales the rest by numel/(kept + 1), as pytorch-optimizer's
/// `AdEMAMix(cautious=True)`.
///
/// ```swift
/// let opt = try Optimizer(AdEMAMix(), params: params, options: ["lr": .number(1e-3), "weight_decay": .number(0.01)])
/// ```
public struct AdEMAMix: OptimizerAlgorithm {
    public let name = "AdEMAMix"
    public let spec = OptionTable(algorithm: "AdEMAMix", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .triple(0.9, 0.999, 0.9999), check: betaTriple),
        OptionSpec("alpha", .number(5), check: OptionSpec.nonNegative),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("eps_root", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
        OptionSpec("cautious", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2, b3) = o.triple("betas")
        for item in items {
            let t = Double(item.state.step)
            let m1 = try item.state.buffer("exp_avg_fast", like: item.param)
            let m2 = try item.state.buffer("exp_avg_slow", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            let k = AdEMAMixKernel(
                p: item.param.pointer, g: item.grad.pointer, m1: m1.pointer, m2: m2.pointer, v: v.pointer, sign: Lanes(splat: gradSign),
                b1: Lanes(splat: b1), c1: Lanes(splat: 1 - b1), b2: Lanes(splat: b2), c2: Lanes(splat: 1 - b2), b3: Lanes(splat: b3), c3: Lanes(splat: 1 - b3),
                bc1: Lanes(splat: 1 - pow(b1, t)), bc2: Lanes(splat: 1 - pow(b2, t)), alpha: Lanes(splat: o.number("alpha")),
                epsRoot: Lanes(splat: o.number("eps_root")), eps: Lanes(splat: o.number("eps")),
                wd: Lanes(splat: o.number("weight_decay")), nlr: Lanes(splat: -lr))
            if o.bool("cautious") {
                var c = CautiousAdEMAMixKernel(k: k)
                c.scale = cautiousScale(count: item.param.count, kept: c.sums(count: item.param.count).0)
                c.run(count: item.param.count)
            } else {
                k.run(count: item.param.count)
            }
        }
    }
}

struct AdEMAMixKernel: LaneKernel {
    let p, g, m1, m2, v: UnsafeMutablePointer<Float>
    let sign, b1, c1, b2, c2, b3, c3, bc1, bc2, alpha, epsRoot, eps, wd, nlr: Lanes  // Lanes(splat:)

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        let fast = c1 * gi + b1 * Lanes(m1, i, n)
        let slow = c3 * gi + b3 * Lanes(m2, i, n)
        let vi = c2 * (gi * gi) + b2 * Lanes(v, i, n)
        fast.store(m1, i, n); slow.store(m2, i, n); vi.store(v, i, n)
        let u = (fast / bc1 + alpha * slow) / (lanesSqrt(vi / bc2 + epsRoot) + eps) + wd * pi
        (pi + nlr * u).store(p, i, n)
    }
}

extension AdEMAMix: BuiltinOptimizer {
    public static let registryOrder = 208
    public static var registered: [any OptimizerAlgorithm] { [AdEMAMix()] }
}
