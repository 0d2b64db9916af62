#!/usr/bin/env python3
"""Generates Tests/OptimTests/Fixtures/shampoo_soap_parity.json: Shampoo against pytorch-optimizer
4.1.0's `ScalableShampoo` with `use_svd=True` (its eigen/SVD inverse-root path; descent's eigh roots
equal it for symmetric PSD statistics, while its default Schur-Newton path stops at a 1e-3 residual
with a randomly estimated ridge, which makes 1e-4 agreement impossible), and SOAP against
pytorch-optimizer 4.1.0's `SOAP`. Reference runs in float64; the Swift test compares descent's
float32 steps within 1e-4 relative (+1e-5 absolute).

Parameters and gradients are stored in the file (gradients are nonlinear in the index so that the
gradient matrices have full rank: SOAP's eigenbasis is then unique up to signs, which do not
change its update). Shapes: square matrices for SOAP (full-rank GG from the first step), a
[6, 5] matrix larger than the Shampoo block size 4, a [3, 4] matrix and a [5] vector.

Usage:  pip install "torch==2.13.0+cpu" "pytorch-optimizer==4.1.0" && python3 scripts/reference/shampoo_soap_fixtures.py
"""
import json
import math
import os

import numpy as np
import pytorch_optimizer
import torch
from trajectory import init_param  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures", "shampoo_soap_parity.json")
STEPS = 8


def grad_at(s, j, shape):
    n = int(np.prod(shape))
    return np.array([math.sin(0.37 * s + 0.61 * i + 0.13 * i * i + 1.3 * j + 0.05 * s * i) * (1.2 + math.cos(0.5 * s + i))
                     for i in range(n)], dtype=np.float32).reshape(shape)


GRAFT = {"none": 0, "sgd": 1, "adagrad": 2, "rmsprop": 3, "sqrtn": 4}
PTYPE = {"all": 0, "input": 1, "output": 2}
SH_SHAPES = [[6, 5], [3, 4], [5]]
SOAP_SHAPES = [[4, 4], [3, 3], [5]]

SHAMPOO = [
    {"block_size": 4, "start_preconditioning_step": 3, "preconditioning_compute_steps": 1},
    {"block_size": 4, "start_preconditioning_step": 2, "preconditioning_compute_steps": 2, "graft_type": "adagrad",
     "weight_decay": 0.1, "lr": 1e-2},
    {"block_size": 4, "start_preconditioning_step": 1, "preconditioning_compute_steps": 1, "graft_type": "rmsprop",
     "weight_decay": 0.05, "decoupled_weight_decay": True, "nesterov": False, "moving_average_for_momentum": True},
    {"block_size": 8, "start_preconditioning_step": 2, "preconditioning_compute_steps": 3, "graft_type": "none",
     "pre_conditioner_type": "input", "decoupled_learning_rate": False, "inverse_exponent_override": 2, "lr": 0.05},
    {"block_size": 4, "start_preconditioning_step": 1, "preconditioning_compute_steps": 1, "graft_type": "sqrtn",
     "shape_interpretation": False, "pre_conditioner_type": "output", "statistics_compute_steps": 2, "maximize": True},
    {},
]
SOAP = [
    {},
    {"weight_decay": 0.1, "precondition_frequency": 2, "lr": 1e-2},
    {"precondition_frequency": 3, "normalize_gradient": True, "correct_bias": False, "shampoo_beta": 0.8,
     "betas": [0.9, 0.99], "weight_decay": 0.0, "maximize": True},
]


def run(make, shapes):
    params = [torch.nn.Parameter(torch.from_numpy(init_param(j, sh).astype(np.float64))) for j, sh in enumerate(shapes)]
    opt = make(params)
    traj = []
    for s in range(1, STEPS + 1):
        for j, p in enumerate(params):
            p.grad = torch.from_numpy(grad_at(s, j, shapes[j]).astype(np.float64))
        opt.step()
        traj.append([p.detach().numpy().ravel().tolist() for p in params])
    return traj


def shampoo(o):
    kw = {k: v for k, v in o.items()}
    if "graft_type" in kw:
        kw["graft_type"] = GRAFT[kw["graft_type"]]
    if "pre_conditioner_type" in kw:
        kw["pre_conditioner_type"] = PTYPE[kw["pre_conditioner_type"]]
    return lambda ps: pytorch_optimizer.ScalableShampoo(ps, use_svd=True, **kw)


def soap(o):
    kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in o.items()}
    return lambda ps: pytorch_optimizer.SOAP(ps, **kw)


def main():
    torch.manual_seed(0)
    cases = []
    for name, configs, shapes, make in (("shampoo", SHAMPOO, SH_SHAPES, shampoo), ("soap", SOAP, SOAP_SHAPES, soap)):
        for k, o in enumerate(configs):
            traj = run(make(o), shapes)
            cases.append(dict(
                name=f"{name}_{k + 1}", optimizer=name, options=o, shapes=shapes,
                init=[init_param(j, sh).ravel().tolist() for j, sh in enumerate(shapes)],
                grads=[[grad_at(s, j, sh).ravel().tolist() for j, sh in enumerate(shapes)] for s in range(1, STEPS + 1)],
                trajectory=[[[float("%.9g" % x) for x in p] for p in step] for step in traj],
                source="pytorch-optimizer 4.1.0" + (" ScalableShampoo(use_svd=True)" if name == "shampoo" else " SOAP")))
    with open(OUT, "w") as f:
        json.dump(dict(steps=STEPS, cases=cases), f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
