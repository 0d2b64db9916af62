#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Adafactor as PyTorch's single-tensor `torch.optim.Adafactor` (Shazeer & Stern 2018, with
/// PyTorch's changes: no first moment, `lr` caps the relative step, weight decay decoupled).
///
/// Per step t: β2 weight w = t^beta2_decay; ρ = min(lr, 1/sqrt(t)); α = max(ε2, RMS(θ))·ρ
/// (RMS before decay); θ ← θ·(1 − lr·λ). A tensor of rank ≥ 2 keeps factored second moments
/// over its last two dims (leading dims are a batch): row R ← lerp(R, mean_c g², w) and column
/// C ← lerp(C, mean_r g², w), v̂ = R·C / max(mean_r R, ε1); a vector (or scalar) keeps v ←
/// lerp(v, g², w). u = g/sqrt(max(v̂, ε1²)); θ ← θ − α/max(1, RMS(u)/d)·u.
///
/// `eps` is the pair (ε1, ε2). PyTorch's default ε1 = None means the dtype's machine epsilon;
/// descent's parameters are float32, so the default is that value, 2^−23 ≈ 1.19e-7.
///
/// ```swift
/// let opt = try Optimizer(Adafactor(), params: params, options: ["lr": .number(1e-2)])
/// ```
public struct Adafactor: OptimizerAlgorithm {
    public let name = "Adafactor"
    public let spec = OptionTable(algorithm: "Adafactor", specs: [
        OptionSpec("lr", .number(1e-2), check: OptionSpec.nonNegative),
        OptionSpec("beta2_decay", .number(-0.8), check: { v in
            if case .number(let x) = v, x <= 0 { return nil }
            return "a number <= 0"
        }),
        OptionSpec("eps", .pair(Double(Float.ulpOfOne), 1e-3), check: { v in
            if case .pair(let a, let b) = v, a >= 0, b >= 0 { return nil }
            return "a pair of non-negative numbers {eps1, eps2}"
        }),
        OptionSpec("d", .number(1), check: { v in
            if case .number(let x) = v, x >= 1 { return nil }
            return "a number >= 1"
        }),
        OptionSpec("weight_decay", .number(0), check: OptionSpec.nonNegative),
        OptionSpec("maximize", .bool(false)),
    ])

    /// Row and column buffers do not have the parameter's shape.
    public var buffersMatchParamShape: Bool { false }

    public init() {}

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), decay = o.number("beta2_decay"), (eps1, eps2) = o.pair("eps")
        let d = o.number("d"), wd = o.number("weight_decay")
        for item in items {
            let p = item.param.pointer, g = item.grad.pointer, count = item.param.count
            let t = Double(item.state.step)
            let w = Float(pow(t, decay))
            let rho = min(lr, 1 / t.squareRoot())
            var sumsq = 0.0
            for i in 0..<count { sumsq += Double(p[i]) * Double(p[i]) }
            let rms = count > 0 ? Double(Float(sumsq.squareRoot())) / Double(count).squareRoot() : 0
            let alpha = max(eps2, rms) * rho
            if wd != 0 {
                let f = Float(1 - lr * wd)
                for i in 0..<count { p[i] *= f }
            }
            let shape = item.param.shape
            let e1 = Float(eps1), e1sq = Float(eps1 * eps1)
            // u = g/sqrt(max(v̂, ε1²)), written into `u` (a scratch of the parameter's size).
            let u = try Tensor(uninitializedShape: shape)
            let up = u.pointer
            let sign = gradSign
            if shape.count >= 2 {
                let rows = shape[shape.count - 2], cols = shape[shape.count - 1]
                let batch = rows * cols == 0 ? 0 : count / (rows * cols)
                var rowShape = shape, colShape = shape
                rowShape[shape.count - 1] = 1
                colShape[shape.count - 2] = 1
                let rowVar = try item.state.buffer("row_var", shape: rowShape)
                let colVar = try item.state.buffer("col_var", shape: colShape)
                guard rowVar.shape == rowShape, colVar.shape == colShape else {
                    throw TensorError("Adafactor: state of a parameter of shape \(describe(shape: shape)) has row_var \(describe(shape: rowVar.shape)) and col_var \(describe(shape: colVar.shape)), expected \(describe(shape: rowShape)) and \(describe(shape: colShape))")
                }
                let r = rowVar.pointer, c = colVar.pointer
                var colSums = [Double](repeating: 0, count: cols)
                for b in 0..<batch {
                    let gb = g + b * rows * cols, rb = r + b * rows, cb = c + b * cols
                    for j in 0..<cols { colSums[j] = 0 }
                    for i in 0..<rows {
                        var s = 0.0
                        for j in 0..<cols {
                            let x = Double(sign * gb[i * cols + j])
                            s += x * x
                            colSums[j] += x * x
                        }
                        rb[i] = lerp(rb[i], Float(s / Double(cols)), w)
                    }
                    for j in 0..<cols { cb[j] = lerp(cb[j], Float(colSums[j] / Double(rows)), w) }
                    var rowMean = 0.0
                    for i in 0..<rows { rowMean += Double(rb[i]) }
                    let denom = max(Float(rowMean / Double(rows)), e1)
                    let ub = up + b * rows * cols
                    for i in 0..<rows {
                        for j in 0..<cols {
                            let v = max(rb[i] * cb[j] / denom, e1sq)
                            ub[i * cols + j] = (1 / v.squareRoot()) * (sign * gb[i * cols + j])
                        }
                    }
                }
            } else {
                let variance = try item.state.buffer("variance", like: item.param)
                guard variance.shape == shape else {
                    throw TensorError("Adafactor: state 'variance' has shape \(describe(shape: variance.shape)), expected \(describe(shape: shape))")
                }
                let v = variance.pointer
                for i in 0..<count {
                    let gi = sign * g[i]
                    v[i] = lerp(v[i], gi * gi, w)
                    up[i] = (1 / max(v[i], e1sq).squareRoot()) * gi
                }
            }
            var usq = 0.0
            for i in 0..<count { usq += Double(up[i]) * Double(up[i]) }
            let unorm = Double(Float(usq.squareRoot()))
            let denom = max(1, unorm / (Double(count).squareRoot() * d))
            let step = Float(-alpha / denom)
            for i in 0..<count { p[i] += step * up[i] }
        }
    }
}

/// PyTorch's scalar-weight `lerp` on one float.
@inline(__always)
private func lerp(_ a: Float, _ b: Float, _ w: Float) -> Float {
    w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}

extension Adafactor: BuiltinOptimizer {
    public static let registryOrder = 100
    public static var registered: [any OptimizerAlgorithm] { [Adafactor()] }
}
