import Tensors

extension Optimizer {
    /// Whether the algorithm keeps evaluation weights apart from its training point
    /// (schedule-free methods); `eval()` and `train()` are no-ops for the others.
    public var hasEvaluationPoint: Bool { algorithm is any EvaluationPointAlgorithm }

    /// True after `eval()` until `train()` (always false without an evaluation point).
    public var inEvalMode: Bool { groups.contains { $0.inEvalMode } }

    /// Puts the evaluation weights into the parameters (schedule-free: x, the average the method
    /// converges through, instead of the gradient point y). Idempotent; a no-op for algorithms
    /// without an evaluation point and for parameters that have not stepped yet (x = y then).
    ///
    /// ```swift
    /// try opt.eval(); let val = try evaluate(model); try opt.train()
    /// ```
    public func eval() throws {
        guard let a = algorithm as? any EvaluationPointAlgorithm else { return }
        for (g, group) in groups.enumerated() where !group.inEvalMode {
            for (i, p) in group.params.enumerated() {
                if let state = states[g][i] { try a.toEval(p, state: state, group: group) }
            }
            group.inEvalMode = true
        }
    }

    /// Puts the training point back into the parameters after `eval()`. Idempotent; a no-op for
    /// algorithms without an evaluation point.
    public func train() throws {
        guard let a = algorithm as? any EvaluationPointAlgorithm else { return }
        for (g, group) in groups.enumerated() where group.inEvalMode {
            for (i, p) in group.params.enumerated() {
                if let state = states[g][i] { try a.toTrain(p, state: state, group: group) }
            }
            group.inEvalMode = false
        }
    }
}

extension Optimizer {
    /// The evaluation weights of `param` as a new tensor, without changing the parameter or the
    /// state (checkpoints save them beside the training weights, for `descent predict`); nil for
    /// optimizers without an evaluation point and parameters that have not stepped (their
    /// evaluation weights are the parameter itself).
    public func evaluationWeights(of param: Tensor) throws -> Tensor? {
        guard let a = algorithm as? any EvaluationPointAlgorithm else { return nil }
        for (g, group) in groups.enumerated() {
            guard let i = group.params.firstIndex(where: { $0 === param }) else { continue }
            guard let state = states[g][i] else { return nil }
            let copy = try cloneData(param)
            if group.inEvalMode { return copy }
            if let w = wrapper { try w.writeEvaluationWeights(copy, state: state) } else { try a.toEval(copy, state: state, group: group) }
            return copy
        }
        return nil
    }
}

/// Throws when a group is in eval mode (its parameters hold the evaluation weights, so a step
/// would start from the wrong point); undoes the step counts `Optimizer.step` already advanced.
func checkTrainMode(_ items: [ParamUpdate], group: ParamGroup, name: String) throws {
    guard group.inEvalMode else { return }
    for item in items { item.state.step -= 1 }
    throw TensorError("\(name): step called in eval mode (the parameters hold the evaluation weights); call opt:train() first")
}
