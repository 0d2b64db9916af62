#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Multiplies the rate by `gamma` at each milestone epoch (PyTorch `MultiStepLR`); a milestone
/// listed n times multiplies by gamma^n.
///
/// ```swift
/// let sched = try MultiStepLR(opt, milestones: [30, 80], gamma: 0.1)
/// ```
public final class MultiStepLR: LRScheduler {
    public let milestones: [Int]
    public let gamma: Double

    public init(_ optimizer: Optimizer, milestones: [Int], gamma: Double = 0.1) throws {
        self.milestones = milestones.sorted()
        self.gamma = gamma
        super.init(optimizer)
        try initialStep()
    }

    override func computeLR() throws -> [Double] {
        let hits = milestones.filter { $0 == lastEpoch }.count
        if hits == 0 { return currentLRs }
        return currentLRs.map { $0 * pow(gamma, Double(hits)) }
    }

    override func closedFormLR() throws -> [Double]? {
        let passed = milestones.filter { $0 <= lastEpoch }.count
        return baseLRs.map { $0 * pow(gamma, Double(passed)) }
    }
}
