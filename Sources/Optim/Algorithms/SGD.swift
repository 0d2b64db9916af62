#if canImport(Glibc)
import Glibc
#endif
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
            let p = item.param.pointer, g = item.grad.pointer
            if momentum == 0 {
                Parallel.forEachChunk(count: item.param.count) { r in
                    for i in r { p[i] = p[i] + nlr * (sign * g[i] + l2 * p[i]) }
                }
                continue
            }
            let first = item.state.buffers["momentum_buffer"] == nil
            let b = try item.state.buffer("momentum_buffer", like: item.param).pointer
            // The first step copies g into b: b·μ·0 + g·1 with μ = 0 and keep = 1 does exactly that.
            let bMu: Float = first ? 0 : mu, bKeep: Float = first ? 1 : keep
            let gMu: Float = nesterov ? mu : 0
            Parallel.forEachChunk(count: item.param.count) { r in
                if nesterov {
                    for i in r {
                        let gi = sign * g[i] + l2 * p[i]
                        let bi = b[i] * bMu + bKeep * gi
                        b[i] = bi
                        p[i] = p[i] + nlr * (gi + gMu * bi)
                    }
                } else {
                    for i in r {
                        let gi = sign * g[i] + l2 * p[i]
                        let bi = b[i] * bMu + bKeep * gi
                        b[i] = bi
                        p[i] = p[i] + nlr * bi
                    }
                }
            }
        }
    }
}
