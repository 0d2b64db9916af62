import Tensors

/// A snapshot of an optimizer, as a plain value the bindings turn into a Lua table (and back).
/// Parameters are identified by position: group order, then order within the group, counting
/// from 0 across groups (PyTorch's numbering). Buffers are copies, so later steps do not change a
/// saved dict.
///
/// ```swift
/// let saved = try opt.stateDict()
/// try other.loadStateDict(saved)   // other: same algorithm, same parameter shapes
/// ```
public struct OptimizerStateDict {
    public struct Group {
        /// Every option of the group, including `lr`.
        public var options: [String: OptionValue]
        /// Positions of the group's parameters.
        public var params: [Int]
        /// The schedulers' starting learning rate, when a scheduler was attached.
        public var initialLR: Double?

        public init(options: [String: OptionValue], params: [Int], initialLR: Double? = nil) {
            self.options = options
            self.params = params
            self.initialLR = initialLR
        }
    }

    public struct Entry {
        public var step: Int
        public var buffers: [String: Tensor]
        public var scalars: [String: Double]

        public init(step: Int, buffers: [String: Tensor] = [:], scalars: [String: Double] = [:]) {
            self.step = step
            self.buffers = buffers
            self.scalars = scalars
        }
    }

    public var algorithm: String
    public var groups: [Group]
    /// State of the parameters that have taken a step, by position.
    public var state: [Int: Entry]

    public init(algorithm: String, groups: [Group], state: [Int: Entry]) {
        self.algorithm = algorithm
        self.groups = groups
        self.state = state
    }
}

extension Optimizer {
    /// The current groups and per-parameter state (deep copies of the buffers).
    public func stateDict() throws -> OptimizerStateDict {
        var groupsOut: [OptimizerStateDict.Group] = []
        var state: [Int: OptimizerStateDict.Entry] = [:]
        var position = 0
        for (g, group) in groups.enumerated() {
            let positions = Array(position..<position + group.params.count)
            groupsOut.append(.init(options: group.options.values, params: positions, initialLR: group.initialLR))
            for (i, s) in states[g].enumerated() {
                guard let s else { continue }
                let c = try s.copy()
                state[positions[i]] = .init(step: c.step, buffers: c.buffers, scalars: c.scalars)
            }
            position += group.params.count
        }
        return OptimizerStateDict(algorithm: name, groups: groupsOut, state: state)
    }

    /// Restores groups' options and per-parameter state from `dict`. Everything is validated
    /// before anything changes: group and parameter counts, buffer shapes, option keys and values.
    public func loadStateDict(_ dict: OptimizerStateDict) throws {
        let what = "\(name).loadStateDict"
        guard dict.groups.count == groups.count else {
            throw TensorError("\(what): expected \(groups.count) parameter groups, got \(dict.groups.count)")
        }
        var options: [Options] = []
        var newStates: [[ParamState?]] = []
        for (g, group) in groups.enumerated() {
            let saved = dict.groups[g]
            guard saved.params.count == group.params.count else {
                throw TensorError("\(what): group \(g + 1) expected \(group.params.count) parameters, got \(saved.params.count)")
            }
            options.append(try algorithm.spec.resolve(saved.options, over: group.options))
            var row: [ParamState?] = []
            for (i, p) in group.params.enumerated() {
                guard let entry = dict.state[saved.params[i]] else { row.append(nil); continue }
                guard entry.step >= 0 else {
                    throw TensorError("\(what): step of parameter \(saved.params[i] + 1) expected a non-negative integer, got \(entry.step)")
                }
                var buffers: [String: Tensor] = [:]
                for (key, t) in entry.buffers {
                    if algorithm.buffersMatchParamShape, t.shape != p.shape {
                        throw TensorError("\(what): state '\(key)' of parameter \(saved.params[i] + 1) has shape \(describe(shape: t.shape)), expected \(describe(shape: p.shape))")
                    }
                    buffers[key] = try cloneData(t)
                }
                row.append(ParamState(step: entry.step, buffers: buffers, scalars: entry.scalars))
            }
            newStates.append(row)
        }
        for (g, group) in groups.enumerated() {
            group.options = options[g]
            if let lr0 = dict.groups[g].initialLR { group.initialLR = lr0 }
        }
        states = newStates
    }
}
