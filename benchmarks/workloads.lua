-- The workloads of `descent benchmark`: CPU-scale versions of AlgoPerf's idea (a fixed model and
-- data set, a validation target, a step budget). Each entry:
--   problem      a problems.<name> builder
--   options      the builder's options (fixed: part of the workload, not tuned)
--   metric       a key of the problem's evaluate() table; mode "min" or "max"
--   target       the value that counts as reached (<= for min, >= for max)
--   max_steps    the step budget; eval_every: steps between evaluations (the time-to-target
--                resolution)
-- How the targets were chosen (docs/guide-benchmarking.md): budgets first (seconds per trial on
-- one core), then a modest value for that budget, fixed before the first baseline run.
-- Budgets are small so the whole suite runs on two CPU cores in minutes.
return {
  quadratic = {
    problem = "quadratic", options = { dim = 100, noise = 0.6, seed = 42 },
    metric = "loss", mode = "min", target = 1.0, max_steps = 300, eval_every = 10,
  },
  mnist_mlp = {
    problem = "mlp", options = { hidden = { 64 }, batch_size = 64 },
    metric = "test_accuracy", mode = "max", target = 0.85, max_steps = 240, eval_every = 20,
  },
  mnist_cnn = {
    problem = "mnist_cnn", options = { batch_size = 64 },
    metric = "test_accuracy", mode = "max", target = 0.85, max_steps = 160, eval_every = 20,
  },
  char_transformer = {
    problem = "char_transformer",
    options = { n_layer = 1, n_head = 2, n_embd = 32, block_size = 32, batch_size = 16, eval_batches = 2 },
    metric = "val_loss", mode = "min", target = 2.7, max_steps = 150, eval_every = 15,
  },
  char_lstm = {
    problem = "char_lstm",
    options = { hidden = 64, num_layers = 1, embedding = 32, block_size = 32, batch_size = 16, eval_batches = 2 },
    metric = "val_loss", mode = "min", target = 2.9, max_steps = 150, eval_every = 15,
  },
  resnet = {
    problem = "resnet_fashion", options = { width = 4, blocks = 1, batch_size = 32, train_size = 4000, eval_size = 500 },
    metric = "test_accuracy", mode = "max", target = 0.65, max_steps = 100, eval_every = 10,
  },
}
