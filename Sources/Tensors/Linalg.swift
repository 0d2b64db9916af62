/// Matrix products through OpenBLAS, with gradients: `matmul`, `mm`, `dot`, `outer`, `addmm`,
/// `linear`. Transposed views go to BLAS through its transpose flags, without copies.
extension Tensor {
    /// The PyTorch-style product: 1-d·1-d (dot), 2-d·1-d, 1-d·2-d, 2-d·2-d, and batched
    /// (≥3-d on either side; batch dims broadcast: `[B, H, T, d]·[B, H, d, T]`, `[1, H, ..]·[B, 1, ..]`).
    ///
    /// ```swift
    /// let y = try x.matmul(w)   // [b, n, k]·[k, m] -> [b, n, m]
    /// ```
    public func matmul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        guard a.dim >= 1 && b.dim >= 1 else {
            throw TensorError("matmul: both arguments need at least 1 dimension, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        let ka = a.shape[a.dim - 1], kb = b.dim == 1 ? b.shape[0] : b.shape[b.dim - 2]
        guard ka == kb else {
            throw TensorError("matmul: shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) cannot be multiplied (\(ka) != \(kb))")
        }
        switch (a.dim, b.dim) {
        case (1, 1): return try a.dot(b)
        case (2, 1): return try a.mv(b)
        case (1, 2): return try b.t().mv(a)
        case (2, 2): return try a.mm(b)
        case (_, 1): return try a.matmul(b.unsqueeze(1)).squeeze(-1)
        case (1, _): return try a.unsqueeze(0).matmul(b).squeeze(-2)
        case (_, 2):
            // A stack of matrices times one matrix: one GEMM over the merged rows.
            let rows = try a.reshape([-1, ka]).mm(b)
            return try rows.reshape(Array(a.shape.dropLast()) + [b.shape[1]])
        default:
            let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
            let sizeA = batchA.reduce(1, *), sizeB = batchB.reduce(1, *)
            // Batch dims that differ broadcast as NumPy does (MatmulBroadcast.swift).
            guard batchA == batchB || sizeA == 1 || sizeB == 1 else { return try a.broadcastMatmul(b) }
            // One side is a single matrix (or both batches agree): broadcast as NumPy does.
            let rank = max(batchA.count, batchB.count)
            let padA = [Int](repeating: 1, count: rank - batchA.count) + batchA
            let padB = [Int](repeating: 1, count: rank - batchB.count) + batchB
            let batch = zip(padA, padB).map { sizeA == 1 ? $1 : $0 }
            let m = a.shape[a.dim - 2], n = b.shape[b.dim - 1]
            let a3 = try a.reshape([sizeA, m, ka])
            let b3 = try b.reshape([sizeB, ka, n])
            return try Tensor.bmm(a3, b3).reshape(batch + [m, n])
        }
    }

    /// The product of two matrices [M, K]·[K, N].
    ///
    /// ```swift
    /// let c = try a.mm(b.t())   // b transposed through BLAS flags, no copy
    /// ```
    public func mm(_ other: Tensor) throws -> Tensor {
        guard dim == 2 && other.dim == 2 else {
            throw TensorError("mm: expected 2-d tensors, got shapes \(describe(shape: shape)) and \(describe(shape: other.shape))")
        }
        guard shape[1] == other.shape[0] else {
            throw TensorError("mm: shapes \(describe(shape: shape)) and \(describe(shape: other.shape)) cannot be multiplied (\(shape[1]) != \(other.shape[0]))")
        }
        let a = self, b = other
        return Tensor.record("mm", try Tensor.mmCore(a, b), [a, b]) { g in
            if GradMode.isEnabled {
                return [a.requiresGrad ? try g.mm(b.t()) : nil, b.requiresGrad ? try a.t().mm(g) : nil]
            }
            // An operand that is a transposed view (`x.t()`, as in a recorded linear backward)
            // gets its gradient computed transposed, (B·Gᵀ)ᵀ, so that it reaches the
            // transpose's own input as a dense tensor (same flops; no strided accumulation).
            var ga: Tensor? = nil, gb: Tensor? = nil
            if a.requiresGrad {
                ga = a.isTransposedDense ? try Tensor.mmCore(b, g.t()).t() : try Tensor.mmCore(g, b.t())
            }
            if b.requiresGrad {
                gb = b.isTransposedDense ? try Tensor.mmCore(g.t(), a).t() : try Tensor.mmCore(a.t(), g)
            }
            return [ga, gb]
        }
    }

    /// A 2-d view that is the transpose of a dense row-major matrix (and not itself dense).
    var isTransposedDense: Bool {
        dim == 2 && shape[0] > 1 && shape[1] > 1 && strides[0] == 1 && strides[1] == shape[0]
    }

    /// Matrix [M, K] times vector [K].
    func mv(_ x: Tensor) throws -> Tensor {
        let a = self
        return Tensor.record("mv", try Tensor.mvCore(a, x), [a, x]) { g in
            if GradMode.isEnabled {
                return [a.requiresGrad ? try g.unsqueeze(1).mm(x.unsqueeze(0)) : nil, x.requiresGrad ? try a.t().mv(g) : nil]
            }
            return [a.requiresGrad ? try Tensor.mmCore(g.unsqueeze(1), x.unsqueeze(0)) : nil,
             x.requiresGrad ? try Tensor.mvCore(a.t(), g) : nil]
        }
    }

    /// The dot product of two 1-d tensors of the same length, as a 0-d tensor.
    ///
    /// ```swift
    /// let s = try u.dot(v).item()
    /// ```
    public func dot(_ other: Tensor) throws -> Tensor {
        guard dim == 1 && other.dim == 1 else {
            throw TensorError("dot: expected 1-d tensors, got shapes \(describe(shape: shape)) and \(describe(shape: other.shape))")
        }
        guard count == other.count else {
            throw TensorError("dot: shapes \(describe(shape: shape)) and \(describe(shape: other.shape)) cannot be multiplied (\(count) != \(other.count))")
        }
        let a = self, b = other
        let out = try Tensor.filled([], try Tensor.dotCore(a, b))
        return Tensor.record("dot", out, [a, b]) { g in
            if GradMode.isEnabled { return [a.requiresGrad ? try b.mul(g) : nil, b.requiresGrad ? try a.mul(g) : nil] }
            let s = try g.item()
            return [a.requiresGrad ? try b.scaledCopy(s) : nil, b.requiresGrad ? try a.scaledCopy(s) : nil]
        }
    }

    /// The outer product of two 1-d tensors: [M]⊗[N] -> [M, N].
    ///
    /// ```swift
    /// let m = try Tensor.outer(u, v)
    /// ```
    public static func outer(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.dim == 1 && b.dim == 1 else {
            throw TensorError("outer: expected 1-d tensors, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        return try a.unsqueeze(1).mm(b.unsqueeze(0))
    }

    /// A contiguous copy multiplied by `s` (no autograd).
    func scaledCopy(_ s: Float) throws -> Tensor {
        if s == 1 { return try copyData() }
        if isContiguous {
            // One pass: read, scale, write.
            let out = try Tensor(uninitializedShape: shape)
            let p = out.pointer, x = pointer
            for i in 0..<out.count { p[i] = x[i] * s }
            return out
        }
        let out = try copyData()
        let p = out.pointer
        for i in 0..<out.count { p[i] *= s }
        return out
    }

    /// Batched product of [Ba, M, K] and [Bb, K, N], where Ba and Bb are equal or one is 1
    /// (that matrix is used for every batch): [B, M, N], one sgemm per batch.
    ///
    /// ```swift
    /// let scores = try Tensor.bmm(q, k.transpose(1, 2))   // [b, n, d]·[b, d, n]
    /// ```
    public static func bmm(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.dim == 3 && b.dim == 3 else {
            throw TensorError("bmm: expected 3-d tensors, got shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape))")
        }
        guard a.shape[2] == b.shape[1] else {
            throw TensorError("bmm: shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) cannot be multiplied (\(a.shape[2]) != \(b.shape[1]))")
        }
        guard a.shape[0] == b.shape[0] || a.shape[0] == 1 || b.shape[0] == 1 else {
            throw TensorError("bmm: batch sizes \(a.shape[0]) and \(b.shape[0]) must match")
        }
        let batches = a.shape[0] == 1 ? b.shape[0] : a.shape[0]
        let m = a.shape[1], k = a.shape[2], n = b.shape[2]
        let out = try Tensor(uninitializedShape: [batches, m, n])
        try gemmCore(a, b, into: out, alpha: 1, beta: 0)
        return record("bmm", out, [a, b]) { g in
            if GradMode.isEnabled {
                // A single matrix used by every batch gets the sum over the batches.
                // (One GEMM over the merged batches, as below, in recorded ops: no [B, M, K]
                // intermediate to sum.)
                var ga: Tensor? = nil, gb: Tensor? = nil
                if a.requiresGrad {
                    if a.shape[0] == batches {
                        ga = try bmm(g, b.transpose(1, 2))
                    } else {
                        let gm = try g.permute([1, 0, 2]).reshape([m, batches * n])
                        ga = try gm.mm(b.transpose(1, 2).reshape([batches * n, k])).reshape([1, m, k])
                    }
                }
                if b.requiresGrad {
                    if b.shape[0] == batches {
                        gb = try bmm(a.transpose(1, 2), g)
                    } else {
                        gb = try a.reshape([batches * m, k]).t().mm(g.reshape([batches * m, n])).reshape([1, k, n])
                    }
                }
                return [ga, gb]
            }
            var ga: Tensor? = nil, gb: Tensor? = nil
            if a.requiresGrad {
                if a.shape[0] == batches {
                    ga = try bmm(g, b.transpose(1, 2))
                } else {
                    // One matrix used by every batch: sum_i G_i·B_iᵀ as a single GEMM.
                    let gm = try g.permute([1, 0, 2]).reshape([m, batches * n])
                    ga = try mmCore(gm, b.transpose(1, 2).reshape([batches * n, k])).reshape([1, m, k])
                }
            }
            if b.requiresGrad {
                if b.shape[0] == batches {
                    gb = try bmm(a.transpose(1, 2), g)
                } else {
                    // sum_i A_iᵀ·G_i = (rows of all A)ᵀ·(rows of all G).
                    gb = try mmCore(a.reshape([batches * m, k]).t(), g.reshape([batches * m, n])).reshape([1, k, n])
                }
            }
            return [ga, gb]
        }
    }
}
