#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// RAdam (Liu et al. 2019) as PyTorch's `torch.optim.RAdam`: Adam whose adaptive term is used
/// only once the variance rectification ρ_t exceeds 5 (plain momentum SGD before that).
/// Optional decoupled weight decay.
///
/// ```swift
/// let opt = try Optimizer(RAdam(), params: params)
/// ```
public struct RAdam: OptimizerAlgorithm {
    public let name = "RAdam"
    public let spec = OptionTable(algorithm: "RAdam", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("decoupled_weight_decay", .bool(false)),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (beta1, beta2) = o.pair("betas"), eps = Float(o.number("eps"))
        let moments = MomentCoefficients(o, gradSign: gradSign), lrf = Float(lr)
        let rhoInf = 2 / (1 - beta2) - 1
        for item in items {
            let t = Double(item.state.step)
            let bc1 = 1 - pow(beta1, t), bc2 = 1 - pow(beta2, t)
            let rhoT = rhoInf - 2 * t * pow(beta2, t) / bc2
            let rectified = rhoT > 5
            let rect = rectified ? Float(((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)).squareRoot()) : 0
            let bc1f = Float(bc1), bc2Sqrt = Float(bc2.squareRoot())
            let m = try item.state.buffer("exp_avg", like: item.param)
            let v = try item.state.buffer("exp_avg_sq", like: item.param)
            RAdamKernel(p: item.param.pointer, g: item.grad.pointer, m: m.pointer, v: v.pointer,
                        moments: moments, bc1: bc1f, bc2Sqrt: bc2Sqrt,
                        eps: eps, lr: lrf, rect: rect, rectified: rectified)
                .run(count: item.param.count)
        }
    }
}

/// One fused RAdam pass; before rectification (ρ_t ≤ 5) the step is plain momentum.
struct RAdamKernel: LaneKernel {
    let p, g, m, v: UnsafeMutablePointer<Float>
    let moments: MomentCoefficients
    let bc1, bc2Sqrt, eps, lr, rect: Float
    let rectified: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let (pi, _, mi, vi) = adamMoments(p, g, m, v, i, n, moments)
        // PyTorch's order: (m/bc1)·lr·(sqrt(bc2)/(sqrt(v) + ε))·r
        var delta = mi / bc1 * lr
        if rectified { delta = delta * (bc2Sqrt / (lanesSqrt(vi) + eps)) * rect }
        (pi * moments.decay - delta).store(p, i, n)
    }
}

extension RAdam: BuiltinOptimizer {
    public static let registryOrder = 40
    public static var registered: [any OptimizerAlgorithm] { [RAdam()] }
}
