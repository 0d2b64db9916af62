import Tensors

/// Adagrad as PyTorch's `torch.optim.Adagrad` (dense gradients): s ← s + g²,
/// θ ← θ − clr·g/(sqrt(s) + ε) with clr = lr/(1 + (t − 1)·lr_decay).
///
/// ```swift
/// let opt = try Optimizer(Adagrad(), params: params, options: ["lr_decay": .number(1e-3)])
/// ```
public struct Adagrad: OptimizerAlgorithm {
    public let name = "Adagrad"
    public let spec = OptionTable(algorithm: "Adagrad", specs: [
        OptionSpec("lr", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("lr_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("initial_accumulator_value", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("eps", .number(1e-10), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), lrDecay = o.number("lr_decay"), eps = Float(o.number("eps"))
        let sign = gradSign, l2 = Float(o.number("weight_decay"))
        let initial = Float(o.number("initial_accumulator_value"))
        for item in items {
            let clr = Float(-(lr / (1 + Double(item.state.step - 1) * lrDecay)))
            let s = try item.state.buffer("sum", like: item.param, fill: initial)
            AdagradKernel(p: item.param.pointer, g: item.grad.pointer, s: s.pointer, sign: sign, l2: l2, eps: eps, clr: clr)
                .run(count: item.param.count)
        }
    }
}

/// One fused Adagrad pass: s ← s + g², θ ← θ + clr·g/(sqrt(s) + ε) (clr negative).
struct AdagradKernel: LaneKernel {
    let p, g, s: UnsafeMutablePointer<Float>
    let sign, l2, eps, clr: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n)
        let gi = sign * Lanes(g, i, n) + l2 * pi
        let si = Lanes(s, i, n) + gi * gi
        si.store(s, i, n)
        (pi + clr * (gi / (lanesSqrt(si) + eps))).store(p, i, n)
    }
}

extension Adagrad: BuiltinOptimizer {
    public static let registryOrder = 50
    public static var registered: [any OptimizerAlgorithm] { [Adagrad()] }
}
