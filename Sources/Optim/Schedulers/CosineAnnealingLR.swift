#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// η_min + (base − η_min)(1 + cos(π·e/T_max))/2, in closed form (PyTorch `CosineAnnealingLR`,
/// whose recursive form agrees within float error for e ≤ T_max; past T_max this keeps
/// following the cosine, i.e. rises again, as PyTorch's does).
///
/// ```swift
/// let sched = try CosineAnnealingLR(opt, tMax: 100, etaMin: 1e-5)
/// ```
public final class CosineAnnealingLR: LRScheduler {
    public let tMax: Int
    public let etaMin: Double

    public init(_ optimizer: Optimizer, tMax: Int, etaMin: Double = 0) throws {
        guard tMax > 0 else { throw TensorError("CosineAnnealingLR: T_max expected a positive integer, got \(tMax)") }
        self.tMax = tMax
        self.etaMin = etaMin
        super.init(optimizer)
        try initialStep()
    }

    override func computeLR() throws -> [Double] { try closedFormLR() ?? [] }

    override func closedFormLR() throws -> [Double]? {
        let c = (1 + cos(Double.pi * Double(lastEpoch) / Double(tMax))) / 2
        return baseLRs.map { etaMin + ($0 - etaMin) * c }
    }
}

/// Scales the rate linearly from `startFactor` to `endFactor` over `totalIters` epochs, then
/// keeps it (PyTorch `LinearLR`, chainable form).
///
/// ```swift
/// let warmup = try LinearLR(opt, startFactor: 0.1, totalIters: 10)
/// ```
public final class LinearLR: LRScheduler {
    public let startFactor: Double
    public let endFactor: Double
    public let totalIters: Int

    public init(_ optimizer: Optimizer, startFactor: Double = 1.0 / 3, endFactor: Double = 1, totalIters: Int = 5) throws {
        guard startFactor > 0, startFactor <= 1 else {
            throw TensorError("LinearLR: start_factor expected a number in (0, 1], got \(startFactor)")
        }
        guard endFactor >= 0, endFactor <= 1 else {
            throw TensorError("LinearLR: end_factor expected a number in [0, 1], got \(endFactor)")
        }
        guard totalIters > 0 else { throw TensorError("LinearLR: total_iters expected a positive integer, got \(totalIters)") }
        self.startFactor = startFactor
        self.endFactor = endFactor
        self.totalIters = totalIters
        super.init(optimizer)
        try initialStep()
    }

    override func computeLR() throws -> [Double] {
        if lastEpoch == 0 { return currentLRs.map { $0 * startFactor } }
        if isInitial || lastEpoch > totalIters { return currentLRs }
        let d = endFactor - startFactor
        let factor = 1 + d / (Double(totalIters) * startFactor + Double(lastEpoch - 1) * d)
        return currentLRs.map { $0 * factor }
    }

    override func closedFormLR() throws -> [Double]? {
        let f = startFactor + (endFactor - startFactor) * Double(min(totalIters, lastEpoch)) / Double(totalIters)
        return baseLRs.map { $0 * f }
    }
}
