-- `experiment.checkpoint(name, {model, optimizer, scheduler, loader, ...extra})` and
-- `experiment.restore(name[, objects])`: everything needed to continue a run exactly — model
-- and optimizer tensors in one safetensors file (written atomically), with the optimizer's
-- options and step counts, the scheduler and loader positions, the RNG state, the metrics log
-- position and the script's own values in its metadata.
local experiment = ...
local json_encode, json_decode = experiment._json_encode, experiment._json_decode

local function fail(level, fmt, ...) error(string.format(fmt, ...), level + 1) end

local known = { model = true, optimizer = true, scheduler = true, loader = true }

-- objects[key]:name(...), with a located error (at the script's line, `level` above the caller)
-- when the object has no such method, instead of "attempt to call a nil value" in this file.
local function call_method(level, owner, objects, key, name, ...)
  local obj = objects[key]
  local ok, f = pcall(function() return obj[name] end)
  if not ok or type(f) ~= "function" then
    fail(level + 1, "%s: '%s' expected an object with a %s method, got %s", owner, key, name, type(obj))
  end
  return f(obj, ...)
end

-- Whether `optimizer` (an optimizer, or whatever a script passed) is in eval mode; an object
-- without an `eval_mode` field is not.
local function in_eval_mode(optimizer)
  local ok, mode = pcall(function() return optimizer.eval_mode end)
  return ok and mode == true
end

function experiment.checkpoint(name, objects)
  if type(name) ~= "string" then fail(2, "checkpoint: argument 1 (name) expected a string, got %s", type(name)) end
  if type(objects) ~= "table" then fail(2, "checkpoint: argument 2 expected a table {model = ..., optimizer = ...}, got %s", type(objects)) end
  local entries, meta, extra = {}, { format = "descent-checkpoint-1" }, {}
  for key, value in pairs(objects) do
    if not known[key] then
      if type(key) ~= "string" then fail(2, "checkpoint: keys must be strings, got %s", type(key)) end
      extra[key] = value
    end
  end
  for key, what in pairs{ optimizer = "an optimizer", scheduler = "a scheduler", loader = "a loader" } do
    local v = objects[key]
    if v ~= nil and type(v) ~= "table" and type(v) ~= "userdata" then
      fail(2, "checkpoint: '%s' expected %s, got %s", key, what, type(v))
    end
  end
  -- An optimizer in eval mode (schedule-free: the parameters hold the evaluation point) is saved at
  -- its training point, which its state continues from, and put back in eval mode afterwards;
  -- the metadata records the mode so that restore puts the evaluation weights back too.
  local optimizer_eval = in_eval_mode(objects.optimizer)
  if optimizer_eval then
    objects.optimizer:train()
    meta.optimizer_eval_mode = "true"
  end
  if objects.model ~= nil then
    if not nn.is_module(objects.model) then fail(2, "checkpoint: 'model' expected an nn module, got %s", type(objects.model)) end
    local sd, names = objects.model:state_dict()
    for _, n in ipairs(names) do entries[#entries + 1] = { "model." .. n, sd[n] } end
    meta.model = json_encode(names)
    -- An optimizer with evaluation weights (schedule-free, optim.ema, optim.lookahead): those
    -- weights too, as "model_eval.<name>" (computed without touching the parameters), so that
    -- `descent predict` serves them; restore ignores them (the state recomputes them).
    local opt = objects.optimizer
    local ok_method, evaluation_weights = pcall(function() return opt.evaluation_weights end)
    if opt ~= nil and ok_method and type(evaluation_weights) == "function" then
      local any = false
      for _, n in ipairs(names) do
        local e = sd[n] ~= nil and evaluation_weights(opt, sd[n]) or nil
        if e ~= nil then entries[#entries + 1] = { "model_eval." .. n, e }; any = true end
      end
      if any then meta.model_eval = "true" end
    end
  end
  if objects.optimizer ~= nil then
    local sd = call_method(2, "checkpoint", objects, "optimizer", "state_dict")
    local scalars = {}
    for position, state in pairs(sd.state) do
      local keys = {}
      for k in pairs(state) do keys[#keys + 1] = k end
      table.sort(keys)
      local s = {}
      for _, k in ipairs(keys) do
        local v = state[k]
        if tensor.is_tensor(v) then entries[#entries + 1] = { "optimizer.state." .. position .. "." .. k, v } else s[k] = v end
      end
      scalars[tostring(position)] = s
    end
    meta.optimizer = json_encode({ algorithm = sd.algorithm, param_groups = sd.param_groups, scalars = scalars })
  end
  if objects.scheduler ~= nil then meta.scheduler = json_encode(call_method(2, "checkpoint", objects, "scheduler", "state_dict")) end
  if objects.loader ~= nil then meta.loader = json_encode(call_method(2, "checkpoint", objects, "loader", "state")) end
  local seed, offset = experiment._rng_state()
  meta.rng = json_encode({ seed = seed, offset = offset })
  local size = experiment._metrics_size()
  if size then meta.metrics_size = tostring(size) end
  meta.extra = json_encode(extra)
  meta.identity = experiment._identity()
  local path = experiment._checkpoint_path(name)
  local ok, err = pcall(nn.utils.save_safetensors, entries, path, meta)
  if optimizer_eval then objects.optimizer:eval() end
  if not ok then error(err, 0) end
  return path
end

function experiment.restore(name, objects)
  if type(name) ~= "string" then fail(2, "restore: argument 1 (name) expected a string, got %s", type(name)) end
  if objects ~= nil and type(objects) ~= "table" then fail(2, "restore: argument 2 expected a table of objects to load into, got %s", type(objects)) end
  -- A fresh run into a run directory starts over; only `descent run --resume` continues it.
  if experiment.dir() ~= nil and not experiment.resuming() then return nil end
  local path = experiment._checkpoint_path(name)
  local f = io.open(path, "rb")
  if f == nil then return nil end
  f:close()
  local entries, meta = nn.utils.load_safetensors(path)
  if meta.format ~= "descent-checkpoint-1" then fail(2, "restore: %s is not a descent checkpoint", path) end
  -- Without a run directory nothing else checks that this checkpoint is this run's (with one,
  -- `descent run --resume` compares script, modules, --set values and seed before starting).
  if experiment.dir() == nil and meta.identity ~= nil and meta.identity ~= "" and meta.identity ~= experiment._identity() then
    fail(2, "restore: %s was written by a run with another script, --set values or seed; delete it to start over", path)
  end
  local result = json_decode(meta.extra or "{}")
  local model, states = {}, {}
  for _, e in ipairs(entries) do
    local key, t = e[1], e[2]
    local m = key:match("^model%.(.+)$")
    if m then model[m] = t else
      local position, buffer = key:match("^optimizer%.state%.(%d+)%.(.+)$")
      if position then
        position = tonumber(position)
        states[position] = states[position] or {}
        states[position][buffer] = t
      end
    end
  end
  if meta.model then result.model = model end
  if meta.optimizer then
    local o = json_decode(meta.optimizer)
    for position, s in pairs(o.scalars or {}) do
      local p = tonumber(position)
      states[p] = states[p] or {}
      for k, v in pairs(s) do states[p][k] = v end
    end
    result.optimizer = { algorithm = o.algorithm, param_groups = o.param_groups, state = states }
  end
  if meta.scheduler then result.scheduler = json_decode(meta.scheduler) end
  if meta.loader then result.loader = json_decode(meta.loader) end
  objects = objects or {}
  if objects.model and result.model then call_method(2, "restore", objects, "model", "load_state_dict", result.model) end
  if objects.optimizer and result.optimizer then
    -- Loaded at the training point; back to the evaluation weights when saved in eval mode.
    if in_eval_mode(objects.optimizer) then objects.optimizer:train() end
    call_method(2, "restore", objects, "optimizer", "load_state_dict", result.optimizer)
    if meta.optimizer_eval_mode == "true" then call_method(2, "restore", objects, "optimizer", "eval") end
  end
  if meta.optimizer_eval_mode == "true" then result.optimizer_eval_mode = true end
  if objects.scheduler and result.scheduler then call_method(2, "restore", objects, "scheduler", "load_state_dict", result.scheduler) end
  if objects.loader and result.loader then call_method(2, "restore", objects, "loader", "set_state", result.loader) end
  if meta.rng then
    local rng = json_decode(meta.rng)
    experiment._set_rng_state(rng.seed, rng.offset)
  end
  if meta.metrics_size then experiment._truncate_metrics(tonumber(meta.metrics_size)) end
  return result
end

-- experiment.progress(total[, label]): a progress bar on a terminal (redrawn at most 10 times a
-- second), or a plain line at every tenth of the way otherwise. Methods: update(n), advance([k]),
-- close().
function experiment.progress(total, label)
  if math.type(total) ~= "integer" or total < 0 then
    fail(2, "progress: argument 1 (total) expected a non-negative integer, got %s", tostring(total))
  end
  if label ~= nil and type(label) ~= "string" then fail(2, "progress: argument 2 (label) expected a string, got %s", type(label)) end
  local bar = { total = total, done = 0, label = label or "progress", start = experiment.clock(),
                terminal = experiment._stderr_is_terminal(), drawn_at = -1, tenth = -1 }
  local function clock(s) return string.format("%d:%02d", s // 60, math.floor(s % 60)) end
  local function draw(self, final)
    local now = experiment.clock()
    local elapsed = now - self.start
    local fraction = self.total > 0 and math.min(self.done / self.total, 1) or 1
    local eta = fraction > 0 and elapsed * (1 - fraction) / fraction or 0
    if self.terminal then
      if not final and now - self.drawn_at < 0.1 then return end
      self.drawn_at = now
      local width = 30
      local filled = math.floor(fraction * width + 0.5)
      io.stderr:write(string.format("\r%s [%s%s] %d/%d %s eta %s ", self.label, string.rep("#", filled),
        string.rep(".", width - filled), self.done, self.total, clock(elapsed), clock(eta)))
    else
      local tenth = math.floor(fraction * 10)
      if tenth == self.tenth and not final then return end
      self.tenth = tenth
      io.stderr:write(string.format("%s: %d/%d (%d%%) %s\n", self.label, self.done, self.total, math.floor(fraction * 100), clock(elapsed)))
    end
  end
  function bar:update(n)
    if type(n) ~= "number" then fail(2, "progress:update: expected a number, got %s", type(n)) end
    self.done = n
    draw(self, false)
  end
  function bar:advance(k)
    if k ~= nil and type(k) ~= "number" then fail(2, "progress:advance: expected a number, got %s", type(k)) end
    self.done = self.done + (k or 1)
    draw(self, false)
  end
  function bar:close()
    draw(self, true)
    if self.terminal then io.stderr:write("\n") end
  end
  return bar
end
