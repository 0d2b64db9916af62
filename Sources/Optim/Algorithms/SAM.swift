import Tensors

/// Sharpness-aware minimisation (Foret et al. 2021) over any per-parameter base optimizer, as
/// pytorch-optimizer 4.1.0's `SAM` (`adaptive = true`: ASAM, Kwon et al. 2021). Each step takes
/// a closure and calls it twice: at θ (the gradient g, and the loss `step` returns), then at
/// θ + e with e = ρ·w²·g/(‖w·g‖ + ε) per parameter (w = |θ| with `adaptive`, else 1; the norm over
/// every parameter with a gradient, ε = `perturb_eps`); θ is put back and the base optimizer
/// steps with the gradient taken at θ + e. Options: `base` (an `optim.build` name, "sgd" by
/// default), `rho`, `adaptive`, `perturb_eps`, `use_gc` (e from the centralised gradient), and
/// the base optimizer's own options.
///
/// pytorch-optimizer expects the first gradient to be computed before `step(closure)`; here the
/// closure computes it (so `opt:step(closure)` is all a loop needs, as for LBFGS).
///
/// ```swift
/// let opt = try Optimizers.build(name: "sam", params: ps, options: ["base": .string("adamw"), "rho": .number(0.05)])
/// let loss = try opt.step { try lossAndGradients() }
/// ```
public struct SAM: WholeStepAlgorithm {
    public let base: any OptimizerAlgorithm
    public let name = "SAM"
    public let spec: OptionTable

    public var buffersMatchParamShape: Bool { base.buffersMatchParamShape }

    public init(base: any OptimizerAlgorithm = SGD()) {
        self.base = base
        let baseName = base.buildName
        let baseCheck = base.spec.crossCheck
        spec = OptionTable(algorithm: "SAM", specs: base.spec.specs + [
            OptionSpec("base", .string(baseName)),
            OptionSpec("rho", .number(0.05), check: OptionSpec.nonNegative),
            OptionSpec("adaptive", .bool(false)),
            OptionSpec("perturb_eps", .number(1e-12), check: OptionSpec.nonNegative),
            OptionSpec("use_gc", .bool(false)),
        ], crossCheck: { o in
            guard o.string("base").lowercased() == baseName || o.string("base").lowercased() == base.name.lowercased() else {
                return "option 'base' is the optimizer's (\(baseName)); a parameter group cannot change it, got \"\(o.string("base"))\""
            }
            return baseCheck?(o)
        })
    }

    /// SAM over the base named by `options["base"]` (default "sgd").
    public func resolved(options: [String: OptionValue]) throws -> any OptimizerAlgorithm {
        guard let given = options["base"] else { return self }
        guard case .string(let name) = given else {
            throw TensorError("SAM: option 'base' expected the name of an optimizer (a string), got \(given.kind.name)")
        }
        guard OptimizerRegistry.builtins.contains(name) else {
            throw TensorError("SAM: option 'base' expected a built-in optimizer's name (valid: \(OptimizerRegistry.builtins.names.joined(separator: ", "))), got \"\(name)\"")
        }
        let b = try OptimizerRegistry.builtins.algorithm(named: name)
        if b is any WholeStepAlgorithm || b is any EvaluationPointAlgorithm {
            throw TensorError("SAM: option 'base' expected an optimizer that updates each parameter from its gradient, got \"\(name)\" (\(b.name))")
        }
        return SAM(base: b)
    }

    public func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws {
        try base.initState(state, param: param, group: group)
    }

    public func checkGroups(_ groups: [ParamGroupSpec]) throws { try base.checkGroups(groups) }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        try base.update(items, group: group, gradSign: gradSign)
    }

    public func step(_ optimizer: Optimizer, closure: () throws -> Double) throws -> Double {
        let loss = try closure()
        // ‖w·g‖ over every parameter with a gradient (float32 squares as pytorch-optimizer's
        // norms, summed in Double).
        var sumSquares = 0.0
        for group in optimizer.groups {
            let adaptive = group.options.bool("adaptive")
            for p in group.params {
                guard let g = p.grad else { continue }
                guard g.shape == p.shape else {
                    throw TensorError("SAM: gradient of shape \(describe(shape: g.shape)) for a parameter of shape \(describe(shape: p.shape))")
                }
                sumSquares += SAMNormKernel(p: p.pointer, g: try g.contiguousData().pointer, adaptive: adaptive)
                    .sums(count: p.count).0
            }
        }
        let norm = sumSquares.squareRoot() + optimizer.defaults.number("perturb_eps")
        // Perturb, keeping the old values in the optimizer's work space; restore them on any error.
        var saved: [(Tensor, Tensor)] = []
        func restore() {
            for (p, old) in saved { CopyKernel(x: old.pointer, y: p.pointer).run(count: p.count) }
            saved = []
        }
        do {
            for group in optimizer.groups {
                let adaptive = group.options.bool("adaptive")
                let scale = Float(group.options.number("rho") / norm)
                let centralize = group.options.bool("use_gc")
                for p in group.params {
                    guard let g = p.grad else { continue }
                    // Gradient centralisation (pytorch-optimizer's `centralize_gradient`): each
                    // slice along dim 0 of a tensor with 2+ dims loses its mean; after the norm.
                    let gc = centralize && p.shape.count > 1 ? try SAM.centralized(g) : try g.contiguousData()
                    let old = try optimizer.workspace(for: p)
                    SAMPerturbKernel(p: p.pointer, g: gc.pointer, old: old.pointer, scale: scale, adaptive: adaptive)
                        .run(count: p.count)
                    saved.append((p, old))
                }
            }
            optimizer.zeroGrad()
            _ = try closure()
        } catch {
            restore()
            throw error
        }
        restore()
        try optimizer.stepParameters()
        return loss
    }
}

/// Σ (w·g)² of one parameter, w = |θ| with `adaptive`, else 1.
struct SAMNormKernel: LaneReduction {
    let p, g: UnsafeMutablePointer<Float>
    let adaptive: Bool

    @inline(__always)
    func reduce(_ i: Int, _ n: Int) -> (Lanes, Lanes) {
        let gi = Lanes(g, i, n)
        let x = adaptive ? gi * lanesAbs(Lanes(p, i, n)) : gi
        return (x * x, Lanes(repeating: 0))
    }
}

/// old ← θ; θ ← θ + w·g·scale (w = θ² with `adaptive`, else 1): the perturbation, in one pass.
struct SAMPerturbKernel: LaneKernel {
    let p, g, old: UnsafeMutablePointer<Float>
    let scale: Float
    let adaptive: Bool

    @inline(__always)
    func apply(_ i: Int, _ n: Int) {
        let pi = Lanes(p, i, n), gi = Lanes(g, i, n)
        pi.store(old, i, n)
        (pi + (adaptive ? pi * pi * gi : gi) * scale).store(p, i, n)
    }
}

extension SAM {
    /// A copy of `g` with the mean of each slice along dim 0 subtracted (summed in Double).
    static func centralized(_ g: Tensor) throws -> Tensor {
        let out = try cloneData(g)
        let rows = g.shape[0], n = rows == 0 ? 0 : g.count / rows
        for r in 0..<rows where n > 0 {
            let row = out.pointer + r * n
            var sum = 0.0
            for i in 0..<n { sum += Double(row[i]) }
            let mean = Float(sum / Double(n))
            for i in 0..<n { row[i] -= mean }
        }
        return out
    }
}

extension SAM: BuiltinOptimizer {
    public static let registryOrder = 230
    public static var registered: [any OptimizerAlgorithm] { [SAM()] }
}
