-- The `descent bench` entries measured from Lua (their summaries are in BenchCommand.swift): the
-- cost of a call from Lua into Swift and of a small training step. Each entry's `setup` builds its state and returns
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

return { entries = entries, measure = measure }
