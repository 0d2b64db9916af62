-- The Lua function that turns the results of a REPL line into the text shown (run once; it
-- returns the function). Top-level values print as Lua's `print` would — strings raw, numbers
-- as Lua writes them, tensors through their `__tostring` (the aligned, shape-trailed layout) —
-- except plain tables, which show their contents one level deep:
--
-- ```
-- > {1, 2, x = 3, name = "a", inner = {4}}
-- {1, 2, inner = {...}, name = "a", x = 3}
-- ```
--
-- Inside a table, strings are quoted, at most 20 entries are shown, and a value whose text spans
-- lines (a tensor) shows its last line (`[tensor of shape [2, 3]]`). Written in Lua because
-- `tostring` runs metamethods, which may raise: the whole display runs as a protected call.
local type, tostring, rawget, rawlen, next, getmetatable = type, tostring, rawget, rawlen, next, getmetatable
local ipairs, select = ipairs, select
local mathtype, format, concat, sort = math.type, string.format, table.concat, table.sort
local max_entries = 20
local keywords = {}
for word in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do keywords[word] = true end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

local function quoted(s)
  return (format("%q", s):gsub("\\\n", "\\n"))
end

-- A value inside a table: one line.
local function short(v)
  if type(v) == "string" then return quoted(v) end
  if type(v) == "table" and not has_tostring(v) then return next(v) == nil and "{}" or "{...}" end
  return (tostring(v):match("[^\n]*$"))
end

local function key_text(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not keywords[k] then return k end
  return "[" .. short(k) .. "]"
end

-- Numbers first, then strings, then other keys by their text: a stable order to read.
local function key_before(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function show_table(t)
  local parts, n = {}, rawlen(t)
  for i = 1, n do
    if #parts == max_entries then return "{" .. concat(parts, ", ") .. ", ...}" end
    parts[#parts + 1] = short(rawget(t, i))
  end
  local keys = {}
  for k in next, t do
    if not (mathtype(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  sort(keys, key_before)
  for _, k in ipairs(keys) do
    if #parts == max_entries then return "{" .. concat(parts, ", ") .. ", ...}" end
    parts[#parts + 1] = key_text(k) .. " = " .. short(rawget(t, k))
  end
  return "{" .. concat(parts, ", ") .. "}"
end

local function show(v)
  if type(v) == "string" then return v end
  if type(v) == "table" and not has_tostring(v) then return show_table(v) end
  return tostring(v)
end

return function(...)
  local parts = {}
  for i = 1, select("#", ...) do parts[i] = show((select(i, ...))) end
  return concat(parts, "\t")
end
