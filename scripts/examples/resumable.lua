-- A run that survives being killed: it checkpoints every few steps (model, optimizer, loader
-- position, RNG) and, when started again with --resume, continues from the last checkpoint.
-- The final parameters are bit-identical to an uninterrupted run.
--   ./scripts/descent run scripts/examples/resumable.lua --out runs/r1
--   (kill it)   ./scripts/descent run scripts/examples/resumable.lua --out runs/r1 --resume
local cfg = experiment.config{ epochs = 6, batch_size = 32, lr = 1e-3, checkpoint_every = 10 }

local x, y = data.digits()
x = x / 16
local model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))
local opt = optim.Adam(model:parameters(), { lr = cfg.lr })
local loader = data.loader(x, y, { batch_size = cfg.batch_size, shuffle = true })

local step, first_epoch = 0, 1
local saved = experiment.restore("last", { model = model, optimizer = opt, loader = loader })
if saved then
  -- The loader knows where it stopped: mid-epoch, or at the start of the next epoch when the
  -- checkpoint fell on an epoch's last batch.
  step, first_epoch = saved.step, loader:state().epoch
  print(string.format("resumed at step %d (epoch %d)", step, first_epoch))
end

for epoch = first_epoch, cfg.epochs do
  for xb, yb in loader:iter() do
    local loss = nn.cross_entropy(model(xb), yb)
    opt:zero_grad()
    loss:backward()
    opt:step()
    step = step + 1
    experiment.log{ step = step, epoch = epoch, loss = loss:item() }
    if step % cfg.checkpoint_every == 0 then
      experiment.checkpoint("last", { model = model, optimizer = opt, loader = loader, step = step, epoch = epoch })
    end
  end
end

if experiment.dir() then nn.save(model, experiment.dir() .. "/final.safetensors") end
experiment.summary{ steps = step, accuracy = train.evaluate(model, x, y).accuracy }
