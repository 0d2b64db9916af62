#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// LAMB (You et al. 2019) as optax 0.2.8's `optax.lamb`: the Adam direction plus decoupled
/// decay, rescaled per tensor by the trust ratio ‖θ‖/‖u‖.
///
/// m ← (1 − β1)·g + β1·m; v ← (1 − β2)·g² + β2·v; u = m̂/(sqrt(v̂ + ε_root) + ε) + λθ;
/// r = ‖θ‖/‖u‖ (1 when either norm is 0); θ ← θ − lr·r·u. Two passes: the moments with the sums
/// of θ² and u² (`LAMBFusedNorms`), then u again (same operations, same bits) and the step.
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

    /// The norms need the new moments before the step: a second pass reads θ, m, v, writes θ.
    public var extraStreams: Int { 4 }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas")
        for item in items {
            let t = Double(item.state.step)
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            let moments = LAMBMoments(g: item.grad.pointer, m: m.pointer, v: v.pointer, sign: Lanes(repeating: gradSign),
                                      b1: Lanes(repeating: Float(b1)), c1: Lanes(repeating: Float(1 - b1)),
                                      b2: Lanes(repeating: Float(b2)), c2: Lanes(repeating: Float(1 - b2)))
            var k = LAMBKernel(
                p: item.param.pointer, moments: moments, bc1: Lanes(repeating: Float(1 - pow(b1, t))),
                bc2: Lanes(repeating: Float(1 - pow(b2, t))), epsRoot: Lanes(repeating: Float(o.number("eps_root"))),
                eps: Lanes(repeating: Float(o.number("eps"))), wd: Lanes(repeating: Float(o.number("weight_decay"))),
                step: Lanes(repeating: 0))
            let cautious = o.bool("cautious")
            if cautious {
                // Three passes: moments and the agreement count, norms of the masked direction,
                // the step.
                k.phase = .count
                k.scale = cautiousScale(count: item.param.count, kept: k.sums(count: item.param.count).0)
                k.cautious = true
                k.phase = .norms
            }
            // Otherwise two passes: the moments with the norms (`LAMBFusedNorms`), then the step.
            let (pp, uu) = cautious ? k.sums(count: item.param.count) : LAMBFusedNorms(lamb: k).sums(count: item.param.count)
            let ratio = pp == 0 || uu == 0 ? 1 : Float(Float(pp.squareRoot()) / Float(uu.squareRoot()))
            k.step = Lanes(repeating: Float(-lr) * ratio)
            k.run(count: item.param.count)
        }
    }
}

/// `apply`: θ ← θ + step·u from the stored moments. With `cautious`, `reduce` is the pass
/// before: `.count` (the moments and the agreement count of the Adam part), then `.norms` (Σθ²,
/// Σu² of the masked direction).
struct LAMBKernel: LaneKernel, LaneReduction {
    enum Phase { case count, norms }
    let p: UnsafeMutablePointer<Float>
    let moments: LAMBMoments
    // Splatted by the caller, once per step (as LAMBMoments' coefficients): splatted per block,
    // LLVM packed the scalar fields into vectors and rebuilt the lanes with shuffles and scalar
    // arithmetic, which bound the step (ScheduleFreeKernel says more).
    let bc1, bc2, epsRoot, eps, wd: Lanes
    var step: Lanes
    var phase = Phase.norms
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
        if phase == .count {
            let (gi, mi, vi) = moments.update(i, n)
            return (cautiousAgree(adam(mi, vi), gi, n), Lanes(repeating: 0))
        }
        let pi = Lanes(p, i, n), (gi, mi, vi) = moments.current(i, n)
        let u = lanesMasked(direction(pi, gi, mi, vi), n)
        return (pi * pi, u * u)
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n), (gi, mi, vi) = moments.current(i, n)
        (pi + step * direction(pi, gi, mi, vi)).store(p, i, n)
    }
}

/// The first pass without `cautious`: the moments, stored, and Σθ², Σu² from them. Its own type
/// (not a phase of `LAMBKernel`): with the phase test in the loop, LLVM split the vectors into
/// scalar divides (3x slower).
struct LAMBFusedNorms: LaneReduction {
    let lamb: LAMBKernel

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let pi = Lanes(lamb.p, i, n), (_, mi, vi) = lamb.moments.update(i, n)
        let u = lanesMasked(lamb.adam(mi, vi) + lamb.wd * pi, n)
        return (pi * pi, u * u)
    }
}

/// LAMB's moments: m ← (1 − β1)·g + β1·m, v ← (1 − β2)·g² + β2·v, inside the first pass
/// (`update`).
struct LAMBMoments {
    let g, m, v: UnsafeMutablePointer<Float>
    let sign, b1, c1, b2, c2: Lanes

    /// The signed gradient and the updated moments, stored.
    @inline(__always)
    func update(_ i: Int, _ n: Int) -> (Lanes, Lanes, Lanes) {
        let gi = sign * Lanes(g, i, n)
        let mi = c1 * gi + b1 * Lanes(m, i, n), vi = c2 * (gi * gi) + b2 * Lanes(v, i, n)
        mi.store(m, i, n); vi.store(v, i, n)
        return (gi, mi, vi)
    }

    /// The signed gradient and the moments as stored.
    @inline(__always)
    func current(_ i: Int, _ n: Int) -> (Lanes, Lanes, Lanes) { (sign * Lanes(g, i, n), Lanes(m, i, n), Lanes(v, i, n)) }
}

extension LAMB: BuiltinOptimizer {
    public static let registryOrder = 202
    public static var registered: [any OptimizerAlgorithm] { [LAMB()] }
}
