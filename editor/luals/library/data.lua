---@meta
-- descent's `data` module for lua-language-server: readers, bundled datasets, split, loaders.
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
function data.loader(x, y, opts) end
