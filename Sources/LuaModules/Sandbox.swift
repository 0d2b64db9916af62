import Foundation
import LuaHost

/// `descent run --sandbox`: no processes, no C code, file access only under the script's folder
/// and the run directory — for Lua's own `io`/`os`/`require` and for descent's loaders alike.
///
/// The policy lives in Swift (`FileAccessPolicy`) and is consulted by Lua wrappers installed
/// over `io.open` and friends, and directly by the data and checkpoint bindings.
public struct FileAccessPolicy {
    /// Real paths of the folders a sandboxed script may touch; nil when not sandboxed.
    public let roots: [String]?

    public static let unrestricted = FileAccessPolicy(roots: nil)

    public init(roots: [String]?) {
        self.roots = roots?.map { FileAccessPolicy.resolve($0) ?? $0 }
    }

    /// Throws unless `path` lies under one of the roots (after resolving `..` and symlinks).
    public func check(_ path: String, write: Bool) throws {
        guard let roots else { return }
        guard let real = FileAccessPolicy.resolve(path) else {
            throw LuaError("--sandbox: cannot resolve path '\(path)'")
        }
        for root in roots where real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/") { return }
        throw LuaError("--sandbox: access to '\(path)' is not allowed (only under \(roots.joined(separator: " and ")))")
    }

    /// The real path of `path`, or of its parent folder plus its last component when the file
    /// does not exist yet (a file about to be written).
    /// A symbolic link whose target does not exist is not resolvable: opening it for writing
    /// would create its target, wherever that is.
    static func resolve(_ path: String) -> String? {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if let p = realpath(absolute, nil) { defer { free(p) }; return String(cString: p) }
        var info = stat()
        if lstat(absolute, &info) == 0 { return nil }  // it exists (a dangling link, a loop) yet has no real path
        let url = URL(fileURLWithPath: absolute)
        let parent = url.deletingLastPathComponent().path
        guard let p = realpath(parent, nil) else { return nil }
        defer { free(p) }
        return String(cString: p) + "/" + url.lastPathComponent
    }
}

extension Runtime {
    /// Checks a path that descent itself is about to read or write for the script.
    func checkFileAccess(_ path: String, write: Bool) throws {
        try context.fileAccess.check(path, write: write)
    }

    /// Replaces the unsafe parts of the standard library. Runs after every module is installed.
    func installSandbox(scriptDirectory: String) throws {
        try host.load(string: sandboxSource, name: "=sandbox")
        host.pushFunction("sandbox") { [unowned self] L in
            let path = try L.string(1, "path")
            do {
                try self.context.fileAccess.check(path, write: L.type(2) == LUA_TYPE_BOOLEAN && (try L.boolean(2, "write")))
                return 0
            } catch {
                L.push("\(error)")  // the Lua wrapper raises it at the script's line
                return 1
            }
        }
        host.state.push(scriptDirectory)
        try host.call(nargs: 2, nresults: 0)
    }
}

private let sandboxSource = #"""
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
"""#
