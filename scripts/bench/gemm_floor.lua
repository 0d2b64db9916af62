-- The matrix products of one mnist5k MLP 784-256-10 training step (batch 64), timed alone: the
-- floor under mnist_mlp.lua's time. Prints the GFLOP/s of the two large products and the seconds
-- they need for 10 epochs of 4000 images.
--   ./scripts/descent run scripts/bench/gemm_floor.lua --threads 1
local cfg = experiment.config{ reps = 2000 }
local x, w, g = tensor.randn(64, 784), tensor.randn(256, 784), tensor.randn(64, 256)
local function time(f)
  for _ = 1, 50 do f() end
  local t0 = experiment.clock()
  for _ = 1, cfg.reps do f() end
  return (experiment.clock() - t0) / cfg.reps
end
local forward = time(function() return x:matmul(w:t()) end)      -- [64, 784] x [784, 256]
local weight_grad = time(function() return g:t():matmul(x) end)  -- [256, 64] x [64, 784]
local flops = 2 * 64 * 784 * 256
local per_step = forward + weight_grad
print(string.format("forward %.1f us (%.1f GFLOP/s), weight grad %.1f us (%.1f GFLOP/s)",
  forward * 1e6, flops / forward / 1e9, weight_grad * 1e6, flops / weight_grad / 1e9))
print(string.format("10 epochs of 4000 images: %.3f s in these two products alone", per_step * 4000 / 64 * 10))
