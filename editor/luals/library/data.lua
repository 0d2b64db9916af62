---@meta
-- descent's `data` module for lua-language-server: readers, bundled datasets, split, loaders,
-- dataset loaders and transforms, character text, synthetic modular arithmetic.
-- Class labels are 1-based. Reference: docs/lua-api/data.md.

---@class datalib
data = {}

---{x, y} tensors, also as fields `x` and `y`.
---@class data.Pair
---@field x Tensor
---@field y Tensor
---@field [1] Tensor
---@field [2] Tensor

---The result of `data.mnist`.
---@class data.MNIST
---@field train data.Pair x [N, 784] scaled to [0, 1], y labels 1..10
---@field test data.Pair
---@field classes string[] {"0", ..., "9"}

---@class data.CSVOptions
---@field header? boolean the first line names the columns (default true)
---@field label? string|integer|false the label column: a name, a 1-based number (-1: last), or false for none (default "label")

---@class data.LoaderOptions
---@field batch_size? integer rows per batch (default 32)
---@field shuffle? boolean a seeded permutation per epoch (default false)
---@field drop_last? boolean drop a last, shorter batch (default false)
---@field seed? integer shuffling seed (default: the run's seed)

---A loader position: the next batch is batch `position + 1` of epoch `epoch` (1-based).
---@class data.LoaderState
---@field epoch integer
---@field position integer

---Mini-batches over the rows of x (and y). `#loader` is the number of batches per epoch.
---@class DataLoader
---@operator len: integer
local DataLoader = {}

---Starts the next epoch and returns its iterator: `for xb, yb in loader:iter() do ... end`.
---@return fun(): Tensor, Tensor?
function DataLoader:iter() end

---The number of rows.
---@return integer
function DataLoader:size() end

---The position, to save in a checkpoint.
---@return data.LoaderState
function DataLoader:state() end

---The next `iter()` resumes exactly at `state`.
---@param state data.LoaderState
function DataLoader:set_state(state) end

---An IDX (MNIST format) file as a float32 tensor with the file's shape (`.gz` read transparently).
---@param path string
---@return Tensor
function data.load_idx(path) end

---A .npy array as a float32 tensor with its shape.
---@param path string
---@return Tensor
function data.load_npy(path) end

---Writes `t` as a `<f4` C-order .npy file (atomically).
---@param path string
---@param t Tensor
function data.save_npy(path, t) end

---A CSV file: features `x` [rows, features], labels `y` [rows] (or nil) and the class names (or nil).
---@param path string
---@param opts? data.CSVOptions
---@return Tensor x
---@return Tensor? y
---@return string[]? classes
function data.load_csv(path, opts) end

---The bundled 8x8 digits: `x` [1797, 64] with values 0..16, `y` [1797] with labels 1..10.
---@return Tensor x
---@return Tensor y
---@return string[] classes
function data.digits() end

---MNIST from the standard file names (or the mnist5k subset) in `dir`.
---@param dir string
---@return data.MNIST
function data.mnist(dir) end

---The rows of x (and y) in a seeded permutation, `round(fraction·rows)` in the train part.
---@param x Tensor
---@param y Tensor?
---@param fraction number strictly between 0 and 1
---@param seed? integer (default: the run's seed)
---@return Tensor xtrain
---@return Tensor? ytrain
---@return Tensor xtest
---@return Tensor? ytest
function data.split(x, y, fraction, seed) end

---A loader over the rows of `x` and `y` (`y` may be nil or left out).
---@param x Tensor
---@param y Tensor?
---@param opts? data.LoaderOptions
---@return DataLoader
---@overload fun(x: Tensor, opts?: data.LoaderOptions): DataLoader
---@overload fun(dataset: data.Dataset, opts?: data.DatasetLoaderOptions): DatasetLoader
function data.loader(x, y, opts) end

-- Datasets and transforms ------------------------------------------------------------------------

---Any object with a length (`#dataset`, e.g. `__len`) and `dataset:get(i)` (or `dataset[i]`)
---returning sample `i` (1-based): a tensor, a number, or a table of them (`{x, y}` or named fields).
---@alias data.Dataset table|userdata

---@class data.DatasetLoaderOptions
---@field batch_size? integer samples per batch (default 32)
---@field shuffle? boolean a seeded permutation per epoch (default false)
---@field drop_last? boolean drop a last, shorter batch (default false)
---@field seed? integer shuffling and transform seed (default: the run's seed)
---@field transform? fun(x: any, rng: data.Generator): any applied to each sample's input (the sample, its entry 1 or its field x)

---Mini-batches of a dataset's samples, stacked along a new first dimension. `#loader` is the
---number of batches per epoch.
---@class DatasetLoader
---@operator len: integer
local DatasetLoader = {}

---Starts the next epoch and returns its iterator: `xb, yb, ...` for samples `{x, y, ...}`, one
---tensor for tensor samples, a table for samples with named fields.
---@return fun(): any, any
function DatasetLoader:iter() end

---The number of samples.
---@return integer
function DatasetLoader:size() end

---The position, to save in a checkpoint.
---@return data.LoaderState
function DatasetLoader:state() end

---The next `iter()` resumes exactly at `state` (same batches, same transforms).
---@param state data.LoaderState
function DatasetLoader:set_state(state) end

---The random numbers a transform draws: a pure function of (seed, epoch, sample, draw number).
---@class data.Generator
local Generator = {}

---A number in [0, 1).
---@return number
function Generator:uniform() end

---An integer in lo..hi (both included).
---@param lo integer
---@param hi integer
---@return integer
function Generator:integer(lo, hi) end

---A dataset over the rows of tensors: sample `i` is `{x[i], y[i]}` (or `x[i]` without `y`).
---@param x Tensor
---@param y? Tensor
---@return data.Dataset
function data.dataset(x, y) end

---Per-sample transforms: each returns a function `(x, rng) -> x'` for `data.loader`'s `transform`.
data.transforms = {}

---@class data.RandomCropOptions
---@field padding? integer zeros added on each side before cropping (default 0)

---A random `size` x `size` (or `{h, w}`) window of an image [..., H, W], after zero padding.
---@param size integer|integer[]
---@param opts? data.RandomCropOptions
---@return fun(x: Tensor, rng: data.Generator): Tensor
function data.transforms.random_crop(size, opts) end

---Translates an image [..., H, W] by up to `max_shift` pixels along each axis, filling with zeros.
---@param max_shift integer
---@return fun(x: Tensor, rng: data.Generator): Tensor
function data.transforms.random_shift(max_shift) end

---Mirrors an image left-right with probability `p` (default 0.5).
---@param p? number
---@return fun(x: Tensor, rng: data.Generator): Tensor
function data.transforms.horizontal_flip(p) end

---`(x - mean) / std`, numbers or one value per channel (dimension 1 of [C, H, W]).
---@param mean number|number[]
---@param std number|number[]
---@return fun(x: Tensor, rng?: data.Generator): Tensor
function data.transforms.normalize(mean, std) end

---Applies the transforms in order.
---@param transforms (fun(x: any, rng: data.Generator): any)[]
---@return fun(x: any, rng: data.Generator): any
function data.transforms.compose(transforms) end

-- Text -----------------------------------------------------------------------------------------

---@class data.TextOptions
---@field val_fraction? number in [0, 1): the last part of the text kept for validation (default 0.1)

---A text with its character vocabulary. `encode` and `decode` work as `t.encode(s)` and `t:encode(s)`.
---@class data.Text
---@field vocab_size integer number of distinct characters
---@field chars string[] the characters, sorted by code point; id k is chars[k]
---@field ids Tensor the whole text as 1-based ids [n]
---@field train Tensor the first (1 - val_fraction) of ids
---@field val Tensor the rest
---@field encode fun(s: string): Tensor 1-based ids of the characters of s
---@field decode fun(ids: Tensor|integer): string the text of ids

---A character-level text: `source` is the text, or the path of a file (plain or gzip).
---@param source string
---@param opts? data.TextOptions
---@return data.Text
function data.text(source, opts) end

---The bundled tinyshakespeare (1,115,394 characters, 65 distinct) as `data.text`.
---@param opts? data.TextOptions
---@return data.Text
function data.tinyshakespeare(opts) end

---@class data.TextLoaderOptions
---@field block_size? integer characters per window (default 64)
---@field batch_size? integer windows per batch (default 32)
---@field seed? integer (default: the run's seed)

---@class data.TextLoaderState
---@field step integer batches produced so far

---Random contiguous windows of a token sequence. `#loader` is ⌊(n − 1) / (block·batch)⌋ (at least 1).
---@class TextLoader
---@operator len: integer
local TextLoader = {}

---Batch number k (1-based): x [batch, block] and y (x shifted by one), the same for a seed on every run.
---@param k integer
---@return Tensor x
---@return Tensor y
function TextLoader:batch(k) end

---The next batch.
---@return Tensor x
---@return Tensor y
function TextLoader:next() end

---An iterator over the next n batches (default #loader).
---@param n? integer
---@return fun(): Tensor, Tensor
function TextLoader:iter(n) end

---@return data.TextLoaderState
function TextLoader:state() end

---@param state data.TextLoaderState
function TextLoader:set_state(state) end

---A loader of random windows of `ids` (a 1-d tensor of token ids) for language models.
---@param ids Tensor
---@param opts? data.TextLoaderOptions
---@return TextLoader
function data.text_loader(ids, opts) end

-- More datasets --------------------------------------------------------------------------------

---The result of `data.fashion_mnist`: like data.MNIST, classes "T-shirt/top", ..., "Ankle boot".
---@class data.FashionMNIST: data.MNIST

---Fashion-MNIST from the IDX files in `dir` (default /usr/share/datasets/fashion-mnist, Debian's
---dataset-fashion-mnist package): x [N, 784] in [0, 1], y labels 1..10.
---@param dir? string
---@return data.FashionMNIST
function data.fashion_mnist(dir) end

---@class data.ModularArithmeticOptions
---@field p? integer the modulus, 2..2000 (default 97; prime for "/")
---@field op? "+"|"-"|"*"|"/" (default "+")
---@field train_fraction? number strictly between 0 and 1 (default 0.3)
---@field seed? integer the split's seed (default: the run's seed)

---@class data.ModularArithmetic
---@field train data.Pair x [N, 2] tokens a + 1, b + 1; y labels c + 1
---@field val data.Pair
---@field p integer
---@field op string
---@field vocab_size integer p

---Every pair (a, b) of 0..p−1 (b ≠ 0 for "/") with label (a op b mod p) + 1, split at random.
---@param opts? data.ModularArithmeticOptions
---@return data.ModularArithmetic
function data.modular_arithmetic(opts) end
