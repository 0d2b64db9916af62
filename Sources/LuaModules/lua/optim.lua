-- The Lua half of `optim`: `opt.param_groups` as live proxies (reads and writes go to the
-- optimizer, validated; a written `lr` applies from the next step).
local optim = ...

function optim._param_group_proxies(opt, n)
  -- Internal (opt.param_groups passes the group count); a script calling it with 2^31 would
  -- fill memory up to --max-memory, which ends the run.
  if math.type(n) ~= "integer" or n < 0 or n > 65536 then
    error("optim._param_group_proxies: internal helper, expected a group count in 0..65536", 2)
  end
  local groups = {}
  for i = 1, n do
    groups[i] = setmetatable({}, {
      __index = function(_, key) return opt:_get_option(i, key) end,
      __newindex = function(_, key, value) opt:_set_option(i, key, value) end,
      __pairs = function()
        local keys = opt:_option_keys()
        keys[#keys + 1] = "params"
        local j = 0
        return function()
          j = j + 1
          local key = keys[j]
          if key ~= nil then return key, opt:_get_option(i, key) end
        end
      end,
    })
  end
  return groups
end

-- The BatchNorm layers of `model`: modules that track running statistics.
local function batch_norms(model)
  local found = {}
  for _, m in ipairs(model:modules()) do
    if tensor.is_tensor(m.num_batches_tracked) and tensor.is_tensor(m.running_mean) then
      found[#found + 1] = m
    end
  end
  return found
end

--- optim.update_bn(loader, model[, {batches = n}]): recomputes the running statistics of every
--- BatchNorm in `model` from the batches of `loader` (a data.loader, whose first value per batch
--- is the input; a tensor, one batch; or a list of input tensors), as PyTorch's
--- torch.optim.swa_utils.update_bn: statistics reset, then a cumulative average over the batches
--- (momentum false), forward passes in train mode without recording; momenta and the model's mode
--- are restored. For weights that were not trained as they are (schedule-free's or EMA's
--- evaluation point, averaged weights) before evaluating. Returns the number of batches used.
function optim.update_bn(loader, model, opts)
  if not nn.is_module(model) then
    error(string.format("optim.update_bn: argument 2 expected an nn module, got %s", type(model)), 2)
  end
  if opts ~= nil and type(opts) ~= "table" then
    error(string.format("optim.update_bn: argument 3 expected an options table {batches = n}, got %s", type(opts)), 2)
  end
  local limit = opts and opts.batches
  for k in pairs(opts or {}) do
    if k ~= "batches" then error(string.format("optim.update_bn: unknown option '%s' (valid: batches)", tostring(k)), 2) end
  end
  if limit ~= nil and (math.type(limit) ~= "integer" or limit < 1) then
    error(string.format("optim.update_bn: option 'batches' expected a positive integer, got %s", tostring(limit)), 2)
  end
  local next_batch
  if tensor.is_tensor(loader) then
    local done = false
    next_batch = function()
      if done then return nil end
      done = true
      return loader
    end
  elseif type(loader) == "table" and not (getmetatable(loader) and getmetatable(loader).__index) then
    local i = 0
    next_batch = function()
      i = i + 1
      return loader[i]
    end
  else
    local ok, iter = pcall(function() return loader:iter() end)
    if not ok or iter == nil then
      error(string.format("optim.update_bn: argument 1 expected a loader, a tensor or a list of tensors, got %s", type(loader)), 2)
    end
    next_batch = function() return iter() end  -- a function or a callable userdata
  end
  local layers = batch_norms(model)
  if #layers == 0 then return 0 end
  local momenta = {}
  autograd.no_grad(function()
    for i, m in ipairs(layers) do
      momenta[i] = m.momentum
      m.momentum = false
      m.running_mean:zero_()
      m.running_var:fill_(1)
      m.num_batches_tracked:zero_()
    end
  end)
  local was_training = model.training
  model:train()
  local ok, result = pcall(autograd.no_grad, function()
    local n = 0
    while limit == nil or n < limit do
      local x = next_batch()
      if x == nil then break end
      if not tensor.is_tensor(x) then error(string.format("optim.update_bn: batch %d is a %s, expected an input tensor", n + 1, type(x)), 0) end
      model(x)
      n = n + 1
    end
    return n
  end)
  for i, m in ipairs(layers) do m.momentum = momenta[i] end
  model:train(was_training)
  if not ok then error(result, 2) end
  return result
end
