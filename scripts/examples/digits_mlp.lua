-- A small MLP on the bundled 8x8 digits (1797 images), 80/20 split by the run's seed.
--   ./scripts/descent run scripts/examples/digits_mlp.lua --set lr=3e-3 --seed 2
local cfg = experiment.config{ optimizer = "adam", lr = 1e-3, epochs = 20, batch_size = 32, hidden = 64 }

local x, y = data.digits()
x = x / 16
local xtrain, ytrain, xtest, ytest = data.split(x, y, 0.8, experiment.seed())

local model = nn.Sequential(nn.Linear(64, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, 10))
local opt = optim.build(cfg.optimizer, model:parameters(), { lr = cfg.lr })
local loader = data.loader(xtrain, ytrain, { batch_size = cfg.batch_size, shuffle = true })

for epoch = 1, cfg.epochs do
  local total, n = 0, 0
  for xb, yb in loader:iter() do
    local loss = nn.cross_entropy(model(xb), yb)
    opt:zero_grad()
    loss:backward()
    opt:step()
    total, n = total + loss:item(), n + 1
  end
  local acc = train.evaluate(model, xtest, ytest).accuracy
  experiment.log{ epoch = epoch, loss = total / n, test_accuracy = acc }
end
experiment.summary(train.evaluate(model, xtest, ytest))
