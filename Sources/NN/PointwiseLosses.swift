import Tensors
#if canImport(Glibc)
import Glibc
#endif

extension Functional {
    /// Mean squared error `(input − target)²`, reduced by `"mean"` (default), `"sum"` or `"none"`.
    /// Shapes must match exactly (no silent broadcasting of `[N, 1]` against `[N]`).
    ///
    /// ```swift
    /// let loss = try Functional.mseLoss(prediction, target)
    /// ```
    public static func mseLoss(_ input: Tensor, _ target: Tensor, reduction: String = "mean") throws -> Tensor {
        try pointwiseLoss("mse_loss", input, target, reduction, composite: { x, y, _ in try x.sub(y).square() }) { x, y, _ in
            let d = x - y
            return (d * d, 2 * d, -2 * d)
        }
    }

    /// Mean absolute error `|input − target|` (gradient `sign`, 0 at 0, as PyTorch).
    ///
    /// ```swift
    /// let loss = try Functional.l1Loss(prediction, target, reduction: "sum")
    /// ```
    public static func l1Loss(_ input: Tensor, _ target: Tensor, reduction: String = "mean") throws -> Tensor {
        try pointwiseLoss("l1_loss", input, target, reduction, composite: { x, y, _ in try x.sub(y).absolute() }) { x, y, _ in
            let d = x - y
            let s: Float = d > 0 ? 1 : (d < 0 ? -1 : 0)
            return (abs(d), s, -s)
        }
    }

    /// Huber loss: `½d²` where `|d| < delta`, else `delta·(|d| − ½delta)`, with `d = input − target`.
    ///
    /// ```swift
    /// let loss = try Functional.huberLoss(prediction, target, delta: 1)
    /// ```
    public static func huberLoss(
        _ input: Tensor, _ target: Tensor, delta: Double = 1, reduction: String = "mean"
    ) throws -> Tensor {
        guard delta > 0 else { throw TensorError("huber_loss: expected delta > 0, got \(delta)") }
        let dl = Float(delta)
        let huber: ComposedTerm = { x, y, _ in
            let d = try x.sub(y), a = try d.absolute()
            return try Tensor.where(a.lt(dl), d.square().mul(0.5), a.sub(0.5 * dl).mul(dl))
        }
        return try pointwiseLoss("huber_loss", input, target, reduction, composite: huber) { x, y, _ in
            let d = x - y, a = abs(d)
            if a < dl { return (0.5 * d * d, d, -d) }
            let s: Float = d > 0 ? dl : -dl
            return (dl * (a - 0.5 * dl), s, -s)
        }
    }

    /// Binary cross-entropy on probabilities `input` ∈ [0, 1] against `target`; each log is
    /// clamped at −100 as in PyTorch, so `p = 0` or `1` gives a finite loss. `weight`
    /// (broadcastable to the input) rescales each element's loss.
    ///
    /// ```swift
    /// let loss = try Functional.binaryCrossEntropy(probs, targets)
    /// ```
    public static func binaryCrossEntropy(
        _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: String = "mean"
    ) throws -> Tensor {
        let xd = try dense(input)
        for i in 0..<xd.count {
            let v = xd.pointer[i]
            guard v >= 0, v <= 1 else {
                throw TensorError("binary_cross_entropy: expected input values in [0, 1], got \(v) at position \(i + 1)")
            }
        }
        let bce: ComposedTerm = { p, y, _ in
            let lp = try p.log().maximum(-100), lq = try p.rsub(1).log().maximum(-100)
            return try y.mul(lp).add(y.rsub(1).mul(lq)).neg()
        }
        return try pointwiseLoss("binary_cross_entropy", input, target, reduction, weight: weight, composite: bce) { p, y, _ in
            let lp = max(log(p), -100), lq = max(log(1 - p), -100)
            let gp = (p - y) / max((1 - p) * p, 1e-12)
            return (-(y * lp + (1 - y) * lq), gp, lq - lp)
        }
    }

    /// Binary cross-entropy on logits, in the stable form
    /// `(1 − y)·z + (1 + (pw − 1)·y)·softplus(−z)` (`max(z, 0) − z·y + log(1 + e^−|z|)` without
    /// `posWeight`). `posWeight` (broadcastable, typically `[C]`) weighs the positive term;
    /// `weight` rescales each element's loss.
    ///
    /// ```swift
    /// let loss = try Functional.bceWithLogits(logits, targets, posWeight: ratio)
    /// ```
    public static func bceWithLogits(
        _ input: Tensor, _ target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil, reduction: String = "mean"
    ) throws -> Tensor {
        let term: ComposedTerm = { z, y, pw in
            // (1 − y)·z + (1 + (pw − 1)·y)·softplus(−z), softplus(−z) = max(−z, 0) + log1p(e^−|z|),
            // with max(−z, 0) as (|z| − z)/2 so that the derivative at z = 0 is −½ (as PyTorch).
            let a = try z.absolute()
            let softplusNeg = try a.sub(z).mul(0.5).add(a.neg().exp().log1p())
            let k = try pw.map { try $0.sub(1).mul(y).add(1) } ?? Tensor.ones(y.shape)
            return try y.rsub(1).mul(z).add(k.mul(softplusNeg))
        }
        return try pointwiseLoss("bce_with_logits", input, target, reduction, weight: weight, extra: posWeight,
                          extraName: "pos_weight", composite: term) { z, y, pw in
            let e = exp(-abs(z))
            let sigNeg = z >= 0 ? e / (1 + e) : 1 / (1 + e)   // sigmoid(−z)
            let softplusNeg = log1p(e) + max(-z, 0)          // log(1 + e^−z)
            let k = 1 + (pw - 1) * y
            return ((1 - y) * z + k * softplusNeg, (1 - y) - k * sigNeg, -z + (pw - 1) * softplusNeg)
        }
    }

    /// A loss that is a sum of per-element terms `f(input[i], target[i], extra[i])`, times
    /// `weight[i]`; `f` returns the term and its derivatives in input and target, kept from the
    /// forward pass for backward. `weight` and `extra` broadcast to the input (default 1) and get
    /// no gradient.
    @inline(__always)
    static func pointwiseLoss(
        _ op: String, _ input: Tensor, _ target: Tensor, _ reductionName: String,
        weight: Tensor? = nil, extra: Tensor? = nil, extraName: String = "",
        composite: @escaping ComposedTerm,
        _ f: (Float, Float, Float) -> (Float, Float, Float)
    ) throws -> Tensor {
        let reduction = try Reduction(reductionName, op: op)
        guard input.shape == target.shape else {
            throw TensorError("\(op): input shape \(describe(shape: input.shape)) and target shape \(describe(shape: target.shape)) differ")
        }
        let n = input.count
        let xd = try dense(input), yd = try dense(target)
        let wd = try weight.map { try broadcastDense($0, to: input.shape, op: op, what: "weight") }
        let ed = try extra.map { try broadcastDense($0, to: input.shape, op: op, what: extraName) }
        let wp = wd?.pointer, ep = ed?.pointer
        let values = try newTensor(input.shape)
        let wantX = GradMode.isEnabled && input.requiresGrad, wantY = GradMode.isEnabled && target.requiresGrad
        let dx = wantX ? try newTensor(input.shape) : nil
        let dy = wantY ? try newTensor(input.shape) : nil
        let x = xd.pointer, y = yd.pointer, v = values.pointer
        let px = dx?.pointer, py = dy?.pointer
        for i in 0..<n {
            let (l, a, b) = f(x[i], y[i], ep?[i] ?? 1)
            let w = wp?[i] ?? 1
            v[i] = w * l
            px?[i] = w * a
            py?[i] = w * b
        }
        let out = try reduceLoss(values, reduction, denominator: Double(n))
        return Tensor.record(op, out, [input, target]) { g in
            if GradMode.isEnabled {
                // The same terms in differentiable ops (weight and extra as constants).
                return try Tensor.compositeVJP([input, target], g) { xs in
                    var v = try composite(xs[0], xs[1], ed)
                    if let wd { v = try v.mul(wd) }
                    return try reduceComposite(v, reduction, denominator: Double(n))
                }
            }
            let up = try UpstreamGrad(g, reduction, denominator: Double(n))
            return try [dx, dy].map { d in
                guard let d else { return nil }
                let t = try newTensor(input.shape)
                let q = t.pointer, s = d.pointer
                for i in 0..<n { q[i] = s[i] * up[i] }
                return t
            }
        }
    }
}

/// A loss term `f(input, target, extra)` per element in differentiable ops (the create_graph
/// form of a pointwise loss).
typealias ComposedTerm = (Tensor, Tensor, Tensor?) throws -> Tensor

/// A dense copy of `t` broadcast to `shape` (NumPy rules: dimensions aligned from the right,
/// size-1 dimensions repeat), for per-element loss weights.
func broadcastDense(_ t: Tensor, to shape: [Int], op: String, what: String) throws -> Tensor {
    guard t.dim <= shape.count else {
        throw TensorError("\(op): \(what) of shape \(describe(shape: t.shape)) cannot be broadcast to shape \(describe(shape: shape))")
    }
    let lead = shape.count - t.dim
    var strides = [Int](repeating: 0, count: shape.count)
    for d in 0..<t.dim {
        if t.shape[d] == shape[lead + d] { strides[lead + d] = t.strides[d] } else if t.shape[d] != 1 {
            throw TensorError("\(op): \(what) of shape \(describe(shape: t.shape)) cannot be broadcast to shape \(describe(shape: shape))")
        }
    }
    return try Tensor(storage: t.storage, shape: shape, strides: strides, offset: t.offset).contiguousData()
}
