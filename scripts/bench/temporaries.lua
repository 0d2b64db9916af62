-- Memory stays flat while a loop makes 256x256 temporaries (Lua's GC is told about tensor
-- memory). Compare peak RSS for 2k and 20k iterations:
--   /usr/bin/time -v ./scripts/descent run scripts/bench/temporaries.lua -- 2000
--   /usr/bin/time -v ./scripts/descent run scripts/bench/temporaries.lua -- 20000
local n = tonumber(arg[1]) or 20000
local a = tensor.randn(256, 256)
for _ = 1, n do
  local b = (a + 1) * 2
  local _ = b:relu():sum()
end
print("iterations", n)
