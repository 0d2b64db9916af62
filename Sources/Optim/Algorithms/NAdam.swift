#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// NAdam (Dozat 2016) as PyTorch's `torch.optim.NAdam`: Nesterov momentum with the
/// momentum-decay schedule μ_t = β1(1 − ½·0.96^(tψ)); the product of the μ_t is kept in the
/// state as the scalar `mu_product`. Optional decoupled weight decay.
///
/// ```swift
/// let opt = try Optimizer(NAdam(), params: params)
/// ```
public struct NAdam: OptimizerAlgorithm {
    public let name = "NAdam"
    public let spec = OptionTable(algorithm: "NAdam", specs: [
        OptionSpec("lr", .number(2e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("momentum_decay", .number(4e-3), check: OptionSpec.nonNegative),
        OptionSpec("decoupled_weight_decay", .bool(false)),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (beta1, beta2) = o.pair("betas"), eps = Float(o.number("eps"))
        let psi = o.number("momentum_decay"), moments = MomentCoefficients(o, gradSign: gradSign)
        for item in items {
            let t = Double(item.state.step)
            let bc2 = Float(1 - pow(beta2, t))
            let mu = beta1 * (1 - 0.5 * pow(0.96, t * psi))
            let muNext = beta1 * (1 - 0.5 * pow(0.96, (t + 1) * psi))
            let product = (item.state.scalars["mu_product"] ?? 1) * mu
            item.state.scalars["mu_product"] = product
            let cg = Float(-lr * (1 - mu) / (1 - product))
            let cm = Float(-lr * muNext / (1 - product * muNext))
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            NAdamKernel(p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer,
                        moments: moments, bc2: bc2, eps: eps, cg: cg, cm: cm)
                .run(count: item.param.count)
        }
    }
}

/// One fused NAdam pass: θ ← θ + cg·g/d + cm·m/d with d = sqrt(v/bc2) + ε.
struct NAdamKernel: LaneKernel {
    let p, g, m, v: UnsafeMutablePointer<Float>
    let moments: MomentCoefficients
    let bc2, eps, cg, cm: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let (pi, gi, mi, vi) = adamMoments(p, g, m, v, i, n, moments)
        let d = lanesSqrt(vi / bc2) + eps
        let q = pi * moments.decay + cg * (gi / d)
        (q + cm * (mi / d)).store(p, i, n)
    }
}

extension NAdam: BuiltinOptimizer {
    public static let registryOrder = 30
    public static var registered: [any OptimizerAlgorithm] { [NAdam()] }
}
