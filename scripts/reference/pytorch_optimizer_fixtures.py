#!/usr/bin/env python3
"""Generates Tests/OptimTests/Fixtures/pytorch_optimizer_parity.json: MARS, whose reference is
pytorch-optimizer 4.1.0 (`pytorch_optimizer.MARS`, single-tensor path, float64 tensors), with
descent's build names and options (the same names as pytorch-optimizer's); and the `cautious`
switch: Lion and AdEMAMix against pytorch-optimizer's `Lion(cautious=True)` and
`AdEMAMix(cautious=True)`, Adam/AdamW/AMSGrad and LAMB (no reference package has them) against a
float64 numpy transcription of C-AdamW (Liang et al. 2024, arXiv:2411.16085): the step is zeroed
where it disagrees in sign with the gradient and the rest scaled by numel/(kept + 1).

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
from trajectory import init_param, grad_at  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures", "pytorch_optimizer_parity.json")
STEPS = 12
SHAPES = [[3, 4], [5]]


CASES = [
    ("mars", {}),
    ("mars", {"weight_decay": 0.1, "ams_bound": True, "lr": 0.01}),
    ("mars", {"mars_type": "lion", "lr": 1e-3}),
    ("mars", {"cautious": True, "weight_decay": 0.05}),
    ("mars", {"cautious": True, "mars_type": "lion", "optimize_1d": True}),
    ("mars", {"optimize_1d": True, "weight_decouple": False, "weight_decay": 0.1, "gamma": 0.1, "maximize": True}),
]


PYOPT_CAUTIOUS = [
    ("lion", {"cautious": True}, lambda ps, o: pytorch_optimizer.Lion(ps, lr=1e-4, betas=(0.9, 0.99), cautious=True, foreach=False)),
    ("lion", {"cautious": True, "weight_decay": 0.5, "lr": 1e-3},
     lambda ps, o: pytorch_optimizer.Lion(ps, lr=1e-3, betas=(0.9, 0.99), weight_decay=0.5, cautious=True, foreach=False)),
    ("ademamix", {"cautious": True},
     lambda ps, o: pytorch_optimizer.AdEMAMix(ps, lr=1e-3, betas=(0.9, 0.999, 0.9999), alpha=5.0, cautious=True, foreach=False)),
    ("ademamix", {"cautious": True, "alpha": 8.0, "betas": [0.8, 0.99, 0.999], "lr": 1e-2},
     lambda ps, o: pytorch_optimizer.AdEMAMix(ps, lr=1e-2, betas=(0.8, 0.99, 0.999), alpha=8.0, cautious=True, foreach=False)),
]

NUMPY_CAUTIOUS = [
    ("adam", {"cautious": True}),
    ("adamw", {"cautious": True, "amsgrad": True, "lr": 1e-2}),
    ("adam", {"cautious": True, "weight_decay": 0.1, "maximize": True}),
    ("lamb", {"cautious": True}),
    ("lamb", {"cautious": True, "weight_decay": 0.01, "lr": 1e-2}),
]


def numpy_cautious(name, o):
    ps = [init_param(j, sh).astype(np.float64) for j, sh in enumerate(SHAPES)]
    st = [dict(m=np.zeros(sh), v=np.zeros(sh), vmax=np.zeros(sh)) for sh in SHAPES]
    lr = o.get("lr", 1e-3)
    b1, b2 = o.get("betas", [0.9, 0.999])
    wd = o.get("weight_decay", 0.01 if name == "adamw" else 0.0)
    eps = o.get("eps", 1e-6 if name == "lamb" else 1e-8)
    traj = []
    for s in range(1, STEPS + 1):
        for j, p in enumerate(ps):
            g = grad_at(s, j, SHAPES[j]).astype(np.float64)
            if o.get("maximize", False):
                g = -g
            x = st[j]
            bc1, bc2 = 1 - b1 ** s, 1 - b2 ** s
            if name == "lamb":
                x["m"] = (1 - b1) * g + b1 * x["m"]
                x["v"] = (1 - b2) * g * g + b2 * x["v"]
                a = (x["m"] / bc1) / (np.sqrt(x["v"] / bc2) + eps)
                mask = (a * g > 0).astype(np.float64)
                a = a * mask * (a.size / (mask.sum() + 1))
                u = a + wd * p
                pn, un = np.linalg.norm(p), np.linalg.norm(u)
                ratio = 1.0 if pn == 0 or un == 0 else pn / un
                p -= lr * ratio * u
                continue
            if name == "adamw":
                p *= 1 - lr * wd
            elif wd:
                g = g + wd * p
            x["m"] = b1 * x["m"] + (1 - b1) * g
            x["v"] = b2 * x["v"] + (1 - b2) * g * g
            v = x["v"]
            if o.get("amsgrad", False):
                x["vmax"] = np.maximum(x["vmax"], x["v"])
                v = x["vmax"]
            u = x["m"] / (np.sqrt(v) / math.sqrt(bc2) + eps)
            mask = (u * g > 0).astype(np.float64)
            p -= (lr / bc1) * u * mask * (u.size / (mask.sum() + 1))
        traj.append([p.ravel().tolist() for p in ps])
    return traj


def run(name, o, make=None):
    params = [torch.nn.Parameter(torch.from_numpy(init_param(j, sh).astype(np.float64))) for j, sh in enumerate(SHAPES)]
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in o.items()}
    opt = make(params, o) if make else pytorch_optimizer.MARS(params, foreach=False, **kw)
    traj = []
    for s in range(1, STEPS + 1):
        for j, p in enumerate(params):
            p.grad = torch.from_numpy(grad_at(s, j, SHAPES[j]).astype(np.float64))
        opt.step()
        traj.append([p.detach().numpy().ravel().tolist() for p in params])
    return traj


def main():
    cases, counts = [], {}
    version = "pytorch-optimizer " + importlib.metadata.version("pytorch-optimizer")
    runs = [(n, o, lambda n=n, o=o: run(n, o), version, "") for n, o in CASES]
    runs += [(n, o, lambda n=n, o=o, mk=mk: run(n, o, mk), version, "cautious_") for n, o, mk in PYOPT_CAUTIOUS]
    runs += [(n, o, lambda n=n, o=o: numpy_cautious(n, o), "numpy float64 (C-AdamW)", "cautious_") for n, o in NUMPY_CAUTIOUS]
    for name, o, fn, source, prefix in runs:
        key = prefix + name
        counts[key] = counts.get(key, 0) + 1
        traj = fn()
        cases.append(dict(name=f"{key}_{counts[key]}", optimizer=name, options=o, shapes=SHAPES,
                          trajectory=[[[float("%.9g" % x) for x in p] for p in step] for step in traj],
                          source=source))
    with open(OUT, "w") as f:
        json.dump(dict(steps=STEPS, cases=cases), f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
