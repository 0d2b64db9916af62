---@meta
-- descent's `curvature` module for lua-language-server: Hessian spectrum estimates (top
-- eigenvalues, trace, diagonal, spectral density) from Hessian-vector products.
-- Reference: docs/lua-api/curvature.md.

---@class curvaturelib
curvature = {}

---The parameters a curvature function differentiates: a tensor, a list of tensors or a module.
---@alias curvature.Params Tensor|Tensor[]|nn.Module

---Options of `curvature.top_eigenvalues`.
---@class curvature.TopEigenvaluesOptions
---@field k? integer how many eigenvalues (default 1)
---@field iters? integer power iterations per eigenvalue at most (default 100)
---@field tol? number stop when the Rayleigh quotient changes by at most tol·|λ| (default 1e-4)
---@field seed? integer seed of the starting vectors (default 0)

---Options of `curvature.trace` and `curvature.diag`.
---@class curvature.HutchinsonOptions
---@field samples? integer Rademacher probes (default 100)
---@field seed? integer seed of the probes (default 0)

---Options of `curvature.density`.
---@class curvature.DensityOptions
---@field iters? integer Lanczos steps per run (default 30, at most the parameter count)
---@field runs? integer independent probes averaged (default 1)
---@field seed? integer seed of the probes (default 0)

---The k dominant Hessian eigenvalues and their unit eigenvectors (power iteration with deflation).
---@param loss_fn fun(): Tensor a one-element loss computed from `params`
---@param params curvature.Params
---@param opts? curvature.TopEigenvaluesOptions
---@return number[] values
---@return Tensor[][] vectors one list of tensors (shaped like params) per eigenvalue
function curvature.top_eigenvalues(loss_fn, params, opts) end

---Hutchinson's estimate of the Hessian trace and its standard error.
---@param loss_fn fun(): Tensor
---@param params curvature.Params
---@param opts? curvature.HutchinsonOptions
---@return number trace
---@return number stderr
function curvature.trace(loss_fn, params, opts) end

---Hutchinson's estimate of the Hessian diagonal, shaped like `params`.
---@param loss_fn fun(): Tensor
---@param params curvature.Params
---@param opts? curvature.HutchinsonOptions
---@return Tensor|Tensor[]
function curvature.diag(loss_fn, params, opts) end

---Stochastic Lanczos quadrature of the Hessian's spectral density: nodes and weights.
---@param loss_fn fun(): Tensor
---@param params curvature.Params
---@param opts? curvature.DensityOptions
---@return number[] nodes
---@return number[] weights
function curvature.density(loss_fn, params, opts) end
