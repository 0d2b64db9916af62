-- Sharpness-aware minimisation (Foret et al., arXiv:2010.01412) written in Lua with the
-- whole-step form of optim.define: `step(groups, state, closure)` sees every group and parameter,
-- calls the closure twice (gradient at θ, then at the perturbed θ + ε), and keeps its momentum
-- in `state`, so state dicts, checkpoints, schedulers and optim.build work as for the built-ins.
-- descent also has SAM built in (`optim.build("sam", params, {base = "sgd", ...})`, after
-- pytorch-optimizer); with one parameter group and SGD + momentum it is the same method, which
-- the last lines show.
--   ./scripts/descent run scripts/examples/sam.lua
optim.define{                                          -- registers "luasam" for optim.build
  name = "LuaSAM",
  defaults = { lr = 0.1, rho = 0.05, momentum = 0.9 },
  step = function(groups, state, closure)
    assert(closure, "SAM needs opt:step(closure)")
    local loss = closure()                             -- gradients at θ
    -- ε = ρ·g/‖g‖ over all parameters of a group, added to θ and remembered.
    for i, group in ipairs(groups) do
      local norm2 = 0
      for _, p in ipairs(group.params) do
        if p.grad then norm2 = norm2 + (p.grad * p.grad):sum():item() end
      end
      local scale = group.rho / (math.sqrt(norm2) + 1e-12)
      autograd.no_grad(function()
        for j, p in ipairs(group.params) do
          if p.grad then
            state[i][j].e = p.grad * scale
            p:add_(state[i][j].e)
          end
        end
      end)
    end
    closure()                                          -- gradients at θ + ε
    -- Back to θ, then SGD with momentum on the sharpness-aware gradient.
    autograd.no_grad(function()
      for i, group in ipairs(groups) do
        for j, p in ipairs(group.params) do
          local s = state[i][j]
          if s.e then
            p:sub_(s.e)
            s.e = nil
            if s.momentum_buffer then
              s.momentum_buffer:mul_(group.momentum):add_(p.grad)
            else
              s.momentum_buffer = p.grad:clone()
            end
            p:add_(s.momentum_buffer, -group.lr)
          end
        end
      end
    end)
    return loss
  end,
}

local cfg = experiment.config{ steps = 150, lr = 0.1 }
local x, y = data.digits()
x = x / 16

local function run(name)
  tensor.manual_seed(experiment.seed())
  local model = nn.Sequential(nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 10))
  local opt = optim.build(name, model:parameters(), { lr = cfg.lr, momentum = 0.9 })
  local loader = data.loader(x, y, { batch_size = 64, shuffle = true, seed = 1 })
  local step, last = 0, nil
  while step < cfg.steps do
    for xb, yb in loader:iter() do
      last = opt:step(function()
        opt:zero_grad()
        local loss = nn.cross_entropy(model(xb), yb)
        loss:backward()
        return loss
      end):item()
      step = step + 1
      if step == cfg.steps then break end
    end
  end
  local acc = autograd.no_grad(function() return model(x):argmax(2):eq(y):mean():item() end)
  return last, acc, opt
end

local sgd_loss, sgd_acc = run("sgd")
local sam_loss, sam_acc, opt = run("luasam")
local builtin_loss, builtin_acc = run("sam")   -- the built-in: base "sgd", rho 0.05
print(string.format("SGD: last batch loss %.4f, train accuracy %.3f", sgd_loss, sgd_acc))
print(string.format("SAM: last batch loss %.4f, train accuracy %.3f", sam_loss, sam_acc))
print(string.format("built-in SAM: last batch loss %.4f, train accuracy %.3f", builtin_loss, builtin_acc))
local sd = opt:state_dict()
print("SAM state of parameter 1: step " .. sd.state[1].step
  .. ", momentum_buffer " .. tostring(sd.state[1].momentum_buffer ~= nil))
