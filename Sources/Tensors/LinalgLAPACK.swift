import CBLAS

/// Batches of matrices in LAPACK's layout, and thin wrappers around the double-precision LAPACK
/// routines that Debian's OpenBLAS bundles (declared in Sources/CBLAS/shim.h).
///
/// Tensors are float32 and row-major; LAPACK is column-major. Every matrix of a batch is copied
/// once into a column-major `Double` buffer, factorised there, and copied back: the copy is
/// O(n²) against O(n³) work, and computing in float64 keeps the results within float32 rounding
/// of the exact ones (PyTorch's float32 LAPACK calls drift further on ill-conditioned input).
///
/// ```swift
/// let batch = try MatrixBatch(a, op: "inv")          // a: [..., n, n]
/// let info = LAPACK.getrf(n, batch.matrix(0), pivots)
/// ```
final class MatrixBatch {
    /// The leading (batch) dims of the tensor, its matrix rows and columns.
    let batchShape: [Int]
    let rows: Int
    let cols: Int
    let count: Int
    /// `count` matrices, each `rows x cols` column-major, one after the other. A raw buffer (not
    /// an Array) so that threads can factor different matrices at once without exclusivity
    /// conflicts; at least one element, so that it is never a nil pointer.
    let data: DoubleBuffer

    /// Copies the matrices of `t` (at least 2-d) into column-major doubles.
    init(_ t: Tensor, op: String) throws {
        guard t.dim >= 2 else {
            throw TensorError("\(op): expected a matrix or a batch of matrices (at least 2 dims), got shape \(describe(shape: t.shape))")
        }
        // OpenBLAS single-threaded before its first LAPACK call (descent threads over matrices
        // itself): a LAPACK routine running on OpenBLAS's own workers when another thread shuts
        // them down waits forever (seen in the test process, where no Runtime configured it).
        BLASSetup.configure
        batchShape = Array(t.shape.dropLast(2))
        rows = t.shape[t.dim - 2]
        cols = t.shape[t.dim - 1]
        count = batchShape.reduce(1, *)
        try LAPACK.checkSize(rows, cols, op: op)
        let x = try t.contiguousData()
        let m = rows, n = cols, size = m * n
        data = try DoubleBuffer(count, m, n)
        let src = x.pointer, dst = data.pointer
        for b in 0..<count {
            let s = src + b * size, d = dst + b * size
            for i in 0..<m {
                for j in 0..<n { d[i + j * m] = Double(s[i * n + j]) }
            }
        }
    }

    /// Matrix `b` (column-major, leading dimension `rows`).
    func matrix(_ b: Int) -> UnsafeMutablePointer<Double> { data.pointer + b * rows * cols }

    /// The 1-based position of batch element `b` in the batch dims, for error messages:
    /// "batch index (2, 1)" or "" for a single matrix.
    func location(_ b: Int) -> String {
        guard !batchShape.isEmpty else { return "" }
        var rest = b, index = [Int](repeating: 0, count: batchShape.count)
        for k in stride(from: batchShape.count - 1, through: 0, by: -1) where batchShape[k] > 0 {
            index[k] = rest % batchShape[k] + 1
            rest /= batchShape[k]
        }
        return " at batch index (" + index.map(String.init).joined(separator: ", ") + ")"
    }

    /// "the matrix at batch index (2) of shape [3, 4, 4]" / "the matrix of shape [4, 4]".
    func describeMatrix(_ b: Int) -> String {
        "the matrix\(location(b)) of shape \(describe(shape: batchShape + [rows, cols]))"
    }
}

/// A zeroed `Double` buffer of at least one element, freed with its owner. Its bytes count
/// against `TensorMemory.limit` like tensor storage (a full SVD's U of a tall matrix can be far
/// larger than the matrix), so an oversized request is a `TensorError`, never a crash.
final class DoubleBuffer {
    let pointer: UnsafeMutablePointer<Double>
    let count: Int
    private let bytes: Int

    /// A buffer of `dims` multiplied together, checked for overflow and against the limit.
    init(_ dims: Int...) throws {
        var n = 1
        for d in dims {
            let (p, o) = n.multipliedReportingOverflow(by: Swift.max(d, 0))
            guard !o else { throw TensorError("out of memory: a linear algebra workspace of \(dims) elements is too large") }
            n = p
        }
        count = Swift.max(n, 1)
        let (b, o) = count.multipliedReportingOverflow(by: MemoryLayout<Double>.stride)
        guard !o else { throw TensorError("out of memory: a linear algebra workspace of \(dims) elements is too large") }
        try TensorMemory.reserve(b)
        bytes = b
        pointer = .allocate(capacity: count)
        pointer.initialize(repeating: 0, count: count)
    }

    deinit {
        pointer.deallocate()
        TensorMemory.release(bytes)
    }

    subscript(i: Int) -> Double {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// Column-major `Double` matrices back to float32 tensors.
enum ColumnMajor {
    /// A tensor of shape `batch + [rows, cols]` from `count` column-major matrices at `src`, each
    /// with leading dimension `ld` (≥ rows) and `stride` doubles apart.
    static func tensor(
        _ src: UnsafePointer<Double>, batch: [Int], rows: Int, cols: Int, ld: Int, stride: Int
    ) throws -> Tensor {
        let out = try Tensor(uninitializedShape: batch + [rows, cols])
        let count = batch.reduce(1, *), p = out.pointer
        for b in 0..<count {
            let s = src + b * stride, d = p + b * rows * cols
            for i in 0..<rows {
                for j in 0..<cols { d[i * cols + j] = Float(s[i + j * ld]) }
            }
        }
        return out
    }

    /// A tensor of shape `shape` from doubles in row-major order.
    static func vector(_ values: DoubleBuffer, shape: [Int]) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        let p = out.pointer
        for i in 0..<Swift.min(out.count, values.count) { p[i] = Float(values[i]) }
        return out
    }

    /// A tensor of shape `shape` from doubles in row-major order.
    static func vector(_ values: [Double], shape: [Int]) throws -> Tensor {
        let out = try Tensor(uninitializedShape: shape)
        let p = out.pointer
        for (i, v) in values.enumerated() where i < out.count { p[i] = Float(v) }
        return out
    }
}

/// The LAPACK routines descent uses, on one column-major matrix at a time. Each returns LAPACK's
/// `info` (0: success, > 0: the numerical failure the routine documents). Workspace sizes are
/// queried first (`lwork = -1`), as LAPACK recommends.
enum LAPACK {
    /// LAPACK takes 32-bit sizes (Debian's OpenBLAS is LP64).
    static func checkSize(_ dims: Int..., op: String) throws {
        var n = 1
        for d in dims {
            let (p, o) = n.multipliedReportingOverflow(by: Swift.max(d, 1))
            guard !o, p <= Int(Int32.max) else {
                throw TensorError("\(op): matrices with more than \(Int32.max) elements are not supported")
            }
            n = p
        }
    }

    /// A workspace size from LAPACK's query answer (a Double), clamped to [minimum, Int32.max]
    /// so that a NaN or huge answer cannot trap the conversion.
    static func workspace(_ q: Double, minimum: Int = 1) -> Int32 {
        let lo = Double(Swift.max(minimum, 1))
        guard q.isFinite else { return Int32(lo) }
        return Int32(Swift.min(Swift.max(q, lo), Double(Int32.max)))
    }

    /// Symmetric eigendecomposition of the lower triangle of `a` (n x n); eigenvalues ascending
    /// into `w`, eigenvectors (columns) replace `a`. Workspaces are sized by formula (what
    /// dsyevd's query answers with OpenBLAS 0.3.21), saving a call per matrix on small batches.
    static func syevd(_ n: Int, _ a: UnsafeMutablePointer<Double>, _ w: UnsafeMutablePointer<Double>) -> Int32 {
        var jobz = CChar(UInt8(ascii: "V")), uplo = CChar(UInt8(ascii: "L"))
        var n32 = Int32(n), lda = Int32(Swift.max(n, 1)), info: Int32 = 0
        // max(LAPACK's minimum, room for dsytrd's blocks of 32): equal to the query's answer.
        var lwork = n <= 1 ? Int32(1) : workspace(Double(Swift.max(1 + 6 * n + 2 * n * n, 2 * n + 32 * n)))
        var liwork = n <= 1 ? Int32(1) : Int32(3 + 5 * n)
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &n32, a, &lda, w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        return info
    }

    /// SVD of `a` (m x n, destroyed): `s` gets min(m, n) values (descending), `u` is m x ucols
    /// and `vt` is vtrows x n, where ucols = vtrows = min(m, n) (reduced) or m and n (full).
    static func gesdd(
        _ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, _ s: UnsafeMutablePointer<Double>,
        _ u: UnsafeMutablePointer<Double>, _ vt: UnsafeMutablePointer<Double>, full: Bool
    ) -> Int32 {
        var jobz = CChar(UInt8(ascii: full ? "A" : "S"))
        let k = Swift.min(m, n)
        var m32 = Int32(m), n32 = Int32(n), lda = Int32(Swift.max(m, 1)), ldu = Int32(Swift.max(m, 1))
        var ldvt = Int32(Swift.max(full ? n : k, 1)), info: Int32 = 0, lwork: Int32 = -1
        var query = [Double](repeating: 0, count: 1)
        var iwork = [Int32](repeating: 0, count: Swift.max(8 * k, 1))
        dgesdd_(&jobz, &m32, &n32, a, &lda, s, u, &ldu, vt, &ldvt, &query, &lwork, &iwork, &info, 1)
        guard info == 0 else { return info }
        lwork = workspace(query[0])
        var work = [Double](repeating: 0, count: Int(lwork))
        dgesdd_(&jobz, &m32, &n32, a, &lda, s, u, &ldu, vt, &ldvt, &work, &lwork, &iwork, &info, 1)
        return info
    }

    /// LU factorisation with partial pivoting of the n x n matrix `a` (in place); `ipiv` gets n
    /// 1-based pivot rows. info > 0: U[info, info] is exactly zero (the matrix is singular).
    static func getrf(_ n: Int, _ a: UnsafeMutablePointer<Double>, _ ipiv: UnsafeMutablePointer<Int32>) -> Int32 {
        var n32 = Int32(n), lda = Int32(Swift.max(n, 1)), info: Int32 = 0
        dgetrf_(&n32, &n32, a, &lda, ipiv, &info)
        return info
    }

    /// Solves A X = B with `lu`/`ipiv` from `getrf`; B (n x nrhs) is overwritten by X.
    static func getrs(
        _ n: Int, _ nrhs: Int, _ lu: UnsafePointer<Double>, _ ipiv: UnsafePointer<Int32>, _ b: UnsafeMutablePointer<Double>
    ) -> Int32 {
        var trans = CChar(UInt8(ascii: "N"))
        var n32 = Int32(n), nrhs32 = Int32(nrhs), lda = Int32(Swift.max(n, 1)), info: Int32 = 0
        dgetrs_(&trans, &n32, &nrhs32, lu, &lda, ipiv, b, &lda, &info, 1)
        return info
    }

    /// The inverse from `getrf`'s factors, in place. The workspace is n·64 (a block size of 64,
    /// what dgetri's query answers with OpenBLAS), saving a call per matrix on small batches.
    static func getri(_ n: Int, _ lu: UnsafeMutablePointer<Double>, _ ipiv: UnsafePointer<Int32>) -> Int32 {
        var n32 = Int32(n), lda = Int32(Swift.max(n, 1)), info: Int32 = 0
        var lwork = workspace(Double(64 * n), minimum: n)
        var work = [Double](repeating: 0, count: Int(lwork))
        dgetri_(&n32, lu, &lda, ipiv, &work, &lwork, &info)
        return info
    }

    /// Cholesky factor of the lower triangle of `a` (in place; the strict upper part is left as
    /// it was). info > 0: the leading minor of order info is not positive definite.
    static func potrf(_ n: Int, _ a: UnsafeMutablePointer<Double>) -> Int32 {
        var uplo = CChar(UInt8(ascii: "L")), n32 = Int32(n), lda = Int32(Swift.max(n, 1)), info: Int32 = 0
        dpotrf_(&uplo, &n32, a, &lda, &info, 1)
        return info
    }

    /// Solves op(A) X = B for triangular A (n x n); B (n x nrhs) is overwritten by X.
    /// info > 0: A[info, info] is zero.
    static func trtrs(
        upper: Bool, transpose: Bool, unit: Bool, _ n: Int, _ nrhs: Int,
        _ a: UnsafePointer<Double>, _ b: UnsafeMutablePointer<Double>
    ) -> Int32 {
        var uplo = CChar(UInt8(ascii: upper ? "U" : "L")), trans = CChar(UInt8(ascii: transpose ? "T" : "N"))
        var diag = CChar(UInt8(ascii: unit ? "U" : "N"))
        var n32 = Int32(n), nrhs32 = Int32(nrhs), lda = Int32(Swift.max(n, 1)), info: Int32 = 0
        dtrtrs_(&uplo, &trans, &diag, &n32, &nrhs32, a, &lda, b, &lda, &info, 1, 1, 1)
        return info
    }

    /// Householder QR of `a` (m x n, in place): R in the upper triangle, the reflectors below it
    /// and their scalars in `tau` (min(m, n) of them).
    static func geqrf(_ m: Int, _ n: Int, _ a: UnsafeMutablePointer<Double>, _ tau: UnsafeMutablePointer<Double>) -> Int32 {
        var m32 = Int32(m), n32 = Int32(n), lda = Int32(Swift.max(m, 1)), info: Int32 = 0, lwork: Int32 = -1
        var query = [Double](repeating: 0, count: 1)
        dgeqrf_(&m32, &n32, a, &lda, tau, &query, &lwork, &info)
        guard info == 0 else { return info }
        lwork = workspace(query[0], minimum: n)
        var work = [Double](repeating: 0, count: Int(lwork))
        dgeqrf_(&m32, &n32, a, &lda, tau, &work, &lwork, &info)
        return info
    }

    /// Forms the m x qcols matrix Q from `geqrf`'s k reflectors stored in `a` (leading dim m).
    static func orgqr(_ m: Int, _ qcols: Int, _ k: Int, _ a: UnsafeMutablePointer<Double>, _ tau: UnsafePointer<Double>) -> Int32 {
        var m32 = Int32(m), n32 = Int32(qcols), k32 = Int32(k), lda = Int32(Swift.max(m, 1))
        var info: Int32 = 0, lwork: Int32 = -1
        var query = [Double](repeating: 0, count: 1)
        dorgqr_(&m32, &n32, &k32, a, &lda, tau, &query, &lwork, &info)
        guard info == 0 else { return info }
        lwork = workspace(query[0], minimum: qcols)
        var work = [Double](repeating: 0, count: Int(lwork))
        dorgqr_(&m32, &n32, &k32, a, &lda, tau, &work, &lwork, &info)
        return info
    }

    /// Minimum-norm least squares by SVD: `a` is m x n (destroyed), `b` is max(m, n) x nrhs
    /// (leading dim max(m, n)) and gets the n x nrhs solution in its first n rows; `s` gets
    /// min(m, n) singular values; returns (info, effective rank).
    static func gelsd(
        _ m: Int, _ n: Int, _ nrhs: Int, _ a: UnsafeMutablePointer<Double>, _ b: UnsafeMutablePointer<Double>,
        _ s: UnsafeMutablePointer<Double>, rcond: Double
    ) -> (info: Int32, rank: Int) {
        var m32 = Int32(m), n32 = Int32(n), nrhs32 = Int32(nrhs), lda = Int32(Swift.max(m, 1))
        var ldb = Int32(Swift.max(m, n, 1)), rc = rcond, rank: Int32 = 0, info: Int32 = 0, lwork: Int32 = -1
        var query = [Double](repeating: 0, count: 1), iquery: Int32 = 0
        dgelsd_(&m32, &n32, &nrhs32, a, &lda, b, &ldb, s, &rc, &rank, &query, &lwork, &iquery, &info)
        guard info == 0 else { return (info, 0) }
        lwork = workspace(query[0])
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [Int32](repeating: 0, count: Int(Swift.max(iquery, 1)))
        dgelsd_(&m32, &n32, &nrhs32, a, &lda, b, &ldb, s, &rc, &rank, &work, &lwork, &iwork, &info)
        return (info, Int(rank))
    }
}
