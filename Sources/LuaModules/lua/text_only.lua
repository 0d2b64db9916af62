-- Precompiled Lua bytecode is not verified by Lua and can crash the VM, so `load`, `loadfile`
-- and `dofile` accept source text only (scripts never need bytecode). Run once by Runtime.
local load_, loadfile_ = load, loadfile
load = function(chunk, name, mode, env)
  if mode ~= nil and mode ~= "t" then error("load: only text chunks are allowed (mode 't')", 2) end
  if env == nil then return load_(chunk, name, "t") end
  return load_(chunk, name, "t", env)
end
loadfile = function(path, mode, env)
  if mode ~= nil and mode ~= "t" then error("loadfile: only text chunks are allowed (mode 't')", 2) end
  if env == nil then return loadfile_(path, "t") end
  return loadfile_(path, "t", env)
end
dofile = function(path)
  local f = assert(loadfile(path))
  return f()
end
-- require's Lua searcher, through the text-only loadfile.
package.searchers[2] = function(name)
  local path, err = package.searchpath(name, package.path)
  if not path then return err end
  local f, lerr = loadfile(path)
  if not f then error(string.format("error loading module '%s' from file '%s': %s", name, path, lerr), 2) end
  return f, path
end
