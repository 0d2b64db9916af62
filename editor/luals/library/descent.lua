---@meta descent
-- `require "descent"`: a table holding the global modules.

---@class descent
---@field tensor tensorlib
---@field autograd autogradlib
---@field linalg linalglib
---@field nn nnlib
---@field optim optimlib
---@field data datalib
---@field train trainlib
---@field experiment experimentlib
---@field problems problemslib
local descent = {}

return descent
