#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Adamax as PyTorch's `torch.optim.Adamax`: the infinity-norm variant of Adam,
/// u ← max(β2·u, |g| + ε), θ ← θ − (lr/bc1)·m/u.
///
/// ```swift
/// let opt = try Optimizer(Adamax(), params: params)
/// ```
public struct Adamax: OptimizerAlgorithm {
    public let name = "Adamax"
    public let spec = OptionTable(algorithm: "Adamax", specs: [
        OptionSpec("lr", .number(2e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (beta1, beta2) = o.pair("betas"), eps = Float(o.number("eps"))
        let sign = gradSign, l2 = Float(o.number("weight_decay"))
        let w1 = Float(1 - beta1), b2 = Float(beta2)
        for item in items {
            let clr = Float(-(lr / (1 - pow(beta1, Double(item.state.step)))))
            let m = try item.state.buffer("exp_avg", like: item.param)
            let u = try item.state.buffer("exp_inf", like: item.param)
            AdamaxKernel(p: item.param.pointer, g: item.grad.pointer, m: m.pointer, u: u.pointer,
                         sign: sign, l2: l2, w1: w1, beta2: b2, eps: eps, clr: clr)
                .run(count: item.param.count)
        }
    }
}

/// One fused Adamax pass: u ← max(β2·u, |g| + ε), θ ← θ + clr·m/u (clr negative).
struct AdamaxKernel: LaneKernel {
    let p, g, m, u: UnsafeMutablePointer<Float>
    let sign, l2, w1, beta2, eps, clr: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n), mOld = Lanes(m, i, n)
        let gi = sign * Lanes(g, i, n) + l2 * pi
        let mi = lanesLerp(mOld, gi, w1)
        let ui = lanesMax(Lanes(u, i, n) * beta2, lanesAbs(gi) + eps)
        mi.store(m, i, n); ui.store(u, i, n)
        (pi + clr * (mi / ui)).store(p, i, n)
    }
}

extension Adamax: BuiltinOptimizer {
    public static let registryOrder = 70
    public static var registered: [any OptimizerAlgorithm] { [Adamax()] }
}
