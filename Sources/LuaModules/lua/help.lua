-- `help([x])`: prints the reference entry of a module, function, class or method, in the REPL
-- and in scripts. The entries are the doc comments of the lua-language-server stubs
-- (editor/luals/library, embedded in the binary), the same text editors show; a test checks
-- that every registered function has one and that docs/lua-api names it.
--
-- Receives the global module names and a function returning the stub sources (file name ->
-- text), called on the first `help` only, so start-up does not pay for parsing.
local module_names, stub_sources = ...

local entries -- name -> {signature, lines}, built on first use
local order   -- entry names in stub order, for listings

local function add(name, signature, block)
  if entries[name] then return end
  entries[name] = { signature = signature, block = block }
  order[#order + 1] = name
end

-- The doc text of a block of `---` lines: description lines, then parameters, returns, fields.
local function format_block(block)
  local text, params, returns, fields = {}, {}, {}, {}
  for _, line in ipairs(block) do
    local tag, rest = line:match("^@(%w+)%s*(.*)$")
    if not tag then
      text[#text + 1] = line
    elseif tag == "param" then
      params[#params + 1] = rest
    elseif tag == "return" then
      returns[#returns + 1] = rest
    elseif tag == "field" then
      fields[#fields + 1] = rest
    elseif tag == "overload" then
      text[#text + 1] = "also: " .. rest:gsub("^fun", "")
    end
  end
  local out = {}
  for _, l in ipairs(text) do out[#out + 1] = "  " .. l end
  local function section(title, items)
    if #items == 0 then return end
    out[#out + 1] = title
    for _, item in ipairs(items) do out[#out + 1] = "    " .. item end
  end
  section("  parameters:", params)
  section("  returns:", returns)
  section("  fields:", fields)
  return table.concat(out, "\n")
end

local function parse_file(source)
  local header, in_header = {}, true
  local block, classes = {}, {} -- local variable -> class name
  local function class_of(b)
    for _, l in ipairs(b) do
      local c = l:match("^@class%s+([%w_%.]+)")
      if c then return c end
    end
  end
  for line in (source .. "\n"):gmatch("(.-)\n") do
    local doc = line:match("^%-%-%-(.*)$")
    if doc and not doc:match("^@meta") then
      block[#block + 1] = doc
      in_header = false
    elseif in_header and line:match("^%-%- ") then
      header[#header + 1] = line:sub(4)
    else
      local owner, sep, method, args = line:match("^function%s+([%w_%.]+)([%.:])([%w_]+)%((.-)%)")
      local var, class = line:match("^local%s+([%w_]+)%s*=%s*{}"), class_of(block)
      local global = line:match("^([%w_]+)%s*=%s*{}")
      local alias, target = line:match("^([%w_%.]+)%s*=%s*([%w_%.]+)%s*$")
      if owner then
        local name = (classes[owner] or owner) .. sep .. method
        add(name, name .. "(" .. args .. ")", block)
      elseif var and class then
        classes[var] = class
        add(class, "class " .. class, block)
      elseif global and class then
        add(global, "module " .. global, { table.unpack(header) })
        if #block > 0 then add(class, "class " .. class, block) end
      elseif alias and entries[target] then
        add(alias, alias .. " (same as " .. target .. ")", entries[target].block)
      elseif class then
        add(class, "class " .. class, block)
      end
      block = {}
    end
  end
end

local function ensure_entries()
  if entries then return end
  entries, order = {}, {}
  local files = stub_sources()
  local names = {}
  for name in pairs(files) do names[#names + 1] = name end
  table.sort(names)
  for _, name in ipairs(names) do parse_file(files[name]) end
end

-- The dotted name under which a value is reachable from the modules (`optim.Adam`,
-- `nn.functional.linear`, `Tensor:reshape` for a method), or nil.
local function name_of(value)
  for _, m in ipairs(module_names) do
    local mod = rawget(_G, m)
    if rawequal(mod, value) then return m end
    if type(mod) == "table" then
      for k, v in pairs(mod) do
        if rawequal(v, value) and type(k) == "string" then return m .. "." .. k end
      end
      for k, v in pairs(mod) do
        if type(v) == "table" and type(k) == "string" then
          for k2, v2 in pairs(v) do
            if rawequal(v2, value) and type(k2) == "string" then return m .. "." .. k .. "." .. k2 end
          end
        end
      end
    end
  end
  -- A method of a userdata class (tensor, optimizer, ...): the methods table of its metatable.
  for _, probe in ipairs({ tensor.zeros(1) }) do
    local mt = getmetatable(probe)
    if type(mt) == "table" and type(mt.methods) == "table" then
      for k, v in pairs(mt.methods) do
        if rawequal(v, value) then return "Tensor:" .. k end
      end
    end
  end
end

-- The class entry of a userdata (`tensor` -> Tensor, `optimizer` -> Optimizer), or nil.
local function class_of_value(value)
  local mt = getmetatable(value)
  local tname = type(mt) == "table" and rawget(mt, "__name")
  if type(tname) ~= "string" then return nil end
  local wanted = tname:lower()
  for _, name in ipairs(order) do
    if name:lower() == wanted and entries[name].signature:match("^class ") then return name end
  end
end

local function members_of(prefix)
  local found = {}
  for _, name in ipairs(order) do
    if name:sub(1, #prefix) == prefix and not name:sub(#prefix + 1):find("[%.:]") then
      found[#found + 1] = name:sub(#prefix + 1)
    end
  end
  return found
end

local function wrap_list(items)
  local lines, line = {}, "   "
  for _, item in ipairs(items) do
    if #line + #item + 1 > 96 then
      lines[#lines + 1] = line
      line = "   "
    end
    line = line .. " " .. item
  end
  if line ~= "   " then lines[#lines + 1] = line end
  return table.concat(lines, "\n")
end

local function entry_text(name)
  local e = entries[name]
  local out = { e.signature, format_block(e.block) }
  local functions = members_of(name .. ".")
  local methods = members_of(name .. ":")
  if #functions > 0 then out[#out + 1] = "  functions (help(\"" .. name .. ".NAME\")):\n" .. wrap_list(functions) end
  if #methods > 0 then out[#out + 1] = "  methods (help(\"" .. name .. ":NAME\")):\n" .. wrap_list(methods) end
  return table.concat(out, "\n")
end

local function resolve(x)
  if type(x) == "string" then
    if entries[x] then return x end
    for _, name in ipairs(order) do
      if name:lower() == x:lower() then return name end
    end
    -- `Tensor.reshape` or `tensor.reshape` for the method `Tensor:reshape`.
    local owner, member = x:match("^(.*)%.([%w_]+)$")
    if owner then
      for _, name in ipairs(order) do
        local class, method = name:match("^(.*):([%w_]+)$")
        if method == member and class:lower() == owner:lower() then return name end
      end
    end
    -- `t:reshape` or `tensor:reshape` for a method.
    local method = x:match("^[%w_]+:([%w_]+)$")
    if method and entries["Tensor:" .. method] then return "Tensor:" .. method end
    return nil
  end
  local name = name_of(x)
  if name and entries[name] then return name end
  if name then
    local owner, method = name:match("^(.*)%.([%w_]+)$")
    if owner and entries[owner .. ":" .. method] then return owner .. ":" .. method end
  end
  return class_of_value(x)
end

local function help(...)
  ensure_entries()
  if select("#", ...) == 0 then
    local lines = { "descent: help(x) prints the reference of a module, function, class or method,",
                    "e.g. help(optim.Adam), help(tensor), help(\"Tensor:reshape\"). Modules:" }
    for _, m in ipairs(module_names) do
      local e = entries[m]
      local first = e and e.block[1] or ""
      if e then
        -- The module's header, without the lines meant for editor users.
        first = table.concat(e.block, " "):gsub("Reference: .*$", ""):gsub("%s+$", "")
      end
      first = first:gsub("^descent's `[%w_]+` module for lua%-language%-server[^:]*:?%s*", "")
      lines[#lines + 1] = string.format("  %-11s %s", m, first)
    end
    lines[#lines + 1] = "Full reference: docs/lua-api/ in the repository."
    print(table.concat(lines, "\n"))
    return
  end
  local x = ...
  local name = resolve(x)
  if not name then
    local what = type(x) == "string" and ("'" .. x .. "'") or ("this " .. type(x))
    print("help: no reference entry for " .. what .. " (try help() for the modules, or a name such as \"optim.Adam\")")
    return
  end
  print(entry_text(name))
end

return help
