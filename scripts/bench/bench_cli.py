"""What torch_bench.py and jax_bench.py share: the command line, the figure names, the optimizer
rows' sizes, the character models' training text, and the loop that runs the named figures and prints one JSON line each.

A side (PyTorch or JAX) passes its module, which defines the workloads under the same names:
train_step_time, mnist_mlp, mnist_cnn, char_step_time, resnet_step_time, mlp_hvp_time,
OPTIMIZER_KINDS (name -> (constructor, {parameters: matrix shape} or None)), and how it times one
optimizer row and the Muon step.
"""
import argparse
import gzip
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
# Name suffix -> parameters, as descent's optim_<name>, optim_<name>_1m and optim_<name>_100m rows.
SIZES = {"": 10_000_000, "_1m": 1_000_000, "_100m": 100_000_000}


def steps_for(count):
    """Timed steps per optimizer row, as descent's OptimBench sizes: 51 at 1M, 11 at 10M, 5 at 100M."""
    return 51 if count < 10_000_000 else (11 if count < 100_000_000 else 5)


def tinyshakespeare_train():
    """Character ids (int64) of the first 90 % of tinyshakespeare (char_transformer_train.py's
    split) and the vocabulary size; each side converts them to its own arrays."""
    path = os.path.join(HERE, "..", "..", "Sources", "Data", "Resources", "tinyshakespeare.txt.gz")
    text = gzip.open(path, "rt").read()
    stoi = {c: i for i, c in enumerate(sorted(set(text)))}
    ids = np.array([stoi[c] for c in text], dtype=np.int64)
    return ids[:int(len(ids) * 0.9)], len(stoi)


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("names", nargs="*")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "data", "mnist5k"))
    ap.add_argument("--fashion", default="/usr/share/datasets/fashion-mnist")
    return ap.parse_args()


def emit(name, seconds, **extra):
    print(json.dumps({"name": name, "seconds": seconds, **extra}), flush=True)


def run(side, args, optimizer_row, muon_row, **versions):
    """Runs the figures `args.names` names (default: all) of `side`; `optimizer_row(make, count,
    shape)` and `muon_row(n, steps)` return seconds per step; `versions` go into every line."""
    runs = {
        "mlp64_step": lambda: side.train_step_time([64, 32, 10], 32),
        "mlp512_step": lambda: side.train_step_time([784, 512, 512, 10], 256, blocks=5, block_steps=10, warmup=5),
        "mnist_mlp": lambda: side.mnist_mlp(args.data),
        "mnist_cnn": lambda: side.mnist_cnn(args.data),
        # issue 16's models; blocks, steps and warm-up as scripts/bench/model_step.lua's defaults
        "char_transformer_step": lambda: side.char_step_time("transformer", 5, 20, 10),
        "char_lstm_step": lambda: side.char_step_time("lstm", 5, 20, 10),
        "resnet_fashion_step": lambda: side.resnet_step_time(args.fashion, 5, 6, 3),
        "mlp_hvp": side.mlp_hvp_time,
    }
    for suffix, count in SIZES.items():
        for kind, (make, shapes) in side.OPTIMIZER_KINDS.items():
            shape = shapes[count] if shapes else None
            runs[f"optim_{kind}{suffix}"] = lambda make=make, count=count, shape=shape: optimizer_row(make, count, shape)
    # Muon on one 4096x4096 matrix; MUON_STEPS timed steps after one warm-up (default 1: a step
    # takes tens of seconds).
    runs["optim_muon"] = lambda: muon_row(4096, int(os.environ.get("MUON_STEPS", "1")))
    names = args.names or list(runs)
    unknown = [n for n in names if n not in runs]
    if unknown:
        sys.exit(f"unknown benchmark(s) {unknown}; known: {', '.join(runs)}")
    for name in names:
        emit(name, runs[name](), threads=args.threads, **versions)
