-- The Lua half of `optim`: `opt.param_groups` as live proxies (reads and writes go to the
-- optimizer, validated; a written `lr` applies from the next step).
local optim = ...

function optim._param_group_proxies(opt, n)
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
