#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Decays the rate as base·(1 − e/totalIters)^power until `totalIters`, then keeps it (PyTorch
/// `PolynomialLR`, chainable form).
///
/// ```swift
/// let sched = try PolynomialLR(opt, totalIters: 100, power: 2)
/// ```
public final class PolynomialLR: LRScheduler {
    public let totalIters: Int
    public let power: Double

    public init(_ optimizer: Optimizer, totalIters: Int = 5, power: Double = 1) throws {
        guard totalIters > 0 else { throw TensorError("PolynomialLR: total_iters expected a positive integer, got \(totalIters)") }
        self.totalIters = totalIters
        self.power = power
        super.init(optimizer)
        try initialStep()
    }

    override func computeLR() throws -> [Double] {
        if isInitial || lastEpoch > totalIters { return currentLRs }
        let t = Double(totalIters), e = Double(lastEpoch)
        let factor = pow((1 - e / t) / (1 - (e - 1) / t), power)
        return currentLRs.map { $0 * factor }
    }

    override func closedFormLR() throws -> [Double]? {
        let f = pow(1 - Double(min(totalIters, lastEpoch)) / Double(totalIters), power)
        return baseLRs.map { $0 * f }
    }
}
