import Tensors

/// MADGRAD (Defazio & Jelassi 2021) as optax 0.2.8's `optax.contrib.madgrad`: dual averaging
/// with a cube-root AdaGrad scale and momentum by interpolation toward the dual point.
///
/// g ← g + λθ (L2); c = (lr + ε)·sqrt(t); G ← G + c·g²; s ← s + c·g;
/// z = θ0 − s/(cbrt(G) + ε); θ ← (1 − μ)·z + μ·θ. θ0 is the parameter at its first step
/// (state `x0`), μ = `momentum`.
///
/// ```swift
/// let opt = try Optimizer(MADGRAD(), params: params, options: ["lr": .number(1e-2)])
/// ```
public struct MADGRAD: OptimizerAlgorithm {
    public let name = "MADGRAD"
    public let spec = OptionTable(algorithm: "MADGRAD", specs: [
        OptionSpec("lr", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("momentum", .number(0.9), check: OptionSpec.inRange(0, 1)),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("eps", .number(1e-6), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws {
        try copyBuffer(state, "x0", from: param)
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), eps = o.number("eps"), mu = o.number("momentum")
        for item in items {
            let t = Double(item.state.step)
            let G = try item.state.buffer("grad_sum_sq", like: item.param)
            let s = try item.state.buffer("s", like: item.param)
            let x0 = try item.state.buffer("x0", like: item.param)
            MADGRADKernel(
                p: item.param.pointer, g: item.grad.pointer, G: G.pointer, s: s.pointer, x0: x0.pointer, sign: gradSign,
                wd: Float(o.number("weight_decay")), c: Float(Float(lr + eps) * Float(t.squareRoot())), eps: Float(eps),
                mu: Float(mu), keep: Float(1 - mu))
                .run(count: item.param.count)
        }
    }
}

struct MADGRADKernel: LaneKernel {
    let p, g, G, s, x0: UnsafeMutablePointer<Float>
    let sign, wd, c, eps, mu, keep: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n), gi = sign * Lanes(g, i, n) + wd * pi
        let Gi = Lanes(G, i, n) + c * (gi * gi)
        let si = Lanes(s, i, n) + c * gi
        Gi.store(G, i, n); si.store(s, i, n)
        let root = lanesCbrt(Gi)
        let z = Lanes(x0, i, n) - si / (root + eps)
        (keep * z + mu * pi).store(p, i, n)
    }
}

extension MADGRAD: BuiltinOptimizer {
    public static let registryOrder = 210
    public static var registered: [any OptimizerAlgorithm] { [MADGRAD()] }
}
