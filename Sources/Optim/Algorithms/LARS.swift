import Tensors

/// LARS (You et al. 2017) as optax 0.2.8's `optax.lars`: SGD with momentum on the gradient plus
/// L2 decay, rescaled per tensor by the trust ratio η·‖θ‖/(‖g + λθ‖ + ε).
///
/// u = g + λθ; r = η·‖θ‖/(‖u‖ + ε) (1 when either norm is 0); u ← −lr·r·u; b ← u + μ·b;
/// θ ← θ + (u + μ·b if nesterov, else b). η = `trust_coefficient`. The momentum buffer holds the
/// scaled step (optax's `trace` after `scale_by_learning_rate`), so a change of `lr` applies to
/// new steps only. optax's masks (`weight_decay_mask`, `trust_ratio_mask`) are not options:
/// use parameter groups (e.g. `weight_decay = 0, trust_coefficient = ...` for biases).
///
/// ```swift
/// let opt = try Optimizer(LARS(), params: params, options: ["lr": .number(1), "weight_decay": .number(1e-4)])
/// ```
public struct LARS: OptimizerAlgorithm {
    public let name = "LARS"
    public let spec = OptionTable(algorithm: "LARS", specs: [
        OptionSpec("lr", .number(1), check: OptionSpec.nonNegative),
        OptionSpec("momentum", .number(0.9), check: OptionSpec.nonNegative),
        OptionSpec("nesterov", .bool(false)),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("trust_coefficient", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("eps", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    /// The norms of θ and the update come first: a pass that reads θ and g.
    public var extraStreams: Int { 2 }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), tc = o.number("trust_coefficient"), eps = o.number("eps")
        for item in items {
            let b = try item.state.buffer("momentum_buffer", like: item.param)
            var k = LARSKernel(
                p: item.param.pointer, g: item.grad.pointer, b: b.pointer, sign: gradSign,
                wd: Float(o.number("weight_decay")), mu: Float(o.number("momentum")), nesterov: o.bool("nesterov"), step: 0)
            let (pp, uu) = k.sums(count: item.param.count)
            let pn = Float(pp.squareRoot()), un = Float(uu.squareRoot())
            let ratio = pn == 0 || un == 0 ? 1 : Float(tc) * pn / (un + Float(eps))
            k.step = -(Float(lr) * ratio)
            k.run(count: item.param.count)
        }
    }
}

/// Pass 1 (`reduce`): Σθ², Σ(g + λθ)². Pass 2 (`apply`): momentum and step.
struct LARSKernel: LaneKernel, LaneReduction {
    let p, g, b: UnsafeMutablePointer<Float>
    let sign, wd, mu: Float
    let nesterov: Bool
    var step: Float

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let pi = Lanes(p, i, n), u = sign * Lanes(g, i, n) + wd * pi
        return (pi * pi, u * u)
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n)
        let u = step * (sign * Lanes(g, i, n) + wd * pi)
        let bi = u + mu * Lanes(b, i, n)
        bi.store(b, i, n)
        (pi + (nesterov ? u + mu * bi : bi)).store(p, i, n)
    }
}

extension LARS: BuiltinOptimizer {
    public static let registryOrder = 203
    public static var registered: [any OptimizerAlgorithm] { [LARS()] }
}
