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
            let sq = try item.state.buffer("square_avg", like: item.param).pointer
            // Unused buffers alias `sq` and are never written: one kernel for every variant.
            let ga = centered ? try item.state.buffer("grad_avg", like: item.param).pointer : sq
            let b = useMomentum ? try item.state.buffer("momentum_buffer", like: item.param).pointer : sq
            RMSpropKernel(p: item.param.pointer, g: item.grad.pointer, sq: sq, ga: ga, b: b, sign: sign, l2: l2,
                          alpha: a, c: c, eps: eps, mu: mu, nlr: nlr, centered: centered, momentum: useMomentum)
                .run(count: item.param.count)
        }
    }
}

/// One fused RMSprop pass over θ, g, the square average and the optional buffers.
struct RMSpropKernel: LaneKernel {
    let p, g, sq, ga, b: UnsafeMutablePointer<Float>
    let sign, l2, alpha, c, eps, mu, nlr: Float
    let centered, momentum: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n)
        let gi = sign * Lanes(g, i, n) + l2 * pi
        let si = Lanes(sq, i, n) * alpha + c * gi * gi
        si.store(sq, i, n)
        var avg: Lanes
        if centered {
            let gOld = Lanes(ga, i, n)
            let gai = lanesLerp(gOld, gi, c)
            gai.store(ga, i, n)
            avg = lanesSqrt(si - gai * gai) + eps
        } else {
            avg = lanesSqrt(si) + eps
        }
        if momentum {
            let bi = Lanes(b, i, n) * mu + gi / avg
            bi.store(b, i, n)
            (pi + nlr * bi).store(p, i, n)
        } else {
            (pi + nlr * (gi / avg)).store(p, i, n)
        }
    }
}

extension RMSprop: BuiltinOptimizer {
    public static let registryOrder = 60
    public static var registered: [any OptimizerAlgorithm] { [RMSprop()] }
}
