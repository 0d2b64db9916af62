-- nn, second part: recurrent layers (RNN, LSTM, GRU), attention (scaled_dot_product_attention,
-- MultiheadAttention, Transformer encoder/decoder layers), Conv1d, ConvTranspose2d, GroupNorm,
-- RMSNorm, AdaptiveAvgPool2d, Upsample, more activations, ModuleList and ModuleDict.
--
-- Runs after nn.lua with the `nn` table as `...`. Every layer has PyTorch 2.13's constructor
-- arguments (keyword arguments as an options table), parameter names, shapes, initialisation and
-- gate/projection order, so a PyTorch state dict loads with m:load_state_dict(nn.load(path)) and
-- gives the same outputs (checked by Tests/EndToEndTests/LayerFixtureTests against fixtures from
-- scripts/reference/layer_fixtures.py). The layers are compositions of tensor ops, so autograd
-- gives their gradients.
--
-- descent has no boolean dtype: a mask holding only 0s and 1s (and not only 0s) is a boolean
-- mask; any other mask is added to the attention scores.
local nn = ...
local F = nn.functional
local init = nn.init
local options = nn._check_options
local fail, shape_string, is_tensor = nn._fail, nn._shape_string, nn._is_tensor

local function describe(v)
  if is_tensor(v) then return "tensor of shape " .. shape_string(v:shape()) end
  if type(v) == "number" then return tostring(v) end
  return type(v)
end

local function positive_integer(level, owner, what, v)
  if math.type(v) ~= "integer" or v < 1 then
    fail(level + 1, "%s: expected %s as a positive integer, got %s", owner, what, describe(v))
  end
  return v
end

local function probability(level, owner, what, p)
  if type(p) ~= "number" or not (p >= 0 and p <= 1) then
    fail(level + 1, "%s: expected %s in [0, 1], got %s", owner, what, describe(p))
  end
  return p
end

local function expect_tensor(level, owner, what, v)
  if not is_tensor(v) then fail(level + 1, "%s: expected %s as a tensor, got %s", owner, what, describe(v)) end
  return v
end

-- An integer or a table of `n` integers; returns a table of `n` integers (each >= `min`).
local function int_tuple(level, owner, what, v, n, min)
  local out = {}
  if math.type(v) == "integer" then
    for i = 1, n do out[i] = v end
  elseif type(v) == "table" and #v == n then
    for i = 1, n do out[i] = v[i] end
  else
    fail(level + 1, "%s: expected %s as an integer or a table of %d integers, got %s", owner, what, n, describe(v))
  end
  for i = 1, n do
    if math.type(out[i]) ~= "integer" or out[i] < min then
      fail(level + 1, "%s: expected %s entries as integers >= %d, got %s", owner, what, min, describe(out[i]))
    end
  end
  return out
end

local function uniform_(t, bound)
  init.uniform_(t, -bound, bound)
end

-- Masks --------------------------------------------------------------------------------------

-- True when `mask` is a boolean mask: only 0s and 1s, and not only 0s (an all-zero mask adds
-- nothing, so it is read as an additive mask).
local function is_bool_mask(mask)
  if mask:numel() == 0 then return false end
  return autograd.no_grad(function()
    local binary = (mask:eq(0) + mask:eq(1)):min():item() == 1
    return binary and mask:max():item() == 1
  end)
end

-- The additive form of a mask: a boolean mask becomes 0 where `keep_value` (1 or 0) is and -inf
-- elsewhere; an additive mask is returned as it is.
local function additive_mask(mask, keep_value)
  if is_bool_mask(mask) then
    return tensor.where(mask:eq(keep_value), 0, -math.huge)
  end
  return mask
end

-- The causal keep pattern of L queries over S keys (1 where key j <= query i, top-left aligned as
-- PyTorch's is_causal).
local function causal_keep(L, S)
  local rows = tensor.arange(L):view(L, 1)
  local cols = tensor.arange(S):view(1, S)
  return cols:le(rows)
end

-- Errors unless `additive` (a mask already in additive form, broadcastable to [..., L, S]) blocks
-- exactly the positions the causal mask blocks.
local function check_causal(level, owner, additive, L, S)
  local ok = autograd.no_grad(function()
    local shape = additive:shape()
    local n = #shape
    if n < 2 or shape[n - 1] ~= L or shape[n] ~= S then return false end
    local blocked = additive:eq(-math.huge)
    return (blocked - (1 - causal_keep(L, S))):abs():max():item() == 0
  end)
  if not ok then
    fail(level + 1, "%s: is_causal = true was given with a mask that is not the causal mask of %d queries over %d keys",
      owner, L, S)
  end
end

-- Attention core on [..., L, E] queries, [..., S, E] keys and [..., S, Ev] values with an
-- optional additive mask broadcastable to [..., L, S]; returns the output and the weights.
local function attend(q, k, v, additive, scale, dropout_p)
  local scores = q:matmul(k:transpose(-2, -1)) * scale
  if additive ~= nil then scores = scores + additive end
  local weights = scores:softmax(-1)
  if dropout_p > 0 then weights = F.dropout(weights, dropout_p, true) end
  return weights:matmul(v), weights
end

-- Flattens the leading dims so that matmul sees 3-d batches; returns the 3-d tensor.
local function batch3(t)
  local shape = t:shape()
  local n = #shape
  local b = 1
  for i = 1, n - 2 do b = b * shape[i] end
  return t:reshape(b, shape[n - 1], shape[n])
end

--- nn.functional.scaled_dot_product_attention(q, k, v[, {attn_mask, is_causal, dropout_p, scale}])
function F.scaled_dot_product_attention(q, k, v, opts)
  local owner = "scaled_dot_product_attention"
  expect_tensor(2, owner, "query", q)
  expect_tensor(2, owner, "key", k)
  expect_tensor(2, owner, "value", v)
  opts = options(2, owner, opts, { attn_mask = "tensor", is_causal = "boolean", dropout_p = "number", scale = "number" })
  local qs, ks, vs = q:shape(), k:shape(), v:shape()
  local n = #qs
  if n < 2 or #ks ~= n or #vs ~= n then
    fail(2, "%s: expected query, key and value with the same number (>= 2) of dimensions, got shapes %s, %s and %s",
      owner, shape_string(qs), shape_string(ks), shape_string(vs))
  end
  for i = 1, n - 2 do
    if ks[i] ~= qs[i] or vs[i] ~= qs[i] then
      fail(2, "%s: batch dimensions of query %s, key %s and value %s must match", owner, shape_string(qs),
        shape_string(ks), shape_string(vs))
    end
  end
  if ks[n] ~= qs[n] then
    fail(2, "%s: query and key must have the same last dimension, got shapes %s and %s", owner, shape_string(qs), shape_string(ks))
  end
  if vs[n - 1] ~= ks[n - 1] then
    fail(2, "%s: key and value must have the same length (dimension %d), got shapes %s and %s", owner, n - 1,
      shape_string(ks), shape_string(vs))
  end
  local dropout_p = probability(2, owner, "dropout_p", opts.dropout_p or 0)
  local L, S = qs[n - 1], ks[n - 1]
  local additive
  if opts.attn_mask ~= nil then
    additive = additive_mask(opts.attn_mask, 1)
    local ms = additive:shape()
    if #ms > n or (ms[#ms] ~= S and ms[#ms] ~= 1) or (#ms >= 2 and ms[#ms - 1] ~= L and ms[#ms - 1] ~= 1) then
      fail(2, "%s: attn_mask of shape %s does not broadcast to the scores' shape [..., %d, %d]", owner, shape_string(ms), L, S)
    end
    if opts.is_causal then check_causal(2, owner, additive, L, S) end
  elseif opts.is_causal and dropout_p ~= 0 then
    -- (without dropout the fused kernel below applies the causal mask itself)
    additive = tensor.where(causal_keep(L, S), 0, -math.huge)
  end
  local scale = opts.scale or 1 / math.sqrt(qs[n])
  local out
  if dropout_p == 0 and opts.attn_mask == nil then
    -- No mask but the causal one and no dropout: the fused kernel on 3-d batches.
    local shape3 = n == 2 and { 1, qs[1], qs[2] } or nil
    local function as3(t) return shape3 and t:reshape(1, t:size(1), t:size(2)) or batch3(t) end
    out = F._sdpa(as3(q), as3(k), as3(v), opts.is_causal == true, scale)
    local os = {}
    for i = 1, n - 1 do os[i] = qs[i] end
    os[n] = vs[n]
    out = out:reshape(os)
  elseif n <= 4 then
    out = attend(q, k, v, additive, scale, dropout_p)
  else
    if additive ~= nil then
      -- The mask broadcast to the full [..., L, S] shape, then flattened like the scores.
      local full = {}
      for i = 1, n - 2 do full[i] = qs[i] end
      full[n - 1], full[n] = L, S
      local ms = additive:shape()
      while #ms < n do additive = additive:unsqueeze(1); ms = additive:shape() end
      additive = batch3(additive:expand(full))
    end
    out = attend(batch3(q), batch3(k), batch3(v), additive, scale, dropout_p)
    local os = {}
    for i = 1, n - 1 do os[i] = qs[i] end
    os[n] = vs[n]
    out = out:reshape(os)
  end
  return out
end

-- Recurrent layers ---------------------------------------------------------------------------

local gate_count = { RNN = 1, LSTM = 4, GRU = 3 }

local function recurrent(kind)
  local owner = "nn." .. kind
  local G = gate_count[kind]
  return nn.Module{
    name = kind,
    init = function(self, input_size, hidden_size, opts)
      positive_integer(3, owner, "input_size", input_size)
      positive_integer(3, owner, "hidden_size", hidden_size)
      local spec = { num_layers = "number", bias = "boolean", batch_first = "boolean", dropout = "number",
        bidirectional = "boolean" }
      if kind == "RNN" then spec.nonlinearity = "string" end
      opts = options(3, owner, opts, spec)
      local num_layers = positive_integer(3, owner, "num_layers", opts.num_layers or 1)
      local nonlinearity = opts.nonlinearity or "tanh"
      if nonlinearity ~= "tanh" and nonlinearity ~= "relu" then
        fail(3, "%s: nonlinearity must be 'tanh' or 'relu', got '%s'", owner, nonlinearity)
      end
      rawset(self, "input_size", input_size)
      rawset(self, "hidden_size", hidden_size)
      rawset(self, "num_layers", num_layers)
      rawset(self, "bias", opts.bias ~= false)
      rawset(self, "batch_first", opts.batch_first == true)
      rawset(self, "dropout", probability(3, owner, "dropout", opts.dropout or 0))
      rawset(self, "bidirectional", opts.bidirectional == true)
      rawset(self, "nonlinearity", nonlinearity)
      local D = self.bidirectional and 2 or 1
      for l = 0, num_layers - 1 do
        local in_size = l == 0 and input_size or hidden_size * D
        for dir = 0, D - 1 do
          local sfx = "_l" .. l .. (dir == 1 and "_reverse" or "")
          self["weight_ih" .. sfx] = nn.Parameter(tensor.empty(G * hidden_size, in_size))
          self["weight_hh" .. sfx] = nn.Parameter(tensor.empty(G * hidden_size, hidden_size))
          if self.bias then
            self["bias_ih" .. sfx] = nn.Parameter(tensor.empty(G * hidden_size))
            self["bias_hh" .. sfx] = nn.Parameter(tensor.empty(G * hidden_size))
          end
        end
      end
      self:reset_parameters()
    end,
    -- PyTorch's init: every weight and bias U(±1/√hidden_size).
    reset_parameters = function(self)
      local bound = 1 / math.sqrt(self.hidden_size)
      autograd.no_grad(function()
        for _, p in ipairs(self:parameters()) do uniform_(p, bound) end
      end)
    end,
    --- m(input[, h0]) (LSTM: m(input[, {h0, c0}]) or m(input, h0, c0)) -> output, h_n[, c_n]
    forward = function(self, input, hx, cx)
      expect_tensor(3, kind, "input", input)
      local d = input:dim()
      if d ~= 2 and d ~= 3 then
        fail(3, "%s: expected input of 2 (unbatched) or 3 dimensions, got shape %s", kind, shape_string(input:shape()))
      end
      local batched = d == 3
      local x = input
      if not batched then x = x:unsqueeze(2)
      elseif self.batch_first then x = x:transpose(1, 2) end
      local T, B, I = x:size(1), x:size(2), x:size(3)
      if I ~= self.input_size then
        fail(3, "%s: expected input with %d features, got shape %s", kind, self.input_size, shape_string(input:shape()))
      end
      local H, D, NL = self.hidden_size, self.bidirectional and 2 or 1, self.num_layers
      local h0, c0 = hx, cx
      if kind == "LSTM" and type(hx) == "table" and not is_tensor(hx) then h0, c0 = hx[1], hx[2] end
      local function state(name, s)
        if s == nil then return tensor.zeros(NL * D, B, H) end
        expect_tensor(4, kind, name, s)
        local want = batched and { NL * D, B, H } or { NL * D, H }
        if shape_string(s:shape()) ~= shape_string(want) then
          fail(4, "%s: expected %s of shape %s, got %s", kind, name, shape_string(want), shape_string(s:shape()))
        end
        return batched and s or s:unsqueeze(2)
      end
      if kind == "LSTM" and (h0 == nil) ~= (c0 == nil) then
        fail(3, "LSTM: expected the initial state as {h0, c0} (both or neither), got %s and %s", describe(h0), describe(c0))
      end
      h0 = state("h0", h0)
      if kind == "LSTM" then c0 = state("c0", c0)
      elseif c0 ~= nil then fail(3, "%s: takes one initial state (h0), got a second one", kind) end
      local cell = kind == "LSTM" and "lstm" or kind == "GRU" and "gru" or ("rnn_" .. self.nonlinearity)
      if T == 0 then fail(3, "%s: expected a sequence of at least one step, got shape %s", kind, shape_string(input:shape())) end
      local hn, cn = {}, {}
      local layer_input = x
      for l = 0, NL - 1 do
        local outs = {}
        local in_size = layer_input:size(3)
        for dir = 0, D - 1 do
          local sfx = "_l" .. l .. (dir == 1 and "_reverse" or "")
          local w_hh, b_hh = self["weight_hh" .. sfx], self["bias_hh" .. sfx]
          local idx = l * D + dir + 1
          -- The input projection of every time step in one product.
          local xp = F.linear(layer_input:reshape(T * B, in_size), self["weight_ih" .. sfx], self["bias_ih" .. sfx])
            :reshape(T, B, G * H)
          -- The recurrence over all steps as one op with its own backward (Swift,
          -- Sources/NN/RecurrentLayers.swift); LSTM's result holds [h | c] per step.
          local y = F._recurrent(cell, xp, w_hh, b_hh, h0[idx], c0 and c0[idx], dir == 1)
          local last = dir == 0 and T or 1
          if kind == "LSTM" then
            outs[dir + 1] = y:narrow(3, 1, H)
            hn[idx], cn[idx] = y[last]:narrow(2, 1, H), y[last]:narrow(2, H + 1, H)
          else
            outs[dir + 1] = y
            hn[idx] = y[last]
          end
        end
        layer_input = D == 2 and tensor.cat(outs, 3) or outs[1]
        if self.dropout > 0 and self.training and l < NL - 1 then
          layer_input = F.dropout(layer_input, self.dropout, true)
        end
      end
      local out, h_n = layer_input, tensor.stack(hn, 1)
      local c_n = kind == "LSTM" and tensor.stack(cn, 1) or nil
      if not batched then
        out, h_n = out:squeeze(2), h_n:squeeze(2)
        if c_n then c_n = c_n:squeeze(2) end
      elseif self.batch_first then
        out = out:transpose(1, 2)
      end
      if kind == "LSTM" then return out, h_n, c_n end
      return out, h_n
    end,
    extra_repr = function(self)
      local s = string.format("%d, %d", self.input_size, self.hidden_size)
      if self.num_layers ~= 1 then s = s .. ", num_layers=" .. self.num_layers end
      if not self.bias then s = s .. ", bias=false" end
      if self.batch_first then s = s .. ", batch_first=true" end
      if self.dropout ~= 0 then s = s .. ", dropout=" .. self.dropout end
      if self.bidirectional then s = s .. ", bidirectional=true" end
      if self.nonlinearity ~= "tanh" then s = s .. ", nonlinearity=" .. self.nonlinearity end
      return s
    end,
  }
end

nn.RNN = recurrent("RNN")
nn.LSTM = recurrent("LSTM")
nn.GRU = recurrent("GRU")

-- Attention ----------------------------------------------------------------------------------

nn.MultiheadAttention = nn.Module{
  name = "MultiheadAttention",
  init = function(self, embed_dim, num_heads, opts)
    local owner = "nn.MultiheadAttention"
    positive_integer(3, owner, "embed_dim", embed_dim)
    positive_integer(3, owner, "num_heads", num_heads)
    if embed_dim % num_heads ~= 0 then
      fail(3, "%s: embed_dim (%d) must be divisible by num_heads (%d)", owner, embed_dim, num_heads)
    end
    opts = options(3, owner, opts, { dropout = "number", bias = "boolean", batch_first = "boolean", kdim = "number",
      vdim = "number" })
    local kdim = positive_integer(3, owner, "kdim", opts.kdim or embed_dim)
    local vdim = positive_integer(3, owner, "vdim", opts.vdim or embed_dim)
    rawset(self, "embed_dim", embed_dim)
    rawset(self, "num_heads", num_heads)
    rawset(self, "head_dim", embed_dim // num_heads)
    rawset(self, "kdim", kdim)
    rawset(self, "vdim", vdim)
    rawset(self, "dropout", probability(3, owner, "dropout", opts.dropout or 0))
    rawset(self, "batch_first", opts.batch_first == true)
    local E = embed_dim
    if kdim == E and vdim == E then
      self.in_proj_weight = nn.Parameter(tensor.empty(3 * E, E))
    else
      self.q_proj_weight = nn.Parameter(tensor.empty(E, E))
      self.k_proj_weight = nn.Parameter(tensor.empty(E, kdim))
      self.v_proj_weight = nn.Parameter(tensor.empty(E, vdim))
    end
    if opts.bias ~= false then self.in_proj_bias = nn.Parameter(tensor.empty(3 * E)) end
    self.out_proj = nn.Linear(E, E, { bias = opts.bias ~= false })
    self:reset_parameters()
  end,
  -- PyTorch's init: xavier_uniform for the input projections, zero biases; out_proj.weight keeps
  -- Linear's default.
  reset_parameters = function(self)
    autograd.no_grad(function()
      if self.in_proj_weight then init.xavier_uniform_(self.in_proj_weight)
      else
        init.xavier_uniform_(self.q_proj_weight)
        init.xavier_uniform_(self.k_proj_weight)
        init.xavier_uniform_(self.v_proj_weight)
      end
      if self.in_proj_bias then
        init.zeros_(self.in_proj_bias)
        init.zeros_(self.out_proj.bias)
      end
    end)
  end,
  --- m(query, key, value[, {attn_mask, key_padding_mask, is_causal, need_weights, average_attn_weights}])
  --- -> output[, weights]
  forward = function(self, query, key, value, opts)
    local owner = "MultiheadAttention"
    expect_tensor(3, owner, "query", query)
    expect_tensor(3, owner, "key", key)
    expect_tensor(3, owner, "value", value)
    opts = options(3, owner, opts, { attn_mask = "tensor", key_padding_mask = "tensor", is_causal = "boolean",
      need_weights = "boolean", average_attn_weights = "boolean" })
    local E, nh, hd = self.embed_dim, self.num_heads, self.head_dim
    local d = query:dim()
    if (d ~= 2 and d ~= 3) or key:dim() ~= d or value:dim() ~= d then
      fail(3, "%s: expected query, key and value of 3 dimensions (or 2, unbatched), got shapes %s, %s and %s", owner,
        shape_string(query:shape()), shape_string(key:shape()), shape_string(value:shape()))
    end
    local batched = d == 3
    local q, k, v = query, key, value
    if not batched then
      q, k, v = q:unsqueeze(1), k:unsqueeze(1), v:unsqueeze(1)
    elseif not self.batch_first then
      q, k, v = q:transpose(1, 2), k:transpose(1, 2), v:transpose(1, 2)
    end
    -- Now [N, L, E], [N, S, kdim], [N, S, vdim].
    local N, L, S = q:size(1), q:size(2), k:size(2)
    if q:size(3) ~= E or k:size(3) ~= self.kdim or v:size(3) ~= self.vdim then
      fail(3, "%s: expected features %d (query), %d (key), %d (value), got shapes %s, %s and %s", owner, E, self.kdim,
        self.vdim, shape_string(query:shape()), shape_string(key:shape()), shape_string(value:shape()))
    end
    if k:size(1) ~= N or v:size(1) ~= N or v:size(2) ~= S then
      fail(3, "%s: query, key and value must have the same batch size and key and value the same length, got shapes %s, %s and %s",
        owner, shape_string(query:shape()), shape_string(key:shape()), shape_string(value:shape()))
    end
    local wq, wk, wv
    if self.in_proj_weight then
      local w = self.in_proj_weight
      wq, wk, wv = w:narrow(1, 1, E), w:narrow(1, E + 1, E), w:narrow(1, 2 * E + 1, E)
    else
      wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
    end
    local b = self.in_proj_bias
    local bq, bk, bv
    if b then bq, bk, bv = b:narrow(1, 1, E), b:narrow(1, E + 1, E), b:narrow(1, 2 * E + 1, E) end
    local function heads(t, len) return t:reshape(N, len, nh, hd):transpose(2, 3) end
    local qh, kh, vh
    if query == key and key == value and self.in_proj_weight then
      -- Self-attention: one product for q, k and v (PyTorch's in_proj order).
      local qkv = F.linear(q, self.in_proj_weight, b)
      qh = heads(qkv:narrow(3, 1, E), L)
      kh = heads(qkv:narrow(3, E + 1, E), S)
      vh = heads(qkv:narrow(3, 2 * E + 1, E), S)
    else
      qh = heads(F.linear(q, wq, bq), L)
      kh = heads(F.linear(k, wk, bk), S)
      vh = heads(F.linear(v, wv, bv), S)
    end
    local p = self.training and self.dropout or 0
    local fused = p == 0 and opts.need_weights == false and opts.key_padding_mask == nil
      and (opts.attn_mask == nil or opts.is_causal == true)
    -- One additive mask broadcastable to [N, heads, L, S].
    local additive
    if opts.attn_mask ~= nil then
      local m = opts.attn_mask
      local ms = m:shape()
      if #ms == 2 and ms[1] == L and ms[2] == S then
        additive = additive_mask(m, 0)
      elseif #ms == 3 and ms[1] == N * nh and ms[2] == L and ms[3] == S then
        additive = additive_mask(m, 0):reshape(N, nh, L, S)
      else
        fail(3, "%s: expected attn_mask of shape [%d, %d] or [%d, %d, %d], got %s", owner, L, S, N * nh, L, S, shape_string(ms))
      end
      if opts.is_causal then check_causal(3, owner, additive, L, S) end
    elseif opts.is_causal and not fused then
      additive = tensor.where(causal_keep(L, S), 0, -math.huge)
    end
    if opts.key_padding_mask ~= nil then
      local m = opts.key_padding_mask
      local want = batched and { N, S } or { S }
      if shape_string(m:shape()) ~= shape_string(want) then
        fail(3, "%s: expected key_padding_mask of shape %s, got %s", owner, shape_string(want), shape_string(m:shape()))
      end
      local pad = additive_mask(m, 0):reshape(N, 1, 1, S)
      additive = additive and additive + pad or pad
    end
    local out, weights
    if fused then
      -- The fused kernel (PyTorch too drops a mask given with is_causal when no weights or
      -- padding mask are asked for); heads flattened into the batch.
      local function flat(t, len) return t:reshape(N * nh, len, hd) end
      out = F._sdpa(flat(qh, L), flat(kh, S), flat(vh, S), opts.is_causal == true, 1 / math.sqrt(hd))
      out = out:view(N, nh, L, hd)
    else
      out, weights = attend(qh, kh, vh, additive, 1 / math.sqrt(hd), p)
    end
    out = self.out_proj(out:transpose(2, 3):reshape(N, L, E))
    if not batched then out = out:squeeze(1)
    elseif not self.batch_first then out = out:transpose(1, 2) end
    if opts.need_weights == false then return out end
    if opts.average_attn_weights ~= false then weights = weights:mean(2) end
    if not batched then weights = weights:squeeze(1) end
    return out, weights
  end,
  extra_repr = function(self)
    return string.format("embed_dim=%d, num_heads=%d", self.embed_dim, self.num_heads)
  end,
}

local function activation_function(level, owner, name)
  if name == "relu" then return function(x) return x:relu() end end
  if name == "gelu" then return function(x) return x:gelu() end end
  fail(level + 1, "%s: activation must be 'relu' or 'gelu', got '%s'", owner, tostring(name))
end

local transformer_spec = { dim_feedforward = "number", dropout = "number", activation = "string",
  layer_norm_eps = "number", batch_first = "boolean", norm_first = "boolean", bias = "boolean" }

-- The parts both Transformer layers share: feed-forward block and norms (PyTorch's names).
local function transformer_common(self, owner, d_model, nhead, opts, norms)
  positive_integer(4, owner, "d_model", d_model)
  positive_integer(4, owner, "nhead", nhead)
  local dff = positive_integer(4, owner, "dim_feedforward", opts.dim_feedforward or 2048)
  local p = probability(4, owner, "dropout", opts.dropout or 0.1)
  local bias = opts.bias ~= false
  rawset(self, "activation_name", opts.activation or "relu")
  rawset(self, "activation", activation_function(4, owner, self.activation_name))
  rawset(self, "norm_first", opts.norm_first == true)
  rawset(self, "batch_first", opts.batch_first == true)
  if d_model % nhead ~= 0 then fail(4, "%s: d_model (%d) must be divisible by nhead (%d)", owner, d_model, nhead) end
  local mha = { dropout = p, bias = bias, batch_first = self.batch_first }
  self.self_attn = nn.MultiheadAttention(d_model, nhead, mha)
  if norms == 3 then self.multihead_attn = nn.MultiheadAttention(d_model, nhead, mha) end
  self.linear1 = nn.Linear(d_model, dff, { bias = bias })
  self.dropout = nn.Dropout(p)
  self.linear2 = nn.Linear(dff, d_model, { bias = bias })
  local ln = { eps = opts.layer_norm_eps or 1e-5, bias = bias }
  for i = 1, norms do self["norm" .. i] = nn.LayerNorm(d_model, ln) end
  for i = 1, norms do self["dropout" .. i] = nn.Dropout(p) end
end

local function feed_forward(self, x, drop)
  return drop(self.linear2(self.dropout(self.activation(self.linear1(x)))))
end

nn.TransformerEncoderLayer = nn.Module{
  name = "TransformerEncoderLayer",
  init = function(self, d_model, nhead, opts)
    local owner = "nn.TransformerEncoderLayer"
    opts = options(3, owner, opts, transformer_spec)
    transformer_common(self, owner, d_model, nhead, opts, 2)
  end,
  --- m(src[, {src_mask, is_causal, src_key_padding_mask}])
  forward = function(self, src, opts)
    opts = options(3, "TransformerEncoderLayer", opts, { src_mask = "tensor", is_causal = "boolean",
      src_key_padding_mask = "tensor" })
    local attn_opts = { attn_mask = opts.src_mask, is_causal = opts.is_causal, key_padding_mask = opts.src_key_padding_mask,
      need_weights = false }
    local function sa(y) return self.dropout1(self.self_attn(y, y, y, attn_opts)) end
    local x = src
    if self.norm_first then
      x = x + sa(self.norm1(x))
      x = x + feed_forward(self, self.norm2(x), self.dropout2)
    else
      x = self.norm1(x + sa(x))
      x = self.norm2(x + feed_forward(self, x, self.dropout2))
    end
    return x
  end,
}

nn.TransformerDecoderLayer = nn.Module{
  name = "TransformerDecoderLayer",
  init = function(self, d_model, nhead, opts)
    local owner = "nn.TransformerDecoderLayer"
    opts = options(3, owner, opts, transformer_spec)
    transformer_common(self, owner, d_model, nhead, opts, 3)
  end,
  --- m(tgt, memory[, {tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask,
  --- tgt_is_causal, memory_is_causal}])
  forward = function(self, tgt, memory, opts)
    opts = options(3, "TransformerDecoderLayer", opts, { tgt_mask = "tensor", memory_mask = "tensor",
      tgt_key_padding_mask = "tensor", memory_key_padding_mask = "tensor", tgt_is_causal = "boolean",
      memory_is_causal = "boolean" })
    local sa_opts = { attn_mask = opts.tgt_mask, is_causal = opts.tgt_is_causal, key_padding_mask = opts.tgt_key_padding_mask,
      need_weights = false }
    local mha_opts = { attn_mask = opts.memory_mask, is_causal = opts.memory_is_causal,
      key_padding_mask = opts.memory_key_padding_mask, need_weights = false }
    local function sa(y) return self.dropout1(self.self_attn(y, y, y, sa_opts)) end
    local function mha(y) return self.dropout2(self.multihead_attn(y, memory, memory, mha_opts)) end
    local x = tgt
    if self.norm_first then
      x = x + sa(self.norm1(x))
      x = x + mha(self.norm2(x))
      x = x + feed_forward(self, self.norm3(x), self.dropout3)
    else
      x = self.norm1(x + sa(x))
      x = self.norm2(x + mha(x))
      x = self.norm3(x + feed_forward(self, x, self.dropout3))
    end
    return x
  end,
}

-- Convolutions -------------------------------------------------------------------------------

-- kaiming_uniform(a = √5) for the weight and U(±1/√fan_in) for the bias, as PyTorch's _ConvNd.
local function reset_conv(self)
  autograd.no_grad(function()
    init.kaiming_uniform_(self.weight, { a = math.sqrt(5) })
    if self.bias then
      local fan_in = init.fans(self.weight)
      uniform_(self.bias, 1 / math.sqrt(fan_in))
    end
  end)
end

nn.Conv1d = nn.Module{
  name = "Conv1d",
  init = function(self, in_channels, out_channels, kernel_size, opts)
    local owner = "nn.Conv1d"
    positive_integer(3, owner, "in_channels", in_channels)
    positive_integer(3, owner, "out_channels", out_channels)
    local k = int_tuple(3, owner, "kernel_size", kernel_size, 1, 1)[1]
    opts = options(3, owner, opts, { stride = "size", padding = "size", dilation = "size", bias = "boolean", groups = "number" })
    if opts.groups ~= nil and opts.groups ~= 1 then fail(3, "%s: groups other than 1 are not supported, got %s", owner, describe(opts.groups)) end
    rawset(self, "in_channels", in_channels)
    rawset(self, "out_channels", out_channels)
    rawset(self, "kernel_size", k)
    rawset(self, "stride", int_tuple(3, owner, "stride", opts.stride or 1, 1, 1)[1])
    rawset(self, "padding", int_tuple(3, owner, "padding", opts.padding or 0, 1, 0)[1])
    rawset(self, "dilation", int_tuple(3, owner, "dilation", opts.dilation or 1, 1, 1)[1])
    self.weight = nn.Parameter(tensor.empty(out_channels, in_channels, k))
    if opts.bias ~= false then self.bias = nn.Parameter(tensor.empty(out_channels)) end
    self:reset_parameters()
  end,
  reset_parameters = reset_conv,
  forward = function(self, x)
    expect_tensor(3, "Conv1d", "input", x)
    local d = x:dim()
    if (d ~= 2 and d ~= 3) or x:size(d - 1) ~= self.in_channels then
      fail(3, "Conv1d: expected input [N, %d, L] or [%d, L], got shape %s", self.in_channels, self.in_channels,
        shape_string(x:shape()))
    end
    local batched = d == 3
    if not batched then x = x:unsqueeze(1) end
    -- A 1-d convolution is a 2-d one over a height of 1.
    local y = F.conv2d(x:unsqueeze(3), self.weight:unsqueeze(3), self.bias,
      { stride = { 1, self.stride }, padding = { 0, self.padding }, dilation = { 1, self.dilation } }):squeeze(3)
    if not batched then y = y:squeeze(1) end
    return y
  end,
  extra_repr = function(self)
    return string.format("%d, %d, kernel_size=%d, stride=%d, padding=%d", self.in_channels, self.out_channels,
      self.kernel_size, self.stride, self.padding)
  end,
}

-- Zeros of `x`'s shape with dim `d` of size `n`.
local function zeros_along(x, d, n)
  local shape = x:shape()
  shape[d] = n
  return tensor.zeros(shape)
end

-- Pads dim `d` of `x` with `lo` zeros in front and `hi` behind; negative amounts crop.
local function pad_dim(x, d, lo, hi)
  if lo < 0 then x = x:narrow(d, 1 - lo, x:size(d) + lo); lo = 0 end
  if hi < 0 then x = x:narrow(d, 1, x:size(d) + hi); hi = 0 end
  local parts = {}
  if lo > 0 then parts[#parts + 1] = zeros_along(x, d, lo) end
  parts[#parts + 1] = x
  if hi > 0 then parts[#parts + 1] = zeros_along(x, d, hi) end
  return #parts == 1 and x or tensor.cat(parts, d)
end

nn.ConvTranspose2d = nn.Module{
  name = "ConvTranspose2d",
  init = function(self, in_channels, out_channels, kernel_size, opts)
    local owner = "nn.ConvTranspose2d"
    positive_integer(3, owner, "in_channels", in_channels)
    positive_integer(3, owner, "out_channels", out_channels)
    local k = int_tuple(3, owner, "kernel_size", kernel_size, 2, 1)
    opts = options(3, owner, opts, { stride = "size", padding = "size", output_padding = "size", dilation = "size",
      bias = "boolean", groups = "number" })
    if opts.groups ~= nil and opts.groups ~= 1 then fail(3, "%s: groups other than 1 are not supported, got %s", owner, describe(opts.groups)) end
    rawset(self, "in_channels", in_channels)
    rawset(self, "out_channels", out_channels)
    rawset(self, "kernel_size", k)
    rawset(self, "stride", int_tuple(3, owner, "stride", opts.stride or 1, 2, 1))
    rawset(self, "padding", int_tuple(3, owner, "padding", opts.padding or 0, 2, 0))
    rawset(self, "output_padding", int_tuple(3, owner, "output_padding", opts.output_padding or 0, 2, 0))
    rawset(self, "dilation", int_tuple(3, owner, "dilation", opts.dilation or 1, 2, 1))
    for i = 1, 2 do
      if self.output_padding[i] >= math.max(self.stride[i], self.dilation[i]) then
        fail(3, "%s: output_padding must be smaller than stride or dilation, got output_padding %d with stride %d and dilation %d",
          owner, self.output_padding[i], self.stride[i], self.dilation[i])
      end
    end
    -- PyTorch's layout: [in_channels, out_channels, kh, kw].
    self.weight = nn.Parameter(tensor.empty(in_channels, out_channels, k[1], k[2]))
    if opts.bias ~= false then self.bias = nn.Parameter(tensor.empty(out_channels)) end
    self:reset_parameters()
  end,
  reset_parameters = reset_conv,
  forward = function(self, x)
    expect_tensor(3, "ConvTranspose2d", "input", x)
    local d = x:dim()
    if (d ~= 3 and d ~= 4) or x:size(d - 2) ~= self.in_channels then
      fail(3, "ConvTranspose2d: expected input [N, %d, H, W] or [%d, H, W], got shape %s", self.in_channels,
        self.in_channels, shape_string(x:shape()))
    end
    local batched = d == 4
    if not batched then x = x:unsqueeze(1) end
    local N, C, H, W = x:size(1), x:size(2), x:size(3), x:size(4)
    local s, p, op, dil, k = self.stride, self.padding, self.output_padding, self.dilation, self.kernel_size
    -- The transposed convolution is a stride-1 convolution of the input with (stride - 1) zeros
    -- between its elements, padded by dilation*(k - 1) - padding (plus output_padding behind),
    -- with the kernel flipped and its channel dims swapped.
    if s[1] > 1 or s[2] > 1 then
      local z = x:reshape(N, C, H, 1, W, 1)
      if s[1] > 1 then z = tensor.cat({ z, tensor.zeros(N, C, H, s[1] - 1, W, 1) }, 4) end
      if s[2] > 1 then z = tensor.cat({ z, tensor.zeros(N, C, H, s[1], W, s[2] - 1) }, 6) end
      x = z:reshape(N, C, H * s[1], W * s[2]):narrow(3, 1, (H - 1) * s[1] + 1):narrow(4, 1, (W - 1) * s[2] + 1)
    end
    for i = 1, 2 do
      local lo = dil[i] * (k[i] - 1) - p[i]
      x = pad_dim(x, 2 + i, lo, lo + op[i])
    end
    local w = self.weight:index_select(3, tensor.arange(k[1], 0, -1)):index_select(4, tensor.arange(k[2], 0, -1))
      :transpose(1, 2):contiguous()
    local y = F.conv2d(x, w, self.bias, { dilation = dil })
    if not batched then y = y:squeeze(1) end
    return y
  end,
  extra_repr = function(self)
    return string.format("%d, %d, kernel_size=(%d, %d), stride=(%d, %d)", self.in_channels, self.out_channels,
      self.kernel_size[1], self.kernel_size[2], self.stride[1], self.stride[2])
  end,
}

-- Normalisation ------------------------------------------------------------------------------

nn.GroupNorm = nn.Module{
  name = "GroupNorm",
  init = function(self, num_groups, num_channels, opts)
    local owner = "nn.GroupNorm"
    positive_integer(3, owner, "num_groups", num_groups)
    positive_integer(3, owner, "num_channels", num_channels)
    if num_channels % num_groups ~= 0 then
      fail(3, "%s: num_channels (%d) must be divisible by num_groups (%d)", owner, num_channels, num_groups)
    end
    opts = options(3, owner, opts, { eps = "number", affine = "boolean" })
    rawset(self, "num_groups", num_groups)
    rawset(self, "num_channels", num_channels)
    rawset(self, "eps", opts.eps or 1e-5)
    if opts.affine ~= false then
      self.weight = nn.Parameter(tensor.ones(num_channels))
      self.bias = nn.Parameter(tensor.zeros(num_channels))
    end
  end,
  forward = function(self, x)
    expect_tensor(3, "GroupNorm", "input", x)
    local shape = x:shape()
    if #shape < 2 or shape[2] ~= self.num_channels then
      fail(3, "GroupNorm: expected input [N, %d, ...], got shape %s", self.num_channels, shape_string(shape))
    end
    local N, G = shape[1], self.num_groups
    local per = x:numel() // math.max(N * G, 1)
    local xg = x:reshape(N, G, per)
    local xc = xg - xg:mean(3, true)
    local var = (xc * xc):mean(3, true)
    local y = (xc * (var + self.eps):rsqrt()):reshape(shape)
    if self.weight then
      local bshape = { 1, self.num_channels }
      for _ = 3, #shape do bshape[#bshape + 1] = 1 end
      y = y * self.weight:view(bshape) + self.bias:view(bshape)
    end
    return y
  end,
  extra_repr = function(self)
    return string.format("%d, %d, eps=%g", self.num_groups, self.num_channels, self.eps)
  end,
}

-- torch.finfo(torch.float32).eps: RMSNorm's eps when none is given.
local float32_eps = 1.1920928955078125e-07

nn.RMSNorm = nn.Module{
  name = "RMSNorm",
  init = function(self, normalized_shape, opts)
    local owner = "nn.RMSNorm"
    if math.type(normalized_shape) == "integer" then normalized_shape = { normalized_shape } end
    if type(normalized_shape) ~= "table" or #normalized_shape == 0 then
      fail(3, "%s: expected normalized_shape as an integer or a table of integers, got %s", owner, describe(normalized_shape))
    end
    local shape = {}
    for i, d in ipairs(normalized_shape) do shape[i] = positive_integer(3, owner, "normalized_shape entry " .. i, d) end
    opts = options(3, owner, opts, { eps = "number", elementwise_affine = "boolean" })
    rawset(self, "normalized_shape", shape)
    rawset(self, "eps", opts.eps)
    if opts.elementwise_affine ~= false then self.weight = nn.Parameter(tensor.ones(shape)) end
  end,
  forward = function(self, x)
    expect_tensor(3, "RMSNorm", "input", x)
    local shape, ns = x:shape(), self.normalized_shape
    local lead = #shape - #ns
    local ok = lead >= 0
    for i = 1, #ns do ok = ok and shape[lead + i] == ns[i] end
    if not ok then
      fail(3, "RMSNorm: expected input whose last dimensions are %s, got shape %s", shape_string(ns), shape_string(shape))
    end
    local flat, size = {}, 1
    for i = 1, lead do flat[i] = shape[i] end
    for i = 1, #ns do size = size * ns[i] end
    flat[lead + 1] = size
    local xf = x:reshape(flat)
    local y = (xf * ((xf * xf):mean(-1, true) + (self.eps or float32_eps)):rsqrt()):reshape(shape)
    if self.weight then y = y * self.weight end
    return y
  end,
  extra_repr = function(self)
    return shape_string(self.normalized_shape) .. ", eps=" .. tostring(self.eps)
  end,
}

-- Pooling and resampling ---------------------------------------------------------------------

nn.AdaptiveAvgPool2d = nn.Module{
  name = "AdaptiveAvgPool2d",
  init = function(self, output_size)
    rawset(self, "output_size", int_tuple(3, "nn.AdaptiveAvgPool2d", "output_size", output_size, 2, 1))
  end,
  forward = function(self, x)
    expect_tensor(3, "AdaptiveAvgPool2d", "input", x)
    local d = x:dim()
    if d ~= 3 and d ~= 4 then
      fail(3, "AdaptiveAvgPool2d: expected input [N, C, H, W] or [C, H, W], got shape %s", shape_string(x:shape()))
    end
    -- Output cell i of a dimension of size n averages inputs floor(i*n/o) .. ceil((i+1)*n/o) - 1.
    for i = 1, 2 do
      local dim = d - 2 + i
      local n, o = x:size(dim), self.output_size[i]
      if n == 0 then fail(3, "AdaptiveAvgPool2d: input of shape %s has an empty spatial dimension", shape_string(x:shape())) end
      if o == 1 then
        x = x:mean(dim, true)
      elseif n % o == 0 then
        local shape = x:shape()
        local split = {}
        for j = 1, dim - 1 do split[#split + 1] = shape[j] end
        split[#split + 1] = o
        split[#split + 1] = n // o
        for j = dim + 1, #shape do split[#split + 1] = shape[j] end
        x = x:reshape(split):mean(dim + 1)
      else
        local parts = {}
        for c = 0, o - 1 do
          local s, e = (c * n) // o, -((-(c + 1) * n) // o)
          parts[c + 1] = x:narrow(dim, s + 1, e - s):mean(dim, true)
        end
        x = tensor.cat(parts, dim)
      end
    end
    return x
  end,
  extra_repr = function(self)
    return string.format("output_size=(%d, %d)", self.output_size[1], self.output_size[2])
  end,
}

local function float32(v) return (string.unpack("f", string.pack("f", v))) end

nn.Upsample = nn.Module{
  name = "Upsample",
  init = function(self, opts)
    local owner = "nn.Upsample"
    opts = options(3, owner, opts, { size = "size", scale_factor = "numbers", mode = "string", align_corners = "boolean",
      recompute_scale_factor = "boolean" })
    local mode = opts.mode or "nearest"
    if mode ~= "nearest" then fail(3, "%s: only mode 'nearest' is supported, got '%s'", owner, mode) end
    if opts.align_corners then fail(3, "%s: align_corners applies to interpolating modes, not 'nearest'", owner) end
    if (opts.size == nil) == (opts.scale_factor == nil) then
      fail(3, "%s: expected exactly one of size and scale_factor", owner)
    end
    if opts.scale_factor ~= nil then
      local sf = type(opts.scale_factor) == "table" and opts.scale_factor or { opts.scale_factor }
      for i, v in ipairs(sf) do
        if type(v) ~= "number" or v ~= v or v <= 0 then fail(3, "%s: scale_factor entries must be positive numbers, got %s at %d", owner, describe(v), i) end
      end
      rawset(self, "scale_factor", sf)
    else
      local size = type(opts.size) == "table" and opts.size or { opts.size }
      for i, v in ipairs(size) do positive_integer(3, owner, "size entry " .. i, v) end
      rawset(self, "size", size)
    end
    rawset(self, "mode", mode)
    rawset(self, "recompute_scale_factor", opts.recompute_scale_factor == true)
  end,
  forward = function(self, x)
    expect_tensor(3, "Upsample", "input", x)
    local d = x:dim()
    local spatial = d - 2
    if spatial < 1 or spatial > 3 then
      fail(3, "Upsample: expected input of 3, 4 or 5 dimensions [N, C, ...], got shape %s", shape_string(x:shape()))
    end
    local given = self.size or self.scale_factor
    if #given ~= 1 and #given ~= spatial then
      fail(3, "Upsample: %s has %d entries for an input with %d spatial dimensions", self.size and "size" or "scale_factor",
        #given, spatial)
    end
    for i = 1, spatial do
      local dim = 2 + i
      local n = x:size(dim)
      local out, scale
      if self.size then
        out = self.size[#given == 1 and 1 or i]
        scale = float32(n / out)
      else
        local sf = self.scale_factor[#given == 1 and 1 or i]
        out = math.floor(n * sf)
        -- PyTorch uses 1/scale_factor unless asked to recompute it from the sizes.
        scale = self.recompute_scale_factor and float32(n / out) or float32(1 / sf)
      end
      if out < 1 then fail(3, "Upsample: output size %d along dimension %d is not positive", out, dim) end
      if out ~= n then
        local idx = {}
        for j = 0, out - 1 do
          local src = out == 2 * n and j // 2 or math.floor(float32(j * scale))
          idx[j + 1] = math.min(src, n - 1) + 1
        end
        x = x:index_select(dim, tensor.from(idx))
      end
    end
    return x
  end,
  extra_repr = function(self)
    local what = self.size and ("size=" .. shape_string(self.size)) or ("scale_factor=" .. shape_string(self.scale_factor))
    return what .. ", mode='" .. self.mode .. "'"
  end,
}

-- Activations --------------------------------------------------------------------------------

-- An activation whose PyTorch constructor takes one number positionally, or keyword options.
local function parametric(name, spec, defaults, positional, fn, repr)
  return nn.Module{
    name = name,
    init = function(self, arg)
      local opts
      if type(arg) == "number" and positional then opts = { [positional] = arg }
      else opts = options(3, "nn." .. name, arg, spec) end
      for k, v in pairs(defaults) do rawset(self, k, opts[k] == nil and v or opts[k]) end
    end,
    forward = function(self, x)
      expect_tensor(3, name, "input", x)
      return fn(self, x)
    end,
    extra_repr = repr,
  }
end

local function softplus(x, beta, threshold)
  local z = x * beta
  return tensor.where(z:gt(threshold), x, z:clamp(-math.huge, threshold):exp():log1p() / beta)
end

nn.SiLU = nn.Module{ name = "SiLU", forward = function(_, x) return x * x:sigmoid() end }
nn.Mish = nn.Module{ name = "Mish", forward = function(_, x) return x * softplus(x, 1, 20):tanh() end }
nn.LeakyReLU = parametric("LeakyReLU", { negative_slope = "number" }, { negative_slope = 0.01 }, "negative_slope",
  function(self, x) return tensor.where(x:gt(0), x, x * self.negative_slope) end,
  function(self) return "negative_slope=" .. self.negative_slope end)
nn.ELU = parametric("ELU", { alpha = "number" }, { alpha = 1.0 }, "alpha",
  function(self, x) return tensor.where(x:gt(0), x, (x:clamp(-math.huge, 0):exp() - 1) * self.alpha) end,
  function(self) return "alpha=" .. self.alpha end)
nn.Softplus = parametric("Softplus", { beta = "number", threshold = "number" }, { beta = 1.0, threshold = 20.0 }, "beta",
  function(self, x) return softplus(x, self.beta, self.threshold) end,
  function(self) return string.format("beta=%g, threshold=%g", self.beta, self.threshold) end)

local sqrt_2_over_pi = math.sqrt(2 / math.pi)
nn.GELU = nn.Module{
  name = "GELU",
  init = function(self, opts)
    opts = options(3, "nn.GELU", opts, { approximate = "string" })
    local approximate = opts.approximate or "none"
    if approximate ~= "none" and approximate ~= "tanh" then
      fail(3, "nn.GELU: approximate must be 'none' or 'tanh', got '%s'", approximate)
    end
    rawset(self, "approximate", approximate)
  end,
  forward = function(self, x)
    if self.approximate == "tanh" then
      return x * 0.5 * (((x + x * x * x * 0.044715) * sqrt_2_over_pi):tanh() + 1)
    end
    return x:gelu()
  end,
  extra_repr = function(self) return self.approximate == "none" and "" or "approximate='tanh'" end,
}

-- Containers ---------------------------------------------------------------------------------

--- nn.ModuleList([{m1, m2, ...}]): modules held in a list, children named "1", "2", ... (as
--- nn.Sequential's); index it like an array. No forward of its own.
nn.ModuleList = nn.Module{
  name = "ModuleList",
  init = function(self, mods)
    if mods ~= nil and (type(mods) ~= "table" or nn.is_module(mods)) then
      fail(3, "nn.ModuleList: expected an array of modules, got %s", describe(mods))
    end
    for i, m in ipairs(mods or {}) do
      if not nn.is_module(m) then fail(3, "nn.ModuleList: entry %d is a %s, expected a module", i, type(m)) end
      self[i] = m
    end
  end,
  --- list:append(m): adds a module at the end; returns the list.
  append = function(self, m)
    if not nn.is_module(m) then fail(2, "ModuleList:append: expected a module, got %s", describe(m)) end
    self[#self + 1] = m
    return self
  end,
  --- list:extend({m1, m2, ...}): appends each module; returns the list.
  extend = function(self, mods)
    if type(mods) ~= "table" or nn.is_module(mods) then fail(2, "ModuleList:extend: expected an array of modules, got %s", describe(mods)) end
    for i, m in ipairs(mods) do
      if not nn.is_module(m) then fail(2, "ModuleList:extend: entry %d is a %s, expected a module", i, type(m)) end
    end
    for _, m in ipairs(mods) do self[#self + 1] = m end
    return self
  end,
}

-- Adds or replaces ModuleDict entries in sorted name order; errors at `level` above the caller.
local function dict_update(level, self, mods)
  if type(mods) ~= "table" or nn.is_module(mods) then
    fail(level + 1, "ModuleDict: expected a table {name = module}, got %s", describe(mods))
  end
  local names = {}
  for k, m in pairs(mods) do
    if type(k) ~= "string" then fail(level + 1, "ModuleDict: keys must be strings, got %s", type(k)) end
    if not nn.is_module(m) then fail(level + 1, "ModuleDict: entry '%s' is a %s, expected a module", k, type(m)) end
    if k == "training" or k == "forward" or k == "extra_repr" or getmetatable(self)[k] ~= nil then
      fail(level + 1, "ModuleDict: '%s' is the name of a module method or field, choose another key", k)
    end
    names[#names + 1] = k
  end
  table.sort(names)
  for _, k in ipairs(names) do self[k] = mods[k] end
end

--- nn.ModuleDict([{name = module, ...}]): modules by name (added in sorted name order); fields of
--- the dict, so `d.encoder` is the module and its parameters are named "encoder.weight", ...
nn.ModuleDict = nn.Module{
  name = "ModuleDict",
  init = function(self, mods)
    if mods ~= nil then dict_update(4, self, mods) end
  end,
  --- d:update({name = module, ...}): adds or replaces entries (in sorted name order); returns d.
  update = function(self, mods)
    dict_update(3, self, mods)
    return self
  end,
  --- d:keys(): the names in the order they were added.
  keys = function(self)
    local out = {}
    for name in self:named_children() do out[#out + 1] = name end
    return out
  end,
  --- for name, m in d:items() do ... end
  items = function(self)
    return self:named_children()
  end,
  --- d:values(): the modules in the order they were added.
  values = function(self)
    return self:children()
  end,
}

return nn
