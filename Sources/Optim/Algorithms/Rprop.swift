import Tensors

/// Resilient backpropagation (Riedmiller & Braun 1993) as PyTorch's single-tensor
/// `torch.optim.Rprop`: per element, the step size grows by η+ while the gradient keeps its
/// sign and shrinks by η− when it flips (then the gradient is taken as 0 for this step and the
/// next comparison), clamped to `step_sizes`; θ ← θ − sign(g)·step. Step sizes start at `lr`.
///
/// ```swift
/// let opt = try Optimizer(Rprop(), params: params, options: ["etas": .pair(0.5, 1.2)])
/// ```
public struct Rprop: OptimizerAlgorithm {
    public let name = "Rprop"
    public let spec = OptionTable(algorithm: "Rprop", specs: [
        OptionSpec("lr", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("etas", .pair(0.5, 1.2), check: { v in
            if case .pair(let minus, let plus) = v, minus > 0, minus < 1, plus > 1 { return nil }
            return "a pair {eta_minus, eta_plus} with 0 < eta_minus < 1 < eta_plus"
        }),
        OptionSpec("step_sizes", .pair(1e-6, 50), check: { v in
            if case .pair(let lo, let hi) = v, lo >= 0, lo <= hi { return nil }
            return "a pair {min, max} with 0 <= min <= max"
        }),
        OptionSpec("maximize", .bool(false)),
    ])

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let (minus, plus) = o.pair("etas"), (lo, hi) = o.pair("step_sizes")
        for item in items {
            let prev = try item.state.buffer("prev", like: item.param)
            let size = try item.state.buffer("step_size", like: item.param, fill: Float(group.lr))
            RpropKernel(p: item.param.pointer, g: item.grad.pointer, prev: prev.pointer, size: size.pointer,
                        sign: gradSign, minus: Float(minus), plus: Float(plus), lo: Float(lo), hi: Float(hi))
                .run(count: item.param.count)
        }
    }
}

/// One fused Rprop pass over θ, g, the previous gradient and the step sizes.
struct RpropKernel: LaneKernel {
    let p, g, prev, size: UnsafeMutablePointer<Float>
    let sign, minus, plus, lo, hi: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n)
        let prod = gi * Lanes(prev, i, n)
        let up = prod .> 0, down = prod .< 0
        let factor = Lanes(repeating: 1).replacing(with: plus, where: up).replacing(with: minus, where: down)
        var s = Lanes(size, i, n) * factor
        // clamp(min, max) as torch: max first, then min (NaN propagates as in lanesMax).
        s = lanesMax(s, Lanes(repeating: lo))
        s = s.replacing(with: hi, where: s .> hi)
        s.store(size, i, n)
        let gk = gi.replacing(with: 0, where: down)
        (Lanes(p, i, n) - lanesSign(gk) * s).store(p, i, n)
        gk.store(prev, i, n)
    }
}

extension Rprop: BuiltinOptimizer {
    public static let registryOrder = 120
    public static var registered: [any OptimizerAlgorithm] { [Rprop()] }
}
