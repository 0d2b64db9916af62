#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// RMSprop as PyTorch's `torch.optim.RMSprop` (no bias correction): v ← αv + (1 − α)g²;
/// `centered` subtracts the squared running mean of g; with `momentum` μ > 0 the step goes
/// through a buffer b ← μb + g/a.
///
/// ```swift
/// let opt = try Optimizer(RMSprop(), params: params, options: ["centered": .bool(true)])
/// ```
public struct RMSprop: OptimizerAlgorithm {
    public let name = "RMSprop"
    public let spec = OptionTable(algorithm: "RMSprop", specs: [
        OptionSpec("lr", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("alpha", .number(0.99), check: OptionSpec.nonNegative),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("momentum", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("centered", .bool(false)),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let alpha = o.number("alpha"), momentum = o.number("momentum")
        let sign = gradSign, l2 = Float(o.number("weight_decay")), eps = Float(o.number("eps"))
        let a = Float(alpha), c = Float(1 - alpha), mu = Float(momentum), nlr = Float(-o.number("lr"))
        let centered = o.bool("centered"), useMomentum = momentum > 0
        for item in items {
            let p = item.param.pointer, g = item.grad.pointer
            let sq = try item.state.buffer("square_avg", like: item.param).pointer
            // Unused buffers alias `sq` and are never written: keeps one kernel signature.
            let ga = centered ? try item.state.buffer("grad_avg", like: item.param).pointer : sq
            let b = useMomentum ? try item.state.buffer("momentum_buffer", like: item.param).pointer : sq
            Parallel.forEachChunk(count: item.param.count) { r in
                for i in r {
                    let gi = sign * g[i] + l2 * p[i]
                    let si = sq[i] * a + c * gi * gi
                    sq[i] = si
                    var avg: Float
                    if centered {
                        let gai = ga[i] + c * (gi - ga[i])
                        ga[i] = gai
                        avg = (si - gai * gai).squareRoot() + eps
                    } else {
                        avg = si.squareRoot() + eps
                    }
                    if useMomentum {
                        let bi = b[i] * mu + gi / avg
                        b[i] = bi
                        p[i] = p[i] + nlr * bi
                    } else {
                        p[i] = p[i] + nlr * (gi / avg)
                    }
                }
            }
        }
    }
}
