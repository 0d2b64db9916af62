import Tensors

/// Base of the learning-rate schedulers, with PyTorch's semantics: the constructor records each
/// group's `initialLR` (when no earlier scheduler did) and applies the epoch-0 value; each
/// `step()` advances `lastEpoch` by one and writes the new rates into the groups.
///
/// ```swift
/// let sched = try StepLR(opt, stepSize: 30, gamma: 0.1)
/// for _ in 0..<epochs { /* train ... */ try opt.step(); try sched.step() }
/// ```
public class LRScheduler {
    public let optimizer: Optimizer
    /// The epoch of the current rates: 0 right after construction.
    public internal(set) var lastEpoch = -1
    /// The groups' `initialLR`s when the scheduler was built.
    public internal(set) var baseLRs: [Double]
    /// The groups' rates after the last step (PyTorch's `get_last_lr()`).
    public internal(set) var lastLR: [Double] = []
    /// True during the constructor's step (chainable formulas keep the current rate there).
    var isInitial = false
    var stepCount = 0

    /// Records the base rates; subclasses call `initialStep()` once their own fields are set.
    init(_ optimizer: Optimizer) {
        self.optimizer = optimizer
        for g in optimizer.groups where g.initialLR == nil { g.initialLR = g.lr }
        baseLRs = optimizer.groups.map { $0.initialLR ?? $0.lr }
    }

    /// The constructor's step: epoch 0.
    func initialStep() throws {
        stepCount = 0
        isInitial = true
        defer { isInitial = false }
        try step()
    }

    /// Advances one epoch and updates the groups' learning rates.
    public func step() throws {
        stepCount += 1
        try updateLR(epoch: nil)
    }

    /// Next epoch (nil) by the chainable rule, or jumps to `epoch` by the closed form when the
    /// scheduler has one (SequentialLR restarts a scheduler this way).
    func updateLR(epoch: Int?) throws {
        let values: [Double]
        if let epoch {
            lastEpoch = epoch
            values = try closedFormLR() ?? computeLR()
        } else {
            lastEpoch += 1
            values = try computeLR()
        }
        for (g, lr) in zip(optimizer.groups, values) { g.lr = lr }
        lastLR = optimizer.groups.map(\.lr)
    }

    /// The rates for `lastEpoch` (may read the groups' current rates: chainable form).
    func computeLR() throws -> [Double] { currentLRs }

    /// The rates for `lastEpoch` from the base rates alone, when the schedule has a closed form.
    func closedFormLR() throws -> [Double]? { nil }

    var currentLRs: [Double] { optimizer.groups.map(\.lr) }

    /// What a checkpoint needs to resume the schedule.
    public func state() -> SchedulerState {
        SchedulerState(lastEpoch: lastEpoch, stepCount: stepCount, baseLRs: baseLRs, lastLR: lastLR, children: [])
    }

    /// Restores a saved schedule position. Does not touch the optimizer's rates: those are
    /// restored by the optimizer's own state dict, as in PyTorch.
    public func loadState(_ s: SchedulerState) throws {
        guard s.baseLRs.count == optimizer.groups.count else {
            throw TensorError("\(Self.self).loadState: expected \(optimizer.groups.count) base learning rates, got \(s.baseLRs.count)")
        }
        lastEpoch = s.lastEpoch
        stepCount = s.stepCount
        baseLRs = s.baseLRs
        lastLR = s.lastLR
    }
}

/// A scheduler's position, for checkpoints (`children` holds SequentialLR's schedulers).
public struct SchedulerState: Equatable {
    public var lastEpoch: Int
    public var stepCount: Int
    public var baseLRs: [Double]
    public var lastLR: [Double]
    public var children: [SchedulerState]

    public init(lastEpoch: Int, stepCount: Int, baseLRs: [Double], lastLR: [Double], children: [SchedulerState] = []) {
        self.lastEpoch = lastEpoch
        self.stepCount = stepCount
        self.baseLRs = baseLRs
        self.lastLR = lastLR
        self.children = children
    }
}
