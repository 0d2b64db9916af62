-- The Lua half of `descent run --sandbox` (Sandbox.swift): wrappers over io.open, io.lines,
-- loadfile, dofile, require and friends that ask the Swift policy (`check_path`) before touching
-- a file. Receives the policy function and the script folder.
local check_path, script_dir = ...
-- Raises at the line of the script that called the wrapped function.
local function check(path, write)
  -- Only strings: io.open(4242, "w") would turn the number into a file name after the check.
  if type(path) ~= "string" then error("--sandbox: a file name must be a string, got " .. type(path), 3) end
  local message = check_path(path, write)
  if message then error(message, 3) end
end
-- io.input/io.output also take an open file.
local function check_file_or_name(f, write)
  if f ~= nil and io.type(f) == nil then check(f, write) end
end
local function forbidden(name)
  return function() error(name .. " is not allowed in --sandbox", 2) end
end
local function writes(mode) return mode ~= nil and mode:find("[wa+]") ~= nil end

local open, lines, input, output = io.open, io.lines, io.input, io.output
io.open = function(path, mode)
  check(path, writes(mode))
  return open(path, mode)
end
io.lines = function(path, ...)
  if path ~= nil then check(path, false) end
  return lines(path, ...)
end
io.input = function(f) check_file_or_name(f, false) return input(f) end
io.output = function(f) check_file_or_name(f, true) return output(f) end
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
-- searchpath tries only files the sandbox allows, so it cannot tell whether /etc/x exists.
package.searchpath = function(name, path, sep, rep)
  if type(name) ~= "string" or type(path) ~= "string" then error("package.searchpath: expected strings", 2) end
  if sep ~= "" then name = name:gsub((sep or "."):gsub("%p", "%%%0"), ((rep or "/"):gsub("%%", "%%%%"))) end
  local tried = {}
  for template in path:gmatch("[^;]+") do
    local candidate = template:gsub("%?", (name:gsub("%%", "%%%%")))
    if check_path(candidate, false) == nil then
      local f = open(candidate, "r")
      if f then f:close() return candidate end
    end
    tried[#tried + 1] = "\n\tno file '" .. candidate .. "'"
  end
  return nil, table.concat(tried)
end
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
