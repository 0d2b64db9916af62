#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Averaged SGD (Polyak & Juditsky 1992) as PyTorch's single-tensor `torch.optim.ASGD`:
/// g ← g + λθ; θ ← θ·(1 − λ_d·η) − η·g; ax ← ax + μ(θ − ax) (ax ← θ while μ = 1); then
/// η ← lr/(1 + λ_d·lr·t)^α and μ ← 1/max(1, t − t0). η and μ are per-parameter scalars kept
/// rounded to float32, as PyTorch keeps them in float32 tensors. `ax` is the averaged iterate.
///
/// ```swift
/// let opt = try Optimizer(ASGD(), params: params, options: ["t0": .number(100)])
/// ```
public struct ASGD: OptimizerAlgorithm {
    public let name = "ASGD"
    public let spec = OptionTable(algorithm: "ASGD", specs: [
        OptionSpec("lr", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("lambd", .number(1e-4)),
        OptionSpec("alpha", .number(0.75)),
        OptionSpec("t0", .number(1e6)),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws {
        state.scalars["eta"] = Double(Float(group.lr))
        state.scalars["mu"] = 1
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), lambd = o.number("lambd"), alpha = o.number("alpha"), t0 = o.number("t0")
        for item in items {
            let eta = item.state.scalars["eta"] ?? Double(Float(lr)), mu = item.state.scalars["mu"] ?? 1
            let ax = try item.state.buffer("ax", like: item.param)
            ASGDKernel(p: item.param.pointer, g: item.grad.pointer, ax: ax.pointer, sign: gradSign,
                       l2: Float(o.number("weight_decay")), decay: Float(1 - lambd * eta), neta: Float(-eta),
                       mu: Float(mu), average: mu != 1)
                .run(count: item.param.count)
            let t = Double(item.state.step)
            item.state.scalars["eta"] = Double(Float(lr / pow(1 + lambd * lr * t, alpha)))
            item.state.scalars["mu"] = Double(Float(1 / max(1, t - t0)))
        }
    }
}

/// One fused ASGD pass over θ, g and the average ax.
struct ASGDKernel: LaneKernel {
    let p, g, ax: UnsafeMutablePointer<Float>
    let sign, l2, decay, neta, mu: Float
    let average: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let p0 = Lanes(p, i, n)
        let gi = sign * Lanes(g, i, n) + l2 * p0
        let pi = p0 * decay + neta * gi
        pi.store(p, i, n)
        if average {
            let ai = Lanes(ax, i, n)
            (ai + (pi - ai) * mu).store(ax, i, n)
        } else {
            pi.store(ax, i, n)
        }
    }
}

extension ASGD: BuiltinOptimizer {
    public static let registryOrder = 110
    public static var registered: [any OptimizerAlgorithm] { [ASGD()] }
}
