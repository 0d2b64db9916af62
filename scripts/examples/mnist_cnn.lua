-- The small CNN of data/README.md on mnist5k: conv5x5x16, ReLU, maxpool 2, conv5x5x32, ReLU,
-- maxpool 2, linear 512-10; Adam 1e-3, batch 64, 5 epochs.
--   ./scripts/descent run scripts/examples/mnist_cnn.lua --seed 1
-- Reference (PyTorch 2.13): 93.8 ± 0.3 % test accuracy.
local cfg = experiment.config{ data = "data/mnist5k", lr = 1e-3, epochs = 5, batch_size = 64 }

local mnist = data.mnist(cfg.data)
local xtrain = mnist.train.x:view(-1, 1, 28, 28)
local xtest = mnist.test.x:view(-1, 1, 28, 28)

local model = nn.Sequential(
  nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(512, 10))
print(model:summary({cfg.batch_size, 1, 28, 28}))

local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
local loader = data.loader(xtrain, mnist.train.y, { batch_size = cfg.batch_size, shuffle = true })

local start = experiment.clock()
for epoch = 1, cfg.epochs do
  local total, batches = 0, 0
  for xb, yb in loader:iter() do
    local loss = nn.cross_entropy(model(xb), yb)
    opt:zero_grad()
    loss:backward()
    opt:step()
    total, batches = total + loss:item(), batches + 1
  end
  experiment.log{ epoch = epoch, loss = total / batches }
end
local seconds = experiment.clock() - start
local result = train.evaluate(model, xtest, mnist.test.y, { metrics = { "accuracy" } })
print(string.format("test accuracy %.2f %% after %d epochs (%.2f s)", 100 * result.accuracy, cfg.epochs, seconds))
experiment.summary{ test_accuracy = result.accuracy, train_seconds = seconds }
