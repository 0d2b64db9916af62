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
---@return table<string, Tensor>
---@return string[] names
function Module:state_dict() end

---Copies every entry into the module's tensors; a missing or unexpected key or a shape mismatch
---is an error naming the key (nothing is copied then). Returns the module.
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
local GELU = {}
---@param input Tensor
---@return Tensor
function GELU:forward(input) end

---Elementwise GELU.
---@return nn.GELU
function nn.GELU() end

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
---@field momentum number
---@field weight Tensor? [num_features]; nil with `affine = false`
---@field bias Tensor?
---@field running_mean Tensor? buffer; nil with `track_running_stats = false`
---@field running_var Tensor? buffer
local BatchNorm1d = {}
---@param input Tensor [N, C] or [N, C, L]
---@return Tensor
function BatchNorm1d:forward(input) end
---@return string
function BatchNorm1d:extra_repr() end

---@class nn.BatchNormOptions
---@field eps? number added to the variance (default 1e-5)
---@field momentum? number running statistics update rate (default 0.1)
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
