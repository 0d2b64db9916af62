-- SGD with momentum on the DeepOBS-style noisy quadratic (problems.quadratic), for `descent tune`:
--   descent tune scripts/examples/tune_quadratic.lua --space scripts/examples/tune_quadratic.json \
--     --trials 16 --metric loss --mode min --out tune-quadratic
-- Logs the noise-free loss every 10 steps (`step` is the resource successive halving counts).
local cfg = experiment.config{ lr = 0.01, momentum = 0.9, steps = 200 }
local p = problems.quadratic{ noise = 0.6, seed = 42 }
local opt = optim.SGD(p.params, { lr = cfg.lr, momentum = cfg.momentum })
for step = 1, cfg.steps do
  opt:zero_grad()
  p.loss():backward()
  opt:step()
  if step % 10 == 0 then
    experiment.log{ step = step, loss = p.evaluate().loss }
  end
end
