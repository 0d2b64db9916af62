---@meta
-- descent's `train` module for lua-language-server: Keras-style fit/evaluate/predict.
-- Reference: docs/lua-api/train.md.

---@class trainlib
train = {}

---A loss: a function `(output, target) -> loss`, a loss module, or the name of an nn loss with
---or without `_loss` ("cross_entropy", "mse", "l1", "huber", "nll", "binary_cross_entropy", "bce_with_logits").
---@alias train.Loss string|nn.Module|fun(output: Tensor, target: Tensor): Tensor

---@class train.FitOptions
---@field optimizer Optimizer|string an optimizer, or a name for optim.build with default options (required)
---@field x? Tensor training inputs (with y; or give loader)
---@field y? Tensor training targets
---@field loader? DataLoader instead of x and y
---@field epochs? integer (default 1)
---@field batch_size? integer for the loader built from x, y and for validation (default 32)
---@field shuffle? boolean shuffle the loader built from x, y (default true)
---@field seed? integer shuffling seed of that loader (default: the run's seed)
---@field loss? train.Loss (default "cross_entropy")
---@field metrics? string[] only "accuracy" (default {})
---@field validation? Tensor[] {x, y} evaluated after each epoch
---@field accumulate? integer step the optimizer every k batches (default 1)
---@field clip_grad_norm? number max norm for nn.utils.clip_grad_norm_ before each step
---@field scheduler? Scheduler stepped after each epoch (or batch)
---@field scheduler_step? "epoch"|"batch" (default "epoch")
---@field on_epoch? fun(epoch: integer, record: table<string, number>): boolean? return false to stop
---@field update_bn? boolean|integer before each validation, recompute BatchNorm statistics at the weights validated (the optimizer's evaluation point) from the training batches: true a whole epoch, n that many batches (needs validation)

---One list per key, indexed by epoch: epoch, loss, each metric, val_loss, val_<metric>.
---@class train.History
---@field epoch integer[]
---@field loss number[]
---@field val_loss? number[]
---@field [string] number[]

---@class train.EvaluateOptions
---@field loss? train.Loss (default "cross_entropy")
---@field metrics? string[] (default {"accuracy"})
---@field batch_size? integer (default 256)
---@field optimizer? Optimizer evaluated at its evaluation point (opt:eval() around the evaluation)
---@field update_bn? DataLoader|Tensor|Tensor[] training inputs: first recompute BatchNorm statistics at the weights evaluated (optim.update_bn)

---@class train.PredictOptions
---@field batch_size? integer (default 256)

---@class train.Metrics
---@field loss number
---@field accuracy? number
---@field [string] number

---Trains `model` for `epochs` epochs, logging one record per epoch through experiment.log.
---@param model nn.Module
---@param opts train.FitOptions
---@return train.History
function train.fit(model, opts) end

---The mean loss and metrics over all rows, in eval mode without recording.
---@param model nn.Module
---@param x Tensor
---@param y Tensor
---@param opts? train.EvaluateOptions
---@return train.Metrics
function train.evaluate(model, x, y, opts) end

---The model's outputs for every row of x, concatenated along dim 1.
---@param model nn.Module
---@param x Tensor
---@param opts? train.PredictOptions
---@return Tensor
function train.predict(model, x, opts) end
