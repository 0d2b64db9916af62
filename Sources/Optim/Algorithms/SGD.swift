import Tensors

/// Stochastic gradient descent with momentum, dampening, Nesterov and L2 weight decay, as
/// PyTorch's `torch.optim.SGD`: the first momentum step sets b ← g (no dampening).
///
/// ```swift
/// let opt = try Optimizer(SGD(), params: params, options: ["lr": .number(0.1), "momentum": .number(0.9)])
/// ```
public struct SGD: OptimizerAlgorithm {
    public let name = "SGD"
    public let spec = OptionTable(algorithm: "SGD", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("momentum", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("dampening", .number(0)),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("nesterov", .bool(false)),
        OptionSpec("maximize", .bool(false)),
    ], crossCheck: { o in
        if o.bool("nesterov"), o.number("momentum") <= 0 || o.number("dampening") != 0 {
            return "nesterov requires a momentum > 0 and zero dampening, got momentum \(formatOption(o.number("momentum"))) and dampening \(formatOption(o.number("dampening")))"
        }
        return nil
    })

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), momentum = o.number("momentum"), dampening = o.number("dampening")
        let sign = gradSign, l2 = Float(o.number("weight_decay")), nlr = Float(-lr)
        let nesterov = o.bool("nesterov"), mu = Float(momentum), keep = Float(1 - dampening)
        for item in items {
            let first = momentum != 0 && item.state.buffers["momentum_buffer"] == nil
            // Without momentum the buffer is never touched: alias it to the grad.
            let b = momentum != 0 ? try item.state.buffer("momentum_buffer", like: item.param).pointer : item.grad.pointer
            // The first momentum step sets b ← g: b·0 + 1·g (b starts at 0) does exactly that.
            SGDKernel(p: item.param.pointer, g: item.grad.pointer, b: b, sign: sign, l2: l2, nlr: nlr,
                      bMu: first ? 0 : mu, bKeep: first ? 1 : keep, gMu: nesterov ? mu : 0, momentum: momentum != 0)
                .run(count: item.param.count)
        }
    }
}

/// One fused SGD pass: g ← g + λθ; b ← μb + (1 − τ)g; g ← g + μb (Nesterov) or b; θ ← θ − lr·g.
struct SGDKernel: LaneKernel {
    let p, g, b: UnsafeMutablePointer<Float>
    let sign, l2, nlr, bMu, bKeep, gMu: Float
    let momentum: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n)
        var gi = sign * Lanes(g, i, n) + l2 * pi
        if momentum {
            let bi = Lanes(b, i, n) * bMu + bKeep * gi
            bi.store(b, i, n)
            // Nesterov: g + μb; plain: b (gi·0 would turn an infinite g into NaN, so branch).
            gi = gMu != 0 ? gi + gMu * bi : bi
        }
        (pi + nlr * gi).store(p, i, n)
    }
}

extension SGD: BuiltinOptimizer {
    public static let registryOrder = 10
    public static var registered: [any OptimizerAlgorithm] { [SGD()] }
}
