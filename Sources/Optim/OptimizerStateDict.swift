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
        /// The parameters' names, parallel to `params`, when the optimizer was built from named
        /// parameters: loading then maps state by name.
        public var names: [String]?

        public init(options: [String: OptionValue], params: [Int], initialLR: Double? = nil, names: [String]? = nil) {
            self.options = options
            self.params = params
            self.initialLR = initialLR
            self.names = names
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
        if let c = combined { return try combinedStateDict(c) }
        if let w = wrapper { return try wrapperStateDict(w) }
        var groupsOut: [OptimizerStateDict.Group] = []
        var state: [Int: OptimizerStateDict.Entry] = [:]
        var position = 0
        for (g, group) in groups.enumerated() {
            let positions = Array(position..<position + group.params.count)
            groupsOut.append(.init(options: group.options.values, params: positions, initialLR: group.initialLR, names: group.names))
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
        if let c = combined { return try combinedLoad(c, dict) }
        if let w = wrapper { return try wrapperLoad(w, dict) }
        let what = "\(name).loadStateDict"
        guard dict.groups.count == groups.count else {
            throw TensorError("\(what): expected \(groups.count) parameter groups, got \(dict.groups.count)")
        }
        let positions = try namedPositions(dict, what)
        var options: [Options] = []
        var newStates: [[ParamState?]] = []
        var shapeErrors: [String] = []
        for (g, group) in groups.enumerated() {
            let saved = dict.groups[g]
            guard saved.params.count == group.params.count else {
                throw TensorError("\(what): group \(g + 1) expected \(group.params.count) parameters, got \(saved.params.count)")
            }
            options.append(try algorithm.spec.resolve(saved.options, over: group.options))
            var row: [ParamState?] = []
            for (i, p) in group.params.enumerated() {
                let position = positions?[g][i] ?? saved.params[i]
                guard let entry = dict.state[position] else { row.append(nil); continue }
                let label = group.names.map { "'\($0[i])'" } ?? String(position + 1)
                guard entry.step >= 0 else {
                    throw TensorError("\(what): step of parameter \(label) expected a non-negative integer, got \(entry.step)")
                }
                var buffers: [String: Tensor] = [:]
                for (key, t) in entry.buffers.sorted(by: { $0.key < $1.key }) {
                    if algorithm.buffersMatchParamShape, t.shape != p.shape {
                        shapeErrors.append("state '\(key)' of parameter \(label) has shape \(describe(shape: t.shape)), expected \(describe(shape: p.shape))")
                        continue
                    }
                    buffers[key] = try cloneData(t)
                }
                row.append(ParamState(step: entry.step, buffers: buffers, scalars: entry.scalars))
            }
            newStates.append(row)
        }
        if !shapeErrors.isEmpty {
            throw TensorError("\(what): \(shapeErrors.joined(separator: "; "))")
        }
        for (g, group) in groups.enumerated() {
            group.options = options[g]
            if let lr0 = dict.groups[g].initialLR { group.initialLR = lr0 }
        }
        states = newStates
    }
}

extension Optimizer {
    /// For a state dict and an optimizer that both name their parameters: the saved position of
    /// each of this optimizer's parameters, found by name, group by group. Names missing from the
    /// dict or unknown to this optimizer are one error listing them all. Nil when neither side
    /// has names (positions are used, as PyTorch does); an error when only one side has them.
    func namedPositions(_ dict: OptimizerStateDict, _ what: String) throws -> [[Int]]? {
        let dictNamed = dict.groups.contains { $0.names != nil }
        let selfNamed = groups.contains { $0.names != nil }
        if !dictNamed && !selfNamed { return nil }
        guard dictNamed && selfNamed else {
            throw TensorError(dictNamed
                ? "\(what): the state dict is keyed by parameter names, but this optimizer was built from unnamed parameters (build it from model:named_parameters())"
                : "\(what): this optimizer was built from named parameters, but the state dict is keyed by position (it was saved from unnamed parameters)")
        }
        var out: [[Int]] = []
        var problems: [String] = []
        for (g, group) in groups.enumerated() {
            let mine = group.names ?? [], saved = dict.groups[g].names ?? []
            var index: [String: Int] = [:]
            for (k, n) in saved.enumerated() where k < dict.groups[g].params.count { index[n] = dict.groups[g].params[k] }
            let missing = mine.filter { index[$0] == nil }
            let unexpected = saved.filter { !mine.contains($0) }
            let where_ = groups.count > 1 ? " in group \(g + 1)" : ""
            if !missing.isEmpty { problems.append("missing from the state dict\(where_): \(missing.joined(separator: ", "))") }
            if !unexpected.isEmpty { problems.append("not parameters of this optimizer\(where_): \(unexpected.joined(separator: ", "))") }
            out.append(mine.map { index[$0] ?? -1 })
        }
        guard problems.isEmpty else {
            throw TensorError("\(what): parameter names differ: \(problems.joined(separator: "; "))")
        }
        return out
    }
}
