import Tensors

/// Multiplies the rate by `factor` until epoch `totalIters`, then restores it (PyTorch
/// `ConstantLR`).
///
/// ```swift
/// let warmup = try ConstantLR(opt, factor: 0.5, totalIters: 4)
/// ```
public final class ConstantLR: LRScheduler {
    public let factor: Double
    public let totalIters: Int

    public init(_ optimizer: Optimizer, factor: Double = 1.0 / 3, totalIters: Int = 5) throws {
        // PyTorch accepts 0 and then divides by it at total_iters; descent rejects it up front.
        guard factor > 0, factor <= 1 else {
            throw TensorError("ConstantLR: factor expected a number in (0, 1], got \(factor)")
        }
        guard totalIters >= 0 else { throw TensorError("ConstantLR: total_iters expected a non-negative integer, got \(totalIters)") }
        self.factor = factor
        self.totalIters = totalIters
        super.init(optimizer)
        try initialStep()
    }

    override func computeLR() throws -> [Double] {
        if lastEpoch == 0 { return currentLRs.map { $0 * factor } }
        if lastEpoch != totalIters { return currentLRs }
        return currentLRs.map { $0 * (1 / factor) }
    }

    override func closedFormLR() throws -> [Double]? {
        baseLRs.map { $0 * (factor + (lastEpoch >= totalIters ? 1 - factor : 0)) }
    }
}
