-- Replays layer fixtures made by scripts/reference/layer_fixtures.py (PyTorch 2.13):
--   descent run check.lua -- FILE.safetensors...
-- For each file it builds the module from the file's `ctor`, loads its state dict (the `p.`
-- entries) with load_state_dict, runs `call`, and compares every output (`y.<i>`) and the
-- gradient of sum_i (y_i * r_i).sum() with respect to each input in `grads` (`g.<name>`) within
-- 1e-4. Prints "ok <file>" or "FAIL <message>" per file; exits with an error if any failed.
local function check(path)
  local entries, meta = nn.utils.load_safetensors(path)
  local sd, x, y, r, g = {}, {}, {}, {}, {}
  for _, e in ipairs(entries) do
    local kind, name = e[1]:match("^(%a)%.(.*)$")
    local t = e[2]
    if kind == "p" then sd[name] = t
    elseif kind == "x" then x[name] = t
    elseif kind == "y" then y[tonumber(name)] = t
    elseif kind == "r" then r[tonumber(name)] = t
    elseif kind == "g" then g[name] = t end
end
local grads = {}
for name in (meta.grads or ""):gmatch("[^,]+") do
  grads[#grads + 1] = name
  x[name]:requires_grad(true)
end

local env = setmetatable({ x = x }, { __index = _G })
local m = assert(load("return " .. meta.ctor, "=ctor", "t", env))()
if m ~= nil then
  m:load_state_dict(sd)
  if meta.eval == "1" then m:eval() end
end
env.m = m
local outs = table.pack(assert(load("return " .. meta.call, "=call", "t", env))())

local tol = 1e-4
local function compare(what, got, want)
  if got == nil then error(string.format("%s: %s missing", path, what)) end
  local gs, ws = table.concat(got:shape(), ","), table.concat(want:shape(), ",")
  if gs ~= ws then error(string.format("%s: %s has shape [%s], expected [%s]", path, what, gs, ws)) end
  local diff = (got:detach() - want):abs():max():item()
  if diff ~= diff or diff > tol then error(string.format("%s: %s differs by %g", path, what, diff)) end
end

if outs.n < #y then error(string.format("%s: the call returned %d values, expected %d", path, outs.n, #y)) end
local loss
for i = 1, #y do
  compare("output " .. i, outs[i], y[i])
  local term = (outs[i] * r[i]):sum()
  loss = loss and loss + term or term
end
if #grads > 0 then
  loss:backward()
  for _, name in ipairs(grads) do compare("gradient of " .. name, x[name].grad, g[name]) end
end
end

local failed = 0
for _, path in ipairs(arg) do
  local ok, err = pcall(check, path)
  if ok then print("ok " .. path) else failed = failed + 1; print("FAIL " .. tostring(err)) end
end
if failed > 0 then error(failed .. " fixture(s) failed") end
