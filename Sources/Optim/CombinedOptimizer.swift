import Tensors

/// Several optimizers acting as one (`optim.combine`): the usual Muon setup, Muon on the hidden
/// matrices and AdamW on embeddings, head and vectors. The combined optimizer's groups are the
/// children's groups themselves (in order), so schedulers, `param_groups`, `getLR`/`setLR` act
/// on the children; `step` steps each child, `stateDict` concatenates the children's dicts and
/// `loadStateDict` splits one back. A parameter may belong to one child only; LBFGS (which needs
/// a closure) and Lua whole-step optimizers cannot be combined.
///
/// ```swift
/// let muon = try Optimizers.build(name: "muon", params: matrices)
/// let adamw = try Optimizers.build(name: "adamw", params: others)
/// let opt = try Optimizer.combine([muon, adamw])
/// ```
public struct Combined: OptimizerAlgorithm {
    public let children: [Optimizer]
    public let name: String
    /// Every child's options (the first child's spec for a key several share), so `lr` writes
    /// and momentum-cycling schedulers find their keys; writes are validated by the child.
    public let spec: OptionTable
    public var buffersMatchParamShape: Bool { false }

    init(children: [Optimizer]) {
        self.children = children
        name = "Combined(" + children.map(\.name).joined(separator: ", ") + ")"
        var specs: [OptionSpec] = []
        for child in children {
            for s in child.algorithm.spec.specs where !specs.contains(where: { $0.name == s.name }) { specs.append(s) }
        }
        spec = OptionTable(algorithm: name, specs: specs)
    }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        throw TensorError("\(name): a combined optimizer steps its children")
    }

    /// The child owning combined group `g`, and the group's index in that child.
    func child(ofGroup g: Int) -> (Optimizer, Int)? {
        var offset = 0
        for c in children {
            if g < offset + c.groups.count { return (c, g - offset) }
            offset += c.groups.count
        }
        return nil
    }
}

extension Optimizer {
    /// One optimizer over the children's groups (see `Combined`).
    public static func combine(_ children: [Optimizer]) throws -> Optimizer {
        guard !children.isEmpty else { throw TensorError("optim.combine: expected at least one optimizer, got none") }
        var seen = Set<ObjectIdentifier>()
        for (k, c) in children.enumerated() {
            if c.requiresClosure || c.algorithm is HostStepOptimizer || c.algorithm is Combined || c.wrapper != nil {
                throw TensorError("optim.combine: optimizer \(k + 1) (\(c.name)) cannot be combined: only optimizers whose step updates each parameter from its gradient can")
            }
            guard seen.insert(ObjectIdentifier(c)).inserted else {
                throw TensorError("optim.combine: optimizer \(k + 1) (\(c.name)) is listed twice")
            }
        }
        var params = Set<ObjectIdentifier>()
        for (k, c) in children.enumerated() {
            for group in c.groups {
                for p in group.params where !params.insert(ObjectIdentifier(p)).inserted {
                    throw TensorError("optim.combine: a parameter of shape \(describe(shape: p.shape)) in optimizer \(k + 1) (\(c.name)) is also in an earlier optimizer")
                }
            }
        }
        return Optimizer(combined: Combined(children: children))
    }

    var combined: Combined? { algorithm as? Combined }

    func combinedStateDict(_ c: Combined) throws -> OptimizerStateDict {
        var groups: [OptimizerStateDict.Group] = []
        var state: [Int: OptimizerStateDict.Entry] = [:]
        var offset = 0
        for child in c.children {
            let d = try child.stateDict()
            for var g in d.groups {
                g.params = g.params.map { $0 + offset }
                groups.append(g)
            }
            for (p, e) in d.state { state[p + offset] = e }
            offset += child.groups.reduce(0) { $0 + $1.params.count }
        }
        return OptimizerStateDict(algorithm: c.name, groups: groups, state: state)
    }

    func combinedLoad(_ c: Combined, _ dict: OptimizerStateDict) throws {
        guard dict.groups.count == groups.count else {
            throw TensorError("\(c.name).loadStateDict: expected \(groups.count) parameter groups, got \(dict.groups.count)")
        }
        // Split by the children's group counts; positions stay as saved (each child looks its
        // entries up by them). Validate every child before loading any.
        var parts: [OptimizerStateDict] = []
        var start = 0
        for child in c.children {
            let slice = Array(dict.groups[start..<start + child.groups.count])
            parts.append(OptimizerStateDict(algorithm: child.name, groups: slice, state: dict.state))
            start += child.groups.count
        }
        let backups = try c.children.map { try $0.stateDict() }
        do {
            for (child, part) in zip(c.children, parts) { try child.loadStateDict(part) }
        } catch {
            for (child, backup) in zip(c.children, backups) { try? child.loadStateDict(backup) }
            throw error
        }
    }
}
