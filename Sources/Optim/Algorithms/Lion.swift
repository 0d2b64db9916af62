#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Lion (Chen et al. 2023): θ ← θ·(1 − lr·λ); c = β1·m + (1 − β1)·g; θ ← θ − lr·sign(c);
/// m ← β2·m + (1 − β2)·g. Not in PyTorch; the fixtures follow the paper's pseudocode.
///
/// ```swift
/// let opt = try Optimizer(Lion(), params: params, options: ["lr": .number(1e-4)])
/// ```
public struct Lion: OptimizerAlgorithm {
    public let name = "Lion"
    public let spec = OptionTable(algorithm: "Lion", specs: [
        OptionSpec("lr", .number(1e-4), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.99), check: OptionSpec.betaPair),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (beta1, beta2) = o.pair("betas")
        let sign = gradSign, decay = Float(1 - lr * o.number("weight_decay")), lrf = Float(lr)
        let b1 = Float(beta1), c1 = Float(1 - beta1), b2 = Float(beta2), c2 = Float(1 - beta2)
        for item in items {
            let p = item.param.pointer, g = item.grad.pointer
            let m = try item.state.buffer("exp_avg", like: item.param).pointer
            Parallel.forEachChunk(count: item.param.count) { r in
                for i in r {
                    let gi = sign * g[i]
                    let c = b1 * m[i] + c1 * gi
                    // sign(c) without a branch: +1, −1 or 0 (and 0 for NaN, which stays put).
                    let s: Float = (c > 0 ? 1 : 0) - (c < 0 ? 1 : 0)
                    p[i] = p[i] * decay - lrf * s
                    m[i] = b2 * m[i] + c2 * gi
                }
            }
        }
    }
}
