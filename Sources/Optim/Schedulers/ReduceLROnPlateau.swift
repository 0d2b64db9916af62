import Tensors

/// Reduces the rates by `factor` when a metric has stopped improving for `patience` epochs
/// (PyTorch `ReduceLROnPlateau`). Stepped with the metric: `step(metric:)`; `step()` without one
/// is an error. Improvement is relative (`thresholdMode` "rel": better than best·(1 ∓ threshold))
/// or absolute ("abs": best ∓ threshold); after a reduction, `cooldown` epochs ignore bad epochs;
/// a rate never goes below its `minLR`, and a change smaller than `eps` is skipped.
///
/// ```swift
/// let sched = try ReduceLROnPlateau(opt, factor: 0.5, patience: 3)
/// try sched.step(metric: validationLoss)
/// ```
public final class ReduceLROnPlateau: LRScheduler {
    public enum Mode: String, Sendable { case min, max }
    public enum ThresholdMode: String, Sendable { case rel, abs }

    public let mode: Mode
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public let thresholdMode: ThresholdMode
    public let cooldown: Int
    public let minLRs: [Double]
    public let eps: Double
    public private(set) var best: Double
    public private(set) var numBadEpochs = 0
    public private(set) var cooldownCounter = 0

    /// `minLR` holds one value for all groups or one per group.
    public init(_ optimizer: Optimizer, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
                thresholdMode: ThresholdMode = .rel, cooldown: Int = 0, minLR: [Double] = [0], eps: Double = 1e-8) throws {
        let n = optimizer.groups.count
        guard factor < 1 else { throw TensorError("ReduceLROnPlateau: factor expected a number < 1, got \(factor)") }
        guard patience >= 0, cooldown >= 0 else {
            throw TensorError("ReduceLROnPlateau: patience and cooldown expected non-negative integers, got \(patience) and \(cooldown)")
        }
        guard minLR.count == 1 || minLR.count == n else {
            throw TensorError("ReduceLROnPlateau: min_lr expected 1 or \(n) values (one per group), got \(minLR.count)")
        }
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLRs = minLR.count == 1 ? Array(repeating: minLR[0], count: n) : minLR
        self.eps = eps
        self.best = mode == .min ? .infinity : -.infinity
        super.init(optimizer)
        lastEpoch = 0
        lastLR = optimizer.groups.map(\.lr)
    }

    public override func step() throws {
        throw TensorError("ReduceLROnPlateau: step needs the metric, e.g. sched:step(val_loss)")
    }

    /// One epoch with the monitored `metric`.
    public func step(metric current: Double) throws {
        lastEpoch += 1
        stepCount += 1
        if isBetter(current, best) {
            best = current
            numBadEpochs = 0
        } else {
            numBadEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            numBadEpochs = 0
        }
        if numBadEpochs > patience {
            for (g, group) in optimizer.groups.enumerated() {
                let old = group.lr
                let new = max(old * factor, minLRs[g])
                if old - new > eps { group.lr = new }
            }
            cooldownCounter = cooldown
            numBadEpochs = 0
        }
        lastLR = optimizer.groups.map(\.lr)
    }

    func isBetter(_ a: Double, _ best: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .rel): a < best * (1 - threshold)
        case (.min, .abs): a < best - threshold
        case (.max, .rel): a > best * (threshold + 1)
        case (.max, .abs): a > best + threshold
        }
    }

    override func extraState() -> [String: Double] {
        ["best": best, "num_bad_epochs": Double(numBadEpochs), "cooldown_counter": Double(cooldownCounter)]
    }

    override func validate(_ s: SchedulerState) throws {
        try super.validate(s)
        let bad = try s.extra("num_bad_epochs", "ReduceLROnPlateau"), cool = try s.extra("cooldown_counter", "ReduceLROnPlateau")
        guard bad >= 0, cool >= 0, bad == bad.rounded(), cool == cool.rounded(), bad < 1e15, cool < 1e15 else {
            throw TensorError("ReduceLROnPlateau.loadState: expected non-negative integers num_bad_epochs and cooldown_counter, got \(bad) and \(cool)")
        }
        let b = try s.extra("best", "ReduceLROnPlateau")
        guard !b.isNaN else { throw TensorError("ReduceLROnPlateau.loadState: 'best' is NaN") }
    }

    override func loadExtra(_ extra: [String: Double]) throws {
        best = extra["best"] ?? best
        numBadEpochs = Int(extra["num_bad_epochs"] ?? 0)
        cooldownCounter = Int(extra["cooldown_counter"] ?? 0)
    }
}
