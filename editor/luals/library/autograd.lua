---@meta
-- descent's `autograd` module for lua-language-server. Reference: docs/lua-api/autograd.md.
-- The tensor side (requires_grad, backward, grad, detach) is in tensor.lua.

---Options of `autograd.gradcheck`.
---@class autograd.GradcheckOptions
---@field eps? number central-difference step (default 1e-3)
---@field atol? number absolute tolerance (default 1e-2)
---@field rtol? number relative tolerance (default 1e-2)

---The second result of `autograd.gradcheck`.
---@class autograd.GradcheckInfo
---@field max_abs_error number
---@field max_rel_error number
---@field detail string names the worst element

---@class autogradlib
autograd = {}

---Runs `fn()` without recording and returns all its results.
---@generic R
---@param fn fun(): R
---@return R
function autograd.no_grad(fn) end

---Whether operations are being recorded.
---@return boolean
function autograd.is_grad_enabled() end

---Turns NaN/infinity checks of every op and backward step on (default) or off; returns the
---previous setting.
---@param on? boolean
---@return boolean previous
function autograd.detect_anomaly(on) end

---The gradients of `outputs` with respect to `inputs` (nil for an input they do not depend on),
---without touching any `.grad`.
---@param outputs Tensor|Tensor[]
---@param inputs Tensor|Tensor[]
---@param grad_outputs? Tensor|Tensor[] weights for outputs with more than one element
---@return (Tensor?)[]
function autograd.grad(outputs, inputs, grad_outputs) end

---Compares the analytic gradients of `fn(inputs...)` with central differences.
---@param fn fun(...: Tensor): Tensor
---@param inputs Tensor|Tensor[]
---@param opts? autograd.GradcheckOptions
---@return boolean ok
---@return autograd.GradcheckInfo info
function autograd.gradcheck(fn, inputs, opts) end
