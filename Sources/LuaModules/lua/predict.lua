-- The Lua half of `descent predict` (Runtime.predict): loads the model definition and its
-- weights, reads the input file with the `data` readers, runs it through `train.predict` and
-- writes one class per row. Written in Lua because it only sequences existing calls; embedded in
-- the binary like the other libraries. Receives the request table built by `Runtime.predict`.
local request = ...

-- Errors end the command: no position (the message names the file or option at fault).
local function fail(fmt, ...) error(string.format(fmt, ...), 0) end

-- A message raised inside an embedded library carries a position there
-- ("Sources/LuaModules/lua/nn.lua:412: "), which means nothing to the user of `descent predict`;
-- positions in the user's model file are kept.
local function without_library_position(message)
  message = tostring(message)
  local before
  repeat
    before = message
    message = message:gsub("^Sources/LuaModules/lua/[%w_]+%.lua:%d+: ", "")
  until message == before
  return message
end

-- Calls f(...) and returns its results; an error becomes "context: message".
local function attempt(context, f, ...)
  local results = table.pack(pcall(f, ...))
  if not results[1] then
    local message = without_library_position(results[2])
    fail("%s", context and (context .. ": " .. message) or message)
  end
  return table.unpack(results, 2, results.n)
end

local function shape_string(t)
  return "[" .. table.concat(t:shape(), ", ") .. "]"
end

-- MODEL.lua returns a module, or a function that builds one.
local function load_model(path)
  local chunk, err = loadfile(path)
  if not chunk then fail("--model %s: %s", path, err) end
  -- The context names the file even when a tail call (`return nn.Sequential(...)`) hid its line.
  local model = attempt("--model " .. path, chunk)
  if type(model) == "function" then model = attempt("--model " .. path, model) end
  if not nn.is_module(model) then
    fail("--model %s: expected the file to return an nn module or a function that returns one, got %s", path, type(model))
  end
  return model
end

-- A plain safetensors file of the model's state dict (nn.save), or an experiment checkpoint
-- (experiment.checkpoint: the model's tensors are named "model.<name>", see CheckpointLibrary).
local function load_weights(model, path, model_path)
  local entries, meta = attempt("--weights " .. path, nn.utils.load_safetensors, path)
  local state = {}
  if meta.format == "descent-checkpoint-1" then
    if meta.model == nil then fail("--weights %s: this experiment checkpoint holds no model (saved without model = ...)", path) end
    for _, e in ipairs(entries) do
      local name = e[1]:match("^model%.(.+)$")
      if name then state[name] = e[2] end
    end
    -- Evaluation weights saved by an optimizer that has them (schedule-free, EMA, Lookahead)
    -- replace the training weights: they are what the run evaluates and serves.
    for _, e in ipairs(entries) do
      local name = e[1]:match("^model_eval%.(.+)$")
      if name then state[name] = e[2] end
    end
  else
    for _, e in ipairs(entries) do state[e[1]] = e[2] end
  end
  attempt(string.format("--weights %s do not fit --model %s", path, model_path), model.load_state_dict, model, state)
end

-- Labels given as 0-based class numbers (IDX as in MNIST, or NPY), as a 1-based [rows] tensor.
local function load_labels(path, kind, rows)
  local y = attempt(nil, kind == "idx" and data.load_idx or data.load_npy, path)
  if y:numel() ~= rows or (y:dim() ~= 1 and not (y:dim() == 2 and y:size(2) == 1)) then
    fail("--labels %s: expected %d labels (shape [%d]), got shape %s", path, rows, rows, shape_string(y))
  end
  y = y:reshape(rows)
  if rows > 0 and ((y - y:floor()):abs():max():item() ~= 0 or y:min():item() < 0) then
    fail("--labels %s: expected 0-based class numbers (integers 0, 1, ...)", path)
  end
  return y + 1
end

-- The input rows, and their 1-based labels when the file (or --labels) gives class numbers.
local function load_input(r)
  local x, y, classes
  if r.kind == "csv" then
    x, y, classes = attempt(nil, data.load_csv, r.input, { label = r.label_column or "label" })
    if y == nil and r.label_column then fail("--label-column %s: %s has no such column", r.label_column, r.input) end
  else
    x = attempt(nil, r.kind == "idx" and data.load_idx or data.load_npy, r.input)
  end
  if x:dim() == 0 then fail("%s: expected rows (at least one dimension), got a single number", r.input) end
  if r.scale ~= 1 then x = x * r.scale end
  if r.labels then return x, load_labels(r.labels, r.labels_kind, x:size(1)) end
  if y ~= nil then
    -- load_csv numbers labels 0..K-1 as 1..K; other labels cannot be compared with classes.
    local numbered = classes ~= nil
    for i, name in ipairs(classes or {}) do numbered = numbered and name == tostring(i - 1) end
    if not numbered then
      io.stderr:write(string.format("predict: column '%s' of %s does not hold class numbers 0, 1, ...: no accuracy\n",
        r.label_column or "label", r.input))
      y = nil
    end
  end
  return x, y
end

-- Lines of `class[,p1,...,pK]`, with `index,` first and a header when writing a CSV file.
local function write_predictions(r, predicted, probabilities, classes)
  local file, path = io.stdout, nil
  if r.output then
    path = r.output .. ".tmp"
    local err
    file, err = io.open(path, "w")
    if not file then fail("--output %s: %s", r.output, err) end
    local header = { "index", "class" }
    if probabilities then for k = 1, classes do header[#header + 1] = "p" .. k end end
    file:write(table.concat(header, ","), "\n")
  end
  local lines = {}
  for i, class in ipairs(predicted) do
    local fields = { string.format("%d", class) }
    if r.output then table.insert(fields, 1, tostring(i)) end
    if probabilities then
      for _, p in ipairs(probabilities[i]) do fields[#fields + 1] = string.format("%.6g", p) end
    end
    lines[#lines + 1] = table.concat(fields, ",")
    if #lines == 1000 or i == #predicted then
      file:write(table.concat(lines, "\n"), "\n")
      lines = {}
    end
  end
  if r.output then
    file:close()
    local ok, err = os.rename(path, r.output)
    if not ok then fail("--output %s: %s", r.output, err) end
    io.stderr:write(string.format("predict: wrote %d rows to %s\n", #predicted, r.output))
  end
end

-- stdout holds the predictions only: whatever the model file prints goes to stderr.
print = function(...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  io.stderr:write(table.concat(parts, "\t", 1, parts.n), "\n")
end

local model = load_model(request.model)
load_weights(model, request.weights, request.model)
local x, y = load_input(request)
local rows = x:size(1)
local out = attempt(string.format("--model %s cannot take %s (shape %s)", request.model, request.input, shape_string(x)),
  train.predict, model, x, { batch_size = request.batch_size })
if rows > 0 and (out:dim() ~= 2 or out:size(1) ~= rows) then
  fail("--model %s returned shape %s for %d rows; expected class scores [%d, classes]", request.model, shape_string(out), rows, rows)
end
local classes = rows > 0 and out:size(2) or 0
local predicted = rows > 0 and out:argmax(2) or tensor.zeros(0)
if y ~= nil and rows > 0 and y:max():item() > classes then
  fail("the labels go up to class %d but --model %s gives %d classes", y:max():item(), request.model, classes)
end
local probabilities
if request.probabilities then probabilities = rows > 0 and out:softmax(2):totable() or {} end
write_predictions(request, predicted:totable(), probabilities, classes)

if y ~= nil and rows > 0 then
  local correct = predicted:eq(y):sum():item()
  io.stderr:write(string.format("accuracy %.4f (%d/%d)\n", correct / rows, correct, rows))
end
