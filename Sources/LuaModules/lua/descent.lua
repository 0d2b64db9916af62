-- `require "descent"` returns a table holding every module. Receives the module names.
local d = {}
for _, name in ipairs({...}) do
  d[name] = rawget(_G, name)
end
package.loaded.descent = d
