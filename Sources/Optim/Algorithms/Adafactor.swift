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
            // Over a matrix, four passes: (1) ‖θ‖² and the row sums of g², (2) the column sums of
            // g², (3) ‖u‖², (4) θ ← θ·(1 − lr·λ) + step·u, with u recomputed from g and the second
            // moments rather than stored (no scratch tensor). Over a vector: ‖θ‖² with the v
            // update and ‖u‖², then the step.
            let shape = item.param.shape
            let e1 = Float(eps1), e1sq = Float(eps1 * eps1)
            let sign = gradSign
            var sumsq = 0.0, usq = 0.0
            var factored: (r: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, rows: Int, cols: Int, denoms: [Float])?
            var vector: UnsafeMutablePointer<Float>?
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
                // Row-parallel and column-strip passes with a fixed split (rows, or strips of
                // `AdafactorColumnSums.strip` columns): each row's sums in 8 Double lanes, each
                // column's in row order, the per-row results added in row order afterwards. So
                // the result does not depend on the thread count.
                let totalRows = batch * rows
                var thetaSq = [Double](repeating: 0, count: totalRows), gradSq = thetaSq, updateSq = thetaSq
                var colSums = [Double](repeating: 0, count: cols)
                let rowChunk = max(1, Parallel.defaultChunk / max(cols, 1))
                thetaSq.withUnsafeMutableBufferPointer { ts in
                    gradSq.withUnsafeMutableBufferPointer { gs in
                        let pass = AdafactorRowSums(p: p, g: g, cols: cols, thetaSq: ts.baseAddress!, gradSq: gs.baseAddress!)
                        Parallel.forEachChunk(count: totalRows, chunk: rowChunk) { range in pass.run(rows: range) }
                    }
                }
                for v in thetaSq { sumsq += v }
                var denoms = [Float](repeating: 1, count: batch)
                for b in 0..<batch {
                    let rb = r + b * rows, cb = c + b * cols
                    for i in 0..<rows { rb[i] = lerp(rb[i], Float(gradSq[b * rows + i] / Double(cols)), w) }
                    colSums.withUnsafeMutableBufferPointer { out in
                        let pass = AdafactorColumnSums(g: g + b * rows * cols, rows: rows, cols: cols, out: out.baseAddress!)
                        Parallel.forEachChunk(count: cols, chunk: AdafactorColumnSums.strip) { range in pass.run(cols: range) }
                    }
                    for j in 0..<cols { cb[j] = lerp(cb[j], Float(colSums[j] / Double(rows)), w) }
                    var rowMean = 0.0
                    for i in 0..<rows { rowMean += Double(rb[i]) }
                    denoms[b] = max(Float(rowMean / Double(rows)), e1)
                }
                denoms.withUnsafeBufferPointer { dp in
                    updateSq.withUnsafeMutableBufferPointer { us in
                        let pass = AdafactorUpdateNorm(g: g, r: r, c: c, rows: rows, cols: cols, e1sq: Lanes(repeating: e1sq),
                                                       denoms: dp, out: us.baseAddress!)
                        Parallel.forEachChunk(count: totalRows, chunk: rowChunk) { range in pass.run(rows: range) }
                    }
                }
                for v in updateSq { usq += v }
                factored = (r, c, rows, cols, denoms)
            } else {
                let variance = try item.state.buffer("variance", like: item.param)
                guard variance.shape == shape else {
                    throw TensorError("Adafactor: state 'variance' has shape \(describe(shape: variance.shape)), expected \(describe(shape: shape))")
                }
                let v = variance.pointer
                for i in 0..<count { sumsq += Double(p[i]) * Double(p[i]) }
                for i in 0..<count {
                    let gi = sign * g[i]
                    v[i] = lerp(v[i], gi * gi, w)
                    let u = (1 / max(v[i], e1sq).squareRoot()) * gi
                    usq += Double(u) * Double(u)
                }
                vector = v
            }
            let rms = count > 0 ? Double(Float(sumsq.squareRoot())) / Double(count).squareRoot() : 0
            let alpha = max(eps2, rms) * rho
            let f: Float = wd != 0 ? Float(1 - lr * wd) : 1
            let unorm = Double(Float(usq.squareRoot()))
            let denom = max(1, unorm / (Double(count).squareRoot() * d))
            let step = Float(-alpha / denom)
            if let (r, c, rows, cols, denoms) = factored.map({ ($0.r, $0.c, $0.rows, $0.cols, $0.denoms) }) {
                // Element-wise: rows in parallel give the same floats as one thread.
                let pass = AdafactorFactoredUpdate(p: p, g: g, r: r, c: c, rows: rows, cols: cols, e1sq: Lanes(splat: e1sq),
                                                   sign: Lanes(splat: sign), decay: Lanes(splat: f), step: Lanes(splat: step))
                denoms.withUnsafeBufferPointer { dp in
                    let dp = dp
                    Parallel.forEachChunk(count: denoms.count * rows, chunk: max(1, Parallel.defaultChunk / max(cols, 1))) { range in
                        pass.run(rows: range, denoms: dp)
                    }
                }
            } else if let v = vector {
                for i in 0..<count {
                    let u = (1 / max(v[i], e1sq).squareRoot()) * (sign * g[i])
                    let pf = wd != 0 ? p[i] * f : p[i]
                    p[i] = pf + step * u
                }
            }
        }
    }
}

/// u = g/sqrt(max(R·C/denom, ε1²)) of a block of a factored parameter's row (g with its sign),
/// as PyTorch: (row_var·col_var)/row_mean, clamped below at ε1² (a NaN stays NaN), rsqrt, times g.
@inline(__always)
private func factoredU(_ r: Lanes, _ c: Lanes, _ denom: Lanes, _ e1sq: Lanes, _ g: Lanes) -> Lanes {
    let v = lanesMax(e1sq, r * c / denom)
    return (1 / v.squareRoot()) * g
}

/// The last pass of a factored Adafactor step over a range of global rows (batch · rows + row):
/// θ ← θ·(1 − lr·λ) + step·u (the decay only when λ ≠ 0, as a separate multiply before).
/// Pass 1 over whole rows: Σθ² and Σg² of each row (8 Double lanes, blocks in order).
private struct AdafactorRowSums {
    let p, g: UnsafeMutablePointer<Float>
    let cols: Int
    let thetaSq, gradSq: UnsafeMutablePointer<Double>

    @inline(never)
    func run(rows range: Range<Int>) {
        for row in range {
            let pr = p + row * cols, gr = g + row * cols
            var a = SIMD8<Double>(repeating: 0), b = SIMD8<Double>(repeating: 0)
            var j = 0
            while j < cols {
                let n = min(laneCount, cols - j)
                let x = Lanes(pr, j, n), y = Lanes(gr, j, n)  // missing lanes are 0
                a += SIMD8<Double>(x * x)
                b += SIMD8<Double>(y * y)
                j += laneCount
            }
            thetaSq[row] = a.sum()
            gradSq[row] = b.sum()
        }
    }
}

/// Pass 1's column sums of g² over one matrix, for a strip of columns: each column summed in
/// row order, so any split into strips gives the same sums.
private struct AdafactorColumnSums {
    /// Columns per strip: 4 KB of accumulators, and enough strips of a large matrix for every
    /// thread.
    static let strip = 512
    let g: UnsafeMutablePointer<Float>
    let rows, cols: Int
    let out: UnsafeMutablePointer<Double>

    @inline(never)
    func run(cols range: Range<Int>) {
        for j in range { out[j] = 0 }
        for i in 0..<rows {
            let gr = g + i * cols
            for j in range {
                let x = Double(gr[j])
                out[j] += x * x
            }
        }
    }
}

/// Pass 2 over whole rows: Σu² of each row, u = g/sqrt(max(R·C/denom, ε1²)) as `factoredU`.
private struct AdafactorUpdateNorm {
    let g, r, c: UnsafeMutablePointer<Float>
    let rows, cols: Int
    let e1sq: Lanes
    let denoms: UnsafeBufferPointer<Float>
    let out: UnsafeMutablePointer<Double>

    @inline(never)
    func run(rows range: Range<Int>) {
        for row in range {
            let b = row / rows, i = row % rows
            let rb = Lanes(repeating: r[b * rows + i]), denom = Lanes(repeating: denoms[b])
            let cb = c + b * cols, gr = g + row * cols
            var a = SIMD8<Double>(repeating: 0)
            // Whole blocks, then the tail (as `AdafactorFactoredUpdate`, for the same reason).
            let whole = cols / laneCount * laneCount
            var j = 0
            while j < whole {
                let u = factoredU(rb, Lanes(cb, j, laneCount), denom, e1sq, Lanes(gr, j, laneCount))
                a += SIMD8<Double>(u * u)
                j += laneCount
            }
            if j < cols {
                let n = cols - j
                let u = lanesMasked(factoredU(rb, Lanes(cb, j, n), denom, e1sq, Lanes(gr, j, n)), n)
                a += SIMD8<Double>(u * u)
            }
            out[row] = a.sum()
        }
    }
}

private struct AdafactorFactoredUpdate {
    let p, g, r, c: UnsafeMutablePointer<Float>
    let rows, cols: Int
    /// `decay` is 1 without weight decay: θ·1 is θ bit for bit, so no branch in the loop.
    let e1sq, sign, decay, step: Lanes

    @inline(never)
    func run(rows range: Range<Int>, denoms: UnsafeBufferPointer<Float>) {
        for row in range {
            let b = row / rows, i = row % rows
            let rb = Lanes(repeating: r[b * rows + i]), denom = Lanes(repeating: denoms[b])
            let cb = c + b * cols, pr = p + row * cols, gr = g + row * cols
            // Whole blocks, then the row's tail: with the partial block in the same loop LLVM
            // ran the divides and square roots as 4-wide halves (measured: 1.13 ms at 1M).
            let whole = cols / laneCount * laneCount
            var j = 0
            while j < whole {
                let u = factoredU(rb, Lanes(cb, j, laneCount), denom, e1sq, sign * Lanes(gr, j, laneCount))
                (Lanes(pr, j, laneCount) * decay + step * u).store(pr, j, laneCount)
                j += laneCount
            }
            if j < cols {
                let n = cols - j
                let u = factoredU(rb, Lanes(cb, j, n), denom, e1sq, sign * Lanes(gr, j, n))
                (Lanes(pr, j, n) * decay + step * u).store(pr, j, n)
            }
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
