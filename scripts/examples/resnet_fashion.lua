-- A small ResNet (3x3 stem, three stages of basic blocks with BatchNorm, widths 16/32/64, global
-- average pooling) on Fashion-MNIST, with random crops (padding 2) and horizontal flips drawn
-- from the run's seed. Needs Debian's dataset-fashion-mnist (resnet_fashion.sh installs it).
--   ./scripts/examples/resnet_fashion.sh                                  # 1 epoch on 10000 images
--   ./scripts/examples/resnet_fashion.sh --set epochs=10 --set train_size=60000 --set eval_size=10000
local cfg = experiment.config{
  data = "/usr/share/datasets/fashion-mnist", epochs = 1, train_size = 10000, eval_size = 2000,
  width = 16, blocks = 1, batch_size = 128, optimizer = "adamw", lr = 2e-3, weight_decay = 5e-4, augment = true,
}

local p = problems.resnet_fashion{
  data = cfg.data, width = cfg.width, blocks = cfg.blocks, batch_size = cfg.batch_size, augment = cfg.augment,
  train_size = cfg.train_size, eval_size = cfg.eval_size,
}
print(p.model:summary({ 1, 1, 28, 28 }))
local opt = optim.build(cfg.optimizer, p.params, { lr = cfg.lr, weight_decay = cfg.weight_decay })
local steps = cfg.epochs * p.steps_per_epoch
local schedule = optim.lr.OneCycleLR(opt, { max_lr = cfg.lr, total_steps = math.max(steps, 2) })

local start = experiment.clock()
local step = 0
for epoch = 1, cfg.epochs do
  local total = 0
  for _ = 1, p.steps_per_epoch do
    opt:zero_grad()
    local loss = p.loss()
    loss:backward()
    opt:step()
    schedule:step()
    step = step + 1
    total = total + loss:item()
  end
  local m = p.evaluate()
  experiment.log{ epoch = epoch, step = step, loss = total / p.steps_per_epoch, test_loss = m.test_loss,
                  test_accuracy = m.test_accuracy }
  print(string.format("epoch %d: train loss %.4f, test accuracy %.4f, %.1f s", epoch, total / p.steps_per_epoch,
    m.test_accuracy, experiment.clock() - start))
end
experiment.summary(p.evaluate())
