-- descent's half of scripts/reference/resnet_fashion_train.py: problems.resnet_fashion (width
-- 16, one basic block per stage, batch 128, no augmentation) on the first `train_size`
-- Fashion-MNIST training images for `epochs` epochs, AdamW (lr 2e-3, weight decay 5e-4) with a
-- cosine decay of the rate to 0 over the run (stepped every batch), then the test accuracy on
-- the first `eval_size` test images.
--   .build/release/descent run scripts/reference/resnet_fashion_train.lua --threads 2 --seed 1
local cfg = experiment.config{ data = "/usr/share/datasets/fashion-mnist", epochs = 2, train_size = 10000,
  eval_size = 10000, batch_size = 128, lr = 2e-3, weight_decay = 5e-4 }
local p = problems.resnet_fashion{ data = cfg.data, train_size = cfg.train_size, eval_size = cfg.eval_size,
  batch_size = cfg.batch_size }
local opt = optim.AdamW(p.params, { lr = cfg.lr, weight_decay = cfg.weight_decay })
local steps = cfg.epochs * p.steps_per_epoch
local schedule = optim.lr.CosineAnnealingLR(opt, { T_max = steps })
local start = experiment.clock()
for _ = 1, steps do
  opt:zero_grad()
  p.loss():backward()
  opt:step()
  schedule:step()
end
local seconds = experiment.clock() - start
local m = p.evaluate()
print(string.format("seed %d steps %d test_accuracy %.4f test_loss %.4f seconds %.1f", experiment.seed(), steps,
  m.test_accuracy, m.test_loss, seconds))
