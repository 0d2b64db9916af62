-- problems: optimizer test problems as tables {name, params, loss, evaluate, optimum, argmin}.
local problems = ...
local check_options = nn._check_options

-- Frames between a problem's builder and the script: builder -> make -> problems.<name> or
-- problems.build -> script. Errors about options are raised that many levels up, so they name the
-- script line.
local SCRIPT = 4

local function fail(level, fmt, ...)
  error(string.format(fmt, ...), level + 1)
end

local function describe(v)
  return type(v) == "number" and tostring(v) or type(v)
end

-- An integer option at least `min` (or its default when nil).
local function integer_option(level, owner, opts, key, default, min)
  local v = opts[key]
  if v == nil then return default end
  if math.type(v) ~= "integer" or v < min then
    fail(level + 1, "%s: option '%s' expected an integer >= %d, got %s", owner, key, min, describe(v))
  end
  return v
end

local function number_option(level, owner, opts, key, default, min)
  local v = opts[key]
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v or v < min then
    fail(level + 1, "%s: option '%s' expected a number >= %g, got %s", owner, key, min, describe(v))
  end
  return v
end

-- A starting point given as a table of `dim` numbers.
local function start_option(level, owner, start, dim)
  if #start ~= dim then
    fail(level + 1, "%s: option 'start' expected %d numbers, got %d", owner, dim, #start)
  end
  for i = 1, dim do
    if type(start[i]) ~= "number" then
      fail(level + 1, "%s: option 'start' expected numbers, got %s at position %d", owner, type(start[i]), i)
    end
  end
  return tensor.from(start):requires_grad(true)
end

-- Runs fn with the default generator seeded with `seed`, then restores the generator, so that a
-- problem is the same function of its seed wherever it is built and the script's own random
-- stream is not disturbed.
local function with_seed(seed, fn)
  local saved_seed, saved_offset = experiment._rng_state()
  tensor.manual_seed(seed)
  local ok, result = pcall(fn)
  experiment._set_rng_state(saved_seed, saved_offset)
  if not ok then error(result, 0) end
  return result
end

-- An endless supply of minibatches: the next batch of the loader, starting a new epoch (a new
-- shuffle) when one ends.
local function batch_stream(loader)
  local it
  return function()
    if it ~= nil then
      local xb, yb = it()
      if xb ~= nil then return xb, yb end
    end
    it = loader:iter()
    return it()
  end
end

-- The fields every deterministic problem shares: `evaluate` reports f(θ), its gap to f* and the
-- distance to the minimiser.
local function deterministic(name, x, f, optimum, argmin)
  return {
    name = name, params = { x }, optimum = optimum, argmin = argmin,
    loss = function() return f(x) end,
    evaluate = function()
      return autograd.no_grad(function()
        local value = f(x):item()
        return { loss = value, gap = value - optimum, distance = (x - argmin):norm():item() }
      end)
    end,
  }
end

local builders = {}

--- problems.rosenbrock{dim = 2, start = {-1.2, 1, -1.2, ...}}
--- f(x) = Σ_{i<n} 100 (x_{i+1} − x_i²)² + (1 − x_i)²; f* = 0 at (1, …, 1).
function builders.rosenbrock(opts)
  local owner = "problems.rosenbrock"
  check_options(SCRIPT, owner, opts, { dim = "number", start = "table" })
  local start = opts.start
  if opts.dim == nil and start ~= nil and #start < 2 then
    fail(SCRIPT, "%s: option 'start' expected at least 2 numbers, got %d", owner, #start)
  end
  local dim = integer_option(SCRIPT, owner, opts, "dim", start and #start or 2, 2)
  if start == nil then
    start = {}
    for i = 1, dim do start[i] = (i % 2 == 1) and -1.2 or 1 end
  end
  local x = start_option(SCRIPT, owner, start, dim)
  local function f(v)
    local head, tail = v:narrow(1, 1, dim - 1), v:narrow(1, 2, dim - 1)
    return ((tail - head:square()):square() * 100 + (1 - head):square()):sum()
  end
  return deterministic("rosenbrock", x, f, 0, tensor.ones(dim))
end

--- problems.beale{start = {1, 1}}
--- f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; f* = 0 at (3, 0.5).
function builders.beale(opts)
  local owner = "problems.beale"
  check_options(SCRIPT, owner, opts, { start = "table" })
  local x = start_option(SCRIPT, owner, opts.start or { 1, 1 }, 2)
  local function f(v)
    local a, b = v:narrow(1, 1, 1), v:narrow(1, 2, 1)
    local ab = a * b
    return ((1.5 - a + ab):square() + (2.25 - a + ab * b):square() + (2.625 - a + ab * b * b):square()):sum()
  end
  return deterministic("beale", x, f, 0, tensor.from{ 3, 0.5 })
end

-- A uniformly (Haar) distributed random orthogonal matrix: the rows of a Gaussian matrix
-- orthonormalised by Gram-Schmidt, each projected twice ("twice is enough") to stay orthogonal
-- to float32 precision.
local function random_rotation(n)
  local g = tensor.randn(n, n)
  local r = tensor.zeros(n, n)
  for i = 1, n do
    local v = g[i]
    if i > 1 then
      local done = r:narrow(1, 1, i - 1)
      for _ = 1, 2 do v = v - done:t():matmul(done:matmul(v)) end
    end
    r[i] = v / v:norm()
  end
  return r
end

--- problems.quadratic{dim = 100, seed = 42, noise = 0, batch_size = 128}
--- DeepOBS quadratic_deep: f(θ) = ½ θᵀQθ, Q = RᵀDR with R a random rotation and D 90 % uniform in
--- [0, 1], 10 % in [30, 60]; θ starts at (1, …, 1); f* = 0 at 0. With noise > 0, each loss call
--- is the mean of ½ (θ − x)ᵀQ(θ − x) over a minibatch of a fixed set of 1000 x ~ N(0, noise² I).
function builders.quadratic(opts)
  local owner = "problems.quadratic"
  check_options(SCRIPT, owner, opts, { dim = "number", seed = "number", noise = "number", batch_size = "number" })
  local dim = integer_option(SCRIPT, owner, opts, "dim", 100, 2)
  local seed = integer_option(SCRIPT, owner, opts, "seed", 42, 0)
  local noise = number_option(SCRIPT, owner, opts, "noise", 0, 0)
  local batch_size = integer_option(SCRIPT, owner, opts, "batch_size", 128, 1)
  local large = math.floor(dim / 10 + 0.5)
  local spec = with_seed(seed, function()
    local eigenvalues = tensor.cat({ tensor.rand(dim - large), tensor.rand(large) * 30 + 30 }, 1)
    local rotation = random_rotation(dim)
    local q = (rotation:t() * eigenvalues):matmul(rotation)
    local points = noise > 0 and tensor.randn(1000, dim) * noise or nil
    return { eigenvalues = eigenvalues, rotation = rotation, hessian = (q + q:t()) / 2, points = points }
  end)
  local q = spec.hessian
  local theta = tensor.ones(dim):requires_grad(true)
  local function f(v) return v:dot(q:matmul(v)) * 0.5 end
  local p = deterministic("quadratic", theta, f, 0, tensor.zeros(dim))
  p.hessian, p.eigenvalues, p.rotation = q, spec.eigenvalues, spec.rotation
  if noise > 0 then
    local loader = data.loader(spec.points, { batch_size = batch_size, shuffle = true, drop_last = true, seed = seed })
    local next_batch = batch_stream(loader)
    p.steps_per_epoch = #loader
    p.loss = function()
      local d = theta - next_batch()
      return (d:matmul(q) * d):sum() * (0.5 / d:size(1))
    end
  end
  return p
end

-- MNIST (x scaled to [0, 1], 1-based labels) and a shuffled minibatch stream over its train part.
local function mnist_stream(level, owner, opts, default_batch)
  local path = opts.data or "data/mnist5k"
  local batch_size = integer_option(level + 1, owner, opts, "batch_size", default_batch, 1)
  local seed = opts.seed
  if seed ~= nil and math.type(seed) ~= "integer" then
    fail(level + 1, "%s: option 'seed' expected an integer, got %s", owner, describe(seed))
  end
  seed = seed or experiment.seed()
  local m = data.mnist(path)
  local loader = data.loader(m.train.x, m.train.y, { batch_size = batch_size, shuffle = true, seed = seed })
  return m, batch_stream(loader), #loader, seed
end

-- The fields a classifier problem shares: `loss` on the next minibatch; `evaluate` on the whole
-- train and test sets (mean cross-entropy and accuracy, without recording).
local function classifier(name, forward, params, m, next_batch, steps_per_epoch)
  local function metrics(x, y)
    local logits = forward(x)
    return nn.cross_entropy(logits, y):item(), logits:argmax(-1):eq(y):mean():item()
  end
  return {
    name = name, params = params, steps_per_epoch = steps_per_epoch,
    loss = function()
      local xb, yb = next_batch()
      return nn.cross_entropy(forward(xb), yb)
    end,
    evaluate = function()
      return autograd.no_grad(function()
        local train_loss, train_accuracy = metrics(m.train.x, m.train.y)
        local test_loss, test_accuracy = metrics(m.test.x, m.test.y)
        return { train_loss = train_loss, train_accuracy = train_accuracy,
                 test_loss = test_loss, test_accuracy = test_accuracy }
      end)
    end,
  }
end

--- problems.logistic_regression{data = "data/mnist5k", batch_size = 128, seed = <run seed>}
--- Multinomial logistic regression 784 → 10 (softmax cross-entropy), weights and bias start at 0.
function builders.logistic_regression(opts)
  local owner = "problems.logistic_regression"
  check_options(SCRIPT, owner, opts, { data = "string", batch_size = "number", seed = "number" })
  local m, next_batch, steps = mnist_stream(SCRIPT, owner, opts, 128)
  local features = m.train.x:size(2)
  local weight = tensor.zeros(features, 10):requires_grad(true)
  local bias = tensor.zeros(10):requires_grad(true)
  local p = classifier("logistic_regression", function(x) return x:matmul(weight) + bias end,
    { weight, bias }, m, next_batch, steps)
  return p
end

--- problems.mlp{data = "data/mnist5k", hidden = {256}, batch_size = 64, seed = <run seed>}
--- A ReLU MLP 784 → hidden... → 10 (nn.Linear's default init drawn from `seed`).
function builders.mlp(opts)
  local owner = "problems.mlp"
  check_options(SCRIPT, owner, opts, { data = "string", hidden = "size", batch_size = "number", seed = "number" })
  local hidden = opts.hidden or { 256 }
  if type(hidden) == "number" then hidden = { hidden } end
  for i, h in ipairs(hidden) do
    if math.type(h) ~= "integer" or h < 1 then
      fail(SCRIPT, "%s: option 'hidden' expected positive integers, got %s at position %d", owner, describe(h), i)
    end
  end
  local m, next_batch, steps, seed = mnist_stream(SCRIPT, owner, opts, 64)
  local model = with_seed(seed, function()
    local layers, width = {}, m.train.x:size(2)
    for _, h in ipairs(hidden) do
      layers[#layers + 1] = nn.Linear(width, h)
      layers[#layers + 1] = nn.ReLU()
      width = h
    end
    layers[#layers + 1] = nn.Linear(width, 10)
    return nn.Sequential(layers)
  end)
  local function forward(x) return model(x) end
  local p = classifier("mlp", forward, model:parameters(), m, next_batch, steps)
  p.model = model
  return p
end

local names = { "rosenbrock", "beale", "quadratic", "logistic_regression", "mlp" }

-- Builds a problem; both public entry points call this, so builders sit SCRIPT frames below the
-- script either way (no tail calls: they would drop a frame).
local function make(name, opts)
  local p = builders[name](opts or {})
  return p
end

for _, name in ipairs(names) do
  problems[name] = function(opts)
    local p = make(name, opts)
    return p
  end
end

--- problems.names() -> {"rosenbrock", "beale", "quadratic", "logistic_regression", "mlp"}
function problems.names()
  return table.move(names, 1, #names, 1, {})
end

--- problems.build(name, opts): the problem called `name` (case-insensitive; "-" may stand for "_").
function problems.build(name, opts)
  if type(name) ~= "string" then fail(2, "problems.build: argument 1 expected a problem name, got %s", type(name)) end
  local key = name:lower():gsub("-", "_")
  if builders[key] == nil then
    fail(2, "problems.build: unknown problem '%s' (valid: %s)", name, table.concat(names, ", "))
  end
  local p = make(key, opts)
  return p
end

return problems
