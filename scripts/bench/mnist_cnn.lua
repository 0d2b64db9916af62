-- The small CNN of data/README.md on mnist5k (conv5x5x16, ReLU, maxpool 2, conv5x5x32, ReLU,
-- maxpool 2, linear 512-10), Adam 1e-3, batch 64, 5 epochs: wall time of the training loop.
--   ./scripts/descent run scripts/bench/mnist_cnn.lua --threads 2 --quiet
local bench = require "benchlib"
local cfg = experiment.config{ data = "data/mnist5k", epochs = 5, threads = 0 }

local mnist = data.mnist(cfg.data)
local model = nn.Sequential(
  nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(512, 10))
local x = mnist.train.x:view(-1, 1, 28, 28)
bench.emit("mnist_cnn", bench.train_loop(model, x, mnist.train.y, cfg.epochs), cfg.threads)
