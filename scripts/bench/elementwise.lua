-- Elementwise ops from Lua on 10M-element tensors: median seconds per call of each, one JSON line
-- per op. Run with 1 and 2 threads to see whether the kernels keep their speed on Dispatch threads.
--   ./scripts/descent run scripts/bench/elementwise.lua --threads 2 --quiet
--   ./scripts/descent run scripts/bench/elementwise.lua --set ops=sigmoid,relu --threads 1 --quiet
--   ./scripts/descent run scripts/bench/elementwise.lua --set ops=gelu,gelu_backward --set n=524288 --threads 1 --quiet
--     (a char transformer layer's MLP activation: 2048 tokens x 256)
local bench = require "benchlib"
local cfg = experiment.config{
  n = 10000000, blocks = 7, steps = 5, warmup = 2, threads = 0,
  ops = "add,mul,add_scalar,mul_scalar,sigmoid,relu,relu_backward,neg,exp,where",
}

local x, y = tensor.randn(cfg.n), tensor.randn(cfg.n)
local mask = x:gt(0)
local g = tensor.ones(cfg.n)
local xg = tensor.randn(cfg.n, { requires_grad = true })
local ops = {
  add = function() return x:add(y) end,
  mul = function() return x:mul(y) end,
  add_scalar = function() return x:add(2) end,
  mul_scalar = function() return x:mul(2) end,
  sigmoid = function() return x:sigmoid() end,
  relu = function() return x:relu() end,
  relu_backward = function() xg:relu():backward(g) end,  -- forward + backward
  gelu = function() return x:gelu() end,
  gelu_backward = function() xg:gelu():backward(g) end,  -- forward + backward
  neg = function() return x:neg() end,
  exp = function() return x:exp() end,
  where = function() return tensor.where(mask, x, y) end,
}

for name in cfg.ops:gmatch("[%w_]+") do
  local fn = ops[name] or error("unknown op " .. name)
  bench.emit(name, bench.per_call(fn, cfg.blocks, cfg.steps, cfg.warmup), cfg.threads)
end
