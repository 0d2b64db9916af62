import Tensors

// The fused layers and losses keep their raw-pointer backward for ordinary training (grad mode
// off during backward). When a backward records itself (create_graph, grad mode on), each of
// them instead differentiates a composite of differentiable Tensor ops that computes the same
// forward value (`Tensor.compositeVJP`), so gradients of their gradients exist. The composites
// are written for correctness, not speed: they run only on the create_graph path.

extension Functional {
    /// The loss reduction in differentiable ops.
    static func reduceComposite(_ values: Tensor, _ reduction: Reduction, denominator: Double) throws -> Tensor {
        switch reduction {
        case .none: return values
        case .sum: return try values.sum()
        case .mean: return try values.sum().div(Float(denominator))
        }
    }

    /// A 1-d tensor of 1-based indices (as the index ops take them) from 0-based ones.
    static func oneBased(_ rows: [Int]) throws -> Tensor {
        try Tensor(rows.map { Float($0 + 1) }, shape: [rows.count])
    }

    /// Shape with 1 everywhere but `count` at `dim` (per-channel parameters broadcast over
    /// `[N, C, ...]`).
    static func channelShape(rank: Int, dim: Int, count: Int) -> [Int] {
        var s = [Int](repeating: 1, count: rank)
        s[dim] = count
        return s
    }

    /// Per-position class coefficients of a class-indexed loss as a constant tensor with the
    /// input's shape: `(1 − ε)·w[t]` at the target class plus `ε/K·w[c]` everywhere (0 on
    /// ignored positions). The loss is then `−Σ_c coef·logp` per position.
    static func classCoefficients(
        shape: [Int], k: Int, s: Int, targets: [Int], cw: [Float], eps: Float
    ) throws -> Tensor {
        let coef = try zeroTensor(shape)
        let q = coef.pointer, smooth = eps / Float(k)
        for (pos, t) in targets.enumerated() where t >= 0 {
            let off = (pos / s) * k * s + pos % s
            if eps > 0 { for c in 0..<k { q[off + c * s] = smooth * cw[c] } }
            q[off + t * s] += (1 - eps) * cw[t]
        }
        return coef
    }

    /// The 1-based positions in `[C·H·W + 1]` (the last one reads a zero: padding) that im2col
    /// reads for each column entry, rows `c·kh·kw + i·kw + j`, columns `oh·outW + ow`.
    static func im2colIndex(_ win: Window2d) throws -> Tensor {
        let (c, h, w) = (win.channels, win.height, win.width)
        let l = win.outH * win.outW, pad = c * h * w
        var idx = [Float]()
        idx.reserveCapacity(c * win.kh * win.kw * l)
        for ch in 0..<c {
            for i in 0..<win.kh {
                for j in 0..<win.kw {
                    for oh in 0..<win.outH {
                        for ow in 0..<win.outW {
                            let ih = oh * win.sh - win.ph + i * win.dh, iw = ow * win.sw - win.pw + j * win.dw
                            let inside = ih >= 0 && ih < h && iw >= 0 && iw < w
                            idx.append(Float((inside ? ch * h * w + ih * w + iw : pad) + 1))
                        }
                    }
                }
            }
        }
        return try Tensor(idx, shape: [idx.count])
    }

    /// conv2d as differentiable ops: columns gathered with `index_select` from the flattened
    /// input (plus a zero for padding), then one broadcast batched product with the weight.
    static func conv2dComposite(_ xs: [Tensor], win: Window2d, batched: Bool) throws -> Tensor {
        let x = batched ? xs[0] : try xs[0].unsqueeze(0)
        let n = x.shape[0], o = xs[1].shape[0]
        let plane = win.channels * win.height * win.width
        let flat = try Tensor.cat([x.reshape([n, plane]), Tensor.zeros([n, 1])], dim: 1)
        let cols = try flat.indexSelect(dim: 1, index: im2colIndex(win)).reshape([n, win.colRows, win.outH * win.outW])
        var y = try xs[1].reshape([o, win.colRows]).matmul(cols)
        if xs.count > 2 { y = try y.add(xs[2].reshape([1, o, 1])) }
        y = try y.reshape([n, o, win.outH, win.outW])
        return batched ? y : try y.squeeze(0)
    }
}
