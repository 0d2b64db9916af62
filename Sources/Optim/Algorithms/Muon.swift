import Tensors

/// Muon as PyTorch's `torch.optim.Muon` (Jordan et al. 2024): momentum, then the update
/// orthogonalised by a quintic Newton–Schulz iteration, for 2-d parameters only.
///
/// B ← lerp(B, g, 1 − μ); U = lerp(g, B, μ) with `nesterov`, else B; X = U (transposed when it
/// has more rows than columns) / max(‖U‖_F, ε); `ns_steps` times: A = XXᵀ, X ← aX + (bA + cA²)X
/// with (a, b, c) = `ns_coefficients`; θ ← θ·(1 − lr·λ) − lr'·X, where lr' = lr·sqrt(max(1, A/B))
/// ("original") or lr·0.2·sqrt(max(A, B)) ("match_rms_adamw") for a parameter of shape [A, B].
///
/// Difference from PyTorch: PyTorch runs Newton–Schulz in bfloat16; descent runs it in float32
/// through BLAS sgemm (the parity fixtures use PyTorch's code with the bfloat16 cast removed).
///
/// ```swift
/// let opt = try Optimizer(Muon(), params: [w], options: ["lr": .number(0.02)])
/// ```
public struct Muon: OptimizerAlgorithm {
    public let name = "Muon"
    public let spec = OptionTable(algorithm: "Muon", specs: [
        OptionSpec("lr", .number(1e-3), check: OptionSpec.nonNegative),
        OptionSpec("weight_decay", .number(0.1), check: OptionSpec.nonNegative),
        OptionSpec("momentum", .number(0.95), check: OptionSpec.nonNegative),
        OptionSpec("nesterov", .bool(true)),
        OptionSpec("ns_coefficients", .triple(3.4445, -4.7750, 2.0315)),
        OptionSpec("eps", .number(1e-7), check: OptionSpec.nonNegative),
        OptionSpec("ns_steps", .number(5), check: { v in
            if case .number(let x) = v, x >= 0, x < 100, x == x.rounded() { return nil }
            return "an integer in [0, 99]"
        }),
        OptionSpec("adjust_lr_fn", .string("original"), check: OptionSpec.oneOf(["original", "match_rms_adamw"])),
    ])

    public init() {}

    public func checkGroups(_ groups: [ParamGroupSpec]) throws {
        for (g, group) in groups.enumerated() {
            for (i, p) in group.params.enumerated() where p.shape.count != 2 {
                throw TensorError("Muon: only 2-d parameters are supported, parameter \(i + 1) of group \(g + 1) has shape \(describe(shape: p.shape)) (optimize vectors and embeddings with AdamW, e.g. through param groups of another optimizer)")
            }
        }
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        let o = group.options
        let lr = o.number("lr"), wd = o.number("weight_decay"), mu = o.number("momentum")
        let nesterov = o.bool("nesterov"), (a, b, c) = o.triple("ns_coefficients")
        let eps = o.number("eps"), steps = o.integer("ns_steps"), adjust = o.string("adjust_lr_fn")
        for item in items {
            let shape = item.param.shape
            guard shape.count == 2 else {
                throw TensorError("Muon: only 2-d parameters are supported, got a parameter of shape \(describe(shape: shape))")
            }
            let rowsA = shape[0], colsB = shape[1], count = item.param.count
            let buf = try item.state.buffer("momentum_buffer", like: item.param)
            let p = item.param.pointer, g = item.grad.pointer, bp = buf.pointer
            // X is [m, n] with m ≤ n: the update, transposed when it is tall.
            let tall = rowsA > colsB
            let m = tall ? colsB : rowsA, n = tall ? rowsA : colsB
            let x = try Tensor(uninitializedShape: [m, n])
            let xp = x.pointer
            let w1 = Float(1 - mu), wmu = Float(mu), sign = gradSign
            var sumsq = 0.0
            for r in 0..<rowsA {
                for k in 0..<colsB {
                    let idx = r * colsB + k
                    let gi = sign * g[idx]
                    let bi = lerp(bp[idx], gi, w1)
                    bp[idx] = bi
                    let u = nesterov ? lerp(gi, bi, wmu) : bi
                    xp[tall ? k * n + r : idx] = u
                    sumsq += Double(u) * Double(u)
                }
            }
            if count > 0 {
                let norm = max(Float(sumsq.squareRoot()), Float(eps))
                for i in 0..<count { xp[i] /= norm }
                try newtonSchulz(xp, m: m, n: n, a: Float(a), b: Float(b), c: Float(c), steps: steps)
            }
            let ratio: Double
            switch adjust {
            case "match_rms_adamw": ratio = 0.2 * Double(max(rowsA, colsB)).squareRoot()
            default: ratio = max(1, Double(rowsA) / Double(max(colsB, 1))).squareRoot()
            }
            let decay = Float(1 - lr * wd), step = Float(-lr * ratio)
            for r in 0..<rowsA {
                for k in 0..<colsB {
                    let idx = r * colsB + k
                    p[idx] = p[idx] * decay + step * xp[tall ? k * n + r : idx]
                }
            }
        }
    }

    /// `steps` Newton–Schulz iterations on X [m, n] (m ≤ n) in place, products through sgemm.
    func newtonSchulz(_ x: UnsafeMutablePointer<Float>, m: Int, n: Int, a: Float, b: Float, c: Float, steps: Int) throws {
        guard steps > 0 else { return }
        let gram = try Tensor(uninitializedShape: [m, m]), poly = try Tensor(uninitializedShape: [m, m])
        let next = try Tensor(uninitializedShape: [m, n])
        let gp = gram.pointer, pp = poly.pointer, np = next.pointer
        var cur = x, out = np
        for _ in 0..<steps {
            // A = X·Xᵀ
            try BLAS.sgemm(transA: false, transB: true, m: m, n: m, k: n, cur, lda: n, cur, ldb: n, beta: 0, gp, ldc: m)
            // P = b·A + c·A·A
            for i in 0..<m * m { pp[i] = b * gp[i] }
            try BLAS.sgemm(transA: false, transB: false, m: m, n: m, k: m, alpha: c, gp, lda: m, gp, ldb: m, beta: 1, pp, ldc: m)
            // X' = a·X + P·X
            for i in 0..<m * n { out[i] = a * cur[i] }
            try BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: m, pp, lda: m, cur, ldb: n, beta: 1, out, ldc: n)
            swap(&cur, &out)
        }
        if cur != x { x.update(from: cur, count: m * n) }
    }
}

/// PyTorch's scalar-weight `lerp` on one float.
@inline(__always)
private func lerp(_ a: Float, _ b: Float, _ w: Float) -> Float {
    w < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w)
}

extension Muon: BuiltinOptimizer {
    public static let registryOrder = 130
    public static var registered: [any OptimizerAlgorithm] { [Muon()] }
}
