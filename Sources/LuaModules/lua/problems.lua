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

--- problems.mnist_cnn{data = "data/mnist5k", batch_size = 64, seed = <run seed>}
--- The small CNN of scripts/examples/mnist_cnn.lua: conv 5×5 (8) → ReLU → max-pool 2 → conv 5×5
--- (16) → ReLU → max-pool 2 → linear 256 → 10, on the images as 1×28×28.
function builders.mnist_cnn(opts)
  local owner = "problems.mnist_cnn"
  check_options(SCRIPT, owner, opts, { data = "string", batch_size = "number", seed = "number" })
  local m, next_batch, steps, seed = mnist_stream(SCRIPT, owner, opts, 64)
  local model = with_seed(seed, function()
    return nn.Sequential(
      nn.Conv2d(1, 8, 5), nn.ReLU(), nn.MaxPool2d(2),
      nn.Conv2d(8, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(), nn.Linear(256, 10))
  end)
  local function forward(x) return model(x:view(-1, 1, 28, 28)) end
  local p = classifier("mnist_cnn", forward, model:parameters(), m, next_batch, steps)
  p.model = model
  return p
end

-- Models for the neural-network problems ---------------------------------------------------------

-- The run seed, or the integer option `seed`.
local function seed_option(level, owner, opts)
  local seed = opts.seed
  if seed ~= nil and math.type(seed) ~= "integer" then
    fail(level + 1, "%s: option 'seed' expected an integer, got %s", owner, describe(seed))
  end
  return seed or experiment.seed()
end

-- GPT-2's initialisation (as nanoGPT): N(0, 0.02) for every matrix (linear and embedding
-- weights), N(0, 0.02 / √(2 · layers)) for the projections into the residual stream, zero
-- biases. Parameters are visited in name order, so the draws do not depend on table order.
local function gpt_init(model, layers)
  local named = model:named_parameters()
  local keys = {}
  for k in pairs(named) do keys[#keys + 1] = k end
  table.sort(keys)
  autograd.no_grad(function()
    for _, k in ipairs(keys) do
      local p = named[k]
      if p:dim() == 2 then
        local std = k:match("c_proj%.weight$") and 0.02 / math.sqrt(2 * layers) or 0.02
        nn.init.normal_(p, 0, std)
      elseif k:match("%.bias$") and not k:match("^ln") and not k:match("%.ln_") then
        nn.init.zeros_(p)
      end
    end
  end)
end

-- Multi-head causal self-attention (nanoGPT's CausalSelfAttention): one projection to q, k, v,
-- then scaled_dot_product_attention with is_causal, which runs the fused attention kernel.
local CausalSelfAttention = nn.Module{
  name = "CausalSelfAttention",
  init = function(self, d, heads)
    self.n_head = heads
    self.c_attn = nn.Linear(d, 3 * d)
    self.c_proj = nn.Linear(d, d)
  end,
  forward = function(self, x)
    local B, T, C = x:size(1), x:size(2), x:size(3)
    local H = self.n_head
    local hd = C // H
    local qkv = self.c_attn(x)
    local function heads(t) return t:reshape(B, T, H, hd):permute(1, 3, 2, 4) end
    local q, k, v = heads(qkv:narrow(3, 1, C)), heads(qkv:narrow(3, C + 1, C)), heads(qkv:narrow(3, 2 * C + 1, C))
    local y = nn.functional.scaled_dot_product_attention(q, k, v, { is_causal = true })
    y = y:permute(1, 3, 2, 4):reshape(B, T, C)
    return self.c_proj(y)
  end,
}

local MLP = nn.Module{
  name = "MLP",
  init = function(self, d)
    self.c_fc = nn.Linear(d, 4 * d)
    self.c_proj = nn.Linear(4 * d, d)
  end,
  forward = function(self, x) return self.c_proj(self.c_fc(x):gelu()) end,
}

-- A pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x)).
local Block = nn.Module{
  name = "Block",
  init = function(self, d, heads)
    self.ln_1 = nn.LayerNorm(d)
    self.attn = CausalSelfAttention(d, heads)
    self.ln_2 = nn.LayerNorm(d)
    self.mlp = MLP(d)
  end,
  forward = function(self, x)
    x = x + self.attn(self.ln_1(x))
    return x + self.mlp(self.ln_2(x))
  end,
}

-- A small GPT: token and position embeddings, `layers` pre-norm causal blocks, a final
-- LayerNorm and a head that is the token embedding itself when `tied`.
local GPT = nn.Module{
  name = "GPT",
  init = function(self, vocab, block_size, d, layers, heads, tied)
    self.vocab_size, self.block_size, self.tied = vocab, block_size, tied
    self.wte = nn.Embedding(vocab, d)
    self.wpe = nn.Embedding(block_size, d)
    local blocks = {}
    for i = 1, layers do blocks[i] = Block(d, heads) end
    self.h = nn.Sequential(blocks)
    self.ln_f = nn.LayerNorm(d)
    if not tied then self.lm_head = nn.Linear(d, vocab, { bias = false }) end
  end,
  -- idx [B, T] token ids (T <= block_size) -> logits [B, T, vocab]
  forward = function(self, idx)
    local B, T = idx:size(1), idx:size(2)
    local x = self.wte(idx) + self.wpe(tensor.arange(1, T + 1))
    for i = 1, #self.h do x = self.h[i](x) end
    x = self.ln_f(x):reshape(B * T, -1)
    local logits = nn.functional.linear(x, self.tied and self.wte.weight or self.lm_head.weight)
    return logits:reshape(B, T, self.vocab_size)
  end,
}

local CharLSTM = nn.Module{
  name = "CharLSTM",
  init = function(self, vocab, d, hidden, layers)
    self.vocab_size = vocab
    self.embedding = nn.Embedding(vocab, d)
    self.lstm = nn.LSTM(d, hidden, { num_layers = layers, batch_first = true })
    self.head = nn.Linear(hidden, vocab)
  end,
  forward = function(self, idx)
    local B, T = idx:size(1), idx:size(2)
    local out = self.lstm(self.embedding(idx))
    return self.head(out:reshape(B * T, -1)):reshape(B, T, self.vocab_size)
  end,
}

-- Options shared by the character-level problems.
local char_options = {
  block_size = "number", batch_size = "number", seed = "number", eval_batches = "number",
  text = "string", val_fraction = "number",
}

-- The corpus: tinyshakespeare, or data.text(opts.text).
local function corpus_option(opts)
  if opts.text ~= nil then return data.text(opts.text, { val_fraction = opts.val_fraction }) end
  return data.tinyshakespeare{ val_fraction = opts.val_fraction }
end

-- Samples `n` characters from a character model, one at a time, feeding back at most
-- `block_size` characters; draws come from the default generator (seeded by --seed).
local function sampler(model, corpus, block_size)
  return function(n, opts)
    opts = opts or {}
    local temperature = opts.temperature or 1
    local ids = corpus.encode(opts.prompt or "\n"):totable()
    local first = #ids + 1
    local was_training = model.training
    model:eval()
    autograd.no_grad(function()
      for _ = 1, n do
        local start = math.max(1, #ids - block_size + 1)
        local ctx = tensor.from(table.move(ids, start, #ids, 1, {}))
        local logits = model(ctx:view(1, -1))
        local probs = (logits[1][ctx:numel()] / temperature):softmax(1):totable()
        local u, pick = tensor.rand(1):item(), #probs
        for k, q in ipairs(probs) do
          u = u - q
          if u < 0 then pick = k; break end
        end
        ids[#ids + 1] = pick
      end
    end)
    if was_training then model:train() end
    return corpus.decode(tensor.from(table.move(ids, first, #ids, 1, {})))
  end
end

-- loss/evaluate/sample for a character model over a corpus.
local function char_problem(name, model, corpus, opts, owner, seed)
  local T = integer_option(SCRIPT + 1, owner, opts, "block_size", 64, 1)
  local B = integer_option(SCRIPT + 1, owner, opts, "batch_size", 32, 1)
  local eval_batches = integer_option(SCRIPT + 1, owner, opts, "eval_batches", 8, 1)
  local loader = data.text_loader(corpus.train, { block_size = T, batch_size = B, seed = seed })
  local V = corpus.vocab_size
  local function batch_loss(x, y)
    return nn.cross_entropy(model(x):reshape(x:numel(), V), y:reshape(x:numel()))
  end
  -- Fixed evaluation batches (the same at every call): windows drawn with seed + 1.
  local function mean_loss(ids)
    local l = data.text_loader(ids, { block_size = T, batch_size = B, seed = seed + 1 })
    local total = 0
    for k = 1, eval_batches do total = total + batch_loss(l:batch(k)):item() end
    return total / eval_batches
  end
  return {
    name = name, model = model, params = model:parameters(), data = corpus, loader = loader,
    steps_per_epoch = #loader,
    loss = function() return batch_loss(loader:next()) end,
    evaluate = function()
      local was_training = model.training
      model:eval()
      local r = autograd.no_grad(function()
        return { train_loss = mean_loss(corpus.train), val_loss = mean_loss(corpus.val) }
      end)
      if was_training then model:train() end
      return r
    end,
    sample = sampler(model, corpus, T),
  }
end

--- problems.char_transformer{n_layer = 2, n_head = 4, n_embd = 64, block_size = 64, batch_size = 32,
--- tied = false, eval_batches = 8, text = <tinyshakespeare>, val_fraction = 0.1, seed = <run seed>}
--- A small GPT on characters (nanoGPT's shakespeare_char, scaled down).
function builders.char_transformer(opts)
  local owner = "problems.char_transformer"
  local spec = { n_layer = "number", n_head = "number", n_embd = "number", tied = "boolean" }
  for k, v in pairs(char_options) do spec[k] = v end
  check_options(SCRIPT, owner, opts, spec)
  local layers = integer_option(SCRIPT, owner, opts, "n_layer", 2, 1)
  local heads = integer_option(SCRIPT, owner, opts, "n_head", 4, 1)
  local d = integer_option(SCRIPT, owner, opts, "n_embd", 64, 1)
  if d % heads ~= 0 then fail(SCRIPT, "%s: n_embd (%d) must be a multiple of n_head (%d)", owner, d, heads) end
  local T = integer_option(SCRIPT, owner, opts, "block_size", 64, 1)
  local seed = seed_option(SCRIPT, owner, opts)
  local corpus = corpus_option(opts)
  local model = with_seed(seed, function()
    local m = GPT(corpus.vocab_size, T, d, layers, heads, opts.tied == true)
    gpt_init(m, layers)
    return m
  end)
  return char_problem("char_transformer", model, corpus, opts, owner, seed)
end

--- problems.char_lstm{hidden = 128, num_layers = 2, embedding = 64, block_size = 50, batch_size = 32,
--- eval_batches = 8, text = <tinyshakespeare>, val_fraction = 0.1, seed = <run seed>}
--- DeepOBS's tolstoi_char_rnn on tinyshakespeare: embedding, LSTM, linear head.
function builders.char_lstm(opts)
  local owner = "problems.char_lstm"
  local spec = { hidden = "number", num_layers = "number", embedding = "number" }
  for k, v in pairs(char_options) do spec[k] = v end
  check_options(SCRIPT, owner, opts, spec)
  local hidden = integer_option(SCRIPT, owner, opts, "hidden", 128, 1)
  local layers = integer_option(SCRIPT, owner, opts, "num_layers", 2, 1)
  local d = integer_option(SCRIPT, owner, opts, "embedding", 64, 1)
  local seed = seed_option(SCRIPT, owner, opts)
  local corpus = corpus_option(opts)
  if opts.block_size == nil then opts = setmetatable({ block_size = 50 }, { __index = opts }) end
  local model = with_seed(seed, function() return CharLSTM(corpus.vocab_size, d, hidden, layers) end)
  return char_problem("char_lstm", model, corpus, opts, owner, seed)
end

-- A ResNet basic block: conv3x3-BN-ReLU-conv3x3-BN plus the input (through a 1x1 conv and BN
-- when the shape changes), then ReLU.
local BasicBlock = nn.Module{
  name = "BasicBlock",
  init = function(self, cin, cout, stride)
    self.conv1 = nn.Conv2d(cin, cout, 3, { stride = stride, padding = 1, bias = false })
    self.bn1 = nn.BatchNorm2d(cout)
    self.conv2 = nn.Conv2d(cout, cout, 3, { padding = 1, bias = false })
    self.bn2 = nn.BatchNorm2d(cout)
    if stride ~= 1 or cin ~= cout then
      self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, { stride = stride, bias = false }), nn.BatchNorm2d(cout))
    end
  end,
  forward = function(self, x)
    local out = self.bn1(self.conv1(x)):relu()
    out = self.bn2(self.conv2(out))
    return (out + (self.shortcut and self.shortcut(x) or x)):relu()
  end,
}

-- A small ResNet for 28x28 grey images: a 3x3 stem, three stages of `blocks` basic blocks with
-- widths w, 2w, 4w (the last two halve the resolution), global average pooling, a linear head.
local ResNet = nn.Module{
  name = "ResNet",
  init = function(self, width, blocks, classes)
    self.conv1 = nn.Conv2d(1, width, 3, { padding = 1, bias = false })
    self.bn1 = nn.BatchNorm2d(width)
    local layers, cin = {}, width
    for stage, mult in ipairs({ 1, 2, 4 }) do
      for b = 1, blocks do
        local stride = (stage > 1 and b == 1) and 2 or 1
        layers[#layers + 1] = BasicBlock(cin, width * mult, stride)
        cin = width * mult
      end
    end
    self.layers = nn.Sequential(layers)
    self.fc = nn.Linear(cin, classes)
  end,
  forward = function(self, x)
    if x:dim() == 2 then x = x:view(-1, 1, 28, 28) end
    x = self.layers(self.bn1(self.conv1(x)):relu())
    return self.fc(x:mean(4):mean(3))
  end,
}

--- problems.resnet_fashion{data = "/usr/share/datasets/fashion-mnist", width = 16, blocks = 1,
--- batch_size = 128, augment = false, train_size = <all>, eval_size = <all>, seed = <run seed>}
--- A small ResNet on Fashion-MNIST (BatchNorm, global average pooling).
function builders.resnet_fashion(opts)
  local owner = "problems.resnet_fashion"
  check_options(SCRIPT, owner, opts, { data = "string", width = "number", blocks = "number", batch_size = "number",
    augment = "boolean", train_size = "number", eval_size = "number", seed = "number" })
  local width = integer_option(SCRIPT, owner, opts, "width", 16, 1)
  local blocks = integer_option(SCRIPT, owner, opts, "blocks", 1, 1)
  local batch_size = integer_option(SCRIPT, owner, opts, "batch_size", 128, 1)
  local train_size = integer_option(SCRIPT, owner, opts, "train_size", math.maxinteger, 1)
  local eval_size = integer_option(SCRIPT, owner, opts, "eval_size", math.maxinteger, 1)
  local seed = seed_option(SCRIPT, owner, opts)
  local m = data.fashion_mnist(opts.data)
  local x = m.train.x:view(-1, 1, 28, 28)
  local y = m.train.y
  if train_size < x:size(1) then x, y = x:narrow(1, 1, train_size), y:narrow(1, 1, train_size) end
  local tx, ty = m.test.x:view(-1, 1, 28, 28), m.test.y
  if eval_size < tx:size(1) then tx, ty = tx:narrow(1, 1, eval_size), ty:narrow(1, 1, eval_size) end
  local loader
  if opts.augment then
    local t = data.transforms
    loader = data.loader(data.dataset(x, y), { batch_size = batch_size, shuffle = true, seed = seed,
      transform = t.compose{ t.random_crop(28, { padding = 2 }), t.horizontal_flip() } })
  else
    loader = data.loader(x, y, { batch_size = batch_size, shuffle = true, seed = seed })
  end
  local next_batch = batch_stream(loader)
  local model = with_seed(seed, function() return ResNet(width, blocks, #m.classes) end)
  return {
    name = "resnet_fashion", model = model, params = model:parameters(), data = m, loader = loader,
    steps_per_epoch = #loader,
    loss = function()
      local xb, yb = next_batch()
      return nn.cross_entropy(model(xb), yb)
    end,
    evaluate = function()
      local was_training = model.training
      model:eval()
      local total, correct, n = 0, 0, tx:size(1)
      autograd.no_grad(function()
        for start = 1, n, 500 do
          local len = math.min(500, n - start + 1)
          local xb, yb = tx:narrow(1, start, len), ty:narrow(1, start, len)
          local logits = model(xb)
          total = total + nn.cross_entropy(logits, yb):item() * len
          correct = correct + logits:argmax(-1):eq(yb):sum():item()
        end
      end)
      if was_training then model:train() end
      return { test_loss = total / n, test_accuracy = correct / n }
    end,
  }
end

-- Embeddings of a and b, concatenated, through a ReLU MLP to p logits.
local ModularMLP = nn.Module{
  name = "ModularMLP",
  init = function(self, p, d, hidden)
    self.embed = nn.Embedding(p, d)
    self.fc1 = nn.Linear(2 * d, hidden)
    self.fc2 = nn.Linear(hidden, p)
  end,
  forward = function(self, x)
    return self.fc2(self.fc1(self.embed(x):reshape(x:size(1), -1)):relu())
  end,
}

--- problems.modular_addition{p = 97, op = "+", train_fraction = 0.3, model = "mlp", d_model = 128,
--- hidden = 512, n_layer = 1, n_head = 4, batch_size = 512, seed = <run seed>}
--- Grokking (Power et al. 2022): learn a op b mod p from a fraction of the table; `model` is
--- "mlp" (embeddings + MLP) or "transformer" (a causal GPT on "a b =", predicting at "=").
function builders.modular_addition(opts)
  local owner = "problems.modular_addition"
  check_options(SCRIPT, owner, opts, { p = "number", op = "string", train_fraction = "number", model = "string",
    d_model = "number", hidden = "number", n_layer = "number", n_head = "number", batch_size = "number", seed = "number" })
  local kind = opts.model or "mlp"
  if kind ~= "mlp" and kind ~= "transformer" then
    fail(SCRIPT, "%s: option 'model' expected \"mlp\" or \"transformer\", got %s", owner,
      type(kind) == "string" and string.format("%q", kind) or describe(kind))
  end
  local d = integer_option(SCRIPT, owner, opts, "d_model", 128, 1)
  local hidden = integer_option(SCRIPT, owner, opts, "hidden", 512, 1)
  local layers = integer_option(SCRIPT, owner, opts, "n_layer", 1, 1)
  local heads = integer_option(SCRIPT, owner, opts, "n_head", 4, 1)
  if kind == "transformer" and d % heads ~= 0 then
    fail(SCRIPT, "%s: d_model (%d) must be a multiple of n_head (%d)", owner, d, heads)
  end
  local batch_size = integer_option(SCRIPT, owner, opts, "batch_size", 512, 1)
  local seed = seed_option(SCRIPT, owner, opts)
  local ds = data.modular_arithmetic{ p = opts.p, op = opts.op, train_fraction = opts.train_fraction, seed = seed }
  local p = ds.p
  local model = with_seed(seed, function()
    if kind == "mlp" then return ModularMLP(p, d, hidden) end
    local m = GPT(p + 1, 3, d, layers, heads, false)
    gpt_init(m, layers)
    return m
  end)
  local forward = function(x) return model(x) end
  if kind == "transformer" then
    -- Sequences "a b =" with "=" as token p + 1; the prediction is read at the last position.
    forward = function(x)
      local seq = tensor.cat({ x, tensor.full({ x:size(1), 1 }, p + 1) }, 2)
      return model(seq):select(2, 3)
    end
  end
  local loader = data.loader(ds.train.x, ds.train.y, { batch_size = math.min(batch_size, ds.train.x:size(1)),
    shuffle = true, seed = seed })
  local next_batch = batch_stream(loader)
  local function metrics(x, y)
    local logits = forward(x)
    return nn.cross_entropy(logits, y):item(), logits:argmax(-1):eq(y):mean():item()
  end
  return {
    name = "modular_addition", model = model, params = model:parameters(), data = ds, loader = loader,
    steps_per_epoch = #loader,
    loss = function()
      local xb, yb = next_batch()
      return nn.cross_entropy(forward(xb), yb)
    end,
    evaluate = function()
      return autograd.no_grad(function()
        local train_loss, train_accuracy = metrics(ds.train.x, ds.train.y)
        local val_loss, val_accuracy = metrics(ds.val.x, ds.val.y)
        return { train_loss = train_loss, train_accuracy = train_accuracy,
                 val_loss = val_loss, val_accuracy = val_accuracy }
      end)
    end,
  }
end

local names = { "rosenbrock", "beale", "quadratic", "logistic_regression", "mlp", "mnist_cnn", "char_transformer",
  "char_lstm", "resnet_fashion", "modular_addition" }

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

--- problems.names() -> {"rosenbrock", "beale", "quadratic", "logistic_regression", "mlp", "mnist_cnn", ...}
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
