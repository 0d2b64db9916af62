import Tensors

/// signSGD (Bernstein et al. 2018) as optax 0.2.8's `optax.sign_sgd`: θ ← θ − lr·(sign(g) + λθ)
/// (sign(0) = 0; `weight_decay` λ is descent's, optax's alias has none). Built as
/// `optim.build("sign_sgd", ...)` or `optim.SignSGD`.
///
/// ```swift
/// let opt = try Optimizer(SignSGD(), params: params, options: ["lr": .number(1e-3)])
/// ```
public struct SignSGD: OptimizerAlgorithm {
    public let name = "SignSGD"
    public var buildName: String { "sign_sgd" }
    public let spec = OptionTable(algorithm: "SignSGD", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let step = Float(-group.options.number("lr")), wd = Float(group.options.number("weight_decay"))
        for item in items {
            SignKernel(p: item.param.pointer, g: item.grad.pointer, m: item.grad.pointer, sign: gradSign, step: step,
                       beta: 0, c: 1, wd: wd, momentum: false)
                .run(count: item.param.count)
        }
    }
}

/// Signum (Bernstein et al. 2018) as optax 0.2.8's `optax.signum`: m ← (1 − μ)·g + μ·m (no
/// bias correction: the sign does not need it); θ ← θ − lr·(sign(m) + λθ). μ = `momentum`
/// (optax's `beta`); `weight_decay` λ is descent's (decoupled, optax's alias has none).
///
/// ```swift
/// let opt = try Optimizer(Signum(), params: params, options: ["lr": .number(1e-3), "momentum": .number(0.9)])
/// ```
public struct Signum: OptimizerAlgorithm {
    public let name = "Signum"
    public let spec = OptionTable(algorithm: "Signum", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("momentum", .number(0.9), check: OptionSpec.inRange(0, 1)),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let lr = group.options.number("lr"), mu = group.options.number("momentum")
        for item in items {
            let m = try item.state.buffer("momentum_buffer", like: item.param)
            SignKernel(p: item.param.pointer, g: item.grad.pointer, m: m.pointer, sign: gradSign, step: Float(-lr),
                       beta: Float(mu), c: Float(1 - mu), wd: Float(group.options.number("weight_decay")), momentum: true)
                .run(count: item.param.count)
        }
    }
}

/// θ ← θ + step·(sign(m) + λθ), with m ← c·g + β·m first when `momentum` (else m is g); g is
/// the gradient times `sign` (−1 to maximize).
struct SignKernel: LaneKernel {
    let p, g, m: UnsafeMutablePointer<Float>
    let sign, step, beta, c, wd: Float
    let momentum: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        var d = sign * Lanes(g, i, n)
        if momentum {
            d = c * d + beta * Lanes(m, i, n)
            d.store(m, i, n)
        }
        let pi = Lanes(p, i, n)
        (pi + step * (lanesSign(d) + wd * pi)).store(p, i, n)
    }
}

extension SignSGD: BuiltinOptimizer {
    public static let registryOrder = 206
    public static var registered: [any OptimizerAlgorithm] { [SignSGD(), Signum()] }
}
