-- One trial of `descent benchmark`: trains workload `cfg.workload` of `cfg.workloads` with one
-- optimizer configuration, evaluating every eval_every steps, and stops when the target is
-- reached or the step budget is spent. The optimizer is a built-in baseline (`optimizer`) or the
-- constructor that the Lua file `submission` returns (from optim.define). `options` lists the
-- hyperparameters the space sets; only those are passed, so a submission's own defaults hold
-- for the rest. The learning rate follows AlgoPerf's baselines: linear warmup over the first
-- `warmup` fraction of the budget, then cosine decay to 0 at max_steps.
--   descent run benchmarks/workload.lua --set workload=quadratic --set lr=0.05 --set optimizer=nesterov
local cfg = experiment.config{
  workloads = "benchmarks/workloads.lua", workload = "quadratic", submission = "", optimizer = "adamw",
  options = "lr", lr = 1e-3, weight_decay = 0.0, momentum = 0.9, beta1 = 0.9, beta2 = 0.999, eps = 1e-8,
  warmup = 0.05,
}

local all = dofile(cfg.workloads)
local W = all[cfg.workload]
if W == nil then
  local names = {}
  for k in pairs(all) do names[#names + 1] = k end
  table.sort(names)
  error(string.format("workload: unknown workload '%s' (valid: %s)", cfg.workload, table.concat(names, ", ")))
end

local p = problems.build(W.problem, W.options or {})

-- The optimizer: only the hyperparameters named in cfg.options.
local given = {}
for key in cfg.options:gmatch("[^,]+") do given[key] = true end
local opts = { lr = cfg.lr }
if given.weight_decay then opts.weight_decay = cfg.weight_decay end
if given.momentum then opts.momentum = cfg.momentum end
if given.eps then opts.eps = cfg.eps end
if given.beta1 or given.beta2 then opts.betas = { cfg.beta1, cfg.beta2 } end
local builtins = {
  adamw = function(ps) return optim.AdamW(ps, opts) end,
  nadamw = function(ps)
    opts.decoupled_weight_decay = true
    return optim.NAdam(ps, opts)
  end,
  nesterov = function(ps)
    opts.nesterov, opts.momentum = true, opts.momentum or cfg.momentum
    return optim.SGD(ps, opts)
  end,
  heavy_ball = function(ps)
    opts.momentum = opts.momentum or cfg.momentum
    return optim.SGD(ps, opts)
  end,
}
local opt
if cfg.submission ~= "" then
  local ctor = dofile(cfg.submission)
  if type(ctor) ~= "function" and type(ctor) ~= "table" then
    error(string.format("%s: expected the file to return an optimizer constructor (from optim.define), got %s",
      cfg.submission, type(ctor)))
  end
  opt = ctor(p.params, opts)
else
  local make = builtins[cfg.optimizer]
  if make == nil then
    error(string.format("workload: unknown optimizer '%s' (valid: adamw, nadamw, nesterov, heavy_ball)", cfg.optimizer))
  end
  opt = make(p.params)
end

local warm = math.max(1, math.floor(cfg.warmup * W.max_steps + 0.5))
local function lr_at(step)
  if step <= warm then return cfg.lr * step / warm end
  return cfg.lr * 0.5 * (1 + math.cos(math.pi * (step - warm) / math.max(1, W.max_steps - warm)))
end

local function reached(v)
  if W.mode == "min" then return v <= W.target end
  return v >= W.target
end

local train_seconds, value, best = 0, nil, nil
local hit_step, hit_seconds, diverged, last_step = nil, nil, false, 0
for step = 1, W.max_steps do
  local t0 = experiment.clock()
  opt:set_lr(lr_at(step))
  opt:zero_grad()
  local loss = p.loss()
  loss:backward()
  opt:step()
  local l = loss:item()
  train_seconds = train_seconds + (experiment.clock() - t0)
  last_step = step
  if l ~= l or l == math.huge or l == -math.huge then
    diverged = true
    experiment.log{ step = step, seconds = train_seconds, train_loss = l }
    break
  end
  if step % W.eval_every == 0 or step == W.max_steps then
    value = p.evaluate()[W.metric]
    if value ~= value then diverged = true end
    if value == value and (best == nil or (W.mode == "min" and value < best) or (W.mode == "max" and value > best)) then
      best = value
    end
    experiment.log{ step = step, seconds = train_seconds, train_loss = l, [W.metric] = value }
    if diverged then break end
    if reached(value) then
      hit_step, hit_seconds = step, train_seconds
      break
    end
  end
end

experiment.summary{
  workload = cfg.workload, metric = W.metric, target = W.target, reached = hit_step ~= nil,
  steps_to_target = hit_step, seconds_to_target = hit_seconds, final_metric = value, best_metric = best,
  steps = last_step, train_seconds = train_seconds, diverged = diverged,
}
