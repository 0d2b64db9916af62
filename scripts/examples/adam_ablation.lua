-- Adam ablation: one script, every switch in the config, so `descent sweep` can vary any of them.
-- Trains a small MLP on the bundled 8x8 digits (x/16, 80/20 split with the run's seed) and logs
-- {epoch, loss, test_accuracy} per epoch.
--
--   ./scripts/descent run scripts/examples/adam_ablation.lua --set optimizer=adamw --set lr=3e-3
--   ./scripts/ablate.sh                      -- the whole sweep + report (see docs/guide-ablations.md)
--
-- Which config keys reach the optimizer (optim.build rejects options an optimizer does not know):
--   adam, adamw, amsgrad  lr, weight_decay, eps_mode, bias_correction, and the two "turn on"
--                         switches amsgrad / decoupled_weight_decay, passed only when true: the
--                         named variants already turn on their own (amsgrad = Adam + amsgrad,
--                         adamw = Adam + decoupled weight decay), and passing `false` would
--                         silently turn them back into plain Adam.
--   sgd                   lr, momentum, weight_decay (the Adam switches are ignored).
local cfg = experiment.config{
  optimizer = "adam",            -- adam | adamw | amsgrad | sgd
  lr = 1e-3,
  weight_decay = 1e-2,
  momentum = 0.9,                -- sgd only
  amsgrad = false,
  decoupled_weight_decay = false,
  eps_mode = "after_sqrt",       -- after_sqrt (PyTorch) | eps_hat (Keras) | inside_sqrt (optax eps_root)
  bias_correction = true,
  epochs = 10,
  batch_size = 64,
  hidden = 64,
}

local adam_family = { adam = true, adamw = true, amsgrad = true }

--- The options table for optim.build: only what the chosen optimizer accepts.
local function optimizer_options(c)
  local name = c.optimizer:lower()
  if name == "sgd" then
    return { lr = c.lr, momentum = c.momentum, weight_decay = c.weight_decay }
  end
  if not adam_family[name] then
    error(string.format("optimizer: expected adam, adamw, amsgrad or sgd, got '%s'", c.optimizer))
  end
  local opts = { lr = c.lr, weight_decay = c.weight_decay, eps_mode = c.eps_mode,
                 bias_correction = c.bias_correction }
  if c.amsgrad then opts.amsgrad = true end
  if c.decoupled_weight_decay then opts.decoupled_weight_decay = true end
  return opts
end

local seed = experiment.seed()
local x, y = data.digits()
x = x / 16
local xtr, ytr, xte, yte = data.split(x, y, 0.8, seed)
local loader = data.loader(xtr, ytr, { batch_size = cfg.batch_size, shuffle = true, seed = seed })

local model = nn.Sequential(
  nn.Linear(64, cfg.hidden), nn.ReLU(),
  nn.Linear(cfg.hidden, 10))
local opt = optim.build(cfg.optimizer, model:parameters(), optimizer_options(cfg))

--- Fraction of `xs` classified correctly (labels are 1-based, as argmax's result).
local function accuracy(xs, ys)
  model:eval()
  local acc = autograd.no_grad(function()
    return model(xs):argmax(-1):eq(ys):mean():item()
  end)
  model:train()
  return acc
end

local loss_sum, batches, test_accuracy = 0, 0, 0
for epoch = 1, cfg.epochs do
  loss_sum, batches = 0, 0
  for xb, yb in loader:iter() do
    opt:zero_grad()
    local loss = nn.cross_entropy(model(xb), yb)
    loss:backward()
    opt:step()
    loss_sum, batches = loss_sum + loss:item(), batches + 1
  end
  test_accuracy = accuracy(xte, yte)
  experiment.log{ epoch = epoch, loss = loss_sum / batches, test_accuracy = test_accuracy }
end

print(string.format("%s lr=%g: test accuracy %.4f", cfg.optimizer, cfg.lr, test_accuracy))
experiment.summary{ test_accuracy = test_accuracy, loss = loss_sum / batches }
