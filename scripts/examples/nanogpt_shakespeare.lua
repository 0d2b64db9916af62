-- nanoGPT's shakespeare_char, scaled down: a character-level GPT (token + position embeddings,
-- pre-norm causal blocks) trained on the bundled tinyshakespeare with AdamW, then sampled.
-- Weight decay applies to the matrices only (as nanoGPT), gradients are clipped at norm 1, the
-- learning rate warms up linearly then follows a cosine to lr / 10.
--   ./scripts/descent run scripts/examples/nanogpt_shakespeare.lua                 # ~200 steps
--   ./scripts/descent run scripts/examples/nanogpt_shakespeare.lua --set steps=5000 --set n_layer=4 --set n_embd=128
-- The defaults (2 layers, d 64, 4 heads, block 64, batch 32) are the size issue 16 benchmarks.
local cfg = experiment.config{
  steps = 200, n_layer = 2, n_head = 4, n_embd = 64, block_size = 64, batch_size = 32, tied = false,
  optimizer = "adamw", lr = 3e-3, weight_decay = 0.1, warmup = 20, clip = 1.0,
  eval_every = 100, eval_batches = 4, sample_chars = 300, temperature = 0.8, prompt = "ROMEO:",
}

local p = problems.char_transformer{
  n_layer = cfg.n_layer, n_head = cfg.n_head, n_embd = cfg.n_embd, block_size = cfg.block_size,
  batch_size = cfg.batch_size, tied = cfg.tied, eval_batches = cfg.eval_batches,
}
print(string.format("char_transformer: %d parameters, vocabulary %d, %d training characters",
  p.model:num_parameters(), p.data.vocab_size, p.data.train:numel()))

-- Two groups: matrices decay, vectors (biases, LayerNorm gains) do not.
local decay, no_decay = {}, {}
for _, t in ipairs(p.params) do
  if t:dim() >= 2 then decay[#decay + 1] = t else no_decay[#no_decay + 1] = t end
end
local opt = optim.build(cfg.optimizer, {
  { params = decay, weight_decay = cfg.weight_decay },
  { params = no_decay, weight_decay = 0 },
}, { lr = cfg.lr })

local function lr_at(step)
  if step <= cfg.warmup then return cfg.lr * step / cfg.warmup end
  local progress = (step - cfg.warmup) / math.max(1, cfg.steps - cfg.warmup)
  return cfg.lr / 10 + (cfg.lr - cfg.lr / 10) * 0.5 * (1 + math.cos(math.pi * progress))
end

local start = experiment.clock()
local running
for step = 1, cfg.steps do
  opt:set_lr(lr_at(step), 1)
  opt:set_lr(lr_at(step), 2)
  opt:zero_grad()
  local loss = p.loss()
  loss:backward()
  nn.utils.clip_grad_norm_(p.params, cfg.clip)
  opt:step()
  running = running and 0.9 * running + 0.1 * loss:item() or loss:item()
  if step % 10 == 0 or step == cfg.steps then
    experiment.log{ step = step, loss = running, lr = lr_at(step) }
  end
  if step % cfg.eval_every == 0 or step == cfg.steps then
    local m = p.evaluate()
    experiment.log{ step = step, train_loss = m.train_loss, val_loss = m.val_loss }
    print(string.format("step %d: train loss %.4f, val loss %.4f, %.1f s", step, m.train_loss, m.val_loss,
      experiment.clock() - start))
  end
end

local final = p.evaluate()
experiment.summary{ val_loss = final.val_loss, train_loss = final.train_loss, seconds = experiment.clock() - start }
print("sample:")
print(cfg.prompt .. p.sample(cfg.sample_chars, { prompt = cfg.prompt, temperature = cfg.temperature }))
