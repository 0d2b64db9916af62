-- descent's half of scripts/reference/char_transformer_train.py: problems.char_transformer
-- (2 layers, d 64, 4 heads, block 64, batch 32, untied) trained with AdamW (lr 1e-3, no weight
-- decay) for `steps` steps, then the validation loss over `eval_batches` batches.
--   .build/release/descent run scripts/reference/char_transformer_train.lua --threads 2 --seed 1 --set steps=300
local cfg = experiment.config{ steps = 300, lr = 1e-3, eval_batches = 20 }
local p = problems.char_transformer{ eval_batches = cfg.eval_batches }
local opt = optim.AdamW(p.params, { lr = cfg.lr, weight_decay = 0 })
local start = experiment.clock()
for _ = 1, cfg.steps do
  opt:zero_grad()
  p.loss():backward()
  opt:step()
end
local seconds = experiment.clock() - start
print(string.format("seed %d steps %d val_loss %.4f seconds %.1f", experiment.seed(), cfg.steps, p.evaluate().val_loss, seconds))
