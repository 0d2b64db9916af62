-- `steps` MLP 64-32-10 training steps (batch 32, Adam) as train_step.lua, for scripts/bench/profile.sh.
local bench = require "benchlib"
local cfg = experiment.config{ steps = 100, sizes = "64,32,10", batch = 32 }
local sizes = bench.sizes(cfg.sizes)
local model = bench.mlp(sizes)
local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
local x = tensor.randn(cfg.batch, sizes[1])
local y = tensor.randint(1, sizes[#sizes] + 1, { cfg.batch })
for _ = 1, cfg.steps do
  local loss = nn.cross_entropy(model(x), y)
  opt:zero_grad()
  loss:backward()
  opt:step()
end
