-- train: Keras-style convenience on top of nn, optim, data and experiment.
-- Written in Lua because it only sequences calls: every element loop runs in Swift.
local train = ...

local function fail(level, fmt, ...)
  error(string.format(fmt, ...), level + 1)
end

local function check_batch_size(fname, n)
  if n ~= nil and (math.type(n) ~= "integer" or n < 1) then
    fail(3, "%s: option 'batch_size' expected a positive integer, got %s", fname, tostring(n))
  end
end

local function check_options(fname, opts, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then fail(3, "%s: expected an options table, got %s", fname, type(opts)) end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for name in pairs(allowed) do names[#names + 1] = name end
      table.sort(names)
      fail(3, "%s: unknown option '%s' (valid: %s)", fname, tostring(k), table.concat(names, ", "))
    end
  end
  return opts
end

-- A loss given as a function, a module, or a name ("cross_entropy", "mse", "nll", ...).
local function resolve_loss(fname, loss)
  if loss == nil then loss = "cross_entropy" end
  if type(loss) == "string" then
    local f = nn[loss] or nn[loss .. "_loss"]
    if type(f) ~= "function" then fail(3, "%s: unknown loss '%s'", fname, loss) end
    return f
  end
  if type(loss) == "function" then return loss end
  if type(loss) == "table" and getmetatable(loss) and getmetatable(loss).__call then
    return function(out, y) return loss(out, y) end
  end
  fail(3, "%s: option 'loss' expected a function, a loss module or a name, got %s", fname, type(loss))
end

local metric_functions = {
  accuracy = function(out, y)
    return out:argmax(-1):eq(y):sum():item()
  end,
}

local function resolve_metrics(fname, metrics)
  metrics = metrics or {}
  if type(metrics) ~= "table" then fail(3, "%s: option 'metrics' expected a list of names, got %s", fname, type(metrics)) end
  for _, name in ipairs(metrics) do
    if not metric_functions[name] then fail(3, "%s: unknown metric '%s' (valid: accuracy)", fname, tostring(name)) end
  end
  return metrics
end

-- Mean loss and metrics of `model` on (x, y), in eval mode and without recording.
local function evaluate(model, x, y, lossf, metrics, batch_size)
  local was_training = model.training
  model:eval()
  local n = x:size(1)
  local total, sums = 0, {}
  for _, name in ipairs(metrics) do sums[name] = 0 end
  autograd.no_grad(function()
    for start = 1, n, batch_size do
      local len = math.min(batch_size, n - start + 1)
      local xb, yb = x:narrow(1, start, len), y:narrow(1, start, len)
      local out = model(xb)
      total = total + lossf(out, yb):item() * len
      for _, name in ipairs(metrics) do sums[name] = sums[name] + metric_functions[name](out, yb) end
    end
  end)
  if was_training then model:train() end
  local result = { loss = total / math.max(n, 1) }
  for _, name in ipairs(metrics) do result[name] = sums[name] / math.max(n, 1) end
  return result
end

local fit_options = {
  optimizer = true, loss = true, x = true, y = true, loader = true, epochs = true, batch_size = true,
  validation = true, metrics = true, accumulate = true, clip_grad_norm = true, scheduler = true,
  scheduler_step = true, on_epoch = true, shuffle = true, seed = true, update_bn = true,
}

--- train.fit(model, {optimizer, loss, x, y | loader, epochs, batch_size, validation = {x, y},
--- metrics = {"accuracy"}, accumulate = k, clip_grad_norm, scheduler, on_epoch = fn, update_bn})
--- Returns the history: a table of per-epoch lists (loss, accuracy, val_loss, ...).
function train.fit(model, opts)
  opts = check_options("train.fit", opts, fit_options)
  if model == nil or type(model.parameters) ~= "function" then
    fail(2, "train.fit: argument 1 expected a model (an nn module), got %s", type(model))
  end
  local opt = opts.optimizer
  if opt == nil then fail(2, "train.fit: option 'optimizer' is required") end
  if type(opt) == "string" then opt = optim.build(opt, model:parameters(), {}) end
  local lossf = resolve_loss("train.fit", opts.loss)
  local metrics = resolve_metrics("train.fit", opts.metrics)
  check_batch_size("train.fit", opts.batch_size)
  local epochs = opts.epochs or 1
  local batch_size = opts.batch_size or 32
  local accumulate = opts.accumulate or 1
  if math.type(epochs) ~= "integer" or epochs < 0 then fail(2, "train.fit: option 'epochs' expected a non-negative integer, got %s", tostring(epochs)) end
  if math.type(accumulate) ~= "integer" or accumulate < 1 then
    fail(2, "train.fit: option 'accumulate' expected a positive integer, got %s", tostring(accumulate))
  end
  local scheduler_step = opts.scheduler_step or "epoch"
  if scheduler_step ~= "epoch" and scheduler_step ~= "batch" then
    fail(2, "train.fit: option 'scheduler_step' expected \"epoch\" or \"batch\", got %s", tostring(scheduler_step))
  end
  local loader = opts.loader
  if loader == nil then
    if opts.x == nil or opts.y == nil then fail(2, "train.fit: give either 'loader' or both 'x' and 'y'") end
    loader = data.loader(opts.x, opts.y, {
      batch_size = batch_size, shuffle = opts.shuffle ~= false, seed = opts.seed or experiment.seed(),
    })
  end
  local val = opts.validation
  if val ~= nil and (type(val) ~= "table" or not tensor.is_tensor(val[1]) or not tensor.is_tensor(val[2])) then
    fail(2, "train.fit: option 'validation' expected {x, y} tensors")
  end
  local params = model:parameters()
  local history = { epoch = {}, loss = {} }
  for _, name in ipairs(metrics) do history[name] = {} end
  if val then
    history.val_loss = {}
    for _, name in ipairs(metrics) do history["val_" .. name] = {} end
  end

  local function apply_step()
    if opts.clip_grad_norm then nn.utils.clip_grad_norm_(params, opts.clip_grad_norm) end
    opt:step()
    opt:zero_grad()
    if opts.scheduler and scheduler_step == "batch" then opts.scheduler:step() end
  end
  -- Optimizers whose step takes a closure (LBFGS, SAM) step once per batch with a closure over
  -- that batch; Sophia's Hessian estimate needs the gradients' graph (create_graph).
  local closure_step = opt.requires_closure == true
  if closure_step and accumulate > 1 then
    fail(2, "train.fit: option 'accumulate' needs an optimizer whose step takes no closure, got %s", tostring(opt.name))
  end
  local backward_options = opt.requires_graph == true and { create_graph = true } or nil
  -- update_bn: before each validation, BatchNorm statistics recomputed at the weights being
  -- validated (the evaluation point), from the training batches (true: a whole epoch; n: n batches).
  local update_bn = opts.update_bn
  if update_bn ~= nil and update_bn ~= true and update_bn ~= false and (math.type(update_bn) ~= "integer" or update_bn < 1) then
    fail(2, "train.fit: option 'update_bn' expected true or a positive number of batches, got %s", tostring(update_bn))
  end
  if update_bn ~= nil and update_bn ~= false and val == nil then
    fail(2, "train.fit: option 'update_bn' acts before validation; give 'validation' too")
  end

  for epoch = 1, epochs do
    local t0 = experiment.clock()
    model:train()
    local seen, total, sums, pending = 0, 0, {}, 0
    for _, name in ipairs(metrics) do sums[name] = 0 end
    opt:zero_grad()
    for xb, yb in loader:iter() do
      local out, loss
      if closure_step then
        -- The closure's first call is at the step's starting point: its output and loss count.
        loss = opt:step(function()
          opt:zero_grad()
          local o = model(xb)
          local l = lossf(o, yb)
          l:backward(backward_options)
          if out == nil then out = o end
          if opts.clip_grad_norm then nn.utils.clip_grad_norm_(params, opts.clip_grad_norm) end
          return l
        end)
        opt:zero_grad()
        if opts.scheduler and scheduler_step == "batch" then opts.scheduler:step() end
      else
        out = model(xb)
        loss = lossf(out, yb)
      end
      local n = xb:size(1)
      total = total + loss:item() * n
      seen = seen + n
      for _, name in ipairs(metrics) do
        sums[name] = sums[name] + autograd.no_grad(function() return metric_functions[name](out, yb) end)
      end
      if not closure_step then
        if accumulate > 1 then loss = loss / accumulate end
        loss:backward(backward_options)
        pending = pending + 1
        if pending == accumulate then apply_step(); pending = 0 end
      end
    end
    if pending > 0 then apply_step() end
    if opts.scheduler and scheduler_step == "epoch" then opts.scheduler:step() end

    local record = { epoch = epoch, loss = total / math.max(seen, 1), lr = opt:get_lr() }
    for _, name in ipairs(metrics) do record[name] = sums[name] / math.max(seen, 1) end
    if val then
      -- Optimizers with an evaluation point (schedule-free) are validated there, then resume.
      local swap = opt.eval ~= nil and opt.train ~= nil
      if swap then opt:eval() end
      if update_bn then optim.update_bn(loader, model, { batches = update_bn ~= true and update_bn or nil }) end
      local r = evaluate(model, val[1], val[2], lossf, metrics, batch_size)
      if swap then opt:train() end
      record.val_loss = r.loss
      for _, name in ipairs(metrics) do record["val_" .. name] = r[name] end
    end
    record.time = experiment.clock() - t0
    for k, list in pairs(history) do list[#list + 1] = record[k] end
    experiment.log(record)
    if opts.on_epoch then
      if opts.on_epoch(epoch, record) == false then break end
    end
  end
  return history
end

--- train.evaluate(model, x, y, {loss, metrics, batch_size, optimizer, update_bn}) -> {loss = ..., accuracy = ...}
--- With `optimizer`, an optimizer with an evaluation point (schedule-free) is evaluated there:
--- opt:eval() around the evaluation, and opt:train() after unless it was already in eval mode.
--- `update_bn` (a loader, a tensor or a list of input tensors: training data) first recomputes
--- the BatchNorm statistics at those weights (optim.update_bn).
function train.evaluate(model, x, y, opts)
  opts = check_options("train.evaluate", opts, { loss = true, metrics = true, batch_size = true, optimizer = true, update_bn = true })
  if not tensor.is_tensor(x) or not tensor.is_tensor(y) then
    fail(2, "train.evaluate: expected tensors x and y, got %s and %s", type(x), type(y))
  end
  if x:size(1) ~= y:size(1) then
    fail(2, "train.evaluate: x has %d rows but y has %d", x:size(1), y:size(1))
  end
  check_batch_size("train.evaluate", opts.batch_size)
  local metrics = resolve_metrics("train.evaluate", opts.metrics or { "accuracy" })
  local lossf = resolve_loss("train.evaluate", opts.loss)
  local opt = opts.optimizer
  if opt ~= nil and (type(opt) ~= "userdata" or type(opt.eval) ~= "function" or type(opt.train) ~= "function") then
    fail(2, "train.evaluate: option 'optimizer' expected an optimizer, got %s", type(opt))
  end
  local swap = opt ~= nil and not opt.eval_mode
  if swap then opt:eval() end
  if opts.update_bn ~= nil then
    -- Its argument errors carry no position (raised through pcall): this call's line is theirs.
    local ok, err = pcall(optim.update_bn, opts.update_bn, model)
    if not ok then
      if swap then opt:train() end
      fail(2, "train.evaluate: option 'update_bn': %s", tostring(err):gsub("^optim%.update_bn: ", ""))
    end
  end
  local ok, result = pcall(evaluate, model, x, y, lossf, metrics, opts.batch_size or 256)
  if swap then opt:train() end
  if not ok then error(result, 0) end
  return result
end

--- train.predict(model, x[, {batch_size}]) -> the model's outputs for every row of x
function train.predict(model, x, opts)
  opts = check_options("train.predict", opts, { batch_size = true })
  if not tensor.is_tensor(x) then fail(2, "train.predict: argument 2 expected a tensor, got %s", type(x)) end
  check_batch_size("train.predict", opts.batch_size)
  local batch_size = opts.batch_size or 256
  local was_training = model.training
  model:eval()
  local outs = {}
  autograd.no_grad(function()
    for start = 1, x:size(1), batch_size do
      outs[#outs + 1] = model(x:narrow(1, start, math.min(batch_size, x:size(1) - start + 1)))
    end
  end)
  if was_training then model:train() end
  if #outs == 0 then return tensor.zeros(0) end
  return tensor.cat(outs, 1)
end

return train
