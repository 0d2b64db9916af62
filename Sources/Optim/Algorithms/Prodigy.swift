#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Prodigy (Mishchenko & Defazio 2023) and D-Adaptation AdamW (Defazio & Mishchenko 2023) as
/// optax 0.2.8's `optax.contrib.prodigy` / `dadapt_adamw`: Adam whose step size d is estimated
/// on the fly (starting at `estim_lr0`, never decreasing), one d per parameter group.
///
/// Prodigy, per step t (bc = sqrt(1 − β2^t)/(1 − β1^t), dlr = d·lr·bc):
/// m ← β1·m + (1 − β1)·d·g; v ← β2·v + (1 − β2)·(d·g)²; s ← β3·s + (dlr/d0)·d·g
/// (d/d0 instead of dlr/d0 with `safeguard_warmup`); r ← β3·r + (d/d0)·dlr·⟨g, θ0 − θ⟩;
/// d ← max(d, coef·r/‖s‖₁); θ ← θ − λ·dlr·θ − dlr·m/(sqrt(v) + d·ε) (with the new d).
///
/// D-Adaptation AdamW: ⟨g, s/(sqrt(v) + ε)⟩ with the previous s and v; m ← β1·m + (1 − β1)·dlr·g;
/// v ← β2·v + (1 − β2)·g²; s ← √β2·s + (1 − √β2)·dlr·g; r ← √β2·r + (1 − √β2)·dlr·⟨…⟩;
/// d ← max(d, r/((1 − √β2)·‖s‖₁)); θ ← θ − λ·dlr·θ − m/(sqrt(v) + ε).
///
/// The inner products and norms run over every parameter of the group that has a gradient
/// (optax: the whole parameter tree); d and r are state scalars (`d`, `numerator_weighted`)
/// kept equal in every parameter's state.
///
/// ```swift
/// let opt = try Optimizer(Prodigy(), params: params)   // lr = 1: d sets the scale
/// ```
public struct Prodigy: OptimizerAlgorithm {
    public enum Variant: Sendable { case prodigy, dAdaptAdamW }

    public let variant: Variant
    public let name: String
    public let spec: OptionTable

    public var buildName: String { variant == .prodigy ? "prodigy" : "dadapt_adamw" }

    public init(_ variant: Variant = .prodigy) {
        self.variant = variant
        name = variant == .prodigy ? "Prodigy" : "DAdaptAdamW"
        var specs = [
            OptionSpec("lr", .number(1), check: OptionSpec.nonNegative),
            OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
        ]
        if variant == .prodigy {
            specs.append(OptionSpec("beta3", .number(-1), check: { v in
                if case .number(let x) = v, x == -1 || (x >= 0 && x < 1) { return nil }
                return "a number in [0, 1), or -1 for sqrt(betas[2])"
            }))
        }
        specs += [
            OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
            OptionSpec("estim_lr0", .number(1e-6), check: { v in
                if case .number(let x) = v, x > 0 { return nil }
                return "a positive number"
            }),
        ]
        if variant == .prodigy {
            specs += [
                OptionSpec("estim_lr_coef", .number(1), check: OptionSpec.nonNegative),
                OptionSpec("safeguard_warmup", .bool(false)),
            ]
        }
        specs += [
            OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
            OptionSpec("maximize", .bool(false)),
        ]
        spec = OptionTable(algorithm: name, specs: specs)
    }

    public func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws {
        if variant == .prodigy { try copyBuffer(state, "p0", from: param) }
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        guard let first = items.first else { return }
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas"), eps = o.number("eps"), d0 = o.number("estim_lr0")
        let prodigy = variant == .prodigy
        let b3 = prodigy ? (o.number("beta3") < 0 ? b2.squareRoot() : o.number("beta3")) : b2.squareRoot()
        let t = Double(first.state.step)
        let d = first.state.scalars["d"] ?? d0
        let dlr = d * lr * (1 - pow(b2, t)).squareRoot() / (1 - pow(b1, t))
        var kernels: [DAdaptKernel] = []
        var dot = 0.0, l1 = 0.0
        for item in items {
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            let s = try item.state.buffer("grad_sum", like: item.param)
            let p0 = prodigy ? try item.state.buffer("p0", like: item.param) : s
            let sCoef = prodigy ? (o.bool("safeguard_warmup") ? d / d0 : dlr / d0) * d : (1 - b3) * dlr
            let k = DAdaptKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer, s: s.pointer, p0: p0.pointer,
                prodigy: prodigy, sign: gradSign, d: Float(d), b1: Float(b1), c1: Float(1 - b1),
                mCoef: Float(prodigy ? (1 - b1) * d : (1 - b1) * dlr),
                b2: Float(b2), c2: Float(1 - b2), b3: Float(b3), sCoef: Float(sCoef), eps: Float(eps),
                decay: Float(-o.number("weight_decay") * dlr), stepScale: Float(prodigy ? -dlr : -1), epsScale: 1)
            let (a, b) = k.sums(count: item.param.count)
            dot += a; l1 += b
            kernels.append(k)
        }
        let r0 = first.state.scalars["numerator_weighted"] ?? 0
        let r = prodigy ? b3 * r0 + (d / d0) * dlr * dot : b3 * r0 + (1 - b3) * dlr * dot
        let estimate = prodigy ? o.number("estim_lr_coef") * r / l1 : r / ((1 - b3) * l1)
        // ‖s‖₁ = 0 (every gradient zero so far) gives 0/0 in optax, which poisons d with NaN;
        // keep d instead.
        let dNew = l1 > 0 ? max(d, estimate) : d
        for (item, var k) in zip(items, kernels) {
            item.state.scalars["d"] = dNew
            item.state.scalars["numerator_weighted"] = r
            if prodigy { k.epsScale = Float(dNew) }
            k.run(count: item.param.count)
        }
    }
}

/// Pass 1 (`reduce`): the moments and s, ⟨g, θ0 − θ⟩ (Prodigy) or ⟨g, s/(sqrt(v) + ε)⟩ with the
/// old s and v (D-Adaptation), and ‖s‖₁. Pass 2 (`apply`): the parameter step.
struct DAdaptKernel: LaneKernel, LaneReduction {
    let p, g, m, v, s, p0: UnsafeMutablePointer<Float>
    let prodigy: Bool
    let sign, d, b1, c1, mCoef, b2, c2, b3, sCoef, eps, decay, stepScale: Float
    var epsScale: Float

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        let mOld = Lanes(m, i, n), vOld = Lanes(v, i, n), sOld = Lanes(s, i, n)
        let inner: Lanes
        let mi, vi, si: Lanes
        if prodigy {
            inner = gi * (Lanes(p0, i, n) - pi)
            let dg = d * gi
            mi = b1 * mOld + c1 * dg
            vi = b2 * vOld + c2 * (dg * dg)
            si = b3 * sOld + sCoef * gi
        } else {
            inner = lanesMasked(gi * (sOld / (lanesSqrt(vOld) + eps)), n)
            mi = b1 * mOld + mCoef * gi
            vi = b2 * vOld + c2 * (gi * gi)
            si = b3 * sOld + sCoef * gi
        }
        mi.store(m, i, n); vi.store(v, i, n); si.store(s, i, n)
        return (inner, lanesAbs(si))
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n)
        let step = stepScale * (Lanes(m, i, n) / (lanesSqrt(Lanes(v, i, n)) + epsScale * eps))
        (pi + (decay * pi + step)).store(p, i, n)
    }
}

extension Prodigy: BuiltinOptimizer {
    public static let registryOrder = 212
    public static var registered: [any OptimizerAlgorithm] { [Prodigy(), Prodigy(.dAdaptAdamW)] }
}
