-- Train briefly, save a checkpoint (safetensors), load it into a fresh model, predict, and
-- check that both models agree exactly.
--   ./scripts/descent run scripts/examples/save_load_predict.lua -- model.safetensors
local path = arg[1] or os.tmpname() .. ".safetensors"

local function make_model()
  return nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
end

local x, y = data.digits()
x = x / 16
local model = make_model()
train.fit(model, { optimizer = optim.Adam(model:parameters(), { lr = 3e-3 }), x = x, y = y, epochs = 3, batch_size = 64 })

nn.save(model, path)
local restored = make_model()
restored:load_state_dict(nn.load(path))

local a, b = train.predict(model, x), train.predict(restored, x)
local same = (a - b):abs():max():item() == 0
local accuracy = b:argmax(2):eq(y):mean():item()
print(string.format("saved %s; restored model agrees: %s; accuracy %.2f %%", path, tostring(same), 100 * accuracy))
assert(same, "the restored model must reproduce the saved one exactly")
