-- Cost of one optimizer step on a single-element parameter from a Lua loop (issue 4: < 2 µs).
--   ./scripts/descent run scripts/bench/optim_step_small.lua --threads 1
local n = 200000
for _, name in ipairs({ "sgd", "adam", "adamw", "amsgrad" }) do
  local w = tensor.ones(1):requires_grad(true)
  w.grad = tensor.ones(1)
  local opt = optim.build(name, { w }, { lr = 1e-3 })
  for _ = 1, 1000 do opt:step() end
  local t0 = experiment.clock()
  for _ = 1, n do opt:step() end
  local us = (experiment.clock() - t0) / n * 1e6
  print(string.format('{"name":"optim_step_1_%s","microseconds":%.3f}', name, us))
end
