import CBLAS
import Dispatch

/// The one entry to OpenBLAS's matrix product, shared by matmul, Linear and Conv2d.
///
/// Determinism: OpenBLAS's own threading splits the K reduction differently for different thread
/// counts, so its results change with `--threads`. Here OpenBLAS always runs single-threaded and
/// descent splits C into fixed panels of `panel` rows (or columns, whichever side is longer),
/// chosen from the shape alone; each element is computed by the same single-threaded kernel
/// with the same K order whatever the thread count, so results are bit-identical for 1 or N
/// threads, and the panels still run in parallel. A product whose C has too few panels to share
/// and a long K (a weight gradient dW = dYᵀ·X: C is [out, in], K the batch) is split along K
/// instead, into slices fixed by the shape whose partial products are added in slice order.
public enum BLAS {
    /// Panels per product at most: enough to spread over the cores, few enough that each call
    /// is large (a conv's [16, 25] × [25, 36864] must not become 288 tiny calls).
    public static let maxPanels = 8
    /// Rows (or columns) of C per panel at least.
    public static let minPanel = 128

    /// The panel size for a side of `extent` rows or columns: a function of the shape only.
    @inline(__always)
    static func panelSize(_ extent: Int) -> Int {
        let even = (extent + maxPanels - 1) / maxPanels
        return Swift.max(minPanel, (even + 15) / 16 * 16)
    }

    /// Depth (K) per chunk at least, when a product is split along K.
    public static let minDepthChunk = 256

    /// Chunks of K for a product whose C has too few panels to keep the cores busy (a weight
    /// gradient dW = dYᵀ·X: C is [out, in], K is the batch), else 1. A function of the shape only.
    @inline(__always)
    public static func depthChunkCount(panels: Int, m: Int, n: Int, k: Int) -> Int {
        guard panels < 4, k >= 2 * minDepthChunk, k >= 4 * Swift.max(m, n), m * n * k >= 1 << 21 else { return 1 }
        return Swift.min(maxPanels, k / minDepthChunk)
    }

    /// C = alpha·op(A)·op(B) + beta·C as a sum over `chunks` equal slices of K: slice 0 goes into
    /// C with the caller's beta, the others into scratch, and the scratch is added to C in slice
    /// order, so each element's sum has the same order for any thread count.
    static func splitDepth(
        chunks: Int, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        let depth = (k + chunks - 1) / chunks
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: (chunks - 1) * m * n)
        defer { scratch.deallocate() }
        let slice: (Int) -> Void = { s in
            let start = s * depth, size = Swift.min(depth, k - start)
            // op(A)'s columns start..<start+size and op(B)'s rows start..<start+size.
            let aStart = transA ? a + start * lda : a + start
            let bStart = transB ? b + start : b + start * ldb
            if s == 0 {
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(size), alpha, aStart, Int32(lda),
                            bStart, Int32(ldb), beta, c, Int32(ldc))
            } else {
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(size), alpha, aStart, Int32(lda),
                            bStart, Int32(ldb), 0, scratch + (s - 1) * m * n, Int32(n))
            }
        }
        Parallel.forEachChunkIndex(chunks, slice)
        let rowsPerBlock = Swift.max(1, (m + maxPanels - 1) / maxPanels)
        let blocks = (m + rowsPerBlock - 1) / rowsPerBlock
        Parallel.forEachChunkIndex(blocks) { blk in
            for i in blk * rowsPerBlock..<Swift.min(m, (blk + 1) * rowsPerBlock) {
                let row = c + i * ldc
                for s in 1..<chunks {
                    let part = scratch + (s - 1) * m * n + i * n
                    for j in 0..<n { row[j] += part[j] }
                }
            }
        }
    }

    /// Throws unless every size fits BLAS's 32-bit integers.
    public static func checkLimits(_ sizes: Int...) throws {
        let limit = Int(Int32.max)
        if let big = sizes.first(where: { $0 > limit }) {
            throw TensorError("matrix product: size \(big) exceeds the BLAS limit of \(limit)")
        }
    }

    /// Row-major `C[m, n] = alpha · op(A) · op(B) + beta · C`. `op(A)` is [m, k]: A is [m, k]
    /// (lda ≥ k), or [k, m] read transposed (lda ≥ m); likewise B. Sizes are validated by the
    /// callers; this checks only BLAS's 32-bit limits. `k == 0` leaves `beta · C`.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) throws {
        try checkLimits(m, n, k, lda, ldb, ldc)
        sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
              beta: beta, c, ldc: ldc, parallel: true)
    }

    /// `sgemm` after the caller has run `checkLimits` on these sizes (or larger ones), so it can
    /// run inside a non-throwing parallel loop. `parallel: false` makes one OpenBLAS call on the
    /// calling thread: for callers that already split their work over threads (conv2d's
    /// per-sample products), where panels and nested dispatch would only add calls and
    /// synchronisation. Deterministic either way; a caller must use one setting per product.
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 { row.initialize(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
            }
            return
        }
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        if !parallel {
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
                        beta, c, Int32(ldc))
            return
        }
        let byRows = m >= n
        let extent = byRows ? m : n
        let panel = panelSize(extent)
        let panels = (extent + panel - 1) / panel
        let depthChunks = depthChunkCount(panels: panels, m: m, n: n, k: k)
        if depthChunks > 1 {
            splitDepth(chunks: depthChunks, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                       a, lda: lda, b, ldb: ldb, beta: beta, c, ldc: ldc)
            return
        }
        let body: (Int) -> Void = { p in
            let start = p * panel, size = Swift.min(panel, extent - start)
            if byRows {
                // Rows start..<start+size of op(A) and of C.
                let aStart = transA ? a + start : a + start * lda
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(size), Int32(n), Int32(k), alpha, aStart, Int32(lda),
                            b, Int32(ldb), beta, c + start * ldc, Int32(ldc))
            } else {
                // Columns start..<start+size of op(B) and of C.
                let bStart = transB ? b + start * ldb : b + start
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(size), Int32(k), alpha, a, Int32(lda),
                            bStart, Int32(ldb), beta, c + start, Int32(ldc))
            }
        }
        if panels == 1 || Parallel.threads == 1 || m * n * k < 1 << 18 {
            for p in 0..<panels { body(p) }
        } else {
            DispatchQueue.concurrentPerform(iterations: panels, execute: body)
        }
    }
}
