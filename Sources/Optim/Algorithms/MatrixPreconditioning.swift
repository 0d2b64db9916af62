#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// The tensor bookkeeping that Shampoo and SOAP share: pytorch-optimizer's shape merging, the
/// blocks of a tensor, moving an axis to the front, the "contract the first axis with a matrix
/// and roll it to the back" step (torch.tensordot(x, m, dims=[[0], [0]])), and symmetric
/// inverse roots through `Linalg.eigh` (LAPACK dsyevd). Products go through BLAS sgemm.
enum MatrixPreconditioning {
    /// pytorch-optimizer 4.1.0's `merge_small_dims`, kept as written: dimensions are multiplied
    /// together while the product stays ≤ `maxDim`; when a product exceeds it, the product
    /// before this dimension is emitted (1 when the very first dimension is already larger,
    /// which adds a leading dimension of size 1); a single resulting dimension becomes [1].
    static func mergeSmallDims(_ shape: [Int], _ maxDim: Int) -> [Int] {
        var merged: [Int] = []
        var product = 1
        for d in shape {
            product *= d
            if product > maxDim {
                merged.append(d == 0 ? 0 : product / d)
                product = d
            }
        }
        merged.append(product)
        return merged.count > 1 ? merged : [1]
    }

    /// A block of a tensor: its start and size in each dimension.
    struct Block {
        let offsets: [Int]
        let sizes: [Int]
        var count: Int { sizes.reduce(1, *) }
    }

    /// The blocks of `shape` when each dimension larger than `blockSize` (> 0) is cut into
    /// pieces of `blockSize` (the last one shorter), in the order of pytorch-optimizer's
    /// BlockPartitioner (the first dimension varies slowest).
    static func blocks(_ shape: [Int], blockSize: Int) -> [Block] {
        let pieces: [[(Int, Int)]] = shape.map { d in
            if blockSize <= 0 || blockSize >= d { return [(0, d)] }
            return stride(from: 0, to: d, by: blockSize).map { ($0, Swift.min(blockSize, d - $0)) }
        }
        var result = [Block(offsets: [], sizes: [])]
        for dimPieces in pieces {
            result = result.flatMap { b in dimPieces.map { Block(offsets: b.offsets + [$0.0], sizes: b.sizes + [$0.1]) } }
        }
        return result
    }

    /// Copies block `b` of the row-major tensor `src` of `shape` into `dst` (contiguous), or
    /// back when `scatter`.
    static func copyBlock(_ b: Block, shape: [Int], _ src: UnsafeMutablePointer<Float>, _ dst: UnsafeMutablePointer<Float>, scatter: Bool) {
        let rank = shape.count
        guard rank > 0 else {
            if scatter { src[0] = dst[0] } else { dst[0] = src[0] }
            return
        }
        var strides = [Int](repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
        let inner = b.sizes[rank - 1]
        let rows = b.count / Swift.max(inner, 1)
        guard inner > 0 else { return }
        var index = [Int](repeating: 0, count: rank)
        for r in 0..<rows {
            var off = 0
            for i in 0..<rank { off += (b.offsets[i] + index[i]) * strides[i] }
            let from = src + off, to = dst + r * inner
            if scatter { from.update(from: to, count: inner) } else { to.update(from: from, count: inner) }
            // Advance the multi-index over all but the last dimension.
            var i = rank - 2
            while i >= 0 {
                index[i] += 1
                if index[i] < b.sizes[i] { break }
                index[i] = 0
                i -= 1
            }
        }
    }

    /// `dst[d, rest]` = `src` of `shape` with axis `axis` moved to the front (movedim(axis, 0)).
    static func moveAxisToFront(_ src: UnsafePointer<Float>, shape: [Int], axis: Int, _ dst: UnsafeMutablePointer<Float>) {
        let d = shape[axis]
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        if outer == 1 {
            dst.update(from: src, count: d * inner)
            return
        }
        for o in 0..<outer {
            for i in 0..<d {
                (dst + i * outer * inner + o * inner).update(from: src + (o * d + i) * inner, count: inner)
            }
        }
    }

    /// `out[rest, c] = x[d, rest]ᵀ · m[d, c]` (`transposeM`: `m[c, d]ᵀ`), or the plain
    /// transpose `out[rest, d]` when `m` is nil: torch.tensordot(x, m, dims=[[0], [0]]) on a
    /// tensor whose first axis has size d, which moves that axis to the back.
    static func contractFirst(
        _ x: UnsafePointer<Float>, d: Int, rest: Int, _ m: UnsafePointer<Float>?, transposeM: Bool, _ out: UnsafeMutablePointer<Float>
    ) throws {
        guard let m else {
            for i in 0..<d {
                for r in 0..<rest { out[r * d + i] = x[i * rest + r] }
            }
            return
        }
        try BLAS.sgemm(transA: true, transB: transposeM, m: rest, n: d, k: d, x, lda: rest, m, ldb: d, beta: 0, out, ldc: d)
    }

    /// `s ← beta·s + alpha·X·Xᵀ` for `x[d, r]` (the statistics of one axis).
    static func accumulateGram(_ x: UnsafePointer<Float>, d: Int, r: Int, alpha: Float, beta: Float, _ s: UnsafeMutablePointer<Float>) throws {
        if r == 0 {
            for i in 0..<d * d { s[i] *= beta }
            return
        }
        try BLAS.sgemm(transA: false, transB: true, m: d, n: d, k: r, alpha: alpha, x, lda: r, x, ldb: r, beta: beta, s, ldc: d)
    }

    /// Eigendecompositions of the symmetric matrices `mats` (each [n, n], n may differ), batched
    /// per size through `Linalg.eigh` (LAPACK dsyevd in float64): `body(i, eigenvalues,
    /// eigenvectors)` gets the ascending eigenvalues and the eigenvectors (columns, row-major
    /// [n, n]) of matrix i.
    static func eighEach(_ mats: [Tensor], _ body: (Int, UnsafePointer<Float>, UnsafePointer<Float>) throws -> Void) throws {
        var bySize: [Int: [Int]] = [:]
        for (i, m) in mats.enumerated() { bySize[m.shape[0], default: []].append(i) }
        for n in bySize.keys.sorted() {
            let members = bySize[n]!
            let batch = try Tensor(uninitializedShape: [members.count, n, n])
            for (k, i) in members.enumerated() { (batch.pointer + k * n * n).update(from: mats[i].pointer, count: n * n) }
            let (w, v) = try Linalg.eigh(batch)
            let wc = try w.contiguousData(), vc = try v.contiguousData()
            for (k, i) in members.enumerated() { try body(i, wc.pointer + k * n, vc.pointer + k * n * n) }
        }
    }

    /// `out = V·diag(|λ|^(−1/p))·Vᵀ` for the eigenpairs of one [n, n] matrix: its inverse p-th
    /// root (what an SVD gives for a symmetric positive semi-definite matrix). |λ| is floored
    /// at the smallest normal float so that a zero eigenvalue gives a large finite factor.
    static func inverseRoot(_ w: UnsafePointer<Float>, _ v: UnsafePointer<Float>, n: Int, power: Double, _ out: UnsafeMutablePointer<Float>) throws {
        let scaled = try Tensor(uninitializedShape: [n, n])
        let sp = scaled.pointer
        var f = [Float](repeating: 0, count: n)
        for j in 0..<n { f[j] = Float(pow(Swift.max(Double(abs(w[j])), Double(Float.leastNormalMagnitude)), -1 / power)) }
        for i in 0..<n {
            for j in 0..<n { sp[i * n + j] = v[i * n + j] * f[j] }
        }
        try BLAS.sgemm(transA: false, transB: true, m: n, n: n, k: n, sp, lda: n, v, ldb: n, beta: 0, out, ldc: n)
    }

    /// The state buffer `name` as a [d, d] matrix, created as `diagonal`·I when absent; a loaded
    /// buffer of another shape (a state dict saved with other options) is an error, not a trap.
    static func matrix(_ state: ParamState, _ name: String, _ d: Int, diagonal: Float, algorithm: String) throws -> Tensor {
        if let t = state.buffers[name] {
            guard t.shape == [d, d], t.isContiguous || t.count == 0 else {
                throw TensorError("\(algorithm): state buffer '\(name)' has shape \(describe(shape: t.shape)), expected [\(d), \(d)] (was the state saved with other options?)")
            }
            return t
        }
        let t = try state.buffer(name, shape: [d, d])
        for i in 0..<d { t.pointer[i * d + i] = diagonal }
        return t
    }

    /// The state buffer `name` with `param`'s shape, checked like `matrix`.
    static func like(_ state: ParamState, _ name: String, _ param: Tensor, algorithm: String) throws -> Tensor {
        if let t = state.buffers[name] {
            guard t.shape == param.shape, t.isContiguous || t.count == 0 else {
                throw TensorError("\(algorithm): state buffer '\(name)' has shape \(describe(shape: t.shape)), expected \(describe(shape: param.shape))")
            }
            return t
        }
        return try state.buffer(name, like: param)
    }
}
