-- A new optimizer is a few lines of Lua: optim.define gives it parameter groups, state dicts,
-- schedulers and optim.build for free, and its update runs as vectorised in-place tensor ops.
-- This re-implements Adam and checks it against the built-in on the same training run.
--   ./scripts/descent run scripts/examples/custom_adam.lua
local MyAdam = optim.define{
  name = "MyAdam",
  defaults = { lr = 1e-3, betas = { 0.9, 0.999 }, eps = 1e-8 },
  init = function(state, p)
    state.exp_avg = tensor.zeros_like(p)
    state.exp_avg_sq = tensor.zeros_like(p)
  end,
  update = function(p, grad, state, group, step)
    local beta1, beta2 = group.betas[1], group.betas[2]
    state.exp_avg:lerp_(grad, 1 - beta1)                          -- m ← β1·m + (1 − β1)·g
    state.exp_avg_sq:mul_(beta2):addcmul_(grad, grad, 1 - beta2)  -- v ← β2·v + (1 − β2)·g²
    local bc1, bc2 = 1 - beta1 ^ step, 1 - beta2 ^ step
    local denom = state.exp_avg_sq:sqrt():div_(math.sqrt(bc2)):add_(group.eps)
    p:addcdiv_(state.exp_avg, denom, -group.lr / bc1)             -- θ ← θ − (γ/bc1)·m/denom
  end,
}

local cfg = experiment.config{ steps = 200, lr = 3e-3 }
local x, y = data.digits()
x = x / 16

local function run(make_optimizer)
  tensor.manual_seed(experiment.seed())
  local model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
  local opt = make_optimizer(model:parameters())
  local loader = data.loader(x, y, { batch_size = 64, shuffle = true, seed = 1 })
  local step = 0
  while step < cfg.steps do
    for xb, yb in loader:iter() do
      local loss = nn.cross_entropy(model(xb), yb)
      opt:zero_grad()
      loss:backward()
      opt:step()
      step = step + 1
      if step == cfg.steps then break end
    end
  end
  return model:parameters()
end

local builtin = run(function(ps) return optim.Adam(ps, { lr = cfg.lr }) end)
local mine = run(function(ps) return MyAdam(ps, { lr = cfg.lr }) end)
local worst = 0
for i, p in ipairs(builtin) do
  local rel = ((p - mine[i]):abs():max() / p:abs():max()):item()
  worst = math.max(worst, rel)
end
print(string.format("after %d steps, max relative difference between MyAdam and optim.Adam: %.3g", cfg.steps, worst))
experiment.summary{ max_relative_difference = worst }
assert(worst < 1e-5, "MyAdam diverged from optim.Adam")
