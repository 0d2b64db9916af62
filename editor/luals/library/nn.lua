---@meta
-- descent's `nn` module for lua-language-server: modules, layers, losses, nn.functional,
-- nn.init, nn.utils, safetensors checkpoints. Reference: docs/lua-api/nn.md. Checked against
-- the running binary by Tests/EndToEndTests/StubsTests.swift.

---@class nnlib
---@field functional nn.functionallib
---@field init nn.initlib
---@field utils nn.utilslib
nn = {}

-- Modules ------------------------------------------------------------------------------------

---A module: call it like a function, `m(x)` is `m:forward(x)`. Parameters, buffers and
---sub-modules assigned as fields in `init` are discovered in assignment order.
---@class nn.Module
---@field training boolean true after `train()` (the default), false after `eval()`
---@field forward fun(self: nn.Module, ...: any): any computes the output
---@field extra_repr? fun(self: nn.Module): string the text inside the parentheses of `tostring(m)`
---@overload fun(input: Tensor, ...: any): Tensor
local Module = {}

---The parameters, in a stable order (a tensor shared by two modules appears once).
---@return Tensor[]
function Module:parameters() end

---`{name = tensor}` with dotted names (`"1.weight"`), and the names in order.
---@return table<string, Tensor>
---@return string[] names
function Module:named_parameters() end

---The buffers (non-trainable state such as BatchNorm's running statistics).
---@return Tensor[]
function Module:buffers() end

---`{name = tensor}` of the buffers, and the names in order.
---@return table<string, Tensor>
---@return string[] names
function Module:named_buffers() end

---Stores `t` as field `name`, saved in `state_dict` but not trained.
---@param name string
---@param t Tensor?
---@return Tensor?
function Module:register_buffer(name, t) end

---Iterator over `name, child` of the direct sub-modules.
---@return fun(): string, nn.Module
function Module:named_children() end

---The direct sub-modules.
---@return nn.Module[]
function Module:children() end

---This module and every sub-module, depth first, and their dotted names (`""` for the root).
---@return nn.Module[]
---@return string[] names
function Module:named_modules() end

---This module and every sub-module, depth first.
---@return nn.Module[]
function Module:modules() end

---Calls `fn(module)` on every module, children first; returns the module.
---@param fn fun(m: nn.Module)
---@return self
function Module:apply(fn) end

---Sets `training` on the whole tree (Dropout, BatchNorm); returns the module.
---@param mode? boolean (default true)
---@return self
function Module:train(mode) end

---`train(false)`.
---@return self
function Module:eval() end

---Sets every parameter's `.grad` to nil; returns the module.
---@return self
function Module:zero_grad() end

---The number of scalar parameters.
---@return integer
function Module:num_parameters() end

---`{name = tensor}` of parameters and buffers (shared, not copied), and the names in order.
---`numbering = "pytorch"` counts list children (Sequential, ModuleList) from 0, as PyTorch does.
---@param opts? {numbering?: "descent"|"pytorch"}
---@return table<string, Tensor>
---@return string[] names
function Module:state_dict(opts) end

---Copies every entry into the module's tensors; a missing or unexpected key or a shape mismatch
---is an error naming the key (nothing is copied then). Returns the module. A PyTorch state dict
---(list children counted from 0: "0.weight") loads as it is.
---@param sd table<string, Tensor>
---@return self
function Module:load_state_dict(sd) end

---A printable table of the leaf layers (name, type, output shape when `input_shape` is given,
---parameter count) and the totals.
---@param input_shape? integer[]
---@return string
function Module:summary(input_shape) end

---The table given to `nn.Module{...}`; other fields become methods.
---@class nn.ModuleDefinition
---@field name? string the type name shown by `tostring` and `summary` (default "Module")
---@field init? fun(self: nn.Module, ...: any) assigns parameters, buffers and sub-modules
---@field forward? fun(self: nn.Module, ...: any): any
---@field extra_repr? fun(self: nn.Module): string
---@field [string] any

---Defines a module type; returns its constructor.
---```lua
---local MLP = nn.Module{ init = function(self, d) self.fc = nn.Linear(d, 1) end,
---                       forward = function(self, x) return self.fc(x) end }
---```
---@param def nn.ModuleDefinition
---@return fun(...: any): nn.Module
function nn.Module(def) end

---Marks `t` as a parameter (sets requires_grad) and returns it.
---@param t Tensor
---@return Tensor
function nn.Parameter(t) end

---Whether `x` is a module.
---@param x any
---@return boolean
function nn.is_module(x) end

-- Layers -------------------------------------------------------------------------------------

---@class nn.Linear: nn.Module
---@field in_features integer
---@field out_features integer
---@field weight Tensor [out_features, in_features]
---@field bias Tensor? [out_features]; nil with `bias = false`
local Linear = {}

---@param input Tensor [..., in_features]
---@return Tensor output [..., out_features]
function Linear:forward(input) end

---Draws weight and bias again with PyTorch's default: kaiming_uniform(a = √5), U(±1/√in).
function Linear:reset_parameters() end

---@return string
function Linear:extra_repr() end

---@class nn.LinearOptions
---@field bias? boolean learn an additive bias (default true)

---`[..., in_features]` → `[..., out_features]`.
---@param in_features integer
---@param out_features integer
---@param opts? nn.LinearOptions
---@return nn.Linear
function nn.Linear(in_features, out_features, opts) end

---@class nn.Conv2d: nn.Module
---@field in_channels integer
---@field out_channels integer
---@field kernel_size integer[] {kh, kw}
---@field conv_options nn.functional.Conv2dOptions
---@field weight Tensor [out_channels, in_channels, kh, kw]
---@field bias Tensor? [out_channels]
local Conv2d = {}

---@param input Tensor [N, in_channels, H, W]
---@return Tensor output [N, out_channels, H', W']
function Conv2d:forward(input) end

---Draws weight and bias again with PyTorch's default initialisation.
function Conv2d:reset_parameters() end

---@return string
function Conv2d:extra_repr() end

---@class nn.Conv2dOptions: nn.functional.Conv2dOptions
---@field bias? boolean learn an additive bias (default true)

---`[N, in_channels, H, W]` → `[N, out_channels, H', W']`.
---@param in_channels integer
---@param out_channels integer
---@param kernel_size integer|integer[] an integer or {kh, kw}
---@param opts? nn.Conv2dOptions
---@return nn.Conv2d
function nn.Conv2d(in_channels, out_channels, kernel_size, opts) end

---@class nn.MaxPool2d: nn.Module
---@field kernel_size integer|integer[]
---@field pool_options nn.MaxPool2dOptions
local MaxPool2d = {}

---@param input Tensor [N, C, H, W] or [C, H, W]
---@return Tensor
function MaxPool2d:forward(input) end

---@return string
function MaxPool2d:extra_repr() end

---@class nn.MaxPool2dOptions
---@field stride? integer|integer[] (default kernel_size)
---@field padding? integer|integer[] (default 0)

---Max pooling over `kernel_size` windows.
---@param kernel_size integer|integer[]
---@param opts? nn.MaxPool2dOptions
---@return nn.MaxPool2d
function nn.MaxPool2d(kernel_size, opts) end

---@class nn.AvgPool2d: nn.Module
---@field kernel_size integer|integer[]
---@field pool_options nn.AvgPool2dOptions
local AvgPool2d = {}

---@param input Tensor [N, C, H, W] or [C, H, W]
---@return Tensor
function AvgPool2d:forward(input) end

---@return string
function AvgPool2d:extra_repr() end

---@class nn.AvgPool2dOptions
---@field stride? integer|integer[] (default kernel_size)
---@field padding? integer|integer[] (default 0)
---@field count_include_pad? boolean count padded zeros in the average (default true)

---Average pooling over `kernel_size` windows.
---@param kernel_size integer|integer[]
---@param opts? nn.AvgPool2dOptions
---@return nn.AvgPool2d
function nn.AvgPool2d(kernel_size, opts) end

---@class nn.Flatten: nn.Module
---@field start_dim integer
---@field end_dim integer
local Flatten = {}

---@param input Tensor
---@return Tensor
function Flatten:forward(input) end

---@class nn.FlattenOptions
---@field start_dim? integer first dim flattened (default 2: keep the batch dim)
---@field end_dim? integer last dim flattened (default -1)

---Flattens dims `start_dim..end_dim` into one.
---@param opts? nn.FlattenOptions
---@return nn.Flatten
function nn.Flatten(opts) end

---@class nn.ReLU: nn.Module
local ReLU = {}
---@param input Tensor
---@return Tensor
function ReLU:forward(input) end

---Elementwise max(x, 0).
---@return nn.ReLU
function nn.ReLU() end

---@class nn.Tanh: nn.Module
local Tanh = {}
---@param input Tensor
---@return Tensor
function Tanh:forward(input) end

---Elementwise tanh.
---@return nn.Tanh
function nn.Tanh() end

---@class nn.Sigmoid: nn.Module
local Sigmoid = {}
---@param input Tensor
---@return Tensor
function Sigmoid:forward(input) end

---Elementwise logistic sigmoid.
---@return nn.Sigmoid
function nn.Sigmoid() end

---@class nn.GELU: nn.Module
---@field approximate "none"|"tanh"
local GELU = {}
---@param input Tensor
---@return Tensor
function GELU:forward(input) end
---@return string
function GELU:extra_repr() end

---@class nn.GELUOptions
---@field approximate? "none"|"tanh" exact (erf) GELU, or the tanh approximation (default "none")

---Elementwise GELU: `nn.GELU()` or `nn.GELU{approximate = "tanh"}`.
---@param opts? nn.GELUOptions
---@return nn.GELU
function nn.GELU(opts) end

---@class nn.Identity: nn.Module
local Identity = {}
---@param input Tensor
---@return Tensor
function Identity:forward(input) end

---Returns its input.
---@return nn.Identity
function nn.Identity() end

---@class nn.Softmax: nn.Module
---@field dim integer
local Softmax = {}
---@param input Tensor
---@return Tensor
function Softmax:forward(input) end
---@return string
function Softmax:extra_repr() end

---Softmax along `dim` (1-based, default -1).
---@param dim? integer
---@return nn.Softmax
function nn.Softmax(dim) end

---@class nn.LogSoftmax: nn.Module
---@field dim integer
local LogSoftmax = {}
---@param input Tensor
---@return Tensor
function LogSoftmax:forward(input) end
---@return string
function LogSoftmax:extra_repr() end

---Log-softmax along `dim` (1-based, default -1).
---@param dim? integer
---@return nn.LogSoftmax
function nn.LogSoftmax(dim) end

---@class nn.Dropout: nn.Module
---@field p number
local Dropout = {}
---@param input Tensor
---@return Tensor
function Dropout:forward(input) end
---@return string
function Dropout:extra_repr() end

---While training, zeroes elements with probability `p` and scales the rest by 1/(1 − p);
---the identity after `eval()`.
---@param p? number (default 0.5)
---@return nn.Dropout
function nn.Dropout(p) end

---@class nn.BatchNorm1d: nn.Module
---@field num_features integer
---@field eps number
---@field momentum number|false false: a cumulative average (PyTorch's momentum=None)
---@field weight Tensor? [num_features]; nil with `affine = false`
---@field bias Tensor?
---@field running_mean Tensor? buffer; nil with `track_running_stats = false`
---@field running_var Tensor? buffer
---@field num_batches_tracked Tensor? buffer, 0-d: training batches seen (PyTorch's counter)
local BatchNorm1d = {}
---@param input Tensor [N, C] or [N, C, L]
---@return Tensor
function BatchNorm1d:forward(input) end
---@return string
function BatchNorm1d:extra_repr() end

---@class nn.BatchNormOptions
---@field eps? number added to the variance (default 1e-5)
---@field momentum? number|false running statistics update rate in [0, 1] (default 0.1); false: a cumulative average over num_batches_tracked (PyTorch's None)
---@field affine? boolean learn weight and bias (default true)
---@field track_running_stats? boolean keep running_mean/running_var buffers (default true)

---Batch normalisation of `[N, C]` or `[N, C, L]` inputs.
---@param num_features integer
---@param opts? nn.BatchNormOptions
---@return nn.BatchNorm1d
function nn.BatchNorm1d(num_features, opts) end

---@class nn.BatchNorm2d: nn.Module
---@field num_features integer
---@field eps number
---@field momentum number
---@field weight Tensor?
---@field bias Tensor?
---@field running_mean Tensor?
---@field running_var Tensor?
local BatchNorm2d = {}
---@param input Tensor [N, C, H, W]
---@return Tensor
function BatchNorm2d:forward(input) end
---@return string
function BatchNorm2d:extra_repr() end

---Batch normalisation of `[N, C, H, W]` inputs.
---@param num_features integer
---@param opts? nn.BatchNormOptions
---@return nn.BatchNorm2d
function nn.BatchNorm2d(num_features, opts) end

---@class nn.LayerNorm: nn.Module
---@field normalized_shape integer[]
---@field eps number
---@field weight Tensor? of normalized_shape; nil with `elementwise_affine = false`
---@field bias Tensor?
local LayerNorm = {}
---@param input Tensor
---@return Tensor
function LayerNorm:forward(input) end
---@return string
function LayerNorm:extra_repr() end

---@class nn.LayerNormOptions
---@field eps? number added to the variance (default 1e-5)
---@field elementwise_affine? boolean learn weight and bias (default true)
---@field bias? boolean learn the bias too (default true)

---Normalises the last `#normalized_shape` dims.
---@param normalized_shape integer|integer[]
---@param opts? nn.LayerNormOptions
---@return nn.LayerNorm
function nn.LayerNorm(normalized_shape, opts) end

---@class nn.Embedding: nn.Module
---@field num_embeddings integer
---@field embedding_dim integer
---@field weight Tensor [num_embeddings, embedding_dim], N(0, 1)
local Embedding = {}
---@param indices Tensor 1-based indices of any shape
---@return Tensor [..., embedding_dim]
function Embedding:forward(indices) end
---@return string
function Embedding:extra_repr() end

---A lookup table of `num_embeddings` vectors of size `embedding_dim`.
---@param num_embeddings integer
---@param embedding_dim integer
---@return nn.Embedding
function nn.Embedding(num_embeddings, embedding_dim) end

---Children named "1", "2", ...: `seq[i]` is the i-th, `#seq` their number.
---@class nn.Sequential: nn.Module
---@field [integer] nn.Module
local Sequential = {}

---Each module's output feeds the next.
---@param input any
---@return any
function Sequential:forward(input) end

---Appends a module; returns the Sequential.
---@param m nn.Module
---@return self
function Sequential:add(m) end

---`nn.Sequential(m1, m2, ...)` or `nn.Sequential{m1, m2, ...}`.
---@param ... nn.Module
---@return nn.Sequential
---@overload fun(modules: nn.Module[]): nn.Sequential
function nn.Sequential(...) end

-- Recurrent layers (PyTorch's names, shapes, init and gate order) ------------------------------

---@class nn.RNNOptions
---@field num_layers? integer stacked layers (default 1)
---@field bias? boolean learn bias_ih/bias_hh (default true)
---@field batch_first? boolean input and output are [N, T, features] (default false: [T, N, features])
---@field dropout? number dropout on the outputs of every layer but the last, while training (default 0)
---@field bidirectional? boolean a second, reversed direction per layer; outputs concatenated (default false)
---@field nonlinearity? "tanh"|"relu" (default "tanh")

---@class nn.RecurrentOptions
---@field num_layers? integer stacked layers (default 1)
---@field bias? boolean learn bias_ih/bias_hh (default true)
---@field batch_first? boolean input and output are [N, T, features] (default false: [T, N, features])
---@field dropout? number dropout on the outputs of every layer but the last, while training (default 0)
---@field bidirectional? boolean a second, reversed direction per layer; outputs concatenated (default false)

---Elman RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh). Parameters `weight_ih_l0` [H, I],
---`weight_hh_l0` [H, H], `bias_ih_l0`, `bias_hh_l0` [H], `..._reverse` when bidirectional.
---@class nn.RNN: nn.Module
---@field input_size integer
---@field hidden_size integer
---@field num_layers integer
local RNN = {}
---@param input Tensor [T, N, I] ([N, T, I] with batch_first) or [T, I] unbatched
---@param h0? Tensor [num_layers * directions, N, H] (default zeros)
---@return Tensor output [T, N, directions * H]
---@return Tensor h_n [num_layers * directions, N, H]
function RNN:forward(input, h0) end
---Draws every weight and bias again from U(±1/√hidden_size).
function RNN:reset_parameters() end
---@return string
function RNN:extra_repr() end

---@param input_size integer
---@param hidden_size integer
---@param opts? nn.RNNOptions
---@return nn.RNN
function nn.RNN(input_size, hidden_size, opts) end

---LSTM with PyTorch's gate order i, f, g, o in `weight_ih_l0` [4H, I], `weight_hh_l0` [4H, H],
---`bias_ih_l0`, `bias_hh_l0` [4H].
---@class nn.LSTM: nn.Module
---@field input_size integer
---@field hidden_size integer
---@field num_layers integer
local LSTM = {}
---@param input Tensor [T, N, I] ([N, T, I] with batch_first) or [T, I] unbatched
---@param state? Tensor[]|Tensor {h0, c0} (each [num_layers * directions, N, H]), or h0 with c0 as the third argument
---@param c0? Tensor
---@return Tensor output [T, N, directions * H]
---@return Tensor h_n
---@return Tensor c_n
function LSTM:forward(input, state, c0) end
---Draws every weight and bias again from U(±1/√hidden_size).
function LSTM:reset_parameters() end
---@return string
function LSTM:extra_repr() end

---@param input_size integer
---@param hidden_size integer
---@param opts? nn.RecurrentOptions
---@return nn.LSTM
function nn.LSTM(input_size, hidden_size, opts) end

---GRU with PyTorch's gate order r, z, n (n = tanh(W_in x + b_in + r * (W_hn h + b_hn))).
---@class nn.GRU: nn.Module
---@field input_size integer
---@field hidden_size integer
---@field num_layers integer
local GRU = {}
---@param input Tensor [T, N, I] ([N, T, I] with batch_first) or [T, I] unbatched
---@param h0? Tensor [num_layers * directions, N, H]
---@return Tensor output [T, N, directions * H]
---@return Tensor h_n
function GRU:forward(input, h0) end
---Draws every weight and bias again from U(±1/√hidden_size).
function GRU:reset_parameters() end
---@return string
function GRU:extra_repr() end

---@param input_size integer
---@param hidden_size integer
---@param opts? nn.RecurrentOptions
---@return nn.GRU
function nn.GRU(input_size, hidden_size, opts) end

-- Attention ----------------------------------------------------------------------------------

---@class nn.MultiheadAttentionOptions
---@field dropout? number dropout on the attention weights while training (default 0)
---@field bias? boolean in_proj_bias and out_proj.bias (default true)
---@field batch_first? boolean inputs [N, L, E] (default false: [L, N, E])
---@field kdim? integer key features (default embed_dim); other than embed_dim: q/k/v_proj_weight
---@field vdim? integer value features (default embed_dim)

---@class nn.MultiheadAttentionCallOptions
---@field attn_mask? Tensor [L, S] or [N*heads, L, S]; 1/0 (1 = masked out, PyTorch's bool) or added
---@field key_padding_mask? Tensor [N, S]; 1/0 (1 = padding, ignored) or added
---@field is_causal? boolean apply the causal mask (a given attn_mask must be that mask)
---@field need_weights? boolean also return the attention weights (default true)
---@field average_attn_weights? boolean average the weights over heads (default true)

---Parameters `in_proj_weight` [3E, E] (q, k, v rows), `in_proj_bias` [3E], `out_proj.weight`,
---`out_proj.bias`; with kdim/vdim other than E: `q_proj_weight`, `k_proj_weight`, `v_proj_weight`.
---@class nn.MultiheadAttention: nn.Module
---@field embed_dim integer
---@field num_heads integer
---@field out_proj nn.Linear
local MultiheadAttention = {}
---@param query Tensor [L, N, E] ([N, L, E] with batch_first) or [L, E]
---@param key Tensor [S, N, kdim]
---@param value Tensor [S, N, vdim]
---@param opts? nn.MultiheadAttentionCallOptions
---@return Tensor output like query
---@return Tensor? weights [N, L, S] (or [N, heads, L, S]) unless need_weights = false
function MultiheadAttention:forward(query, key, value, opts) end
---xavier_uniform input projections, zero biases.
function MultiheadAttention:reset_parameters() end
---@return string
function MultiheadAttention:extra_repr() end

---@param embed_dim integer
---@param num_heads integer divides embed_dim
---@param opts? nn.MultiheadAttentionOptions
---@return nn.MultiheadAttention
function nn.MultiheadAttention(embed_dim, num_heads, opts) end

---@class nn.TransformerLayerOptions
---@field dim_feedforward? integer (default 2048)
---@field dropout? number (default 0.1)
---@field activation? "relu"|"gelu" (default "relu")
---@field layer_norm_eps? number (default 1e-5)
---@field batch_first? boolean (default false)
---@field norm_first? boolean pre-norm blocks (default false: post-norm)
---@field bias? boolean biases of the linear layers and norms (default true)

---@class nn.TransformerEncoderCallOptions
---@field src_mask? Tensor [L, L] as MultiheadAttention's attn_mask
---@field is_causal? boolean apply the causal mask
---@field src_key_padding_mask? Tensor [N, L]; 1 = padding

---@class nn.TransformerDecoderCallOptions
---@field tgt_mask? Tensor
---@field memory_mask? Tensor
---@field tgt_key_padding_mask? Tensor
---@field memory_key_padding_mask? Tensor
---@field tgt_is_causal? boolean
---@field memory_is_causal? boolean

---Self-attention and feed-forward block: `self_attn`, `linear1`, `linear2`, `norm1`, `norm2`.
---@class nn.TransformerEncoderLayer: nn.Module
---@field self_attn nn.MultiheadAttention
---@field linear1 nn.Linear
---@field linear2 nn.Linear
---@field norm1 nn.LayerNorm
---@field norm2 nn.LayerNorm
local TransformerEncoderLayer = {}
---@param src Tensor [L, N, d_model] ([N, L, d_model] with batch_first)
---@param opts? nn.TransformerEncoderCallOptions
---@return Tensor
function TransformerEncoderLayer:forward(src, opts) end

---@param d_model integer
---@param nhead integer
---@param opts? nn.TransformerLayerOptions
---@return nn.TransformerEncoderLayer
function nn.TransformerEncoderLayer(d_model, nhead, opts) end

---Self-attention, cross-attention (`multihead_attn`) and feed-forward; `norm1`..`norm3`.
---@class nn.TransformerDecoderLayer: nn.Module
---@field self_attn nn.MultiheadAttention
---@field multihead_attn nn.MultiheadAttention
local TransformerDecoderLayer = {}
---@param tgt Tensor
---@param memory Tensor
---@param opts? nn.TransformerDecoderCallOptions
---@return Tensor
function TransformerDecoderLayer:forward(tgt, memory, opts) end

---@param d_model integer
---@param nhead integer
---@param opts? nn.TransformerLayerOptions
---@return nn.TransformerDecoderLayer
function nn.TransformerDecoderLayer(d_model, nhead, opts) end

-- More convolutions, norms, pooling, resampling ----------------------------------------------

---@class nn.Conv1dOptions
---@field stride? integer (default 1)
---@field padding? integer (default 0)
---@field dilation? integer (default 1)
---@field bias? boolean (default true)
---@field groups? integer only 1

---@class nn.Conv1d: nn.Module
---@field weight Tensor [out_channels, in_channels, k]
---@field bias Tensor? [out_channels]
local Conv1d = {}
---@param input Tensor [N, in_channels, L] or [in_channels, L]
---@return Tensor [N, out_channels, L']
function Conv1d:forward(input) end
---Draws weight and bias again with PyTorch's default initialisation.
function Conv1d:reset_parameters() end
---@return string
function Conv1d:extra_repr() end

---@param in_channels integer
---@param out_channels integer
---@param kernel_size integer
---@param opts? nn.Conv1dOptions
---@return nn.Conv1d
function nn.Conv1d(in_channels, out_channels, kernel_size, opts) end

---@class nn.ConvTranspose2dOptions
---@field stride? integer|integer[] (default 1)
---@field padding? integer|integer[] (default 0)
---@field output_padding? integer|integer[] extra rows/columns behind (default 0)
---@field dilation? integer|integer[] (default 1)
---@field bias? boolean (default true)
---@field groups? integer only 1

---@class nn.ConvTranspose2d: nn.Module
---@field weight Tensor [in_channels, out_channels, kh, kw]
---@field bias Tensor? [out_channels]
local ConvTranspose2d = {}
---@param input Tensor [N, in_channels, H, W] or [in_channels, H, W]
---@return Tensor [N, out_channels, (H-1)·stride - 2·padding + dilation·(kh-1) + output_padding + 1, ...]
function ConvTranspose2d:forward(input) end
---Draws weight and bias again with PyTorch's default initialisation.
function ConvTranspose2d:reset_parameters() end
---@return string
function ConvTranspose2d:extra_repr() end

---@param in_channels integer
---@param out_channels integer
---@param kernel_size integer|integer[]
---@param opts? nn.ConvTranspose2dOptions
---@return nn.ConvTranspose2d
function nn.ConvTranspose2d(in_channels, out_channels, kernel_size, opts) end

---@class nn.GroupNormOptions
---@field eps? number (default 1e-5)
---@field affine? boolean learn weight and bias [num_channels] (default true)

---@class nn.GroupNorm: nn.Module
local GroupNorm = {}
---@param input Tensor [N, C, ...]
---@return Tensor
function GroupNorm:forward(input) end
---@return string
function GroupNorm:extra_repr() end

---@param num_groups integer divides num_channels
---@param num_channels integer
---@param opts? nn.GroupNormOptions
---@return nn.GroupNorm
function nn.GroupNorm(num_groups, num_channels, opts) end

---@class nn.RMSNormOptions
---@field eps? number (default nil: float32's machine epsilon, 1.1920929e-07, as PyTorch)
---@field elementwise_affine? boolean learn weight (default true)

---@class nn.RMSNorm: nn.Module
local RMSNorm = {}
---@param input Tensor [..., normalized_shape]
---@return Tensor
function RMSNorm:forward(input) end
---@return string
function RMSNorm:extra_repr() end

---x / sqrt(mean(x²) + eps) * weight over the last `#normalized_shape` dims.
---@param normalized_shape integer|integer[]
---@param opts? nn.RMSNormOptions
---@return nn.RMSNorm
function nn.RMSNorm(normalized_shape, opts) end

---@class nn.AdaptiveAvgPool2d: nn.Module
local AdaptiveAvgPool2d = {}
---@param input Tensor [N, C, H, W] or [C, H, W]
---@return Tensor [N, C, oh, ow]
function AdaptiveAvgPool2d:forward(input) end
---@return string
function AdaptiveAvgPool2d:extra_repr() end

---Averages over PyTorch's adaptive bins to an output of `output_size`.
---@param output_size integer|integer[] an integer or {oh, ow}
---@return nn.AdaptiveAvgPool2d
function nn.AdaptiveAvgPool2d(output_size) end

---@class nn.UpsampleOptions
---@field size? integer|integer[] output size of the spatial dims
---@field scale_factor? number|number[] multiplier of the spatial dims
---@field mode? "nearest" (default "nearest"; the only mode)
---@field align_corners? boolean only false/nil with "nearest"
---@field recompute_scale_factor? boolean index with in/out instead of 1/scale_factor (default false)

---@class nn.Upsample: nn.Module
local Upsample = {}
---@param input Tensor [N, C, L], [N, C, H, W] or [N, C, D, H, W]
---@return Tensor
function Upsample:forward(input) end
---@return string
function Upsample:extra_repr() end

---Nearest-neighbour upsampling: `nn.Upsample{scale_factor = 2}` or `nn.Upsample{size = {h, w}}`.
---@param opts nn.UpsampleOptions
---@return nn.Upsample
function nn.Upsample(opts) end

-- More activations ---------------------------------------------------------------------------

---@class nn.SiLU: nn.Module
local SiLU = {}
---@param input Tensor
---@return Tensor
function SiLU:forward(input) end
---x · sigmoid(x).
---@return nn.SiLU
function nn.SiLU() end

---@class nn.Mish: nn.Module
local Mish = {}
---@param input Tensor
---@return Tensor
function Mish:forward(input) end
---x · tanh(softplus(x)).
---@return nn.Mish
function nn.Mish() end

---@class nn.LeakyReLUOptions
---@field negative_slope? number (default 0.01)

---@class nn.LeakyReLU: nn.Module
local LeakyReLU = {}
---@param input Tensor
---@return Tensor
function LeakyReLU:forward(input) end
---@return string
function LeakyReLU:extra_repr() end
---x for x > 0, negative_slope · x otherwise.
---@param opts? number|nn.LeakyReLUOptions negative_slope, or options
---@return nn.LeakyReLU
function nn.LeakyReLU(opts) end

---@class nn.ELUOptions
---@field alpha? number (default 1)

---@class nn.ELU: nn.Module
local ELU = {}
---@param input Tensor
---@return Tensor
function ELU:forward(input) end
---@return string
function ELU:extra_repr() end
---x for x > 0, alpha · (exp(x) - 1) otherwise.
---@param opts? number|nn.ELUOptions alpha, or options
---@return nn.ELU
function nn.ELU(opts) end

---@class nn.SoftplusOptions
---@field beta? number (default 1)
---@field threshold? number linear where beta · x > threshold (default 20)

---@class nn.Softplus: nn.Module
local Softplus = {}
---@param input Tensor
---@return Tensor
function Softplus:forward(input) end
---@return string
function Softplus:extra_repr() end
---log(1 + exp(beta · x)) / beta.
---@param opts? number|nn.SoftplusOptions beta, or options
---@return nn.Softplus
function nn.Softplus(opts) end

-- Containers ---------------------------------------------------------------------------------

---Modules in a list, named "1", "2", ... like Sequential's; no forward of its own.
---@class nn.ModuleList: nn.Module
---@field [integer] nn.Module
local ModuleList = {}
---@param m nn.Module
---@return self
function ModuleList:append(m) end
---@param modules nn.Module[]
---@return self
function ModuleList:extend(modules) end

---@param modules? nn.Module[]
---@return nn.ModuleList
function nn.ModuleList(modules) end

---Modules by name (fields of the dict, added in sorted name order); no forward of its own.
---@class nn.ModuleDict: nn.Module
---@field [string] nn.Module
local ModuleDict = {}
---Adds or replaces entries; returns the dict.
---@param modules table<string, nn.Module>
---@return self
function ModuleDict:update(modules) end
---@return string[] names in the order they were added
function ModuleDict:keys() end
---@return fun(): string, nn.Module
function ModuleDict:items() end
---@return nn.Module[]
function ModuleDict:values() end

---@param modules? table<string, nn.Module>
---@return nn.ModuleDict
function nn.ModuleDict(modules) end

-- Losses -------------------------------------------------------------------------------------

---@alias nn.Reduction "mean"|"sum"|"none"

---@class nn.LossOptions
---@field reduction? nn.Reduction (default "mean")

---@class nn.HuberLossOptions: nn.LossOptions
---@field delta? number where the loss turns from quadratic to linear (default 1)

---@class nn.CrossEntropyOptions: nn.LossOptions
---@field weight? Tensor per-class weights [K]
---@field ignore_index? integer a label whose rows are skipped
---@field label_smoothing? number (default 0)

---@class nn.NLLLossOptions: nn.LossOptions
---@field weight? Tensor per-class weights [K]
---@field ignore_index? integer a label whose rows are skipped

---@class nn.BCELossOptions: nn.LossOptions
---@field weight? Tensor per-element weights

---@class nn.BCEWithLogitsOptions: nn.LossOptions
---@field weight? Tensor per-element weights
---@field pos_weight? Tensor weight of positive examples

---@class nn.MSELoss: nn.Module
---@field loss_options nn.LossOptions
local MSELoss = {}
---@param input Tensor
---@param target Tensor
---@return Tensor
function MSELoss:forward(input, target) end

---Module form of `nn.mse_loss`.
---@param opts? nn.LossOptions
---@return nn.MSELoss
function nn.MSELoss(opts) end

---@class nn.L1Loss: nn.Module
---@field loss_options nn.LossOptions
local L1Loss = {}
---@param input Tensor
---@param target Tensor
---@return Tensor
function L1Loss:forward(input, target) end

---Module form of `nn.l1_loss`.
---@param opts? nn.LossOptions
---@return nn.L1Loss
function nn.L1Loss(opts) end

---@class nn.HuberLoss: nn.Module
---@field loss_options nn.HuberLossOptions
local HuberLoss = {}
---@param input Tensor
---@param target Tensor
---@return Tensor
function HuberLoss:forward(input, target) end

---Module form of `nn.huber_loss`.
---@param opts? nn.HuberLossOptions
---@return nn.HuberLoss
function nn.HuberLoss(opts) end

---@class nn.CrossEntropyLoss: nn.Module
---@field loss_options nn.CrossEntropyOptions
local CrossEntropyLoss = {}
---@param logits Tensor
---@param labels Tensor
---@return Tensor
function CrossEntropyLoss:forward(logits, labels) end

---Module form of `nn.cross_entropy`.
---@param opts? nn.CrossEntropyOptions
---@return nn.CrossEntropyLoss
function nn.CrossEntropyLoss(opts) end

---@class nn.NLLLoss: nn.Module
---@field loss_options nn.NLLLossOptions
local NLLLoss = {}
---@param log_probs Tensor
---@param labels Tensor
---@return Tensor
function NLLLoss:forward(log_probs, labels) end

---Module form of `nn.nll_loss`.
---@param opts? nn.NLLLossOptions
---@return nn.NLLLoss
function nn.NLLLoss(opts) end

---@class nn.BCELoss: nn.Module
---@field loss_options nn.BCELossOptions
local BCELoss = {}
---@param input Tensor
---@param target Tensor
---@return Tensor
function BCELoss:forward(input, target) end

---Module form of `nn.binary_cross_entropy`.
---@param opts? nn.BCELossOptions
---@return nn.BCELoss
function nn.BCELoss(opts) end

---@class nn.BCEWithLogitsLoss: nn.Module
---@field loss_options nn.BCEWithLogitsOptions
local BCEWithLogitsLoss = {}
---@param input Tensor
---@param target Tensor
---@return Tensor
function BCEWithLogitsLoss:forward(input, target) end

---Module form of `nn.bce_with_logits`.
---@param opts? nn.BCEWithLogitsOptions
---@return nn.BCEWithLogitsLoss
function nn.BCEWithLogitsLoss(opts) end

-- nn.functional: the Swift functions the layers are built on; all record for autograd --------

---@class nn.functionallib
nn.functional = {}

---`x · weightᵀ + bias`; weight `[out, in]`.
---@param input Tensor
---@param weight Tensor
---@param bias? Tensor
---@return Tensor
function nn.functional.linear(input, weight, bias) end

---@class nn.functional.Conv2dOptions
---@field stride? integer|integer[] (default 1)
---@field padding? integer|integer[] (default 0)
---@field dilation? integer|integer[] (default 1)

---2-d convolution of `[N, C, H, W]` or `[C, H, W]` input.
---@param input Tensor
---@param weight Tensor [out, in, kh, kw]
---@param bias? Tensor [out]
---@param opts? nn.functional.Conv2dOptions
---@return Tensor
function nn.functional.conv2d(input, weight, bias, opts) end

---@param input Tensor
---@param kernel_size integer|integer[]
---@param opts? nn.MaxPool2dOptions
---@return Tensor
function nn.functional.max_pool2d(input, kernel_size, opts) end

---@param input Tensor
---@param kernel_size integer|integer[]
---@param opts? nn.AvgPool2dOptions
---@return Tensor
function nn.functional.avg_pool2d(input, kernel_size, opts) end

---Zeroes elements with probability `p` and scales the rest; the identity when not training.
---@param input Tensor
---@param p? number (default 0.5)
---@param training? boolean (default true)
---@return Tensor
function nn.functional.dropout(input, p, training) end

---Batch normalisation; any of the four tensors may be nil. With `training`, batch statistics are
---used and the running ones updated in place.
---@param input Tensor
---@param running_mean? Tensor
---@param running_var? Tensor
---@param weight? Tensor
---@param bias? Tensor
---@param training? boolean (default false)
---@param momentum? number (default 0.1)
---@param eps? number (default 1e-5)
---@return Tensor
function nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps) end

---Layer normalisation over the trailing dims `normalized_shape`.
---@param input Tensor
---@param normalized_shape integer|integer[]
---@param weight? Tensor
---@param bias? Tensor
---@param eps? number (default 1e-5)
---@return Tensor
function nn.functional.layer_norm(input, normalized_shape, weight, bias, eps) end

---Rows of `weight` at 1-based `indices`.
---@param indices Tensor
---@param weight Tensor
---@return Tensor
function nn.functional.embedding(indices, weight) end

---@class nn.functional.ScaledDotProductAttentionOptions
---@field attn_mask? Tensor broadcastable to [..., L, S]: 1/0 (1 = attend; PyTorch's bool) or added to the scores
---@field is_causal? boolean apply the causal mask (a given attn_mask must be that mask)
---@field dropout_p? number dropout on the attention weights (default 0; applied whenever > 0)
---@field scale? number (default 1/√E)

---softmax(q kᵀ · scale + mask) v over the last two dims.
---@param query Tensor [..., L, E]
---@param key Tensor [..., S, E]
---@param value Tensor [..., S, Ev]
---@param opts? nn.functional.ScaledDotProductAttentionOptions
---@return Tensor [..., L, Ev]
function nn.functional.scaled_dot_product_attention(query, key, value, opts) end

---Mean squared error.
---@param input Tensor
---@param target Tensor same shape
---@param opts? nn.LossOptions
---@return Tensor
function nn.functional.mse_loss(input, target, opts) end

---Mean absolute error.
---@param input Tensor
---@param target Tensor same shape
---@param opts? nn.LossOptions
---@return Tensor
function nn.functional.l1_loss(input, target, opts) end

---Huber loss.
---@param input Tensor
---@param target Tensor same shape
---@param opts? nn.HuberLossOptions
---@return Tensor
function nn.functional.huber_loss(input, target, opts) end

---Cross entropy of logits `[N, K]` with 1-based labels `[N]`, or class probabilities shaped like
---the logits.
---@param logits Tensor
---@param labels Tensor
---@param opts? nn.CrossEntropyOptions
---@return Tensor
function nn.functional.cross_entropy(logits, labels, opts) end

---Negative log-likelihood of log-probabilities `[N, K]` with 1-based labels.
---@param log_probs Tensor
---@param labels Tensor
---@param opts? nn.NLLLossOptions
---@return Tensor
function nn.functional.nll_loss(log_probs, labels, opts) end

---Binary cross entropy of probabilities in [0, 1].
---@param input Tensor
---@param target Tensor same shape
---@param opts? nn.BCELossOptions
---@return Tensor
function nn.functional.binary_cross_entropy(input, target, opts) end

---Binary cross entropy of logits (numerically stable).
---@param input Tensor
---@param target Tensor same shape
---@param opts? nn.BCEWithLogitsOptions
---@return Tensor
function nn.functional.bce_with_logits(input, target, opts) end

-- The functional losses at top level, as the Lua API lists them.
nn.mse_loss = nn.functional.mse_loss
nn.l1_loss = nn.functional.l1_loss
nn.huber_loss = nn.functional.huber_loss
nn.cross_entropy = nn.functional.cross_entropy
nn.nll_loss = nn.functional.nll_loss
nn.binary_cross_entropy = nn.functional.binary_cross_entropy
nn.bce_with_logits = nn.functional.bce_with_logits

-- nn.init: in place, without recording, returning the tensor --------------------------------

---@class nn.initlib
nn.init = {}

---@alias nn.init.Nonlinearity "linear"|"conv2d"|"sigmoid"|"tanh"|"relu"|"leaky_relu"|"selu"

---@class nn.init.KaimingOptions
---@field a? number negative slope of leaky_relu (default 0)
---@field mode? "fan_in"|"fan_out" (default "fan_in")
---@field nonlinearity? nn.init.Nonlinearity (default "leaky_relu")

---@class nn.init.XavierOptions
---@field gain? number (default 1)

---U(±gain·√(3/fan)).
---@param t Tensor
---@param opts? nn.init.KaimingOptions
---@return Tensor t
function nn.init.kaiming_uniform_(t, opts) end

---N(0, gain²/fan).
---@param t Tensor
---@param opts? nn.init.KaimingOptions
---@return Tensor t
function nn.init.kaiming_normal_(t, opts) end

---U(±gain·√(6/(fan_in + fan_out))).
---@param t Tensor
---@param opts? nn.init.XavierOptions
---@return Tensor t
function nn.init.xavier_uniform_(t, opts) end

---N(0, gain²·2/(fan_in + fan_out)).
---@param t Tensor
---@param opts? nn.init.XavierOptions
---@return Tensor t
function nn.init.xavier_normal_(t, opts) end

---@param t Tensor
---@return Tensor t
function nn.init.zeros_(t) end

---@param t Tensor
---@return Tensor t
function nn.init.ones_(t) end

---@param t Tensor
---@param value number
---@return Tensor t
function nn.init.constant_(t, value) end

---N(mean, std²).
---@param t Tensor
---@param mean? number (default 0)
---@param std? number (default 1)
---@return Tensor t
function nn.init.normal_(t, mean, std) end

---U(a, b).
---@param t Tensor
---@param a? number (default 0)
---@param b? number (default 1)
---@return Tensor t
function nn.init.uniform_(t, a, b) end

---PyTorch's fans: for `[out, in, kh, kw]`, fan_in = in·kh·kw and fan_out = out·kh·kw.
---@param t Tensor
---@return integer fan_in
---@return integer fan_out
function nn.init.fans(t) end

-- nn.utils -----------------------------------------------------------------------------------

---@class nn.utilslib
nn.utils = {}

---Scales all gradients together so that their joint norm is at most `max_norm`; returns the
---norm before clipping. Parameters without a gradient are skipped.
---@param params Tensor|Tensor[]
---@param max_norm number
---@param norm_type? number (default 2; math.huge: max-abs)
---@return number total_norm
function nn.utils.clip_grad_norm_(params, max_norm, norm_type) end

---Clamps every gradient element to [-clip_value, clip_value].
---@param params Tensor|Tensor[]
---@param clip_value number
function nn.utils.clip_grad_value_(params, clip_value) end

---Writes `{name, tensor}` pairs, in order, to a safetensors file (atomically).
---@param entries { [1]: string, [2]: Tensor }[]
---@param path string
---@param metadata? table<string, string>
function nn.utils.save_safetensors(entries, path, metadata) end

---The `{name, tensor}` pairs of a safetensors file in file order, and its metadata.
---@param path string
---@return { [1]: string, [2]: Tensor }[] entries
---@return table<string, string> metadata
function nn.utils.load_safetensors(path) end

-- Checkpoints --------------------------------------------------------------------------------

---Writes a module's or a state dict's tensors to a safetensors file.
---@param obj nn.Module|table<string, Tensor>
---@param path string
---@param metadata? table<string, string>
function nn.save(obj, path, metadata) end

---The state dict `{name = tensor}` of a safetensors file, and the names in file order.
---@param path string
---@return table<string, Tensor>
---@return string[] names
function nn.load(path) end
