import Tensors

/// Adadelta (Zeiler 2012) as PyTorch's single-tensor `torch.optim.Adadelta`: g ← g + λθ;
/// v ← ρv + (1 − ρ)g²; δ = sqrt(u + ε)/sqrt(v + ε)·g; u ← ρu + (1 − ρ)δ²; θ ← θ − lr·δ.
/// PyTorch (and this) keep an `lr` (default 1) that the paper does not have.
///
/// ```swift
/// let opt = try Optimizer(Adadelta(), params: params, options: ["rho": .number(0.95)])
/// ```
public struct Adadelta: OptimizerAlgorithm {
    public let name = "Adadelta"
    public let spec = OptionTable(algorithm: "Adadelta", specs: [
        OptionSpec("lr", .number(1), check: OptionSpec.nonNegative),
        OptionSpec("rho", .number(0.9), check: OptionSpec.inRange(0, 1)),
        OptionSpec("eps", .number(1e-6), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let rho = o.number("rho")
        for item in items {
            let v = try item.state.buffer("square_avg", like: item.param)
            let u = try item.state.buffer("acc_delta", like: item.param)
            AdadeltaKernel(p: item.param.pointer, g: item.grad.pointer, v: v.pointer, u: u.pointer, sign: gradSign,
                           l2: Float(o.number("weight_decay")), rho: Float(rho), c: Float(1 - rho),
                           eps: Float(o.number("eps")), nlr: Float(-o.number("lr")))
                .run(count: item.param.count)
        }
    }
}

/// One fused Adadelta pass over θ, g, the square average v and the delta accumulator u.
struct AdadeltaKernel: LaneKernel {
    let p, g, v, u: UnsafeMutablePointer<Float>
    let sign, l2, rho, c, eps, nlr: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n)
        let gi = sign * Lanes(g, i, n) + l2 * pi
        let vi = Lanes(v, i, n) * rho + c * gi * gi
        vi.store(v, i, n)
        let ui = Lanes(u, i, n)
        let delta = lanesSqrt(ui + eps) / lanesSqrt(vi + eps) * gi
        (ui * rho + c * delta * delta).store(u, i, n)
        (pi + nlr * delta).store(p, i, n)
    }
}

extension Adadelta: BuiltinOptimizer {
    public static let registryOrder = 90
    public static var registered: [any OptimizerAlgorithm] { [Adadelta()] }
}
