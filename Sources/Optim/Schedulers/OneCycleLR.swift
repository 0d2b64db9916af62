#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// The 1cycle policy (PyTorch `OneCycleLR`): the rate rises from max_lr/div_factor to max_lr
/// over the first `pctStart` of `totalSteps`, then anneals to initial/final_div_factor; with
/// `cycleMomentum` (the default, as in PyTorch) the momentum — or β1 for optimizers with `betas` —
/// moves the opposite way between `maxMomentum` and `baseMomentum`.
///
/// ```swift
/// let sched = try OneCycleLR(opt, maxLR: [0.1], totalSteps: 1000)
/// ```
public final class OneCycleLR: LRScheduler {
    public enum Anneal: String, Sendable { case cos, linear }

    struct Phase { let endStep: Double; let startLR, endLR, startMomentum, endMomentum: KeyPath<Limits, Double> }
    /// Per-group endpoints (PyTorch keeps them in the param group).
    struct Limits { let initial, max, min, maxMomentum, baseMomentum: Double }

    public let totalSteps: Int
    let phases: [Phase]
    let limits: [Limits]
    let anneal: Anneal
    /// "betas", "momentum", or nil when momentum is not cycled.
    let momentumKey: String?

    /// `maxLR` holds one value for all groups or one per group.
    public init(_ optimizer: Optimizer, maxLR: [Double], totalSteps: Int, pctStart: Double = 0.3,
                anneal: Anneal = .cos, cycleMomentum: Bool = true, baseMomentum: Double = 0.85,
                maxMomentum: Double = 0.95, divFactor: Double = 25, finalDivFactor: Double = 1e4,
                threePhase: Bool = false) throws {
        let n = optimizer.groups.count
        guard totalSteps > 0 else { throw TensorError("OneCycleLR: total_steps expected a positive integer, got \(totalSteps)") }
        guard pctStart >= 0, pctStart <= 1 else { throw TensorError("OneCycleLR: pct_start expected a number in [0, 1], got \(pctStart)") }
        guard maxLR.count == 1 || maxLR.count == n else {
            throw TensorError("OneCycleLR: max_lr expected 1 or \(n) values (one per group), got \(maxLR.count)")
        }
        guard divFactor > 0, finalDivFactor > 0 else {
            throw TensorError("OneCycleLR: div_factor and final_div_factor expected positive numbers, got \(divFactor) and \(finalDivFactor)")
        }
        var key: String? = nil
        if cycleMomentum {
            let spec = optimizer.algorithm.spec
            if spec.spec("betas") != nil { key = "betas" } else if spec.spec("momentum") != nil { key = "momentum" } else {
                throw TensorError("OneCycleLR: optimizer \(optimizer.name) has no momentum or betas option to cycle; pass cycle_momentum = false")
            }
        }
        let total = Double(totalSteps)
        if threePhase {
            phases = [
                Phase(endStep: pctStart * total - 1, startLR: \.initial, endLR: \.max, startMomentum: \.maxMomentum, endMomentum: \.baseMomentum),
                Phase(endStep: 2 * pctStart * total - 2, startLR: \.max, endLR: \.initial, startMomentum: \.baseMomentum, endMomentum: \.maxMomentum),
                Phase(endStep: total - 1, startLR: \.initial, endLR: \.min, startMomentum: \.maxMomentum, endMomentum: \.maxMomentum),
            ]
        } else {
            phases = [
                Phase(endStep: pctStart * total - 1, startLR: \.initial, endLR: \.max, startMomentum: \.maxMomentum, endMomentum: \.baseMomentum),
                Phase(endStep: total - 1, startLR: \.max, endLR: \.min, startMomentum: \.baseMomentum, endMomentum: \.maxMomentum),
            ]
        }
        limits = (0..<n).map { g in
            let top = maxLR.count == 1 ? maxLR[0] : maxLR[g]
            return Limits(initial: top / divFactor, max: top, min: top / divFactor / finalDivFactor,
                          maxMomentum: maxMomentum, baseMomentum: baseMomentum)
        }
        self.totalSteps = totalSteps
        self.anneal = anneal
        self.momentumKey = key
        for (g, group) in optimizer.groups.enumerated() { group.initialLR = limits[g].initial }
        super.init(optimizer)
        for group in optimizer.groups { setMomentum(group, maxMomentum) }
        try initialStep()
    }

    func setMomentum(_ group: ParamGroup, _ value: Double) {
        switch momentumKey {
        case "betas": group.setOption("betas", .pair(value, group.options.pair("betas").1))
        case "momentum": group.setOption("momentum", .number(value))
        default: break
        }
    }

    func interpolate(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch anneal {
        case .cos: end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
        case .linear: (end - start) * pct + start
        }
    }

    override func computeLR() throws -> [Double] {
        let stepNum = Double(lastEpoch)
        guard lastEpoch <= totalSteps else {
            throw TensorError("OneCycleLR: tried to step \(lastEpoch) times; total_steps is \(totalSteps)")
        }
        var out: [Double] = []
        for (g, group) in optimizer.groups.enumerated() {
            let lim = limits[g]
            var start = 0.0
            for (i, phase) in phases.enumerated() {
                if stepNum <= phase.endStep || i == phases.count - 1 {
                    let pct = (stepNum - start) / (phase.endStep - start)
                    out.append(interpolate(lim[keyPath: phase.startLR], lim[keyPath: phase.endLR], pct))
                    if momentumKey != nil {
                        setMomentum(group, interpolate(lim[keyPath: phase.startMomentum], lim[keyPath: phase.endMomentum], pct))
                    }
                    break
                }
                start = phase.endStep
            }
        }
        return out
    }
}
