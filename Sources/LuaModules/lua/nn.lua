-- nn: the module system and the built-in layers, written in Lua so that user modules and
-- built-in modules are the same kind of object (as in Torch7). Every element loop runs in Swift,
-- behind nn.functional.
--
-- This chunk receives the `nn` table as `...`, already holding `functional`, `init` and `utils`
-- from the Swift bindings (module NN), and adds the module system to it. It assumes these
-- bindings (options tables are optional; unknown keys are errors):
--
--   nn.functional.linear(x, weight[, bias])
--   nn.functional.conv2d(x, weight[, bias][, {stride=, padding=, dilation=}])   -- number or {h, w}
--   nn.functional.max_pool2d(x, kernel[, {stride=, padding=}])                  -- stride defaults to kernel
--   nn.functional.avg_pool2d(x, kernel[, {stride=, padding=, count_include_pad=}])
--   nn.functional.dropout(x, p, training)                                       -- default generator
--   nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)
--                                                                               -- any of the four tensors may be nil
--   nn.functional.layer_norm(x, normalized_shape, weight, bias, eps)            -- shape: a table
--   nn.functional.embedding(indices, weight)                                    -- 1-based indices
--   nn.functional.mse_loss / l1_loss(input, target[, {reduction=}])
--   nn.functional.binary_cross_entropy(p, target[, {reduction=, weight=}])
--   nn.functional.bce_with_logits(z, target[, {reduction=, weight=, pos_weight=}])
--   nn.functional.huber_loss(input, target[, {delta=, reduction=}])
--   nn.functional.cross_entropy(logits, labels[, {reduction=, weight=, ignore_index=, label_smoothing=}])
--                                                                               -- labels shaped like logits: probabilities
--   nn.functional.nll_loss(log_probs, labels[, {reduction=, weight=, ignore_index=}])
--   nn.init.kaiming_uniform_(t[, {a=, mode=, nonlinearity=}]), kaiming_normal_, xavier_uniform_(t[, {gain=}]),
--     xavier_normal_, zeros_(t), ones_(t), constant_(t, v), normal_(t[, mean, std]), uniform_(t[, a, b]),
--     nn.init.fans(t) -> fan_in, fan_out
--   nn.utils.clip_grad_norm_(params, max_norm[, norm_type]) -> total norm; clip_grad_value_(params, v)
--   nn.utils.save_safetensors(entries, path[, metadata])   -- entries: array of {name, tensor}, kept in order
--   nn.utils.load_safetensors(path) -> entries, metadata   -- entries in file order
-- and the globals `tensor` (zeros, ones, empty, randn, is_tensor; methods shape, size, dim, numel,
-- reshape, requires_grad, uniform_, normal_, fill_, zero_, copy_, relu, tanh, sigmoid, gelu,
-- softmax, log_softmax, field `grad`) and `autograd` (no_grad).
--
-- It adds: nn.Module, nn.Parameter, nn.is_module, the layers, the loss modules, nn.save, nn.load,
-- and the functional losses at top level (nn.cross_entropy, ...) as the Lua API lists them.
local nn = ...
local F = nn.functional
local init = nn.init

-- Errors ---------------------------------------------------------------------------------------

local function fail(level, fmt, ...)
  error(string.format(fmt, ...), level + 1)
end

local function shape_string(shape)
  -- A shape list only: ipairs over a tensor would walk its rows (2^40 of an expanded one).
  if type(shape) ~= "table" then return tostring(shape) end
  local parts = {}
  for i, d in ipairs(shape) do parts[i] = tostring(d) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

local function is_tensor(x)
  return tensor.is_tensor(x) == true
end

-- Checks an options table: unknown keys and wrong types are errors naming the key. `spec` maps
-- each key to its Lua type; returns the table (or an empty one).
local function options(level, owner, opts, spec)
  if opts == nil then return {} end
  if type(opts) ~= "table" or is_tensor(opts) then
    fail(level + 1, "%s: expected an options table, got %s", owner, type(opts))
  end
  for k, v in pairs(opts) do
    local want = spec[k]
    if want == nil then
      local names = {}
      for name in pairs(spec) do names[#names + 1] = name end
      table.sort(names)
      fail(level + 1, "%s: unknown option '%s' (valid: %s)", owner, tostring(k), table.concat(names, ", "))
    end
    local ok = want == "any" or (want == "tensor" and is_tensor(v)) or (want == "size" and (math.type(v) == "integer"
      or (type(v) == "table" and #v >= 1))) or (want == "numbers" and (type(v) == "number"
      or (type(v) == "table" and #v >= 1))) or type(v) == want
    if not ok then
      local expected = want == "size" and "an integer or a table of integers"
        or want == "numbers" and "a number or a table of numbers" or want
      fail(level + 1, "%s: option '%s' expected %s, got %s", owner, k, expected, type(v))
    end
  end
  return opts
end
-- Shared with the other embedded libraries (problems, nn_layers) so that errors read the same.
nn._check_options = options
nn._fail = fail
nn._shape_string = shape_string
nn._is_tensor = is_tensor

local function positive_integer(level, owner, what, v)
  if math.type(v) ~= "integer" or v < 1 then
    fail(level + 1, "%s: expected %s as a positive integer, got %s", owner, what,
      type(v) == "number" and tostring(v) or type(v))
  end
  return v
end

-- Module registry ------------------------------------------------------------------------------

-- Per-instance bookkeeping, kept outside the instance so `pairs(module)` shows only its fields:
-- the field names in the order they were first assigned, and which fields are buffers.
local registry = setmetatable({}, { __mode = "k" })
-- Tensors made parameters by nn.Parameter (weak: a parameter that is no longer used goes away).
local parameter_set = setmetatable({}, { __mode = "k" })

function nn.is_module(x)
  return type(x) == "table" and registry[x] ~= nil
end

--- nn.Parameter(t): marks `t` as a parameter (requires grad) and returns it.
function nn.Parameter(t)
  if not is_tensor(t) then fail(2, "nn.Parameter: expected a tensor, got %s", type(t)) end
  parameter_set[t] = true
  t:requires_grad(true)
  return t
end

local function is_parameter(t)
  return parameter_set[t] == true
end

local Module = {}   -- methods shared by every module

local function instance_newindex(self, key, value)
  local r = registry[self]
  if not r.seen[key] then
    r.seen[key] = true
    r.order[#r.order + 1] = key
  end
  rawset(self, key, value)
end

-- While `summary` runs, every module call reports its output shape here.
local summary_recorder = nil

local function pass_through(...) return ... end

local function instance_call(self, ...)
  local forward = self.forward
  if type(forward) ~= "function" then fail(2, "%s: module has no forward function", self.__name) end
  if summary_recorder then
    -- Recurrent and attention layers return several values (output first).
    local out = table.pack(forward(self, ...))
    summary_recorder(self, out[1])
    return table.unpack(out, 1, out.n)
  end
  -- Not a tail call: error levels in forward functions count this frame.
  return pass_through(forward(self, ...))
end

local function instance_tostring(self)
  local lines = {}
  local function render(m, indent, label)
    local extra = m.extra_repr and m:extra_repr() or ""
    local head = indent .. (label and ("(" .. label .. "): ") or "") .. m.__name .. "(" .. extra
    local kids = {}
    for name, child in m:named_children() do kids[#kids + 1] = { name, child } end
    if #kids == 0 then lines[#lines + 1] = head .. ")"; return end
    lines[#lines + 1] = head
    for _, kc in ipairs(kids) do render(kc[2], indent .. "  ", kc[1]) end
    lines[#lines + 1] = indent .. ")"
  end
  render(self, "", nil)
  return table.concat(lines, "\n")
end

-- After a constructor: tensors that require grad in the fields it assigned (or in plain arrays
-- among them) become parameters. Later assignments need nn.Parameter, so a forward that caches an
-- activation in a field does not turn it into a parameter.
local function promote_parameters(self)
  for _, key in ipairs(registry[self].order) do
    local v = rawget(self, key)
    if is_tensor(v) then
      if not registry[self].buffers[key] and v:requires_grad() then parameter_set[v] = true end
    elseif type(v) == "table" and getmetatable(v) == nil then
      for _, item in ipairs(v) do
        if is_tensor(item) and item:requires_grad() then parameter_set[item] = true end
      end
    end
  end
end

--- nn.Module{init = function(self, ...) end, forward = function(self, x) end[, name = "Net"], ...}
--- returns a constructor; other fields of the table become methods. Parameters (nn.Parameter, or
--- tensors that require grad when `init` returns), buffers (self:register_buffer) and sub-modules assigned as fields of
--- `self` are discovered in the order they were first assigned; so are modules and parameters
--- inside plain array tables (`self.blocks = {nn.Linear(4, 4), nn.Linear(4, 4)}`).
function nn.Module(def)
  def = def or {}
  if type(def) ~= "table" then fail(2, "nn.Module: expected a table {init = ..., forward = ...}, got %s", type(def)) end
  if def.init ~= nil and type(def.init) ~= "function" then fail(2, "nn.Module: 'init' must be a function, got %s", type(def.init)) end
  if def.forward ~= nil and type(def.forward) ~= "function" then fail(2, "nn.Module: 'forward' must be a function, got %s", type(def.forward)) end
  if def.name ~= nil and type(def.name) ~= "string" then fail(2, "nn.Module: 'name' must be a string, got %s", type(def.name)) end
  local class = {}
  for k, v in pairs(def) do
    if k ~= "init" and k ~= "name" then class[k] = v end
  end
  class.__name = def.name or "Module"
  class.__init = def.init
  class.__index = class
  class.__newindex = instance_newindex
  class.__call = instance_call
  class.__tostring = instance_tostring
  return setmetatable(class, {
    __index = Module,
    __call = function(cls, ...)
      local self = {}
      registry[self] = { order = {}, seen = {}, buffers = {} }
      rawset(self, "training", true)
      setmetatable(self, cls)
      if cls.__init then cls.__init(self, ...) end
      promote_parameters(self)
      return self
    end,
    __tostring = function() return "nn." .. class.__name end,
  })
end

-- Discovery ------------------------------------------------------------------------------------

-- Walks the fields of `self` in registration order, calling visit(kind, name, value) with kind
-- "parameter", "buffer" or "module" (names relative to `self`).
local function each_member(self, visit)
  local r = registry[self]
  for _, key in ipairs(r.order) do
    local v = rawget(self, key)
    local name = tostring(key)
    if is_tensor(v) then
      if r.buffers[key] then visit("buffer", name, v)
      elseif is_parameter(v) then visit("parameter", name, v) end
    elseif nn.is_module(v) then
      visit("module", name, v)
    elseif type(v) == "table" and getmetatable(v) == nil then
      for i, item in ipairs(v) do
        if nn.is_module(item) then visit("module", name .. "." .. i, item)
        elseif is_tensor(item) and is_parameter(item) then visit("parameter", name .. "." .. i, item) end
      end
    end
  end
end

-- All tensors of one kind ("parameter", "buffer"; nil: both) in the tree under `self`, as
-- parallel arrays of dotted names and tensors; a tensor reachable twice (tied weights) is listed
-- once, unless `all_names` (state dicts keep every name of a tied tensor, as PyTorch's do).
local function collect(self, kind, all_names)
  local names, tensors, seen = {}, {}, {}
  local function walk(m, prefix)
    each_member(m, function(k, name, v)
      if k == "module" then walk(v, prefix .. name .. ".")
      elseif (kind == nil or k == kind) and (all_names or not seen[v]) then
        seen[v] = true
        names[#names + 1] = prefix .. name
        tensors[#tensors + 1] = v
      end
    end)
  end
  walk(self, "")
  return names, tensors
end

--- m:parameters(): the parameters as an array, in a stable order.
function Module:parameters()
  local _, tensors = collect(self, "parameter")
  return tensors
end

--- m:named_parameters(): {name = tensor} with dotted names ("1.weight", "fc1.bias"), and as a
--- second result the names in order.
function Module:named_parameters()
  local names, tensors = collect(self, "parameter")
  local map = {}
  for i, name in ipairs(names) do map[name] = tensors[i] end
  return map, names
end

--- m:buffers() / m:named_buffers(): non-trainable state such as BatchNorm's running statistics.
function Module:buffers()
  local _, tensors = collect(self, "buffer")
  return tensors
end

function Module:named_buffers()
  local names, tensors = collect(self, "buffer")
  local map = {}
  for i, name in ipairs(names) do map[name] = tensors[i] end
  return map, names
end

--- m:register_buffer(name, t): stores `t` as field `name`, saved in state_dict but not trained.
function Module:register_buffer(name, t)
  if type(name) ~= "string" then fail(2, "register_buffer: expected a name, got %s", type(name)) end
  if t ~= nil and not is_tensor(t) then fail(2, "register_buffer: expected a tensor for '%s', got %s", name, type(t)) end
  registry[self].buffers[name] = true
  self[name] = t
  return t
end

--- for name, child in m:named_children() do ... end: direct sub-modules in order.
function Module:named_children()
  local list = {}
  each_member(self, function(k, name, v) if k == "module" then list[#list + 1] = { name, v } end end)
  local i = 0
  return function()
    i = i + 1
    if list[i] then return list[i][1], list[i][2] end
  end
end

function Module:children()
  local out = {}
  for _, child in self:named_children() do out[#out + 1] = child end
  return out
end

--- m:modules(): this module and every sub-module, depth first; m:named_modules() also gives
--- their dotted names ("" for the root).
function Module:named_modules()
  local names, mods = {}, {}
  local function walk(m, name)
    names[#names + 1] = name
    mods[#mods + 1] = m
    for child_name, child in m:named_children() do
      walk(child, name == "" and child_name or (name .. "." .. child_name))
    end
  end
  walk(self, "")
  return mods, names
end

function Module:modules()
  return (self:named_modules())
end

--- m:apply(fn): calls fn(module) on every module, children first; returns m.
function Module:apply(fn)
  for _, child in self:named_children() do child:apply(fn) end
  fn(self)
  return self
end

--- m:train([mode]) / m:eval(): sets `training` on the whole tree; returns m.
function Module:train(mode)
  if mode == nil then mode = true end
  if type(mode) ~= "boolean" then fail(2, "train: expected a boolean, got %s", type(mode)) end
  for _, m in ipairs(self:modules()) do rawset(m, "training", mode) end
  return self
end

function Module:eval()
  return self:train(false)
end

--- m:zero_grad(): drops every parameter's gradient (as PyTorch's set_to_none).
function Module:zero_grad()
  for _, p in ipairs(self:parameters()) do p.grad = nil end
  return self
end

--- m:num_parameters(): the number of scalar parameters.
function Module:num_parameters()
  local n = 0
  for _, p in ipairs(self:parameters()) do n = n + p:numel() end
  return n
end

-- Checkpoints ----------------------------------------------------------------------------------

-- Parameters then buffers of each module in tree order, as (names, tensors); a tied tensor
-- appears under each of its names.
local function state_entries(self) return collect(self, nil, true) end

-- A name in PyTorch's numbering: descent's list containers (Sequential, ModuleList, the blocks
-- of the problems' models) count their children from 1, PyTorch's from 0, so every all-digit
-- component of the dotted name is one less ("1.weight" -> "0.weight", "h.2.attn" -> "h.1.attn").
local function pytorch_name(name)
  return (("." .. name .. "."):gsub("%.(%d+)%f[.]", function(i) return "." .. (tonumber(i) - 1) end):sub(2, -2))
end

--- m:state_dict([{numbering = "pytorch"}]): {name = tensor} of parameters and buffers (shared,
--- not copied), and as a second result the names in order. numbering = "pytorch" counts list
--- children from 0, as PyTorch does ("0.weight"), for a state dict that PyTorch loads.
function Module:state_dict(opts)
  if opts ~= nil and type(opts) ~= "table" then fail(2, "state_dict: expected an options table {numbering = ...}, got %s", type(opts)) end
  local numbering = opts and opts.numbering or "descent"
  for k in pairs(opts or {}) do
    if k ~= "numbering" then fail(2, "state_dict: unknown option '%s' (valid: numbering)", tostring(k)) end
  end
  if numbering ~= "descent" and numbering ~= "pytorch" then
    fail(2, "state_dict: option 'numbering' expected \"descent\" or \"pytorch\", got %s", tostring(numbering))
  end
  local names, tensors = state_entries(self)
  if numbering == "pytorch" then
    for i, name in ipairs(names) do names[i] = pytorch_name(name) end
  end
  local sd = {}
  for i, name in ipairs(names) do sd[name] = tensors[i] end
  return sd, names
end

-- BatchNorm's batch counter, which older state dicts lack (see load_state_dict).
local function is_batch_counter(name)
  return name:match("num_batches_tracked$") ~= nil
end

-- Which numbering `sd` uses for the module's `names`: its own when every name is there, else
-- PyTorch's when every name is there in PyTorch's numbering (a PyTorch state dict); the names
-- to look up either way.
local function numbered_like(sd, names)
  local own, pytorch = true, true
  local converted = {}
  for i, name in ipairs(names) do
    converted[i] = pytorch_name(name)
    if not is_batch_counter(name) then
      if sd[name] == nil then own = false end
      if sd[converted[i]] == nil then pytorch = false end
    end
  end
  if not own and pytorch then return converted end
  return names
end

--- m:load_state_dict(sd): copies every entry into the module's tensors. A missing key, an
--- unexpected key or a shape mismatch is an error that names the key (nothing is copied then).
--- A PyTorch state dict loads as it is: list children numbered from 0 ("0.weight") are accepted
--- when every key is found that way.
function Module:load_state_dict(sd)
  if type(sd) ~= "table" then fail(2, "load_state_dict: expected a table {name = tensor}, got %s", type(sd)) end
  local own_names, tensors = state_entries(self)
  local names = numbered_like(sd, own_names)
  local expected = {}
  local skip = {}
  for i, name in ipairs(names) do
    expected[name] = true
    local src = sd[name]
    -- BatchNorm's batch counter is absent from state dicts written before it existed (descent's
    -- before 2026-12, PyTorch's before 0.4.1): PyTorch loads those keeping the counter, so do we.
    if src == nil and is_batch_counter(name) then
      skip[i] = true
    else
      if src == nil then fail(2, "load_state_dict: missing key '%s' (expected shape %s)", name, shape_string(tensors[i]:shape())) end
      if not is_tensor(src) then fail(2, "load_state_dict: entry '%s' is a %s, expected a tensor", name, type(src)) end
      local want, got = tensors[i]:shape(), src:shape()
      if shape_string(want) ~= shape_string(got) then
        fail(2, "load_state_dict: size mismatch for '%s': expected %s, got %s", name, shape_string(want), shape_string(got))
      end
    end
  end
  local unexpected = {}
  for k in pairs(sd) do
    if not expected[k] then unexpected[#unexpected + 1] = tostring(k) end
  end
  if #unexpected > 0 then
    table.sort(unexpected)
    fail(2, "load_state_dict: unexpected key%s '%s'", #unexpected > 1 and "s" or "", table.concat(unexpected, "', '"))
  end
  autograd.no_grad(function()
    for i, name in ipairs(names) do
      if not skip[i] then tensors[i]:copy_(sd[name]) end
    end
  end)
  return self
end

--- nn.save(module_or_state_dict, path[, metadata]): writes a safetensors file (a module's
--- entries in registration order; a plain state dict's in sorted key order).
function nn.save(obj, path, metadata)
  if type(path) ~= "string" then fail(2, "nn.save: expected a file path, got %s", type(path)) end
  local names, tensors
  if nn.is_module(obj) then
    names, tensors = state_entries(obj)
  elseif type(obj) == "table" then
    names, tensors = {}, {}
    for k, v in pairs(obj) do
      if type(k) ~= "string" then fail(2, "nn.save: state dict keys must be strings, got %s", type(k)) end
      if not is_tensor(v) then fail(2, "nn.save: entry '%s' is a %s, expected a tensor", k, type(v)) end
      names[#names + 1] = k
    end
    table.sort(names)
    for i, k in ipairs(names) do tensors[i] = obj[k] end
  else
    fail(2, "nn.save: expected a module or a state dict, got %s", type(obj))
  end
  local entries = {}
  for i, name in ipairs(names) do entries[i] = { name, tensors[i] } end
  nn.utils.save_safetensors(entries, path, metadata)
end

--- nn.load(path): the state dict {name = tensor} of a safetensors file, and as a second result
--- the names in file order.
function nn.load(path)
  if type(path) ~= "string" then fail(2, "nn.load: expected a file path, got %s", type(path)) end
  local entries = nn.utils.load_safetensors(path)
  local sd, names = {}, {}
  for i, e in ipairs(entries) do
    sd[e[1]] = e[2]
    names[i] = e[1]
  end
  return sd, names
end

-- Summary --------------------------------------------------------------------------------------

--- m:summary([input_shape]): a printable table of the leaf layers (name, type, output shape when
--- an input shape is given, parameter count) and the totals. The forward pass runs on a tensor
--- of ones in evaluation mode without recording.
function Module:summary(input_shape)
  local mods, names = self:named_modules()
  local outputs = {}
  if input_shape ~= nil then
    if type(input_shape) ~= "table" then fail(2, "summary: expected an input shape table, got %s", type(input_shape)) end
    local was = rawget(self, "training")
    self:eval()
    summary_recorder = function(m, out)
      if is_tensor(out) then outputs[m] = shape_string(out:shape()) end
    end
    local ok, err = pcall(function()
      autograd.no_grad(function() self(tensor.ones(input_shape)) end)
    end)
    summary_recorder = nil
    self:train(was)
    if not ok then fail(2, "summary: forward on input %s failed: %s", shape_string(input_shape), tostring(err)) end
  end
  local rows = { { "Layer", "Type", "Output shape", "Params" } }
  for i, m in ipairs(mods) do
    local leaf = #m:children() == 0
    local own = 0
    each_member(m, function(k, _, v) if k == "parameter" then own = own + v:numel() end end)
    -- Leaves, and containers with parameters of their own (MultiheadAttention's in_proj_weight).
    if (leaf or own > 0) and m ~= self or #mods == 1 then
      rows[#rows + 1] = { names[i] == "" and "(root)" or names[i], m.__name, outputs[m] or "-", tostring(own) }
    end
  end
  local total, trainable = 0, 0
  for _, p in ipairs(self:parameters()) do
    total = total + p:numel()
    if p:requires_grad() then trainable = trainable + p:numel() end
  end
  local widths = { 0, 0, 0, 0 }
  for _, r in ipairs(rows) do
    for c = 1, 4 do widths[c] = math.max(widths[c], #r[c]) end
  end
  local lines = {}
  local function line(r)
    return string.format("%-" .. widths[1] .. "s  %-" .. widths[2] .. "s  %-" .. widths[3] .. "s  %" .. widths[4] .. "s",
      r[1], r[2], r[3], r[4])
  end
  lines[1] = line(rows[1])
  lines[2] = string.rep("-", #lines[1])
  for i = 2, #rows do lines[#lines + 1] = line(rows[i]) end
  lines[#lines + 1] = string.rep("-", #lines[1])
  lines[#lines + 1] = string.format("Total parameters: %d (trainable: %d)", total, trainable)
  if input_shape ~= nil then
    lines[#lines + 1] = string.format("Input shape: %s, output shape: %s", shape_string(input_shape), outputs[self] or "-")
  end
  return table.concat(lines, "\n")
end

-- Layers ---------------------------------------------------------------------------------------

local function pair_string(v)
  if type(v) == "table" then return "(" .. table.concat(v, ", ") .. ")" end
  return tostring(v)
end

-- An integer or a table {h, w} of integers; returns the two sizes.
local function size_pair(level, owner, what, v)
  if math.type(v) == "integer" then return v, v end
  if type(v) == "table" and #v == 2 and math.type(v[1]) == "integer" and math.type(v[2]) == "integer" then
    return v[1], v[2]
  end
  fail(level + 1, "%s: expected %s as an integer or {h, w}, got %s", owner, what, type(v))
end

nn.Linear = nn.Module{
  name = "Linear",
  init = function(self, in_features, out_features, opts)
    positive_integer(3, "nn.Linear", "in_features", in_features)
    positive_integer(3, "nn.Linear", "out_features", out_features)
    opts = options(3, "nn.Linear", opts, { bias = "boolean" })
    self.in_features, self.out_features = in_features, out_features
    self.weight = nn.Parameter(tensor.empty(out_features, in_features))
    if opts.bias ~= false then self.bias = nn.Parameter(tensor.empty(out_features)) end
    self:reset_parameters()
  end,
  -- PyTorch's default: kaiming_uniform(a = √5) for the weight, U(±1/√fan_in) for the bias.
  reset_parameters = function(self)
    autograd.no_grad(function()
      init.kaiming_uniform_(self.weight, { a = math.sqrt(5) })
      if self.bias then
        local bound = 1 / math.sqrt(self.in_features)
        init.uniform_(self.bias, -bound, bound)
      end
    end)
  end,
  forward = function(self, x)
    return F.linear(x, self.weight, self.bias)
  end,
  extra_repr = function(self)
    return string.format("in_features=%d, out_features=%d, bias=%s", self.in_features, self.out_features,
      tostring(self.bias ~= nil))
  end,
}

nn.Conv2d = nn.Module{
  name = "Conv2d",
  init = function(self, in_channels, out_channels, kernel_size, opts)
    positive_integer(3, "nn.Conv2d", "in_channels", in_channels)
    positive_integer(3, "nn.Conv2d", "out_channels", out_channels)
    local kh, kw = size_pair(3, "nn.Conv2d", "kernel_size", kernel_size)
    opts = options(3, "nn.Conv2d", opts, { stride = "size", padding = "size", dilation = "size", bias = "boolean" })
    self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, { kh, kw }
    self.conv_options = { stride = opts.stride or 1, padding = opts.padding or 0, dilation = opts.dilation or 1 }
    self.weight = nn.Parameter(tensor.empty(out_channels, in_channels, kh, kw))
    if opts.bias ~= false then self.bias = nn.Parameter(tensor.empty(out_channels)) end
    self:reset_parameters()
  end,
  reset_parameters = function(self)
    autograd.no_grad(function()
      init.kaiming_uniform_(self.weight, { a = math.sqrt(5) })
      if self.bias then
        local bound = 1 / math.sqrt(self.in_channels * self.kernel_size[1] * self.kernel_size[2])
        init.uniform_(self.bias, -bound, bound)
      end
    end)
  end,
  forward = function(self, x)
    return F.conv2d(x, self.weight, self.bias, self.conv_options)
  end,
  extra_repr = function(self)
    local o = self.conv_options
    return string.format("%d, %d, kernel_size=%s, stride=%s, padding=%s", self.in_channels, self.out_channels,
      pair_string(self.kernel_size), pair_string(o.stride), pair_string(o.padding))
  end,
}

local function pool_layer(name, fname, extra_options)
  local spec = { stride = "size", padding = "size" }
  for k, v in pairs(extra_options) do spec[k] = v end
  return nn.Module{
    name = name,
    init = function(self, kernel_size, opts)
      size_pair(3, "nn." .. name, "kernel_size", kernel_size)
      opts = options(3, "nn." .. name, opts, spec)
      self.kernel_size = kernel_size
      local o = {}
      for k, v in pairs(opts) do o[k] = v end
      self.pool_options = o
    end,
    forward = function(self, x)
      return F[fname](x, self.kernel_size, self.pool_options)
    end,
    extra_repr = function(self)
      return string.format("kernel_size=%s, stride=%s", pair_string(self.kernel_size),
        pair_string(self.pool_options.stride or self.kernel_size))
    end,
  }
end

nn.MaxPool2d = pool_layer("MaxPool2d", "max_pool2d", {})
nn.AvgPool2d = pool_layer("AvgPool2d", "avg_pool2d", { count_include_pad = "boolean" })

nn.Flatten = nn.Module{
  name = "Flatten",
  -- Flattens dimensions start_dim..end_dim (1-based, default 2..-1: keep the batch dimension).
  init = function(self, opts)
    opts = options(3, "nn.Flatten", opts, { start_dim = "number", end_dim = "number" })
    self.start_dim, self.end_dim = opts.start_dim or 2, opts.end_dim or -1
  end,
  forward = function(self, x)
    local shape = x:shape()
    local n = #shape
    local s = self.start_dim < 0 and n + 1 + self.start_dim or self.start_dim
    local e = self.end_dim < 0 and n + 1 + self.end_dim or self.end_dim
    if n == 0 then return x:reshape({ 1 }) end
    if s < 1 or s > n or e < 1 or e > n or s > e then
      fail(3, "Flatten: dimensions %d..%d are out of range for input of shape %s", self.start_dim, self.end_dim, shape_string(shape))
    end
    local out, size = {}, 1
    for d = 1, s - 1 do out[#out + 1] = shape[d] end
    for d = s, e do size = size * shape[d] end
    out[#out + 1] = size
    for d = e + 1, n do out[#out + 1] = shape[d] end
    return x:reshape(out)
  end,
}

-- Parameterless elementwise layers.
local function activation(name, method)
  return nn.Module{ name = name, forward = function(_, x) return x[method](x) end }
end

nn.ReLU = activation("ReLU", "relu")
nn.Tanh = activation("Tanh", "tanh")
nn.Sigmoid = activation("Sigmoid", "sigmoid")
nn.Identity = nn.Module{ name = "Identity", forward = function(_, x) return x end }

local function along_dim(name, method)
  return nn.Module{
    name = name,
    init = function(self, dim)
      if dim == nil then dim = -1 end
      if math.type(dim) ~= "integer" then fail(3, "nn.%s: expected dim as an integer, got %s", name, type(dim)) end
      self.dim = dim
    end,
    forward = function(self, x) return x[method](x, self.dim) end,
    extra_repr = function(self) return "dim=" .. self.dim end,
  }
end

nn.Softmax = along_dim("Softmax", "softmax")
nn.LogSoftmax = along_dim("LogSoftmax", "log_softmax")

nn.Dropout = nn.Module{
  name = "Dropout",
  init = function(self, p)
    if p == nil then p = 0.5 end
    if type(p) ~= "number" or p < 0 or p > 1 then
      fail(3, "nn.Dropout: expected p in [0, 1], got %s", type(p) == "number" and tostring(p) or type(p))
    end
    self.p = p
  end,
  forward = function(self, x) return F.dropout(x, self.p, self.training) end,
  extra_repr = function(self) return "p=" .. self.p end,
}

-- BatchNorm's `momentum`: a number in [0, 1] (the running statistics move that fraction towards
-- each batch's), or false for PyTorch's momentum=None: a cumulative average over the batches
-- counted in num_batches_tracked (what optim.update_bn uses).
local function batch_norm_layer(name, ranks)
  return nn.Module{
    name = name,
    init = function(self, num_features, opts)
      positive_integer(3, "nn." .. name, "num_features", num_features)
      opts = options(3, "nn." .. name, opts, { eps = "number", momentum = "any", affine = "boolean",
        track_running_stats = "boolean" })
      local momentum = opts.momentum
      if momentum == nil then momentum = 0.1 end
      if momentum ~= false and (type(momentum) ~= "number" or not (momentum >= 0 and momentum <= 1)) then
        fail(3, "nn.%s: option 'momentum' expected a number in [0, 1] or false (a cumulative average), got %s",
          name, tostring(momentum))
      end
      self.num_features = num_features
      self.eps, self.momentum = opts.eps or 1e-5, momentum
      if opts.affine ~= false then
        self.weight = nn.Parameter(tensor.ones(num_features))
        self.bias = nn.Parameter(tensor.zeros(num_features))
      end
      if opts.track_running_stats ~= false then
        self:register_buffer("running_mean", tensor.zeros(num_features))
        self:register_buffer("running_var", tensor.ones(num_features))
        -- PyTorch's counter of training batches (a 0-d tensor; int64 there, float32 here).
        self:register_buffer("num_batches_tracked", tensor.zeros({}))
      end
    end,
    forward = function(self, x)
      local d = x:dim()
      if not ranks[d] then
        fail(3, "%s: expected input with %s dimensions, got shape %s", name, ranks.text, shape_string(x:shape()))
      end
      -- Without running statistics, batch statistics are used in evaluation too (as PyTorch).
      local use_batch = self.training or self.running_mean == nil
      local factor = self.momentum
      if self.training and self.running_mean ~= nil then
        local tracked = self.num_batches_tracked
        autograd.no_grad(function() tracked:add_(1) end)
        if factor == false then factor = 1 / tracked:item() end
      end
      return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, use_batch,
        factor == false and 0 or factor, self.eps)
    end,
    extra_repr = function(self)
      return string.format("%d, eps=%g, momentum=%s", self.num_features, self.eps, tostring(self.momentum))
    end,
  }
end

nn.BatchNorm1d = batch_norm_layer("BatchNorm1d", { [2] = true, [3] = true, text = "2 or 3" })
nn.BatchNorm2d = batch_norm_layer("BatchNorm2d", { [4] = true, text = "4" })

nn.LayerNorm = nn.Module{
  name = "LayerNorm",
  init = function(self, normalized_shape, opts)
    if math.type(normalized_shape) == "integer" then normalized_shape = { normalized_shape } end
    if type(normalized_shape) ~= "table" or #normalized_shape == 0 then
      fail(3, "nn.LayerNorm: expected normalized_shape as an integer or a table of integers, got %s", type(normalized_shape))
    end
    for i, d in ipairs(normalized_shape) do positive_integer(3, "nn.LayerNorm", "normalized_shape entry " .. i, d) end
    opts = options(3, "nn.LayerNorm", opts, { eps = "number", elementwise_affine = "boolean", bias = "boolean" })
    self.normalized_shape = normalized_shape
    self.eps = opts.eps or 1e-5
    if opts.elementwise_affine ~= false then
      self.weight = nn.Parameter(tensor.ones(normalized_shape))
      if opts.bias ~= false then self.bias = nn.Parameter(tensor.zeros(normalized_shape)) end
    end
  end,
  forward = function(self, x)
    return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
  end,
  extra_repr = function(self) return shape_string(self.normalized_shape) .. ", eps=" .. self.eps end,
}

nn.Embedding = nn.Module{
  name = "Embedding",
  init = function(self, num_embeddings, embedding_dim)
    positive_integer(3, "nn.Embedding", "num_embeddings", num_embeddings)
    positive_integer(3, "nn.Embedding", "embedding_dim", embedding_dim)
    self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
    -- PyTorch's default: N(0, 1).
    self.weight = nn.Parameter(tensor.randn(num_embeddings, embedding_dim))
  end,
  forward = function(self, indices) return F.embedding(indices, self.weight) end,
  extra_repr = function(self) return self.num_embeddings .. ", " .. self.embedding_dim end,
}

--- nn.Sequential(m1, m2, ...) or nn.Sequential{m1, m2, ...}: children named "1", "2", ...
nn.Sequential = nn.Module{
  name = "Sequential",
  init = function(self, ...)
    local mods = { ... }
    if select("#", ...) == 1 and type(mods[1]) == "table" and not nn.is_module(mods[1]) then mods = mods[1] end
    for i, m in ipairs(mods) do
      if not nn.is_module(m) then fail(3, "nn.Sequential: argument %d is a %s, expected a module", i, type(m)) end
      self[i] = m
    end
  end,
  --- seq:add(m): appends a module; returns seq.
  add = function(self, m)
    if not nn.is_module(m) then fail(2, "Sequential:add: expected a module, got %s", type(m)) end
    self[#self + 1] = m
    return self
  end,
  forward = function(self, x)
    for i = 1, #self do x = self[i](x) end
    return x
  end,
}

-- Losses ---------------------------------------------------------------------------------------

local function loss_module(name, fname, spec)
  spec.reduction = "string"
  return nn.Module{
    name = name,
    init = function(self, opts)
      opts = options(3, "nn." .. name, opts, spec)
      local o = {}
      for k, v in pairs(opts) do o[k] = v end
      rawset(self, "loss_options", o)   -- options, not state: kept out of parameters and state_dict
    end,
    forward = function(self, input, target) return F[fname](input, target, self.loss_options) end,
  }
end

nn.MSELoss = loss_module("MSELoss", "mse_loss", {})
nn.L1Loss = loss_module("L1Loss", "l1_loss", {})
nn.HuberLoss = loss_module("HuberLoss", "huber_loss", { delta = "number" })
nn.CrossEntropyLoss = loss_module("CrossEntropyLoss", "cross_entropy",
  { weight = "tensor", ignore_index = "number", label_smoothing = "number" })
nn.NLLLoss = loss_module("NLLLoss", "nll_loss", { weight = "tensor", ignore_index = "number" })
nn.BCELoss = loss_module("BCELoss", "binary_cross_entropy", { weight = "tensor" })
nn.BCEWithLogitsLoss = loss_module("BCEWithLogitsLoss", "bce_with_logits", { weight = "tensor", pos_weight = "tensor" })

-- The functional losses at top level, as the Lua API lists them (nn.cross_entropy, ...).
for _, name in ipairs({ "mse_loss", "l1_loss", "huber_loss", "cross_entropy", "nll_loss",
  "binary_cross_entropy", "bce_with_logits" }) do
  if nn[name] == nil then nn[name] = F[name] end
end

return nn
