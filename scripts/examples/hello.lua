-- A first experiment: fit y = 3x - 1 with a hand-written gradient-descent loop.
-- Run:  ./scripts/descent run scripts/examples/hello.lua --set lr=0.05 --set steps=200
local cfg = experiment.config{ lr = 0.1, steps = 100, n = 64 }

local x = tensor.randn(cfg.n, 1)
local y = x * 3 - 1 + tensor.randn(cfg.n, 1) * 0.01

local w = tensor.zeros(1, 1):requires_grad(true)
local b = tensor.zeros(1):requires_grad(true)

for step = 1, cfg.steps do
  local loss = ((x:matmul(w) + b - y) ^ 2):mean()
  w.grad, b.grad = nil, nil
  loss:backward()
  autograd.no_grad(function()
    w:sub_(w.grad * cfg.lr)
    b:sub_(b.grad * cfg.lr)
  end)
  if step % 20 == 0 then experiment.log{ step = step, loss = loss:item() } end
end

print(string.format("w = %.3f, b = %.3f (true: 3, -1)", w:item(), b:item()))
experiment.summary{ w = w:item(), b = b:item() }
