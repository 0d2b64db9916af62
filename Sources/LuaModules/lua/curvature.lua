-- curvature: Hessian spectrum estimates for optimizer research (cf. PyHessian, Cockpit):
-- top_eigenvalues, trace, diag, density (docs/lua-api/curvature.md). Every product with the
-- Hessian is a double backward (the one autograd.hvp runs); the loss is evaluated and
-- differentiated with create_graph once per call, and the recorded gradient is reused for every
-- product (retain_graph).
local curvature = ...

local function fail(level, fmt, ...)
  error(string.format(fmt, ...), level + 1)
end

local function options(fname, opts, allowed)
  if opts == nil then return {} end
  if type(opts) ~= "table" then fail(3, "%s: argument 3 (options) expected a table, got %s", fname, type(opts)) end
  for k in pairs(opts) do
    if not allowed[k] then
      local names = {}
      for name in pairs(allowed) do names[#names + 1] = name end
      table.sort(names)
      fail(3, "%s: unknown option '%s' (valid: %s)", fname, tostring(k), table.concat(names, ", "))
    end
  end
  return opts
end

local function positive_integer(fname, opts, key, default)
  local v = opts[key]
  if v == nil then return default end
  if math.type(v) ~= "integer" or v < 1 then
    fail(3, "%s: option '%s' expected a positive integer, got %s", fname, key, tostring(v))
  end
  return v
end

local function positive_number(fname, opts, key, default)
  local v = opts[key]
  if v == nil then return default end
  -- v ~= v: NaN is not positive either.
  if type(v) ~= "number" or v ~= v or v <= 0 then
    fail(3, "%s: option '%s' expected a positive number, got %s", fname, key, tostring(v))
  end
  return v
end

-- The parameters as a list of tensors: a tensor, a list of tensors, or a module (:parameters()).
local function param_list(fname, params)
  if tensor.is_tensor(params) then return { params } end
  if type(params) == "table" and type(params.parameters) == "function" then params = params:parameters() end
  if type(params) ~= "table" or #params == 0 then
    fail(3, "%s: argument 2 (params) expected a tensor, a non-empty list of tensors or a module, got %s", fname, type(params))
  end
  for i, p in ipairs(params) do
    if not tensor.is_tensor(p) then fail(3, "%s: params entry %d expected a tensor, got %s", fname, i, type(p)) end
  end
  return params
end

-- A function v -> H·v (v and the result: lists like params) and the loss value. The loss and
-- its gradient are recorded once; each product differentiates <grad, v> again.
local function hessian_operator(fname, loss_fn, params)
  if type(loss_fn) ~= "function" then fail(3, "%s: argument 1 (loss_fn) expected a function, got %s", fname, type(loss_fn)) end
  local loss = loss_fn()
  if not tensor.is_tensor(loss) or loss:numel() ~= 1 then
    local got = tensor.is_tensor(loss) and "a tensor of " .. loss:numel() .. " elements" or type(loss)
    fail(3, "%s: loss_fn must return a one-element tensor, got %s", fname, got)
  end
  local grads = autograd.grad(loss, params, { create_graph = true, allow_unused = true })
  local function apply(v)
    local dot
    for i, g in ipairs(grads) do
      if g ~= nil and g:requires_grad() then
        local term = (g * v[i]):sum()
        dot = dot and dot + term or term
      end
    end
    local out = {}
    if dot == nil then
      for i, p in ipairs(params) do out[i] = tensor.zeros(p:shape()) end
      return out
    end
    local hv = autograd.grad(dot, params, { retain_graph = true, allow_unused = true })
    for i, p in ipairs(params) do out[i] = hv[i] or tensor.zeros(p:shape()) end
    return out
  end
  return apply, loss:item()
end

-- Vector helpers over lists of tensors.
local function dot(a, b)
  local s = 0
  for i = 1, #a do s = s + (a[i] * b[i]):sum():item() end
  return s
end

local function scale(a, c)
  local out = {}
  for i = 1, #a do out[i] = a[i] * c end
  return out
end

local function axpy(y, c, x) -- y + c·x
  local out = {}
  for i = 1, #y do out[i] = y[i] + x[i] * c end
  return out
end

local function normalize(a)
  local n = math.sqrt(dot(a, a))
  if n == 0 then return a, 0 end
  return scale(a, 1 / n), n
end

-- Runs fn with the default generator seeded with `seed` and restores it afterwards, so the
-- probes are a function of the seed and the script's random stream is not disturbed.
local function with_seed(seed, fn)
  local saved_seed, saved_offset = experiment._rng_state()
  tensor.manual_seed(seed)
  local ok, result = pcall(fn)
  experiment._set_rng_state(saved_seed, saved_offset)
  if not ok then error(result, 0) end
  return result
end

local function rademacher(params)
  local v = {}
  for i, p in ipairs(params) do v[i] = (tensor.rand(p:shape()) - 0.5):sign() end
  return v
end

local function gaussian(params)
  local v = {}
  for i, p in ipairs(params) do v[i] = tensor.randn(p:shape()) end
  return v
end

local function seed_of(fname, opts)
  local s = opts.seed
  if s == nil then return 0 end
  if math.type(s) ~= "integer" then fail(3, "%s: option 'seed' expected an integer, got %s", fname, tostring(s)) end
  return s
end

--- The k largest eigenvalues (algebraically, for a Hessian whose dominant eigenvalues are
--- positive: power iteration finds the largest magnitude) and their eigenvectors, by power
--- iteration with deflation against the eigenvectors already found.
function curvature.top_eigenvalues(loss_fn, params, opts)
  local fname = "curvature.top_eigenvalues"
  opts = options(fname, opts, { k = true, iters = true, tol = true, seed = true })
  params = param_list(fname, params)
  local k = positive_integer(fname, opts, "k", 1)
  local iters = positive_integer(fname, opts, "iters", 100)
  local tol = positive_number(fname, opts, "tol", 1e-4)
  local seed = seed_of(fname, opts)
  local n = 0
  for _, p in ipairs(params) do n = n + p:numel() end
  if k > n then fail(2, "%s: option 'k' (%d) exceeds the number of parameters (%d)", fname, k, n) end
  local hvp = hessian_operator(fname, loss_fn, params)
  local values, vectors = {}, {}
  local function deflate(v)
    for _, u in ipairs(vectors) do v = axpy(v, -dot(u, v), u) end
    return v
  end
  for j = 1, k do
    local v = normalize(deflate(with_seed(seed + j - 1, function() return gaussian(params) end)))
    local lambda
    for _ = 1, iters do
      local hv = hvp(v)
      local new = dot(hv, v)
      local w, norm = normalize(deflate(hv))
      local converged = lambda ~= nil and math.abs(new - lambda) <= tol * (math.abs(lambda) + 1e-12)
      lambda = new
      if norm == 0 then break end
      v = w
      if converged then break end
    end
    values[j], vectors[j] = lambda, v
  end
  return values, vectors
end

--- Hutchinson's estimate of tr(H): the mean of vᵀHv over Rademacher probes v. Returns the
--- estimate and its standard error.
function curvature.trace(loss_fn, params, opts)
  local fname = "curvature.trace"
  opts = options(fname, opts, { samples = true, seed = true })
  params = param_list(fname, params)
  local samples = positive_integer(fname, opts, "samples", 100)
  local seed = seed_of(fname, opts)
  local hvp = hessian_operator(fname, loss_fn, params)
  local sum, sumsq = 0, 0
  for s = 1, samples do
    local v = with_seed(seed + s - 1, function() return rademacher(params) end)
    local q = dot(v, hvp(v))
    sum, sumsq = sum + q, sumsq + q * q
  end
  local mean = sum / samples
  local var = samples > 1 and math.max(sumsq - samples * mean * mean, 0) / (samples - 1) or 0
  return mean, math.sqrt(var / samples)
end

--- Hutchinson's estimate of diag(H): the mean of v ⊙ Hv over Rademacher probes, as a list of
--- tensors shaped like params (a tensor when params is one tensor).
function curvature.diag(loss_fn, params, opts)
  local fname = "curvature.diag"
  opts = options(fname, opts, { samples = true, seed = true })
  local single = tensor.is_tensor(params)
  params = param_list(fname, params)
  local samples = positive_integer(fname, opts, "samples", 100)
  local seed = seed_of(fname, opts)
  local hvp = hessian_operator(fname, loss_fn, params)
  local acc = {}
  for i, p in ipairs(params) do acc[i] = tensor.zeros(p:shape()) end
  for s = 1, samples do
    local v = with_seed(seed + s - 1, function() return rademacher(params) end)
    local hv = hvp(v)
    for i = 1, #params do acc[i] = acc[i] + v[i] * hv[i] end
  end
  for i = 1, #acc do acc[i] = acc[i] / samples end
  if single then return acc[1] end
  return acc
end

-- Eigenvalues and eigenvectors of a small symmetric matrix (a table of rows) by cyclic Jacobi
-- rotations: returns values (ascending) and the matrix of eigenvectors (columns), as tables.
local function jacobi_eigen(a)
  local n = #a
  local v = {}
  for i = 1, n do
    v[i] = {}
    for j = 1, n do v[i][j] = i == j and 1 or 0 end
  end
  for _ = 1, 100 do
    local off = 0
    for i = 1, n do for j = i + 1, n do off = off + a[i][j] * a[i][j] end end
    if off < 1e-22 then break end
    for p = 1, n - 1 do
      for q = p + 1, n do
        if math.abs(a[p][q]) > 1e-300 then
          local theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
          local t = (theta >= 0 and 1 or -1) / (math.abs(theta) + math.sqrt(theta * theta + 1))
          local c = 1 / math.sqrt(t * t + 1)
          local s = t * c
          for r = 1, n do
            local arp, arq = a[r][p], a[r][q]
            a[r][p], a[r][q] = c * arp - s * arq, s * arp + c * arq
          end
          for r = 1, n do
            local apr, aqr = a[p][r], a[q][r]
            a[p][r], a[q][r] = c * apr - s * aqr, s * apr + c * aqr
          end
          for r = 1, n do
            local vrp, vrq = v[r][p], v[r][q]
            v[r][p], v[r][q] = c * vrp - s * vrq, s * vrp + c * vrq
          end
        end
      end
    end
  end
  local order = {}
  for i = 1, n do order[i] = i end
  table.sort(order, function(x, y) return a[x][x] < a[y][y] end)
  local values, vectors = {}, {}
  for k, i in ipairs(order) do
    values[k] = a[i][i]
    for r = 1, n do
      vectors[r] = vectors[r] or {}
      vectors[r][k] = v[r][i]
    end
  end
  return values, vectors
end

--- Stochastic Lanczos quadrature: the Hessian's spectral density as nodes (Ritz values) and
--- weights (squared first components of the Ritz vectors, averaged over `runs` probes; they sum
--- to 1). `iters` Lanczos steps per run, with full reorthogonalization.
function curvature.density(loss_fn, params, opts)
  local fname = "curvature.density"
  opts = options(fname, opts, { iters = true, runs = true, seed = true })
  params = param_list(fname, params)
  local iters = positive_integer(fname, opts, "iters", 30)
  local runs = positive_integer(fname, opts, "runs", 1)
  local seed = seed_of(fname, opts)
  local n = 0
  for _, p in ipairs(params) do n = n + p:numel() end
  iters = math.min(iters, n)
  local hvp = hessian_operator(fname, loss_fn, params)
  local nodes, weights = {}, {}
  for run = 1, runs do
    local v = normalize(with_seed(seed + run - 1, function() return rademacher(params) end))
    local basis, alpha, beta = { v }, {}, {}
    local m = iters
    for j = 1, iters do
      local w = hvp(basis[j])
      alpha[j] = dot(w, basis[j])
      -- Full reorthogonalization against every basis vector (twice is enough in floating point).
      for _ = 1, 2 do
        for _, u in ipairs(basis) do w = axpy(w, -dot(u, w), u) end
      end
      if j == iters then break end
      local b
      w, b = normalize(w)
      if b < 1e-10 then m = j; break end
      beta[j] = b
      basis[j + 1] = w
    end
    local t = {}
    for i = 1, m do
      t[i] = {}
      for j = 1, m do t[i][j] = 0 end
      t[i][i] = alpha[i]
    end
    for i = 1, m - 1 do t[i][i + 1], t[i + 1][i] = beta[i], beta[i] end
    local values, vectors = jacobi_eigen(t)
    for k = 1, m do
      nodes[#nodes + 1] = values[k]
      weights[#weights + 1] = vectors[1][k] * vectors[1][k] / runs
    end
  end
  return nodes, weights
end

return curvature
