#!/usr/bin/env python3
"""Generates Tests/OptimTests/Fixtures/pytorch_optimizer_parity.json: MARS, whose reference is
pytorch-optimizer 4.1.0 (`pytorch_optimizer.MARS`, single-tensor path, float64 tensors), with
descent's build names and options (the same names as pytorch-optimizer's).

Parameters and gradients follow the formulas of optim_fixtures.py (libm sin/cos), rebuilt by the
Swift tests:
    param j, element i:          p = float32(0.5*cos(0.9*i + 1.7*j) + 0.1*j)
    grad at step s (1-based):    g = float32(sin(0.37*s + 0.61*i + 1.3*j) * (1.5 + cos(0.5*s)) * (1 + 0.5*j))
Shapes [3, 4] and [5]: one matrix (MARS's corrected path) and one vector (its AdamW path).

Usage:  pip install "torch==2.13.0+cpu" "pytorch-optimizer==4.1.0" && python3 scripts/reference/pytorch_optimizer_fixtures.py
"""
import importlib.metadata
import json
import math
import os

import numpy as np
import pytorch_optimizer
import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures", "pytorch_optimizer_parity.json")
STEPS = 12
SHAPES = [[3, 4], [5]]


def init_param(j, shape):
    n = int(np.prod(shape))
    return np.array([0.5 * math.cos(0.9 * i + 1.7 * j) + 0.1 * j for i in range(n)], dtype=np.float32).reshape(shape)


def grad_at(s, j, shape):
    n = int(np.prod(shape))
    scale = (1.5 + math.cos(0.5 * s)) * (1 + 0.5 * j)
    return np.array([math.sin(0.37 * s + 0.61 * i + 1.3 * j) * scale for i in range(n)], dtype=np.float32).reshape(shape)


CASES = [
    ("mars", {}),
    ("mars", {"weight_decay": 0.1, "ams_bound": True, "lr": 0.01}),
    ("mars", {"mars_type": "lion", "lr": 1e-3}),
    ("mars", {"cautious": True, "weight_decay": 0.05}),
    ("mars", {"cautious": True, "mars_type": "lion", "optimize_1d": True}),
    ("mars", {"optimize_1d": True, "weight_decouple": False, "weight_decay": 0.1, "gamma": 0.1, "maximize": True}),
]


def run(name, o):
    params = [torch.nn.Parameter(torch.from_numpy(init_param(j, sh).astype(np.float64))) for j, sh in enumerate(SHAPES)]
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in o.items()}
    opt = pytorch_optimizer.MARS(params, foreach=False, **kw)
    traj = []
    for s in range(1, STEPS + 1):
        for j, p in enumerate(params):
            p.grad = torch.from_numpy(grad_at(s, j, SHAPES[j]).astype(np.float64))
        opt.step()
        traj.append([p.detach().numpy().ravel().tolist() for p in params])
    return traj


def main():
    cases, counts = [], {}
    for name, o in CASES:
        counts[name] = counts.get(name, 0) + 1
        traj = run(name, o)
        cases.append(dict(name=f"{name}_{counts[name]}", optimizer=name, options=o, shapes=SHAPES,
                          trajectory=[[[float("%.9g" % x) for x in p] for p in step] for step in traj],
                          source="pytorch-optimizer " + importlib.metadata.version("pytorch-optimizer")))
    with open(OUT, "w") as f:
        json.dump(dict(steps=STEPS, cases=cases), f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
