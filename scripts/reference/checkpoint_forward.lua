-- Writes what scripts/reference/checkpoint_forward.py checks: a trained CNN's checkpoint
-- (nn.save), a batch of inputs and descent's outputs for them (.npy).
--   ./scripts/descent run scripts/reference/checkpoint_forward.lua -- OUTDIR
local out = arg[1] or "."
local mnist = data.mnist("data/mnist5k")
local x = mnist.train.x:view(-1, 1, 28, 28)
local model = nn.Sequential(
  nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
  nn.Flatten(), nn.Linear(512, 10))
train.fit(model, { optimizer = optim.Adam(model:parameters(), { lr = 1e-3 }), x = x:narrow(1, 1, 1000),
                   y = mnist.train.y:narrow(1, 1, 1000), epochs = 1, batch_size = 64 })
local batch = mnist.test.x:narrow(1, 1, 64):view(-1, 1, 28, 28)
nn.save(model, out .. "/cnn.safetensors")
data.save_npy(out .. "/input.npy", batch)
data.save_npy(out .. "/output.npy", train.predict(model, batch))
print("wrote " .. out .. "/{cnn.safetensors,input.npy,output.npy}")
