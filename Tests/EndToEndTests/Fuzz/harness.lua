-- API fuzz harness: calls every function of descent's Lua modules and every method of tensor,
-- optimizer, scheduler, loader and nn module values with random and adversarial arguments, each
-- under pcall. A script may get Lua errors, never a crash, a Swift trap or a hang: the harness
-- passes when the process exits 0 after printing "fuzz: N calls".
--
--   descent run harness.lua --sandbox --max-memory 2048 --out run --set calls=10000 --set seed=1
--
-- Run it from a scratch folder (with --sandbox): paths handed to the API are relative names or
-- point at folders that do not exist, so files land next to the script. `--set trace=1` prints
-- every call to stderr before it runs (to find the call that crashed or hung); `--set only=NAME`
-- restricts the targets to names containing NAME.
--
-- Skipped: nothing is skipped by name. Bounded instead (documented in docs/reliability.md):
-- option values for `epochs` never exceed 3, so train.fit cannot legitimately loop for ages.

local cfg = experiment.config{ calls = 10000, seed = 1, trace = 0, only = "" }
math.randomseed(cfg.seed)
tensor.manual_seed(cfg.seed)
local random = math.random

local function pick(list) return list[random(#list)] end
local function chance(p) return random() < p end

-- Values ------------------------------------------------------------------------------------------

local numbers = {
  0, 1, 2, 3, 4, -1, -2, 0.5, -0.5, 1e-8, 1.5, 0.0 / 0.0, math.huge, -math.huge, 2 ^ 62, -2 ^ 62,
  math.maxinteger, math.mininteger, 2 ^ 53, 1e308, -0.0, 2 ^ 31, 1e-320, 7, 100, 0.9, 0.999,
  1 << 62, -(1 << 62), 1 << 40, 1 << 31,   -- integers: 2 ^ 62 is a float, beyond integer range checks
  1 << 32, 2 ^ 63, -2 ^ 63, (1 << 53) + 1, math.maxinteger // 2, -1e15,  -- products and +1 overflow
}
local small = { 1, 2, 3, 4, -1, 1, 2 }

-- Deeply nested JSON and Lua tables: stack depth is part of the contract too.
local deep_json = string.rep("[", 200) .. string.rep("]", 200)
local strings = {
  "", "a", "mean", "sum", "none", "relu", "linear", "leaky_relu", "fan_in", "fan_out", "sgd", "adam",
  "adamw", "Lion", "after_sqrt", "eps_hat", "inside_sqrt", "accuracy", "label", "x.npy", "x.csv",
  "m.safetensors", "ckpt", "sub/dir/x.npy", "../up.npy", "/nonexistent/dir/x.npy", "nan", "1", "-1",
  "\0", string.rep("x", 300), deep_json, string.rep("{\"a\":", 100) .. "1" .. string.rep("}", 100),
  "[1, 2, {\"a\": null}]", "{\"a\": [1e400, -1e400]}", "grad", "is_leaf", "shape_", "__index",
  -- einsum equations (valid, broadcasting, diagonal, implicit, malformed)
  "ij,jk->ik", "ii", "ii->i", "i,i", "...ij,...jk", "bij,bjk->bik", "ij->ji", "ij->", ",i->i", "i,j->ij",
  "ij,jk,kl->il", "a...,...a", "ij->ii", "i j", "->", "...->...", "fro", "inf", "-inf", "nuc",
  "tanh", "gelu", "nearest", "forward", "training",
}
local option_keys = {
  "requires_grad", "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "momentum",
  "dampening", "nesterov", "decoupled_weight_decay", "bias_correction", "eps_mode", "alpha",
  "centered", "lr_decay", "initial_accumulator_value", "step_size", "gamma", "T_max", "eta_min",
  "start_factor", "end_factor", "total_iters", "max_lr", "total_steps", "pct_start", "milestones",
  "schedulers", "batch_size", "shuffle", "drop_last", "seed", "header", "label", "reduction",
  "weight", "ignore_index", "label_smoothing", "pos_weight", "delta", "stride", "padding",
  "dilation", "count_include_pad", "bias", "a", "mode", "nonlinearity", "gain", "retain_graph",
  "optimizer", "loss", "x", "y", "loader", "epochs", "validation", "metrics", "accumulate",
  "clip_grad_norm", "scheduler", "on_epoch", "params", "name", "defaults", "init", "update",
  "atol", "rtol", "eps_fd", "affine", "elementwise_affine", "padding_idx", "dim", "keepdim",
  "model", "train", "test", "classes", "step", "epoch", "loss_value",
  "eps_root", "trust_coefficient", "warmup_steps", "weight_lr_power", "estim_lr0", "estim_lr_coef",
  "beta3", "safeguard_warmup", "use_clipping",
  "full_matrices", "upper", "left", "unitriangular", "rcond",
  "num_layers", "batch_first", "bidirectional", "dropout", "attn_mask", "key_padding_mask", "is_causal",
  "need_weights", "average_attn_weights", "dropout_p", "scale", "kdim", "vdim", "dim_feedforward",
  "activation", "norm_first", "layer_norm_eps", "src_mask", "src_key_padding_mask", "tgt_mask",
  "memory_mask", "tgt_is_causal", "output_padding", "scale_factor", "size", "approximate",
  "negative_slope", "beta", "threshold",
}

local pool = {}          -- results of successful calls, fed back as arguments
local POOL_SIZE = 96
local function remember(v)
  if v == nil then return end
  if #pool < POOL_SIZE then pool[#pool + 1] = v else pool[random(POOL_SIZE)] = v end
end

local gen = {}           -- generators by kind; filled below

local function shape_of_ones(rank)
  local s = {}
  for i = 1, rank do s[i] = 1 end
  return s
end

-- Nested one-element tables, `depth` levels deep: bindings that push once per level must make
-- room on the Lua stack (a C function starts with 20 free slots).
local function nested(depth)
  local t = { 1 }
  for _ = 1, depth do t = { t } end
  return t
end

local function shape(rank)
  local s = {}
  for i = 1, rank do s[i] = pick{ 0, 1, 1, 2, 3, 3, 4 } end
  return s
end

-- A tensor of a random kind: plain, 0-d, zero-size, non-contiguous, expanded, integral labels,
-- non-finite values, requiring grad, or left over from a graph that was already freed.
function gen.tensor()
  local kind = random(18)
  if kind == 1 then return tensor.randn(table.unpack(shape(random(0, 4)))) end
  if kind == 2 then return tensor.from(pick{ 1, -3.5, 0 / 0 }) end                    -- 0-d
  if kind == 3 then return tensor.zeros(pick{ { 0 }, { 0, 3 }, { 3, 0 }, { 2, 0, 2 } }) end
  if kind == 4 then return tensor.randn(3, 4):t() end                                   -- transposed
  if kind == 5 then return tensor.randn(1, 4):expand(3, 4) end                          -- stride 0
  if kind == 6 then return tensor.randn(4, 5):narrow(2, 2, 3) end
  if kind == 7 then return tensor.randint(1, 4, { random(0, 5) }) end                  -- labels 1..3
  if kind == 8 then return tensor.from{ 0 / 0, math.huge, -math.huge, 1e38, -0.0 } end
  if kind == 9 then return tensor.randn(table.unpack(shape(random(1, 3)))):requires_grad(true) end
  if kind == 10 then                                                                    -- freed graph
    local x = tensor.randn(3, { requires_grad = true })
    local mid = x * 2
    local loss = mid:sum()
    loss:backward()
    return pick{ loss, mid, x }
  end
  if kind == 11 then return tensor.randn(2, 1, 3, 3) end                               -- NCHW
  if kind == 12 then return tensor.from{ { 1, 2 }, { 3, 4 }, { 5, 6 } } end
  if kind == 13 then return tensor.randn(2, 3, 4):permute(3, 1, 2) end
  if kind == 14 then return tensor.ones(shape_of_ones(pick{ 8, 30, 64 })) end          -- high rank (64 is the most)
  if kind == 17 then                                              -- stride 0 with 2^40 elements
    return pick{ tensor.ones(1):expand(2 ^ 40), tensor.ones(1, 1):expand(2 ^ 20, 2 ^ 20),
                 tensor.ones(1, 3):expand(2 ^ 40, 3), tensor.ones(1):expand(2 ^ 40):view(2 ^ 20, 2 ^ 20) }
  end
  if kind == 15 then                                                                    -- square (linalg)
    local n = pick{ 0, 1, 2, 3 }
    return pick{ tensor.randn(n, n), tensor.randn(2, n, n), tensor.ones(n, n), tensor.eye(n) }
  end
  if kind == 16 then                                                                    -- positive-definite
    local a = tensor.randn(3, 3)
    return a:matmul(a:t()) + tensor.eye(3)
  end
  return tensor.ones(3):select(1, 2)                                                   -- 0-d view
end

local function params() return { tensor.randn(3, { requires_grad = true }), tensor.randn(2, 2, { requires_grad = true }) } end

local module_makers = {
  function() return nn.Linear(3, 4) end, function() return nn.Linear(4, 2, { bias = false }) end,
  function() return nn.Conv2d(1, 2, 3, { padding = 1 }) end, function() return nn.MaxPool2d(2) end,
  function() return nn.AvgPool2d(2) end, function() return nn.Flatten() end,
  function() return nn.ReLU() end, function() return nn.Tanh() end, function() return nn.Sigmoid() end,
  function() return nn.GELU() end, function() return nn.Softmax(2) end, function() return nn.LogSoftmax(2) end,
  function() return nn.Dropout(0.5) end, function() return nn.BatchNorm1d(3) end,
  function() return nn.BatchNorm2d(1) end, function() return nn.LayerNorm(3) end,
  function() return nn.Embedding(5, 3) end, function() return nn.Identity() end,
  function() return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3)) end,
  function() return nn.MSELoss() end, function() return nn.CrossEntropyLoss() end,
  function() return nn.NLLLoss() end, function() return nn.L1Loss() end, function() return nn.HuberLoss() end,
  function() return nn.BCELoss() end, function() return nn.BCEWithLogitsLoss() end,
  function() return nn.RNN(3, 2, { nonlinearity = "relu" }) end,
  function() return nn.LSTM(3, 2, { num_layers = 2, bidirectional = true }) end,
  function() return nn.GRU(3, 2, { batch_first = true }) end,
  function() return nn.MultiheadAttention(4, 2) end, function() return nn.MultiheadAttention(4, 2, { kdim = 3, vdim = 2 }) end,
  function() return nn.TransformerEncoderLayer(4, 2, { dim_feedforward = 8 }) end,
  function() return nn.TransformerDecoderLayer(4, 2, { dim_feedforward = 8, norm_first = true }) end,
  function() return nn.Conv1d(1, 2, 3) end, function() return nn.ConvTranspose2d(1, 2, 3, { stride = 2 }) end,
  function() return nn.GroupNorm(1, 3) end, function() return nn.RMSNorm(3) end,
  function() return nn.AdaptiveAvgPool2d(2) end, function() return nn.Upsample{ scale_factor = 2 } end,
  function() return nn.SiLU() end, function() return nn.Mish() end, function() return nn.LeakyReLU() end,
  function() return nn.ELU() end, function() return nn.Softplus() end, function() return nn.GELU{ approximate = "tanh" } end,
  function() return nn.ModuleList{ nn.Linear(3, 3) } end, function() return nn.ModuleDict{ a = nn.ReLU() } end,
  function()
    local Net = nn.Module{
      init = function(self, n) self.fc = nn.Linear(n, n); self.scale = nn.Parameter(tensor.ones(1)) end,
      forward = function(self, x) return self.fc(x) * self.scale end,
    }
    return Net(3)
  end,
}
function gen.module() return pick(module_makers)() end

function gen.optimizer()
  local names = optim.names()
  local ps = chance(0.5) and params() or nn.Linear(3, 3):parameters()
  local opt = optim.build(pick(names), ps, { lr = 0.01 })
  -- Wrappers (optim.lookahead, optim.ema) around it, when it has no evaluation weights itself.
  if chance(0.25) then
    local ok, wrapped = pcall(pick{ function(o) return optim.lookahead(o, { sync_period = 2 }) end,
                                    function(o) return optim.ema(o, { decay = 0.9 }) end }, opt)
    if ok then opt = wrapped end
  end
  return opt
end

local scheduler_makers = {
  function(o) return optim.lr.StepLR(o, { step_size = 2, gamma = 0.5 }) end,
  function(o) return optim.lr.ExponentialLR(o, { gamma = 0.9 }) end,
  function(o) return optim.lr.CosineAnnealingLR(o, { T_max = 5 }) end,
  function(o) return optim.lr.LinearLR(o, {}) end,
  function(o) return optim.lr.OneCycleLR(o, { max_lr = 0.1, total_steps = 10 }) end,
  function(o) return optim.lr.LambdaLR(o, function(step) return 1 / (step + 1) end) end,
  function(o)
    return optim.lr.SequentialLR(o, { schedulers = { optim.lr.StepLR(o, { step_size = 1 }),
      optim.lr.ExponentialLR(o, { gamma = 0.5 }) }, milestones = { 2 } })
  end,
  function(o) return optim.lr.MultiStepLR(o, { milestones = { 1, 3, 3 }, gamma = 0.5 }) end,
  function(o) return optim.lr.ConstantLR(o, { factor = 0.5, total_iters = 2 }) end,
  function(o) return optim.lr.PolynomialLR(o, { total_iters = 3, power = 2 }) end,
  function(o) return optim.lr.CosineAnnealingWarmRestarts(o, { T_0 = 2, T_mult = 2 }) end,
  function(o) return optim.lr.CyclicLR(o, { base_lr = 0.001, max_lr = 0.01, step_size_up = 2 }) end,
  function(o) return optim.lr.ReduceLROnPlateau(o, { patience = 1 }) end,
  function(o)
    return optim.lr.ChainedScheduler{ optim.lr.ConstantLR(o, { factor = 0.5 }), optim.lr.ExponentialLR(o, { gamma = 0.9 }) }
  end,
}
function gen.scheduler() return pick(scheduler_makers)(gen.optimizer()) end

function gen.loader()
  local n = pick{ 0, 1, 5, 7 }
  return data.loader(tensor.randn(n, 3), tensor.randint(1, 3, { n }),
    { batch_size = pick{ 1, 2, 3, 8 }, shuffle = chance(0.5), drop_last = chance(0.5), seed = 3 })
end

-- Loaders written in Lua (lua/data.lua): over a dataset object, with transforms, and over text.
function gen.dataset_loader()
  local n = pick{ 0, 1, 5 }
  local t = data.transforms
  return data.loader(data.dataset(tensor.randn(n, 1, 4, 4), tensor.randint(1, 3, { n })),
    { batch_size = pick{ 1, 2, 8 }, shuffle = chance(0.5), seed = 3,
      transform = chance(0.5) and t.compose{ t.random_crop(3, { padding = 1 }), t.horizontal_flip() } or nil })
end
function gen.text_loader()
  return data.text_loader(tensor.randint(1, 5, { pick{ 2, 9, 40 } }), { block_size = pick{ 1, 4 }, batch_size = pick{ 1, 3 } })
end

local function recursive_table()
  local t = { 1, 2 }
  t.self = t
  t[3] = t
  return t
end

local function hostile_table()
  -- Metamethods that raise: bindings must read tables raw (or cope with errors).
  return setmetatable({ 2, 3 }, {
    __index = function() error("hostile __index") end,
    __len = function() error("hostile __len") end,
    __pairs = function() error("hostile __pairs") end,
  })
end

local functions = {
  function() end,
  function() error("boom from a callback") end,
  function(...) return ... end,
  function() return tensor.ones(1) end,
  function() return 0 / 0 end,
  function(x) if tensor.is_tensor(x) then return x * 2 end return x end,
  function() coroutine.yield() end,
  function() error(setmetatable({}, { __tostring = function() return "table error" end })) end,
}

local any -- forward

-- State-dict-like nesting: `{children = {children = ...}}` (SequentialLR), `{x = {x = ...}}`.
local function nested_field(key, depth)
  local t = {}
  for _ = 1, depth do t = { [key] = { t }, x = t, last_epoch = 1, step_count = 1, base_lrs = {}, last_lr = {} } end
  return t
end

function gen.table()
  local kind = random(16)
  if kind == 15 then return nested_field(pick{ "children", "state", "param_groups", "x" }, pick{ 30, 100, 1000 }) end
  if kind == 16 then return { state = { [1] = nested(pick{ 30, 300 }), [2 ^ 63] = {}, [math.huge] = {} }, param_groups = nested(100) } end
  if kind == 1 then return {} end
  if kind == 2 then return shape(random(1, 4)) end
  if kind == 3 then return { pick(numbers), pick(numbers) } end
  if kind == 4 then return recursive_table() end
  if kind == 5 then return hostile_table() end
  if kind == 6 then return { gen.tensor(), gen.tensor() } end                       -- tensor list
  if kind == 7 then return { { 1, 2 }, { 3, 4 } } end
  if kind == 8 then return { [2 ^ 40] = 1, [1] = 2 } end
  if kind == 9 then return { { params = params(), lr = pick(numbers) } } end        -- param groups
  if kind == 10 then return { 1, "a", true } end
  if kind == 11 then return nested(pick{ 25, 40, 300 }) end
  if kind == 12 then return { 0, 2 ^ 40, 2 ^ 40 } end                                -- zero-size, huge strides
  if kind == 13 then return { a = nested(30), step = 1 } end
  -- An options table with known keys and random values.
  local t = {}
  for _ = 1, random(1, 3) do
    local key = pick(option_keys)
    local value = any(1)
    if key == "epochs" then value = pick{ 0, 1, 2, 3, -1, 0 / 0, 1.5, "2" } end
    t[key] = value
  end
  return t
end

local function object()
  local makers = { gen.tensor, gen.module, gen.optimizer, gen.scheduler, gen.loader, gen.dataset_loader, gen.text_loader }
  local ok, v = pcall(pick(makers))
  return ok and v or nil
end

-- A copy of a table from the pool (a state dict, a shape, a history) with one entry, possibly
-- nested, replaced by a random value: corrupt state dicts must be refused, not trusted.
local function mutated(t)
  local seen = {}
  local function copy(x, depth)
    if type(x) ~= "table" or nn.is_module(x) or seen[x] or depth > 4 then return x end
    seen[x] = true
    local c = {}
    for k, v in pairs(x) do c[k] = copy(v, depth + 1) end
    return c
  end
  local c = copy(t, 0)
  local node = c
  for _ = 1, random(1, 3) do
    local keys = {}
    for k in pairs(node) do keys[#keys + 1] = k end
    if #keys == 0 then break end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local k = keys[random(#keys)]
    if type(node[k]) == "table" and chance(0.6) and not nn.is_module(node[k]) then node = node[k]
    else node[k] = any(1); break end
  end
  return c
end

-- Any value; `depth` keeps nested option tables finite.
function any(depth)
  depth = depth or 0
  local r = random(100)
  if r <= 28 then return gen.tensor() end
  if r <= 44 then return pick(small) end
  if r <= 54 then return pick(numbers) end
  if r <= 60 and depth == 0 then return gen.table() end
  if r <= 66 then return pick(strings) end
  if r <= 70 then return nil end
  if r <= 73 then return random(2) == 1 end
  if r <= 76 then return pick(functions) end
  if r <= 78 then return io.stdout end
  if r <= 80 then return coroutine.create(function() end) end
  if r <= 88 and #pool > 0 then
    local v = pool[random(#pool)]
    if depth == 0 and type(v) == "table" and chance(0.5) then
      local ok, c = pcall(mutated, v)   -- pool tables may be proxies whose __pairs raises
      if ok then return c end
    end
    return v
  end
  if depth == 0 then return object() end
  return pick(small)
end

-- Targets -----------------------------------------------------------------------------------------

local targets = {}     -- { name, fn, class }: class names the kind of `self` for methods

local function add_functions(tbl, prefix, class, seen)
  if seen[tbl] then return end
  seen[tbl] = true
  local keys = {}
  for k in pairs(tbl) do if type(k) == "string" then keys[#keys + 1] = k end end
  table.sort(keys)       -- pairs order varies between runs; the seed must replay a run exactly
  for _, k in ipairs(keys) do
    local v = rawget(tbl, k)
    if type(v) == "function" then
      targets[#targets + 1] = { name = prefix .. k, fn = v, class = class }
    elseif type(v) == "table" and class == nil then
      add_functions(v, prefix .. k .. ".", nil, seen)
      local mt = getmetatable(v)
      if type(mt) == "table" and type(mt.__call) == "function" then  -- nn classes are callable
        targets[#targets + 1] = { name = prefix .. k .. "()", fn = function(...) return v(...) end }
      end
    end
  end
end

for _, name in ipairs{ "tensor", "autograd", "linalg", "nn", "optim", "data", "train", "experiment", "problems", "curvature" } do
  add_functions(_G[name], name .. ".", nil, {})
end

-- Methods of userdata values: the metatable's `methods` table plus its metamethods.
-- Some makers fail for some random choices (OneCycleLR needs momentum): retry until one works.
local function sample(make)
  for _ = 1, 50 do
    local ok, v = pcall(make)
    if ok then return v end
  end
  error("cannot make a sample value")
end
local samples = {
  tensor = tensor.ones(2), optimizer = sample(gen.optimizer), scheduler = sample(gen.scheduler),
  loader = sample(gen.loader), dataset_loader = sample(gen.dataset_loader), text_loader = sample(gen.text_loader),
  hook = tensor.ones(1):requires_grad(true):register_hook(function() end),
}
for _, class in ipairs{ "tensor", "optimizer", "scheduler", "loader", "dataset_loader", "text_loader", "hook" } do
  local mt = getmetatable(samples[class])
  if type(mt.methods) == "table" then add_functions(mt.methods, class .. ":", class, {}) end
  if class:find("_loader") then add_functions(mt.__index, class .. ":", class, {}) end
  add_functions(mt, class .. " mt.", class, {})
end
-- Methods of nn modules: walk the __index chain of every module kind.
do
  local seen = {}
  for _, make in ipairs(module_makers) do
    local m = sample(make)
    local mt = getmetatable(m)
    while type(mt) == "table" and not seen[mt] do
      add_functions(mt, "module:", "module", seen)
      local idx = rawget(mt, "__index")
      if type(idx) ~= "table" or idx == mt then mt = getmetatable(mt) else mt = idx end
    end
  end
end

local selected = {}
for _, t in ipairs(targets) do
  if cfg.only == "" or t.name:find(cfg.only, 1, true) then selected[#selected + 1] = t end
end
assert(#selected > 0, "no target matches only=" .. cfg.only)

local self_makers = { tensor = gen.tensor, optimizer = gen.optimizer, scheduler = gen.scheduler,
                      loader = gen.loader, module = gen.module, dataset_loader = gen.dataset_loader,
                      text_loader = gen.text_loader,
                      hook = function() return tensor.ones(1):requires_grad(true):register_hook(function() end) end }

-- Calls -------------------------------------------------------------------------------------------

local function describe(v)
  local tv = type(v)
  if tv == "string" then return (string.format("%q", #v > 20 and v:sub(1, 20) .. "..." or v):gsub("\n", "n")) end
  if tv == "number" or tv == "boolean" or tv == "nil" then return tostring(v) end
  if tensor.is_tensor(v) then
    local ok, s = pcall(function() return "tensor[" .. table.concat(v:shape(), "x") .. "]" end)
    return ok and s or "tensor(?)"
  end
  if tv == "table" and nn.is_module(v) then return "module" end
  local mt = getmetatable(v)
  return (type(mt) == "table" and rawget(mt, "__name")) or tv
end

local stats = { ok = 0, err = 0 }
local counts = {}
for n = 1, cfg.calls do
  local target = selected[random(#selected)]
  local args, nargs = {}, random(0, 5)
  local okself = true
  if target.class then
    -- Mostly the right kind of self (so the call gets past the type check), sometimes not.
    if chance(0.85) then okself, args[1] = pcall(self_makers[target.class]) else args[1] = any() end
    if not okself then args[1] = nil end
    nargs = nargs + 1
    for i = 2, nargs do args[i] = any() end
  else
    for i = 1, nargs do args[i] = any() end
  end
  if cfg.trace ~= 0 then
    local parts = {}
    for i = 1, nargs do parts[i] = describe(args[i]) end
    io.stderr:write(string.format("fuzz %d: %s(%s)\n", n, target.name, table.concat(parts, ", ")))
    io.stderr:flush()
  end
  -- Finalizers that run during calls: garbage with __gc that calls descent, allocates and
  -- changes tables the pool holds (a GC step inside a binding may run them).
  if chance(0.05) then
    for _ = 1, random(1, 20) do
      setmetatable({}, { __gc = function()
        local victim = pool[random(math.max(#pool, 1))]
        if type(victim) == "table" and not nn.is_module(victim) then
          pcall(function() for k in pairs(victim) do victim[k] = nil end for i = 1, 50 do victim["k" .. i] = {} end end)
        end
        pcall(target.fn, table.unpack(args, 1, nargs))
        local junk = {} for i = 1, random(1, 1000) do junk[i] = string.rep("g", i % 50 + 41) end
        stats.junk = #junk     -- long strings: each one allocates
      end })
    end
    if chance(0.5) then collectgarbage(pick{ "step", "collect" }) end
  end
  local results
  if chance(0.15) then
    -- A coroutine context: the binding runs on the coroutine's lua_State, not the main one.
    results = table.pack(coroutine.wrap(function() return pcall(target.fn, table.unpack(args, 1, nargs)) end)())
  else
    results = table.pack(pcall(target.fn, table.unpack(args, 1, nargs)))
  end
  if results[1] then
    stats.ok = stats.ok + 1
    for i = 2, math.min(results.n, 4) do remember(results[i]) end
    -- Use what came back: print it, and run iterators once (loader:iter()).
    if results.n >= 2 then pcall(tostring, results[2]) end
    if type(results[2]) == "function" and target.name:find("iter", 1, true) then pcall(results[2]) end
  else
    stats.err = stats.err + 1
    if type(results[2]) ~= "string" and type(results[2]) ~= "table" then
      error(string.format("call %d (%s): error object is a %s", n, target.name, type(results[2])))
    end
  end
  counts[target.name] = (counts[target.name] or 0) + 1
  if n % 500 == 0 then collectgarbage() end
end

local covered, distinct = 0, {}
for _ in pairs(counts) do covered = covered + 1 end
for _, t in ipairs(selected) do distinct[t.name] = true end
local total = 0
for _ in pairs(distinct) do total = total + 1 end
print(string.format("fuzz: %d calls (%d returned, %d raised) over %d of %d targets, seed %d",
  cfg.calls, stats.ok, stats.err, covered, total, cfg.seed))
