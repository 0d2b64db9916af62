-- The `descent bench` entries measured from Lua (their summaries are in BenchCommand.swift): the
-- cost of a call from Lua into Swift, of a small training step, and of a Hessian-vector product against one
-- forward+backward of a 784-512-512-10 MLP. Each entry's `setup` builds its state and returns
-- the body to time; BenchCommand subtracts the time of an empty body's loop.
local function time_loop(iterations, body)
  local clock = experiment.clock
  local start = clock()
  for _ = 1, iterations do body() end
  return clock() - start
end

local entries = {
  {
    name = "lua_call", iterations = 200000,
    setup = function()
      local a, b = tensor.ones(2), tensor.ones(2)
      return function() local _ = a:add(b) end
    end,
  },
  {
    name = "lua_index", iterations = 1000000,
    setup = function()
      local a = tensor.ones(2)
      return function() local _ = a:dim() end
    end,
  },
  {
    name = "train_step", iterations = 2000,
    setup = function()
      local model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
      local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
      local x, y = tensor.randn(32, 64), tensor.randint(1, 11, { 32 })
      return function()
        local loss = nn.cross_entropy(model(x), y)
        opt:zero_grad()
        loss:backward()
        opt:step()
      end
    end,
  },
}

-- The 784-512-512-10 ReLU MLP of mlp_fwd_bwd and mlp_hvp as a function of its parameters P (with
-- directions V for the product), on a fixed batch of 128.
local function mlp()
  tensor.manual_seed(1)
  local x, y = tensor.randn(128, 784), tensor.randint(1, 11, { 128 })
  local P, V = {}, {}
  for i, s in ipairs({ { 512, 784 }, { 512 }, { 512, 512 }, { 512 }, { 10, 512 }, { 10 } }) do
    P[i] = (tensor.randn(s) * 0.03):requires_grad(true)
    V[i] = tensor.randn(s)
  end
  local F = nn.functional
  local function f(w1, b1, w2, b2, w3, b3)
    local h = F.linear(x, w1, b1):relu()
    h = F.linear(h, w2, b2):relu()
    return nn.cross_entropy(F.linear(h, w3, b3), y)
  end
  return f, P, V
end

entries[#entries + 1] = {
  name = "mlp_fwd_bwd", iterations = 10,
  setup = function()
    local f, P = mlp()
    return function() local _ = autograd.grad(f(P[1], P[2], P[3], P[4], P[5], P[6]), P) end
  end,
}
entries[#entries + 1] = {
  name = "mlp_hvp", iterations = 10,
  setup = function()
    local f, P, V = mlp()
    return function() local _, _ = autograd.hvp(f, P, V) end
  end,
}

-- Seconds per iteration of entry `name`'s body, minus an empty body's loop (median of `repeats`).
local function measure(name, repeats)
  for _, e in ipairs(entries) do
    if e.name == name then
      local body, empty = e.setup(), function() end
      local times = {}
      time_loop(e.iterations, body)  -- warm-up
      for r = 1, repeats do
        times[r] = time_loop(e.iterations, body) - time_loop(e.iterations, empty)
      end
      table.sort(times)
      return math.max(times[(repeats + 1) // 2], 0) / e.iterations
    end
  end
  error("bench: no Lua benchmark '" .. tostring(name) .. "'")
end

-- mlp_hvp over mlp_fwd_bwd, measured in alternation so that both see the same load on a shared
-- machine: per round, one loop of each (empty loop subtracted); the median of the round ratios,
-- and the median seconds per Hessian-vector product.
local function hvp_ratio(repeats)
  local f, P, V = mlp()
  local fwd_bwd = function() local _ = autograd.grad(f(P[1], P[2], P[3], P[4], P[5], P[6]), P) end
  local hvp = function() local _, _ = autograd.hvp(f, P, V) end
  local empty, n = function() end, 5
  time_loop(n, fwd_bwd)
  time_loop(n, hvp)
  local ratios, times = {}, {}
  for r = 1, repeats do
    local base = time_loop(n, empty)
    local a = time_loop(n, fwd_bwd) - base
    local b = time_loop(n, hvp) - base
    ratios[r], times[r] = b / math.max(a, 1e-12), b / n
  end
  table.sort(ratios)
  table.sort(times)
  return ratios[(repeats + 1) // 2], times[(repeats + 1) // 2]
end

return { entries = entries, measure = measure, hvp_ratio = hvp_ratio }
