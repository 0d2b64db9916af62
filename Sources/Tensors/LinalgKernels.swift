#if canImport(Glibc)
import Glibc
#endif

/// The forward computations of `Linalg` on raw tensors (no autograd): each copies its batch of
/// matrices into LAPACK's layout (`MatrixBatch`), runs one LAPACK routine per matrix in float64,
/// and turns numerical failures (singular, not positive-definite, no convergence) into errors
/// that name the op and the matrix. `Linalg` (LinalgDecompositions.swift) adds the gradients.
enum LinalgKernels {
    static func square(_ a: MatrixBatch, op: String) throws {
        guard a.rows == a.cols else {
            throw TensorError("\(op): expected square matrices, got shape \(describe(shape: a.batchShape + [a.rows, a.cols]))")
        }
    }

    /// Non-finite input makes LAPACK's iterations meaningless (or loop long): refused up front.
    static func finite(_ a: MatrixBatch, op: String) throws {
        let size = a.rows * a.cols
        for b in 0..<a.count {
            for i in 0..<size where !a.data[b * size + i].isFinite {
                throw TensorError("\(op): \(a.describeMatrix(b)) contains nan or inf")
            }
        }
    }

    /// Runs `body(b)` (LAPACK on matrix b, returning its info) for every matrix of a batch,
    /// spread over `Parallel.threads` in chunks of matrices fixed by the matrix size alone; each
    /// matrix is computed by the same single-threaded LAPACK call whatever the thread count, so
    /// results do not depend on it. Returns the first (lowest) failing matrix and its info.
    static func forEachMatrix(_ count: Int, size n: Int, _ body: (Int) -> Int32) -> (index: Int, info: Int32)? {
        guard count > 0 else { return nil }
        let infos = UnsafeMutablePointer<Int32>.allocate(capacity: count)
        defer { infos.deallocate() }
        // About 2^18 flops per chunk: n³ per matrix.
        let cost = Swift.max(n * n * n, 1)
        let chunk = Swift.max(1, (1 << 18) / cost)
        Parallel.forEachChunk(count: count, chunk: chunk) { range in
            for b in range { infos[b] = body(b) }
        }
        for b in 0..<count where infos[b] != 0 { return (b, infos[b]) }
        return nil
    }

    /// Eigenvalues (ascending, [..., n]) and eigenvectors (columns, [..., n, n]) of symmetric
    /// matrices, from their lower triangles.
    static func eigh(_ t: Tensor) throws -> (values: Tensor, vectors: Tensor) {
        let op = "eigh"
        let a = try MatrixBatch(t, op: op)
        try square(a, op: op)
        try finite(a, op: op)
        let n = a.rows
        let w = try DoubleBuffer(a.count, n)
        let wp = w.pointer
        if let (b, info) = forEachMatrix(a.count, size: n, { b in LAPACK.syevd(n, a.matrix(b), wp + b * n) }) {
            throw TensorError("\(op): the eigenvalue algorithm did not converge for \(a.describeMatrix(b)) (LAPACK info \(info))")
        }
        let values = try ColumnMajor.vector(w, shape: a.batchShape + [n])
        let vectors = try ColumnMajor.tensor(a.data.pointer, batch: a.batchShape, rows: n, cols: n, ld: n, stride: n * n)
        return (values, vectors)
    }

    /// U [..., m, k|m], S [..., k] (descending), Vh [..., k|n, n] with k = min(m, n).
    static func svd(_ t: Tensor, full: Bool) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
        let op = "svd"
        let a = try MatrixBatch(t, op: op)
        try finite(a, op: op)
        let m = a.rows, n = a.cols, k = Swift.min(m, n)
        let ucols = full ? m : k, vtrows = full ? n : k
        let s = try DoubleBuffer(a.count, k)
        let u = try DoubleBuffer(a.count, m, ucols)
        let vt = try DoubleBuffer(a.count, vtrows, n)
        if k == 0 {
            // Nothing to factor; the full factors of an empty matrix are identities.
            for b in 0..<a.count where full {
                for i in 0..<m { u[b * m * m + i * m + i] = 1 }
                for i in 0..<n { vt[b * n * n + i * n + i] = 1 }
            }
        } else {
            let sp = s.pointer, up = u.pointer, vp = vt.pointer
            let failure = forEachMatrix(a.count, size: Swift.max(m, n)) { b in
                LAPACK.gesdd(m, n, a.matrix(b), sp + b * k, up + b * m * ucols, vp + b * vtrows * n, full: full)
            }
            if let (b, info) = failure {
                throw TensorError("\(op): the SVD algorithm did not converge for \(a.describeMatrix(b)) (LAPACK info \(info))")
            }
        }
        let U = try ColumnMajor.tensor(u.pointer, batch: a.batchShape, rows: m, cols: ucols, ld: Swift.max(m, 1), stride: m * ucols)
        let Vh = try ColumnMajor.tensor(vt.pointer, batch: a.batchShape, rows: vtrows, cols: n, ld: Swift.max(vtrows, 1), stride: vtrows * n)
        return (U, try ColumnMajor.vector(s, shape: a.batchShape + [k]), Vh)
    }

    /// The lower Cholesky factor; non-positive-definite matrices are errors.
    static func cholesky(_ t: Tensor) throws -> Tensor {
        let op = "cholesky"
        let a = try MatrixBatch(t, op: op)
        try square(a, op: op)
        try finite(a, op: op)
        let n = a.rows
        let failure = forEachMatrix(a.count, size: n) { b in
            let p = a.matrix(b)
            let info = LAPACK.potrf(n, p)
            for j in 0..<n { for i in 0..<j { p[i + j * n] = 0 } }  // the strict upper part
            return info
        }
        if let (b, info) = failure {
            throw TensorError("\(op): \(a.describeMatrix(b)) is not positive-definite (its leading minor of order \(info) is not positive)")
        }
        return try ColumnMajor.tensor(a.data.pointer, batch: a.batchShape, rows: n, cols: n, ld: n, stride: n * n)
    }

    static func singular(_ op: String, _ a: MatrixBatch, _ b: Int, _ info: Int32) -> TensorError {
        TensorError("\(op): \(a.describeMatrix(b)) is singular (U[\(info), \(info)] of its LU factorisation is zero)")
    }

    /// A⁻¹B for square A [..., n, n] and B [..., n, k] with equal batch dims.
    static func solve(_ at: Tensor, _ bt: Tensor, op: String = "solve") throws -> Tensor {
        let a = try MatrixBatch(at, op: op)
        try square(a, op: op)
        try finite(a, op: op)
        let rhs = try MatrixBatch(bt, op: op)
        try finite(rhs, op: op)
        let n = a.rows, k = rhs.cols
        let pivots = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(a.count * n, 1))
        defer { pivots.deallocate() }
        let failure = forEachMatrix(a.count, size: Swift.max(n, k)) { b in
            let lu = a.matrix(b), piv = pivots + b * n
            let info = LAPACK.getrf(n, lu, piv)
            return info != 0 ? info : LAPACK.getrs(n, k, lu, piv, rhs.matrix(b))
        }
        if let (b, info) = failure { throw singular(op, a, b, info) }
        return try ColumnMajor.tensor(rhs.data.pointer, batch: rhs.batchShape, rows: n, cols: k, ld: Swift.max(n, 1), stride: n * k)
    }

    static func inv(_ t: Tensor) throws -> Tensor {
        let op = "inv"
        let a = try MatrixBatch(t, op: op)
        try square(a, op: op)
        try finite(a, op: op)
        let n = a.rows
        let pivots = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(a.count * n, 1))
        defer { pivots.deallocate() }
        let failure = forEachMatrix(a.count, size: n) { b in
            let lu = a.matrix(b), piv = pivots + b * n
            let info = LAPACK.getrf(n, lu, piv)
            return info != 0 ? info : LAPACK.getri(n, lu, piv)
        }
        if let (b, info) = failure { throw singular(op, a, b, info) }
        return try ColumnMajor.tensor(a.data.pointer, batch: a.batchShape, rows: n, cols: n, ld: n, stride: n * n)
    }

    /// sign(det) and log|det| per matrix (sign 0 and -inf for singular matrices), in float64.
    static func slogdet(_ t: Tensor, op: String) throws -> (batch: [Int], sign: [Double], logabs: [Double]) {
        let a = try MatrixBatch(t, op: op)
        try square(a, op: op)
        try finite(a, op: op)
        let n = a.rows
        let pivots = UnsafeMutablePointer<Int32>.allocate(capacity: Swift.max(a.count * n, 1))
        defer { pivots.deallocate() }
        let sign = try DoubleBuffer(a.count), logabs = try DoubleBuffer(a.count)
        let sp = sign.pointer, lp = logabs.pointer
        _ = forEachMatrix(a.count, size: n) { b in
            let lu = a.matrix(b), piv = pivots + b * n
            if LAPACK.getrf(n, lu, piv) > 0 { sp[b] = 0; lp[b] = -.infinity; return 0 }
            var s = 1.0, l = 0.0
            for i in 0..<n {
                let d = lu[i + i * n]
                if d < 0 { s = -s }
                if piv[i] != Int32(i + 1) { s = -s }
                l += Glibc.log(Swift.abs(d))
            }
            sp[b] = s; lp[b] = l
            return 0
        }
        return (a.batchShape, (0..<a.count).map { sp[$0] }, (0..<a.count).map { lp[$0] })
    }

    /// op(A)⁻¹B for triangular A [..., n, n] (only its `upper` or lower triangle is read) and
    /// B [..., n, k] with equal batch dims.
    static func solveTriangular(_ at: Tensor, _ bt: Tensor, upper: Bool, unitriangular: Bool) throws -> Tensor {
        let op = "solve_triangular"
        let a = try MatrixBatch(at, op: op)
        try square(a, op: op)
        try finite(a, op: op)
        let rhs = try MatrixBatch(bt, op: op)
        try finite(rhs, op: op)
        let n = a.rows, k = rhs.cols
        let failure = forEachMatrix(a.count, size: Swift.max(n, k)) { b in
            LAPACK.trtrs(upper: upper, transpose: false, unit: unitriangular, n, k, a.matrix(b), rhs.matrix(b))
        }
        if let (b, info) = failure {
            throw TensorError("\(op): \(a.describeMatrix(b)) is singular (its diagonal element \(info) is zero)")
        }
        return try ColumnMajor.tensor(rhs.data.pointer, batch: rhs.batchShape, rows: n, cols: k, ld: Swift.max(n, 1), stride: n * k)
    }

    /// Householder QR: Q [..., m, m|k] (none for mode "r") and R [..., m|k, n].
    static func qr(_ t: Tensor, mode: String) throws -> (q: Tensor?, r: Tensor) {
        let op = "qr"
        let a = try MatrixBatch(t, op: op)
        try finite(a, op: op)
        let m = a.rows, n = a.cols, k = Swift.min(m, n)
        let complete = mode == "complete"
        let qcols = complete ? m : k, rrows = complete ? m : k
        let width = Swift.max(n, qcols)
        // The outputs first: their allocation checks the sizes (a complete Q can be huge).
        let r = try Tensor.zeros(a.batchShape + [rrows, n])
        let q = mode == "r" ? nil : try Tensor(uninitializedShape: a.batchShape + [m, qcols])
        let work = try DoubleBuffer(m, width), tau = try DoubleBuffer(k)
        let rp = r.pointer, wp = work.pointer
        for b in 0..<a.count {
            for i in 0..<(m * n) { work[i] = a.data[b * m * n + i] }  // matrix b, column-major
            for i in (m * n)..<(m * width) { work[i] = 0 }
            var info: Int32 = 0
            if k > 0 { info = LAPACK.geqrf(m, n, wp, tau.pointer) }
            guard info == 0 else { throw TensorError("\(op): LAPACK failed on \(a.describeMatrix(b)) (info \(info))") }
            let rb = rp + b * rrows * n
            for i in 0..<Swift.min(rrows, n) {
                for j in i..<n { rb[i * n + j] = Float(work[i + j * m]) }
            }
            guard let q else { continue }
            if qcols > 0 {
                if k > 0 { info = LAPACK.orgqr(m, qcols, k, wp, tau.pointer) }
                else { for i in 0..<(m * width) { work[i] = 0 }; for i in 0..<Swift.min(m, qcols) { work[i + i * m] = 1 } }
                guard info == 0 else { throw TensorError("\(op): LAPACK failed on \(a.describeMatrix(b)) (info \(info))") }
            }
            let qb = q.pointer + b * m * qcols
            for i in 0..<m { for j in 0..<qcols { qb[i * qcols + j] = Float(work[i + j * m]) } }
        }
        return (q, r)
    }

    /// Minimum-norm least-squares solutions by SVD (LAPACK gelsd) of A [..., m, n] X = B
    /// [..., m, k] with equal batch dims: X [..., n, k], residuals [..., k] (when m > n and every
    /// matrix has rank n, else empty), ranks and singular values [..., min(m, n)].
    static func lstsq(_ at: Tensor, _ bt: Tensor, rcond: Double?) throws
        -> (solution: Tensor, residuals: Tensor, rank: Tensor, singularValues: Tensor)
    {
        let op = "lstsq"
        let a = try MatrixBatch(at, op: op)
        try finite(a, op: op)
        let rhs = try MatrixBatch(bt, op: op)
        try finite(rhs, op: op)
        let m = a.rows, n = a.cols, k = rhs.cols, mn = Swift.min(m, n), ld = Swift.max(m, n, 1)
        let rc = rcond ?? Double(Float.ulpOfOne) * Double(Swift.max(m, n))
        let x = try DoubleBuffer(a.count, n, k), s = try DoubleBuffer(a.count, mn), ranks = try DoubleBuffer(a.count)
        let residuals = try DoubleBuffer(a.count, k), buffer = try DoubleBuffer(ld, k), sv = try DoubleBuffer(mn)
        var fullRank = true
        for b in 0..<a.count {
            for i in 0..<(ld * k) { buffer[i] = 0 }
            for j in 0..<k { for i in 0..<m { buffer[i + j * ld] = rhs.data[b * m * k + i + j * m] } }
            var result: (info: Int32, rank: Int) = (0, 0)
            if mn > 0 && k > 0 {
                result = LAPACK.gelsd(m, n, k, a.matrix(b), buffer.pointer, sv.pointer, rcond: rc)
            }
            guard result.info == 0 else {
                throw TensorError("\(op): the SVD did not converge for \(a.describeMatrix(b)) (LAPACK info \(result.info))")
            }
            ranks[b] = Double(result.rank)
            if result.rank < n { fullRank = false }
            for i in 0..<mn { s[b * mn + i] = sv[i] }
            // Row-major X[b] (n x k); the rows below n of B hold the residual components (m > n).
            for i in 0..<n { for j in 0..<k { x[b * n * k + i * k + j] = buffer[i + j * ld] } }
            if m > n { for j in 0..<k { residuals[b * k + j] = (n..<m).reduce(0) { $0 + buffer[$1 + j * ld] * buffer[$1 + j * ld] } } }
        }
        let batch = a.batchShape
        let solution = try ColumnMajor.vector(x, shape: batch + [n, k])
        let res = m > n && fullRank ? try ColumnMajor.vector(residuals, shape: batch + [k]) : try Tensor.zeros([0])
        return (solution, res, try ColumnMajor.vector(ranks, shape: batch), try ColumnMajor.vector(s, shape: batch + [mn]))
    }
}
