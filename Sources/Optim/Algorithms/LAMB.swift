#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// LAMB (You et al. 2019) as optax 0.2.8's `optax.lamb`: the Adam direction plus decoupled
/// decay, rescaled per tensor by the trust ratio ‖θ‖/‖u‖.
///
/// m ← (1 − β1)·g + β1·m; v ← (1 − β2)·g² + β2·v; u = m̂/(sqrt(v̂ + ε_root) + ε) + λθ;
/// r = ‖θ‖/‖u‖ (1 when either norm is 0); θ ← θ − lr·r·u. Two passes: the first updates the
/// moments and sums θ² and u², the second recomputes u (same operations, same bits) and steps.
/// `cautious = true` masks the Adam part m̂/(sqrt(v̂) + ε) where it disagrees in sign with g
/// (scaling the rest by numel/(kept + 1)) before λθ is added and the trust ratio taken.
///
/// ```swift
/// let opt = try Optimizer(LAMB(), params: params, options: ["lr": .number(1e-3), "weight_decay": .number(0.01)])
/// ```
public struct LAMB: OptimizerAlgorithm {
    public let name = "LAMB"
    public let spec = OptionTable(algorithm: "LAMB", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-6), check: OptionSpec.nonNegative),
        OptionSpec("eps_root", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
        OptionSpec("cautious", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas")
        for item in items {
            let t = Double(item.state.step)
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            var k = LAMBKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer, sign: gradSign,
                b1: Float(b1), c1: Float(1 - b1), b2: Float(b2), c2: Float(1 - b2),
                bc1: Float(1 - pow(b1, t)), bc2: Float(1 - pow(b2, t)),
                epsRoot: Float(o.number("eps_root")), eps: Float(o.number("eps")),
                wd: Float(o.number("weight_decay")), step: 0)
            if o.bool("cautious") {
                // Three passes: moments and the agreement count, norms of the masked direction,
                // the step.
                k.phase = .count
                k.scale = cautiousScale(count: item.param.count, kept: k.sums(count: item.param.count).0)
                k.cautious = true
                k.phase = .norms
            }
            let (pp, uu) = k.sums(count: item.param.count)
            let ratio = pp == 0 || uu == 0 ? 1 : Float(Float(pp.squareRoot()) / Float(uu.squareRoot()))
            k.step = Float(-lr) * ratio
            k.run(count: item.param.count)
        }
    }
}

/// Pass 1 (`reduce`, `.fused`): moments, Σθ², Σu². Pass 2 (`apply`): θ ← θ + step·u from the
/// new moments. Cautious: `.count` (moments and the agreement count of the Adam part), `.norms`
/// (Σθ², Σu² of the masked direction), then `apply`.
struct LAMBKernel: LaneKernel, LaneReduction {
    enum Phase { case fused, count, norms }
    let p, g, m, v: UnsafeMutablePointer<Float>
    let sign, b1, c1, b2, c2, bc1, bc2, epsRoot, eps, wd: Float
    var step: Float
    var phase = Phase.fused
    var cautious = false
    var scale: Float = 1

    @inline(__always)
    func adam(_ mi: Lanes, _ vi: Lanes) -> Lanes { (mi / bc1) / (lanesSqrt(vi / bc2 + epsRoot) + eps) }

    @inline(__always)
    func direction(_ pi: Lanes, _ gi: Lanes, _ mi: Lanes, _ vi: Lanes) -> Lanes {
        let a = adam(mi, vi)
        return (cautious ? cautiousMask(a, gi, scale) : a) + wd * pi
    }

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        if phase == .norms {
            let u = lanesMasked(direction(pi, gi, Lanes(m, i, n), Lanes(v, i, n)), n)
            return (pi * pi, u * u)
        }
        let mi = c1 * gi + b1 * Lanes(m, i, n)
        let vi = c2 * (gi * gi) + b2 * Lanes(v, i, n)
        mi.store(m, i, n); vi.store(v, i, n)
        if phase == .count { return (cautiousAgree(adam(mi, vi), gi, n), Lanes(repeating: 0)) }
        let u = lanesMasked(direction(pi, gi, mi, vi), n)
        return (pi * pi, u * u)
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n), gi = sign * Lanes(g, i, n)
        (pi + step * direction(pi, gi, Lanes(m, i, n), Lanes(v, i, n))).store(p, i, n)
    }
}

extension LAMB: BuiltinOptimizer {
    public static let registryOrder = 202
    public static var registered: [any OptimizerAlgorithm] { [LAMB()] }
}
