/// `matmul` with batch dimensions that broadcast against each other (`[1, H, T, d]` with
/// `[B, 1, d, T]`), which attention needs: both sides are expanded to the common batch shape and
/// go through one `bmm`. Everything is built from recorded ops (expand, reshape, bmm), so the
/// backward (summing over the broadcast dims) comes from those ops' own backwards.
extension Tensor {
    /// The batched product of `self` [..., M, K] and `other` [..., K, N] (both at least 2-d)
    /// whose batch shapes differ but broadcast.
    ///
    /// ```swift
    /// let s = try q.matmul(k)   // [1, 4, 8, 16]·[2, 1, 16, 8] -> [2, 4, 8, 8]
    /// ```
    func broadcastMatmul(_ other: Tensor) throws -> Tensor {
        let a = self, b = other
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        let batch: [Int]
        do { batch = try Tensor.broadcastShapes(batchA, batchB) } catch {
            throw TensorError("matmul: batch dims \(describe(shape: batchA)) and \(describe(shape: batchB)) of shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) cannot be broadcast")
        }
        let m = a.shape[a.dim - 2], k = a.shape[a.dim - 1], n = b.shape[b.dim - 1]
        let size = batch.reduce(1, *)
        let a3 = try a.expand(batch + [m, k]).reshape([size, m, k])
        let b3 = try b.expand(batch + [k, n]).reshape([size, k, n])
        return try Tensor.bmm(a3, b3).reshape(batch + [m, n])
    }
}
