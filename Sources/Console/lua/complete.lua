-- Tab completion for the REPL (EditLineSource): given the text before the cursor, the names
-- that can complete its last word — globals and keywords, members of a table after `.`
-- (`optim.Ad` -> AdamW, Adam, Adagrad...), methods after `:` (`t:resh` -> reshape for a tensor
-- `t`). Only looks values up (rawget, metatables' `methods` and `__index` tables); never calls
-- a function or runs a metamethod. Returns the candidates (sorted) and the partial word.
local keywords = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}

-- The value at a dotted path of plain table lookups from _G (`nn.functional`), or nil.
local function lookup(path)
  local value = _G
  for part in path:gmatch("[^%.]+") do
    if type(value) ~= "table" then return nil end
    value = rawget(value, part)
  end
  return value
end

-- Keys of `t` and of the `__index` tables up its metatable chain (members a `.` can reach).
local function collect_keys(t, into, depth)
  if depth > 8 then return end
  if type(t) == "table" then
    for k, v in next, t do
      if type(k) == "string" and into[k] == nil then into[k] = v end
    end
  end
  local mt = getmetatable(t)
  if type(mt) == "table" then
    local methods = rawget(mt, "methods")
    if type(methods) == "table" then collect_keys(methods, into, depth + 1) end
    local index = rawget(mt, "__index")
    if type(index) == "table" then collect_keys(index, into, depth + 1) end
  end
end

return function(line)
  local expr = line:match("[%w_%.:]*$") or ""
  local base, sep, partial = expr:match("^(.-)([%.:])([%w_]*)$")
  local names = {}
  if not base then
    partial = expr
    collect_keys(_G, names, 0)
    for _, k in ipairs(keywords) do names[k] = true end
  elseif base ~= "" and not base:find(":") then
    local value = lookup(base)
    if value == nil then return {}, partial end
    local members = {}
    collect_keys(value, members, 0)
    for k, v in pairs(members) do
      -- After `:` only functions make sense (methods); after `.` every member.
      if sep == "." or type(v) == "function" then names[k] = true end
    end
  end
  local found = {}
  for k in pairs(names) do
    if k:sub(1, #partial) == partial and k:match("^[%a_][%w_]*$") then found[#found + 1] = k end
  end
  table.sort(found)
  return found, partial
end
