#!/usr/bin/env python3
"""Generates Tests/OptimTests/Fixtures/optim_db.json: parity with PyTorch's own optimizer test database.

Reads every CPU configuration that torch.testing._internal.common_optimizers.optim_db defines
(optim_inputs_func(device="cpu")) for the 14 optimizers descent implements from torch.optim
(SparseAdam aside: descent has no sparse tensors), runs each for STEPS steps on a small
deterministic problem, and records the parameters after every step (float32, 9 significant
digits, which round-trips float32 exactly).

Mapping of configurations to descent:
  - a tensor `lr` becomes its float value (lr.item());
  - tuples become lists ({a, b} pairs / {a, b, c} triples in descent);
  - the single-tensor implementation is run (foreach/fused/capturable/differentiable are
    implementation flags of the same math; none of the configurations sets them).
  - Muon: PyTorch runs Newton-Schulz in bfloat16; descent runs it in float32, so this script
    runs PyTorch's Muon with the bfloat16 cast removed (its own code otherwise).

The problem (float64 arithmetic on float32 parameters, gradient rounded to float32):
    parameter j, element i:   p0 = float32(0.5*cos(0.9*i + 1.7*j) + 0.1*j)       (as optim_fixtures.py)
    c = 0.3*sin(1.1*i + 0.7*j), a = 1 + 0.5*cos(0.3*i + j), r = p - c
    loss = sum 0.5*a*r^2 + 0.05*r^4,  grad = a*r + 0.2*r^3
LBFGS gets a closure that sets the gradients and returns the loss; the others get the gradients
set before each step.

Usage: pip install "torch==2.13.0+cpu" numpy expecttest && python3 scripts/reference/optim_db_fixtures.py
Made with torch 2.13.0+cpu, numpy, Python 3.11.
"""
import json
import math
import os

import numpy as np
import torch
import torch.optim._muon as muon_module
from torch.testing._internal.common_optimizers import optim_db
from trajectory import init_param  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures", "optim_db.json")
STEPS = 5
NAMES = ["Adadelta", "Adafactor", "Adagrad", "Adam", "Adamax", "AdamW", "ASGD", "LBFGS", "Muon",
         "NAdam", "RAdam", "RMSprop", "Rprop", "SGD"]
SHAPES = [[4, 3], [5], [2, 3, 2]]
MUON_SHAPES = [[4, 3], [2, 5]]
# Adafactor also on a matrix wider than one 8-lane block (4 whole blocks and a tail of 5 per
# row), the path its factored update takes on real layers.
ADAFACTOR_SHAPES = SHAPES + [[3, 37]]


def newton_schulz_float32(grad, ns_coefficients, ns_steps, eps):
    """PyTorch's _zeropower_via_newtonschulz without the bfloat16 cast."""
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


muon_module._zeropower_via_newtonschulz = newton_schulz_float32


def loss_and_grad(j, p):
    """float64 loss and float32 gradient of parameter j (p: float32 array)."""
    flat = p.astype(np.float64).ravel()
    c = np.array([0.3 * math.sin(1.1 * k + 0.7 * j) for k in range(flat.size)])
    a = np.array([1 + 0.5 * math.cos(0.3 * k + j) for k in range(flat.size)])
    r = flat - c
    loss = 0.0
    for v, w in zip(r, a):  # sequential sum, as the Swift test adds
        loss += 0.5 * w * v * v + 0.05 * v * v * v * v
    grad = (a * r + 0.2 * r * r * r).astype(np.float32).reshape(p.shape)
    return loss, grad


def option_value(v):
    if isinstance(v, torch.Tensor):
        return float(v.item())
    if isinstance(v, tuple):
        return [float(x) for x in v]
    return v


def run(cls, kwargs, shapes):
    params = [torch.nn.Parameter(torch.from_numpy(init_param(j, sh).copy())) for j, sh in enumerate(shapes)]
    opt = cls(params, **kwargs)
    traj, losses = [], []

    def set_grads():
        total = 0.0
        for j, p in enumerate(params):
            loss, grad = loss_and_grad(j, p.detach().numpy())
            total += loss
            p.grad = torch.from_numpy(grad.copy())
        return total

    for _ in range(STEPS):
        if cls is torch.optim.LBFGS:
            losses.append(float(opt.step(set_grads)))
        else:
            set_grads()
            opt.step()
        traj.append([[float(f"{x:.9g}") for x in p.detach().numpy().ravel().tolist()] for p in params])
    extra = {}
    if cls is torch.optim.LBFGS:
        st = opt.state[params[0]]
        extra = dict(losses=losses, n_iter=int(st["n_iter"]), func_evals=int(st["func_evals"]))
    return traj, extra


def rosenbrock():
    """LBFGS with strong Wolfe from (-1.5, 2) on (1 - x)^2 + 100 (y - x^2)^2 (float32 autograd)."""
    x = torch.tensor([-1.5, 2.0], requires_grad=True)
    opt = torch.optim.LBFGS([x], lr=1, max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
        loss.backward()
        return loss

    opt.step(closure)
    st = opt.state[x]
    return dict(start=[-1.5, 2.0], max_iter=200, n_iter=int(st["n_iter"]), func_evals=int(st["func_evals"]),
                x=[float(v) for v in x.detach().tolist()])


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    configs, skipped = [], []
    for info in optim_db:
        name = info.optim_cls.__name__
        if name not in NAMES:
            continue
        for inp in info.optim_inputs_func(device="cpu"):
            kwargs = {k: option_value(v) for k, v in inp.kwargs.items()}
            unsupported = [k for k in kwargs if k in ("foreach", "fused", "capturable", "differentiable")]
            if inp.params is not None:
                skipped.append(dict(name=f"{name}/{inp.desc}", reason="custom parameter list"))
                continue
            shapes = MUON_SHAPES if name == "Muon" else ADAFACTOR_SHAPES if name == "Adafactor" else SHAPES
            torch_kwargs = {k: v for k, v in inp.kwargs.items() if k not in unsupported}
            traj, extra = run(info.optim_cls, torch_kwargs, shapes)
            configs.append(dict(name=f"{name}/{inp.desc}", optimizer=name,
                                options={k: v for k, v in kwargs.items() if k not in unsupported},
                                shapes=shapes, trajectory=traj, **extra))
    data = dict(source=f"torch {torch.__version__} optim_db (scripts/reference/optim_db_fixtures.py)",
                steps=STEPS, configs=configs, skipped=skipped, rosenbrock=rosenbrock())
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"))
    print(f"wrote {len(configs)} configurations ({len(skipped)} skipped) to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
