-- Edge of stability (Cohen et al. 2021): full-batch gradient descent with step size lr drives
-- the sharpness (the largest Hessian eigenvalue of the training loss) up to about 2/lr, where
-- it then hovers while the loss keeps falling, non-monotonically. This tracks both on a small
-- tanh MLP fitted to 256 of the bundled digits (MSE on one-hot targets, as in the paper). With
-- lr = 0.05 the sharpness starts near 19 and climbs towards 2/lr = 40 (progressive
-- sharpening); with lr = 0.1 it sits at 2/lr = 20 from the start.
--   ./scripts/descent run scripts/examples/edge_of_stability.lua --out runs/eos --set lr=0.05
--   ./scripts/descent report runs/eos --metric sharpness --plot eos.svg
local cfg = experiment.config{ lr = 0.05, steps = 1500, every = 25, n = 256, hidden = 32, iters = 20 }

local x, y = data.digits()
x = (x / 16):narrow(1, 1, cfg.n)
y = y:narrow(1, 1, cfg.n)
local onehot = tensor.eye(10):index_select(1, y)

tensor.manual_seed(experiment.seed())
local model = nn.Sequential(nn.Linear(64, cfg.hidden), nn.Tanh(), nn.Linear(cfg.hidden, 10))
local opt = optim.SGD(model:parameters(), { lr = cfg.lr })
-- Squared error summed over the classes, averaged over the examples.
local function loss_fn() return nn.mse_loss(model(x), onehot, { reduction = "sum" }) / cfg.n end

local sharpness
for step = 1, cfg.steps do
  local loss = loss_fn()
  opt:zero_grad()
  loss:backward()
  opt:step()
  if step == 1 or step % cfg.every == 0 then
    -- Warm-started power iteration would be cheaper; a fresh seeded start keeps the example simple.
    local top = curvature.top_eigenvalues(loss_fn, model, { iters = cfg.iters, seed = 1 })
    sharpness = top[1]
    experiment.log{ step = step, loss = loss:item(), sharpness = sharpness, two_over_lr = 2 / cfg.lr }
    print(string.format("step %4d  loss %.5f  sharpness %8.3f  2/lr %.1f", step, loss:item(), sharpness, 2 / cfg.lr))
  end
end
experiment.summary{ final_loss = loss_fn():item(), final_sharpness = sharpness, two_over_lr = 2 / cfg.lr }
