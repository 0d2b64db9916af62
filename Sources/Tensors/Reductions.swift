#if canImport(Glibc)
import Glibc
#endif

/// Sums, means, variances, products and norms, over all elements or along dims, with gradients.
/// Dims are 0-based (negative from the end); over all elements the result is 0-d.
/// Summation is in Double, in an order that does not depend on the thread count.
extension Tensor {
    /// Sum of all elements (0-d; 0 for an empty tensor).
    ///
    /// ```swift
    /// try Tensor([1, 2, 3], shape: [3]).sum().item()   // 6
    /// ```
    public func sum() throws -> Tensor { try sum(dims: [], keepdim: false) }

    /// Sum along `dim`.
    ///
    /// ```swift
    /// try Tensor.ones([2, 3]).sum(dim: 1).toArray()   // [3, 3]
    /// ```
    public func sum(dim: Int, keepdim: Bool = false) throws -> Tensor { try sum(dims: [dim], keepdim: keepdim) }

    /// Sum along several dims (all dims when `dims` is empty).
    ///
    /// ```swift
    /// try Tensor.ones([2, 3, 4]).sum(dims: [0, 2]).toArray()   // [8, 8, 8]
    /// ```
    public func sum(dims: [Int], keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDims(dims, op: "sum")
        let out = try sumRaw(ds, keepdim: keepdim, mean: false)
        let shape = self.shape, rank = dim
        let kept = reducedShape(ds, keepdim: true)
        return Tensor.record("sum", out, [self]) { g in
            if GradMode.isEnabled { return [try g.reshape(kept).expand(shape)] }
            return [try GradMode.withoutGrad { try g.keptDims(ds, keepdim: keepdim, rank: rank).broadcastCopy(to: shape) }]
        }
    }

    /// Mean of all elements (0-d; nan for an empty tensor).
    ///
    /// ```swift
    /// try Tensor([1, 2, 3], shape: [3]).mean().item()   // 2
    /// ```
    public func mean() throws -> Tensor { try mean(dims: [], keepdim: false) }

    /// Mean along `dim`.
    public func mean(dim: Int, keepdim: Bool = false) throws -> Tensor { try mean(dims: [dim], keepdim: keepdim) }

    /// Mean along several dims (all dims when `dims` is empty).
    public func mean(dims: [Int], keepdim: Bool = false) throws -> Tensor {
        let ds = try reductionDims(dims, op: "mean")
        let out = try sumRaw(ds, keepdim: keepdim, mean: true)
        let shape = self.shape, rank = dim
        let scale = Float(1 / Double(ds.reduce(1) { $0 * shape[$1] }))
        let kept = reducedShape(ds, keepdim: true)
        return Tensor.record("mean", out, [self]) { g in
            if GradMode.isEnabled { return [try g.reshape(kept).expand(shape).mul(scale)] }
            return [try GradMode.withoutGrad { try Tensor.ewMap(g.keptDims(ds, keepdim: keepdim, rank: rank), to: shape, EW.Mul().withRight(scale)) }]
        }
    }

    /// Sum or mean over sorted `dims`, one adjacent block of dims at a time (no autograd).
    func sumRaw(_ dims: [Int], keepdim: Bool, mean: Bool) throws -> Tensor {
        if dims.isEmpty { return try Tensor.ewMap(self, EW.Identity()) }  // a 0-d tensor: nothing to reduce
        var x = try contiguousData()
        var shape = self.shape
        for block in Tensor.adjacentBlocks(dims).reversed() {
            let lanes = Lanes(shape, first: block.lowerBound, last: block.upperBound)
            for d in block { shape[d] = 1 }
            let out = try Tensor(uninitializedShape: shape)
            Reduce.sum(x.pointer, lanes, out.pointer, scale: mean ? 1 / Double(lanes.length) : 1)
            x = out
        }
        return Tensor.reshaped(x, reducedShape(dims, keepdim: keepdim))
    }

    /// Variance over all elements (`dim` nil) or along `dim`, dividing by `n - correction`
    /// (1: the unbiased estimate, PyTorch's default; 0: the population variance).
    ///
    /// ```swift
    /// try Tensor([1, 2, 3, 4], shape: [4]).variance().item()   // 1.6667
    /// ```
    public func variance(dim: Int? = nil, correction: Int = 1, keepdim: Bool = false) throws -> Tensor {
        try spread(dim: dim, correction: correction, keepdim: keepdim, sqrt: false)
    }

    /// Standard deviation: the square root of `variance` with the same arguments.
    ///
    /// ```swift
    /// try Tensor([1, 3], shape: [2]).std().item()   // 1.4142
    /// ```
    public func std(dim: Int? = nil, correction: Int = 1, keepdim: Bool = false) throws -> Tensor {
        try spread(dim: dim, correction: correction, keepdim: keepdim, sqrt: true)
    }

    private func spread(dim d: Int?, correction: Int, keepdim: Bool, sqrt: Bool) throws -> Tensor {
        let op = sqrt ? "std" : "var"
        guard correction >= 0 else { throw TensorError("\(op): correction must be >= 0, got \(correction)") }
        let ds = try d.map { try reductionDim($0, op: op) } ?? reductionDims([], op: op)
        let x = try contiguousData()
        let lanes = self.lanes(ds)
        let out = try Tensor(uninitializedShape: reducedShape(ds, keepdim: keepdim))
        Reduce.variance(x.pointer, lanes, out.pointer, correction: correction, sqrt: sqrt)
        let rank = dim, saved = out.detachedAlias
        let scale = Float(1 / Double(Swift.max(lanes.length - correction, 0)))
        let kept = reducedShape(ds, keepdim: true)
        return Tensor.record(op, out, [self]) { g in
            if GradMode.isEnabled {
                // (x − mean)·g·2/(n − c) for the variance; ·1/(std·(n − c)) for the std.
                let centered = try self.sub(self.mean(dims: ds, keepdim: true))
                var gk = try g.reshape(kept)
                if sqrt { gk = try gk.div(self.spread(dim: d, correction: correction, keepdim: true, sqrt: true)) }
                return [try centered.mul(gk).mul(sqrt ? scale : 2 * scale)]
            }
            return try GradMode.withoutGrad {
                let mean = try self.sumRaw(ds, keepdim: true, mean: true)
                var gk = g.keptDims(ds, keepdim: keepdim, rank: rank)
                if sqrt { gk = try Tensor.ewMap(gk, saved.keptDims(ds, keepdim: keepdim, rank: rank), op: op, EW.Div()) }
                let k: Float = sqrt ? scale : 2 * scale
                return [try Tensor.ewMap(self, mean, gk, op: op, SpreadBackward(k: k))]
            }
        }
    }

    /// Product of all elements (0-d; 1 for an empty tensor).
    ///
    /// ```swift
    /// try Tensor([2, 3, 4], shape: [3]).prod().item()   // 24
    /// ```
    public func prod() throws -> Tensor { try product(ds: reductionDims([], op: "prod"), keepdim: false) }

    /// Product along `dim`.
    public func prod(dim: Int, keepdim: Bool = false) throws -> Tensor {
        try product(ds: reductionDim(dim, op: "prod"), keepdim: keepdim)
    }

    private func product(ds: [Int], keepdim: Bool) throws -> Tensor {
        let x = try contiguousData()
        let lanes = self.lanes(ds)
        let out = try Tensor(uninitializedShape: reducedShape(ds, keepdim: keepdim))
        Reduce.fold(x.pointer, lanes, out.pointer, initial: 1, { $0 * Double($1) }, combine: *, finish: { $0 })
        let shape = self.shape, kept = reducedShape(ds, keepdim: true)
        return Tensor.record("prod", out, [self]) { g in
            if GradMode.isEnabled {
                // g·prod/x is exact only without zeros; with zeros, g · (product of the elements
                // before) · (product of the elements after), from cumprods (differentiable at zeros).
                if try GradMode.withoutGrad({ try self.eq(0).sum().item() }) > 0 {
                    let single = ds.count == 1
                    let y = single ? self : try self.reshape([-1])
                    let d = single ? ds[0] : 0
                    return [try y.exclusiveProducts(d).mul(g.reshape(single ? kept : [1])).reshape(shape)]
                }
                return [try g.reshape(kept).mul(self.product(ds: ds, keepdim: true)).div(self)]
            }
            return try GradMode.withoutGrad {
                let x = try self.contiguousData()
                let gc = try g.contiguousData()
                let grad = try Tensor(uninitializedShape: shape)
                Reduce.productGrad(x.pointer, lanes, gc.pointer, grad.pointer)
                return [grad]
            }
        }
    }

    /// `Π_{i != k} x_i` along `d` for every k, as (product before k)·(product after k) with
    /// recorded cumprods: exact, and differentiable, with zeros in `x`.
    func exclusiveProducts(_ d: Int) throws -> Tensor {
        let n = shape[d]
        var onesShape = shape
        onesShape[d] = 1
        let ones = try Tensor.ones(onesShape)
        if n <= 1 { return try ones.expand(shape) }
        let before = try Tensor.cat([ones, narrow(dim: d, start: 0, length: n - 1).cumprod(dim: d)], dim: d)
        let flipped = try flip([d])
        let after = try Tensor.cat([ones, flipped.narrow(dim: d, start: 0, length: n - 1).cumprod(dim: d)], dim: d).flip([d])
        return try before.mul(after)
    }

    /// The p-norm over all elements (`dim` nil) or along `dim`: `(sum |x|^p)^(1/p)`; `p = .infinity`
    /// is the largest magnitude, `-.infinity` the smallest, `0` the number of non-zeros.
    ///
    /// ```swift
    /// try Tensor([3, 4], shape: [2]).norm().item()                 // 5
    /// try Tensor([3, -4], shape: [2]).norm(p: .infinity).item()    // 4
    /// ```
    public func norm(p: Double = 2, dim d: Int? = nil, keepdim: Bool = false) throws -> Tensor {
        guard !p.isNaN else { throw TensorError("norm: p must be a number, got nan") }
        let ds = try d.map { try reductionDim($0, op: "norm") } ?? reductionDims([], op: "norm")
        let x = try contiguousData()
        let lanes = self.lanes(ds)
        let out = try Tensor(uninitializedShape: reducedShape(ds, keepdim: keepdim))
        let xp = x.pointer, op = out.pointer
        switch p {
        case 2:
            Reduce.fold(xp, lanes, op, initial: 0, { $0 + Double($1) * Double($1) }, combine: +, finish: { $0.squareRoot() })
        case 1:
            Reduce.fold(xp, lanes, op, initial: 0, { $0 + Double(Swift.abs($1)) }, combine: +, finish: { $0 })
        case 0:
            Reduce.fold(xp, lanes, op, initial: 0, { $0 + ($1 != 0 ? 1 : 0) }, combine: +, finish: { $0 })
        case .infinity:
            let pick: (Double, Double) -> Double = { a, b in a != a || b > a || b != b ? (a != a ? a : b) : a }
            Reduce.fold(xp, lanes, op, initial: 0, { pick($0, Double(Swift.abs($1))) }, combine: pick, finish: { $0 })
        case -.infinity:
            let pick: (Double, Double) -> Double = { a, b in a != a || b < a || b != b ? (a != a ? a : b) : a }
            Reduce.fold(xp, lanes, op, initial: .infinity, { pick($0, Double(Swift.abs($1))) }, combine: pick, finish: { $0 })
        default:
            Reduce.fold(
                xp, lanes, op, initial: 0, { $0 + Glibc.pow(Double(Swift.abs($1)), p) }, combine: +,
                finish: { Glibc.pow($0, 1 / p) })
        }
        let rank = dim, saved = out.detachedAlias, kept = reducedShape(ds, keepdim: true)
        return Tensor.record("norm", out, [self]) { g in
            if GradMode.isEnabled {
                let gk = try g.reshape(kept)
                switch p {
                case 0: return [try Tensor.zeros(self.shape)]
                case 1: return [try gk.mul(self.sign())]
                case .infinity, -.infinity:
                    let n = saved.keptDims(ds, keepdim: keepdim, rank: rank)
                    let hits = try Tensor.ewMap(self, n, op: "norm", ReachesNorm())
                    let share = try hits.div(hits.sumRaw(ds, keepdim: true, mean: false))
                    return [try gk.mul(share).mul(self.sign())]
                default:
                    let n = try self.norm(p: p, dim: d, keepdim: true)
                    if p == 2 { return [try gk.mul(self).div(n)] }
                    return [try gk.mul(self).mul(self.absolute().pow(Float(p - 2))).div(n.pow(Float(p - 1)))]
                }
            }
            return try GradMode.withoutGrad {
                let n = saved.keptDims(ds, keepdim: keepdim, rank: rank)
                let gk = g.keptDims(ds, keepdim: keepdim, rank: rank)
                return [try self.normGrad(p: p, ds: ds, norm: n, grad: gk)]
            }
        }
    }

    /// d norm / d x times the gradient; `norm` and `grad` have the reduced dims kept as size 1.
    private func normGrad(p: Double, ds: [Int], norm: Tensor, grad: Tensor) throws -> Tensor {
        let op = "norm"
        switch p {
        case 0:
            return try Tensor.ewMap(self, to: shape, EW.Fill(value: 0))
        case 1:
            return try Tensor.ewMap(grad, self, op: op, EW.AbsBackward())
        case 2:
            return try Tensor.ewMap(self, norm, grad, op: op, Norm2Backward())
        case .infinity, -.infinity:
            // Split evenly between the elements that reach the norm, as PyTorch does.
            let hits = try Tensor.ewMap(self, norm, op: op, ReachesNorm())
            let share = try Tensor.ewMap(grad, hits.sumRaw(ds, keepdim: true, mean: false), op: op, EW.Div())
            return try Tensor.ewMap(self, norm, share, op: op, NormInfBackward())
        default:
            let pm2 = Float(p - 2), pm1 = Float(p - 1)
            return try Tensor.ewMap(self, norm, grad, op: op, NormPBackward(pm2: pm2, pm1: pm1))
        }
    }

    /// A view of this tensor's values with no autograd links: what backward closures keep of an
    /// op's output, so the output and its node do not keep each other alive.
    var detachedAlias: Tensor { Tensor(storage: storage, shape: shape, strides: strides, offset: offset) }
}

// Gradient kernels of the reductions above.

/// (x − mean)·g·k: the gradient of the variance (k = 2/(n − correction)) or, with g already
/// divided by the std, of the std (k = 1/(n − correction)).
private struct SpreadBackward: TernaryKernel {
    let k: Float
    func callAsFunction(_ x: Float, _ m: Float, _ g: Float) -> Float { (x - m) * g * k }
}

/// g·x/n for the 2-norm n (0 where n is 0).
private struct Norm2Backward: TernaryKernel {
    func callAsFunction(_ x: Float, _ n: Float, _ g: Float) -> Float { n == 0 ? 0 : g * x / n }
}

/// 1 where |x| reaches the ∞-norm n, else 0.
private struct ReachesNorm: BinaryKernel {
    func callAsFunction(_ x: Float, _ n: Float) -> Float { Swift.abs(x) == n ? 1 : 0 }
}

/// sign(x)·s where |x| reaches the ∞-norm n (s: the gradient's share per such element), else 0.
private struct NormInfBackward: TernaryKernel {
    func callAsFunction(_ x: Float, _ n: Float, _ s: Float) -> Float {
        Swift.abs(x) == n ? (x > 0 ? s : (x < 0 ? -s : 0)) : 0
    }
}

/// g·x·|x|^(p−2) / n^(p−1) for the p-norm n (0 where x or n is 0).
private struct NormPBackward: TernaryKernel {
    let pm2, pm1: Float
    func callAsFunction(_ x: Float, _ n: Float, _ g: Float) -> Float {
        x == 0 || n == 0 ? 0 : g * x * Glibc.powf(Swift.abs(x), pm2) / Glibc.powf(n, pm1)
    }
}
