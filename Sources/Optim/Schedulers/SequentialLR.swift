import Tensors

/// Runs `schedulers` one after another, switching at the `milestones` (epochs), as PyTorch's
/// `SequentialLR`: at a milestone the next scheduler restarts from epoch 0 of its closed form.
///
/// ```swift
/// let warm = try LinearLR(opt, startFactor: 0.1, totalIters: 5)
/// let decay = try CosineAnnealingLR(opt, tMax: 95)
/// let sched = try SequentialLR(opt, schedulers: [warm, decay], milestones: [5])
/// ```
public final class SequentialLR: LRScheduler {
    public let schedulers: [LRScheduler]
    public let milestones: [Int]

    public init(_ optimizer: Optimizer, schedulers: [LRScheduler], milestones: [Int]) throws {
        guard !schedulers.isEmpty else { throw TensorError("SequentialLR: expected at least one scheduler, got none") }
        for (i, s) in schedulers.enumerated() where s is ReduceLROnPlateau {
            throw TensorError("SequentialLR: scheduler \(i + 1) is a ReduceLROnPlateau, which needs a metric at every step and cannot be sequenced")
        }
        for (i, s) in schedulers.enumerated() where s.optimizer !== optimizer {
            throw TensorError("SequentialLR: scheduler \(i + 1) belongs to a different optimizer")
        }
        guard milestones.count == schedulers.count - 1 else {
            throw TensorError("SequentialLR: expected \(schedulers.count - 1) milestones (one fewer than schedulers), got \(milestones.count)")
        }
        guard zip(milestones, milestones.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw TensorError("SequentialLR: milestones expected in increasing order, got \(milestones)")
        }
        self.schedulers = schedulers
        self.milestones = milestones
        super.init(optimizer)
        lastEpoch = 0
        // Undo the constructors' steps of the children and restart the first from epoch 0.
        for g in optimizer.groups { g.lr = g.initialLR ?? g.lr }
        SequentialLR.undo(schedulers)
        let first = schedulers[active(at: 0)]
        try first.initialStep()
        lastLR = first.lastLR
    }

    static func undo(_ list: [LRScheduler]) {
        for s in list {
            if let seq = s as? SequentialLR { undo(seq.schedulers) } else if let chain = s as? ChainedScheduler {
                undo(chain.schedulers)
            } else { s.lastEpoch -= 1 }
        }
    }

    /// Index of the scheduler in charge at `epoch` (Python's bisect_right).
    func active(at epoch: Int) -> Int { milestones.filter { $0 <= epoch }.count }

    public override func step() throws {
        lastEpoch += 1
        let idx = active(at: lastEpoch)
        let s = schedulers[idx]
        if idx > 0, milestones[idx - 1] == lastEpoch { try s.updateLR(epoch: 0) } else { try s.step() }
        lastLR = s.lastLR
    }

    public override func state() -> SchedulerState {
        var s = super.state()
        s.children = schedulers.map { $0.state() }
        return s
    }

    override func validate(_ s: SchedulerState) throws {
        try super.validate(s)
        guard s.children.count == schedulers.count else {
            throw TensorError("SequentialLR.loadState: expected \(schedulers.count) scheduler states, got \(s.children.count)")
        }
        for (child, saved) in zip(schedulers, s.children) { try child.validate(saved) }
    }

    /// Children first, then this scheduler's `last_lr` (the rates in force) into the groups.
    override func apply(_ s: SchedulerState) throws {
        for (child, saved) in zip(schedulers, s.children) { try child.apply(saved) }
        try super.apply(s)
    }
}
