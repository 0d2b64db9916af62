---@meta
-- descent's `tensor` module for lua-language-server (LuaLS): float32 n-dimensional arrays with
-- autograd. Indices and dims are 1-based; negative dims count from the end (-1 is the last).
-- Reference: docs/lua-api/tensor.md. Checked against the running binary by
-- Tests/EndToEndTests/StubsTests.swift.

---A float32 n-dimensional array. Methods ending in `_` work in place and return the tensor;
---every other op returns a new tensor (views share storage). Operators `+ - * / ^` and unary `-`
---are elementwise with broadcasting, numbers on either side; `==` is identity (use `eq`).
---@class Tensor
---@field grad Tensor? the accumulated gradient, or nil; assignable (a tensor of the same shape, or nil)
---@field is_leaf boolean true for tensors made by the user, not by a recorded op
---@field grad_fn string? the name of the op that made the tensor (nil for leaves)
---@field [integer] Tensor|number `t[i]` selects along dim 1 (a number for a 1-d tensor); assignable
---@operator add(Tensor|number): Tensor
---@operator sub(Tensor|number): Tensor
---@operator mul(Tensor|number): Tensor
---@operator div(Tensor|number): Tensor
---@operator pow(Tensor|number): Tensor
---@operator unm: Tensor
---@operator len: integer
local Tensor = {}

---Options accepted by every constructor: `tensor.randn(3, 4, {requires_grad = true})`.
---@class tensor.CreateOptions
---@field requires_grad? boolean record operations for autograd (default false)

---Options of `t:backward`.
---@class tensor.BackwardOptions
---@field retain_graph? boolean keep the graph for a second backward (default false)

---@class tensorlib
tensor = {}

-- Construction -------------------------------------------------------------------------------

---Zeros of the given shape: `tensor.zeros(2, 3)` or `tensor.zeros{2, 3}`.
---@param ... integer|tensor.CreateOptions sizes, then optionally the options
---@return Tensor
---@overload fun(shape: integer[], opts?: tensor.CreateOptions): Tensor
function tensor.zeros(...) end

---Ones of the given shape: `tensor.ones(2, 3)` or `tensor.ones{2, 3}`.
---@param ... integer|tensor.CreateOptions sizes, then optionally the options
---@return Tensor
---@overload fun(shape: integer[], opts?: tensor.CreateOptions): Tensor
function tensor.ones(...) end

---An uninitialised tensor (here: zeros) of the given shape.
---@param ... integer|tensor.CreateOptions sizes, then optionally the options
---@return Tensor
---@overload fun(shape: integer[], opts?: tensor.CreateOptions): Tensor
function tensor.empty(...) end

---Uniform samples in [0, 1) from the seeded generator.
---@param ... integer|tensor.CreateOptions sizes, then optionally the options
---@return Tensor
---@overload fun(shape: integer[], opts?: tensor.CreateOptions): Tensor
function tensor.rand(...) end

---Standard normal samples from the seeded generator.
---@param ... integer|tensor.CreateOptions sizes, then optionally the options
---@return Tensor
---@overload fun(shape: integer[], opts?: tensor.CreateOptions): Tensor
function tensor.randn(...) end

---A tensor filled with `value`.
---@param shape integer|integer[]
---@param value number
---@param opts? tensor.CreateOptions
---@return Tensor
function tensor.full(shape, value, opts) end

---Integers in `low..high-1` (stored as floats).
---@param low integer
---@param high integer excluded
---@param shape integer|integer[]
---@param opts? tensor.CreateOptions
---@return Tensor
function tensor.randint(low, high, shape, opts) end

---`tensor.arange(n)`: 0..n-1; `tensor.arange(a, b[, step])`: a, a+step, ... with `b` excluded.
---@param start number
---@param stop? number excluded
---@param step? number (default 1)
---@param opts? tensor.CreateOptions
---@return Tensor
---@overload fun(n: number, opts?: tensor.CreateOptions): Tensor
function tensor.arange(start, stop, step, opts) end

---`steps` evenly spaced values from `start` to `stop`, both included.
---@param start number
---@param stop number
---@param steps integer
---@param opts? tensor.CreateOptions
---@return Tensor
function tensor.linspace(start, stop, steps, opts) end

---The n×n identity matrix.
---@param n integer
---@param opts? tensor.CreateOptions
---@return Tensor
function tensor.eye(n, opts) end

---A tensor from nested tables of numbers (rectangular), or a 0-d tensor from a number.
---@param values number|table
---@param opts? tensor.CreateOptions
---@return Tensor
function tensor.from(values, opts) end

---Zeros with the shape of `t`.
---@param t Tensor
---@return Tensor
function tensor.zeros_like(t) end

---Ones with the shape of `t`.
---@param t Tensor
---@return Tensor
function tensor.ones_like(t) end

---Standard normal samples with the shape of `t`.
---@param t Tensor
---@return Tensor
function tensor.randn_like(t) end

---Reseeds the default generator (`descent run --seed` does this before the script starts).
---@param seed integer
function tensor.manual_seed(seed) end

---Whether `x` is a tensor.
---@param x any
---@return boolean
function tensor.is_tensor(x) end

---Joins tensors along an existing dim (default 1).
---@param tensors Tensor[]
---@param dim? integer
---@return Tensor
function tensor.cat(tensors, dim) end

---Stacks tensors of one shape along a new dim (default 1).
---@param tensors Tensor[]
---@param dim? integer
---@return Tensor
function tensor.stack(tensors, dim) end

---The outer product of two 1-d tensors.
---@param a Tensor
---@param b Tensor
---@return Tensor
function tensor.outer(a, b) end

---Einstein summation: `tensor.einsum("bhqd,bhkd->bhqk", q, k)`. Letters name dims, `...` stands
---for broadcast dims, a repeated letter in one operand takes a diagonal; without `->` the output
---is the letters used once, in alphabetical order. Operands may also be given as one table.
---@param equation string
---@param ... Tensor|Tensor[]
---@return Tensor
function tensor.einsum(equation, ...) end

---Pairwise p-norm distances (default p = 2) between the rows of `a` [..., P, M] and `b`
---[..., R, M]: [..., P, R].
---@param a Tensor
---@param b Tensor
---@param p? number|"inf"
---@return Tensor
function tensor.cdist(a, b, p) end

---Contracts the last `dims` (default 2) dims of `a` with the first of `b`, or the listed dims:
---`tensor.tensordot(a, b, {{1, 3}, {3, 1}})`.
---@param a Tensor
---@param b Tensor
---@param dims? integer|integer[][]
---@return Tensor
function tensor.tensordot(a, b, dims) end

---Elementwise `mask ~= 0 and a or b`, with broadcasting.
---@param mask Tensor
---@param a Tensor|number
---@param b Tensor|number
---@return Tensor
function tensor.where(mask, a, b) end

-- Inspection ---------------------------------------------------------------------------------

---The shape as a table of sizes.
---@return integer[]
function Tensor:shape() end

---The size of one dim, or the shape without an argument.
---@param dim integer
---@return integer
---@overload fun(self: Tensor): integer[]
function Tensor:size(dim) end

---The number of dimensions.
---@return integer
function Tensor:dim() end

---The number of elements.
---@return integer
function Tensor:numel() end

---The value of a one-element tensor (integral values come back as Lua integers).
---@return number
function Tensor:item() end

---The values as nested tables (a number for a 0-d tensor).
---@return table|number
function Tensor:totable() end

---Whether the elements are laid out contiguously in row-major order.
---@return boolean
function Tensor:is_contiguous() end

-- Indexing and views -------------------------------------------------------------------------

---`t:get(i, j, ...)`: the element (a number) or the slice at 1-based indices.
---@param ... integer
---@return Tensor|number
function Tensor:get(...) end

---`t:set(i, j, ..., v)`: assigns a number or a broadcastable tensor at 1-based indices; returns `t`.
---@param ... integer|number|Tensor the indices, then the value
---@return Tensor self
function Tensor:set(...) end

---A view of index `index` along `dim` (one dimension fewer).
---@param dim integer
---@param index integer
---@return Tensor
function Tensor:select(dim, index) end

---A view of `length` entries of `dim` from `start`.
---@param dim integer
---@param start integer
---@param length integer
---@return Tensor
function Tensor:narrow(dim, start, length) end

---A view with a new shape (one size may be -1); needs compatible strides.
---@param ... integer
---@return Tensor
---@overload fun(self: Tensor, shape: integer[]): Tensor
function Tensor:view(...) end

---A tensor with a new shape (one size may be -1); copies only when it must.
---@param ... integer
---@return Tensor
---@overload fun(self: Tensor, shape: integer[]): Tensor
function Tensor:reshape(...) end

---A view with two dims swapped.
---@param dim0 integer
---@param dim1 integer
---@return Tensor
function Tensor:transpose(dim0, dim1) end

---The transpose of a 2-d tensor (a view).
---@return Tensor
function Tensor:t() end

---A view with the dims in the given order.
---@param ... integer
---@return Tensor
---@overload fun(self: Tensor, dims: integer[]): Tensor
function Tensor:permute(...) end

---A view with a new dim of size 1 at `dim`.
---@param dim integer
---@return Tensor
function Tensor:unsqueeze(dim) end

---A view without dims of size 1 (only `dim` when given).
---@param dim? integer
---@return Tensor
function Tensor:squeeze(dim) end

---Flattens dims `start_dim..end_dim` (default all) into one.
---@param start_dim? integer (default 1)
---@param end_dim? integer (default -1)
---@return Tensor
function Tensor:flatten(start_dim, end_dim) end

---A view broadcasting dims of size 1 to the given sizes (-1 keeps a size).
---@param ... integer
---@return Tensor
---@overload fun(self: Tensor, sizes: integer[]): Tensor
function Tensor:expand(...) end

---A contiguous tensor with the same values (`t` itself when already contiguous).
---@return Tensor
function Tensor:contiguous() end

---A copy.
---@return Tensor
function Tensor:clone() end

---A tensor sharing the storage, without history (does not require grad).
---@return Tensor
function Tensor:detach() end

---The entries at the 1-based indices `index` along `dim` (a copy).
---@param dim integer
---@param index Tensor
---@return Tensor
function Tensor:index_select(dim, index) end

---Gathers values along `dim` at the 1-based indices of `index`.
---@param dim integer
---@param index Tensor
---@return Tensor
function Tensor:gather(dim, index) end

-- Arithmetic ---------------------------------------------------------------------------------

---@param other Tensor|number
---@return Tensor
function Tensor:add(other) end

---@param other Tensor|number
---@return Tensor
function Tensor:sub(other) end

---@param other Tensor|number
---@return Tensor
function Tensor:mul(other) end

---@param other Tensor|number
---@return Tensor
function Tensor:div(other) end

---Elementwise power.
---@param exponent Tensor|number
---@return Tensor
function Tensor:pow(exponent) end

---Elementwise maximum.
---@param other Tensor|number
---@return Tensor
function Tensor:maximum(other) end

---Elementwise minimum.
---@param other Tensor|number
---@return Tensor
function Tensor:minimum(other) end

---1/0 mask of `t == other`.
---@param other Tensor|number
---@return Tensor
function Tensor:eq(other) end

---1/0 mask of `t ~= other`.
---@param other Tensor|number
---@return Tensor
function Tensor:ne(other) end

---1/0 mask of `t < other`.
---@param other Tensor|number
---@return Tensor
function Tensor:lt(other) end

---1/0 mask of `t <= other`.
---@param other Tensor|number
---@return Tensor
function Tensor:le(other) end

---1/0 mask of `t > other`.
---@param other Tensor|number
---@return Tensor
function Tensor:gt(other) end

---1/0 mask of `t >= other`.
---@param other Tensor|number
---@return Tensor
function Tensor:ge(other) end

---@return Tensor
function Tensor:neg() end

---Matrix product: 1-d, 2-d and batched 3-d.
---@param other Tensor
---@return Tensor
function Tensor:matmul(other) end

---2-d matrix product.
---@param other Tensor
---@return Tensor
function Tensor:mm(other) end

---Dot product of two 1-d tensors.
---@param other Tensor
---@return Tensor
function Tensor:dot(other) end

---Clamps to [min, max]; either bound may be nil, a number or a tensor that broadcasts (where
---min > max the result is max).
---@param min? number|Tensor
---@param max? number|Tensor
---@return Tensor
function Tensor:clamp(min, max) end

---Elementwise `mask ~= 0 and t or other`.
---@param mask Tensor
---@param other Tensor|number
---@return Tensor
function Tensor:where(mask, other) end

---@return Tensor
function Tensor:abs() end
---@return Tensor
function Tensor:exp() end
---@return Tensor
function Tensor:log() end
---@return Tensor
function Tensor:log1p() end
---@return Tensor
function Tensor:sqrt() end
---@return Tensor
function Tensor:rsqrt() end
---@return Tensor
function Tensor:sin() end
---@return Tensor
function Tensor:cos() end
---@return Tensor
function Tensor:tanh() end
---@return Tensor
function Tensor:sigmoid() end
---@return Tensor
function Tensor:relu() end
---@return Tensor
function Tensor:gelu() end
---@return Tensor
function Tensor:sign() end
---@return Tensor
function Tensor:floor() end
---@return Tensor
function Tensor:ceil() end
---@return Tensor
function Tensor:round() end
---@return Tensor
function Tensor:square() end

-- Reductions: over all elements (a 0-d tensor) or along `dim` -------------------------------

---@param dim? integer|integer[] one dim or a table of dims
---@param keepdim? boolean
---@return Tensor
function Tensor:sum(dim, keepdim) end

---@param dim? integer|integer[] one dim or a table of dims
---@param keepdim? boolean
---@return Tensor
function Tensor:mean(dim, keepdim) end

---Unbiased variance (correction 1).
---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:var(dim, keepdim) end

---Unbiased standard deviation (correction 1).
---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:std(dim, keepdim) end

---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:prod(dim, keepdim) end

---1-based index of the maximum.
---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:argmax(dim, keepdim) end

---1-based index of the minimum.
---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:argmin(dim, keepdim) end

---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:logsumexp(dim, keepdim) end

---The maximum (0-d) or, along `dim`, the values and their 1-based indices.
---@param dim integer
---@param keepdim? boolean
---@return Tensor values
---@return Tensor indices
---@overload fun(self: Tensor): Tensor
function Tensor:max(dim, keepdim) end

---The minimum (0-d) or, along `dim`, the values and their 1-based indices.
---@param dim integer
---@param keepdim? boolean
---@return Tensor values
---@return Tensor indices
---@overload fun(self: Tensor): Tensor
function Tensor:min(dim, keepdim) end

---The p-norm (default 2; `math.huge` or 'inf' for max-abs, '-inf' for min-abs, 'fro' = 2) over
---every element or over one dim or a table of dims.
---@param p? number|"fro"|"inf"|"-inf"
---@param dim? integer|integer[]
---@param keepdim? boolean
---@return Tensor
function Tensor:norm(p, dim, keepdim) end

---Softmax along `dim` (default -1).
---@param dim? integer
---@return Tensor
function Tensor:softmax(dim) end

---Log-softmax along `dim` (default -1).
---@param dim? integer
---@return Tensor
function Tensor:log_softmax(dim) end

-- In place (return the tensor) ---------------------------------------------------------------

---@return Tensor self
function Tensor:zero_() end

---@param value number
---@return Tensor self
function Tensor:fill_(value) end

---Copies (broadcasting) `src` into the tensor.
---@param src Tensor|number
---@return Tensor self
function Tensor:copy_(src) end

---`t += alpha * other`.
---@param other Tensor|number
---@param alpha? number (default 1; with a tensor `other` only)
---@return Tensor self
function Tensor:add_(other, alpha) end

---@param other Tensor|number
---@return Tensor self
function Tensor:sub_(other) end

---@param other Tensor|number
---@return Tensor self
function Tensor:mul_(other) end

---@param other Tensor|number
---@return Tensor self
function Tensor:div_(other) end

---@param other Tensor|number
---@return Tensor self
function Tensor:maximum_(other) end

---@param exponent number
---@return Tensor self
function Tensor:pow_(exponent) end

---`t += value * a * b`.
---@param a Tensor
---@param b Tensor
---@param value? number (default 1)
---@return Tensor self
function Tensor:addcmul_(a, b, value) end

---`t += value * a / b`.
---@param a Tensor
---@param b Tensor
---@param value? number (default 1)
---@return Tensor self
function Tensor:addcdiv_(a, b, value) end

---`t += weight * (stop - t)`.
---@param stop Tensor|number
---@param weight number
---@return Tensor self
function Tensor:lerp_(stop, weight) end

---@param min? number
---@param max? number
---@return Tensor self
function Tensor:clamp_(min, max) end

---@return Tensor self
function Tensor:sqrt_() end

---@return Tensor self
function Tensor:abs_() end

---@return Tensor self
function Tensor:neg_() end

---Fills with U(from, to) samples.
---@param from? number (default 0)
---@param to? number (default 1)
---@return Tensor self
function Tensor:uniform_(from, to) end

---Fills with N(mean, std²) samples.
---@param mean? number (default 0)
---@param std? number (default 1)
---@return Tensor self
function Tensor:normal_(mean, std) end

-- Autograd -----------------------------------------------------------------------------------

---With an argument: sets the flag (only leaves can turn it off) and returns the tensor;
---without: reads it.
---@param flag boolean
---@return Tensor self
---@overload fun(self: Tensor): boolean
function Tensor:requires_grad(flag) end

---Accumulates gradients into the leaves' `.grad`; `gradient` is required for a non-scalar tensor.
---@param gradient? Tensor
---@param opts? tensor.BackwardOptions
---@overload fun(self: Tensor, opts: tensor.BackwardOptions)
function Tensor:backward(gradient, opts) end

---Sets `t.grad = nil`.
function Tensor:zero_grad() end

---Values sorted along `dim` (default -1) and their 1-based original positions; stable (equal
---values keep their order), NaN sorts above every number.
---@param dim? integer
---@param descending? boolean
---@return Tensor values
---@return Tensor indices
function Tensor:sort(dim, descending) end

---The 1-based positions that sort `t` along `dim` (default -1); stable.
---@param dim? integer
---@param descending? boolean
---@return Tensor
function Tensor:argsort(dim, descending) end

---The `k` largest (or smallest) values along `dim` (default -1) and their 1-based positions,
---sorted; among equal values the earlier position comes first.
---@param k integer
---@param dim? integer
---@param largest? boolean default true
---@param sorted? boolean accepted for PyTorch compatibility; results are always sorted
---@return Tensor values
---@return Tensor indices
function Tensor:topk(k, dim, largest, sorted) end

---Running sum along `dim`.
---@param dim integer
---@return Tensor
function Tensor:cumsum(dim) end

---Running product along `dim`.
---@param dim integer
---@return Tensor
function Tensor:cumprod(dim) end

---Reverses the order along each of `dims`.
---@param dims integer|integer[]
---@return Tensor
function Tensor:flip(dims) end

---Rotates by `shifts` along `dims`; without dims, rolls the flattened tensor.
---@param shifts integer|integer[]
---@param dims? integer|integer[]
---@return Tensor
function Tensor:roll(shifts, dims) end

---Splits along `dim` (default 1) into `chunks` pieces of ceil(size / chunks) (views).
---@param chunks integer
---@param dim? integer
---@return Tensor[]
function Tensor:chunk(chunks, dim) end

---Splits along `dim` (default 1) into pieces of `size`, or of the sizes in a table (views).
---@param size integer|integer[]
---@param dim? integer
---@return Tensor[]
function Tensor:split(size, dim) end

---The slices along `dim` (default 1), that dim removed (views).
---@param dim? integer
---@return Tensor[]
function Tensor:unbind(dim) end

---The lower triangle of the last two dims (entries with col - row <= diagonal kept).
---@param diagonal? integer default 0
---@return Tensor
function Tensor:tril(diagonal) end

---The upper triangle of the last two dims (entries with col - row >= diagonal kept).
---@param diagonal? integer default 0
---@return Tensor
function Tensor:triu(diagonal) end

---`value` where `mask` is non-zero (the mask broadcasts to `t`'s shape).
---@param mask Tensor
---@param value number|Tensor a number or a 0-d tensor
---@return Tensor
function Tensor:masked_fill(mask, value) end

---A 1-d tensor: the square matrix with it on diagonal `k`; a 2-d tensor: its diagonal `k`.
---@param k? integer default 0
---@return Tensor
function Tensor:diag(k) end

---The diagonal at `offset` of the planes of `dim1`, `dim2` (default 1, 2), as a view whose last
---dim runs along the diagonal.
---@param offset? integer
---@param dim1? integer
---@param dim2? integer
---@return Tensor
function Tensor:diagonal(offset, dim1, dim2) end

---The sum of the main diagonal of a 2-d tensor (0-d).
---@return Tensor
function Tensor:trace() end

---A copy with `src` (a tensor, or a number) written at the 1-based positions `index` along `dim`.
---@param dim integer
---@param index Tensor
---@param src Tensor|number
---@return Tensor
function Tensor:scatter(dim, index, src) end

---A copy with `src` added at the 1-based positions `index` along `dim`.
---@param dim integer
---@param index Tensor
---@param src Tensor
---@return Tensor
function Tensor:scatter_add(dim, index, src) end

---Options of `t:index_add`.
---@class tensor.IndexAddOptions
---@field alpha? number scale of `source` (default 1)

---A copy with `alpha * source` slices added at the 1-based positions `index` (1-d) along `dim`.
---@param dim integer
---@param index Tensor
---@param source Tensor
---@param alpha? number|tensor.IndexAddOptions
---@return Tensor
function Tensor:index_add(dim, index, source, alpha) end

---1/0 mask of NaN elements.
---@return Tensor
function Tensor:isnan() end

---1/0 mask of infinite elements.
---@return Tensor
function Tensor:isinf() end

---1/0 mask of finite elements.
---@return Tensor
function Tensor:isfinite() end

---1 if any element (along `dim`) is non-zero, else 0.
---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:any(dim, keepdim) end

---1 if every element (along `dim`) is non-zero, else 0.
---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:all(dim, keepdim) end

---`t + weight * (end - t)`, broadcasting.
---@param end_ Tensor|number
---@param weight number|Tensor
---@return Tensor
function Tensor:lerp(end_, weight) end

---`t + value * a * b`, broadcasting.
---@param a Tensor|number
---@param b Tensor|number
---@param value? number default 1
---@return Tensor
function Tensor:addcmul(a, b, value) end

---`t + value * a / b`, broadcasting.
---@param a Tensor|number
---@param b Tensor|number
---@param value? number default 1
---@return Tensor
function Tensor:addcdiv(a, b, value) end

---Batched matrix product of [B, M, K] and [B, K, N] (a batch of 1 on either side is shared).
---@param other Tensor
---@return Tensor
function Tensor:bmm(other) end

---The Kronecker product (ranks padded with leading 1s).
---@param other Tensor
---@return Tensor
function Tensor:kron(other) end

---The tensor repeated along each dim (PyTorch's `tile`; also its `repeat`, a Lua keyword):
---`t:tile(2, 1)` or `t:tile{2, 1}`.
---@param ... integer|integer[]
---@return Tensor
function Tensor:tile(...) end

---Each element repeated `repeats` times along `dim` (without dim: the flattened tensor).
---@param repeats integer
---@param dim? integer
---@return Tensor
function Tensor:repeat_interleave(repeats, dim) end

---The dims `source` moved to `destination` (numbers or tables; a view).
---@param source integer|integer[]
---@param destination integer|integer[]
---@return Tensor
function Tensor:movedim(source, destination) end

---The n-th forward difference along `dim` (default n = 1, dim = -1).
---@param n? integer
---@param dim? integer
---@return Tensor
function Tensor:diff(n, dim) end

---The largest values over every element, one dim or a table of dims (gradient split between ties).
---@param dim? integer|integer[]
---@param keepdim? boolean
---@return Tensor
function Tensor:amax(dim, keepdim) end

---The smallest values over every element, one dim or a table of dims.
---@param dim? integer|integer[]
---@param keepdim? boolean
---@return Tensor
function Tensor:amin(dim, keepdim) end

---The elements where `mask` (broadcast) is non-zero, as a 1-d tensor.
---@param mask Tensor
---@return Tensor
function Tensor:masked_select(mask) end

---1-based coordinates of the non-zero elements: [n, dims].
---@return Tensor
function Tensor:nonzero() end

---In-place `masked_fill`; returns `t`.
---@param mask Tensor
---@param value number|Tensor
---@return Tensor
function Tensor:masked_fill_(mask, value) end

---In-place `scatter`; returns `t`.
---@param dim integer
---@param index Tensor
---@param src Tensor|number
---@return Tensor
function Tensor:scatter_(dim, index, src) end

---In-place `scatter_add`; returns `t`.
---@param dim integer
---@param index Tensor
---@param src Tensor
---@return Tensor
function Tensor:scatter_add_(dim, index, src) end

---In-place `index_add`; returns `t`.
---@param dim integer
---@param index Tensor
---@param source Tensor
---@param alpha? number|tensor.IndexAddOptions
---@return Tensor
function Tensor:index_add_(dim, index, source, alpha) end

---In-place `tril`; returns `t`.
---@param diagonal? integer
---@return Tensor
function Tensor:tril_(diagonal) end

---In-place `triu`; returns `t`.
---@param diagonal? integer
---@return Tensor
function Tensor:triu_(diagonal) end

---1 / t.
---@return Tensor
function Tensor:reciprocal() end

---e^t - 1, accurate near 0.
---@return Tensor
function Tensor:expm1() end

---2^t.
---@return Tensor
function Tensor:exp2() end

---Base-2 logarithm.
---@return Tensor
function Tensor:log2() end

---Base-10 logarithm.
---@return Tensor
function Tensor:log10() end

---The error function.
---@return Tensor
function Tensor:erf() end

---Tangent.
---@return Tensor
function Tensor:tan() end

---Arctangent.
---@return Tensor
function Tensor:atan() end

---Arcsine.
---@return Tensor
function Tensor:asin() end

---Arccosine.
---@return Tensor
function Tensor:acos() end

---Hyperbolic sine.
---@return Tensor
function Tensor:sinh() end

---Hyperbolic cosine.
---@return Tensor
function Tensor:cosh() end

---Rounds toward zero (gradient 0).
---@return Tensor
function Tensor:trunc() end

---t - trunc(t).
---@return Tensor
function Tensor:frac() end

---atan2(t, other): the angle of the point (other, t), broadcasting.
---@param other Tensor|number
---@return Tensor
function Tensor:atan2(other) end

---The remainder of t / other with the sign of t (C's fmod).
---@param other Tensor|number
---@return Tensor
function Tensor:fmod(other) end

---The remainder of t / other with the sign of other (Python's %).
---@param other Tensor|number
---@return Tensor
function Tensor:remainder(other) end

---The k-th smallest value (1-based k) along `dim` (default -1) and its 1-based position.
---@param k integer
---@param dim? integer
---@param keepdim? boolean
---@return Tensor values
---@return Tensor indices
function Tensor:kthvalue(k, dim, keepdim) end

---The lower median: of all elements (0-d), or along `dim` with its 1-based positions. NaN
---propagates.
---@param dim? integer
---@param keepdim? boolean
---@return Tensor values
---@return Tensor? indices only with a dim
function Tensor:median(dim, keepdim) end

---The q-quantiles (linear interpolation) of all elements or along `dim`; `q` a number, a table
---of numbers or a tensor (several q add a leading dim). NaN propagates.
---@param q number|number[]|Tensor
---@param dim? integer
---@param keepdim? boolean
---@return Tensor
function Tensor:quantile(q, dim, keepdim) end

---The running maximum along `dim` and the 1-based position where it was reached.
---@param dim integer
---@return Tensor values
---@return Tensor indices
function Tensor:cummax(dim) end

---The running minimum along `dim` and the 1-based position where it was reached.
---@param dim integer
---@return Tensor values
---@return Tensor indices
function Tensor:cummin(dim) end

---log(cumsum(exp(t))) along `dim`, computed stably.
---@param dim integer
---@return Tensor
function Tensor:logcumsumexp(dim) end

---log(e^t + e^other), computed stably, broadcasting.
---@param other Tensor|number
---@return Tensor
function Tensor:logaddexp(other) end

---sqrt(t^2 + other^2), broadcasting.
---@param other Tensor|number
---@return Tensor
function Tensor:hypot(other) end

---The cross product of 3-vectors along `dim` (default: the first dim of size 3), broadcasting.
---@param other Tensor
---@param dim? integer
---@return Tensor
function Tensor:cross(other, dim) end

---Rotates by 90 degrees `k` times (default 1) in the plane of `dims` (default {1, 2}).
---@param k? integer
---@param dims? integer[]
---@return Tensor
function Tensor:rot90(k, dims) end

---The number of non-zero elements, over everything or along a dim or table of dims.
---@param dim? integer|integer[]
---@return Tensor
function Tensor:count_nonzero(dim) end

---Options of `addmm` and `baddbmm`.
---@class tensor.GemmOptions
---@field beta? number scale of `t` (default 1; 0 ignores its values)
---@field alpha? number scale of the product (default 1)

---`beta * t + alpha * (a @ b)` for matrices, `t` broadcast.
---@param a Tensor
---@param b Tensor
---@param opts? tensor.GemmOptions
---@return Tensor
function Tensor:addmm(a, b, opts) end

---`beta * t + alpha * (a @ b)` for batches of matrices [B, M, K] and [B, K, N], `t` broadcast.
---@param a Tensor
---@param b Tensor
---@param opts? tensor.GemmOptions
---@return Tensor
function Tensor:baddbmm(a, b, opts) end

-- Every method is also a function of the module taking the tensor first:
-- tensor.matmul(a, b) is a:matmul(b). (tensor.where is the three-argument form above.)
tensor.shape = Tensor.shape
tensor.size = Tensor.size
tensor.dim = Tensor.dim
tensor.numel = Tensor.numel
tensor.item = Tensor.item
tensor.totable = Tensor.totable
tensor.is_contiguous = Tensor.is_contiguous
tensor.get = Tensor.get
tensor.set = Tensor.set
tensor.select = Tensor.select
tensor.narrow = Tensor.narrow
tensor.view = Tensor.view
tensor.reshape = Tensor.reshape
tensor.transpose = Tensor.transpose
tensor.t = Tensor.t
tensor.permute = Tensor.permute
tensor.unsqueeze = Tensor.unsqueeze
tensor.squeeze = Tensor.squeeze
tensor.flatten = Tensor.flatten
tensor.expand = Tensor.expand
tensor.contiguous = Tensor.contiguous
tensor.clone = Tensor.clone
tensor.detach = Tensor.detach
tensor.index_select = Tensor.index_select
tensor.gather = Tensor.gather
tensor.add = Tensor.add
tensor.sub = Tensor.sub
tensor.mul = Tensor.mul
tensor.div = Tensor.div
tensor.pow = Tensor.pow
tensor.maximum = Tensor.maximum
tensor.minimum = Tensor.minimum
tensor.eq = Tensor.eq
tensor.ne = Tensor.ne
tensor.lt = Tensor.lt
tensor.le = Tensor.le
tensor.gt = Tensor.gt
tensor.ge = Tensor.ge
tensor.neg = Tensor.neg
tensor.matmul = Tensor.matmul
tensor.mm = Tensor.mm
tensor.dot = Tensor.dot
tensor.clamp = Tensor.clamp
tensor.abs = Tensor.abs
tensor.exp = Tensor.exp
tensor.log = Tensor.log
tensor.log1p = Tensor.log1p
tensor.sqrt = Tensor.sqrt
tensor.rsqrt = Tensor.rsqrt
tensor.sin = Tensor.sin
tensor.cos = Tensor.cos
tensor.tanh = Tensor.tanh
tensor.sigmoid = Tensor.sigmoid
tensor.relu = Tensor.relu
tensor.gelu = Tensor.gelu
tensor.sign = Tensor.sign
tensor.floor = Tensor.floor
tensor.ceil = Tensor.ceil
tensor.round = Tensor.round
tensor.square = Tensor.square
tensor.sum = Tensor.sum
tensor.mean = Tensor.mean
tensor.var = Tensor.var
tensor.std = Tensor.std
tensor.prod = Tensor.prod
tensor.argmax = Tensor.argmax
tensor.argmin = Tensor.argmin
tensor.logsumexp = Tensor.logsumexp
tensor.max = Tensor.max
tensor.min = Tensor.min
tensor.norm = Tensor.norm
tensor.softmax = Tensor.softmax
tensor.log_softmax = Tensor.log_softmax
tensor.zero_ = Tensor.zero_
tensor.fill_ = Tensor.fill_
tensor.copy_ = Tensor.copy_
tensor.add_ = Tensor.add_
tensor.sub_ = Tensor.sub_
tensor.mul_ = Tensor.mul_
tensor.div_ = Tensor.div_
tensor.maximum_ = Tensor.maximum_
tensor.pow_ = Tensor.pow_
tensor.addcmul_ = Tensor.addcmul_
tensor.addcdiv_ = Tensor.addcdiv_
tensor.lerp_ = Tensor.lerp_
tensor.clamp_ = Tensor.clamp_
tensor.sqrt_ = Tensor.sqrt_
tensor.abs_ = Tensor.abs_
tensor.neg_ = Tensor.neg_
tensor.uniform_ = Tensor.uniform_
tensor.normal_ = Tensor.normal_
tensor.requires_grad = Tensor.requires_grad
tensor.backward = Tensor.backward
tensor.zero_grad = Tensor.zero_grad
tensor.sort = Tensor.sort
tensor.argsort = Tensor.argsort
tensor.topk = Tensor.topk
tensor.cumsum = Tensor.cumsum
tensor.cumprod = Tensor.cumprod
tensor.flip = Tensor.flip
tensor.roll = Tensor.roll
tensor.chunk = Tensor.chunk
tensor.split = Tensor.split
tensor.unbind = Tensor.unbind
tensor.tril = Tensor.tril
tensor.triu = Tensor.triu
tensor.masked_fill = Tensor.masked_fill
tensor.diag = Tensor.diag
tensor.diagonal = Tensor.diagonal
tensor.trace = Tensor.trace
tensor.scatter = Tensor.scatter
tensor.scatter_add = Tensor.scatter_add
tensor.index_add = Tensor.index_add
tensor.isnan = Tensor.isnan
tensor.isinf = Tensor.isinf
tensor.isfinite = Tensor.isfinite
tensor.any = Tensor.any
tensor.all = Tensor.all
tensor.lerp = Tensor.lerp
tensor.addcmul = Tensor.addcmul
tensor.addcdiv = Tensor.addcdiv
tensor.bmm = Tensor.bmm
tensor.kron = Tensor.kron
tensor.tile = Tensor.tile
tensor.repeat_interleave = Tensor.repeat_interleave
tensor.movedim = Tensor.movedim
tensor.diff = Tensor.diff
tensor.amax = Tensor.amax
tensor.amin = Tensor.amin
tensor.masked_select = Tensor.masked_select
tensor.nonzero = Tensor.nonzero
tensor.masked_fill_ = Tensor.masked_fill_
tensor.scatter_ = Tensor.scatter_
tensor.scatter_add_ = Tensor.scatter_add_
tensor.index_add_ = Tensor.index_add_
tensor.tril_ = Tensor.tril_
tensor.triu_ = Tensor.triu_
tensor.reciprocal = Tensor.reciprocal
tensor.expm1 = Tensor.expm1
tensor.exp2 = Tensor.exp2
tensor.log2 = Tensor.log2
tensor.log10 = Tensor.log10
tensor.erf = Tensor.erf
tensor.tan = Tensor.tan
tensor.atan = Tensor.atan
tensor.asin = Tensor.asin
tensor.acos = Tensor.acos
tensor.sinh = Tensor.sinh
tensor.cosh = Tensor.cosh
tensor.trunc = Tensor.trunc
tensor.frac = Tensor.frac
tensor.atan2 = Tensor.atan2
tensor.fmod = Tensor.fmod
tensor.remainder = Tensor.remainder
tensor.kthvalue = Tensor.kthvalue
tensor.median = Tensor.median
tensor.quantile = Tensor.quantile
tensor.cummax = Tensor.cummax
tensor.cummin = Tensor.cummin
tensor.logcumsumexp = Tensor.logcumsumexp
tensor.logaddexp = Tensor.logaddexp
tensor.hypot = Tensor.hypot
tensor.cross = Tensor.cross
tensor.rot90 = Tensor.rot90
tensor.count_nonzero = Tensor.count_nonzero
tensor.addmm = Tensor.addmm
tensor.baddbmm = Tensor.baddbmm
