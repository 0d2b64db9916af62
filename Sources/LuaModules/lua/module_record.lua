-- Records every module `require` loads from a file (Runtime.recordRequiredModules): the run's
-- config.json lists each path with the SHA-256 of its contents, so a resumed run can tell that
-- a module changed. Receives the Swift function that records a path.
local note = ...
local searcher = package.searchers[2]
package.searchers[2] = function(name)
  local loader, path = searcher(name)
  if type(loader) == "function" and type(path) == "string" then note(path) end
  return loader, path
end
