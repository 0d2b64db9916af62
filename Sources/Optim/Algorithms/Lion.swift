import Tensors

/// Lion (Chen et al. 2023): θ ← θ·(1 − lr·λ); c = β1·m + (1 − β1)·g; θ ← θ − lr·sign(c);
/// m ← β2·m + (1 − β2)·g. Not in PyTorch; the fixtures follow the paper's pseudocode.
/// `cautious = true` zeroes sign(c) where it disagrees with g and scales the rest by
/// numel/(kept + 1), as pytorch-optimizer's `Lion(cautious=True)`.
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
        OptionSpec("cautious", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (beta1, beta2) = o.pair("betas")
        let sign = gradSign, decay = Float(1 - lr * o.number("weight_decay")), lrf = Float(lr)
        let b1 = Float(beta1), c1 = Float(1 - beta1), b2 = Float(beta2), c2 = Float(1 - beta2)
        for item in items {
            let m = try item.state.buffer("exp_avg", like: item.param)
            let k = LionKernel(p: item.param.pointer, g: item.grad.pointer, m: m.pointer, sign: sign, decay: decay, lr: lrf,
                               beta1: b1, c1: c1, beta2: b2, c2: c2)
            if o.bool("cautious") {
                var c = CautiousLionKernel(lion: k)
                c.scale = cautiousScale(count: item.param.count, kept: c.sums(count: item.param.count).0)
                c.run(count: item.param.count)
            } else {
                k.run(count: item.param.count)
            }
        }
    }
}

/// One fused Lion pass: θ ← θ·decay − lr·sign(β1·m + (1 − β1)·g), m ← β2·m + (1 − β2)·g.
struct LionKernel: LaneKernel {
    let p, g, m: UnsafeMutablePointer<Float>
    let sign, decay, lr, beta1, c1, beta2, c2: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), mi = Lanes(m, i, n)
        let c = beta1 * mi + c1 * gi
        (Lanes(p, i, n) * decay - lr * lanesSign(c)).store(p, i, n)
        (beta2 * mi + c2 * gi).store(m, i, n)
    }
}

extension Lion: BuiltinOptimizer {
    public static let registryOrder = 80
    public static var registered: [any OptimizerAlgorithm] { [Lion()] }
}
