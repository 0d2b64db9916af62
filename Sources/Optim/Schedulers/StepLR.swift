#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Multiplies the rate by `gamma` every `stepSize` epochs (PyTorch `StepLR`).
///
/// ```swift
/// let sched = try StepLR(opt, stepSize: 10, gamma: 0.5)
/// ```
public final class StepLR: LRScheduler {
    public let stepSize: Int
    public let gamma: Double

    public init(_ optimizer: Optimizer, stepSize: Int, gamma: Double = 0.1) throws {
        guard stepSize > 0 else { throw TensorError("StepLR: step_size expected a positive integer, got \(stepSize)") }
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer)
        try initialStep()
    }

    override func computeLR() throws -> [Double] {
        if lastEpoch == 0 || lastEpoch % stepSize != 0 { return currentLRs }
        return currentLRs.map { $0 * gamma }
    }

    override func closedFormLR() throws -> [Double]? {
        baseLRs.map { $0 * pow(gamma, Double(lastEpoch / stepSize)) }
    }
}

/// Multiplies the rate by `gamma` every epoch (PyTorch `ExponentialLR`).
///
/// ```swift
/// let sched = try ExponentialLR(opt, gamma: 0.95)
/// ```
public final class ExponentialLR: LRScheduler {
    public let gamma: Double

    public init(_ optimizer: Optimizer, gamma: Double) throws {
        self.gamma = gamma
        super.init(optimizer)
        try initialStep()
    }

    override func computeLR() throws -> [Double] {
        isInitial ? currentLRs : currentLRs.map { $0 * gamma }
    }

    override func closedFormLR() throws -> [Double]? {
        baseLRs.map { $0 * pow(gamma, Double(lastEpoch)) }
    }
}

/// Sets the rate to base·f(epoch) (PyTorch `LambdaLR`); one function for all groups or one per
/// group.
///
/// ```swift
/// let warmup = try LambdaLR(opt) { e in min(1, Double(e + 1) / 100) }
/// ```
public final class LambdaLR: LRScheduler {
    let lambdas: [(Int) throws -> Double]

    public init(_ optimizer: Optimizer, lambdas: [(Int) throws -> Double]) throws {
        guard lambdas.count == optimizer.groups.count else {
            throw TensorError("LambdaLR: expected \(optimizer.groups.count) functions (one per group), got \(lambdas.count)")
        }
        self.lambdas = lambdas
        super.init(optimizer)
        try initialStep()
    }

    public convenience init(_ optimizer: Optimizer, _ lambda: @escaping (Int) throws -> Double) throws {
        try self.init(optimizer, lambdas: Array(repeating: lambda, count: optimizer.groups.count))
    }

    override func computeLR() throws -> [Double] {
        var out: [Double] = []
        for (f, base) in zip(lambdas, baseLRs) { out.append(base * (try f(lastEpoch))) }
        return out
    }
}
