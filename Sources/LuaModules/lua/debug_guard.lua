-- The `debug` library without the functions that can break descent (Runtime.restrictDebugLibrary;
-- `descent run --unsafe-debug` skips this). Receives the names of the functions kept.
-- setmetatable on a tensor userdata makes the bridge see a foreign object, setupvalue rewrites a
-- binding's upvalues, sethook removes the --timeout hook; the rest reach internals.
local full, safe = debug, {}
for _, name in ipairs({ ... }) do safe[name] = full[name] end
setmetatable(safe, { __index = function(_, key)
  if full[key] ~= nil then
    error("debug." .. tostring(key) .. " is not available: it can crash descent or lift its limits"
      .. " (run with --unsafe-debug to allow it)", 2)
  end
end })
debug = safe
package.loaded.debug = safe
