#!/usr/bin/env python3
"""Generates the optimizer and scheduler parity fixtures in Tests/OptimTests/Fixtures/.

PyTorch (single-tensor code paths, foreach=False) is the reference for everything it implements;
Adam's eps_mode / bias_correction switches and Lion, which PyTorch lacks, are computed here in
float64 numpy from the equations in optimizer-semantics.md.

Parameters and gradients are pseudo-random but defined by formulas (math.sin/cos, i.e. libm, as
in the Swift tests) so that the tests rebuild them without any stored tensors:
    param j, element i:          p = float32(0.5*cos(0.9*i + 1.7*j) + 0.1*j)
    grad at step s (1-based):    g = float32(sin(0.37*s + 0.61*i + 1.3*j) * (1.5 + cos(0.5*s)) * (1 + 0.5*j))

Usage:  pip install "torch==2.13.0+cpu" numpy && python3 scripts/reference/optim_fixtures.py
"""
import json
import math
import os

import numpy as np
import torch
from trajectory import init_param, grad_at  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures")
STEPS = 16


def has_grad(case, s, j):
    return j not in case.get("frozen", []) and s not in case.get("skip", {}).get(str(j), [])


def torch_options(name, options):
    out = {}
    for k, v in options.items():
        out[k] = tuple(v) if isinstance(v, list) else v
    return out


TORCH_OPT = {
    "sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
    "nadam": torch.optim.NAdam, "radam": torch.optim.RAdam, "adagrad": torch.optim.Adagrad,
    "rmsprop": torch.optim.RMSprop, "adamax": torch.optim.Adamax,
}


def make_scheduler(opt, spec):
    t = spec["type"]
    S = torch.optim.lr_scheduler
    if t == "StepLR":
        return S.StepLR(opt, step_size=spec["step_size"], gamma=spec["gamma"])
    if t == "ExponentialLR":
        return S.ExponentialLR(opt, gamma=spec["gamma"])
    if t == "CosineAnnealingLR":
        return S.CosineAnnealingLR(opt, T_max=spec["T_max"], eta_min=spec.get("eta_min", 0.0))
    if t == "LinearLR":
        return S.LinearLR(opt, start_factor=spec["start_factor"], end_factor=spec.get("end_factor", 1.0),
                          total_iters=spec["total_iters"])
    if t == "OneCycleLR":
        return S.OneCycleLR(opt, max_lr=spec["max_lr"], total_steps=spec["total_steps"],
                            pct_start=spec.get("pct_start", 0.3), anneal_strategy=spec.get("anneal", "cos"),
                            three_phase=spec.get("three_phase", False), cycle_momentum=spec.get("cycle_momentum", True))
    if t == "LambdaLR":
        assert spec["fn"] == "inverse"  # f(e) = 1 / (1 + e), rebuilt by the Swift test
        return S.LambdaLR(opt, lambda e: 1.0 / (1.0 + e))
    if t == "SequentialLR":
        children = [make_scheduler(opt, c) for c in spec["schedulers"]]
        return S.SequentialLR(opt, children, milestones=spec["milestones"])
    raise ValueError(t)


def run_torch(case):
    shapes = case["shapes"]
    params = [torch.nn.Parameter(torch.from_numpy(init_param(j, sh).copy())) for j, sh in enumerate(shapes)]
    name = case["optimizer"]
    options = dict(case.get("options", {}))
    cls = TORCH_OPT["adam" if name == "amsgrad" else name]
    if name == "amsgrad":
        options["amsgrad"] = True
    options = torch_options(name, options)
    if "groups" in case:
        groups = [dict(params=[params[j] for j in g["params"]], **torch_options(name, g.get("options", {})))
                  for g in case["groups"]]
    else:
        groups = params
    opt = cls(groups, foreach=False, **options)
    sched = make_scheduler(opt, case["scheduler"]) if "scheduler" in case else None
    traj, lrs = [], [[g["lr"] for g in opt.param_groups]]
    for s in range(1, STEPS + 1):
        for j, p in enumerate(params):
            p.grad = torch.from_numpy(grad_at(s, j, shapes[j]).copy()) if has_grad(case, s, j) else None
        opt.step()
        if sched is not None:
            sched.step()
            lrs.append([float(x) for x in sched.get_last_lr()])
        traj.append([p.detach().numpy().astype(np.float64).ravel().tolist() for p in params])
    case = dict(case, trajectory=traj, source="torch " + torch.__version__)
    if sched is not None:
        case["lrs"] = lrs
    return case


def run_numpy(case):
    """Adam with eps_mode / bias_correction switches, and Lion, in float64."""
    shapes = case["shapes"]
    o = case["options"]
    params = [init_param(j, sh).astype(np.float64) for j, sh in enumerate(shapes)]
    state = [dict(t=0, m=np.zeros(sh), v=np.zeros(sh), vmax=np.zeros(sh)) for sh in shapes]
    traj = []
    for s in range(1, STEPS + 1):
        for j, p in enumerate(params):
            if not has_grad(case, s, j):
                continue
            g = grad_at(s, j, shapes[j]).astype(np.float64)
            if o.get("maximize", False):
                g = -g
            st = state[j]
            st["t"] += 1
            t = st["t"]
            if case["optimizer"] == "lion":
                lr, (b1, b2), wd = o.get("lr", 1e-4), o.get("betas", [0.9, 0.99]), o.get("weight_decay", 0.0)
                p *= 1 - lr * wd
                c = b1 * st["m"] + (1 - b1) * g
                p -= lr * np.sign(c)
                st["m"] = b2 * st["m"] + (1 - b2) * g
                continue
            lr, (b1, b2), eps = o.get("lr", 1e-3), o.get("betas", [0.9, 0.999]), o.get("eps", 1e-8)
            wd = o.get("weight_decay", 0.0)
            if wd != 0:
                if o.get("decoupled_weight_decay", False):
                    p *= 1 - lr * wd
                else:
                    g = g + wd * p
            st["m"] = b1 * st["m"] + (1 - b1) * g
            st["v"] = b2 * st["v"] + (1 - b2) * g * g
            v = st["v"]
            if o.get("amsgrad", False):
                st["vmax"] = np.maximum(st["vmax"], st["v"])
                v = st["vmax"]
            bc1, bc2 = (1 - b1 ** t, 1 - b2 ** t) if o.get("bias_correction", True) else (1.0, 1.0)
            mode = o.get("eps_mode", "after_sqrt")
            if mode == "after_sqrt":
                p -= lr / bc1 * st["m"] / (np.sqrt(v) / math.sqrt(bc2) + eps)
            elif mode == "eps_hat":
                p -= lr * math.sqrt(bc2) / bc1 * st["m"] / (np.sqrt(v) + eps)
            else:
                p -= lr / bc1 * st["m"] / np.sqrt(v / bc2 + eps)
        traj.append([p.ravel().tolist() for p in params])
    return dict(case, trajectory=traj, source="numpy float64 (optimizer-semantics.md)")


SHAPES = [[2, 3], [4]]

TORCH_CASES = [
    dict(name="sgd_plain", optimizer="sgd", options=dict(lr=0.1)),
    dict(name="sgd_momentum_dampening_l2", optimizer="sgd", options=dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    dict(name="sgd_nesterov_maximize", optimizer="sgd", options=dict(lr=0.05, momentum=0.9, nesterov=True, maximize=True)),
    dict(name="sgd_momentum_skip", optimizer="sgd", options=dict(lr=0.05, momentum=0.8), skip={"1": [3, 4, 9]}),
    dict(name="adam_default", optimizer="adam", options=dict(lr=0.01)),
    dict(name="adam_l2", optimizer="adam", options=dict(lr=0.01, weight_decay=0.1)),
    dict(name="adam_decoupled", optimizer="adam", options=dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    dict(name="adam_betas_maximize", optimizer="adam", options=dict(lr=0.02, betas=[0.8, 0.95], eps=1e-6, maximize=True)),
    dict(name="adam_low_beta1_lerp", optimizer="adam", options=dict(lr=0.01, betas=[0.3, 0.9])),
    dict(name="adam_skip_zero_size", optimizer="adam", options=dict(lr=0.01), shapes=[[3], [0], [2, 2]], skip={"2": [2, 5, 6]}),
    dict(name="adamw_default", optimizer="adamw", options=dict(lr=0.01)),
    dict(name="adamw_amsgrad_maximize", optimizer="adamw", options=dict(lr=0.01, weight_decay=0.05, amsgrad=True, maximize=True)),
    dict(name="amsgrad", optimizer="amsgrad", options=dict(lr=0.02, betas=[0.8, 0.99])),
    dict(name="nadam_default", optimizer="nadam", options=dict(lr=0.01)),
    dict(name="nadam_l2", optimizer="nadam", options=dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    dict(name="nadam_decoupled", optimizer="nadam", options=dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    dict(name="radam_default", optimizer="radam", options=dict(lr=0.01)),
    dict(name="radam_l2", optimizer="radam", options=dict(lr=0.01, weight_decay=0.1, betas=[0.9, 0.99])),
    dict(name="radam_decoupled_maximize", optimizer="radam", options=dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    dict(name="adagrad_default", optimizer="adagrad", options=dict(lr=0.1)),
    dict(name="adagrad_decay_l2_init", optimizer="adagrad", options=dict(lr=0.1, lr_decay=0.05, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-8)),
    dict(name="rmsprop_default", optimizer="rmsprop", options=dict(lr=0.01)),
    dict(name="rmsprop_centered_momentum", optimizer="rmsprop", options=dict(lr=0.01, alpha=0.9, centered=True, momentum=0.9, weight_decay=0.01)),
    dict(name="rmsprop_centered_low_alpha", optimizer="rmsprop", options=dict(lr=0.01, alpha=0.4, centered=True)),
    dict(name="rmsprop_momentum_maximize", optimizer="rmsprop", options=dict(lr=0.01, momentum=0.5, maximize=True)),
    dict(name="adamax_default", optimizer="adamax", options=dict(lr=0.02)),
    dict(name="adamax_maximize", optimizer="adamax", options=dict(lr=0.02, maximize=True, eps=1e-3)),
    dict(name="adagrad_maximize", optimizer="adagrad", options=dict(lr=0.05, maximize=True)),
    dict(name="nadam_maximize_betas", optimizer="nadam", options=dict(lr=0.01, maximize=True, betas=[0.8, 0.99])),
    dict(name="adamax_l2", optimizer="adamax", options=dict(lr=0.02, weight_decay=0.05, betas=[0.85, 0.98])),
    dict(name="groups_frozen", optimizer="adam", options=dict(lr=0.01), shapes=[[2, 3], [4], [3]],
         groups=[dict(params=[0]), dict(params=[1, 2], options=dict(lr=0.05, weight_decay=0.1))], frozen=[2]),
    dict(name="sgd_groups", optimizer="sgd", options=dict(lr=0.1, momentum=0.9),
         groups=[dict(params=[1]), dict(params=[0], options=dict(lr=0.01, nesterov=True))]),
    # schedulers (each step: optimizer.step(), then scheduler.step())
    dict(name="sched_step", optimizer="sgd", options=dict(lr=0.1, momentum=0.9), scheduler=dict(type="StepLR", step_size=3, gamma=0.5)),
    dict(name="sched_exponential", optimizer="sgd", options=dict(lr=0.1), scheduler=dict(type="ExponentialLR", gamma=0.9)),
    dict(name="sched_cosine", optimizer="adam", options=dict(lr=0.05), scheduler=dict(type="CosineAnnealingLR", T_max=10, eta_min=0.001)),
    dict(name="sched_linear", optimizer="sgd", options=dict(lr=0.1), scheduler=dict(type="LinearLR", start_factor=0.25, total_iters=4)),
    dict(name="sched_onecycle_sgd", optimizer="sgd", options=dict(lr=0.1, momentum=0.9), scheduler=dict(type="OneCycleLR", max_lr=0.5, total_steps=16)),
    dict(name="sched_onecycle_adam_groups", optimizer="adam", options=dict(lr=0.01),
         groups=[dict(params=[0]), dict(params=[1], options=dict(lr=0.02))],
         scheduler=dict(type="OneCycleLR", max_lr=[0.05, 0.1], total_steps=20, pct_start=0.25)),
    dict(name="sched_onecycle_three_phase_linear", optimizer="rmsprop", options=dict(lr=0.01, momentum=0.5),
         scheduler=dict(type="OneCycleLR", max_lr=0.02, total_steps=17, anneal="linear", three_phase=True)),
    dict(name="sched_onecycle_no_momentum", optimizer="adam", options=dict(lr=0.01),
         scheduler=dict(type="OneCycleLR", max_lr=0.03, total_steps=16, anneal="linear", cycle_momentum=False)),
    dict(name="sched_lambda", optimizer="sgd", options=dict(lr=0.1), scheduler=dict(type="LambdaLR", fn="inverse")),
    dict(name="sched_sequential", optimizer="adamw", options=dict(lr=0.02),
         scheduler=dict(type="SequentialLR", milestones=[3], schedulers=[
             dict(type="LinearLR", start_factor=0.1, total_iters=3), dict(type="CosineAnnealingLR", T_max=8)])),
    dict(name="sched_sequential_three", optimizer="sgd", options=dict(lr=0.1, momentum=0.9),
         scheduler=dict(type="SequentialLR", milestones=[4, 9], schedulers=[
             dict(type="ExponentialLR", gamma=0.8), dict(type="StepLR", step_size=2, gamma=0.5),
             dict(type="LinearLR", start_factor=0.5, total_iters=3)])),
]

NUMPY_CASES = [
    dict(name="adam_eps_hat", optimizer="adam", options=dict(lr=0.01, eps=1e-3, eps_mode="eps_hat")),
    dict(name="adam_inside_sqrt", optimizer="adam", options=dict(lr=0.01, eps=1e-4, eps_mode="inside_sqrt")),
    dict(name="adam_inside_sqrt_amsgrad", optimizer="adam", options=dict(lr=0.01, eps=1e-4, eps_mode="inside_sqrt", amsgrad=True)),
    dict(name="adamw_eps_hat_no_bias_correction", optimizer="adamw", options=dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, eps=1e-3, eps_mode="eps_hat", bias_correction=False)),
    dict(name="adam_no_bias_correction", optimizer="adam", options=dict(lr=0.01, bias_correction=False, weight_decay=0.05)),
    dict(name="lion_default", optimizer="lion", options=dict(lr=1e-3)),
    dict(name="lion_wd_maximize", optimizer="lion", options=dict(lr=3e-3, betas=[0.95, 0.98], weight_decay=0.1, maximize=True), skip={"0": [4]}),
]


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for c in TORCH_CASES:
        cases.append(run_torch(dict(c, shapes=c.get("shapes", SHAPES), steps=STEPS)))
    for c in NUMPY_CASES:
        cases.append(run_numpy(dict(c, shapes=c.get("shapes", SHAPES), steps=STEPS)))
    path = os.path.join(OUT, "optim_parity.json")
    with open(path, "w") as f:
        json.dump(dict(steps=STEPS, cases=cases), f, indent=1)
    print(f"wrote {len(cases)} cases to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
