import Tensors

/// NovoGrad (Ginsburg et al. 2019) as optax 0.2.8's `optax.novograd`: a per-tensor second
/// moment of the gradient norm, and momentum on the normalized gradient plus decay.
///
/// ν ← ‖g‖² on the first step, then (1 − β2)·‖g‖² + β2·ν (one number per tensor, state scalar
/// `grad_norm_sq`); d = g/(sqrt(ν + ε_root) + ε) + λθ; m ← d on the first step, then β1·m + d;
/// θ ← θ − lr·m. Two passes: ‖g‖², then the fused update.
///
/// ```swift
/// let opt = try Optimizer(NovoGrad(), params: params, options: ["lr": .number(1e-2)])
/// ```
public struct NovoGrad: OptimizerAlgorithm {
    public let name = "NovoGrad"
    public let spec = OptionTable(algorithm: "NovoGrad", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.25), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-6), check: OptionSpec.nonNegative),
        OptionSpec("eps_root", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    /// The layer's gradient norm comes first: a pass that reads g.
    public var extraStreams: Int { 1 }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas")
        for item in items {
            let first = item.state.step == 1
            let m = try item.state.buffer("exp_avg", like: item.param)
            var k = NovoGradKernel(p: item.param.pointer, g: item.grad.pointer, m: m.pointer, sign: gradSign,
                                   b1: first ? 0 : Float(b1), denom: 0, wd: Float(o.number("weight_decay")), nlr: Float(-lr))
            // ν is stored in float32, as optax keeps it in the parameter's dtype.
            let g2 = Float(k.sums(count: item.param.count).0)
            let nu = first ? g2 : Float(1 - b2) * g2 + Float(b2) * Float(item.state.scalars["grad_norm_sq"] ?? 0)
            item.state.scalars["grad_norm_sq"] = Double(nu)
            k.denom = (nu + Float(o.number("eps_root"))).squareRoot() + Float(o.number("eps"))
            k.run(count: item.param.count)
        }
    }
}

/// Pass 1 (`reduce`): Σg². Pass 2 (`apply`): m ← β1·m + g/denom + λθ; θ ← θ − lr·m.
struct NovoGradKernel: LaneKernel, LaneReduction {
    let p, g, m: UnsafeMutablePointer<Float>
    let sign, b1: Float
    var denom: Float
    let wd, nlr: Float

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let gi = Lanes(g, i, n)
        return (gi * gi, Lanes(repeating: 0))
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n)
        let d = gi / denom + wd * pi
        // β1 = 0 on the first step: m ← d exactly (0·m would turn a non-finite m into NaN).
        let mi = b1 == 0 ? d : b1 * Lanes(m, i, n) + d
        mi.store(m, i, n)
        (pi + nlr * mi).store(p, i, n)
    }
}

extension NovoGrad: BuiltinOptimizer {
    public static let registryOrder = 205
    public static var registered: [any OptimizerAlgorithm] { [NovoGrad()] }
}
