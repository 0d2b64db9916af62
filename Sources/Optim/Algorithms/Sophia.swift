#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Sophia (Liu et al. 2023, "Sophia: A Scalable Stochastic Second-order Optimizer for Language
/// Model Pre-training", arXiv:2305.14342) as optax 0.2.8's `optax.contrib.sophia`: the Hessian
/// diagonal by Hutchinson's estimator with Rademacher probes r, h = r ⊙ (H·r), every
/// `update_interval` steps (at steps 1, 1 + k, ...), from the gradients' graph.
///
/// Per step t (per parameter; g after `maximize`): m ← (1 − β1)·g + β1·m; m̂ = m/(1 − β1^t);
/// u = clip(m̂/max(γ·ν, ε), ±clip_threshold) with ν *before* this step's Hessian update;
/// θ ← θ − lr·(u + λθ); then, on a Hessian step, ν ← (1 − β2)·h + β2·ν.
///
/// On a Hessian step the parameters' gradients must carry their graph (the script's
/// `loss:backward{create_graph = true}`): H·r is the gradient of Σ g·r with respect to the
/// parameters (`autograd.hvp`'s double backward), over every parameter with a gradient at once.
/// The probes come from descent's counter-based generator keyed by the `seed` option, the step
/// and the parameter's position; `probe` (Swift) replaces them (the parity tests feed optax the
/// same vectors).
///
/// ```swift
/// let opt = try Optimizer(Sophia(), params: ps, options: ["lr": .number(1e-3)])
/// // loss with graph; grads through backward(createGraph: true); then
/// try opt.step()
/// ```
public struct Sophia: OptimizerAlgorithm {
    /// The probe for the parameter at `position` (0-based over all groups) on Hessian update
    /// number `update` (0 for step 1, 1 for step 1 + update_interval, ...).
    public typealias Probe = @Sendable (_ update: Int, _ position: Int, _ shape: [Int]) throws -> Tensor

    public let name = "Sophia"
    public let probe: Probe?
    public let spec = OptionTable(algorithm: "Sophia", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.965, 0.99), check: OptionSpec.betaPair),
        OptionSpec("eps", .number(1e-8), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(1e-4), check: OptionSpec.nonNegative),
        OptionSpec("gamma", .number(0.01), check: OptionSpec.nonNegative),
        OptionSpec("clip_threshold", .number(1), check: OptionSpec.nonNegative),
        OptionSpec("update_interval", .number(10), check: OptionSpec.positiveCount),
        OptionSpec("seed", .number(0), check: OptionSpec.count),
        OptionSpec("maximize", .bool(false)),
    ])

    public init(probe: Probe? = nil) { self.probe = probe }

    /// A Rademacher vector (±1) from Philox, keyed by seed, update number and position: element
    /// i takes bit 0 of word i % 4 of the block at counter i / 4 (blocks in parallel chunks).
    static func rademacher(seed: Int, update: Int, position: Int, shape: [Int]) throws -> Tensor {
        let t = try Tensor(uninitializedShape: shape)
        let key = UInt64(seed) ^ (UInt64(update + 1) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(position + 1) &* 0xD1B5_4A32_D192_ED03)
        let p = t.pointer, count = t.count
        Parallel.forEachChunk(count: (count + 3) / 4) { blocks in
            for b in blocks {
                let (w0, w1, w2, w3) = Generator.block(seed: key, counter: UInt64(b))
                let i = 4 * b
                p[i] = w0 & 1 == 0 ? 1 : -1
                if i + 1 < count { p[i + 1] = w1 & 1 == 0 ? 1 : -1 }
                if i + 2 < count { p[i + 2] = w2 & 1 == 0 ? 1 : -1 }
                if i + 3 < count { p[i + 3] = w3 & 1 == 0 ? 1 : -1 }
            }
        }
        return t
    }

    public func prepareStep(_ optimizer: Optimizer) throws {
        var params: [Tensor] = [], grads: [Tensor] = []
        var keys: [(update: Int, position: Int, seed: Int)] = []
        var needs: [(g: Int, i: Int, k: Int)] = []
        var position = 0
        for (g, group) in optimizer.groups.enumerated() {
            let interval = max(1, group.options.integer("update_interval"))
            for (i, p) in group.params.enumerated() {
                defer { position += 1 }
                guard let grad = p.grad else { continue }
                // A mismatched gradient is the step's error (Optimizer.stepParameters): store no
                // estimate that a failed step would leave behind.
                guard grad.shape == p.shape else { return }
                let done = optimizer.states[g][i]?.step ?? 0
                if done % interval == 0 { needs.append((g, i, params.count)) }
                params.append(p)
                grads.append(grad)
                keys.append((done / interval, position, group.options.integer("seed")))
            }
        }
        guard !needs.isEmpty else { return }
        for (g, i, k) in needs where grads[k].gradFn == nil {
            let label = optimizer.groups[g].names.map { "'\($0[i])'" } ?? "\(i + 1) of group \(g + 1)"
            throw TensorError("Sophia: this step updates the Hessian estimate, which needs the gradients' graph, but the gradient of parameter \(label) has none: compute it with loss:backward{create_graph = true}")
        }
        // Probes only on a Hessian step (drawing 10M of them took 60 ms: every step paid it).
        let probes = try zip(params, keys).map { p, key in
            try probe?(key.update, key.position, p.shape)
                ?? Sophia.rademacher(seed: key.seed, update: key.update, position: key.position, shape: p.shape)
        }
        let hv: [Tensor?] = try GradMode.withGrad {
            var total: Tensor? = nil
            for (g, r) in zip(grads, probes) where g.gradFn != nil {
                let term = try g.mul(r).sum()
                total = try total.map { try $0.add(term) } ?? term
            }
            guard let total else { return [] }
            return try Autograd.grad(outputs: [total], inputs: params, allowUnused: true)
        }
        for (g, i, k) in needs {
            let state: ParamState
            if let s = optimizer.states[g][i] { state = s } else {
                state = ParamState()
                optimizer.states[g][i] = state
            }
            let h = try Tensor(uninitializedShape: params[k].shape)
            if k < hv.count, let product = hv[k] {
                let v = try product.contiguousData().pointer, r = probes[k].pointer
                for e in 0..<h.count { h.pointer[e] = v[e] * r[e] }
            } else {
                h.pointer.initialize(repeating: 0, count: h.count)
            }
            state.buffers[Sophia.hessianKey] = h
        }
    }

    /// This step's Hessian-diagonal estimate, consumed by `update` (never saved).
    static let hessianKey = "_hessian"

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let (b1, b2) = o.pair("betas")
        for item in items {
            let m = try item.state.buffer("exp_avg", like: item.param)
            let nu = try item.state.buffer("hessian_moment", like: item.param)
            let h = item.state.buffers.removeValue(forKey: Sophia.hessianKey)
            SophiaKernel(p: item.param.pointer, g: item.grad.pointer, m: m.pointer, nu: nu.pointer,
                         h: h?.pointer ?? nu.pointer, hessian: h != nil, sign: gradSign,
                         b1: Float(b1), c1: Float(1 - b1), bc1: Float(1 - pow(b1, Double(item.state.step))),
                         b2: Float(b2), c2: Float(1 - b2), gamma: Float(o.number("gamma")), eps: Float(o.number("eps")),
                         clip: Float(o.number("clip_threshold")), wd: Float(o.number("weight_decay")), nlr: Float(-o.number("lr")))
                .run(count: item.param.count)
        }
    }
}

/// One fused Sophia step: the moment, the clipped ratio with the old ν, decay, the step, then ν.
struct SophiaKernel: LaneKernel {
    let p, g, m, nu, h: UnsafeMutablePointer<Float>
    let hessian: Bool
    let sign, b1, c1, bc1, b2, c2, gamma, eps, clip, wd, nlr: Float

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let gi = sign * Lanes(g, i, n), pi = Lanes(p, i, n), nui = Lanes(nu, i, n)
        let mi = c1 * gi + b1 * Lanes(m, i, n)
        mi.store(m, i, n)
        let scaled = gamma * nui
        let denom = scaled.replacing(with: eps, where: scaled .< eps)
        var u = (mi / bc1) / denom
        u = u.replacing(with: clip, where: u .> clip).replacing(with: -clip, where: u .< -clip)
        (pi + nlr * (u + wd * pi)).store(p, i, n)
        if hessian { (c2 * Lanes(h, i, n) + b2 * nui).store(nu, i, n) }
    }
}

extension Sophia: BuiltinOptimizer {
    public static let registryOrder = 229
    public static var registered: [any OptimizerAlgorithm] { [Sophia()] }
}

extension Optimizer {
    /// Whether `step` needs gradients that carry their graph (`backward(createGraph: true)`):
    /// Sophia's Hessian estimate, also inside a wrapper or a combined optimizer.
    public var requiresGradientGraph: Bool {
        if let w = wrapper { return w.inner.requiresGradientGraph }
        if let c = algorithm as? Combined { return c.children.contains { $0.requiresGradientGraph } }
        return algorithm is Sophia
    }
}
