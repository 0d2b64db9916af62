-- Shared by the scripts/bench/*.lua benchmarks: medians and the JSON line each prints, the
-- format scripts/bench/torch_bench.py prints too ({"name": ..., "seconds": ...}).
local M = {}

--- Median of an array of numbers.
function M.median(xs)
  local s = {}
  for i, x in ipairs(xs) do s[i] = x end
  table.sort(s)
  local n = #s
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

--- Prints one result line: {"name": "mlp64_step", "seconds": 1.2e-4, "threads": 2}.
function M.emit(name, seconds, threads)
  print(string.format('{"name": "%s", "seconds": %.9g, "threads": %d}', name, seconds, threads or 0))
end

--- Median seconds per call of `fn` over `blocks` blocks of `steps` calls, after `warmup` calls.
function M.per_call(fn, blocks, steps, warmup)
  for _ = 1, warmup do fn() end
  local times = {}
  for b = 1, blocks do
    local t0 = experiment.clock()
    for _ = 1, steps do fn() end
    times[b] = (experiment.clock() - t0) / steps
  end
  return M.median(times)
end

--- Parses "784,512,10" into {784, 512, 10}.
function M.sizes(spec)
  local out = {}
  for n in spec:gmatch("%d+") do out[#out + 1] = tonumber(n) end
  return out
end

--- nn.Sequential of Linear layers with ReLU between them, e.g. sizes {64, 32, 10}.
function M.mlp(sizes)
  local layers = {}
  for i = 1, #sizes - 1 do
    layers[#layers + 1] = nn.Linear(sizes[i], sizes[i + 1])
    if i < #sizes - 1 then layers[#layers + 1] = nn.ReLU() end
  end
  return nn.Sequential(layers)
end

--- Wall time of `epochs` epochs of Adam 1e-3, batch 64, shuffled each epoch, on (x, y): the
--- loop of scripts/examples/mnist_mlp.lua without the evaluation.
function M.train_loop(model, x, y, epochs, batch_size)
  local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
  local loader = data.loader(x, y, { batch_size = batch_size or 64, shuffle = true, drop_last = false })
  local t0 = experiment.clock()
  for _ = 1, epochs do
    local total = 0
    for xb, yb in loader:iter() do
      local loss = nn.cross_entropy(model(xb), yb)
      opt:zero_grad()
      loss:backward()
      opt:step()
      total = total + loss:item()
    end
  end
  return experiment.clock() - t0
end

return M
