#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Schedule-free AdamW and SGD (Defazio et al. 2024) as optax 0.2.8's
/// `optax.contrib.schedule_free_adamw` / `schedule_free_sgd`.
///
/// The parameters hold the gradient point y during training; the state holds z (the base
/// optimizer's iterate). Per step t, with lr_t = lr·min(t, W)/W under `warmup_steps` W > 0:
/// u = g/(sqrt(v̂) + ε) + λy (AdamW; v ← (1 − β2)·g² + β2·v, v̂ = v/(1 − β2^t)) or u = g + λy
/// (SGD); z' = z − lr_{t−1}·u (optax's base optimizer counts its schedule from 0);
/// L = max(L, lr_t), w = L^p, W_t = W_{t−1} + w, c = w/W_t (0 when W_t = 0);
/// x = (y − (1 − β1)·z)/β1; x' = (1 − c)·x + c·z'; y ← β1·x' + (1 − β1)·z'.
/// `opt:eval()` puts x into the parameters, `opt:train()` puts y back; stepping in eval mode is
/// an error.
///
/// ```swift
/// let opt = try Optimizer(ScheduleFree(.adamW), params: params, options: ["lr": .number(2.5e-3)])
/// try opt.step(); try opt.eval()   // parameters hold x
/// ```
public struct ScheduleFree: EvaluationPointAlgorithm {
    public enum Variant: Sendable { case adamW, sgd }

    public let variant: Variant
    public let name: String
    public let spec: OptionTable

    public var buildName: String { variant == .adamW ? "schedule_free_adamw" : "schedule_free_sgd" }

    public init(_ variant: Variant = .adamW) {
        self.variant = variant
        name = variant == .adamW ? "ScheduleFreeAdamW" : "ScheduleFreeSGD"
        let interpolation: [OptionSpec] = variant == .adamW
            ? [OptionSpec("betas", .pair(0.9, 0.999), check: OptionSpec.betaPair),
               OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative)]
            : [OptionSpec("momentum", .number(0.9), check: OptionSpec.inRange(0, 1))]
        spec = OptionTable(algorithm: name, specs: [
            OptionSpec("lr", .number(variant == .adamW ? 2.5e-3 : 1), check: OptionSpec.nonNegative),
        ] + interpolation + [
            OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
            OptionSpec("warmup_steps", .number(0), check: OptionSpec.count),
            OptionSpec("weight_lr_power", .number(2)),
            OptionSpec("maximize", .bool(false)),
        ], crossCheck: { o in
            let b1 = variant == .adamW ? o.pair("betas").0 : o.number("momentum")
            guard b1 > 0, b1 < 1 else {
                return "\(variant == .adamW ? "betas[1]" : "momentum") (the interpolation weight β1) must be in (0, 1), got \(formatOption(b1))"
            }
            return nil
        })
    }

    func beta1(_ o: Options) -> Double { variant == .adamW ? o.pair("betas").0 : o.number("momentum") }

    public func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws {
        try copyBuffer(state, "z", from: param)
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        try checkTrainMode(items, group: group, name: name)
        let o = group.options
        let lr = o.number("lr"), b1 = beta1(o), warmup = Double(o.integer("warmup_steps"))
        func scheduled(_ t: Double) -> Double { warmup > 0 ? lr * min(t, warmup) / warmup : lr }
        let adam = variant == .adamW
        let b2 = adam ? o.pair("betas").1 : 0
        for item in items {
            let t = Double(item.state.step)
            let maxLR = max(item.state.scalars["max_lr"] ?? 0, scheduled(t))
            let weight = pow(maxLR, o.number("weight_lr_power"))
            let total = (item.state.scalars["weight_sum"] ?? 0) + weight
            let ck = weight.isNaN || total.isNaN ? Double.nan : (total == 0 ? 0 : weight / total)
            item.state.scalars["max_lr"] = maxLR
            item.state.scalars["weight_sum"] = total
            let z = try item.state.buffer("z", like: item.param)
            let v = adam ? try item.state.buffer("exp_avg_sq", like: item.param) : z
            ScheduleFreeKernel(
                y: item.param.pointer, g: item.grad.pointer, z: z.pointer, v: v.pointer, sign: gradSign, adam: adam,
                b2: Float(b2), c2: Float(1 - b2), bc2: Float(1 - pow(b2, t)), eps: Float(adam ? o.number("eps") : 0),
                wd: Float(o.number("weight_decay")), nlr: Float(-scheduled(t - 1)),
                b1: Float(b1), c1: Float(1 - b1), ck: Float(ck), keep: Float(1 - ck))
                .run(count: item.param.count)
        }
    }

    public func toEval(_ param: Tensor, state: ParamState, group: ParamGroup) throws {
        guard let z = state.buffers["z"], z.count == param.count else { return }
        let b1 = Float(beta1(group.options))
        SwapKernel(p: param.pointer, z: z.pointer, a: 1 / b1, b: -(1 - b1) / b1, toEval: true, b1: b1, c1: 1 - b1)
            .run(count: param.count)
    }

    public func toTrain(_ param: Tensor, state: ParamState, group: ParamGroup) throws {
        guard let z = state.buffers["z"], z.count == param.count else { return }
        let b1 = Float(beta1(group.options))
        SwapKernel(p: param.pointer, z: z.pointer, a: b1, b: 1 - b1, toEval: false, b1: b1, c1: 1 - b1)
            .run(count: param.count)
    }
}

/// One fused schedule-free step over y (the parameter), g, z and v (AdamW).
struct ScheduleFreeKernel: LaneKernel {
    let y, g, z, v: UnsafeMutablePointer<Float>
    let adam: Bool
    // Splatted once here rather than per block: with ten scalar fields splatted in `apply`, LLVM's
    // SLP vectorizer packed the fields themselves into vectors and rebuilt the lanes with
    // shuffles and scalar arithmetic (a 1M step took 3x Adam's).
    let sign, b2, c2, bc2, eps, wd, nlr, b1, c1, ck, keep, invB1: Lanes

    init(y: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, z: UnsafeMutablePointer<Float>,
         v: UnsafeMutablePointer<Float>, sign: Float, adam: Bool, b2: Float, c2: Float, bc2: Float, eps: Float,
         wd: Float, nlr: Float, b1: Float, c1: Float, ck: Float, keep: Float) {
        (self.y, self.g, self.z, self.v, self.adam) = (y, g, z, v, adam)
        (self.sign, self.b2, self.c2, self.bc2) = (Lanes(repeating: sign), Lanes(repeating: b2), Lanes(repeating: c2), Lanes(repeating: bc2))
        (self.eps, self.wd, self.nlr) = (Lanes(repeating: eps), Lanes(repeating: wd), Lanes(repeating: nlr))
        (self.b1, self.c1, self.ck, self.keep) = (Lanes(repeating: b1), Lanes(repeating: c1), Lanes(repeating: ck), Lanes(repeating: keep))
        // × 1/β1, not ÷ β1: one divide per lane fewer (the result moves by at most an ulp of x,
        // well inside the reference tolerance).
        invB1 = Lanes(repeating: 1 / b1)
    }

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), yi = Lanes(y, i, n), zOld = Lanes(z, i, n)
        var u = gi
        if adam {
            let vi = c2 * (gi * gi) + b2 * Lanes(v, i, n)
            vi.store(v, i, n)
            u = gi * (1 / (lanesSqrt(vi / bc2) + eps))
        }
        u = u + wd * yi
        let zNew = zOld + nlr * u
        zNew.store(z, i, n)
        let x = (yi - c1 * zOld) * invB1
        let xNew = keep * x + ck * zNew
        (b1 * xNew + c1 * zNew).store(y, i, n)
    }
}

struct SwapKernel: LaneKernel {
    let p, z: UnsafeMutablePointer<Float>
    let a, b: Float
    let toEval: Bool
    let b1, c1: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n), zi = Lanes(z, i, n)
        (toEval ? (pi - c1 * zi) / b1 : b1 * pi + c1 * zi).store(p, i, n)
    }
}

extension ScheduleFree: BuiltinOptimizer {
    public static let registryOrder = 211
    public static var registered: [any OptimizerAlgorithm] { [ScheduleFree(.adamW), ScheduleFree(.sgd)] }
}
