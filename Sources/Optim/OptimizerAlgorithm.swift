import Tensors

/// One parameter's inputs to an update: the parameter, its contiguous gradient and its state
/// (whose `step` has already been incremented).
public struct ParamUpdate {
    public let param: Tensor
    public let grad: Tensor
    public let state: ParamState
}

/// An optimization algorithm: its option table and its update. `Optimizer` owns the groups,
/// state, skipping of grad-less parameters, `maximize`, and state dicts; an algorithm only
/// says how one group's parameters change.
public protocol OptimizerAlgorithm {
    /// Display name, e.g. "AdamW"; prefixes error messages, names the state dict and the Lua
    /// constructor (`optim.AdamW`).
    var name: String { get }
    /// The name `optim.build` and `optim.names()` use: by default the lowercased display name
    /// ("adamw"); optax's spellings differ from the constructor by underscores
    /// ("schedule_free_adamw" for `ScheduleFreeAdamW`).
    var buildName: String { get }
    var spec: OptionTable { get }
    /// True when every state buffer has the parameter's shape (checked by `loadStateDict`).
    var buffersMatchParamShape: Bool { get }
    /// Fills a new parameter's state before its first update (built-ins create buffers lazily).
    func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws
    /// Updates the parameters of one group in place. `gradSign` is −1 with `maximize`, else 1:
    /// kernels multiply by it (exactly) instead of negating the gradient in a separate pass.
    func update(_ items: [ParamUpdate], group: ParamGroup, gradSign: Float) throws
    /// Checks the parameter groups when an optimizer is built (Muon: matrices only; LBFGS: one
    /// group). Throws an error naming the offending parameter.
    func checkGroups(_ groups: [ParamGroupSpec]) throws
    /// The algorithm to build for these options: itself, except for algorithms configured by
    /// an option (SAM's `base` names the base optimizer, whose options it then accepts).
    func resolved(options: [String: OptionValue]) throws -> any OptimizerAlgorithm
    /// Work across every group before the per-group updates of a step (Sophia's Hessian
    /// estimate, which needs all parameters at once); called before step counts advance.
    func prepareStep(_ optimizer: Optimizer) throws
    /// Parameter-sized arrays a default step reads or writes beyond its one fused pass (param,
    /// gradient and state buffers, each once), for `OptimBench`'s byte count: the passes a
    /// whole-tensor norm forces before any weight can move (LAMB's trust ratio: 4). 0 by default.
    var extraStreams: Int { get }
}

extension OptimizerAlgorithm {
    public var buildName: String { name.lowercased() }
    public var buffersMatchParamShape: Bool { true }
    public func initState(_ state: ParamState, param: Tensor, group: ParamGroup) throws {}
    public func checkGroups(_ groups: [ParamGroupSpec]) throws {}
    public func resolved(options: [String: OptionValue]) throws -> any OptimizerAlgorithm { self }
    public func prepareStep(_ optimizer: Optimizer) throws {}
    public var extraStreams: Int { 0 }
}

/// An algorithm that takes the whole step itself and re-evaluates the objective inside it
/// (LBFGS's line search). `Optimizer.step(closure:)` hands it the closure; `step()` without one
/// is an error for such an algorithm.
///
/// ```swift
/// let loss = try opt.step { /* zero grads, forward, backward */ return lossValue }
/// ```
public protocol WholeStepAlgorithm: OptimizerAlgorithm {
    /// One step. `closure` recomputes the loss and the parameters' gradients and returns the
    /// loss; the result is the loss of the first evaluation (PyTorch's `orig_loss`).
    func step(_ optimizer: Optimizer, closure: () throws -> Double) throws -> Double
}

/// An algorithm whose evaluation weights differ from the point where it takes gradients
/// (schedule-free methods): during training the parameters hold the training point; `toEval`
/// puts the evaluation weights into the parameters and `toTrain` undoes it. `Optimizer.eval()`
/// and `train()` call these for every parameter that has state.
///
/// ```swift
/// try opt.eval()    // parameters now hold the evaluation point x
/// try opt.train()   // back to the training point y
/// ```
public protocol EvaluationPointAlgorithm: OptimizerAlgorithm {
    func toEval(_ param: Tensor, state: ParamState, group: ParamGroup) throws
    func toTrain(_ param: Tensor, state: ParamState, group: ParamGroup) throws
}
