---@meta
-- descent's `optim` module for lua-language-server: optimizers, their option tables (with the
-- defaults), schedulers (optim.lr) and optim.define. Reference: docs/lua-api/optim.md and
-- docs/optimizers.md. Checked against the running binary (names, option names and defaults) by
-- Tests/EndToEndTests/StubsTests.swift.

---@class optimlib
---@field lr optim.lrlib
optim = {}

---A tensor, an array of tensors (`model:parameters()`), a `{name = tensor}` table
---(`model:named_parameters()`: state dicts keyed by name), or an array of parameter groups.
---@alias optim.Params Tensor|Tensor[]|table<string, Tensor>|optim.ParamGroup[]

---A parameter group: its tensors and options overriding the constructor's for this group.
---@class optim.ParamGroup
---@field params Tensor|Tensor[]|table<string, Tensor>
---@field [string] any

---One entry of `opt.param_groups`: a live view; writing an option validates it and takes effect
---at the next step.
---@class optim.GroupView
---@field params Tensor[]
---@field lr number
---@field initial_lr? number set by schedulers
---@field [string] any

---`opt:state_dict()`: parameter positions are 1-based over all groups; state tensors are copies.
---@class optim.StateDict
---@field algorithm string
---@field param_groups table[] each group's options and `params` (positions)
---@field state table<integer, table<string, Tensor|number>> per parameter: `step` and buffers

---An optimizer built by a constructor, `optim.build` or an `optim.define`d constructor.
---@class Optimizer
---@field param_groups optim.GroupView[] live views of the groups
---@field name string the algorithm ("Adam", "SGD", ...)
---@field eval_mode boolean true between opt:eval() and opt:train() (schedule-free optimizers, optim.lookahead, optim.ema)
---@field requires_closure boolean whether step needs a closure (LBFGS, SAM; train.fit then passes one per batch)
---@field requires_graph boolean whether step needs gradients with their graph, loss:backward{create_graph = true} (Sophia; train.fit does so)
local Optimizer = {}

---One update of every parameter whose `.grad` is not nil. With a closure, calls it first (with
---recording on) and returns its result. LBFGS requires the closure, calls it as often as its
---iterations and line search need (it must return the loss as a number or one-element tensor)
---and returns its first result.
---@param closure? fun(): any
---@return any
function Optimizer:step(closure) end

---Sets every parameter's `.grad` to nil.
function Optimizer:zero_grad() end

---The learning rate of a group.
---@param group? integer (default 1)
---@return number
function Optimizer:get_lr(group) end

---Sets the learning rate of one group, or of all groups when `group` is nil.
---@param lr number
---@param group? integer
function Optimizer:set_lr(lr, group) end

---Options, step counts and state buffers, for checkpoints.
---@return optim.StateDict
function Optimizer:state_dict() end

---Restores a state dict from `state_dict()` (same algorithm and parameter layout).
---@param sd optim.StateDict
function Optimizer:load_state_dict(sd) end

---Puts the evaluation weights into the parameters (schedule-free optimizers: the average x
---instead of the gradient point y; optim.lookahead: the slow weights; optim.ema: the average);
---a no-op for optimizers without an evaluation point.
function Optimizer:eval() end

---Puts the training point back into the parameters after `opt:eval()` (a no-op otherwise).
---Stepping a schedule-free optimizer in eval mode is an error.
function Optimizer:train() end

---The evaluation weights of parameter `param` as a new tensor, without changing it (nil when
---they are the parameter's own values: no evaluation point, or no step yet). Checkpoints save
---them for `descent predict`.
---@param param Tensor
---@return Tensor?
function Optimizer:evaluation_weights(param) end

-- Built-in optimizers: option tables with PyTorch's defaults --------------------------------

---@class optim.SGDOptions
---@field lr? number learning rate (default 1e-3)
---@field momentum? number momentum factor (default 0)
---@field dampening? number dampening of the momentum (default 0)
---@field weight_decay? number L2 penalty (default 0)
---@field nesterov? boolean Nesterov momentum; needs momentum > 0 and dampening 0 (default false)
---@field maximize? boolean ascend instead of descend (default false)

---Stochastic gradient descent, with momentum and Nesterov momentum.
---@param params optim.Params
---@param opts? optim.SGDOptions
---@return Optimizer
function optim.SGD(params, opts) end

---@alias optim.EpsMode "after_sqrt"|"eps_hat"|"inside_sqrt"

---@class optim.AdamOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added for numerical stability (default 1e-8)
---@field weight_decay? number weight decay (default 0)
---@field amsgrad? boolean use the maximum of past second moments (default false)
---@field maximize? boolean ascend instead of descend (default false)
---@field decoupled_weight_decay? boolean decay the parameter directly, as AdamW (default false)
---@field bias_correction? boolean divide the moments by 1 − βᵗ (default true)
---@field eps_mode? optim.EpsMode where eps enters: PyTorch, Keras/Torch7 or optax eps_root form (default "after_sqrt")
---@field cautious? boolean zero the step where it disagrees in sign with the gradient, rescale the rest (default false)

---Adam.
---@param params optim.Params
---@param opts? optim.AdamOptions
---@return Optimizer
function optim.Adam(params, opts) end

---@class optim.AdamWOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added for numerical stability (default 1e-8)
---@field weight_decay? number decoupled weight decay (default 1e-2)
---@field amsgrad? boolean use the maximum of past second moments (default false)
---@field maximize? boolean ascend instead of descend (default false)
---@field decoupled_weight_decay? boolean decay the parameter directly (default true)
---@field bias_correction? boolean divide the moments by 1 − βᵗ (default true)
---@field eps_mode? optim.EpsMode where eps enters (default "after_sqrt")
---@field cautious? boolean zero the step where it disagrees in sign with the gradient, rescale the rest (default false)

---AdamW: Adam with decoupled weight decay.
---@param params optim.Params
---@param opts? optim.AdamWOptions
---@return Optimizer
function optim.AdamW(params, opts) end

---@class optim.AMSGradOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added for numerical stability (default 1e-8)
---@field weight_decay? number weight decay (default 0)
---@field amsgrad? boolean use the maximum of past second moments (default true)
---@field maximize? boolean ascend instead of descend (default false)
---@field decoupled_weight_decay? boolean decay the parameter directly, as AdamW (default false)
---@field bias_correction? boolean divide the moments by 1 − βᵗ (default true)
---@field eps_mode? optim.EpsMode where eps enters (default "after_sqrt")
---@field cautious? boolean zero the step where it disagrees in sign with the gradient, rescale the rest (default false)

---AMSGrad: Adam with `amsgrad = true`.
---@param params optim.Params
---@param opts? optim.AMSGradOptions
---@return Optimizer
function optim.AMSGrad(params, opts) end

---@class optim.NAdamOptions
---@field lr? number learning rate (default 2e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added for numerical stability (default 1e-8)
---@field weight_decay? number weight decay (default 0)
---@field momentum_decay? number ψ of the momentum schedule (default 4e-3)
---@field decoupled_weight_decay? boolean decay the parameter directly (default false)
---@field maximize? boolean ascend instead of descend (default false)

---NAdam: Adam with Nesterov momentum.
---@param params optim.Params
---@param opts? optim.NAdamOptions
---@return Optimizer
function optim.NAdam(params, opts) end

---@class optim.RAdamOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added for numerical stability (default 1e-8)
---@field weight_decay? number weight decay (default 0)
---@field decoupled_weight_decay? boolean decay the parameter directly (default false)
---@field maximize? boolean ascend instead of descend (default false)

---RAdam: rectified Adam.
---@param params optim.Params
---@param opts? optim.RAdamOptions
---@return Optimizer
function optim.RAdam(params, opts) end

---@class optim.AdagradOptions
---@field lr? number learning rate (default 1e-2)
---@field lr_decay? number learning-rate decay per step (default 0)
---@field weight_decay? number L2 penalty (default 0)
---@field initial_accumulator_value? number starting value of the squared-gradient sum (default 0)
---@field eps? number added for numerical stability (default 1e-10)
---@field maximize? boolean ascend instead of descend (default false)

---Adagrad.
---@param params optim.Params
---@param opts? optim.AdagradOptions
---@return Optimizer
function optim.Adagrad(params, opts) end

---@class optim.RMSpropOptions
---@field lr? number learning rate (default 1e-2)
---@field alpha? number smoothing constant of the squared-gradient average (default 0.99)
---@field eps? number added for numerical stability (default 1e-8)
---@field weight_decay? number L2 penalty (default 0)
---@field momentum? number momentum factor (default 0)
---@field centered? boolean normalise by the estimated variance (default false)
---@field maximize? boolean ascend instead of descend (default false)

---RMSprop.
---@param params optim.Params
---@param opts? optim.RMSpropOptions
---@return Optimizer
function optim.RMSprop(params, opts) end

---@class optim.AdamaxOptions
---@field lr? number learning rate (default 2e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added for numerical stability (default 1e-8)
---@field weight_decay? number weight decay (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Adamax: Adam with the infinity norm.
---@param params optim.Params
---@param opts? optim.AdamaxOptions
---@return Optimizer
function optim.Adamax(params, opts) end

---@class optim.LionOptions
---@field lr? number learning rate (default 1e-4)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.99})
---@field weight_decay? number decoupled weight decay (default 0)
---@field maximize? boolean ascend instead of descend (default false)
---@field cautious? boolean zero the step where it disagrees in sign with the gradient, rescale the rest (default false)

---Lion (sign of an interpolated momentum), as in the paper.
---@param params optim.Params
---@param opts? optim.LionOptions
---@return Optimizer
function optim.Lion(params, opts) end

---@class optim.AdadeltaOptions
---@field lr? number scale of the update (default 1)
---@field rho? number decay of the running averages, in [0, 1] (default 0.9)
---@field eps? number added inside both square roots (default 1e-6)
---@field weight_decay? number L2 penalty (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Adadelta.
---@param params optim.Params
---@param opts? optim.AdadeltaOptions
---@return Optimizer
function optim.Adadelta(params, opts) end

---@class optim.AdafactorOptions
---@field lr? number caps the relative step min(lr, 1/sqrt(t)) (default 1e-2)
---@field beta2_decay? number β2 weight t^beta2_decay, <= 0 (default -0.8)
---@field eps? number[] {ε1, ε2}: floor of the second moment, floor of the parameter RMS (default {1.1920928955078125e-07, 1e-3})
---@field d? number clipping threshold of the update RMS, >= 1 (default 1)
---@field weight_decay? number decoupled weight decay (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Adafactor (PyTorch's): factored second moments for tensors of rank >= 2, no first moment.
---@param params optim.Params
---@param opts? optim.AdafactorOptions
---@return Optimizer
function optim.Adafactor(params, opts) end

---@class optim.ASGDOptions
---@field lr? number learning rate (default 1e-2)
---@field lambd? number decay term (default 1e-4)
---@field alpha? number power of the eta update (default 0.75)
---@field t0? number step at which averaging starts (default 1e6)
---@field weight_decay? number L2 penalty (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Averaged SGD; the average is the state buffer `ax`.
---@param params optim.Params
---@param opts? optim.ASGDOptions
---@return Optimizer
function optim.ASGD(params, opts) end

---@class optim.RpropOptions
---@field lr? number initial step size (default 1e-2)
---@field etas? number[] {η−, η+} with 0 < η− < 1 < η+ (default {0.5, 1.2})
---@field step_sizes? number[] {min, max} step size (default {1e-6, 50})
---@field maximize? boolean ascend instead of descend (default false)

---Rprop: per-element step sizes adapted from gradient signs.
---@param params optim.Params
---@param opts? optim.RpropOptions
---@return Optimizer
function optim.Rprop(params, opts) end

---@alias optim.MuonAdjustLR "original"|"match_rms_adamw"

---@class optim.MuonOptions
---@field lr? number learning rate (default 1e-3)
---@field weight_decay? number decoupled weight decay (default 0.1)
---@field momentum? number momentum factor (default 0.95)
---@field nesterov? boolean Nesterov momentum (default true)
---@field ns_coefficients? number[] {a, b, c} of the quintic Newton–Schulz step (default {3.4445, -4.775, 2.0315})
---@field eps? number floor of the norm before Newton–Schulz (default 1e-7)
---@field ns_steps? integer Newton–Schulz iterations, < 100 (default 5)
---@field adjust_lr_fn? optim.MuonAdjustLR learning-rate scaling by shape (default "original")

---Muon: momentum orthogonalised by Newton–Schulz; 2-d parameters only (others are an error).
---@param params optim.Params
---@param opts? optim.MuonOptions
---@return Optimizer
function optim.Muon(params, opts) end

---@class optim.LBFGSOptions
---@field lr? number step length (default 1)
---@field max_iter? integer iterations per step (default 20)
---@field max_eval? integer closure evaluations per step; -1: max_iter*5/4 (default -1)
---@field tolerance_grad? number stop when max|g| is below (default 1e-7)
---@field tolerance_change? number stop when the loss or step changes less (default 1e-9)
---@field history_size? integer (s, y) pairs kept (default 100)
---@field line_search_fn? "none"|"strong_wolfe" (default "none")

---L-BFGS: one parameter group; `opt:step(closure)` is required and calls the closure (which
---zeroes the grads, recomputes the loss, calls backward and returns the loss) as often as needed.
---@param params optim.Params
---@param opts? optim.LBFGSOptions
---@return Optimizer
function optim.LBFGS(params, opts) end

---The optimizer called `name` (case-insensitive: "sgd", "adam", "adamw", ..., and the names of
---`optim.define`d optimizers). Options it does not have are errors.
---@param name string
---@param params optim.Params
---@param opts? table<string, number|boolean|string|number[]>
---@return Optimizer
function optim.build(name, params, opts) end

---The lowercase names `optim.build` accepts, built-ins first.
---@return string[]
function optim.names() end

-- Combining optimizers ------------------------------------------------------------------------

---One optimizer over the given ones' groups (step, zero_grad, param_groups, state dicts,
---schedulers, checkpoints and train.fit treat it as one): Muon on matrices + AdamW on the rest.
---@param optimizers Optimizer[]
---@return Optimizer
function optim.combine(optimizers) end

-- Wrappers over any optimizer (docs/optimizers.md "Lookahead", "EMA") ---------------------

---@class optim.LookaheadOptions
---@field sync_period? integer inner steps between synchronisations, ≥ 1 (default 5)
---@field slow_step_size? number α in [0, 1]: slow ← slow + α·(fast − slow) (default 0.5)
---@field reset_state? boolean forget the inner optimizer's state at each synchronisation (default false)

---Lookahead (optax `lookahead` semantics) around `opt`: `opt` steps the parameters (the fast
---weights); every `sync_period` steps slow ← slow + α·(fast − slow) and fast ← slow.
---`param_groups`, schedulers and `get_lr`/`set_lr` act on `opt`; `opt:eval()` puts the slow
---weights into the parameters, `opt:train()` puts the fast ones back. State dicts add
---`slow_params` per parameter and `steps_since_sync` per group. `opt` must not have
---evaluation weights of its own (schedule-free, another wrapper).
---@param opt Optimizer
---@param opts? optim.LookaheadOptions
---@return Optimizer
function optim.lookahead(opt, opts) end

---@class optim.EMAOptions
---@field decay? number in [0, 1): ema ← (1 − decay)·θ + decay·ema after every step (default 0.999)
---@field debias? boolean evaluate at ema/(1 − decay^t) (default true)

---Polyak averaging (optax `ema` of the parameters) around `opt`: after every step of `opt` the
---average is updated; `opt:eval()` puts the (debiased) average into the parameters,
---`opt:train()` the training weights back, so `train.evaluate{optimizer = ...}` and checkpoints
---use it. State dicts add `ema` per parameter and `ema_count` per group.
---@param opt Optimizer
---@param opts? optim.EMAOptions
---@return Optimizer
function optim.ema(opt, opts) end

---@class optim.SplitRule
---@field dim? integer select tensors with this many dimensions
---@field match? string select names containing this text
---@field exclude? string leave out names containing this text

---Splits a `{name = tensor}` table into the entries the rule selects and the rest.
---@param named table<string, Tensor>
---@param rule optim.SplitRule|fun(name: string, t: Tensor): boolean
---@return table<string, Tensor> selected
---@return table<string, Tensor> rest
function optim.split(named, rule) end

---Recomputes the running statistics of every BatchNorm in `model` from `loader`'s batches (first
---value of each), as torch.optim.swa_utils.update_bn: reset, then a cumulative average, forward
---passes in train mode without recording; momenta and the model's mode restored. For weights not
---trained as they are: schedule-free's or EMA's evaluation point, averaged weights.
---@param loader DataLoader|Tensor|Tensor[] a loader, one batch, or a list of input batches
---@param model nn.Module
---@param opts? {batches?: integer} use at most this many batches
---@return integer batches the number of batches used (0 when the model has no BatchNorm)
function optim.update_bn(loader, model, opts) end
-- Research-frontier optimizers: optax 0.2.8 references (docs/optimizers.md) ------------

---@class optim.AdaBeliefOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added to the root of the belief (default 1e-16)
---@field eps_root? number added to the belief s each step (default 1e-16)
---@field weight_decay? number decoupled weight decay, u + λθ (default 0)
---@field nesterov? boolean Nesterov momentum (default false)
---@field maximize? boolean ascend instead of descend (default false)

---AdaBelief (optax `adabelief`; build name "adabelief"): Adam with the variance of g − m.
---@param params optim.Params
---@param opts? optim.AdaBeliefOptions
---@return Optimizer
function optim.AdaBelief(params, opts) end

---@class optim.AdanOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2, β3}, each in [0, 1) (default {0.98, 0.92, 0.99})
---@field eps? number added to the root (default 1e-8)
---@field eps_root? number added inside the root (default 1e-8)
---@field weight_decay? number decoupled weight decay, u + λθ (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Adan (optax `adan`; build name "adan"): adaptive Nesterov momentum through gradient differences.
---@param params optim.Params
---@param opts? optim.AdanOptions
---@return Optimizer
function optim.Adan(params, opts) end

---@class optim.LAMBOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added to the root (default 1e-6)
---@field eps_root? number added inside the root (default 0)
---@field weight_decay? number decoupled weight decay inside the trust ratio (default 0)
---@field maximize? boolean ascend instead of descend (default false)
---@field cautious? boolean zero the Adam part where it disagrees in sign with the gradient, rescale the rest (default false)

---LAMB (optax `lamb`; build name "lamb"): Adam direction scaled per tensor by ‖θ‖/‖u‖.
---@param params optim.Params
---@param opts? optim.LAMBOptions
---@return Optimizer
function optim.LAMB(params, opts) end

---@class optim.LARSOptions
---@field lr? number learning rate (default 1)
---@field momentum? number momentum on the scaled step (default 0.9)
---@field nesterov? boolean Nesterov momentum (default false)
---@field weight_decay? number L2 decay added before the trust ratio (default 0)
---@field trust_coefficient? number η in η‖θ‖/‖g + λθ‖ (default 1e-3)
---@field eps? number added to ‖g + λθ‖ (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---LARS (optax `lars`; build name "lars"): SGD with momentum and a per-tensor trust ratio.
---@param params optim.Params
---@param opts? optim.LARSOptions
---@return Optimizer
function optim.LARS(params, opts) end

---@class optim.YogiOptions
---@field lr? number learning rate (default 1e-2)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added to the root (default 1e-3)
---@field initial_accumulator_value? number initial m and v (default 1e-6)
---@field weight_decay? number decoupled weight decay, u + λθ (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Yogi (optax `yogi`; build name "yogi"): additive second-moment updates.
---@param params optim.Params
---@param opts? optim.YogiOptions
---@return Optimizer
function optim.Yogi(params, opts) end

---@class optim.NovoGradOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.25})
---@field eps? number added to the root of the norm average (default 1e-6)
---@field eps_root? number added inside that root (default 0)
---@field weight_decay? number decay added to the normalized gradient (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---NovoGrad (optax `novograd`; build name "novograd"): layer-wise second moments of the gradient norm.
---@param params optim.Params
---@param opts? optim.NovoGradOptions
---@return Optimizer
function optim.NovoGrad(params, opts) end

---@class optim.SignSGDOptions
---@field lr? number learning rate (default 1e-3)
---@field weight_decay? number decoupled weight decay, sign + λθ (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---signSGD (optax `sign_sgd`; build name "sign_sgd"): θ ← θ − lr·sign(g).
---@param params optim.Params
---@param opts? optim.SignSGDOptions
---@return Optimizer
function optim.SignSGD(params, opts) end

---@class optim.SignumOptions
---@field lr? number learning rate (default 1e-3)
---@field momentum? number EMA weight of the momentum, in [0, 1] (default 0.9)
---@field weight_decay? number decoupled weight decay, sign + λθ (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Signum (optax `signum`; build name "signum"): the sign of a gradient EMA.
---@param params optim.Params
---@param opts? optim.SignumOptions
---@return Optimizer
function optim.Signum(params, opts) end

---@class optim.AdEMAMixOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2, β3}: fast EMA, second moment, slow EMA (default {0.9, 0.999, 0.9999})
---@field alpha? number weight of the slow EMA (default 5)
---@field eps? number added to the root (default 1e-8)
---@field eps_root? number added inside the root (default 0)
---@field weight_decay? number decoupled weight decay, u + λθ (default 0)
---@field maximize? boolean ascend instead of descend (default false)
---@field cautious? boolean zero the fast EMA where it disagrees in sign with the gradient, rescale the rest (default false)

---AdEMAMix (optax `contrib.ademamix`; build name "ademamix"): Adam plus a slow gradient EMA.
---@param params optim.Params
---@param opts? optim.AdEMAMixOptions
---@return Optimizer
function optim.AdEMAMix(params, opts) end

---@class optim.ADOPTOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.9999})
---@field eps? number floor of the root (default 1e-6)
---@field nesterov? boolean Nesterov momentum (default false)
---@field use_clipping? boolean clip the normalized gradient to ±(t − 1)^¼ (default true)
---@field weight_decay? number decoupled weight decay, u + λθ (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---ADOPT (optax `contrib.adopt`; build name "adopt"): normalize by the previous second moment, then average.
---@param params optim.Params
---@param opts? optim.ADOPTOptions
---@return Optimizer
function optim.ADOPT(params, opts) end

---@class optim.MADGRADOptions
---@field lr? number learning rate (default 1e-2)
---@field momentum? number interpolation weight toward the dual point, in [0, 1] (default 0.9)
---@field weight_decay? number L2 decay (default 0)
---@field eps? number added to the cube root (default 1e-6)
---@field maximize? boolean ascend instead of descend (default false)

---MADGRAD (optax `contrib.madgrad`; build name "madgrad"): dual averaging with a cube-root scale.
---@param params optim.Params
---@param opts? optim.MADGRADOptions
---@return Optimizer
function optim.MADGRAD(params, opts) end

---@class optim.ScheduleFreeAdamWOptions
---@field lr? number learning rate (default 2.5e-3)
---@field betas? number[] {β1, β2}: interpolation weight in (0, 1), second-moment decay (default {0.9, 0.999})
---@field eps? number added to the root (default 1e-8)
---@field weight_decay? number decay at the training point y (default 0)
---@field warmup_steps? integer linear warmup of lr over this many steps (default 0)
---@field weight_lr_power? number power of the max lr in the averaging weights (default 2)
---@field maximize? boolean ascend instead of descend (default false)

---Schedule-free AdamW (optax `contrib.schedule_free_adamw`; build name "schedule_free_adamw"). The parameters hold y while training; `opt:eval()` / `opt:train()` swap to and from the evaluation point x.
---@param params optim.Params
---@param opts? optim.ScheduleFreeAdamWOptions
---@return Optimizer
function optim.ScheduleFreeAdamW(params, opts) end

---@class optim.ScheduleFreeSGDOptions
---@field lr? number learning rate (default 1)
---@field momentum? number interpolation weight β1, in (0, 1) (default 0.9)
---@field weight_decay? number L2 decay at y (default 0)
---@field warmup_steps? integer linear warmup of lr over this many steps (default 0)
---@field weight_lr_power? number power of the max lr in the averaging weights (default 2)
---@field maximize? boolean ascend instead of descend (default false)

---Schedule-free SGD (optax `contrib.schedule_free_sgd`; build name "schedule_free_sgd"); `opt:eval()` / `opt:train()` as ScheduleFreeAdamW.
---@param params optim.Params
---@param opts? optim.ScheduleFreeSGDOptions
---@return Optimizer
function optim.ScheduleFreeSGD(params, opts) end

---@class optim.SophiaOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1, β2}: moment decay, Hessian-estimate decay (default {0.965, 0.99})
---@field eps? number floor of γ·ν in the denominator (default 1e-8)
---@field weight_decay? number decoupled decay λθ added to the clipped update (default 1e-4)
---@field gamma? number γ, scale of the Hessian estimate (default 0.01)
---@field clip_threshold? number the update is clipped to ±this (default 1)
---@field update_interval? integer steps between Hessian estimates, the first at step 1 (default 10)
---@field seed? integer seed of the Rademacher probes (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Sophia (optax `contrib.sophia`; build name "sophia"): clipped m̂/max(γ·ν, ε) with ν an EMA of
---Hutchinson's Hessian-diagonal estimate r ⊙ H·r, every `update_interval` steps. On those steps
---the gradients must keep their graph: `loss:backward{create_graph = true}`.
---@param params optim.Params
---@param opts? optim.SophiaOptions
---@return Optimizer
function optim.Sophia(params, opts) end

---@class optim.SAMOptions
---@field base? string the base optimizer's build name; its options are accepted too (default "sgd")
---@field rho? number neighbourhood radius ρ (default 0.05)
---@field adaptive? boolean ASAM: perturbation scaled by θ² and the norm by |θ| (default false)
---@field perturb_eps? number added to the gradient norm (default 1e-12)
---@field use_gc? boolean perturb along the centralised gradient (each row's mean removed) (default false)
---@field lr? number learning rate of the base optimizer; SGD's (default 1e-3)
---@field momentum? number SGD's momentum (default 0)
---@field dampening? number SGD's dampening (default 0)
---@field weight_decay? number SGD's L2 penalty (default 0)
---@field nesterov? boolean SGD's Nesterov momentum (default false)
---@field maximize? boolean ascend instead of descend (default false)

---Sharpness-aware minimisation (pytorch-optimizer 4.1.0 `SAM`; build name "sam") over any
---per-parameter base optimizer, `optim.build("sam", params, {base = "adamw", rho = 0.05, lr = ...})`.
---`opt:step(closure)` is required: the closure (zero_grad, forward, backward, return the loss)
---runs at θ and at θ + e, e = ρ·g/‖g‖; the base steps from θ with the second gradient. Returns
---the first loss.
---@param params optim.Params
---@param opts? optim.SAMOptions
---@return Optimizer
function optim.SAM(params, opts) end

---@class optim.ProdigyOptions
---@field lr? number multiplier of the estimated step size (default 1)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field beta3? number decay of the estimate's sums, or -1 for sqrt(β2) (default -1)
---@field eps? number added to the root, times d (default 1e-8)
---@field estim_lr0? number initial step-size estimate d0 (default 1e-6)
---@field estim_lr_coef? number multiplier of the estimate (default 1)
---@field safeguard_warmup? boolean leave lr out of the sum s (default false)
---@field weight_decay? number decoupled weight decay, times d·lr (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---Prodigy (optax `contrib.prodigy`; build name "prodigy"): Adam with a learned step size d, one per group.
---@param params optim.Params
---@param opts? optim.ProdigyOptions
---@return Optimizer
function optim.Prodigy(params, opts) end

---@class optim.DAdaptAdamWOptions
---@field lr? number multiplier of the estimated step size (default 1)
---@field betas? number[] {β1, β2}, each in [0, 1) (default {0.9, 0.999})
---@field eps? number added to the root (default 1e-8)
---@field estim_lr0? number initial step-size estimate d0 (default 1e-6)
---@field weight_decay? number decoupled weight decay, times d·lr (default 0)
---@field maximize? boolean ascend instead of descend (default false)

---D-Adaptation AdamW (optax `contrib.dadapt_adamw`; build name "dadapt_adamw"): AdamW with a learned step size d, one per group.
---@param params optim.Params
---@param opts? optim.DAdaptAdamWOptions
---@return Optimizer
function optim.DAdaptAdamW(params, opts) end

---@class optim.MARSOptions
---@field lr? number learning rate for matrices (default 3e-3)
---@field betas? number[] {β1, β2} for matrices (default {0.95, 0.99})
---@field gamma? number strength of the gradient correction (default 0.025)
---@field mars_type? string "adamw" or "lion" (default "adamw")
---@field optimize_1d? boolean use the corrected update for vectors too (default false)
---@field lr_1d? number learning rate of the AdamW path for vectors (default 3e-3)
---@field betas_1d? number[] {β1, β2} of the AdamW path for vectors (default {0.9, 0.95})
---@field weight_decay? number weight decay for matrices (default 0)
---@field weight_decay_1d? number weight decay for vectors (default 0.1)
---@field weight_decouple? boolean decoupled decay θ·(1 − lr·λ) (default true)
---@field fixed_decay? boolean decoupled decay without the lr factor (default false)
---@field ams_bound? boolean max of the second moment in the denominator (default false)
---@field cautious? boolean mask the update where it disagrees with the gradient (default false)
---@field eps? number added to the root (default 1e-8)
---@field maximize? boolean ascend instead of descend (default false)

---MARS (pytorch-optimizer 4.1.0 `MARS`; build name "mars"): variance-reduced gradient corrections.
---@param params optim.Params
---@param opts? optim.MARSOptions
---@return Optimizer
function optim.MARS(params, opts) end

---@class optim.ShampooOptions
---@field lr? number learning rate (default 1e-3)
---@field betas? number[] {β1 momentum, β2 statistics decay} (default {0.9, 0.999})
---@field moving_average_for_momentum? boolean momentum as a moving average (1 − β1 weight) (default false)
---@field weight_decay? number weight decay (default 0)
---@field decoupled_weight_decay? boolean θ·(1 − lr·λ) instead of adding λθ to the directions (default false)
---@field decoupled_learning_rate? boolean lr multiplies the momentum update, not the directions (default true)
---@field inverse_exponent_override? integer root exponent e when > 0; 0 means 2·(preconditioned dims) (default 0)
---@field start_preconditioning_step? integer first step that uses the Shampoo direction (default 25)
---@field preconditioning_compute_steps? integer recompute inverse roots every this many steps (default 1000)
---@field statistics_compute_steps? integer accumulate statistics every this many steps (default 1)
---@field block_size? integer largest block per dimension (default 512)
---@field skip_preconditioning_rank_lt? integer no preconditioning below this tensor rank (default 1)
---@field no_preconditioning_for_layers_with_dim_gt? integer no preconditioning when a dim exceeds this (default 8192)
---@field shape_interpretation? boolean merge small dims (pytorch-optimizer's merge_small_dims) (default true)
---@field graft_type? string "none", "sgd", "adagrad", "rmsprop" or "sqrtn" (default "sgd")
---@field pre_conditioner_type? string "all", "input" or "output" (default "all")
---@field nesterov? boolean Nesterov momentum (default true)
---@field diagonal_eps? number epsilon of the adagrad/rmsprop graft (default 1e-10)
---@field matrix_eps? number initial statistics matrix_eps·I (default 1e-6)
---@field maximize? boolean ascend instead of descend (default false)

---Shampoo (pytorch-optimizer 4.1.0 `ScalableShampoo`; build name "shampoo"): blocked Kronecker-factored preconditioning with grafting; inverse roots by eigendecomposition.
---@param params optim.Params
---@param opts? optim.ShampooOptions
---@return Optimizer
function optim.Shampoo(params, opts) end

---@class optim.SOAPOptions
---@field lr? number learning rate (default 3e-3)
---@field betas? number[] {β1, β2} of the Adam moments (default {0.95, 0.95})
---@field shampoo_beta? number decay of the GG statistics; -1 uses β2 (default -1)
---@field weight_decay? number decoupled weight decay (default 1e-2)
---@field precondition_frequency? integer steps between eigenbasis updates (default 10)
---@field max_precondition_dim? integer larger dimensions keep the identity basis (default 10000)
---@field merge_dims? boolean merge small dimensions first (default false)
---@field precondition_1d? boolean give vectors a basis too (default false)
---@field correct_bias? boolean Adam bias correction (default true)
---@field normalize_gradient? boolean divide the update by its RMS (default false)
---@field eps? number added to the root (default 1e-8)
---@field maximize? boolean ascend instead of descend (default false)

---SOAP (pytorch-optimizer 4.1.0 `SOAP`; build name "soap"): Adam in the eigenbasis of Shampoo's preconditioner.
---@param params optim.Params
---@param opts? optim.SOAPOptions
---@return Optimizer
function optim.SOAP(params, opts) end

-- Optimizers written in Lua ------------------------------------------------------------------

---The table given to `optim.define`.
---@class optim.Definition
---@field name string required; also its `optim.build` name (case-insensitive)
---@field defaults? table<string, number|boolean|string|number[]> every key becomes an option of that type; `lr` defaults to 1e-3
---@field init? fun(state: table, p: Tensor, group: table) fills `state` before a parameter's first step
---@field update? fun(p: Tensor, grad: Tensor, state: table, group: table, step: integer) updates `p` in place (inside no_grad); required unless `step` is given
---@field step? fun(groups: table[], state: table[][], closure?: fun(): any): any whole-step form: sees every group (`params` and options) and `state[i][j]`; updates inside autograd.no_grad; its result is `opt:step`'s

---Registers an optimizer written in Lua and returns its constructor, which behaves like the
---built-ins (groups, option checks, param_groups, state_dict, schedulers, build, names).
---@param def optim.Definition
---@return fun(params: optim.Params, opts?: table<string, number|boolean|string|number[]>): Optimizer
function optim.define(def) end

-- Schedulers (optim.lr) ----------------------------------------------------------------------

---A learning-rate scheduler: applies the epoch-0 rate when built, one epoch per `step()`.
---@class Scheduler
local Scheduler = {}

---Advances one epoch and writes the new rate into every group. ReduceLROnPlateau takes the
---monitored metric (a number or one-element tensor) and requires it.
---@param metric? number|Tensor
function Scheduler:step(metric) end

---The groups' current rates.
---@return number[]
function Scheduler:get_last_lr() end

---`{last_epoch, step_count, base_lrs, last_lr, children}`, for checkpoints.
---@return optim.lr.SchedulerState
function Scheduler:state_dict() end

---@param state optim.lr.SchedulerState
function Scheduler:load_state_dict(state) end

---@class optim.lr.SchedulerState
---@field last_epoch integer
---@field step_count integer
---@field base_lrs number[]
---@field last_lr number[]
---@field children optim.lr.SchedulerState[]
---@field [string] number a scheduler's own counters (T_cur, T_i, best, num_bad_epochs, cooldown_counter)

---@class optim.lrlib
optim.lr = {}

---@class optim.lr.StepLROptions
---@field step_size integer epochs between decays (required)
---@field gamma? number decay factor (default 0.1)

---base·gamma^⌊e/step_size⌋.
---@param opt Optimizer
---@param opts optim.lr.StepLROptions
---@return Scheduler
function optim.lr.StepLR(opt, opts) end

---@class optim.lr.ExponentialLROptions
---@field gamma number decay factor per epoch (required)

---base·gamma^e.
---@param opt Optimizer
---@param opts optim.lr.ExponentialLROptions
---@return Scheduler
function optim.lr.ExponentialLR(opt, opts) end

---@class optim.lr.CosineAnnealingLROptions
---@field T_max integer half period in epochs (required)
---@field eta_min? number minimum rate (default 0)

---eta_min + (base − eta_min)(1 + cos(π·e/T_max))/2.
---@param opt Optimizer
---@param opts optim.lr.CosineAnnealingLROptions
---@return Scheduler
function optim.lr.CosineAnnealingLR(opt, opts) end

---@class optim.lr.LinearLROptions
---@field start_factor? number (default 1/3)
---@field end_factor? number (default 1)
---@field total_iters? integer (default 5)

---base·(start + (end − start)·min(e, total_iters)/total_iters).
---@param opt Optimizer
---@param opts? optim.lr.LinearLROptions
---@return Scheduler
function optim.lr.LinearLR(opt, opts) end

---@class optim.lr.OneCycleLROptions
---@field max_lr number|number[] peak rate, or one per group (required)
---@field total_steps? integer number of steps (or give epochs and steps_per_epoch)
---@field epochs? integer
---@field steps_per_epoch? integer
---@field pct_start? number fraction of the steps spent rising (default 0.3)
---@field anneal_strategy? "cos"|"linear" (default "cos")
---@field cycle_momentum? boolean cycle momentum (or β1) the opposite way (default true)
---@field base_momentum? number (default 0.85)
---@field max_momentum? number (default 0.95)
---@field div_factor? number initial rate = max_lr/div_factor (default 25)
---@field final_div_factor? number final rate = initial/final_div_factor (default 1e4)
---@field three_phase? boolean (default false)

---The one-cycle policy; step it once per batch (`train.fit`: `scheduler_step = "batch"`).
---@param opt Optimizer
---@param opts optim.lr.OneCycleLROptions
---@return Scheduler
function optim.lr.OneCycleLR(opt, opts) end

---base·fn(e); one function, or one per group.
---@param opt Optimizer
---@param fn (fun(epoch: integer): number)|(fun(epoch: integer): number)[]
---@return Scheduler
function optim.lr.LambdaLR(opt, fn) end

---@class optim.lr.SequentialLROptions
---@field schedulers Scheduler[] built on the same optimizer (required)
---@field milestones integer[] one fewer than schedulers (required)

---Runs `schedulers[1]` until epoch milestones[1], then `schedulers[2]` from its epoch 0, ...
---@param opt Optimizer
---@param opts optim.lr.SequentialLROptions
---@return Scheduler
function optim.lr.SequentialLR(opt, opts) end

---@class optim.lr.MultiStepLROptions
---@field milestones integer[] epochs at which to decay; a repeated one decays twice (required)
---@field gamma? number decay factor (default 0.1)

---base·gamma^(number of milestones <= e).
---@param opt Optimizer
---@param opts optim.lr.MultiStepLROptions
---@return Scheduler
function optim.lr.MultiStepLR(opt, opts) end

---@class optim.lr.ConstantLROptions
---@field factor? number in (0, 1] (default 1/3)
---@field total_iters? integer epochs at the reduced rate (default 5)

---base·factor until total_iters, then base.
---@param opt Optimizer
---@param opts? optim.lr.ConstantLROptions
---@return Scheduler
function optim.lr.ConstantLR(opt, opts) end

---@class optim.lr.PolynomialLROptions
---@field total_iters? integer epochs of decay (default 5)
---@field power? number (default 1)

---base·(1 − min(e, total_iters)/total_iters)^power.
---@param opt Optimizer
---@param opts? optim.lr.PolynomialLROptions
---@return Scheduler
function optim.lr.PolynomialLR(opt, opts) end

---@class optim.lr.CosineAnnealingWarmRestartsOptions
---@field T_0 integer epochs of the first period (required)
---@field T_mult? integer growth factor of each period, >= 1 (default 1)
---@field eta_min? number minimum rate (default 0)

---SGDR: cosine annealing restarted every period, periods T_0, T_0·T_mult, ...
---@param opt Optimizer
---@param opts optim.lr.CosineAnnealingWarmRestartsOptions
---@return Scheduler
function optim.lr.CosineAnnealingWarmRestarts(opt, opts) end

---@class optim.lr.CyclicLROptions
---@field base_lr number|number[] lower rate, or one per group (required)
---@field max_lr number|number[] upper rate, or one per group (required)
---@field step_size_up? integer steps rising (default 2000)
---@field step_size_down? integer steps falling (default step_size_up)
---@field mode? "triangular"|"triangular2"|"exp_range" amplitude policy (default "triangular")
---@field gamma? number exp_range's factor per step (default 1)
---@field scale_fn? fun(x: number): number custom amplitude, replaces mode
---@field scale_mode? "cycle"|"iterations" what scale_fn receives (default "cycle")
---@field cycle_momentum? boolean cycle momentum (or β1) the opposite way (default true)
---@field base_momentum? number|number[] (default 0.8)
---@field max_momentum? number|number[] (default 0.9)

---Cyclical learning rates; step it once per batch. Sets the rates to base_lr when built.
---@param opt Optimizer
---@param opts optim.lr.CyclicLROptions
---@return Scheduler
function optim.lr.CyclicLR(opt, opts) end

---@class optim.lr.ReduceLROnPlateauOptions
---@field mode? "min"|"max" whether the metric should fall or rise (default "min")
---@field factor? number rate multiplier, < 1 (default 0.1)
---@field patience? integer bad epochs tolerated (default 10)
---@field threshold? number least improvement that counts (default 1e-4)
---@field threshold_mode? "rel"|"abs" (default "rel")
---@field cooldown? integer epochs ignored after a reduction (default 0)
---@field min_lr? number|number[] floor, or one per group (default 0)
---@field eps? number smaller changes are skipped (default 1e-8)

---Reduces the rates when a metric stops improving: `sched:step(metric)` once per epoch.
---@param opt Optimizer
---@param opts? optim.lr.ReduceLROnPlateauOptions
---@return Scheduler
function optim.lr.ReduceLROnPlateau(opt, opts) end

---Steps every scheduler in the list (same optimizer) at each `step()`, in order.
---@param schedulers Scheduler[]
---@return Scheduler
function optim.lr.ChainedScheduler(schedulers) end
