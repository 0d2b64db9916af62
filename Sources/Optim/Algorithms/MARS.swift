#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// MARS (Yuan et al. 2024, "MARS: Unleashing the Power of Variance Reduction for Training Large
/// Models") as pytorch-optimizer 4.1.0's `MARS` (its `mars_type` "adamw" and "lion").
///
/// Matrices (and every tensor with `optimize_1d`), per step t with γ = `gamma`:
/// c = g + γ·β1/(1 − β1)·(g − g_prev); c ← c/‖c‖ when ‖c‖ > 1; m ← lerp(m, c, 1 − β1);
/// "adamw": v ← β2·v + (1 − β2)·c², u = m/((sqrt(v + 1e-15) + ε)/sqrt(1 − β2^t)·(1 − β1^t));
/// "lion": u = sign(m). Other tensors (vectors, scalars): AdamW on g with `betas_1d`, at the rate
/// lr·lr_1d/lr₀ (lr₀: the group's initial rate, so schedules scale both) and `weight_decay_1d`.
/// Then θ ← θ·(1 − lr·λ) (decoupled; 1 − λ with `fixed_decay`), θ ← θ − lr·u, g_prev ← g.
/// `ams_bound` uses max(v) in the denominator; `cautious` masks u where u·g ≤ 0 and rescales by
/// numel/(mask count + 1) (with "lion" the sign is taken after masking: no rescale). With `weight_decouple = false`, pytorch-optimizer adds λθ to the
/// gradient only after the update is computed, so the decay reaches g_prev alone; that is kept.
///
/// ```swift
/// let opt = try Optimizer(MARS(), params: params, options: ["lr": .number(3e-3)])
/// ```
public struct MARS: OptimizerAlgorithm {
    public let name = "MARS"
    public let spec = OptionTable(algorithm: "MARS", specs: [
        OptionSpec("lr", .number(3e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.95, 0.99), check: OptionSpec.betaPair),
        OptionSpec("gamma", .number(0.025), check: OptionSpec.nonNegative),
        OptionSpec("mars_type", .string("adamw"), check: OptionSpec.oneOf(["adamw", "lion"])),
        OptionSpec("optimize_1d", .bool(false)),
        OptionSpec("lr_1d", .number(3e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas_1d", .pair(0.9, 0.95), check: OptionSpec.betaPair),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay_1d", .number(0.1), check: OptionSpec.nonNegative),
        OptionSpec("weight_decouple", .bool(true)),
        OptionSpec("fixed_decay", .bool(false)),
        OptionSpec("ams_bound", .bool(false)),
        OptionSpec("cautious", .bool(false)),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), gamma = o.number("gamma"), lion = o.string("mars_type") == "lion"
        let ams = o.bool("ams_bound"), cautious = o.bool("cautious"), decouple = o.bool("weight_decouple")
        // pytorch-optimizer fixes lr_1d/lr at construction; the group's initial rate plays that part.
        let factor = o.number("lr_1d") / (group.initialLR ?? lr)
        for item in items {
            let t = Double(item.state.step)
            let mixed = o.bool("optimize_1d") || item.param.shape.count >= 2
            let (b1, b2) = mixed ? o.pair("betas") : o.pair("betas_1d")
            let step = mixed ? lr : lr * factor
            let wd = mixed ? o.number("weight_decay") : o.number("weight_decay_1d")
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            let last = try item.state.buffer("last_grad", like: item.param)
            let vmax = ams ? try item.state.buffer("max_exp_avg_sq", like: item.param) : v
            var k = MARSKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer, vmax: vmax.pointer, last: last.pointer,
                sign: gradSign, mixed: mixed, lion: mixed && lion, ams: ams,
                correction: Float(gamma * (b1 / (1 - b1))), w1: Float(1 - b1), b2: Float(b2), c2: Float(1 - b2),
                bc1: Float(1 - pow(b1, t)), bc2Sqrt: Float((1 - pow(b2, t)).squareRoot()), eps: Float(o.number("eps")),
                decay: decouple ? Float(1 - wd * (o.bool("fixed_decay") ? 1 : step)) : 1,
                l2: decouple ? 0 : Float(wd), nstep: Float(-step), phase: .norm)
            if mixed {
                let norm = Float(Float(k.sums(count: item.param.count).0).squareRoot())
                if norm > 1 { k.divisor = norm }
            }
            if cautious {
                k.phase = .moments
                let count = k.sums(count: item.param.count).0
                k.mask = Float(Double(item.param.count) / (count + 1))
                k.phase = .cautiousStep
            } else {
                k.phase = .fused
            }
            k.run(count: item.param.count)
        }
    }
}

/// The MARS passes: `.norm` sums c² (reduce); `.moments` updates m, v and counts u·g > 0
/// (reduce, cautious only); `.fused` (moments and step) or `.cautiousStep` (masked step from the
/// stored moments) apply.
struct MARSKernel: LaneKernel, LaneReduction {
    enum Phase { case norm, moments, fused, cautiousStep }
    let p, g, m, v, vmax, last: UnsafeMutablePointer<Float>
    let sign: Float
    let mixed, lion, ams: Bool
    let correction, w1, b2, c2, bc1, bc2Sqrt, eps, decay, l2, nstep: Float
    var phase: Phase
    var divisor: Float = 1
    var mask: Float = 1

    @inline(__always)
    func corrected(_ gi: Lanes, _ i: Int, _ n: Int) -> Lanes {
        mixed ? ((gi - Lanes(last, i, n)) * correction + gi) / divisor : gi
    }

    /// New m and v (and vmax), stored.
    @inline(__always)
    func moments(_ gi: Lanes, _ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let c = corrected(gi, i, n)
        let mi = lanesLerp(Lanes(m, i, n), c, w1)
        mi.store(m, i, n)
        if lion { return (mi, mi) }
        var vi = Lanes(v, i, n) * b2 + c2 * (c * c)
        vi.store(v, i, n)
        if ams {
            vi = lanesMax(Lanes(vmax, i, n), vi)
            vi.store(vmax, i, n)
        }
        return (mi, vi)
    }

    @inline(__always)
    func direction(_ mi: Lanes, _ vi: Lanes) -> Lanes {
        lion ? lanesSign(mi) : mi / ((lanesSqrt(vi + 1e-15) + eps) / bc2Sqrt * bc1)
    }

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let gi = sign * Lanes(g, i, n)
        if phase == .norm {
            let c = lanesMasked((gi - Lanes(last, i, n)) * correction + gi, n)
            return (c * c, Lanes(repeating: 0))
        }
        let (mi, vi) = moments(gi, i, n)
        let agree = Lanes(repeating: 0).replacing(with: 1, where: direction(mi, vi) * gi .> 0)
        return (lanesMasked(agree, n), Lanes(repeating: 0))
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        var u: Lanes
        if phase == .cautiousStep {
            let mi = Lanes(m, i, n)
            u = direction(mi, lion ? mi : Lanes(ams ? vmax : v, i, n))
            // Lion takes the sign after masking, so its kept entries stay ±1 (no rescale).
            u = Lanes(repeating: 0).replacing(with: lion ? u : u * mask, where: u * gi .> 0)
        } else {
            let (mi, vi) = moments(gi, i, n)
            u = direction(mi, vi)
        }
        (pi * decay + nstep * u).store(p, i, n)
        (gi + l2 * pi).store(last, i, n)
    }
}

extension MARS: BuiltinOptimizer {
    public static let registryOrder = 213
    public static var registered: [any OptimizerAlgorithm] { [MARS()] }
}
