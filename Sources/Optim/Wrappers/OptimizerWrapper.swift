import Tensors

/// An optimizer around another one (`optim.lookahead`, `optim.ema`): the inner optimizer takes
/// the step, the wrapper then changes the parameters (Lookahead's synchronisation) or its own
/// buffers (EMA's average). The wrapper's groups are the inner optimizer's groups, shared, so
/// `param_groups`, `getLR`/`setLR` and schedulers act on the inner optimizer. Both wrappers
/// keep evaluation weights (slow weights, the average), so they are `EvaluationPointAlgorithm`s:
/// `eval()` backs up the parameters and writes those weights in; `train()` restores the backup.
///
/// State dicts are PyTorch-shaped and flat, so checkpoints carry them unchanged: `param_groups`
/// are the inner optimizer's plus the wrapper's settings and its step counter (`counterKey`,
/// the same value in every group); `state[i]` holds the inner optimizer's entry plus the
/// wrapper's buffers (`bufferNames`, one per parameter, the parameter's shape).
///
/// ```swift
/// let adam = try Optimizers.build(name: "adamw", params: ps)
/// let opt = try Optimizer.lookahead(adam, syncPeriod: 5, slowStepSize: 0.5)
/// try opt.step()          // AdamW's step, then every 5th step the synchronisation
/// ```
public protocol OptimizerWrapper: EvaluationPointAlgorithm {
    var inner: Optimizer { get }
    /// The wrapper's own global step counter (Lookahead: steps since the last synchronisation;
    /// EMA: averaged steps).
    var counter: WrapperCounter { get }
    /// The group key under which state dicts save `counter`.
    var counterKey: String { get }
    /// The wrapper's settings, saved in every group of a state dict (informational: loading
    /// keeps the constructor's settings, as pytorch-optimizer's Lookahead does).
    var settings: [String: OptionValue] { get }
    /// Per-parameter buffers the wrapper keeps (saved beside the inner optimizer's state).
    var bufferNames: [String] { get }
    /// Creates the wrapper's buffers for `param` before its first wrapped step.
    func initWrapperState(_ state: ParamState, param: Tensor) throws
    /// The wrapper's work after the inner optimizer's step (`states` are created for every
    /// parameter).
    func afterStep(_ opt: Optimizer, states: [[ParamState?]]) throws
    /// Writes the evaluation weights of `param` into `param` (its backup is already taken).
    func writeEvaluationWeights(_ param: Tensor, state: ParamState) throws
}

/// A mutable count shared by copies of a wrapper value.
public final class WrapperCounter {
    public var value = 0
    public init() {}
}

/// The buffer holding the parameters' training values while in eval mode (never saved).
let wrapperBackupKey = "_train_point"

extension OptimizerWrapper {
    public var spec: OptionTable { inner.algorithm.spec }
    public var buffersMatchParamShape: Bool { false }

    public func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws {
        throw TensorError("\(name): a wrapper steps its inner optimizer")
    }

    public func toEval(_ param: Tensor, state: ParamState, group: ParamGroup) throws {
        guard state.buffers[wrapperBackupKey] == nil else { return }
        state.buffers[wrapperBackupKey] = try cloneData(param)
        try writeEvaluationWeights(param, state: state)
    }

    public func toTrain(_ param: Tensor, state: ParamState, group: ParamGroup) throws {
        guard let backup = state.buffers.removeValue(forKey: wrapperBackupKey) else { return }
        param.pointer.update(from: backup.pointer, count: min(param.count, backup.count))
    }
}

extension Optimizer {
    /// The wrapper (Lookahead, EMA) this optimizer is, nil for the others.
    public var wrapper: (any OptimizerWrapper)? { algorithm as? any OptimizerWrapper }

    /// Checks what a wrapper may wrap: optimizers without an evaluation point of their own.
    static func checkWrappable(_ inner: Optimizer, _ what: String) throws {
        if inner.hasEvaluationPoint {
            throw TensorError("\(what): cannot wrap \(inner.name), which has evaluation weights of its own (opt:eval()); wrap an optimizer without them")
        }
        if inner.inEvalMode {
            throw TensorError("\(what): the optimizer is in eval mode; call opt:train() first")
        }
    }

    /// Wrapped step, part 1: refuses a step in eval mode and creates the wrapper's state of every
    /// parameter (before the inner step: Lookahead's slow weights start at the current weights).
    public func wrapperPrepare() throws {
        guard let w = wrapper else { return }
        if inEvalMode {
            throw TensorError("\(name): step called in eval mode (the parameters hold the evaluation weights); call opt:train() first")
        }
        for (g, group) in groups.enumerated() {
            for (i, p) in group.params.enumerated() where states[g][i] == nil {
                let s = ParamState()
                try w.initWrapperState(s, param: p)
                states[g][i] = s
            }
        }
    }

    /// Wrapped step, part 2: the wrapper's work after the inner optimizer's step.
    public func wrapperFinish() throws {
        guard let w = wrapper else { return }
        try w.afterStep(self, states: states)
    }

    /// Forgets every parameter's state (recreated at the next step): Lookahead's `reset_state`.
    func resetState() {
        if let c = combined { for child in c.children { child.resetState() } }
        if let w = wrapper { w.inner.resetState() }
        states = groups.map { [ParamState?](repeating: nil, count: $0.params.count) }
    }

    func wrapperStateDict(_ w: any OptimizerWrapper) throws -> OptimizerStateDict {
        var d = try w.inner.stateDict()
        d.algorithm = name
        for g in d.groups.indices {
            for (k, v) in w.settings { d.groups[g].options[k] = v }
            d.groups[g].options[w.counterKey] = .number(Double(w.counter.value))
        }
        for (g, row) in states.enumerated() {
            for (i, s) in row.enumerated() {
                guard let s, g < d.groups.count, i < d.groups[g].params.count else { continue }
                let position = d.groups[g].params[i]
                var entry = d.state[position] ?? .init(step: 0)
                for key in w.bufferNames {
                    if let t = s.buffers[key] { entry.buffers[key] = try cloneData(t) }
                }
                d.state[position] = entry
            }
        }
        return d
    }

    func wrapperLoad(_ w: any OptimizerWrapper, _ dict: OptimizerStateDict) throws {
        let what = "\(name).loadStateDict"
        guard !inEvalMode else {
            throw TensorError("\(what): the optimizer is in eval mode; call opt:train() first")
        }
        guard dict.groups.count == groups.count else {
            throw TensorError("\(what): expected \(groups.count) parameter groups, got \(dict.groups.count)")
        }
        guard case .number(let c)? = dict.groups.first?.options[w.counterKey], c >= 0, c == c.rounded(), c < 1e15 else {
            throw TensorError("\(what): expected param_groups[1].\(w.counterKey), a non-negative integer (a state dict saved from \(w.name.prefix { $0 != "(" }))")
        }
        for (g, group) in groups.enumerated() where dict.groups[g].params.count != group.params.count {
            throw TensorError("\(what): group \(g + 1) expected \(group.params.count) parameters, got \(dict.groups[g].params.count)")
        }
        let positions = try namedPositions(dict, what)
        // Split each entry into the wrapper's buffers and the inner optimizer's entry.
        var innerDict = dict
        innerDict.algorithm = w.inner.name
        for g in innerDict.groups.indices {
            for k in w.settings.keys { innerDict.groups[g].options.removeValue(forKey: k) }
            innerDict.groups[g].options.removeValue(forKey: w.counterKey)
        }
        var mine: [Int: [String: Tensor]] = [:]
        innerDict.state = [:]
        for (position, entry) in dict.state {
            var rest = entry
            var own: [String: Tensor] = [:]
            for key in w.bufferNames { if let t = rest.buffers.removeValue(forKey: key) { own[key] = t } }
            if !own.isEmpty { mine[position] = own }
            if !(rest.step == 0 && rest.buffers.isEmpty && rest.scalars.isEmpty && !own.isEmpty) {
                innerDict.state[position] = rest
            }
        }
        var newStates: [[ParamState?]] = []
        var problems: [String] = []
        for (g, group) in groups.enumerated() {
            var row: [ParamState?] = []
            for (i, p) in group.params.enumerated() {
                let position = positions?[g][i] ?? dict.groups[g].params[i]
                let label = group.names.map { "'\($0[i])'" } ?? String(position + 1)
                guard let own = mine[position] else { row.append(nil); continue }
                var buffers: [String: Tensor] = [:]
                for key in w.bufferNames {
                    guard let t = own[key] else { problems.append("state of parameter \(label) lacks '\(key)'"); continue }
                    guard t.shape == p.shape else {
                        problems.append("state '\(key)' of parameter \(label) has shape \(describe(shape: t.shape)), expected \(describe(shape: p.shape))")
                        continue
                    }
                    buffers[key] = try cloneData(t)
                }
                row.append(ParamState(step: 0, buffers: buffers))
            }
            newStates.append(row)
        }
        guard problems.isEmpty else { throw TensorError("\(what): \(problems.joined(separator: "; "))") }
        try w.inner.loadStateDict(innerDict)
        states = newStates
        w.counter.value = Int(c)
    }
}
