import Tensors
#if canImport(Glibc)
import Glibc
#endif

extension Functional {
    /// Cross-entropy of `logits` (`[N, K]`, `[N, K, d1, ...]` or unbatched `[K]`) against 1-based
    /// class `labels` (`[N]`, `[N, d1, ...]`), fused log-softmax + NLL in one stable pass. Labels
    /// of the logits' own shape are class probabilities instead (soft targets, as PyTorch).
    ///
    /// Options as PyTorch: per-class `weight` `[K]` (the mean divides by the summed weights of the
    /// targets), `ignoreIndex` (a label value that contributes nothing), `labelSmoothing` ε
    /// (target `(1 − ε)·onehot + ε/K`). A label outside `1...K` is an error:
    /// `cross_entropy: label 12 out of range 1..10 at position 3`.
    ///
    /// ```swift
    /// let loss = try Functional.crossEntropy(logits, labels: y)   // logits [64, 10], y [64]
    /// ```
    public static func crossEntropy(
        _ logits: Tensor, labels: Tensor, weight: Tensor? = nil, ignoreIndex: Int? = nil,
        labelSmoothing: Double = 0, reduction reductionName: String = "mean"
    ) throws -> Tensor {
        let op = "cross_entropy"
        let reduction = try Reduction(reductionName, op: op)
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw TensorError("cross_entropy: expected label_smoothing in [0, 1], got \(labelSmoothing)")
        }
        // Labels with the logits' shape are class probabilities (PyTorch's rule); a single logit
        // with a single label stays a class index.
        if labels.shape == logits.shape && logits.count > 1 {
            return try softCrossEntropy(logits, probs: labels, weight: weight, labelSmoothing: labelSmoothing,
                                        reduction: reduction)
        }
        let lay = try ClassLayout(op, logits, labels, weight: weight, ignoreIndex: ignoreIndex)
        let (k, s, positions) = (lay.k, lay.s, lay.n * lay.s)
        let xd = try dense(logits)
        let cw = try lay.classWeights(weight)
        let eps = Float(labelSmoothing), smooth = eps / Float(k)
        let wSum = cw.reduce(0, +)
        let values = try newTensor(lay.lossShape)
        let lse = try newTensor([positions])
        let targets = lay.targets
        let x = xd.pointer, v = values.pointer, lp = lse.pointer
        cw.withUnsafeBufferPointer { wb in
            guard let w = wb.baseAddress else { return }   // k >= 1: never empty
            Parallel.forEachChunk(count: positions, chunk: max(1, Parallel.defaultChunk / k)) { range in
                withUnsafeTemporaryAllocation(of: Float.self, capacity: k) { buf in
                    guard let scratch = buf.baseAddress else { return }
                    for pos in range {
                        let t = targets[pos]
                        if t < 0 { v[pos] = 0; continue }
                        let row = x + (pos / s) * k * s + pos % s
                        let l: Float
                        if s == 1 {
                            // Rows of classes (the usual [N, K] logits): vectorized loops.
                            l = Tensor.rowLogSumExp(row, k, scratch: scratch)
                        } else {
                            var m = -Float.infinity
                            for c in 0..<k { m = max(m, row[c * s]) }
                            if m == -.infinity { m = 0 }
                            var se: Float = 0
                            for c in 0..<k { se += FastMath.exp(row[c * s] - m) }
                            l = m + log(se)
                        }
                        lp[pos] = l
                        var loss = (1 - eps) * w[t] * (l - row[t * s])
                        if eps > 0 {
                            var wx: Float = 0
                            for c in 0..<k { wx += w[c] * row[c * s] }
                            loss += smooth * (l * wSum - wx)
                        }
                        v[pos] = loss
                    }
                }
            }
        }
        let denominator = lay.denominator(cw)
        let out = try reduceLoss(values, reduction, denominator: denominator)
        let classDim = logits.dim == 1 ? 0 : 1
        return Tensor.record(op, out, [logits]) { g in
            if GradMode.isEnabled {
                let coef = try classCoefficients(shape: logits.shape, k: k, s: s, targets: targets, cw: cw, eps: eps)
                return try Tensor.compositeVJP([logits], g) { xs in
                    let values = try xs[0].logSoftmax(dim: classDim).mul(coef).sum(dim: classDim).neg()
                    return try reduceComposite(values, reduction, denominator: denominator)
                }
            }
            let up = try UpstreamGrad(g, reduction, denominator: denominator)
            let gx = try newTensor(logits.shape)
            let q = gx.pointer, x = xd.pointer   // xd captured: it may be a temporary copy
            // Positions are independent: chunks of rows in parallel, each row as before.
            cw.withUnsafeBufferPointer { wb in
                guard let w = wb.baseAddress else { return }
                Parallel.forEachChunk(count: positions, chunk: max(1, Parallel.defaultChunk / k)) { range in
                    for pos in range {
                        let off = (pos / s) * k * s + pos % s
                        let row = x + off, dst = q + off
                        let t = targets[pos]
                        if t < 0 { for c in 0..<k { dst[c * s] = 0 }; continue }
                        // d/dx_c of −Σ_j coef_j·log p_j = p_c·Σ_j coef_j − coef_c.
                        let gi = up[pos], l = lse.pointer[pos]
                        let total = (1 - eps) * w[t] + smooth * wSum
                        if s == 1 {  // contiguous: the loop vectorizes
                            for c in 0..<k { dst[c] = gi * (FastMath.exp(row[c] - l) * total - smooth * w[c]) }
                        } else {
                            for c in 0..<k { dst[c * s] = gi * (FastMath.exp(row[c * s] - l) * total - smooth * w[c]) }
                        }
                        dst[t * s] -= gi * (1 - eps) * w[t]
                    }
                }
            }
            return [gx]
        }
    }

    /// Negative log-likelihood of log-probabilities `input` (`[N, K, ...]` or `[K]`) at the
    /// 1-based class `labels`: `−weight[y]·input[y]`, with `weight`/`ignoreIndex` as
    /// `crossEntropy`.
    ///
    /// ```swift
    /// let loss = try Functional.nllLoss(logits.logSoftmax(dim: 1), labels: y)
    /// ```
    public static func nllLoss(
        _ input: Tensor, labels: Tensor, weight: Tensor? = nil, ignoreIndex: Int? = nil,
        reduction reductionName: String = "mean"
    ) throws -> Tensor {
        let op = "nll_loss"
        let reduction = try Reduction(reductionName, op: op)
        let lay = try ClassLayout(op, input, labels, weight: weight, ignoreIndex: ignoreIndex)
        let (k, s, positions) = (lay.k, lay.s, lay.n * lay.s)
        let xd = try dense(input)
        let cw = try lay.classWeights(weight)
        let values = try newTensor(lay.lossShape)
        let targets = lay.targets
        for pos in 0..<positions {
            let t = targets[pos]
            values.pointer[pos] = t < 0 ? 0 : -cw[t] * xd.pointer[(pos / s) * k * s + pos % s + t * s]
        }
        let denominator = lay.denominator(cw)
        let out = try reduceLoss(values, reduction, denominator: denominator)
        let classDim = input.dim == 1 ? 0 : 1
        return Tensor.record(op, out, [input]) { g in
            if GradMode.isEnabled {
                let coef = try classCoefficients(shape: input.shape, k: k, s: s, targets: targets, cw: cw, eps: 0)
                return try Tensor.compositeVJP([input], g) { xs in
                    let values = try xs[0].mul(coef).sum(dim: classDim).neg()
                    return try reduceComposite(values, reduction, denominator: denominator)
                }
            }
            let up = try UpstreamGrad(g, reduction, denominator: denominator)
            let gx = try zeroTensor(input.shape)
            for pos in 0..<positions {
                let t = targets[pos]
                if t >= 0 { gx.pointer[(pos / s) * k * s + pos % s + t * s] = -cw[t] * up[pos] }
            }
            return [gx]
        }
    }
}

/// How class-indexed losses see their input: `n` samples, `k` classes along dimension 1, `s`
/// positions per sample (the product of the trailing dimensions), and the 0-based target class
/// of each position (−1 where the label is `ignoreIndex`).
struct ClassLayout {
    let n, k, s: Int
    let lossShape: [Int]
    let targets: [Int]
    let op: String

    init(_ op: String, _ input: Tensor, _ labels: Tensor, weight: Tensor?, ignoreIndex: Int?) throws {
        self.op = op
        if input.dim == 1 {
            (n, k, s) = (1, input.shape[0], 1)
            guard labels.count == 1, labels.dim <= 1 else {
                throw TensorError("\(op): expected a single label for unbatched input of shape \(describe(shape: input.shape)), got labels of shape \(describe(shape: labels.shape))")
            }
        } else {
            guard input.dim >= 2 else {
                throw TensorError("\(op): expected input [N, K] or [N, K, ...], got shape \(describe(shape: input.shape))")
            }
            (n, k, s) = (input.shape[0], input.shape[1], input.shape.dropFirst(2).reduce(1, *))
            let expected = [n] + input.shape.dropFirst(2)
            guard labels.shape == expected else {
                throw TensorError("\(op): expected labels of shape \(describe(shape: expected)) for input of shape \(describe(shape: input.shape)), got shape \(describe(shape: labels.shape))")
            }
        }
        guard k >= 1 else { throw TensorError("\(op): expected at least one class, got input of shape \(describe(shape: input.shape))") }
        if let weight, weight.shape != [k] {
            throw TensorError("\(op): expected weight of shape [\(k)], got shape \(describe(shape: weight.shape))")
        }
        lossShape = labels.shape
        targets = try rowIndices(op, labels, count: k, what: "label", ignore: ignoreIndex)
    }

    /// Per-class weights as an array (all ones without `weight`).
    func classWeights(_ weight: Tensor?) throws -> [Float] {
        guard let weight else { return [Float](repeating: 1, count: k) }
        return try dense(weight).toArray()
    }

    /// The `"mean"` denominator: the summed weights of the non-ignored targets.
    func denominator(_ cw: [Float]) -> Double {
        var d: Double = 0
        for t in targets where t >= 0 { d += Double(cw[t]) }
        return d
    }
}
