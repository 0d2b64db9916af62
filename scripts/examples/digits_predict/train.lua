-- Train the model of model.lua on 80% of the bundled digits and save its weights; write the other
-- 20% as a deployment would receive them (raw pixels 0..16): test.csv with a `label` column,
-- test.npy with test-labels.npy (0-based digits). Then classify them from the shell:
--   descent run scripts/examples/digits_predict/train.lua -- /tmp
--   descent predict --model scripts/examples/digits_predict/model.lua \
--     --weights /tmp/digits.safetensors /tmp/test.csv --scale 1/16
local cfg = experiment.config{ lr = 3e-3, epochs = 10, batch_size = 32 }
local dir = arg[1] or "."

local x, y = data.digits()
local xtrain, ytrain, xtest, ytest = data.split(x, y, 0.8, experiment.seed())
local model = require("model")()
train.fit(model, { optimizer = optim.Adam(model:parameters(), { lr = cfg.lr }), x = xtrain / 16, y = ytrain,
                   epochs = cfg.epochs, batch_size = cfg.batch_size })
nn.save(model, dir .. "/digits.safetensors")

-- The held-out rows: 64 pixel columns and the digit (0..9) as `label`.
local header = {}
for i = 1, 64 do header[i] = "pixel" .. i end
header[#header + 1] = "label"
local lines = { table.concat(header, ",") }
local digits = (ytest - 1):totable()
for i, row in ipairs(xtest:totable()) do
  row[#row + 1] = digits[i]
  for k, v in ipairs(row) do row[k] = string.format("%d", v) end
  lines[#lines + 1] = table.concat(row, ",")
end
local file = assert(io.open(dir .. "/test.csv", "w"))
file:write(table.concat(lines, "\n"), "\n")
file:close()
data.save_npy(dir .. "/test.npy", xtest)
data.save_npy(dir .. "/test-labels.npy", ytest - 1)

local result = train.evaluate(model, xtest / 16, ytest)
print(string.format("test accuracy %.4f (%d/%d); wrote %s/digits.safetensors, test.csv, test.npy, test-labels.npy",
  result.accuracy, math.floor(result.accuracy * ytest:size(1) + 0.5), ytest:size(1), dir))
