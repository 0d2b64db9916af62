local co = coroutine.wrap(function()
  for i = 1, 200 do
    local ctor = optim.define{name = "my"..i, update = function(p, g, s) end}
  end
  return "ok"
end)
print(co())
