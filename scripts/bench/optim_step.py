#!/usr/bin/env python3
"""PyTorch's fused CPU optimizer step on 10M parameters, for comparison with descent's
(`OptimBench.measure` in Sources/Optim/OptimBench.swift; in the tests:
`DESCENT_OPTIM_BENCH=1 swift test -c release --filter OptimTests.BenchTests`).

Prints one JSON object: per optimizer the median seconds per step over >= 20 steps after warm-up,
and GB/s counting the bytes a fused step must move (param, grad and state read; param and state
written), the same count the Swift side uses.

Usage:  pip install "torch==2.13.0+cpu" && python3 scripts/bench/optim_step.py [--count N] [--steps N]
"""
import argparse
import json

import torch

from steptime import median_step_seconds


def bench(make, count, steps, buffers, shape=None):
    """`shape` (holding `count` elements) runs the step on a matrix (Adafactor's factored path)."""
    p = torch.nn.Parameter(torch.linspace(-0.5, 0.5, count).reshape(shape or (count,)))
    p.grad = torch.linspace(-0.3, 0.4, count).reshape(shape or (count,))
    sec = median_step_seconds(make([p]), steps, warmup=3)
    moved = (3 + 2 * buffers) * count * 4
    return {"seconds_per_step": sec, "ms_per_step": sec * 1e3, "gb_per_s": moved / sec / 1e9,
            "bytes_per_step": moved}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=10_000_000)
    ap.add_argument("--steps", type=int, default=21)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    O = torch.optim
    runs = {
        "Adam": (lambda ps: O.Adam(ps, lr=1e-3, fused=True), 2),
        "AdamW": (lambda ps: O.AdamW(ps, lr=1e-3, fused=True), 2),
        "AMSGrad": (lambda ps: O.Adam(ps, lr=1e-3, amsgrad=True, fused=True), 3),
        "SGD-momentum": (lambda ps: O.SGD(ps, lr=1e-3, momentum=0.9, fused=True), 1),
    }
    out = {"torch": torch.__version__, "threads": args.threads, "count": args.count, "steps": args.steps,
           "results": {name: bench(make, args.count, args.steps, b) for name, (make, b) in runs.items()}}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
