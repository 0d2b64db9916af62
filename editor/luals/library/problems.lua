---@meta
-- descent's `problems` module for lua-language-server: optimizer test problems (Rosenbrock,
-- Beale, the DeepOBS quadratic, logistic regression and an MLP on MNIST, a character GPT and
-- LSTM on tinyshakespeare, a ResNet on Fashion-MNIST, grokking modular addition), each a table
-- with its parameters, a loss closure, an `evaluate` function and the known optimum.
-- Reference: docs/lua-api/problems.md.

---@class problemslib
problems = {}

---The names `problems.build` knows (it also accepts them in any case, with "-" for "_").
---@alias problems.Name "rosenbrock"|"beale"|"quadratic"|"logistic_regression"|"mlp"|"mnist_cnn"|"char_transformer"|"char_lstm"|"resnet_fashion"|"modular_addition"

-- What a problem is ----------------------------------------------------------------------------

---What every constructor returns. `loss` and `evaluate` are plain functions (`p.loss()`, not
---`p:loss()`).
---@class problems.Problem
---@field name problems.Name the problem's name
---@field params Tensor[] the tensors that require grad: what the optimizer updates
---@field loss fun(): Tensor the objective at the current parameters (a scalar); stochastic problems draw the next minibatch at every call
---@field evaluate fun(): table<string, number> metrics computed without recording
---@field optimum? number the known minimum f*, or nil
---@field argmin? Tensor the known minimiser, or nil
---@field steps_per_epoch? integer minibatches per epoch (stochastic problems only)

---`evaluate()` of a deterministic problem (rosenbrock, beale, quadratic).
---@class problems.DeterministicMetrics
---@field loss number f(θ) (for the quadratic: without noise)
---@field gap number f(θ) − f*
---@field distance number ‖θ − argmin‖

---Rosenbrock, Beale or the quadratic: `params` is one tensor θ.
---@class problems.DeterministicProblem: problems.Problem
---@field evaluate fun(): problems.DeterministicMetrics
---@field optimum number f* (0)
---@field argmin Tensor the minimiser

---The quadratic ½ θᵀQθ, Q = RᵀDR.
---@class problems.QuadraticProblem: problems.DeterministicProblem
---@field hessian Tensor Q [dim, dim]
---@field eigenvalues Tensor D's diagonal [dim], the small ones first
---@field rotation Tensor R [dim, dim]; row i is the eigenvector of eigenvalue i
---@field steps_per_epoch? integer minibatches per epoch of the 1000 points (only with noise > 0)

---`evaluate()` of a classifier: over the whole train and test parts.
---@class problems.ClassifierMetrics
---@field train_loss number mean cross-entropy
---@field train_accuracy number
---@field test_loss number
---@field test_accuracy number

---A classifier on MNIST: `loss()` is the cross-entropy on the next minibatch of the train part.
---`optimum` and `argmin` are nil.
---@class problems.ClassifierProblem: problems.Problem
---@field evaluate fun(): problems.ClassifierMetrics
---@field steps_per_epoch integer minibatches per epoch

---@class problems.MLPProblem: problems.ClassifierProblem
---@field model nn.Sequential the network whose parameters are `params`

-- Deterministic problems -----------------------------------------------------------------------

---@class problems.RosenbrockOptions
---@field dim? integer ≥ 2 (default #start, or 2)
---@field start? number[] `dim` numbers (default {-1.2, 1, -1.2, 1, ...})

---The extended Rosenbrock function Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²; f* = 0 at (1, …, 1).
---@param opts? problems.RosenbrockOptions
---@return problems.DeterministicProblem
function problems.rosenbrock(opts) end

---@class problems.BealeOptions
---@field start? number[] two numbers (default {1, 1})

---Beale's function (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²; f* = 0 at (3, 0.5).
---@param opts? problems.BealeOptions
---@return problems.DeterministicProblem
function problems.beale(opts) end

---@class problems.QuadraticOptions
---@field dim? integer ≥ 2 (default 100)
---@field seed? integer ≥ 0: draws Q (and the noise points) (default 42)
---@field noise? number ≥ 0: standard deviation of the 1000 points; > 0 makes the problem stochastic (default 0)
---@field batch_size? integer ≥ 1: points per loss call when noise > 0 (default 128)

---DeepOBS quadratic_deep: ½ θᵀQθ with a random rotation R and eigenvalues 90 % in [0, 1], 10 %
---in [30, 60]; θ starts at (1, …, 1); f* = 0 at 0. DeepOBS's stochastic version: `noise = 0.6`.
---@param opts? problems.QuadraticOptions
---@return problems.QuadraticProblem
function problems.quadratic(opts) end

-- Classifiers on MNIST -------------------------------------------------------------------------

---@class problems.LogisticRegressionOptions
---@field data? string a directory data.mnist reads (default "data/mnist5k")
---@field batch_size? integer ≥ 1 (default 128)
---@field seed? integer shuffling seed (default: the run's seed)

---Multinomial logistic regression 784 → 10; `params = {weight [784, 10], bias [10]}`, both zero.
---@param opts? problems.LogisticRegressionOptions
---@return problems.ClassifierProblem
function problems.logistic_regression(opts) end

---@class problems.MLPOptions
---@field data? string a directory data.mnist reads (default "data/mnist5k")
---@field hidden? integer|integer[] hidden widths, each ≥ 1 (default {256})
---@field batch_size? integer ≥ 1 (default 64)
---@field seed? integer shuffling and initialisation seed (default: the run's seed)

---A ReLU MLP 784 → hidden… → 10 of nn.Linear layers (default init, drawn from `seed`).
---@param opts? problems.MLPOptions
---@return problems.MLPProblem
function problems.mlp(opts) end

---@class problems.MNISTCNNOptions
---@field data? string a directory data.mnist reads (default "data/mnist5k")
---@field batch_size? integer ≥ 1 (default 64)
---@field seed? integer shuffling and initialisation seed (default: the run's seed)

---The small CNN of scripts/examples/mnist_cnn.lua (conv 5×5 ×8, pool, conv 5×5 ×16, pool, linear 256 → 10)
---on the images as 1×28×28 (default init, drawn from `seed`).
---@param opts? problems.MNISTCNNOptions
---@return problems.MLPProblem
function problems.mnist_cnn(opts) end

-- Neural networks of current optimizer studies -------------------------------------------------

---`evaluate()` of a character model: mean cross-entropy over fixed windows (the same at every call).
---@class problems.CharMetrics
---@field train_loss number over `eval_batches` batches of the train part
---@field val_loss number over `eval_batches` batches of the validation part

---A character-level language model: `loss()` is the cross-entropy on the next batch of random windows.
---@class problems.CharProblem: problems.Problem
---@field evaluate fun(): problems.CharMetrics
---@field model nn.Module
---@field data data.Text the corpus (vocabulary, encode, decode, train and val ids)
---@field loader TextLoader the training windows
---@field steps_per_epoch integer #loader
---@field sample fun(n: integer, opts?: {prompt?: string, temperature?: number}): string n sampled characters after the prompt (default "\n")

---@class problems.CharTransformerOptions
---@field n_layer? integer blocks (default 2)
---@field n_head? integer heads, dividing n_embd (default 4)
---@field n_embd? integer model width (default 64)
---@field block_size? integer context length (default 64)
---@field batch_size? integer windows per batch (default 32)
---@field tied? boolean the head is the token embedding (default false)
---@field eval_batches? integer batches per evaluate() part (default 8)
---@field text? string a text or a file for data.text (default: tinyshakespeare)
---@field val_fraction? number (default 0.1)
---@field seed? integer initialisation and window seed (default: the run's seed)

---A small GPT (nanoGPT): token + position embeddings, pre-norm causal blocks, GPT-2 init.
---@param opts? problems.CharTransformerOptions
---@return problems.CharProblem
function problems.char_transformer(opts) end

---@class problems.CharLSTMOptions
---@field hidden? integer LSTM width (default 128)
---@field num_layers? integer (default 2)
---@field embedding? integer embedding width (default 64)
---@field block_size? integer unrolled length (default 50)
---@field batch_size? integer (default 32)
---@field eval_batches? integer (default 8)
---@field text? string (default: tinyshakespeare)
---@field val_fraction? number (default 0.1)
---@field seed? integer (default: the run's seed)

---DeepOBS's char-RNN: embedding, LSTM, linear head.
---@param opts? problems.CharLSTMOptions
---@return problems.CharProblem
function problems.char_lstm(opts) end

---@class problems.ResNetMetrics
---@field test_loss number
---@field test_accuracy number

---@class problems.ResNetProblem: problems.Problem
---@field evaluate fun(): problems.ResNetMetrics
---@field model nn.Module
---@field data data.FashionMNIST
---@field steps_per_epoch integer

---@class problems.ResNetFashionOptions
---@field data? string the IDX directory (default "/usr/share/datasets/fashion-mnist")
---@field width? integer channels of the first stage (default 16)
---@field blocks? integer basic blocks per stage (default 1)
---@field batch_size? integer (default 128)
---@field augment? boolean random crops (padding 2) and horizontal flips (default false)
---@field train_size? integer use the first n training images (default all)
---@field eval_size? integer evaluate on the first n test images (default all)
---@field seed? integer (default: the run's seed)

---A small ResNet on Fashion-MNIST: basic blocks with BatchNorm, global average pooling.
---@param opts? problems.ResNetFashionOptions
---@return problems.ResNetProblem
function problems.resnet_fashion(opts) end

---@class problems.ModularMetrics
---@field train_loss number
---@field train_accuracy number
---@field val_loss number
---@field val_accuracy number

---@class problems.ModularProblem: problems.Problem
---@field evaluate fun(): problems.ModularMetrics
---@field model nn.Module
---@field data data.ModularArithmetic
---@field steps_per_epoch integer

---@class problems.ModularAdditionOptions
---@field p? integer (default 97)
---@field op? "+"|"-"|"*"|"/" (default "+")
---@field train_fraction? number (default 0.3)
---@field model? "mlp"|"transformer" (default "mlp")
---@field d_model? integer embedding width (default 128)
---@field hidden? integer MLP width (default 512)
---@field n_layer? integer transformer blocks (default 1)
---@field n_head? integer transformer heads (default 4)
---@field batch_size? integer (default 512)
---@field seed? integer (default: the run's seed)

---Grokking (Power et al. 2022): learn a op b mod p from a fraction of the table.
---@param opts? problems.ModularAdditionOptions
---@return problems.ModularProblem
function problems.modular_addition(opts) end

-- By name --------------------------------------------------------------------------------------

---The options of any problem; `problems.build` rejects keys its problem does not have.
---@alias problems.Options problems.RosenbrockOptions|problems.BealeOptions|problems.QuadraticOptions|problems.LogisticRegressionOptions|problems.MLPOptions|problems.CharTransformerOptions|problems.CharLSTMOptions|problems.ResNetFashionOptions|problems.ModularAdditionOptions

---The problem names, in a new table.
---@return problems.Name[]
function problems.names() end

---The problem called `name` (case-insensitive; "-" may stand for "_"), built with `opts`.
---@param name problems.Name|string
---@param opts? problems.Options
---@return problems.Problem
function problems.build(name, opts) end
