#!/usr/bin/env python3
"""Generates Tests/OptimTests/Fixtures/schedulers.json: PyTorch's learning-rate schedules over 200 epochs.

For every case: the optimizer's rates (and, for CyclicLR, the momentum or beta1 of each group)
right after the scheduler is built and after each of EPOCHS scheduler steps. ReduceLROnPlateau
is stepped with the metric m(e) = 1/(1 + 0.05 e) + 0.02 sin(0.7 e) (libm sin, as the Swift test),
e = 1, 2, ... Plain float64 Python, as torch.optim.lr_scheduler computes.

Usage: pip install "torch==2.13.0+cpu" && python3 scripts/reference/scheduler_fixtures.py
Made with torch 2.13.0+cpu, Python 3.11.
"""
import json
import math
import os
import warnings

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures", "schedulers.json")
EPOCHS = 200
S = torch.optim.lr_scheduler


def metric(e):
    return 1 / (1 + 0.05 * e) + 0.02 * math.sin(0.7 * e)


def make(opt, spec):
    t = spec["type"]
    kw = {k: v for k, v in spec.items() if k not in ("type", "schedulers")}
    if t == "SequentialLR":
        return S.SequentialLR(opt, [make(opt, c) for c in spec["schedulers"]], milestones=spec["milestones"])
    if t == "ChainedScheduler":
        return S.ChainedScheduler([make(opt, c) for c in spec["schedulers"]])
    return getattr(S, t)(opt, **kw)


CASES = [
    dict(name="multistep", optimizer="sgd", options=dict(lr=0.1), groups=[0.1],
         scheduler=dict(type="MultiStepLR", milestones=[30, 80, 80, 150], gamma=0.5)),
    dict(name="constant", optimizer="sgd", options=dict(lr=0.1), groups=[0.1, 0.02],
         scheduler=dict(type="ConstantLR", factor=0.25, total_iters=40)),
    dict(name="constant_default", optimizer="adam", options=dict(lr=0.01), groups=[0.01],
         scheduler=dict(type="ConstantLR")),
    dict(name="polynomial", optimizer="sgd", options=dict(lr=0.1), groups=[0.1, 0.05],
         scheduler=dict(type="PolynomialLR", total_iters=150, power=2.0)),
    dict(name="polynomial_default", optimizer="sgd", options=dict(lr=0.1), groups=[0.1],
         scheduler=dict(type="PolynomialLR")),
    dict(name="warm_restarts_mult2", optimizer="sgd", options=dict(lr=0.1), groups=[0.1, 0.3],
         scheduler=dict(type="CosineAnnealingWarmRestarts", T_0=10, T_mult=2, eta_min=1e-4)),
    dict(name="warm_restarts", optimizer="adam", options=dict(lr=0.01), groups=[0.01],
         scheduler=dict(type="CosineAnnealingWarmRestarts", T_0=17)),
    dict(name="cyclic_triangular_momentum", optimizer="sgd", options=dict(lr=0.1, momentum=0.9), groups=[0.1],
         scheduler=dict(type="CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=20, step_size_down=30)),
    dict(name="cyclic_triangular2_adam_groups", optimizer="adam", options=dict(lr=0.01), groups=[0.01, 0.02],
         scheduler=dict(type="CyclicLR", base_lr=[0.001, 0.002], max_lr=[0.01, 0.03], step_size_up=15,
                        mode="triangular2", base_momentum=0.85, max_momentum=0.95)),
    dict(name="cyclic_exp_range", optimizer="sgd", options=dict(lr=0.1, momentum=0.9), groups=[0.1],
         scheduler=dict(type="CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=10, mode="exp_range",
                        gamma=0.99, cycle_momentum=False)),
    dict(name="plateau_min_rel", optimizer="sgd", options=dict(lr=0.1), groups=[0.1, 0.01],
         scheduler=dict(type="ReduceLROnPlateau", factor=0.5, patience=3, cooldown=2, min_lr=1e-3)),
    dict(name="plateau_max_abs", optimizer="adam", options=dict(lr=0.01), groups=[0.01],
         scheduler=dict(type="ReduceLROnPlateau", mode="max", threshold_mode="abs", threshold=0.001, patience=2,
                        factor=0.7, min_lr=[1e-4])),
    dict(name="chained_constant_exponential", optimizer="sgd", options=dict(lr=0.1), groups=[0.1],
         scheduler=dict(type="ChainedScheduler", schedulers=[dict(type="ConstantLR", factor=0.1, total_iters=10),
                                                              dict(type="ExponentialLR", gamma=0.98)])),
    dict(name="chained_linear_multistep", optimizer="sgd", options=dict(lr=0.1, momentum=0.9), groups=[0.1, 0.05],
         scheduler=dict(type="ChainedScheduler", schedulers=[dict(type="LinearLR", start_factor=0.2, total_iters=25),
                                                              dict(type="MultiStepLR", milestones=[60, 120], gamma=0.3)])),
    dict(name="sequential_linear_cosine", optimizer="sgd", options=dict(lr=0.1), groups=[0.1],
         scheduler=dict(type="SequentialLR", milestones=[10], schedulers=[
             dict(type="LinearLR", start_factor=0.1, total_iters=10), dict(type="CosineAnnealingLR", T_max=190)])),
    dict(name="sequential_constant_restarts", optimizer="sgd", options=dict(lr=0.1), groups=[0.1],
         scheduler=dict(type="SequentialLR", milestones=[20], schedulers=[
             dict(type="ConstantLR", factor=0.5, total_iters=20), dict(type="CosineAnnealingWarmRestarts", T_0=30)])),
    dict(name="sequential_polynomial_multistep", optimizer="sgd", options=dict(lr=0.1), groups=[0.1, 0.2],
         scheduler=dict(type="SequentialLR", milestones=[50], schedulers=[
             dict(type="PolynomialLR", total_iters=40, power=0.5), dict(type="MultiStepLR", milestones=[20, 70])])),
]


def run(case):
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in case["groups"]]
    groups = [dict(params=[p], lr=lr) for p, lr in zip(params, case["groups"])]
    opts = {k: v for k, v in case["options"].items() if k != "lr"}
    cls = dict(sgd=torch.optim.SGD, adam=torch.optim.Adam)[case["optimizer"]]
    opt = cls(groups, **opts)
    sched = make(opt, case["scheduler"])
    cycle = case["scheduler"]["type"] == "CyclicLR" and case["scheduler"].get("cycle_momentum", True)

    def snapshot():
        lrs = [float(g["lr"]) for g in opt.param_groups]
        mom = [float(g["betas"][0] if "betas" in g else g["momentum"]) for g in opt.param_groups] if cycle else None
        return lrs, mom

    lrs, moms = [], []
    for e in range(EPOCHS + 1):
        if e > 0:
            opt.step()
            if isinstance(sched, S.ReduceLROnPlateau):
                sched.step(metric(e))
            else:
                sched.step()
        lr, m = snapshot()
        lrs.append(lr)
        if m is not None:
            moms.append(m)
    out = dict(case, lrs=lrs)
    if cycle:
        out["momentum"] = moms
    return out


def main():
    warnings.simplefilter("ignore")
    cases = [run(c) for c in CASES]
    with open(OUT, "w") as f:
        json.dump(dict(source=f"torch {torch.__version__} (scripts/reference/scheduler_fixtures.py)", epochs=EPOCHS,
                       cases=cases), f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
