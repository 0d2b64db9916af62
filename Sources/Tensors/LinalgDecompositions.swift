#if canImport(Glibc)
import Glibc
#endif

/// Linear algebra with PyTorch's `torch.linalg` names and conventions, batched over leading
/// dimensions: decompositions and solvers through LAPACK (LinalgKernels.swift), with gradients.
///
/// Backward formulas are PyTorch's (FunctionsManual.cpp: `linalg_eig_backward` for symmetric
/// input, `svd_backward`, `cholesky_backward`, `linalg_solve_triangular` ...) written with
/// differentiable tensor ops (matmul, transpose, elementwise, and these functions themselves).
/// A closure normally uses the op's saved (detached) outputs; when it runs with grad mode on (a
/// backward that records its own graph, `create_graph`), it recomputes them from the inputs as
/// recorded ops instead, so that the gradient is differentiable again and no closure owns its
/// output (no reference cycle).
///
/// ```swift
/// let (w, v) = try Linalg.eigh(a)            // a = v · diag(w) · vᵀ, w ascending
/// let x = try Linalg.solve(a, b)             // a · x = b
/// ```
public enum Linalg {
    // MARK: helpers (differentiable)

    /// The transpose of the last two dims.
    static func mT(_ t: Tensor) throws -> Tensor { try t.transpose(-2, -1) }

    /// [..., n] -> [..., n, n] with the values on the diagonal.
    static func diagEmbed(_ v: Tensor) throws -> Tensor {
        let n = v.shape[v.dim - 1]
        return try v.unsqueeze(-1).mul(Tensor.eye(n))
    }

    /// A constant [n, n] mask: 1 on and below (`lower`) or above the diagonal, `diagonal` on it.
    static func triangleMask(_ n: Int, lower: Bool, diagonal: Float) throws -> Tensor {
        let m = try Tensor.zeros([n, n])
        let p = m.pointer
        for i in 0..<n {
            for j in 0..<n where (lower ? j < i : j > i) { p[i * n + j] = 1 }
            p[i * n + i] = diagonal
        }
        return m
    }

    /// Broadcasts the batch dims of two operands: all but the last 2 dims of `a`, all but the
    /// last `coreB` of `b` (expanded views, so gradients sum back over the broadcast dims).
    static func broadcastBatch(_ a: Tensor, _ b: Tensor, coreB: Int, op: String) throws -> (Tensor, Tensor) {
        let ba = Array(a.shape.dropLast(2)), bb = Array(b.shape.dropLast(coreB))
        if ba == bb { return (a, b) }
        let batch: [Int]
        do { batch = try Tensor.broadcastShapes(ba, bb) } catch {
            throw TensorError("\(op): batch dims \(describe(shape: ba)) and \(describe(shape: bb)) of shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) cannot be broadcast")
        }
        return (try a.expand(batch + a.shape.suffix(2)), try b.expand(batch + b.shape.suffix(coreB)))
    }

    static func requireMatrix(_ t: Tensor, op: String, name: String = "A") throws {
        guard t.dim >= 2 else {
            throw TensorError("\(op): expected \(name) to be a matrix or a batch of matrices (at least 2 dims), got shape \(describe(shape: t.shape))")
        }
    }

    static func requireSquare(_ t: Tensor, op: String, name: String = "A") throws {
        try requireMatrix(t, op: op, name: name)
        guard t.shape[t.dim - 1] == t.shape[t.dim - 2] else {
            throw TensorError("\(op): expected \(name) to be square (or a batch of square matrices), got shape \(describe(shape: t.shape))")
        }
    }

    /// Records an op with several outputs as one graph node: the outputs are packed into one flat
    /// tensor whose node runs `backward` on the outputs' gradients (zeros for unused outputs), and
    /// each returned output is a differentiable view of its slice.
    static func recordMulti(
        _ name: String, _ outputs: [Tensor], _ inputs: [Tensor],
        backward: @escaping ([Tensor]) throws -> [Tensor?]
    ) throws -> [Tensor] {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return outputs }
        let shapes = outputs.map(\.shape), lengths = outputs.map(\.count)
        let packed = try GradMode.withoutGrad { try Tensor.cat(outputs.map { try $0.reshape([-1]) }, dim: 0) }
        Tensor.record(name, packed, inputs) { g in
            var parts = [Tensor](), start = 0
            for (shape, length) in zip(shapes, lengths) {
                parts.append(try g.narrow(dim: 0, start: start, length: length).reshape(shape))
                start += length
            }
            return try backward(parts)
        }
        var result = [Tensor](), start = 0
        for (shape, length) in zip(shapes, lengths) {
            result.append(try packed.narrow(dim: 0, start: start, length: length).reshape(shape))
            start += length
        }
        return result
    }

    // MARK: decompositions

    /// Eigenvalues (ascending) and eigenvectors (columns) of symmetric matrices [..., n, n]; only
    /// the lower triangle is read. The gradient assumes distinct eigenvalues (PyTorch's formula).
    ///
    /// ```swift
    /// let (w, v) = try Linalg.eigh(a)   // a·v[:, j] = w[j]·v[:, j]
    /// ```
    public static func eigh(_ a: Tensor) throws -> (eigenvalues: Tensor, eigenvectors: Tensor) {
        try requireSquare(a, op: "eigh")
        let (values, vectors) = try LinalgKernels.eigh(a)
        let out = try recordMulti("eigh", [values, vectors], [a]) { g in
            // Recording a backward (create_graph): the factors again, as recorded ops of `a`.
            let (w, v) = GradMode.isEnabled ? try eigh(a) : (values, vectors)
            let (gw, gv) = (g[0], g[1])
            // gA = V (diag(gw) + skew(Vᵀ gV) / E) Vᵀ with E[i, j] = w[j] - w[i] (1 on the diagonal).
            let vtgv = try mT(v).matmul(gv)
            let skew = try vtgv.sub(mT(vtgv)).mul(0.5)
            let e = try w.unsqueeze(-2).sub(w.unsqueeze(-1)).add(Tensor.eye(w.shape[w.dim - 1]))
            let inner = try skew.div(e).add(diagEmbed(gw))
            return [try v.matmul(inner).matmul(mT(v))]
        }
        return (out[0], out[1])
    }

    /// The singular value decomposition A = U·diag(S)·Vh with S descending: reduced
    /// (U [..., m, k], Vh [..., k, n], k = min(m, n)) or `fullMatrices` (U [..., m, m],
    /// Vh [..., n, n]). The gradient assumes distinct non-zero singular values; with
    /// `fullMatrices` it needs square matrices (as in PyTorch).
    ///
    /// ```swift
    /// let (u, s, vh) = try Linalg.svd(a)
    /// ```
    public static func svd(_ a: Tensor, fullMatrices: Bool = false) throws -> (u: Tensor, s: Tensor, vh: Tensor) {
        try requireMatrix(a, op: "svd")
        let m = a.shape[a.dim - 2], n = a.shape[a.dim - 1]
        if fullMatrices && m != n && GradMode.isEnabled && a.requiresGrad {
            throw TensorError("svd: the gradient of a full_matrices = true SVD is defined for square matrices only, got shape \(describe(shape: a.shape)) (use the reduced SVD)")
        }
        let (uRaw, sRaw, vhRaw) = try LinalgKernels.svd(a, full: fullMatrices)
        let out = try recordMulti("svd", [uRaw, sRaw, vhRaw], [a]) { g in
            let (u, s, vh) = GradMode.isEnabled ? try svd(a, fullMatrices: fullMatrices) : (uRaw, sRaw, vhRaw)
            return [try svdBackward(u: u, s: s, vh: vh, gu: g[0], gs: g[1], gvh: g[2], m: m, n: n)]
        }
        return (out[0], out[1], out[2])
    }

    /// PyTorch's svd_backward (real case): with skew(X) = X - Xᵀ and E[j, k] = S[k]² - S[j]²,
    /// gA = U ((skew(UᵀgU)·S + S·skew(VᵀgV)) / E + diag(gS)) Vh, plus the terms for the part of
    /// gU (m > k) or gVh (n > k) outside the span of U or V.
    static func svdBackward(u: Tensor, s: Tensor, vh: Tensor, gu: Tensor, gs: Tensor, gvh: Tensor, m: Int, n: Int) throws -> Tensor {
        let k = s.shape[s.dim - 1]
        let v = try mT(vh), gv = try mT(gvh)
        let skew = { (x: Tensor) throws -> Tensor in try x.sub(mT(x)) }
        let uhgu = try skew(mT(u).matmul(gu)), vhgv = try skew(mT(v).matmul(gv))
        let s2 = try s.mul(s)
        let e = try s2.unsqueeze(-2).sub(s2.unsqueeze(-1)).add(Tensor.eye(k))
        var ga = try uhgu.mul(s.unsqueeze(-2)).add(s.unsqueeze(-1).mul(vhgv)).div(e).add(diagEmbed(gs))
        if m > k {
            ga = try u.matmul(ga)
            let gusinv = try gu.div(s.unsqueeze(-2))
            ga = try ga.add(gusinv).sub(u.matmul(mT(u).matmul(gusinv)))
            ga = try ga.matmul(vh)
        } else if n > k {
            ga = try ga.matmul(vh)
            let sinvgvh = try gvh.div(s.unsqueeze(-1))
            ga = try ga.add(sinvgvh).sub(sinvgvh.matmul(v).matmul(vh))
            ga = try u.matmul(ga)
        } else {
            ga = try u.matmul(ga).matmul(vh)
        }
        return ga
    }

    /// QR decomposition: `mode` "reduced" (Q [..., m, k], R [..., k, n]), "complete"
    /// (Q [..., m, m], R [..., m, n]) or "r" (R only; Q is nil). Differentiable for m ≥ n
    /// (reduced, or complete when square) with R invertible.
    ///
    /// ```swift
    /// let (q, r) = try Linalg.qr(a)   // q has orthonormal columns, r is upper triangular
    /// ```
    public static func qr(_ a: Tensor, mode: String = "reduced") throws -> (q: Tensor?, r: Tensor) {
        try requireMatrix(a, op: "qr")
        guard ["reduced", "complete", "r"].contains(mode) else {
            throw TensorError("qr: mode must be 'reduced', 'complete' or 'r', got '\(mode)'")
        }
        let m = a.shape[a.dim - 2], n = a.shape[a.dim - 1]
        if GradMode.isEnabled && a.requiresGrad {
            guard mode != "r" else {
                throw TensorError("qr: mode 'r' has no gradient (it does not compute Q); use mode 'reduced'")
            }
            guard m >= n, mode == "reduced" || m == n else {
                throw TensorError("qr: the gradient is implemented for \(mode == "complete" ? "square matrices with mode 'complete'" : "matrices with at least as many rows as columns"), got shape \(describe(shape: a.shape))")
            }
        }
        let (qRaw, rRaw) = try LinalgKernels.qr(a, mode: mode)
        guard let qRaw else { return (nil, rRaw) }
        let out = try recordMulti("qr", [qRaw, rRaw], [a]) { g in
            let (q, r): (Tensor, Tensor)
            if GradMode.isEnabled, case let (q1?, r1) = try qr(a, mode: mode) { (q, r) = (q1, r1) } else { (q, r) = (qRaw, rRaw) }
            return [try qrBackward(q: q, r: r, gq: g[0], gr: g[1])]
        }
        return (out[0], out[1])
    }

    /// The gradient of A = QR for m ≥ n (Q [m, n], R [n, n] upper triangular and invertible):
    /// with M = skew(QᵀgQ) + skew(R gRᵀ) (skew(X) = X - Xᵀ),
    /// gA = Q (gR + tril(M) R⁻ᵀ) + (gQ - Q QᵀgQ) R⁻ᵀ (as in TensorFlow's QrGrad and PyTorch).
    static func qrBackward(q: Tensor, r: Tensor, gq: Tensor, gr: Tensor) throws -> Tensor {
        let n = r.shape[r.dim - 1]
        // x·R⁻ᵀ = (R⁻¹·xᵀ)ᵀ
        let rightSolve = { (x: Tensor) throws -> Tensor in try mT(solveTriangular(r, mT(x), upper: true)) }
        let qdq = try mT(q).matmul(gq), rdr = try r.matmul(mT(gr))
        let m = try qdq.sub(mT(qdq)).add(rdr.sub(mT(rdr))).mul(triangleMask(n, lower: true, diagonal: 1))
        let ga = try q.matmul(gr.add(rightSolve(m)))
        let gb = try rightSolve(gq.sub(q.matmul(qdq)))
        return try ga.add(gb)
    }

    /// The Cholesky factor: lower L with A = L·Lᵀ (or upper U = Lᵀ). Only the lower triangle of A
    /// is read; a matrix that is not positive-definite is an error.
    ///
    /// ```swift
    /// let l = try Linalg.cholesky(a)
    /// ```
    public static func cholesky(_ a: Tensor, upper: Bool = false) throws -> Tensor {
        try requireSquare(a, op: "cholesky")
        let factor = try LinalgKernels.cholesky(a)
        let n = factor.shape[factor.dim - 1], saved = factor.detachedAlias  // the closure must not own its output
        let out = Tensor.record("cholesky", factor, [a]) { gl in
            let l = GradMode.isEnabled ? try cholesky(a) : saved
            // gA = L⁻ᵀ Φ(Lᵀ gL) L⁻¹, Φ = lower triangle with the diagonal halved; symmetrised.
            let phi = try mT(l).matmul(gl).mul(triangleMask(n, lower: true, diagonal: 0.5))
            let left = try solveTriangular(mT(l), phi, upper: true)
            let ga = try solveTriangular(l, left, upper: false, left: false)
            return [try ga.add(mT(ga)).mul(0.5)]
        }
        return upper ? try mT(out) : out
    }

    // MARK: solvers

    /// Solves A·X = B (or X·A = B when `left` is false) for square A [..., n, n]. B is [..., n, k],
    /// or a vector [n] / batch of vectors [..., n] (its shape is A's without the last dim); batch
    /// dims broadcast. Singular matrices are errors.
    ///
    /// ```swift
    /// let x = try Linalg.solve(a, b)
    /// ```
    public static func solve(_ a: Tensor, _ b: Tensor, left: Bool = true) throws -> Tensor {
        let op = "solve"
        try requireSquare(a, op: op)
        let n = a.shape[a.dim - 1]
        let vector = b.dim == 1 || (b.dim == a.dim - 1 && Array(b.shape) == Array(a.shape.dropLast()))
        if vector {
            guard b.shape[b.dim - 1] == n else {
                throw TensorError("\(op): A of shape \(describe(shape: a.shape)) and B of shape \(describe(shape: b.shape)) do not match (\(n) != \(b.shape[b.dim - 1]))")
            }
            return try solve(a, b.unsqueeze(left ? -1 : -2), left: left).squeeze(left ? -1 : -2)
        }
        guard b.dim >= 2 else { throw TensorError("\(op): expected B to be at least 1-d, got shape \(describe(shape: b.shape))") }
        if !left { return try mT(solve(mT(a), mT(b), left: true)) }
        guard b.shape[b.dim - 2] == n else {
            throw TensorError("\(op): A of shape \(describe(shape: a.shape)) and B of shape \(describe(shape: b.shape)) do not match (\(n) != \(b.shape[b.dim - 2]))")
        }
        let (ab, bb) = try broadcastBatch(a, b, coreB: 2, op: op)
        let out = try LinalgKernels.solve(ab, bb), saved = out.detachedAlias
        return Tensor.record("solve", out, [ab, bb]) { g in
            let x = GradMode.isEnabled ? try solve(ab, bb) : saved
            // gB = A⁻ᵀ G, gA = -gB Xᵀ
            let gb = try solve(mT(ab), g)
            return [ab.requiresGrad ? try gb.matmul(mT(x)).neg() : nil, bb.requiresGrad ? gb : nil]
        }
    }

    /// Solves A·X = B (or X·A = B when `left` is false) for triangular A: only its upper (`upper`)
    /// or lower triangle is read, and its diagonal is taken to be ones when `unitriangular`.
    /// B is [..., n, k] (k x n when right-sided); batch dims broadcast.
    ///
    /// ```swift
    /// let x = try Linalg.solveTriangular(l, b, upper: false)
    /// ```
    public static func solveTriangular(
        _ a: Tensor, _ b: Tensor, upper: Bool, left: Bool = true, unitriangular: Bool = false
    ) throws -> Tensor {
        let op = "solve_triangular"
        try requireSquare(a, op: op)
        try requireMatrix(b, op: op, name: "B")
        if !left {
            return try mT(solveTriangular(mT(a), mT(b), upper: !upper, left: true, unitriangular: unitriangular))
        }
        let n = a.shape[a.dim - 1]
        guard b.shape[b.dim - 2] == n else {
            throw TensorError("\(op): A of shape \(describe(shape: a.shape)) and B of shape \(describe(shape: b.shape)) do not match (\(n) != \(b.shape[b.dim - 2]))")
        }
        let (ab, bb) = try broadcastBatch(a, b, coreB: 2, op: op)
        let out = try LinalgKernels.solveTriangular(ab, bb, upper: upper, unitriangular: unitriangular)
        let saved = out.detachedAlias
        return Tensor.record("solve_triangular", out, [ab, bb]) { g in
            let x = GradMode.isEnabled ? try solveTriangular(ab, bb, upper: upper, unitriangular: unitriangular) : saved
            let gb = try solveTriangular(mT(ab), g, upper: !upper, left: true, unitriangular: unitriangular)
            var ga: Tensor? = nil
            if ab.requiresGrad {
                // Only the triangle that was read gets a gradient (not the unit diagonal).
                let mask = try triangleMask(n, lower: !upper, diagonal: unitriangular ? 0 : 1)
                ga = try gb.matmul(mT(x)).neg().mul(mask)
            }
            return [ga, bb.requiresGrad ? gb : nil]
        }
    }

    /// The inverse of square matrices; singular matrices are errors.
    ///
    /// ```swift
    /// let ainv = try Linalg.inv(a)
    /// ```
    public static func inv(_ a: Tensor) throws -> Tensor {
        try requireSquare(a, op: "inv")
        let out = try LinalgKernels.inv(a), saved = out.detachedAlias
        return Tensor.record("inv", out, [a]) { g in
            let x = GradMode.isEnabled ? try inv(a) : saved
            // gA = -A⁻ᵀ G A⁻ᵀ
            let xt = try mT(x)
            return [try xt.matmul(g).matmul(xt).neg()]
        }
    }

    /// The determinant [...] of square matrices [..., n, n] (0 for singular ones).
    ///
    /// ```swift
    /// let d = try Linalg.det(a)
    /// ```
    public static func det(_ a: Tensor) throws -> Tensor {
        try requireSquare(a, op: "det")
        let (batch, sign, logabs) = try LinalgKernels.slogdet(a, op: "det")
        let values = zip(sign, logabs).map { $0 == 0 ? 0 : $0 * Glibc.exp($1) }
        let out = try ColumnMajor.vector(values, shape: batch), saved = out.detachedAlias
        return Tensor.record("det", out, [a]) { g in
            // gA = g · det(A) · A⁻ᵀ (the cofactor matrix); singular matrices take it from the SVD.
            if sign.contains(0) {
                // Recording (create_graph): the cofactors from the recorded SVD, so that the
                // gradient is differentiable again (PyTorch's singular branch).
                let c = GradMode.isEnabled ? try recordedCofactors(a) : try cofactors(a)
                return [try c.mul(g.unsqueeze(-1).unsqueeze(-1))]
            }
            let d = GradMode.isEnabled ? try det(a) : saved
            return [try mT(inv(a)).mul(g.mul(d).unsqueeze(-1).unsqueeze(-1))]
        }
    }

    /// The cofactor matrix det(A)·A⁻ᵀ, defined for singular A too: with A = U·diag(S)·Vh it is
    /// det(U)·det(Vh)·U·diag(∏_{j≠i} S[j])·Vh. (Not differentiable further.)
    static func cofactors(_ a: Tensor) throws -> Tensor {
        let (u, s, vh) = try LinalgKernels.svd(a.detach(), full: false)
        let (_, su, _) = try LinalgKernels.slogdet(u, op: "det")
        let (_, sv, _) = try LinalgKernels.slogdet(vh, op: "det")
        let k = s.shape[s.dim - 1]
        let sp = try s.contiguousData().toArray()
        var prods = [Float](repeating: 0, count: sp.count)
        for b in 0..<(k == 0 ? 0 : sp.count / k) {
            for i in 0..<k {
                var p = su[b] * sv[b]
                for j in 0..<k where j != i { p *= Double(sp[b * k + j]) }
                prods[b * k + i] = Float(p)
            }
        }
        let scaled = try Tensor(prods, shape: s.shape)
        return try u.mul(scaled.unsqueeze(-2)).matmul(vh)
    }

    /// `cofactors` in differentiable ops: with A = U·diag(S)·Vh from the recorded `svd`,
    /// det(U)·det(Vh)·U·diag(∏_{j≠i} S[j])·Vh (det(U)·det(Vh) = ±1 is locally constant). Its
    /// derivative needs distinct singular values (at most one of them zero), as `svd`'s.
    static func recordedCofactors(_ a: Tensor) throws -> Tensor {
        let (u, s, vh) = try svd(a)
        let (_, su, _) = try LinalgKernels.slogdet(u.detach(), op: "det")
        let (_, sv, _) = try LinalgKernels.slogdet(vh.detach(), op: "det")
        let k = s.shape[s.dim - 1]
        let batch = Array(s.shape.dropLast())
        let alpha = try Tensor(zip(su, sv).map { Float($0 * $1) }, shape: batch)
        // Row i of [..., k, k]: S with S[i] replaced by 1; its product is ∏_{j≠i} S[j].
        let others = try s.unsqueeze(-2).expand(batch + [k, k]).maskedFill(Tensor.eye(k).gt(0.5), value: 1).prod(dim: -1)
        return try u.mul(others.mul(alpha.unsqueeze(-1)).unsqueeze(-2)).matmul(vh)
    }

    /// The sign (-1, 0 or 1) and the natural log of the absolute value of the determinant.
    ///
    /// ```swift
    /// let (sign, logabsdet) = try Linalg.slogdet(a)
    /// ```
    public static func slogdet(_ a: Tensor) throws -> (sign: Tensor, logabsdet: Tensor) {
        try requireSquare(a, op: "slogdet")
        let (batch, sign, logabs) = try LinalgKernels.slogdet(a, op: "slogdet")
        let s = try ColumnMajor.vector(sign, shape: batch), l = try ColumnMajor.vector(logabs, shape: batch)
        let out = Tensor.record("slogdet", l, [a]) { g in
            // d log|det A| = A⁻ᵀ; a singular matrix has no gradient here (inv reports it).
            [try mT(inv(a)).mul(g.unsqueeze(-1).unsqueeze(-1))]
        }
        return (s, out)
    }
}
