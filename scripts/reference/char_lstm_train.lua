-- descent's half of scripts/reference/char_lstm_train.py: problems.char_lstm (embedding 64, a
-- 2-layer LSTM of 128, block 50, batch 32) trained with Adam 2e-3 for `steps` steps, then the
-- validation loss over `eval_batches` batches.
--   .build/release/descent run scripts/reference/char_lstm_train.lua --threads 2 --seed 1 --set steps=300
local cfg = experiment.config{ steps = 300, lr = 2e-3, eval_batches = 20 }
local p = problems.char_lstm{ eval_batches = cfg.eval_batches }
local opt = optim.Adam(p.params, { lr = cfg.lr })
local start = experiment.clock()
for _ = 1, cfg.steps do
  opt:zero_grad()
  p.loss():backward()
  opt:step()
end
local seconds = experiment.clock() - start
print(string.format("seed %d steps %d val_loss %.4f seconds %.1f", experiment.seed(), cfg.steps, p.evaluate().val_loss, seconds))
