-- The Lua half of `optim`: `opt.param_groups` as live proxies (reads and writes go to the
-- optimizer, validated; a written `lr` applies from the next step).
local optim = ...

function optim._param_group_proxies(opt, n)
  -- Internal (opt.param_groups passes the group count); a script calling it with 2^31 would
  -- fill memory up to --max-memory, which ends the run.
  if math.type(n) ~= "integer" or n < 0 or n > 65536 then
    error("optim._param_group_proxies: internal helper, expected a group count in 0..65536", 2)
  end
  local groups = {}
  for i = 1, n do
    groups[i] = setmetatable({}, {
      __index = function(_, key) return opt:_get_option(i, key) end,
      __newindex = function(_, key, value) opt:_set_option(i, key, value) end,
      __pairs = function()
        local keys = opt:_option_keys()
        keys[#keys + 1] = "params"
        local j = 0
        return function()
          j = j + 1
          local key = keys[j]
          if key ~= nil then return key, opt:_get_option(i, key) end
        end
      end,
    })
  end
  return groups
end
