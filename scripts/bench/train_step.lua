-- One training step of an MLP from a Lua loop: forward, cross-entropy, zero_grad, backward,
-- Adam step, on a fixed random batch. Prints the median seconds per step as a JSON line.
--   ./scripts/descent run scripts/bench/train_step.lua --threads 2 --quiet
--   ./scripts/descent run scripts/bench/train_step.lua --set sizes=784,512,512,10 --set batch=256 \
--       --set name=mlp512_step --set blocks=5 --set steps=10 --set warmup=5
local bench = require "benchlib"
local cfg = experiment.config{
  name = "mlp64_step", sizes = "64,32,10", batch = 32, blocks = 7, steps = 50, warmup = 20, threads = 0,
}

local sizes = bench.sizes(cfg.sizes)
local model = bench.mlp(sizes)
local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
local x = tensor.randn(cfg.batch, sizes[1])
local y = tensor.randint(1, sizes[#sizes] + 1, { cfg.batch })

local function step()
  local loss = nn.cross_entropy(model(x), y)
  opt:zero_grad()
  loss:backward()
  opt:step()
end

bench.emit(cfg.name, bench.per_call(step, cfg.blocks, cfg.steps, cfg.warmup), cfg.threads)
