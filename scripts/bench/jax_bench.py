#!/usr/bin/env python3
"""JAX's side of scripts/bench/compare.sh: torch_bench.py's workloads, name for name, written the
way a researcher writes JAX (jax + optax, no flax; models in scripts/bench/jax_models.py).

Prints one JSON line per figure, as torch_bench.py: {"name": ..., "seconds": ...}. Every step is
one `jax.jit` of the whole training step (batch gather, forward, loss, grad, optax update,
optax.apply_updates) with the parameters and optimizer state donated (`donate_argnums`),
compiled ahead of time (`jit(...).lower(...).compile()`) before any clock starts, so no timed
call compiles. Timing is torch_bench.py's: training steps report the median seconds per step
over blocks of steps after a warm-up, each block ending in `jax.block_until_ready` on the new
parameters and state; the mnist5k loops report the wall time of the whole training loop (data
loaded and scaled beforehand, not timed; `float(loss)` each step, as PyTorch's `loss.item()`;
the last partial batch has its own compiled step); optimizer steps are timed one by one, each
waited for with `block_until_ready`. Batches are drawn as torch_bench.py draws them: a NumPy
permutation per epoch whose slices are passed to the step, which gathers the rows (mnist5k,
Fashion-MNIST), or random windows drawn inside the step from a jax.random key carried in the
state (tinyshakespeare).

Threads. XLA's CPU backend takes no thread count: its thread pool has one thread per CPU the
process may run on. `--threads 1` therefore pins the process to its first allowed CPU
(os.sched_setaffinity, before jax is imported) and sets
XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1" (appended to any
XLA_FLAGS already set); `--threads N` for 1 < N < the allowed CPUs pins to the first N;
otherwise (`--threads 2` on the 2-core benchmark VM) the process keeps every CPU.

Usage:  pip install jax optax==0.2.8
        python3 scripts/bench/jax_bench.py [NAME ...] [--threads 2] [--data data/mnist5k] [--fashion DIR]
        names: mlp64_step mlp512_step mnist_mlp mnist_cnn, optim_<name> (10M parameters) and
               optim_<name>_1m and optim_<name>_100m for every name of OPTIMIZER_KINDS, optim_muon, mlp_hvp,
               char_transformer_step char_lstm_step resnet_fashion_step (default: all)

OPTIMIZER_KINDS has every optimizer of torch_bench.py's but ASGD, which optax does not have;
its arguments are torch_bench.py's (lr 1e-3, SGD momentum 0.9, PyTorch's defaults otherwise),
translated to optax's names. optim_muon is optax.contrib.muon on one 4096x4096 matrix with
torch.optim.Muon's defaults, Newton-Schulz in float32 (PyTorch's runs in bfloat16).
"""
import argparse
import os
import statistics
import sys
import time


def _limit_threads(argv):
    """Applies --threads before jax is imported (see the module docstring)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--threads", type=int, default=2)
    threads = pre.parse_known_args(argv)[0].threads
    allowed = sorted(os.sched_getaffinity(0))
    if 1 <= threads < len(allowed):
        os.sched_setaffinity(0, set(allowed[:threads]))
    if threads == 1:
        flags = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
        os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {flags}".strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")


_limit_threads(sys.argv[1:])

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
import optax.contrib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench_cli  # noqa: E402
from idx import load_idx  # noqa: E402
import jax_models as M  # noqa: E402


def compiled(fn, *example, donate=(0, 1)):
    """`fn` jitted with the arguments `donate` (parameters, optimizer state, ...) donated, and
    compiled ahead of time for the shapes of `example`: calls on those shapes never compile."""
    return jax.jit(fn, donate_argnums=donate).lower(*example).compile()


def train_step_fn(opt, loss_fn):
    """The whole training step: loss and gradient of loss_fn(params, *batch), optax update, apply."""
    def step(params, opt_state, *batch):
        loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss
    return step


def train_step_time(sizes, batch, blocks=7, block_steps=50, warmup=20):
    """Median seconds of one Adam step (forward, cross-entropy, backward, update) on a fixed
    random batch, from a Python loop."""
    kp, kx, ky = jax.random.split(jax.random.PRNGKey(0), 3)
    params = M.mlp_init(kp, sizes)
    opt = optax.adam(1e-3)
    x = jax.random.normal(kx, (batch, sizes[0]), jnp.float32)
    y = jax.random.randint(ky, (batch,), 0, sizes[-1])
    state = {"params": params, "opt": opt.init(params)}
    fn = compiled(train_step_fn(opt, lambda p, x, y: M.cross_entropy(M.mlp_apply(p, x), y)),
                  state["params"], state["opt"], x, y)

    def step():
        state["params"], state["opt"], _ = fn(state["params"], state["opt"], x, y)
        return state

    return per_step(step, blocks, block_steps, warmup)


def mlp_hvp_time(blocks=7, block_steps=10, warmup=5):
    """torch_bench.mlp_hvp_time in JAX: one Hessian-vector product of the 784-512-512-10 ReLU
    MLP's cross-entropy on a fixed batch of 128, forward-over-reverse (jax.jvp of jax.grad), the
    way JAX's autodiff cookbook writes it; jitted and compiled before timing."""
    keys = jax.random.split(jax.random.PRNGKey(1), 4)
    sizes = [784, 512, 512, 10]
    params = M.mlp_init(keys[0], sizes)
    x = jax.random.normal(keys[1], (128, 784), jnp.float32)
    y = jax.random.randint(keys[2], (128,), 0, 10)
    leaves, tree = jax.tree_util.tree_flatten(params)
    vkeys = jax.random.split(keys[3], len(leaves))
    v = jax.tree_util.tree_unflatten(tree, [jax.random.normal(k, l.shape, l.dtype) for k, l in zip(vkeys, leaves)])
    loss = lambda p: M.cross_entropy(M.mlp_apply(p, x), y)  # noqa: E731
    hvp = lambda p, v: jax.jvp(jax.grad(loss), (p,), (v,))[1]  # noqa: E731
    fn = compiled(hvp, params, v, donate=())
    return per_step(lambda: fn(params, v), blocks, block_steps, warmup)


def mnist5k(directory):
    x = load_idx(os.path.join(directory, "mnist5k-train-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(directory, "mnist5k-train-labels-idx1-ubyte.gz"))
    x = x.reshape(x.shape[0], -1).astype(np.float32) / 255.0
    return jnp.asarray(x), jnp.asarray(y.astype(np.int32))


def train_loop_time(params, apply, x, y, epochs, batch=64):
    """Wall time of `epochs` epochs of Adam 1e-3 with a fresh permutation each epoch; the step
    gathers its rows of (x, y) itself. Both batch shapes (full and the last partial one) are
    compiled before the clock starts."""
    opt = optax.adam(1e-3)
    opt_state = opt.init(params)
    n = x.shape[0]

    def loss_fn(p, x, y, idx):
        return M.cross_entropy(apply(p, x[idx]), y[idx])

    step = train_step_fn(opt, loss_fn)
    fns = {s: compiled(step, params, opt_state, x, y, np.zeros(s, np.int32)) for s in {batch, n % batch or batch}}
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = rng.permutation(n).astype(np.int32)
        total = 0.0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            params, opt_state, loss = fns[len(idx)](params, opt_state, x, y, idx)
            total += float(loss)
    return time.perf_counter() - t0


def mnist_mlp(data, epochs=10):
    x, y = mnist5k(data)
    return train_loop_time(M.mlp_init(jax.random.PRNGKey(0), [784, 256, 10]), M.mlp_apply, x, y, epochs)


def mnist_cnn(data, epochs=5):
    x, y = mnist5k(data)
    return train_loop_time(M.cnn_init(jax.random.PRNGKey(0)), M.cnn_apply, x.reshape(-1, 28, 28, 1), y, epochs)


def per_step(step, blocks, block_steps, warmup):
    """Median seconds of one call of `step` over `blocks` blocks, after `warmup` calls; each block
    (and the warm-up) ends when what the last call returned is ready."""
    out = None
    for _ in range(warmup):
        out = step()
    jax.block_until_ready(out)
    times = []
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(block_steps):
            out = step()
        jax.block_until_ready(out)
        times.append((time.perf_counter() - t0) / block_steps)
    return statistics.median(times)


def char_step_time(model_kind, blocks, block_steps, warmup):
    """A character model's training step on random windows (block 64, batch 32, AdamW 1e-3 for
    the transformer; block 50, batch 32, Adam 2e-3 for the LSTM); the windows are drawn inside
    the jitted step from a key carried from step to step."""
    ids, vocab = bench_cli.tinyshakespeare_train()
    train = jnp.asarray(ids.astype(np.int32))
    kp, kd = jax.random.split(jax.random.PRNGKey(0))
    if model_kind == "transformer":
        T, B = 64, 32
        params, apply = M.gpt_init(kp, vocab, T), M.gpt_apply
        opt = optax.adamw(1e-3, weight_decay=0.0)
    else:
        T, B = 50, 32
        params, apply = M.lstm_init(kp, vocab), M.lstm_apply
        opt = optax.adam(2e-3)

    def loss_fn(p, x, y):
        return M.cross_entropy(apply(p, x).reshape(-1, vocab), y.reshape(-1))

    inner = train_step_fn(opt, loss_fn)

    def train_step(params, opt_state, key, train):
        key, sub = jax.random.split(key)
        starts = jax.random.randint(sub, (B, 1), 0, train.shape[0] - T)
        idx = starts + jnp.arange(T)
        params, opt_state, loss = inner(params, opt_state, train[idx], train[idx + 1])
        return params, opt_state, key, loss

    state = {"params": params, "opt": opt.init(params), "key": kd}
    fn = compiled(train_step, state["params"], state["opt"], state["key"], train, donate=(0, 1, 2))

    def step():
        state["params"], state["opt"], state["key"], _ = fn(state["params"], state["opt"], state["key"], train)
        return state

    return per_step(step, blocks, block_steps, warmup)


def fashion_mnist(directory, part="train"):
    prefix = "train" if part == "train" else "t10k"
    x = load_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
    x = x.reshape(x.shape[0], 28, 28, 1).astype(np.float32) / 255.0
    return jnp.asarray(x), jnp.asarray(y.astype(np.int32))


def resnet_step_time(directory, blocks, block_steps, warmup, batch=128):
    """problems.resnet_fashion's default ResNet (width 16, one block per stage; BatchNorm in
    training mode) on shuffled Fashion-MNIST minibatches of 128 (the whole training set), AdamW
    lr 2e-3, weight decay 5e-4."""
    x, y = fashion_mnist(directory)
    params, stats = M.resnet_init(jax.random.PRNGKey(0))
    opt = optax.adamw(2e-3, weight_decay=5e-4)

    def loss_fn(p, stats, xb, yb):
        logits, new_stats = M.resnet_apply(p, stats, xb)
        return M.cross_entropy(logits, yb), new_stats

    def train_step(params, stats, opt_state, x, y, idx):
        (loss, stats), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, stats, x[idx], y[idx])
        updates, opt_state = opt.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), stats, opt_state, loss

    n = x.shape[0]
    rng = np.random.default_rng(0)
    state = {"params": params, "stats": stats, "opt": opt.init(params),
             "perm": rng.permutation(n).astype(np.int32), "at": 0}
    fn = compiled(train_step, state["params"], state["stats"], state["opt"], x, y, np.zeros(batch, np.int32),
                  donate=(0, 1, 2))

    def step():
        if state["at"] + batch > n:
            state["perm"], state["at"] = rng.permutation(n).astype(np.int32), 0
        idx = state["perm"][state["at"]:state["at"] + batch]
        state["at"] += batch
        state["params"], state["stats"], state["opt"], _ = fn(state["params"], state["stats"], state["opt"], x, y, idx)
        return state["params"], state["stats"], state["opt"]

    return per_step(step, blocks, block_steps, warmup)


def median_step_seconds(fn, params, opt_state, grad, steps, warmup=1):
    """steptime.median_step_seconds for a compiled update: each step waited for by itself."""
    for _ in range(warmup):
        params, opt_state = fn(params, opt_state, grad)
    jax.block_until_ready((params, opt_state))
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        params, opt_state = fn(params, opt_state, grad)
        jax.block_until_ready((params, opt_state))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def update_fn(opt):
    def update(params, opt_state, grad):
        updates, opt_state = opt.update(grad, opt_state, params)
        return optax.apply_updates(params, updates), opt_state
    return update


def optim_bench(make, count, steps, shape=None):
    """optim_step.bench's workload: one float32 parameter of `count` elements (a matrix of `shape`
    for Adafactor's factored path), linspace(-0.5, 0.5), a fixed gradient linspace(-0.3, 0.4);
    median of `steps` steps after 3, each a jitted optax update + apply_updates on donated buffers."""
    shape = shape or (count,)
    p = jnp.linspace(-0.5, 0.5, count, dtype=jnp.float32).reshape(shape)
    g = jnp.linspace(-0.3, 0.4, count, dtype=jnp.float32).reshape(shape)
    opt = make()
    opt_state = opt.init(p)
    fn = compiled(update_fn(opt), p, opt_state, g)
    return median_step_seconds(fn, p, opt_state, g, steps, warmup=3)


def muon_bench(n, steps):
    """muon_step.bench: Muon on one n x n parameter with a fixed random gradient; `steps` timed
    steps after one warm-up."""
    kp, kg = jax.random.split(jax.random.PRNGKey(0))
    p = jax.random.normal(kp, (n, n), jnp.float32)
    g = jax.random.normal(kg, (n, n), jnp.float32)
    # torch.optim.Muon's defaults: momentum 0.95, Nesterov, weight decay 0.1, eps 1e-7, 5 steps of
    # (3.4445, -4.775, 2.0315); optax adds no lr adjustment for a square matrix, nor does PyTorch's.
    opt = optax.contrib.muon(1e-3, ns_coeffs=(3.4445, -4.775, 2.0315), ns_steps=5, beta=0.95, eps=1e-7,
                             weight_decay=0.1, nesterov=True)
    opt_state = opt.init(p)
    fn = compiled(update_fn(opt), p, opt_state, g)
    return median_step_seconds(fn, p, opt_state, g, steps, warmup=1)


# name -> (constructor, parameter shape or None for a vector): torch_bench.OPTIMIZER_KINDS in optax,
# with PyTorch's defaults where optax's differ (AdamW's weight decay 1e-2, not 1e-4; RMSprop's
# alpha 0.99 and eps outside the square root; Adagrad's accumulator from 0 and eps 1e-10; Adadelta's
# eps 1e-6; Adafactor's decay exponent 0.8 and clipping 1). Not here: ASGD (optax has none). NAdam is
# optax's (without PyTorch's momentum_decay schedule): the same passes over the same arrays.
OPTIMIZER_KINDS = {
    "adam": (lambda: optax.adam(1e-3), None),
    "adamw": (lambda: optax.adamw(1e-3, weight_decay=1e-2), None),
    "amsgrad": (lambda: optax.amsgrad(1e-3), None),
    "sgd": (lambda: optax.sgd(1e-3, momentum=0.9), None),
    "adadelta": (lambda: optax.adadelta(1e-3, rho=0.9, eps=1e-6), None),
    "rprop": (lambda: optax.rprop(1e-3), None),
    "nadam": (lambda: optax.nadam(1e-3), None),
    "radam": (lambda: optax.radam(1e-3), None),
    "rmsprop": (lambda: optax.rmsprop(1e-3, decay=0.99, eps=1e-8, eps_in_sqrt=False), None),
    "adagrad": (lambda: optax.adagrad(1e-3, initial_accumulator_value=0.0, eps=1e-10), None),
    "adamax": (lambda: optax.adamax(1e-3), None),
    "adafactor": (lambda: optax.adafactor(1e-3, decay_rate=0.8, clipping_threshold=1.0),
                  {10_000_000: (2500, 4000), 1_000_000: (1000, 1000), 100_000_000: (10_000, 10_000)}),
}
def main():
    args = bench_cli.parse_args()  # --threads was applied before jax was imported (_limit_threads)
    bench_cli.run(sys.modules[__name__], args,
                  lambda make, count, shape: optim_bench(make, count, bench_cli.steps_for(count), shape=shape),
                  muon_bench, jax=jax.__version__, optax=optax.__version__)


if __name__ == "__main__":
    main()
