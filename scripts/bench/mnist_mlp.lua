-- mnist5k MLP 784-256-10, Adam 1e-3, batch 64, 10 epochs: wall time of the training loop (data
-- loaded before the clock starts). Prints a JSON line.
--   ./scripts/descent run scripts/bench/mnist_mlp.lua --threads 1 --quiet
local bench = require "benchlib"
local cfg = experiment.config{ data = "data/mnist5k", epochs = 10, threads = 0 }

local mnist = data.mnist(cfg.data)
local model = bench.mlp{ 784, 256, 10 }
bench.emit("mnist_mlp", bench.train_loop(model, mnist.train.x, mnist.train.y, cfg.epochs), cfg.threads)
