-- The Lua half of `descent run --sandbox` (Sandbox.swift): wrappers over io.open, io.lines,
-- loadfile, dofile, require and friends that ask the Swift policy (`check_path`) before touching
-- a file. Receives the policy function and the script folder.
local check_path, script_dir = ...
-- Raises at the line of the script that called the wrapped function.
local function check(path, write)
  local message = check_path(path, write)
  if message then error(message, 3) end
end
local function forbidden(name)
  return function() error(name .. " is not allowed in --sandbox", 2) end
end
local function writes(mode) return mode ~= nil and mode:find("[wa+]") ~= nil end

local open, lines, input, output = io.open, io.lines, io.input, io.output
io.open = function(path, mode)
  if type(path) == "string" then check(path, writes(mode)) end
  return open(path, mode)
end
io.lines = function(path, ...)
  if type(path) == "string" then check(path, false) end
  return lines(path, ...)
end
io.input = function(f) if type(f) == "string" then check(f, false) end return input(f) end
io.output = function(f) if type(f) == "string" then check(f, true) end return output(f) end
io.popen = forbidden("io.popen")

local loadfile_, dofile_ = loadfile, dofile
loadfile = function(path, ...) if path ~= nil then check(path, false) end return loadfile_(path, ...) end
dofile = function(path) if path ~= nil then check(path, false) end return dofile_(path) end

os.execute = forbidden("os.execute")
os.exit = forbidden("os.exit")
local remove, rename = os.remove, os.rename
os.remove = function(path) check(path, true) return remove(path) end
os.rename = function(a, b) check(a, true) check(b, true) return rename(a, b) end
os.tmpname = forbidden("os.tmpname")
os.getenv = function() return nil end

package.loadlib = forbidden("package.loadlib")
package.cpath = ""
package.path = script_dir .. "/?.lua;" .. script_dir .. "/?/init.lua"
-- Keep the preload and Lua searchers; drop the C ones.
package.searchers = { package.searchers[1], package.searchers[2] }
-- debug can remove the --timeout hook and rewrite metatables.
debug = nil
package.loaded.debug = nil
collectgarbage = (function(cg)
  return function(opt, ...)
    if opt == nil or opt == "collect" or opt == "count" or opt == "step" then return cg(opt, ...) end
    error("collectgarbage('" .. tostring(opt) .. "') is not allowed in --sandbox", 2)
  end
end)(collectgarbage)
