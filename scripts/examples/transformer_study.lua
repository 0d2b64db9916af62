-- Which optimizer trains a small character transformer best in a fixed budget?
--   ./scripts/descent sweep scripts/examples/transformer_study.lua --grid optimizer=adamw,lion,sgd --grid lr=3e-4,1e-3,3e-3 --seeds 3 --out runs/study
--   ./scripts/descent report runs/study --group optimizer,lr --metric val_loss --plot val_loss.svg
local cfg = experiment.config{ optimizer = "adamw", lr = 1e-3, weight_decay = 0.1, steps = 500,
                               eval_every = 100, n_layer = 2, n_embd = 64, warmup = 50 }
local p = problems.char_transformer{ n_layer = cfg.n_layer, n_embd = cfg.n_embd }
local opt = optim.build(cfg.optimizer, p.params, { lr = cfg.lr, weight_decay = cfg.weight_decay })
local sched = optim.lr.LambdaLR(opt, function(step)
  if step < cfg.warmup then return (step + 1) / cfg.warmup end
  return 0.5 * (1 + math.cos(math.pi * (step - cfg.warmup) / (cfg.steps - cfg.warmup)))
end)
for step = 1, cfg.steps do
  opt:zero_grad()
  local loss = p.loss()
  loss:backward()
  nn.utils.clip_grad_norm_(p.params, 1.0)
  opt:step()
  sched:step()
  if step % cfg.eval_every == 0 then
    local m = p.evaluate()
    experiment.log{ step = step, loss = loss:item(), train_loss = m.train_loss, val_loss = m.val_loss }
  end
end
experiment.summary(p.evaluate())
