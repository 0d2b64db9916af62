-- luacheck configuration for every Lua file of descent (scripts/test runs `luacheck .`).
std = "lua54"
max_line_length = 160
exclude_files = { ".build/**", ".build-*/**", ".build_*/**", "runs/**", "out/**" }

-- descent's modules are globals in every script (docs/lua-api); `help` prints reference entries.
read_globals = {
  "tensor", "autograd", "nn", "optim", "data", "train", "experiment", "problems",
  "linalg", "curvature", "help",
}

-- The embedded libraries extend the module tables they are given, and a few replace standard
-- functions on purpose (text_only.lua: load/loadfile/dofile; sandbox.lua: io and os entries).
files["Sources/LuaModules/lua/"] = {
  globals = { "tensor", "autograd", "nn", "optim", "data", "train", "experiment", "problems",
              "linalg", "curvature", "load", "loadfile", "dofile", "package", "io", "os", "require",
              "print", "debug", "collectgarbage" },
}

-- lua-language-server stubs declare the modules and methods with empty bodies and documented
-- but unused parameters.
files["editor/luals/library/"] = {
  globals = { "tensor", "autograd", "nn", "optim", "data", "train", "experiment", "problems",
              "linalg", "curvature", "help", "descent" },
  unused_args = false,
  unused = false,
  max_line_length = false,
}
