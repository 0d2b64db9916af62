#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// SGDR (Loshchilov & Hutter 2017) as PyTorch's `CosineAnnealingWarmRestarts`: cosine annealing
/// from the base rate to `etaMin` over T_i epochs, restarting at the base rate; T_0 = `t0` and
/// each period is `tMult` times the previous one.
///
/// ```swift
/// let sched = try CosineAnnealingWarmRestarts(opt, t0: 10, tMult: 2, etaMin: 1e-5)
/// ```
public final class CosineAnnealingWarmRestarts: LRScheduler {
    public let t0: Int
    public let tMult: Int
    public let etaMin: Double
    /// Epochs since the last restart, and the current period.
    public private(set) var tCur = 0
    public private(set) var tI: Int

    public init(_ optimizer: Optimizer, t0: Int, tMult: Int = 1, etaMin: Double = 0) throws {
        guard t0 > 0 else { throw TensorError("CosineAnnealingWarmRestarts: T_0 expected a positive integer, got \(t0)") }
        guard tMult >= 1 else { throw TensorError("CosineAnnealingWarmRestarts: T_mult expected an integer >= 1, got \(tMult)") }
        self.t0 = t0
        self.tMult = tMult
        self.etaMin = etaMin
        self.tI = t0
        super.init(optimizer)
        try initialStep()
    }

    public override func step() throws {
        stepCount += 1
        if lastEpoch < 0 {
            tI = t0
            tCur = 0
            lastEpoch = 0
        } else {
            lastEpoch += 1
            tCur += 1
            if tCur >= tI {
                tCur %= tI
                // Periods grow geometrically; stop growing rather than overflow.
                let (next, overflow) = tI.multipliedReportingOverflow(by: tMult)
                tI = overflow ? tI : next
            }
        }
        let values = try computeLR()
        for (g, lr) in zip(optimizer.groups, values) { g.lr = lr }
        lastLR = optimizer.groups.map(\.lr)
    }

    override func computeLR() throws -> [Double] {
        let c = (1 + cos(Double.pi * Double(tCur) / Double(tI))) / 2
        return baseLRs.map { etaMin + ($0 - etaMin) * c }
    }

    override func extraState() -> [String: Double] { ["T_cur": Double(tCur), "T_i": Double(tI)] }

    override func validate(_ s: SchedulerState) throws {
        try super.validate(s)
        let cur = try s.extra("T_cur", "CosineAnnealingWarmRestarts"), period = try s.extra("T_i", "CosineAnnealingWarmRestarts")
        guard cur >= 0, period >= 1, cur == cur.rounded(), period == period.rounded(), cur < 1e15, period < 1e15 else {
            throw TensorError("CosineAnnealingWarmRestarts.loadState: expected integers T_cur >= 0 and T_i >= 1, got \(cur) and \(period)")
        }
    }

    override func loadExtra(_ extra: [String: Double]) throws {
        tCur = Int(extra["T_cur"] ?? 0)
        tI = Int(extra["T_i"] ?? Double(t0))
    }
}
