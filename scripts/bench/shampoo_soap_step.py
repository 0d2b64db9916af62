#!/usr/bin/env python3
"""pytorch-optimizer 4.1.0's ScalableShampoo and SOAP on one 4096x4096 parameter, configured as
`descent bench optim_shampoo` / `optim_soap` run them: Shampoo with statistics and inverse roots
every step (start_preconditioning_step=1, preconditioning_compute_steps=1, block_size 512,
use_svd=True: the eigen/SVD root path, as descent's eigh roots; --schur-newton times its default
Schur-Newton path instead), SOAP with precondition_frequency=1 (a QR basis update every step).
One warm-up step (SOAP's first step is its eigh initialisation), then the median of --steps.

Prints one JSON line per optimizer: {"name": "optim_shampoo" | "optim_soap", "seconds": ...}.

Usage:  pip install "torch==2.13.0+cpu" "pytorch-optimizer==4.1.0" && python3 scripts/bench/shampoo_soap_step.py [--n 4096] [--steps 1] [--threads 2]
"""
import argparse
import json

import pytorch_optimizer
import torch

from steptime import median_step_seconds


def bench(name, make, n, steps):
    count = n * n
    idx = torch.arange(count, dtype=torch.float32)
    p = torch.nn.Parameter(((idx % 1000) * 1e-3 - 0.5).reshape(n, n))
    p.grad = ((idx % 777) * 1e-3 - 0.3).reshape(n, n)
    seconds = median_step_seconds(make([p]), steps)
    print(json.dumps({"name": name, "seconds": seconds}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--steps", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--schur-newton", action="store_true")
    ap.add_argument("--only", choices=["shampoo", "soap"])
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.only != "soap":
        bench("optim_shampoo", lambda ps: pytorch_optimizer.ScalableShampoo(
            ps, lr=1e-3, start_preconditioning_step=1, preconditioning_compute_steps=1, use_svd=not a.schur_newton), a.n, a.steps)
    if a.only != "shampoo":
        bench("optim_soap", lambda ps: pytorch_optimizer.SOAP(ps, lr=1e-3, precondition_frequency=1), a.n, a.steps)


if __name__ == "__main__":
    main()
