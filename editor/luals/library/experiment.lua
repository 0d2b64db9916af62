---@meta
-- descent's `experiment` module for lua-language-server: config, seed, metrics, checkpoints.
-- Reference: docs/lua-api/experiment.md.

---@class experimentlib
experiment = {}

---What `experiment.checkpoint` saves: these objects, plus any string keys with plain values.
---@class experiment.CheckpointObjects
---@field model? nn.Module
---@field optimizer? Optimizer
---@field scheduler? Scheduler
---@field loader? DataLoader
---@field [string] any

---A progress bar on stderr (from `experiment.progress`).
---@class experiment.Progress
---@field total integer
---@field done number
---@field label string
local Progress = {}

---Sets the count.
---@param n number
function Progress:update(n) end

---Adds `k` (default 1) to the count.
---@param k? number
function Progress:advance(k) end

---Draws the final state.
function Progress:close() end

---`defaults` (the same table) with `--set key=value` overrides parsed to each default's type.
---@generic T: table
---@param defaults T
---@return T
function experiment.config(defaults) end

---The run's seed (`--seed`, default 0).
---@return integer
function experiment.seed() end

---Monotonic wall-clock seconds (sub-microsecond resolution).
---@return number
function experiment.clock() end

---The run directory with `--out`, else nil.
---@return string?
function experiment.dir() end

---Appends one metrics record (numbers, strings, booleans, one-element tensors, nested tables);
---put a `step` or `epoch` key in it.
---@param record table<string, any>
function experiment.log(record) end

---The run's final metrics (summary.json).
---@param values table<string, any>
function experiment.summary(values) end

---True once a logged value was NaN or infinite (with `--out`).
---@return boolean
function experiment.diverged() end

---Sets `--stop-on-diverge` from the script (no argument: on): the first logged NaN or infinite
---value ends the run, recorded as diverged (exit code 0). Returns the setting.
---@param on? boolean
---@return boolean
function experiment.stop_on_diverge(on) end

---True under `descent run --resume`.
---@return boolean
function experiment.resuming() end

---Saves everything needed to resume; returns the checkpoint file's path.
---@param name string letters, digits, '-', '_', '.'
---@param objects experiment.CheckpointObjects
---@return string path
function experiment.checkpoint(name, objects) end

---Loads checkpoint `name` into `objects`; returns the saved table (extra values and raw states),
---or nil when there is none (or in a fresh run with `--out`).
---@param name string
---@param objects? experiment.CheckpointObjects
---@return table<string, any>?
function experiment.restore(name, objects) end

---A progress bar for `total` units of work.
---@param total integer
---@param label? string (default "progress")
---@return experiment.Progress
function experiment.progress(total, label) end
