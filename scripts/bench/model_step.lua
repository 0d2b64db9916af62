-- The training step of issue 16's models, for scripts/bench/compare.sh (figures char_transformer,
-- char_lstm, resnet; PyTorch's side is scripts/bench/torch_bench.py). One step = zero_grad, the
-- next batch from the problem's loader, forward, cross-entropy, backward, optimizer step; prints
-- the median seconds per step over `blocks` blocks of `steps` steps, after `warmup` steps
-- (defaults 5 x 20 after 10; for the ResNet 5 x 6 after 3, as torch_bench.py).
--   problem=char_transformer: problems.char_transformer defaults (2 layers, d 64, 4 heads, block
--     64, batch 32, untied), AdamW lr 1e-3, no weight decay (scripts/reference/char_transformer_train.lua)
--   problem=char_lstm: problems.char_lstm defaults (embedding 64, 2-layer LSTM of 128, block 50,
--     batch 32), Adam lr 2e-3 (scripts/reference/char_lstm_train.lua)
--   problem=resnet_fashion: problems.resnet_fashion defaults (width 16, 1 block per stage, batch
--     128, no augmentation) on Fashion-MNIST, AdamW lr 2e-3, weight decay 5e-4 (as
--     scripts/examples/resnet_fashion.lua, without its schedule)
--   ./scripts/descent run scripts/bench/model_step.lua --threads 2 --quiet --set threads=2 --set problem=char_lstm
local bench = require "benchlib"
local cfg = experiment.config{ problem = "char_transformer", threads = 0, blocks = 5, steps = 0, warmup = -1,
  name = "" }
local resnet = cfg.problem == "resnet_fashion"
local steps = cfg.steps > 0 and cfg.steps or (resnet and 6 or 20)
local warmup = cfg.warmup >= 0 and cfg.warmup or (resnet and 3 or 10)

local setups = {
  char_transformer = function()
    local p = problems.char_transformer{}
    return p, optim.AdamW(p.params, { lr = 1e-3, weight_decay = 0 })
  end,
  char_lstm = function()
    local p = problems.char_lstm{}
    return p, optim.Adam(p.params, { lr = 2e-3 })
  end,
  resnet_fashion = function()
    local p = problems.resnet_fashion{}
    return p, optim.AdamW(p.params, { lr = 2e-3, weight_decay = 5e-4 })
  end,
}
local setup = setups[cfg.problem]
if not setup then error("model_step.lua: unknown problem '" .. cfg.problem .. "' (char_transformer, char_lstm, resnet_fashion)") end
local p, opt = setup()
local function step()
  opt:zero_grad()
  p.loss():backward()
  opt:step()
end
local name = cfg.name ~= "" and cfg.name or (cfg.problem .. "_step")
bench.emit(name, bench.per_call(step, cfg.blocks, steps, warmup), cfg.threads)
