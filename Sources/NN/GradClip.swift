import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// Gradient clipping over a list of parameters (`torch.nn.utils.clip_grad_*`); parameters
/// without a gradient are skipped.
///
/// ```swift
/// let norm = try GradClip.clipGradNorm_(model.parameters, maxNorm: 1.0)
/// ```
public enum GradClip {
    /// Scales every gradient in place so that their joint `normType`-norm is at most `maxNorm`
    /// (coefficient `maxNorm/(total + 1e-6)`, applied only when below 1); returns the total norm
    /// before clipping. `normType` may be `.infinity`.
    @discardableResult
    public static func clipGradNorm_(_ params: [Tensor], maxNorm: Double, normType: Double = 2) throws -> Double {
        guard normType > 0 else { throw TensorError("clip_grad_norm_: expected norm_type > 0, got \(normType)") }
        // A negative or NaN bound would flip or poison every gradient.
        guard maxNorm >= 0 else { throw TensorError("clip_grad_norm_: expected max_norm >= 0, got \(maxNorm)") }
        let grads = params.compactMap(\.grad)
        var total: Double = 0
        for g in grads {
            let n = g.count
            if normType == .infinity {
                try withDenseBuffer(g) { p, n in for i in 0..<n { total = max(total, Double(abs(p[i]))) } }
            } else if n > 0 {
                try withDenseBuffer(g) { p, n in
                    var s: Double = 0
                    if normType == 2 { for i in 0..<n { s += Double(p[i]) * Double(p[i]) } }
                    else { for i in 0..<n { s += pow(Double(abs(p[i])), normType) } }
                    total += s
                }
            }
        }
        if normType != .infinity { total = normType == 2 ? total.squareRoot() : pow(total, 1 / normType) }
        let coef = maxNorm / (total + 1e-6)
        if coef < 1 {
            let c = Float(coef)
            for g in grads { try withDenseBuffer(g, write: true) { p, n in for i in 0..<n { p[i] *= c } } }
        }
        return total
    }

    /// Clamps every gradient element to `[-value, value]` in place.
    public static func clipGradValue_(_ params: [Tensor], value: Double) throws {
        guard value >= 0 else { throw TensorError("clip_grad_value_: expected clip_value >= 0, got \(value)") }
        let v = Float(value)
        for g in params.compactMap(\.grad) {
            try withDenseBuffer(g, write: true) { p, n in for i in 0..<n { p[i] = min(max(p[i], -v), v) } }
        }
    }
}
