-- data: the Lua half of the data module (the Swift half is DataModule.swift and
-- DataTextModule.swift): loaders over any dataset object, per-sample transforms, character-level
-- text and its window loader, and synthetic modular arithmetic.
--
-- Randomness here never touches the global generator: every draw is a pure function of
-- (seed, epoch or step, sample, draw number) through a splitmix64 hash, so batches are the same
-- on every run, for any thread count, and a loader resumed from its state sees exactly the
-- batches an uninterrupted run would.
local data = ...

local tensor_loader = data.loader

local function fail(level, fmt, ...)
  error(string.format(fmt, ...), level + 1)
end

local function describe(v)
  if type(v) == "number" then return tostring(v) end
  if type(v) == "string" then return string.format("%q", v) end
  return type(v)
end

-- Checks an options table against `spec` (key -> Lua type, "integer" or "tensor").
local function check_options(level, owner, opts, spec)
  if opts == nil then return {} end
  if type(opts) ~= "table" then fail(level + 1, "%s: expected an options table, got %s", owner, type(opts)) end
  for k, v in pairs(opts) do
    local want = spec[k]
    if want == nil then
      local names = {}
      for name in pairs(spec) do names[#names + 1] = name end
      table.sort(names)
      fail(level + 1, "%s: unknown option '%s' (valid: %s)", owner, tostring(k), table.concat(names, ", "))
    end
    local ok = (want == "integer" and math.type(v) == "integer") or (want == "any")
      or (want == "tensor" and tensor.is_tensor(v)) or type(v) == want
    if not ok then fail(level + 1, "%s: option '%s' expected %s, got %s", owner, k,
      want == "integer" and "an integer" or want, describe(v)) end
  end
  return opts
end

-- Counter-based randomness ---------------------------------------------------------------------

-- splitmix64's finaliser (Lua integers wrap around on overflow, as the algorithm needs).
local function mix(z)
  z = (z ~ (z >> 30)) * 0xbf58476d1ce4e5b9
  z = (z ~ (z >> 27)) * 0x94d049bb133111eb
  return z ~ (z >> 31)
end

-- A uniform number in [0, 1) that depends only on the integer keys.
local function hash_uniform(a, b, c, d)
  local h = mix(a + 0x9e3779b97f4a7c15)
  h = mix(h ~ (b + 0x632be59bd9b4e019))
  h = mix(h ~ (c + 0x3c6ef372fe94f82a))
  h = mix(h ~ (d or 0))
  return (h >> 11) * 2.0 ^ -53
end

-- The generator handed to a transform: draws number k of sample `index` in epoch `epoch`.
local Generator = {}
Generator.__index = Generator
data._Generator = Generator   -- for the reference tests, which list its methods

local function generator(seed, epoch, index)
  return setmetatable({ seed = seed, epoch = epoch, index = index, count = 0 }, Generator)
end

--- rng:uniform() -> a number in [0, 1)
function Generator:uniform()
  self.count = self.count + 1
  return hash_uniform(self.seed, self.epoch, self.index, self.count)
end

--- rng:integer(lo, hi) -> an integer in lo..hi (both included)
function Generator:integer(lo, hi)
  return lo + math.floor(self:uniform() * (hi - lo + 1))
end

-- Transforms -----------------------------------------------------------------------------------

local transforms = {}
data.transforms = transforms

-- Height and width of an image tensor [..., H, W].
local function image_size(level, owner, x)
  if not tensor.is_tensor(x) or x:dim() < 2 then
    fail(level + 1, "%s: expected an image tensor [..., H, W], got %s", owner,
      tensor.is_tensor(x) and ("shape [" .. table.concat(x:shape(), ", ") .. "]") or type(x))
  end
  return x:size(-2), x:size(-1)
end

local function size_pair(level, owner, v)
  if math.type(v) == "integer" and v >= 1 then return v, v end
  if type(v) == "table" and #v == 2 and math.type(v[1]) == "integer" and math.type(v[2]) == "integer"
    and v[1] >= 1 and v[2] >= 1 then
    return v[1], v[2]
  end
  fail(level + 1, "%s: expected size as a positive integer or {height, width}, got %s", owner, describe(v))
end

-- x [..., H, W] with `pad` zeros added on every side of the last two dimensions.
local function zero_pad(x, pad)
  if pad == 0 then return x end
  local shape = x:shape()
  local h, w = shape[#shape - 1], shape[#shape]
  shape[#shape - 1], shape[#shape] = h + 2 * pad, w + 2 * pad
  local out = tensor.zeros(shape)
  out:narrow(-2, pad + 1, h):narrow(-1, pad + 1, w):copy_(x)
  return out
end

-- A random h x w window of `x` zero-padded by `pad` (the window may reach into the padding).
local function crop(owner, x, rng, h, w, pad)
  local H, W = image_size(3, owner, x)
  if h > H + 2 * pad or w > W + 2 * pad then
    fail(3, "%s: crop %dx%d is larger than the padded image %dx%d", owner, h, w, H + 2 * pad, W + 2 * pad)
  end
  local padded = zero_pad(x, pad)
  local top = rng:integer(0, H + 2 * pad - h)
  local left = rng:integer(0, W + 2 * pad - w)
  return padded:narrow(-2, top + 1, h):narrow(-1, left + 1, w):contiguous()
end

--- data.transforms.random_crop(size[, {padding = 0}]) -> transform: a random size x size (or
--- {h, w}) window of the image [..., H, W] after zero-padding each side by `padding`.
function transforms.random_crop(size, opts)
  local owner = "data.transforms.random_crop"
  local h, w = size_pair(2, owner, size)
  opts = check_options(2, owner, opts, { padding = "integer" })
  local pad = opts.padding or 0
  if pad < 0 then fail(2, "%s: option 'padding' expected an integer >= 0, got %d", owner, pad) end
  return function(x, rng) return crop(owner, x, rng, h, w, pad) end
end

--- data.transforms.random_shift(max_shift) -> transform: translates the image by up to
--- max_shift pixels along each axis (uniform, independent), filling with zeros.
function transforms.random_shift(max_shift)
  local owner = "data.transforms.random_shift"
  if math.type(max_shift) ~= "integer" or max_shift < 0 then
    fail(2, "%s: expected max_shift as an integer >= 0, got %s", owner, describe(max_shift))
  end
  return function(x, rng)
    local H, W = image_size(2, owner, x)
    return crop(owner, x, rng, H, W, max_shift)
  end
end

--- data.transforms.horizontal_flip([p = 0.5]) -> transform: mirrors the image left-right with
--- probability p.
function transforms.horizontal_flip(p)
  local owner = "data.transforms.horizontal_flip"
  if p == nil then p = 0.5 end
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then
    fail(2, "%s: expected p in [0, 1], got %s", owner, describe(p))
  end
  return function(x, rng)
    local _, W = image_size(2, owner, x)
    if rng:uniform() >= p then return x end
    return x:index_select(x:dim(), tensor.arange(W, 0, -1))
  end
end

-- mean or std: a number, or one number per channel ({0.5, 0.5, 0.5}).
local function per_channel(level, owner, what, v, positive)
  local values = type(v) == "number" and { v } or v
  if type(values) ~= "table" or #values == 0 then
    fail(level + 1, "%s: expected %s as a number or a list of numbers, got %s", owner, what, describe(v))
  end
  for i, m in ipairs(values) do
    if type(m) ~= "number" or m ~= m or (positive and m <= 0) then
      fail(level + 1, "%s: %s entry %d expected a %snumber, got %s", owner, what, i, positive and "positive " or "", describe(m))
    end
  end
  return values
end

--- data.transforms.normalize(mean, std) -> transform: (x - mean) / std, with numbers or one
--- value per channel (dimension 1 of an image [C, H, W]).
function transforms.normalize(mean, std)
  local owner = "data.transforms.normalize"
  local m = per_channel(2, owner, "mean", mean, false)
  local s = per_channel(2, owner, "std", std, true)
  if #m ~= #s then fail(2, "%s: mean has %d entries but std has %d", owner, #m, #s) end
  local channels = #m
  local mt, st = tensor.from(m), tensor.from(s)
  return function(x)
    if not tensor.is_tensor(x) then fail(2, "%s: expected a tensor, got %s", owner, type(x)) end
    if channels == 1 then return (x - m[1]) / s[1] end
    if x:dim() < 1 or x:size(1) ~= channels then
      fail(2, "%s: expected %d channels in dimension 1, got shape [%s]", owner, channels, table.concat(x:shape(), ", "))
    end
    local view = { channels }
    for _ = 2, x:dim() do view[#view + 1] = 1 end
    return (x - mt:view(view)) / st:view(view)
  end
end

--- data.transforms.compose{t1, t2, ...} -> transform: applies t1, then t2, ... (each a function
--- (x, rng) -> x').
function transforms.compose(list)
  local owner = "data.transforms.compose"
  if type(list) ~= "table" then fail(2, "%s: expected a list of transforms, got %s", owner, type(list)) end
  local fns = {}
  for i, t in ipairs(list) do
    if type(t) ~= "function" then fail(2, "%s: entry %d expected a transform (a function), got %s", owner, i, type(t)) end
    fns[i] = t
  end
  return function(x, rng)
    for _, t in ipairs(fns) do x = t(x, rng) end
    return x
  end
end

-- Loaders over dataset objects -----------------------------------------------------------------

-- Stacks a list of samples into one batch: tensors along a new first dimension, numbers into a
-- 1-d tensor, tables field by field.
local function collate(level, samples)
  local first = samples[1]
  if tensor.is_tensor(first) then
    for i, s in ipairs(samples) do
      if not tensor.is_tensor(s) then fail(level + 1, "data.loader: sample %d is a %s, sample 1 a tensor", i, type(s)) end
    end
    local ok, batch = pcall(tensor.stack, samples, 1)
    if not ok then fail(level + 1, "data.loader: cannot stack the samples of a batch: %s", tostring(batch)) end
    return batch
  end
  if type(first) == "number" then
    for i, s in ipairs(samples) do
      if type(s) ~= "number" then fail(level + 1, "data.loader: sample %d is a %s, sample 1 a number", i, type(s)) end
    end
    return tensor.from(samples)
  end
  if type(first) == "table" then
    local out = {}
    for k in pairs(first) do
      local column = {}
      for i, s in ipairs(samples) do
        if type(s) ~= "table" or s[k] == nil then
          fail(level + 1, "data.loader: sample %d has no field %s (sample 1 has)", i, tostring(k))
        end
        column[i] = s[k]
      end
      out[k] = collate(level + 1, column)
    end
    return out
  end
  fail(level + 1, "data.loader: expected samples that are tensors, numbers or tables of them, got %s", type(first))
end

local DatasetLoader = {}
DatasetLoader.__index = DatasetLoader
DatasetLoader.__len = function(self) return #self.indices end
DatasetLoader.__name = "dataset_loader"
DatasetLoader.__tostring = function(self)
  local l = self.indices
  return string.format("loader(dataset of %d samples, batch_size = %d, batches = %d, shuffle = %s)",
    self.rows, self.batch_size, #l, tostring(self.shuffle))
end

local function dataset_sample(self, i)
  local ds = self.dataset
  local get = type(ds) == "table" and rawget(ds, "get") or nil
  if get == nil then
    local mt = getmetatable(ds)
    local index = type(mt) == "table" and mt.__index
    if type(index) == "table" and type(index.get) == "function" then get = index.get end
  end
  local s
  if get ~= nil then s = get(ds, i) else s = ds[i] end
  if s == nil then fail(4, "data.loader: the dataset returned nil for sample %d of %d", i, self.rows) end
  return s
end

-- The sample with the transform applied to its input (the sample itself, its first entry or
-- its field `x`); tables are copied, never changed in place.
local function transformed(self, s, i, epoch)
  local t = self.transform
  if t == nil then return s end
  local rng = generator(self.seed, epoch, i)
  if type(s) ~= "table" then return t(s, rng) end
  local copy = {}
  for k, v in pairs(s) do copy[k] = v end
  local key = copy[1] ~= nil and 1 or "x"
  if copy[key] == nil then fail(4, "data.loader: a transform needs samples with an entry 1 or a field x") end
  copy[key] = t(copy[key], rng)
  return copy
end

--- loader:iter() -> the next epoch's iterator; each call returns the batch (xb, yb, ... for
--- samples {x, y, ...}; one tensor for tensor samples; a table for samples with named fields).
function DatasetLoader:iter()
  local it = self.indices:iter()
  local epoch = self.indices:state().epoch
  return function()
    local idx = it()
    if idx == nil then return nil end
    local samples = {}
    for k = 1, idx:numel() do
      local i = math.tointeger(idx[k])
      samples[k] = transformed(self, dataset_sample(self, i), i, epoch)
    end
    local batch = collate(2, samples)
    if type(samples[1]) == "table" and samples[1][1] ~= nil then
      return table.unpack(batch, 1, #samples[1])
    end
    return batch
  end
end

--- loader:size() -> the number of samples
function DatasetLoader:size() return self.rows end
--- loader:state() -> {epoch, position} (as tensor loaders)
function DatasetLoader:state() return self.indices:state() end
--- loader:set_state(s): the next iter() resumes exactly at s
function DatasetLoader:set_state(s) return self.indices:set_state(s) end

local function dataset_length(level, ds)
  local ok, n = pcall(function() return #ds end)
  if not ok or math.type(n) ~= "integer" or n < 0 then
    fail(level + 1, "data.loader: argument 1 expected a tensor or a dataset (an object with a length and get(i)), got %s",
      ok and type(ds) or tostring(n))
  end
  return n
end

--- data.loader(x, y, opts) as before for tensors; data.loader(dataset[, {batch_size, shuffle,
--- drop_last, seed, transform}]) for any object with #dataset and dataset:get(i) or dataset[i].
function data.loader(x, y, opts)
  if tensor.is_tensor(x) then return tensor_loader(x, y, opts) end
  if type(x) ~= "table" and type(x) ~= "userdata" then
    fail(2, "data.loader: argument 1 expected a tensor or a dataset (an object with a length and get(i)), got %s", type(x))
  end
  if y == nil then
    y = opts   -- data.loader(dataset, nil, options), as with tensors without y
  elseif opts ~= nil then
    fail(2, "data.loader: a dataset loader takes (dataset[, options]), got a third argument")
  end
  opts = check_options(2, "data.loader", y, { batch_size = "integer", shuffle = "boolean", drop_last = "boolean",
    seed = "integer", transform = "function" })
  local n = dataset_length(2, x)
  local seed = opts.seed or experiment.seed()
  local ok, indices = pcall(tensor_loader, tensor.arange(1, n + 1), {
    batch_size = opts.batch_size or 32, shuffle = opts.shuffle or false, drop_last = opts.drop_last or false, seed = seed,
  })
  if not ok then fail(2, "%s", tostring(indices):gsub("^[^:]*:%d+: ", "")) end
  return setmetatable({
    dataset = x, rows = n, indices = indices, seed = seed, transform = opts.transform,
    batch_size = opts.batch_size or 32, shuffle = opts.shuffle or false,
  }, DatasetLoader)
end

--- data.dataset(x, y[, {transform}]) -> a dataset over the rows of tensors (sample i is {x[i], y[i]}),
--- for transforms on tensor data.
function data.dataset(x, y)
  if not tensor.is_tensor(x) then fail(2, "data.dataset: argument 1 (x) expected a tensor, got %s", type(x)) end
  if y ~= nil and not tensor.is_tensor(y) then fail(2, "data.dataset: argument 2 (y) expected a tensor or nil, got %s", type(y)) end
  if x:dim() < 1 or (y ~= nil and (y:dim() < 1 or y:size(1) ~= x:size(1))) then
    fail(2, "data.dataset: x and y must have the same number of rows, got %d and %s", x:dim() >= 1 and x:size(1) or 0,
      y and tostring(y:dim() >= 1 and y:size(1) or 0) or "no y")
  end
  local n = x:size(1)
  return setmetatable({}, {
    __len = function() return n end,
    __index = {
      get = function(_, i)
        if math.type(i) ~= "integer" or i < 1 or i > n then fail(2, "dataset:get: expected an index in 1..%d, got %s", n, describe(i)) end
        if y == nil then return x[i] end
        return { x[i], y[i] }
      end,
    },
  })
end

-- Text -----------------------------------------------------------------------------------------

local function text_options(level, owner, opts)
  opts = check_options(level + 1, owner, opts, { val_fraction = "number" })
  local vf = opts.val_fraction or 0.1
  if not (vf >= 0 and vf < 1) then fail(level + 1, "%s: option 'val_fraction' expected a number in [0, 1), got %s", owner, describe(vf)) end
  return vf
end

local function make_text(text, vf)
  local chars = data._vocabulary(text)
  local ids = data._encode(chars, text)
  local n = ids:numel()
  local ntrain = math.floor(n * (1 - vf))
  local vocab = {}
  for _, c in utf8.codes(chars) do vocab[#vocab + 1] = utf8.char(c) end
  local t = {
    chars = vocab, vocab_size = #vocab, ids = ids,
    train = ids:narrow(1, 1, ntrain), val = ids:narrow(1, ntrain + 1, n - ntrain),
  }
  -- Both t.encode(s) and t:encode(s) work.
  t.encode = function(a, b)
    if a == t then a = b end
    return data._encode(chars, a)
  end
  t.decode = function(a, b)
    if a == t then a = b end
    return data._decode(chars, a)
  end
  return t
end

--- data.text(text_or_path[, {val_fraction = 0.1}]) -> {vocab_size, chars, encode, decode, ids,
--- train, val}: a character vocabulary (sorted), the text as 1-based ids, the first 90 % for
--- training and the rest for validation. A string naming an existing file is read (gzip too).
function data.text(source, opts)
  if type(source) ~= "string" then fail(2, "data.text: argument 1 expected a string (the text or a file path), got %s", type(source)) end
  local vf = text_options(2, "data.text", opts)
  local text = source
  if data._is_file(source) then text = data._read_text(source) end
  return make_text(text, vf)
end

--- data.tinyshakespeare([{val_fraction = 0.1}]) -> data.text of the bundled tinyshakespeare
--- (1,115,394 characters, 65 distinct).
function data.tinyshakespeare(opts)
  local vf = text_options(2, "data.tinyshakespeare", opts)
  return make_text(data._bundled_text("tinyshakespeare"), vf)
end

local TextLoader = {}
TextLoader.__index = TextLoader
TextLoader.__len = function(self) return self.batches end
TextLoader.__name = "text_loader"
TextLoader.__tostring = function(self)
  return string.format("text_loader(tokens = %d, block_size = %d, batch_size = %d, step = %d)",
    self.ids:numel(), self.block_size, self.batch_size, self.step)
end

--- loader:batch(k) -> x, y: batch number k (1-based), the same for a given seed on every run
function TextLoader:batch(k)
  if math.type(k) ~= "integer" or k < 1 then fail(2, "text_loader:batch: expected a batch number >= 1, got %s", describe(k)) end
  local T, ids = self.block_size, self.ids
  local starts = ids:numel() - T   -- windows start at 1..starts (y needs one more token)
  local xs, ys = {}, {}
  for b = 1, self.batch_size do
    local start = 1 + math.floor(hash_uniform(self.seed, k, b) * starts)
    xs[b] = ids:narrow(1, start, T)
    ys[b] = ids:narrow(1, start + 1, T)
  end
  return tensor.stack(xs, 1), tensor.stack(ys, 1)
end

--- loader:next() -> x, y: the next batch ([batch_size, block_size] ids, y = x shifted by one)
function TextLoader:next()
  self.step = self.step + 1
  return self:batch(self.step)
end

--- loader:iter([n = #loader]) -> an iterator over the next n batches
function TextLoader:iter(n)
  n = n or self.batches
  if math.type(n) ~= "integer" or n < 0 then fail(2, "text_loader:iter: expected a number of batches >= 0, got %s", describe(n)) end
  local left = n
  return function()
    if left <= 0 then return nil end
    left = left - 1
    return self:next()
  end
end

--- loader:state() -> {step = k}: k batches produced so far
function TextLoader:state() return { step = self.step } end

--- loader:set_state(s): the next batch is batch s.step + 1
function TextLoader:set_state(s)
  if type(s) ~= "table" or math.type(s.step) ~= "integer" or s.step < 0 then
    fail(2, "text_loader:set_state: expected {step = integer >= 0} (a table from state()), got %s",
      type(s) == "table" and describe(s.step) or type(s))
  end
  self.step = s.step
end

--- data.text_loader(ids, {block_size = 64, batch_size = 32, seed = <run seed>}) -> a loader of
--- random contiguous windows for language models.
function data.text_loader(ids, opts)
  local owner = "data.text_loader"
  if not tensor.is_tensor(ids) or ids:dim() ~= 1 then
    fail(2, "%s: argument 1 expected a 1-d tensor of token ids, got %s", owner,
      tensor.is_tensor(ids) and ("shape [" .. table.concat(ids:shape(), ", ") .. "]") or type(ids))
  end
  opts = check_options(2, owner, opts, { block_size = "integer", batch_size = "integer", seed = "integer" })
  local T, B = opts.block_size or 64, opts.batch_size or 32
  if T < 1 then fail(2, "%s: option 'block_size' expected an integer >= 1, got %d", owner, T) end
  if B < 1 then fail(2, "%s: option 'batch_size' expected an integer >= 1, got %d", owner, B) end
  if B > math.maxinteger // T then
    fail(2, "%s: batch_size %d times block_size %d is beyond any tensor size", owner, B, T)
  end
  if ids:numel() < T + 1 then
    fail(2, "%s: %d tokens are too few for block_size %d (need at least %d)", owner, ids:numel(), T, T + 1)
  end
  return setmetatable({
    ids = ids:contiguous(), block_size = T, batch_size = B, seed = opts.seed or experiment.seed(), step = 0,
    batches = math.max(1, (ids:numel() - 1) // T // B),
  }, TextLoader)
end

-- Synthetic data -------------------------------------------------------------------------------

local function is_prime(p)
  if p < 2 then return false end
  local d = 2
  while d * d <= p do
    if p % d == 0 then return false end
    d = d + 1
  end
  return true
end

local function power_mod(b, e, p)
  local r = 1
  b = b % p
  while e > 0 do
    if e & 1 == 1 then r = r * b % p end
    b = b * b % p
    e = e >> 1
  end
  return r
end

local operations = {
  ["+"] = function(a, b, p) return (a + b) % p end,
  ["-"] = function(a, b, p) return (a - b) % p end,
  ["*"] = function(a, b, p) return a * b % p end,
  ["/"] = function(a, b, p) return a * power_mod(b, p - 2, p) % p end,
}

--- data.modular_arithmetic{p = 97, op = "+", train_fraction = 0.3, seed = <run seed>} ->
--- {train = {x, y}, val = {x, y}, p, op, vocab_size}: every pair (a, b) of 0..p-1 (b ~= 0 for
--- "/") as tokens a + 1, b + 1 in x [N, 2], the label c + 1 for c = a op b mod p, split at random.
function data.modular_arithmetic(opts)
  local owner = "data.modular_arithmetic"
  opts = check_options(2, owner, opts, { p = "integer", op = "string", train_fraction = "number", seed = "integer" })
  local p, op = opts.p or 97, opts.op or "+"
  local fraction = opts.train_fraction or 0.3
  if p < 2 or p > 2000 then fail(2, "%s: option 'p' expected an integer in 2..2000, got %d", owner, p) end
  local f = operations[op]
  if f == nil then fail(2, "%s: option 'op' expected one of \"+\", \"-\", \"*\", \"/\", got %s", owner, describe(op)) end
  if op == "/" and not is_prime(p) then fail(2, "%s: op \"/\" needs a prime p, got %d", owner, p) end
  if not (fraction > 0 and fraction < 1) then
    fail(2, "%s: option 'train_fraction' expected a number strictly between 0 and 1, got %s", owner, describe(fraction))
  end
  local as, bs, cs = {}, {}, {}
  for a = 0, p - 1 do
    for b = (op == "/" and 1 or 0), p - 1 do
      as[#as + 1], bs[#bs + 1], cs[#cs + 1] = a + 1, b + 1, f(a, b, p) + 1
    end
  end
  local x = tensor.stack({ tensor.from(as), tensor.from(bs) }, 2)
  local y = tensor.from(cs)
  local xtr, ytr, xva, yva = data.split(x, y, fraction, opts.seed or experiment.seed())
  return {
    train = { xtr, ytr, x = xtr, y = ytr }, val = { xva, yva, x = xva, y = yva },
    p = p, op = op, vocab_size = p,
  }
end

return data
