import CBLAS

/// How OpenBLAS reads a matrix view: a base pointer, a transpose flag and a leading dimension.
/// Row-major views and transposed views with a unit stride in the other dimension are read in
/// place; anything else is copied to a contiguous buffer first.
struct BlasMatrix {
    /// Keeps the storage alive while BLAS reads it.
    let owner: Tensor
    let pointer: UnsafeMutablePointer<Float>
    let trans: CBLAS_TRANSPOSE
    let ld: Int32
    /// Distance between consecutive matrices of a batch (0: one matrix broadcast).
    let batchStride: Int

    /// `t` is [rows, cols] or [batch, rows, cols].
    init(_ t: Tensor) throws {
        let d = t.dim
        let rows = t.shape[d - 2], cols = t.shape[d - 1]
        let rs = t.strides[d - 2], cs = t.strides[d - 1]
        if let (trans, ld) = BlasMatrix.layout(rows: rows, cols: cols, rowStride: rs, colStride: cs) {
            owner = t
            self.trans = trans
            self.ld = try blasInt(ld, "leading dimension")
        } else {
            owner = try t.copyData()
            trans = CblasNoTrans
            ld = try blasInt(max(cols, 1), "leading dimension")
        }
        pointer = owner.pointer
        batchStride = d == 3 && owner.shape[0] > 1 ? owner.strides[0] : 0
    }

    static func layout(rows: Int, cols: Int, rowStride rs: Int, colStride cs: Int) -> (CBLAS_TRANSPOSE, Int)? {
        if (cs == 1 || cols <= 1) && (rows <= 1 || rs >= max(cols, 1)) {
            return (CblasNoTrans, rows <= 1 ? max(cols, 1) : rs)
        }
        if (rs == 1 || rows <= 1) && (cols <= 1 || cs >= max(rows, 1)) {
            return (CblasTrans, cols <= 1 ? max(rows, 1) : cs)
        }
        return nil
    }
}

/// Converts a size for BLAS's 32-bit integer arguments.
func blasInt(_ v: Int, _ what: String) throws -> Int32 {
    guard let i = Int32(exactly: v) else { throw TensorError("matmul: \(what) \(v) is too large for BLAS (limit \(Int32.max))") }
    return i
}

extension Tensor {
    /// `c[i] = alpha·a[i]·b[i] + beta·c[i]` for each batch `i`, where `a` is [Ba, M, K] or
    /// [M, K], `b` is [Bb, K, N] or [K, N] (a batch of 1 is broadcast) and `c` is [B, M, N]
    /// or [M, N] with unit column stride. Shapes are checked by the callers.
    static func gemmCore(_ a: Tensor, _ b: Tensor, into c: Tensor, alpha: Float, beta: Float) throws {
        let m = c.shape[c.dim - 2], n = c.shape[c.dim - 1], k = a.shape[a.dim - 1]
        let batches = c.dim == 3 ? c.shape[0] : 1
        if m == 0 || n == 0 || batches == 0 { return }
        let ldc = m <= 1 ? max(n, 1) : c.strides[c.dim - 2]
        let cBatch = c.dim == 3 ? c.strides[0] : 0
        let A = try BlasMatrix(a), B = try BlasMatrix(b)
        for i in 0..<batches {
            try BLAS.sgemm(transA: A.trans == CblasTrans, transB: B.trans == CblasTrans, m: m, n: n, k: k, alpha: alpha,
                           A.pointer + i * A.batchStride, lda: Int(A.ld), B.pointer + i * B.batchStride, ldb: Int(B.ld),
                           beta: beta, c.pointer + i * cBatch, ldc: ldc)
        }
    }

    /// `alpha·a·b` for 2-d `a` [M, K] and `b` [K, N] as a new contiguous tensor (no autograd).
    static func mmCore(_ a: Tensor, _ b: Tensor, alpha: Float = 1) throws -> Tensor {
        let out = try Tensor(uninitializedShape: [a.shape[0], b.shape[1]])
        try gemmCore(a, b, into: out, alpha: alpha, beta: 0)
        return out
    }

    /// `a·x` for a 2-d `a` [M, K] and 1-d `x` [K] (no autograd).
    static func mvCore(_ a: Tensor, _ x: Tensor) throws -> Tensor {
        let m = a.shape[0], k = a.shape[1]
        let out = try filled([m], 0)
        if m == 0 || k == 0 { return out }
        let A = try BlasMatrix(a)
        let xv = x.strides[0] >= 1 ? x : try x.copyData()
        // sgemv takes the stored matrix's shape: [M, K] as is, [K, M] when transposed.
        let stored = A.trans == CblasNoTrans ? (m, k) : (k, m)
        cblas_sgemv(CblasRowMajor, A.trans, try blasInt(stored.0, "size"), try blasInt(stored.1, "size"), 1,
                    A.pointer, A.ld, xv.pointer, try blasInt(xv.strides[0], "stride"), 0, out.pointer, 1)
        return out
    }

    /// The dot product of two same-length 1-d tensors (no autograd).
    static func dotCore(_ a: Tensor, _ b: Tensor) throws -> Float {
        let n = a.count
        if n == 0 { return 0 }
        let av = a.strides[0] >= 1 ? a : try a.copyData()
        let bv = b.strides[0] >= 1 ? b : try b.copyData()
        return cblas_sdot(try blasInt(n, "size"), av.pointer, try blasInt(av.strides[0], "stride"),
                          bv.pointer, try blasInt(bv.strides[0], "stride"))
    }
}
