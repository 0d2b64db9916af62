-- `steps` training steps of mnist_cnn.lua's CNN on a random batch of 64, for scripts/bench/profile.sh.
local cfg = experiment.config{ steps = 10 }
local model = nn.Sequential(
  nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(512, 10))
local opt = optim.Adam(model:parameters(), { lr = 1e-3 })
local x, y = tensor.rand(64, 1, 28, 28), tensor.randint(1, 11, { 64 })
for _ = 1, cfg.steps do
  local loss = nn.cross_entropy(model(x), y)
  opt:zero_grad()
  loss:backward()
  opt:step()
end
