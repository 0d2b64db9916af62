-- Loshchilov & Hutter, "Decoupled weight decay regularization" (ICLR 2019), figure 2 in small:
-- Adam with L2 regularisation (weight_decay added to the gradient, so Adam rescales it) against
-- AdamW (weight decay decoupled from the gradient: θ ← θ − lr·λ·θ), over a grid of learning
-- rates × weight decays. An MLP 784-256-10 on the mnist5k subset; logs the test error per epoch.
--
--   ./scripts/descent run scripts/examples/adamw_vs_l2.lua --set optimizer=adamw --set weight_decay=0.1
--   ./scripts/examples/adamw_vs_l2.sh       -- the grid, the report and the heatmap tables
local cfg = experiment.config{
  optimizer = "adam",      -- adam: weight_decay as L2 in the gradient | adamw: decoupled
  lr = 1e-3,
  weight_decay = 1e-1,
  epochs = 20,
  batch_size = 64,
  hidden = 256,
  data = "data/mnist5k",
}
if cfg.optimizer ~= "adam" and cfg.optimizer ~= "adamw" then
  error(string.format("optimizer: expected adam or adamw, got '%s'", cfg.optimizer))
end

local p = problems.mlp{ data = cfg.data, hidden = cfg.hidden, batch_size = cfg.batch_size }
-- optim.Adam's weight_decay is the L2 form (g ← g + λθ before the moments), optim.AdamW's the
-- decoupled one, exactly as in PyTorch (docs/optimizers.md).
local opt = optim.build(cfg.optimizer, p.params, { lr = cfg.lr, weight_decay = cfg.weight_decay })

local metrics
for epoch = 1, cfg.epochs do
  local total = 0
  for _ = 1, p.steps_per_epoch do
    opt:zero_grad()
    local loss = p.loss()
    loss:backward()
    opt:step()
    total = total + loss:item()
  end
  metrics = p.evaluate()
  experiment.log{ epoch = epoch, loss = total / p.steps_per_epoch, train_loss = metrics.train_loss,
                  test_error = 1 - metrics.test_accuracy }
end

print(string.format("%s lr=%g weight_decay=%g: test error %.3f, training loss %.4f",
  cfg.optimizer, cfg.lr, cfg.weight_decay, 1 - metrics.test_accuracy, metrics.train_loss))
experiment.summary{ test_error = 1 - metrics.test_accuracy, train_loss = metrics.train_loss }
