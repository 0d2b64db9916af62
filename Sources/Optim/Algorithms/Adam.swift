#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Adam (Kingma & Ba), with its variants and ablation switches; follows PyTorch's single-tensor
/// `torch.optim.Adam`/`AdamW` numerically.
///
/// Variants differ only in defaults: `.adamW` decouples weight decay and defaults it to 1e-2;
/// `.amsGrad` turns `amsgrad` on. AdamW's decay is θ ← θ·(1 − lr·λ), as in PyTorch and optax;
/// Loshchilov & Hutter scale λ only by the schedule multiplier, so λ here = λ_paper / lr.
///
/// Switches: `decoupled_weight_decay`, `bias_correction` (false: bc1 = bc2 = 1), `amsgrad`
/// (max over raw v, as PyTorch), `cautious` (C-AdamW: the step m̂/denom is zeroed where it
/// disagrees in sign with the gradient, the rest scaled by numel/(kept + 1)), `eps_mode`: "after_sqrt" (PyTorch), "eps_hat" (Keras/Torch7:
/// lr·sqrt(bc2)/bc1 · m/(sqrt(v) + ε)), "inside_sqrt" (optax eps_root: sqrt(v/bc2 + ε)).
///
/// ```swift
/// let opt = try Optimizer(Adam(.adamW), params: params, options: ["lr": .number(3e-4)])
/// ```
public struct Adam: OptimizerAlgorithm {
    public enum Variant: Sendable { case adam, adamW, amsGrad }

    public let name: String
    public let spec: OptionTable

    public init(_ variant: Variant = .adam) {
        switch variant {
        case .adam: name = "Adam"
        case .adamW: name = "AdamW"
        case .amsGrad: name = "AMSGrad"
        }
        spec = OptionTable(algorithm: name, specs: [
            OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
            OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
            OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
            OptionSpec("weight_decay", .number(variant == .adamW ? 1e-2 : 0), check: OptionSpec.nonNegative),
            OptionSpec("amsgrad", .bool(variant == .amsGrad)),
            OptionSpec("maximize", .bool(false)),
            OptionSpec("decoupled_weight_decay", .bool(variant == .adamW)),
            OptionSpec("bias_correction", .bool(true)),
            OptionSpec("eps_mode", .string("after_sqrt"), check: OptionSpec.oneOf(["after_sqrt", "eps_hat", "inside_sqrt"])),
            OptionSpec("cautious", .bool(false)),
        ])
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (beta1, beta2) = o.pair("betas"), eps = o.number("eps")
        let moments = MomentCoefficients(o, gradSign: gradSign)
        let amsgrad = o.bool("amsgrad"), biasCorrection = o.bool("bias_correction")
        let mode = o.string("eps_mode"), cautious = o.bool("cautious")
        for item in items {
            let t = Double(item.state.step)
            let bc1 = biasCorrection ? 1 - pow(beta1, t) : 1
            let bc2 = biasCorrection ? 1 - pow(beta2, t) : 1
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            let vmax = amsgrad ? try item.state.buffer("max_exp_avg_sq", like: item.param) : v
            var k = AdamKernel(
                p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer, vmax: vmax.pointer,
                moments: moments, bc2Sqrt: Float(bc2.squareRoot()), bc2: Float(bc2), eps: Float(eps), stepSize: Float(-lr / bc1),
                amsgrad: amsgrad, insideSqrt: mode == "inside_sqrt")
            if mode == "eps_hat" {
                // θ ← θ − lr·sqrt(bc2)/bc1 · m/(sqrt(v) + ε): the after_sqrt form with bc2 folded
                // into the step size.
                k.stepSize = Float(-lr * bc2.squareRoot() / bc1)
                k.bc2Sqrt = 1
            }
            if cautious {
                // Two passes: moments and the agreement count, then the masked step.
                var c = CautiousAdamKernel(adam: k)
                c.scale = cautiousScale(count: item.param.count, kept: c.sums(count: item.param.count).0)
                c.run(count: item.param.count)
            } else {
                k.run(count: item.param.count)
            }
        }
    }
}

/// One fused Adam pass over θ, g, m, v (and vmax), coefficients precomputed in Double.
struct AdamKernel: LaneKernel {
    let p, g, m, v, vmax: UnsafeMutablePointer<Float>
    let moments: MomentCoefficients
    var bc2Sqrt, bc2, eps, stepSize: Float
    let amsgrad, insideSqrt: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let (pi, _, mi, vi) = adamMoments(p, g, m, v, i, n, moments)
        var vm = vi
        if amsgrad {
            vm = lanesMax(Lanes(vmax, i, n), vi)
            vm.store(vmax, i, n)
        }
        let denom = insideSqrt ? lanesSqrt(vm / bc2 + eps) : lanesSqrt(vm) / bc2Sqrt + eps
        (pi * moments.decay + stepSize * (mi / denom)).store(p, i, n)
    }
}

extension Adam: BuiltinOptimizer {
    public static let registryOrder = 20
    public static var registered: [any OptimizerAlgorithm] { [Adam(), Adam(.adamW), Adam(.amsGrad)] }
}
