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
            let p = item.param.pointer, g = item.grad.pointer
            let m = try item.state.buffer("exp_avg", like: item.param).pointer
            let u = try item.state.buffer("exp_inf", like: item.param).pointer
            Parallel.forEachChunk(count: item.param.count) { r in
                for i in r {
                    let gi = sign * g[i] + l2 * p[i]
                    let mi = m[i] + w1 * (gi - m[i])
                    let ui = max(u[i] * b2, abs(gi) + eps)
                    m[i] = mi; u[i] = ui
                    p[i] = p[i] + clr * (mi / ui)
                }
            }
        }
    }
}
