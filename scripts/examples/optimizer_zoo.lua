-- One run of the optimizer zoo: a built-in optimizer (`optimizer`, a name of optim.names()) with
-- its reference's default options — learning rate included — trains the MNIST MLP (784-128-10 on
-- mnist5k: 4000 training, 1000 test images) with train.fit, and logs the loss and test accuracy
-- of every epoch. optimizer_zoo.sh sweeps every optimizer × 3 seeds and reports the table.
-- Two departures from "defaults only": SGD, and SAM's default SGD base, get momentum 0.9
-- (without it, PyTorch's default lr 1e-3 barely moves in 3 epochs), and Muon, which takes
-- matrices only, runs on the two weight matrices with AdamW (defaults) on the biases
-- (optim.split + optim.combine, the usual setup).
-- LBFGS and SAM step with a closure, Sophia with graph-carrying gradients: train.fit does both.
--   ./scripts/descent run scripts/examples/optimizer_zoo.lua --set optimizer=soap --seed 2
--   ./scripts/examples/optimizer_zoo.sh
local cfg = experiment.config{ optimizer = "adamw", data = "data/mnist5k", hidden = 128, epochs = 3, batch_size = 64 }

local mnist = data.mnist(cfg.data)
tensor.manual_seed(experiment.seed())
local model = nn.Sequential(nn.Linear(784, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, 10))

local opt
if cfg.optimizer == "muon" then
  local matrices, rest = optim.split(model:named_parameters(), { dim = 2 })
  opt = optim.combine{ optim.build("muon", matrices, {}), optim.build("adamw", rest, {}) }
else
  local momentum = (cfg.optimizer == "sgd" or cfg.optimizer == "sam") and { momentum = 0.9 } or {}
  opt = optim.build(cfg.optimizer, model:named_parameters(), momentum)
end

local loader = data.loader(mnist.train.x, mnist.train.y, { batch_size = cfg.batch_size, shuffle = true, seed = experiment.seed() })
local history = train.fit(model, {
  optimizer = opt, loss = "cross_entropy", loader = loader, epochs = cfg.epochs,
  validation = { mnist.test.x, mnist.test.y }, metrics = { "accuracy" },
})
local last = #history.loss
experiment.summary{
  loss = history.loss[last], test_loss = history.val_loss[last], test_accuracy = history.val_accuracy[last],
}
