#!/usr/bin/env python3
"""PyTorch's Muon step on one 4096x4096 parameter (torch.optim.Muon: Newton-Schulz in bfloat16,
5 steps), for comparison with `descent bench optim_muon` (float32 Newton-Schulz through sgemm).

Prints one JSON object: median seconds per step over --steps steps after one warm-up step, for
PyTorch's own Muon and for the same step with Newton-Schulz in float32 (descent's arithmetic).

Usage:  pip install "torch==2.13.0+cpu" && python3 scripts/bench/muon_step.py [--n 4096] [--steps 3] [--threads 2]
"""
import argparse
import json

import torch
import torch.optim._muon as muon_module

from steptime import median_step_seconds


def float32_newton_schulz(grad, ns_coefficients, ns_steps, eps):
    a, b, c = ns_coefficients
    x = grad.clone()
    if grad.size(0) > grad.size(1):
        x = x.T
    x = x.div(x.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram = x @ x.T
        update = torch.addmm(gram, gram, gram, beta=b, alpha=c)
        x = torch.addmm(x, update, x, beta=a)
    if grad.size(0) > grad.size(1):
        x = x.T
    return x


def bench(n, steps):
    p = torch.nn.Parameter(torch.randn(n, n))
    p.grad = torch.randn(n, n)
    return median_step_seconds(torch.optim.Muon([p], lr=1e-3), steps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    bf16 = bench(args.n, args.steps)
    original = muon_module._zeropower_via_newtonschulz
    muon_module._zeropower_via_newtonschulz = float32_newton_schulz
    f32 = bench(args.n, args.steps)
    muon_module._zeropower_via_newtonschulz = original
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "n": args.n, "steps": args.steps,
                      "seconds_per_step_bfloat16": bf16, "seconds_per_step_float32": f32}, indent=1))


if __name__ == "__main__":
    main()
