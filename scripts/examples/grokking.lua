-- Grokking (Power et al. 2022, "Grokking: generalization beyond overfitting on small algorithmic
-- datasets"): a network trained on half of the table of a + b mod 97 memorises it within a few
-- hundred steps, and with decoupled weight decay generalises to the other half thousands of steps
-- later (measured: AdamW, weight decay 1, memorised at step 750, 99 % validation accuracy at step
-- 3250). This run trains one (optimizer, weight decay) cell and logs train and validation
-- accuracy; grokking.sh sweeps the grid and plots the curves. With train_fraction = 0.3 (the
-- papers' harder setting) it takes longer than 3000 steps: --set steps=20000.
--   ./scripts/descent run scripts/examples/grokking.lua --set optimizer=adamw --set weight_decay=1
--   ./scripts/examples/grokking.sh
-- optimizer: adamw (decoupled weight decay, θ ← θ − lr·λ·θ) or adam (weight_decay as L2 in the
-- gradient, which Adam's normalisation rescales). model: mlp (embeddings + MLP) or transformer.
local cfg = experiment.config{
  optimizer = "adamw", weight_decay = 1.0, lr = 1e-3, beta2 = 0.98, steps = 4000, eval_every = 100,
  p = 97, op = "+", train_fraction = 0.5, model = "mlp", d_model = 128, hidden = 512, batch_size = 512,
}
if cfg.optimizer ~= "adam" and cfg.optimizer ~= "adamw" then
  error(string.format("optimizer: expected adam or adamw, got '%s'", cfg.optimizer))
end

local p = problems.modular_addition{
  p = cfg.p, op = cfg.op, train_fraction = cfg.train_fraction, model = cfg.model, d_model = cfg.d_model,
  hidden = cfg.hidden, batch_size = cfg.batch_size,
}
local opt = optim.build(cfg.optimizer, p.params, {
  lr = cfg.lr, betas = { 0.9, cfg.beta2 }, weight_decay = cfg.weight_decay,
})

local memorised, generalised
local m
for step = 1, cfg.steps do
  opt:zero_grad()
  local loss = p.loss()
  loss:backward()
  opt:step()
  if step % cfg.eval_every == 0 or step == cfg.steps then
    m = p.evaluate()
    if not memorised and m.train_accuracy >= 0.99 then memorised = step end
    if not generalised and m.val_accuracy >= 0.99 then generalised = step end
    experiment.log{ step = step, train_loss = m.train_loss, val_loss = m.val_loss,
                    train_accuracy = m.train_accuracy, val_accuracy = m.val_accuracy }
  end
end

experiment.summary{
  train_accuracy = m.train_accuracy, val_accuracy = m.val_accuracy,
  steps_to_memorise = memorised or -1, steps_to_generalise = generalised or -1,
}
print(string.format("%s weight_decay=%g: train accuracy %.3f, validation accuracy %.3f; memorised at step %s, generalised at step %s",
  cfg.optimizer, cfg.weight_decay, m.train_accuracy, m.val_accuracy, tostring(memorised or "-"), tostring(generalised or "-")))
