#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Adan (Xie et al. 2022) as optax 0.2.8's `optax.adan`: Nesterov-style momentum through the
/// gradient difference Δ = g − g_prev (0 on the first step).
///
/// m ← (1 − β1)·g + β1·m; v ← (1 − β2)·Δ + β2·v; n ← (1 − β3)·(g + (1 − β2)·Δ)² + β3·n;
/// u = (m̂ + (1 − β2)·v̂)/(sqrt(n̂ + ε_root) + ε) + λθ (hats: bias-corrected with β^t);
/// θ ← θ − lr·u. `betas` is the triple (β1, β2, β3).
///
/// ```swift
/// let opt = try Optimizer(Adan(), params: params, options: ["lr": .number(1e-3), "weight_decay": .number(0.02)])
/// ```
public struct Adan: OptimizerAlgorithm {
    public let name = "Adan"
    public let spec = OptionTable(algorithm: "Adan", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .triple(0.98, 0.92, 0.99), check: betaTriple),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("eps_root", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2, b3) = o.triple("betas")
        for item in items {
            let t = Double(item.state.step)
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_diff", like: item.param)
            let nb = try item.state.buffer("exp_avg_sq", like: item.param)
            let prev = try item.state.buffer("prev_grad", like: item.param)
            AdanKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer, nb: nb.pointer, prev: prev.pointer,
                sign: Lanes(splat: gradSign), first: t == 1,
                b1: Lanes(splat: b1), c1: Lanes(splat: 1 - b1), b2: Lanes(splat: b2), c2: Lanes(splat: 1 - b2), b3: Lanes(splat: b3), c3: Lanes(splat: 1 - b3),
                bc1: Lanes(splat: 1 - pow(b1, t)), bc2: Lanes(splat: 1 - pow(b2, t)), bc3: Lanes(splat: 1 - pow(b3, t)),
                epsRoot: Lanes(splat: o.number("eps_root")), eps: Lanes(splat: o.number("eps")),
                wd: Lanes(splat: o.number("weight_decay")), nlr: Lanes(splat: -lr))
                .run(count: item.param.count)
        }
    }
}

struct AdanKernel: LaneKernel {
    let p, g, m, v, nb, prev: UnsafeMutablePointer<Float>
    let sign: Lanes
    let first: Bool
    let b1, c1, b2, c2, b3, c3, bc1, bc2, bc3, epsRoot, eps, wd, nlr: Lanes  // Lanes(splat:)

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        let d = first ? Lanes(repeating: 0) : gi - Lanes(prev, i, n)
        let mi = c1 * gi + b1 * Lanes(m, i, n)
        let vi = c2 * d + b2 * Lanes(v, i, n)
        let sq = gi + c2 * d
        let ni = c3 * (sq * sq) + b3 * Lanes(nb, i, n)
        mi.store(m, i, n); vi.store(v, i, n); ni.store(nb, i, n); gi.store(prev, i, n)
        let u = (mi / bc1 + c2 * (vi / bc2)) / (lanesSqrt(ni / bc3 + epsRoot) + eps) + wd * pi
        (pi + nlr * u).store(p, i, n)
    }
}

extension Adan: BuiltinOptimizer {
    public static let registryOrder = 201
    public static var registered: [any OptimizerAlgorithm] { [Adan()] }
}
