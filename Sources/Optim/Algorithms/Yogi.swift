#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Yogi (Zaheer et al. 2018) as optax 0.2.8's `optax.yogi`: Adam whose second moment moves
/// additively toward g², by at most (1 − β2)·g² per step.
///
/// m ← (1 − β1)·g + β1·m; v ← v − (1 − β2)·sign(v − g²)·g²; u = m̂/(sqrt(v̂) + ε) + λθ;
/// θ ← θ − lr·u. Both moments start at `initial_accumulator_value` (optax: 1e-6).
///
/// ```swift
/// let opt = try Optimizer(Yogi(), params: params, options: ["lr": .number(1e-2)])
/// ```
public struct Yogi: OptimizerAlgorithm {
    public let name = "Yogi"
    public let spec = OptionTable(algorithm: "Yogi", specs: [
        OptionSpec("lr", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("initial_accumulator_value", .number(1e-6), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas"), init0 = Float(o.number("initial_accumulator_value"))
        for item in items {
            let t = Double(item.state.step)
            let m = try item.state.buffer("exp_avg", like: item.param, fill: init0)
            let v = try item.state.buffer("exp_avg_sq", like: item.param, fill: init0)
            YogiKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer, sign: gradSign,
                b1: Float(b1), c1: Float(1 - b1), c2: Float(1 - b2),
                bc1: Float(1 - pow(b1, t)), bc2: Float(1 - pow(b2, t)), eps: Float(o.number("eps")),
                wd: Float(o.number("weight_decay")), nlr: Float(-lr))
                .run(count: item.param.count)
        }
    }
}

struct YogiKernel: LaneKernel {
    let p, g, m, v: UnsafeMutablePointer<Float>
    let sign, b1, c1, c2, bc1, bc2, eps, wd, nlr: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        let mi = c1 * gi + b1 * Lanes(m, i, n)
        let g2 = gi * gi, vOld = Lanes(v, i, n)
        let vi = vOld - c2 * lanesSign(vOld - g2) * g2
        mi.store(m, i, n); vi.store(v, i, n)
        let u = (mi / bc1) / (lanesSqrt(vi / bc2) + eps) + wd * pi
        (pi + nlr * u).store(p, i, n)
    }
}

extension Yogi: BuiltinOptimizer {
    public static let registryOrder = 204
    public static var registered: [any OptimizerAlgorithm] { [Yogi()] }
}
