#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// ADOPT (Taniguchi et al. 2024) as optax 0.2.8's `optax.contrib.adopt`: the gradient is
/// normalized by the second moment of the *previous* steps, then averaged.
///
/// Step 1: v ← g², no movement (m stays 0). Step t ≥ 2: d = clip(g/max(sqrt(v), ε), ±(t − 1)^¼)
/// (without clip when `use_clipping = false`); v ← (1 − β2)·g² + β2·v; m ← (1 − β1)·d + β1·m;
/// u = m, or (1 − β1)·d + β1·m with `nesterov`; θ ← θ − lr·(u + λθ).
///
/// ```swift
/// let opt = try Optimizer(ADOPT(), params: params, options: ["lr": .number(1e-3)])
/// ```
public struct ADOPT: OptimizerAlgorithm {
    public let name = "ADOPT"
    public let spec = OptionTable(algorithm: "ADOPT", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.9999), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-6), check: OptionSpec.nonNegative),
        OptionSpec("nesterov", .bool(false)),
        OptionSpec("use_clipping", .bool(true)),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas")
        for item in items {
            let t = item.state.step
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            ADOPTKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer, sign: gradSign, first: t == 1,
                b1: Float(b1), c1: Float(1 - b1), b2: Float(b2), c2: Float(1 - b2), eps: Float(o.number("eps")),
                clip: o.bool("use_clipping") ? Float(pow(Double(t - 1), 0.25)) : .infinity,
                nesterov: o.bool("nesterov"), wd: Float(o.number("weight_decay")), nlr: Float(-lr))
                .run(count: item.param.count)
        }
    }
}

struct ADOPTKernel: LaneKernel {
    let p, g, m, v: UnsafeMutablePointer<Float>
    let sign: Float
    let first: Bool
    let b1, c1, b2, c2, eps, clip: Float
    let nesterov: Bool
    let wd, nlr: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        if first {
            (gi * gi).store(v, i, n)
            if wd != 0 { (pi + nlr * (wd * pi)).store(p, i, n) }
            return
        }
        let vOld = Lanes(v, i, n)
        var d = gi / lanesMax(lanesSqrt(vOld), Lanes(repeating: eps))
        // clamp(d, −clip, clip) keeping NaN (torch.clamp, jnp.clip), as selects: SIMD's
        // `clamped` called the generic pointwiseMin/Max out of line for every block, halving speed.
        let lo = Lanes(repeating: -clip), hi = Lanes(repeating: clip)
        d = d.replacing(with: lo, where: d .< lo).replacing(with: hi, where: d .> hi)
        (c2 * (gi * gi) + b2 * vOld).store(v, i, n)
        let mi = c1 * d + b1 * Lanes(m, i, n)
        mi.store(m, i, n)
        let u = (nesterov ? c1 * d + b1 * mi : mi) + wd * pi
        (pi + nlr * u).store(p, i, n)
    }
}

extension ADOPT: BuiltinOptimizer {
    public static let registryOrder = 209
    public static var registered: [any OptimizerAlgorithm] { [ADOPT()] }
}
