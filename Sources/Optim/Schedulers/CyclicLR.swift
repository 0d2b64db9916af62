#if canImport(Glibc)
import Glibc
#endif
import Tensors

/// Cyclical learning rates (Smith 2017) as PyTorch's `CyclicLR`: the rate moves between
/// `baseLR` and `maxLR` over cycles of `stepSizeUp` + `stepSizeDown` steps, the amplitude
/// scaled by the policy ("triangular": 1, "triangular2": halved each cycle, "exp_range":
/// gamma^step) or a custom `scaleFn` of the cycle or step number. With `cycleMomentum` (the
/// default) the momentum — or β1 for optimizers with `betas` — moves the opposite way between
/// `maxMomentum` and `baseMomentum`. The constructor sets the rates to `baseLR`.
///
/// ```swift
/// let sched = try CyclicLR(opt, baseLR: [1e-3], maxLR: [1e-2], stepSizeUp: 20)
/// ```
public final class CyclicLR: LRScheduler {
    public enum Policy: String, Sendable { case triangular, triangular2, exp_range }
    public enum ScaleMode: String, Sendable { case cycle, iterations }

    public let maxLRs: [Double]
    public let totalSize: Double
    public let stepRatio: Double
    public let policy: Policy
    public let gamma: Double
    public let scaleMode: ScaleMode
    let scaleFn: ((Double) throws -> Double)?
    let momentumKey: String?
    let baseMomentums: [Double]
    let maxMomentums: [Double]

    /// `baseLR`, `maxLR`, `baseMomentum` and `maxMomentum` hold one value for all groups or one
    /// per group. A custom `scaleFn` replaces the policy and uses `scaleMode` (default "cycle").
    public init(_ optimizer: Optimizer, baseLR: [Double], maxLR: [Double], stepSizeUp: Int = 2000, stepSizeDown: Int? = nil,
                policy: Policy = .triangular, gamma: Double = 1, scaleFn: ((Double) throws -> Double)? = nil,
                scaleMode: ScaleMode = .cycle, cycleMomentum: Bool = true, baseMomentum: [Double] = [0.8],
                maxMomentum: [Double] = [0.9]) throws {
        let n = optimizer.groups.count
        func perGroup(_ v: [Double], _ name: String) throws -> [Double] {
            guard v.count == 1 || v.count == n else {
                throw TensorError("CyclicLR: \(name) expected 1 or \(n) values (one per group), got \(v.count)")
            }
            return v.count == 1 ? Array(repeating: v[0], count: n) : v
        }
        let bases = try perGroup(baseLR, "base_lr")
        maxLRs = try perGroup(maxLR, "max_lr")
        let up = Double(stepSizeUp), down = Double(stepSizeDown ?? stepSizeUp)
        guard up >= 0, down >= 0, up + down > 0 else {
            throw TensorError("CyclicLR: step_size_up and step_size_down expected non-negative integers with a positive sum, got \(stepSizeUp) and \(stepSizeDown ?? stepSizeUp)")
        }
        totalSize = up + down
        stepRatio = up / totalSize
        self.policy = policy
        self.gamma = gamma
        self.scaleFn = scaleFn
        // The built-in policies fix the scale mode, as PyTorch does.
        if scaleFn != nil { self.scaleMode = scaleMode } else { self.scaleMode = policy == .exp_range ? .iterations : .cycle }
        var key: String? = nil
        if cycleMomentum {
            let spec = optimizer.algorithm.spec
            if spec.spec("betas") != nil { key = "betas" } else if spec.spec("momentum") != nil { key = "momentum" } else {
                throw TensorError("CyclicLR: optimizer \(optimizer.name) has no momentum or betas option to cycle; pass cycle_momentum = false")
            }
        }
        momentumKey = key
        baseMomentums = try perGroup(baseMomentum, "base_momentum")
        maxMomentums = try perGroup(maxMomentum, "max_momentum")
        for (g, group) in optimizer.groups.enumerated() { group.lr = bases[g] }
        super.init(optimizer)
        if key != nil { for (g, group) in optimizer.groups.enumerated() { setMomentum(group, maxMomentums[g]) } }
        baseLRs = bases
        try initialStep()
    }

    func setMomentum(_ group: ParamGroup, _ value: Double) {
        switch momentumKey {
        case "betas": group.setOption("betas", .pair(value, group.options.pair("betas").1))
        case "momentum": group.setOption("momentum", .number(value))
        default: break
        }
    }

    func scale(_ x: Double) throws -> Double {
        if let scaleFn { return try scaleFn(x) }
        switch policy {
        case .triangular: return 1
        case .triangular2: return 1 / pow(2, x - 1)
        case .exp_range: return pow(gamma, x)
        }
    }

    override func computeLR() throws -> [Double] {
        let e = Double(lastEpoch)
        let cycle = (1 + e / totalSize).rounded(.down)
        let x = 1 + e / totalSize - cycle
        let factor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1)
        let s = try scale(scaleMode == .cycle ? cycle : e)
        var lrs: [Double] = []
        for (base, top) in zip(baseLRs, maxLRs) { lrs.append(base + (top - base) * factor * s) }
        if momentumKey != nil {
            for (g, group) in optimizer.groups.enumerated() {
                let height = (maxMomentums[g] - baseMomentums[g]) * factor
                setMomentum(group, maxMomentums[g] - height * s)
            }
        }
        return lrs
    }
}
