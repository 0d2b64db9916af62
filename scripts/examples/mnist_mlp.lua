-- MLP 784-256-10 on the mnist5k subset (4000 train / 1000 test), written out as a plain loop.
--   ./scripts/descent run scripts/examples/mnist_mlp.lua --set optimizer=adamw --seed 1
-- With --set save=mnist.safetensors it saves the weights for `descent predict` (mnist_mlp_model.lua).
-- Reference (PyTorch 2.13, same data and setup): 91.7 ± 0.3 % test accuracy with Adam 1e-3.
local cfg = experiment.config{
  data = "data/mnist5k", optimizer = "adam", lr = 1e-3, weight_decay = 0,
  epochs = 10, batch_size = 64, hidden = 256, save = "",
}

local mnist = data.mnist(cfg.data)
local xtrain, ytrain = mnist.train.x, mnist.train.y
local xtest, ytest = mnist.test.x, mnist.test.y

local model = require("mnist_mlp_model")(cfg.hidden)
local options = { lr = cfg.lr }
if cfg.weight_decay > 0 then options.weight_decay = cfg.weight_decay end
local opt = optim.build(cfg.optimizer, model:parameters(), options)
local loader = data.loader(xtrain, ytrain, { batch_size = cfg.batch_size, shuffle = true })

local function accuracy(x, y)
  return autograd.no_grad(function()
    model:eval()
    local correct = model(x):argmax(2):eq(y):sum():item()
    model:train()
    return correct / x:size(1)
  end)
end

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
  experiment.log{ epoch = epoch, loss = total / batches, test_accuracy = accuracy(xtest, ytest) }
end
local seconds = experiment.clock() - start
local acc = accuracy(xtest, ytest)
print(string.format("test accuracy %.2f %% after %d epochs (%.2f s)", 100 * acc, cfg.epochs, seconds))
experiment.summary{ test_accuracy = acc, train_seconds = seconds }
if cfg.save ~= "" then nn.save(model, cfg.save) end
