#!/usr/bin/env python3
"""PyTorch's side of issue 7's table (docs/performance.md): the same workloads as
scripts/bench/*.lua, written the way a researcher writes eager PyTorch.

Prints one JSON line per figure: {"name": ..., "seconds": ...}. Training steps report the
median seconds per step over blocks of steps after a warm-up; the mnist5k loops report the
wall time of the whole training loop (data loaded and scaled beforehand, not timed). Batches are
drawn by hand with torch.randperm and index_select, no DataLoader: the cheapest fair loop, and
what descent's data.loader does.

Usage:  python3 scripts/bench/torch_bench.py [NAME ...] [--threads 2] [--data data/mnist5k]
        names: mlp64_step mlp512_step mnist_mlp mnist_cnn, optim_<name> (10M parameters) and
               optim_<name>_1m and optim_<name>_100m for every name of OPTIMIZER_KINDS, optim_muon, mlp_hvp,
               char_transformer_step char_lstm_step resnet_fashion_step (default: all)

The last three are issue 16's models (scripts/reference/torch_models.py), timed as
scripts/bench/model_step.lua times descent's problems: one step = zero_grad, the next batch
(random tinyshakespeare windows, or a shuffled Fashion-MNIST minibatch), forward, cross-entropy,
backward, optimizer step.
"""
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "reference"))
import bench_cli  # noqa: E402
import muon_step  # noqa: E402
from idx import load_idx  # noqa: E402
import optim_step  # noqa: E402  (the optimizer engineer's fused-step measurement, reused)
import torch_models  # noqa: E402  (issue 16's models: GPT, CharLSTM, ResNet)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def train_step_time(sizes, batch, blocks=7, block_steps=50, warmup=20):
    """Median seconds of one Adam step (forward, cross-entropy, zero_grad, backward, step) on a
    fixed random batch, from a Python loop."""
    torch.manual_seed(0)
    model = mlp(sizes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, sizes[0])
    y = torch.randint(0, sizes[-1], (batch,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return per_step(step, blocks, block_steps, warmup)


def mnist5k(directory):
    x = load_idx(os.path.join(directory, "mnist5k-train-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(directory, "mnist5k-train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.reshape(x.shape[0], -1).astype(np.float32) / 255.0)
    return x, torch.from_numpy(y.astype(np.int64))


def train_loop_time(model, x, y, epochs, batch=64):
    """Wall time of `epochs` epochs of Adam 1e-3 with a fresh randperm each epoch."""
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = x.shape[0]
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch):
            idx = perm[i:i + batch]
            xb, yb = x.index_select(0, idx), y.index_select(0, idx)
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
    return time.perf_counter() - t0


def mnist_mlp(data, epochs=10):
    torch.manual_seed(0)
    x, y = mnist5k(data)
    return train_loop_time(mlp([784, 256, 10]), x, y, epochs)


def mnist_cnn(data, epochs=5):
    torch.manual_seed(0)
    x, y = mnist5k(data)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(512, 10))
    return train_loop_time(model, x.view(-1, 1, 28, 28), y, epochs)


def mlp_hvp_time(blocks=7, block_steps=10, warmup=5):
    """Median seconds of one Hessian-vector product of the 784-512-512-10 ReLU MLP's
    cross-entropy on a fixed batch of 128 (descent's `bench mlp_hvp`), by double backward as a
    researcher writes it: the gradients with create_graph, then their vector-Jacobian product
    with the directions V."""
    torch.manual_seed(1)
    x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
    shapes = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
    P = [(torch.randn(s) * 0.03).requires_grad_(True) for s in shapes]
    V = [torch.randn(s) for s in shapes]

    def step():
        h = F.relu(F.linear(x, P[0], P[1]))
        h = F.relu(F.linear(h, P[2], P[3]))
        loss = F.cross_entropy(F.linear(h, P[4], P[5]), y)
        grads = torch.autograd.grad(loss, P, create_graph=True)
        return torch.autograd.grad(grads, P, grad_outputs=V)

    return per_step(step, blocks, block_steps, warmup)


def per_step(step, blocks, block_steps, warmup):
    """Median seconds of one call of `step` over `blocks` blocks, after `warmup` calls."""
    for _ in range(warmup):
        step()
    times = []
    for _ in range(blocks):
        t0 = time.perf_counter()
        for _ in range(block_steps):
            step()
        times.append((time.perf_counter() - t0) / block_steps)
    return statistics.median(times)


def char_step_time(model_kind, blocks, block_steps, warmup):
    """A character model's training step on random windows (block 64, batch 32, AdamW 1e-3 for
    the transformer; block 50, batch 32, Adam 2e-3 for the LSTM), as the reference scripts
    train them; the windows are gathered with one index tensor (no Python loop per window)."""
    torch.manual_seed(0)
    ids, vocab = bench_cli.tinyshakespeare_train()
    train = torch.from_numpy(ids)
    if model_kind == "transformer":
        T, B = 64, 32
        model = torch_models.GPT(vocab, T)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0)
    else:
        T, B = 50, 32
        model = torch_models.CharLSTM(vocab)
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    offsets = torch.arange(T)
    g = torch.Generator().manual_seed(0)

    def step():
        starts = torch.randint(0, len(train) - T, (B, 1), generator=g)
        idx = starts + offsets
        x, y = train[idx], train[idx + 1]
        opt.zero_grad()
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
        loss.backward()
        opt.step()

    return per_step(step, blocks, block_steps, warmup)


def fashion_mnist(directory, part="train"):
    prefix = "train" if part == "train" else "t10k"
    x = load_idx(os.path.join(directory, f"{prefix}-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(directory, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(x.reshape(x.shape[0], 1, 28, 28).astype(np.float32) / 255.0)
    return x, torch.from_numpy(y.astype(np.int64))


def resnet_step_time(directory, blocks, block_steps, warmup, batch=128):
    """problems.resnet_fashion's default ResNet (width 16, one block per stage) on shuffled
    Fashion-MNIST minibatches of 128 (the whole training set), AdamW lr 2e-3, weight decay 5e-4."""
    torch.manual_seed(0)
    x, y = fashion_mnist(directory)
    model = torch_models.ResNet()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=5e-4)
    n = x.shape[0]
    state = {"perm": torch.randperm(n), "at": 0}

    def step():
        if state["at"] + batch > n:
            state["perm"], state["at"] = torch.randperm(n), 0
        idx = state["perm"][state["at"]:state["at"] + batch]
        state["at"] += batch
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()

    return per_step(step, blocks, block_steps, warmup)


O = torch.optim
# name -> (constructor, parameter shape or None for a vector): every torch.optim optimizer descent
# has, as `descent bench optim` runs it (lr 1e-3, SGD with momentum 0.9, defaults otherwise).
# fused=True where PyTorch's CPU has a fused kernel (Adam, AdamW, SGD, Adagrad); the others run
# PyTorch's default (single-tensor) implementation. Adafactor on a matrix, as descent's row.
OPTIMIZER_KINDS = {
    "adam": (lambda ps: O.Adam(ps, lr=1e-3, fused=True), None),
    "adamw": (lambda ps: O.AdamW(ps, lr=1e-3, fused=True), None),
    "amsgrad": (lambda ps: O.Adam(ps, lr=1e-3, amsgrad=True, fused=True), None),
    "sgd": (lambda ps: O.SGD(ps, lr=1e-3, momentum=0.9, fused=True), None),
    "adadelta": (lambda ps: O.Adadelta(ps, lr=1e-3), None),
    "asgd": (lambda ps: O.ASGD(ps, lr=1e-3), None),
    "rprop": (lambda ps: O.Rprop(ps, lr=1e-3), None),
    "nadam": (lambda ps: O.NAdam(ps, lr=1e-3), None),
    "radam": (lambda ps: O.RAdam(ps, lr=1e-3), None),
    "rmsprop": (lambda ps: O.RMSprop(ps, lr=1e-3), None),
    "adagrad": (lambda ps: O.Adagrad(ps, lr=1e-3, fused=True), None),
    "adamax": (lambda ps: O.Adamax(ps, lr=1e-3), None),
    "adafactor": (lambda ps: O.Adafactor(ps, lr=1e-3), {10_000_000: (2500, 4000), 1_000_000: (1000, 1000),
                                                        100_000_000: (10_000, 10_000)}),
}
def main():
    args = bench_cli.parse_args()
    torch.set_num_threads(args.threads)
    # Muon: torch.optim.Muon with its defaults, lr 1e-3 (descent's optim_muon).
    bench_cli.run(sys.modules[__name__], args,
                  lambda make, count, shape: optim_step.bench(make, count, bench_cli.steps_for(count), 0,
                                                              shape=shape)["seconds_per_step"],
                  muon_step.bench, torch=torch.__version__)


if __name__ == "__main__":
    main()
