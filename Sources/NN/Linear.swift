import Tensors

extension Functional {
    /// A fully connected layer: `y = x · weightᵀ + bias`, for `x` of shape `[..., in]` and
    /// `weight` of shape `[out, in]`; the result has shape `[..., out]`.
    ///
    /// One sgemm with the bias pre-broadcast into the output (beta = 1). Backward:
    /// `dx = g · W`, `dW = gᵀ · x`, `db = Σ g` over the leading dimensions.
    ///
    /// ```swift
    /// let y = try Functional.linear(x, weight: w, bias: b)   // [64, 784] -> [64, 10]
    /// ```
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
        guard weight.dim == 2 else {
            throw TensorError("linear: expected a 2-d weight [out, in], got shape \(describe(shape: weight.shape))")
        }
        let outF = weight.shape[0], inF = weight.shape[1]
        guard x.dim >= 1, x.shape[x.dim - 1] == inF else {
            throw TensorError("linear: expected input with last dimension \(inF), got shape \(describe(shape: x.shape))")
        }
        if let bias, bias.shape != [outF] {
            throw TensorError("linear: expected bias of shape [\(outF)], got shape \(describe(shape: bias.shape))")
        }
        let lead = Array(x.shape.dropLast())
        let rows = lead.reduce(1, *)
        let xd = try dense(x), wd = try dense(weight), bd = try bias.map(dense)
        let out = try newTensor(lead + [outF])
        let o = out.pointer
        if let bd {
            let b = bd.pointer
            for r in 0..<rows { (o + r * outF).update(from: b, count: outF) }
        }
        try BLAS.sgemm(transA: false, transB: true, m: rows, n: outF, k: inF,
                 xd.pointer, lda: inF, wd.pointer, ldb: inF, beta: bd == nil ? 0 : 1, o, ldc: outF)

        let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
        return Tensor.record("linear", out, inputs) { g in
            if GradMode.isEnabled {
                // The same products in recorded ops (create_graph): dx = g·W, dW = gᵀ·x, db = Σ g.
                let g2 = try g.reshape([rows, outF])
                var grads: [Tensor?] = [x.requiresGrad ? try g2.mm(weight).reshape(x.shape) : nil,
                                        weight.requiresGrad ? try g2.t().mm(x.reshape([rows, inF])) : nil]
                if let bias { grads.append(bias.requiresGrad ? try g2.sum(dim: 0) : nil) }
                return grads
            }
            let gd = try dense(g)
            var grads: [Tensor?] = [nil, nil]
            if x.requiresGrad {
                let gx = try newTensor(x.shape)
                try BLAS.sgemm(transA: false, transB: false, m: rows, n: inF, k: outF,
                         gd.pointer, lda: outF, wd.pointer, ldb: inF, beta: 0, gx.pointer, ldc: inF)
                grads[0] = gx
            }
            if weight.requiresGrad {
                let gw = try newTensor([outF, inF])
                try BLAS.sgemm(transA: true, transB: false, m: outF, n: inF, k: rows,
                         gd.pointer, lda: outF, xd.pointer, ldb: inF, beta: 0, gw.pointer, ldc: inF)
                grads[1] = gw
            }
            if let bias {
                grads.append(bias.requiresGrad ? try sumRows(gd.pointer, rows: rows, cols: outF) : nil)
            }
            return grads
        }
    }
}

/// Column sums of a dense `[rows, cols]` buffer, as a `[cols]` tensor (row-wise adds vectorize).
func sumRows(_ p: UnsafePointer<Float>, rows: Int, cols: Int) throws -> Tensor {
    let t = try zeroTensor([cols])
    let s = t.pointer
    for r in 0..<rows {
        let row = p + r * cols
        for c in 0..<cols { s[c] += row[c] }
    }
    return t
}
