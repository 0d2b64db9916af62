#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Shampoo (Gupta et al. 2018; Anil et al. 2020, "Scalable Second Order Optimization for Deep
/// Learning") as pytorch-optimizer 4.1.0's `ScalableShampoo`: blocked Kronecker-factored
/// preconditioning with layer-wise grafting, delayed start and infrequent inverse roots.
///
/// The gradient g is reshaped (`shape_interpretation`: pytorch-optimizer's merge_small_dims with
/// `block_size`) and cut into blocks of at most `block_size` per dimension. Each block keeps, for
/// each preconditioned dimension k (`pre_conditioner_type`), statistics L_k ← β2·L_k +
/// (1 − β2)·G_(k)G_(k)ᵀ (every `statistics_compute_steps` steps; L_k starts at `matrix_eps`·I)
/// and a preconditioner P_k = L_k^(−1/e) (every `preconditioning_compute_steps` steps; I before),
/// e = `inverse_exponent_override`, or 2·(number of preconditioned dims). The Shampoo direction
/// is the block contracted with every P_k. The graft (`graft_type`: "sgd" g, "adagrad"
/// g/(sqrt(Σg²) + `diagonal_eps`), "rmsprop" g/(sqrt(EMA_β2 g²) + ε), "sqrtn" sign(g), "none")
/// gives the norm: s = shampoo·‖graft‖/(‖shampoo‖ + 1e-16). Weight decay λθ is added to both
/// (or θ ← θ(1 − lr·λ) with `decoupled_weight_decay`); m ← β1·m + s (lerp with
/// `moving_average_for_momentum`), the graft's own momentum likewise; before
/// `start_preconditioning_step` the graft's momentum is used; `nesterov` adds β1·m + s again.
/// θ ← θ − lr·update (`decoupled_learning_rate`; otherwise lr multiplies s and the graft instead).
///
/// Difference from pytorch-optimizer: inverse roots come from a symmetric eigendecomposition
/// (LAPACK dsyevd through `Linalg.eigh`), V·diag(|λ|^(−1/e))·Vᵀ, which is its `use_svd = true`
/// path; its default (`use_svd = false`) is a coupled Schur–Newton iteration that stops at a
/// 1e-3 residual and adds a ridge of `matrix_eps`·λmax (λmax from a random power iteration).
///
/// ```swift
/// let opt = try Optimizer(Shampoo(), params: params, options: ["block_size": .number(128)])
/// ```
public struct Shampoo: OptimizerAlgorithm {
    public let name = "Shampoo"
    static let grafts = ["none", "sgd", "adagrad", "rmsprop", "sqrtn"]
    static let types = ["all", "input", "output"]
    public let spec = OptionTable(algorithm: "Shampoo", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("betas", .pair(0.9, 0.999), check: { v in
            if case .pair(let a, let b) = v, a >= 0, a < 1, b >= 0, b <= 1 { return nil }
            return "a pair {beta1, beta2} with beta1 in [0, 1) and beta2 in [0, 1]"
        }),
        OptionSpec("moving_average_for_momentum", .bool(false)),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("decoupled_weight_decay", .bool(false)),
        OptionSpec("decoupled_learning_rate", .bool(true)),
        OptionSpec("inverse_exponent_override", .number(0), check: OptionSpec.count),
        OptionSpec("start_preconditioning_step", .number(25), check: OptionSpec.positiveCount),
        OptionSpec("preconditioning_compute_steps", .number(1000), check: OptionSpec.positiveCount),
        OptionSpec("statistics_compute_steps", .number(1), check: OptionSpec.positiveCount),
        OptionSpec("block_size", .number(512), check: OptionSpec.positiveCount),
        OptionSpec("skip_preconditioning_rank_lt", .number(1), check: OptionSpec.count),
        OptionSpec("no_preconditioning_for_layers_with_dim_gt", .number(8192), check: OptionSpec.count),
        OptionSpec("shape_interpretation", .bool(true)),
        OptionSpec("graft_type", .string("sgd"), check: OptionSpec.oneOf(grafts)),
        OptionSpec("pre_conditioner_type", .string("all"), check: OptionSpec.oneOf(types)),
        OptionSpec("nesterov", .bool(true)),
        OptionSpec("diagonal_eps", .number(1e-10), check: OptionSpec.nonNegative),
        OptionSpec("matrix_eps", .number(1e-6), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    /// Statistics and preconditioners are matrices.
    public var buffersMatchParamShape: Bool { false }

    public init() {}

    /// How one parameter is preconditioned: the interpreted shape, its blocks, which dims.
    struct Layout {
        let shape: [Int]
        let blocks: [MatrixPreconditioning.Block]
        let dims: [Bool]
        let rank: Int
        let exponent: Int
        var active: Bool { !blocks.isEmpty && rank > 0 }
    }

    static func layout(_ paramShape: [Int], _ o: Options) -> Layout {
        let blockSize = o.integer("block_size")
        let shape = o.bool("shape_interpretation") ? MatrixPreconditioning.mergeSmallDims(paramShape, blockSize) : paramShape
        let dims: [Bool]
        switch o.string("pre_conditioner_type") {
        case "input" where shape.count > 1: dims = Array(repeating: true, count: shape.count - 1) + [false]
        case "output" where shape.count > 1: dims = Array(repeating: false, count: shape.count - 1) + [true]
        default: dims = Array(repeating: true, count: shape.count)
        }
        let rank = dims.filter { $0 }.count
        let override = o.integer("inverse_exponent_override")
        let skip = paramShape.count < o.integer("skip_preconditioning_rank_lt")
            || paramShape.contains { $0 > o.integer("no_preconditioning_for_layers_with_dim_gt") }
        let blocks = shape.count > 1 && !skip ? MatrixPreconditioning.blocks(shape, blockSize: blockSize) : []
        return Layout(shape: shape, blocks: blocks, dims: dims, rank: rank, exponent: override > 0 ? override : 2 * rank)
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), (b1, b2) = o.pair("betas"), wd = o.number("weight_decay")
        let average = o.bool("moving_average_for_momentum"), nesterov = o.bool("nesterov")
        let decoupledLR = o.bool("decoupled_learning_rate"), decoupledWD = o.bool("decoupled_weight_decay")
        let graftType = o.string("graft_type"), diagEps = Float(o.number("diagonal_eps"))
        let matrixEps = Float(o.number("matrix_eps"))
        let preMultiplier = Float(decoupledLR ? 1 : lr), momentumMultiplier = Float(decoupledLR ? lr : 1)
        let w = Float(average ? 1 - b1 : 1), fb1 = Float(b1), fb2 = Float(b2)
        let w2 = Float(b2 == 1 ? 1 : 1 - b2)
        for item in items {
            let t = item.state.step, count = item.param.count
            let layout = Self.layout(item.param.shape, o)
            let p = item.param.pointer, gIn = item.grad.pointer
            let gradT = try Tensor(uninitializedShape: [count]), graftT = try Tensor(uninitializedShape: [count])
            let shampooT = try Tensor(uninitializedShape: [count])
            let g = gradT.pointer, graft = graftT.pointer, sh = shampooT.pointer
            for i in 0..<count { g[i] = gradSign * gIn[i] }

            // The graft's statistics, then its direction (times the coupled learning rate).
            switch graftType {
            case "adagrad", "rmsprop":
                let s = try MatrixPreconditioning.like(item.state, "graft_statistics", item.param, algorithm: name).pointer
                for i in 0..<count {
                    s[i] = graftType == "adagrad" ? s[i] + g[i] * g[i] : s[i] * fb2 + g[i] * g[i] * (1 - fb2)
                    graft[i] = g[i] / (s[i].squareRoot() + diagEps) * preMultiplier
                }
            case "sqrtn":
                for i in 0..<count { graft[i] = (g[i] > 0 ? 1 : g[i] < 0 ? -1 : 0) * preMultiplier }
            default:
                for i in 0..<count { graft[i] = g[i] * preMultiplier }
            }

            if layout.active {
                try applyPreconditioner(g, layout: layout, state: item.state, step: t, options: o, w2: w2, beta2: fb2, eps: matrixEps, out: sh)
                for i in 0..<count { sh[i] *= preMultiplier }
            } else {
                sh.update(from: graft, count: count)
            }
            if graftType != "none" {
                var gn = 0.0, sn = 0.0
                for i in 0..<count {
                    gn += Double(graft[i]) * Double(graft[i])
                    sn += Double(sh[i]) * Double(sh[i])
                }
                let scale = Float(gn.squareRoot()) / (Float(sn.squareRoot()) + 1e-16)
                for i in 0..<count { sh[i] *= scale }
            }

            let decay = Float(decoupledWD ? 1 - lr * wd : 1), l2 = Float(decoupledWD ? 0 : wd)
            let m = try MatrixPreconditioning.like(item.state, "momentum", item.param, algorithm: name).pointer
            let gm = try MatrixPreconditioning.like(item.state, "graft_momentum", item.param, algorithm: name).pointer
            let preconditioning = t >= o.integer("start_preconditioning_step")
            let step = -momentumMultiplier
            for i in 0..<count {
                let s = sh[i] + l2 * p[i], gr = graft[i] + l2 * p[i]
                let mi = average ? lerp(m[i], s, w) : m[i] * fb1 + s
                m[i] = mi
                let gmi = gm[i] * fb1 + gr * w
                gm[i] = gmi
                var u = preconditioning ? mi : gmi
                if nesterov {
                    let extra = preconditioning ? s : gr
                    u = average ? lerp(u, extra, w) : u * fb1 + extra
                }
                p[i] = p[i] * decay + step * u
            }
        }
    }

    /// Accumulates the statistics (every `statistics_compute_steps`), recomputes the inverse
    /// roots (every `preconditioning_compute_steps`) and writes the preconditioned `g` to `out`.
    func applyPreconditioner(
        _ g: UnsafeMutablePointer<Float>, layout: Layout, state: ParamState, step t: Int, options o: Options,
        w2: Float, beta2: Float, eps: Float, out: UnsafeMutablePointer<Float>
    ) throws {
        let largest = layout.blocks.map(\.count).max() ?? 0
        let blockT = try Tensor(uninitializedShape: [largest]), scratchT = try Tensor(uninitializedShape: [largest])
        let block = blockT.pointer, scratch = scratchT.pointer
        // Statistics and preconditioner buffers, in pytorch-optimizer's order (block j, dim i).
        var stats: [Tensor] = [], pres: [Tensor] = []
        for b in layout.blocks {
            for (axis, on) in layout.dims.enumerated() where on {
                let k = stats.count, d = b.sizes[axis]
                stats.append(try MatrixPreconditioning.matrix(state, "statistics_\(k)", d, diagonal: eps, algorithm: name))
                pres.append(try MatrixPreconditioning.matrix(state, "preconditioner_\(k)", d, diagonal: 1, algorithm: name))
            }
        }
        if t % o.integer("statistics_compute_steps") == 0 {
            var k = 0
            for b in layout.blocks {
                MatrixPreconditioning.copyBlock(b, shape: layout.shape, g, block, scatter: false)
                for (axis, on) in layout.dims.enumerated() where on {
                    let d = b.sizes[axis]
                    MatrixPreconditioning.moveAxisToFront(block, shape: b.sizes, axis: axis, scratch)
                    try MatrixPreconditioning.accumulateGram(scratch, d: d, r: b.count / Swift.max(d, 1), alpha: w2, beta: beta2, stats[k].pointer)
                    k += 1
                }
            }
        }
        if t % o.integer("preconditioning_compute_steps") == 0 {
            let power = Double(layout.exponent)
            try MatrixPreconditioning.eighEach(stats) { i, w, v in
                try MatrixPreconditioning.inverseRoot(w, v, n: stats[i].shape[0], power: power, pres[i].pointer)
            }
        }
        var k = 0
        for b in layout.blocks {
            MatrixPreconditioning.copyBlock(b, shape: layout.shape, g, block, scatter: false)
            var cur = block, next = scratch
            let n = b.count
            for (axis, on) in layout.dims.enumerated() {
                let d = b.sizes[axis]
                try MatrixPreconditioning.contractFirst(cur, d: d, rest: n / Swift.max(d, 1), on ? UnsafePointer(pres[k].pointer) : nil, transposeM: false, next)
                if on { k += 1 }
                swap(&cur, &next)
            }
            MatrixPreconditioning.copyBlock(b, shape: layout.shape, out, cur, scatter: true)
        }
    }
}

/// PyTorch's scalar-weight `lerp` on one float.
@inline(__always)
private func lerp(_ a: Float, _ b: Float, _ w: Float) -> Float {
    w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}

extension Shampoo: BuiltinOptimizer {
    public static let registryOrder = 214
    public static var registered: [any OptimizerAlgorithm] { [Shampoo()] }
}
