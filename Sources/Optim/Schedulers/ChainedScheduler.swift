import Tensors

/// Steps several schedulers of one optimizer together, each applying its chainable update to
/// the rates the previous one left (PyTorch `ChainedScheduler`).
///
/// ```swift
/// let warm = try ConstantLR(opt, factor: 0.1, totalIters: 2)
/// let decay = try ExponentialLR(opt, gamma: 0.9)
/// let sched = try ChainedScheduler([warm, decay])
/// ```
public final class ChainedScheduler: LRScheduler {
    public let schedulers: [LRScheduler]

    public init(_ schedulers: [LRScheduler], optimizer: Optimizer? = nil) throws {
        guard let first = schedulers.first else { throw TensorError("ChainedScheduler: expected at least one scheduler, got none") }
        let opt = optimizer ?? first.optimizer
        for (i, s) in schedulers.enumerated() {
            if s is ReduceLROnPlateau {
                throw TensorError("ChainedScheduler: scheduler \(i + 1) is a ReduceLROnPlateau, which needs a metric at every step and cannot be chained")
            }
            if s.optimizer !== opt { throw TensorError("ChainedScheduler: scheduler \(i + 1) belongs to a different optimizer") }
        }
        self.schedulers = schedulers
        super.init(opt)
        lastLR = opt.groups.map(\.lr)
    }

    public override func step() throws {
        for s in schedulers { try s.step() }
        lastLR = optimizer.groups.map(\.lr)
    }

    public override func state() -> SchedulerState {
        var s = super.state()
        s.children = schedulers.map { $0.state() }
        return s
    }

    override func validate(_ s: SchedulerState) throws {
        try super.validate(s)
        guard s.children.count == schedulers.count else {
            throw TensorError("ChainedScheduler.loadState: expected \(schedulers.count) scheduler states, got \(s.children.count)")
        }
        for (child, saved) in zip(schedulers, s.children) { try child.validate(saved) }
    }

    override func apply(_ s: SchedulerState) throws {
        for (child, saved) in zip(schedulers, s.children) { try child.apply(saved) }
        try super.apply(s)
    }
}
