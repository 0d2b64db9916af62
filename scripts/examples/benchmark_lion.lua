-- A submission for `descent benchmark`: Lion (Chen et al. 2023, "Symbolic Discovery of
-- Optimization Algorithms") written with optim.define. The file returns the constructor; the
-- benchmark's trial script calls it with the hyperparameters its search space sets
-- (benchmark_lion_space.json: lr, weight_decay, beta1, beta2).
--   descent benchmark --submission scripts/examples/benchmark_lion.lua \
--     --space scripts/examples/benchmark_lion_space.json --jobs 2 --out bench-lion
return optim.define{
  name = "LuaLion",
  defaults = { lr = 1e-4, betas = { 0.9, 0.99 }, weight_decay = 0 },
  init = function(state, p)
    state.exp_avg = tensor.zeros_like(p)
  end,
  update = function(p, grad, state, group)
    local beta1, beta2 = group.betas[1], group.betas[2]
    local direction = (state.exp_avg * beta1 + grad * (1 - beta1)):sign()  -- sign(β1·m + (1 − β1)·g)
    p:mul_(1 - group.lr * group.weight_decay)                              -- decoupled decay
    p:add_(direction, -group.lr)
    state.exp_avg:lerp_(grad, 1 - beta2)                                    -- m ← β2·m + (1 − β2)·g
  end,
}
