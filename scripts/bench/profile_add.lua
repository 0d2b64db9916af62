-- `steps` small ops from Lua, for scripts/bench/profile.sh (what `descent bench lua_call` times).
local cfg = experiment.config{ steps = 1000 }
local a, b = tensor.ones(2), tensor.ones(2)
for _ = 1, cfg.steps do local _ = a:add(b) end
