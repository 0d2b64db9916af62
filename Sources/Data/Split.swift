import Tensors

extension Datasets {
    /// Splits the rows of `x` (and `y`) into two parts by a seeded random permutation:
    /// `round(fraction * rows)` rows go to the first (train) part, the rest to the second.
    /// The same seed always gives the same split.
    ///
    /// ```swift
    /// let (trainX, trainY, testX, testY) = try Datasets.split(x, y, fraction: 0.8, seed: 1)
    /// ```
    public static func split(_ x: Tensor, _ y: Tensor?, fraction: Double, seed: UInt64 = 0) throws
        -> (trainX: Tensor, trainY: Tensor?, testX: Tensor, testY: Tensor?)
    {
        guard fraction > 0, fraction < 1 else {
            throw TensorError("split: fraction must be strictly between 0 and 1, got \(fraction)")
        }
        let n = try Rows.matching(x, y, "split")
        let order = Rows.permutation(n, Generator(seed: seed))
        let cut = Int((fraction * Double(n)).rounded())
        let xs = try x.contiguousData(), ys = try y?.contiguousData()
        return (
            try Rows.gather(xs, order[0..<cut]), try ys.map { try Rows.gather($0, order[0..<cut]) },
            try Rows.gather(xs, order[cut...]), try ys.map { try Rows.gather($0, order[cut...]) }
        )
    }
}
