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
        SchedulerState(lastEpoch: lastEpoch, stepCount: stepCount, baseLRs: baseLRs, lastLR: lastLR, children: [],
                       extra: extraState())
    }

    /// A subclass's own counters (CosineAnnealingWarmRestarts' T_cur, ReduceLROnPlateau's best).
    func extraState() -> [String: Double] { [:] }

    /// Restores a subclass's counters; called after they were validated by `checkExtra`.
    func loadExtra(_ extra: [String: Double]) throws {}

    /// Restores a saved schedule position and writes its rates (the saved `last_lr`) into the
    /// optimizer's groups, so a resumed schedule continues exactly whether or not the
    /// optimizer's own state dict was loaded, and in either order (PyTorch leaves the rates to
    /// the optimizer's state dict, which a scheduler built afterwards overwrites).
    public func loadState(_ s: SchedulerState) throws {
        try validate(s)
        try apply(s)
    }

    /// Checks `s` against this scheduler (counts of groups and children) without changing anything.
    func validate(_ s: SchedulerState) throws {
        let n = optimizer.groups.count
        guard s.baseLRs.count == n else {
            throw TensorError("\(Self.self).loadState: expected \(n) base learning rates, got \(s.baseLRs.count)")
        }
        guard s.lastLR.isEmpty || s.lastLR.count == n else {
            throw TensorError("\(Self.self).loadState: expected \(n) last learning rates, got \(s.lastLR.count)")
        }
        // Bounded so that later `+= 1`s cannot overflow.
        guard s.lastEpoch >= -1, s.stepCount >= 0, s.lastEpoch < 1 << 52, s.stepCount < 1 << 52 else {
            throw TensorError("\(Self.self).loadState: expected last_epoch in [-1, 2^52) and step_count in [0, 2^52), got \(s.lastEpoch) and \(s.stepCount)")
        }
    }

    func apply(_ s: SchedulerState) throws {
        lastEpoch = s.lastEpoch
        stepCount = s.stepCount
        baseLRs = s.baseLRs
        lastLR = s.lastLR
        try loadExtra(s.extra)
        for (g, lr) in zip(optimizer.groups, s.lastLR) { g.lr = lr }
    }
}

/// A scheduler's position, for checkpoints (`children` holds SequentialLR's schedulers).
public struct SchedulerState: Equatable {
    public var lastEpoch: Int
    public var stepCount: Int
    public var baseLRs: [Double]
    public var lastLR: [Double]
    public var children: [SchedulerState]
    /// A scheduler's own counters by name (e.g. CosineAnnealingWarmRestarts' `T_cur`, `T_i`).
    public var extra: [String: Double]

    public init(lastEpoch: Int, stepCount: Int, baseLRs: [Double], lastLR: [Double], children: [SchedulerState] = [],
                extra: [String: Double] = [:]) {
        self.lastEpoch = lastEpoch
        self.stepCount = stepCount
        self.baseLRs = baseLRs
        self.lastLR = lastLR
        self.children = children
        self.extra = extra
    }

    /// `extra[key]`, or an error naming the scheduler and the key.
    public func extra(_ key: String, _ owner: String) throws -> Double {
        guard let v = extra[key], v.isFinite || key == "best" else {
            throw TensorError("\(owner).loadState: expected a finite number '\(key)' in the saved state")
        }
        return v
    }
}
