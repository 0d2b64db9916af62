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
---@param opts? autograd.GradOptions
---@return (Tensor?)[]
---@overload fun(outputs: Tensor|Tensor[], inputs: Tensor|Tensor[], opts: autograd.GradOptions): (Tensor?)[]
function autograd.grad(outputs, inputs, grad_outputs, opts) end

---Compares the analytic gradients of `fn(inputs...)` with central differences.
---@param fn fun(...: Tensor): Tensor
---@param inputs Tensor|Tensor[]
---@param opts? autograd.GradcheckOptions
---@return boolean ok
---@return autograd.GradcheckInfo info
function autograd.gradcheck(fn, inputs, opts) end

---Options of `autograd.grad`.
---@class autograd.GradOptions
---@field create_graph? boolean record the backward pass so the gradients can be differentiated again (default false)
---@field retain_graph? boolean keep the graph for another backward (default: create_graph)
---@field allow_unused? boolean nil for inputs the outputs do not use; false makes that an error (default true)

---`f`'s value and the Hessian-vector product `H·v` (like `inputs`), by double backward.
---@param f fun(...: Tensor): Tensor a one-element loss of its arguments
---@param inputs Tensor|Tensor[]
---@param v Tensor|Tensor[] one direction per input
---@return Tensor value
---@return Tensor|Tensor[] hvp
function autograd.hvp(f, inputs, v) end

---`f`'s value and the vector-Jacobian product `vᵀ·∂f/∂x` (like `inputs`).
---@param f fun(...: Tensor): Tensor
---@param inputs Tensor|Tensor[]
---@param v? Tensor of `f`'s output shape (optional for a one-element output)
---@return Tensor value
---@return Tensor|Tensor[] vjp
function autograd.vjp(f, inputs, v) end

---`f`'s value and the Jacobian-vector product `∂f/∂x · v`.
---@param f fun(...: Tensor): Tensor
---@param inputs Tensor|Tensor[]
---@param v Tensor|Tensor[] one direction per input
---@return Tensor value
---@return Tensor jvp
function autograd.jvp(f, inputs, v) end

---The Hessian of a one-element `f`: a tensor of shape `S..S` for one input of shape `S`, else
---`H[i][j]` of shape `inputs[i]:shape()..inputs[j]:shape()` (at most 4096 input elements).
---@param f fun(...: Tensor): Tensor
---@param inputs Tensor|Tensor[]
---@return Tensor|Tensor[][]
function autograd.hessian(f, inputs) end

---Second-order gradcheck: finite differences of the recorded gradient against double backward.
---@param fn fun(...: Tensor): Tensor
---@param inputs Tensor|Tensor[]
---@param opts? autograd.GradcheckOptions
---@return boolean ok
---@return autograd.GradcheckInfo info
function autograd.gradgradcheck(fn, inputs, opts) end

---A handle returned by `Tensor:register_hook`.
---@class HookHandle
local HookHandle = {}

---Turns the hook off.
function HookHandle:remove() end
