#!/usr/bin/env python3
"""Generates Tests/OptimTests/Fixtures/optax_parity.json: the research-frontier optimizers whose
reference is optax 0.2.8 (core: adabelief, adan, lamb, lars, yogi, novograd, sign_sgd, signum;
contrib: ademamix, adopt, madgrad, schedule_free_adamw, schedule_free_sgd, prodigy,
dadapt_adamw), run in float64 (jax_enable_x64) from float32 starting values and gradients.

Each case gives descent's build name and options (PyTorch's names for shared concepts: lr,
betas, eps, weight_decay, momentum, nesterov); `OPTAX` below maps them to optax's arguments.
descent-only options (weight_decay on adabelief, yogi, adopt, sign_sgd and signum: optax's add_decayed_weights
after the scaling, as optax.adamw builds it) are chained here the same way.

Parameters and gradients follow the formulas of optim_fixtures.py (libm sin/cos), rebuilt by the
Swift tests:
    param j, element i:          p = float32(0.5*cos(0.9*i + 1.7*j) + 0.1*j)
    grad at step s (1-based):    g = float32(sin(0.37*s + 0.61*i + 1.3*j) * (1.5 + cos(0.5*s)) * (1 + 0.5*j))
The trajectory holds every parameter after every step; for schedule-free optimizers it is the
evaluation point x (optax.contrib.schedule_free_eval_params), which the tests compare after
opt:eval().

Usage:  pip install optax==0.2.8 jax && python3 scripts/reference/optax_fixtures.py
"""
import json
import os

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
import optax.contrib as oc  # noqa: E402
from trajectory import init_param, grad_at  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures", "optax_parity.json")
STEPS = 12
SHAPES = [[3, 4], [5]]


def with_decay(inner, o, lr):
    """descent's weight_decay for optimizers whose optax alias has none: u + λθ, then × −lr."""
    parts = [inner]
    if o.get("weight_decay", 0):
        parts.append(optax.add_decayed_weights(o["weight_decay"]))
    parts.append(optax.scale_by_learning_rate(lr))
    return optax.chain(*parts)


def build(name, o):
    b = o.get("betas")
    if name == "adabelief":
        lr = o.get("lr", 1e-3)
        b1, b2 = b or (0.9, 0.999)
        return with_decay(optax.scale_by_belief(b1, b2, o.get("eps", 1e-16), o.get("eps_root", 1e-16),
                                                nesterov=o.get("nesterov", False)), o, lr)
    if name == "adan":
        b1, b2, b3 = b or (0.98, 0.92, 0.99)
        return optax.adan(o.get("lr", 1e-3), b1, b2, b3, o.get("eps", 1e-8), o.get("eps_root", 1e-8),
                          o.get("weight_decay", 0.0))
    if name == "lamb":
        b1, b2 = b or (0.9, 0.999)
        return optax.lamb(o.get("lr", 1e-3), b1, b2, o.get("eps", 1e-6), o.get("eps_root", 0.0), o.get("weight_decay", 0.0))
    if name == "lars":
        return optax.lars(o.get("lr", 1.0), o.get("weight_decay", 0.0), trust_coefficient=o.get("trust_coefficient", 1e-3),
                          eps=o.get("eps", 0.0), momentum=o.get("momentum", 0.9), nesterov=o.get("nesterov", False))
    if name == "yogi":
        b1, b2 = b or (0.9, 0.999)
        return with_decay(optax.scale_by_yogi(b1, b2, o.get("eps", 1e-3),
                                              initial_accumulator_value=o.get("initial_accumulator_value", 1e-6)),
                          o, o.get("lr", 1e-2))
    if name == "novograd":
        b1, b2 = b or (0.9, 0.25)
        return optax.novograd(o.get("lr", 1e-3), b1, b2, o.get("eps", 1e-6), o.get("eps_root", 0.0), o.get("weight_decay", 0.0))
    if name == "sign_sgd":
        if o.get("weight_decay", 0):
            return with_decay(optax.scale_by_sign(), o, o.get("lr", 1e-3))
        return optax.sign_sgd(o.get("lr", 1e-3))
    if name == "signum":
        if o.get("weight_decay", 0):
            return with_decay(optax.chain(optax.ema(o.get("momentum", 0.9), debias=False), optax.scale_by_sign()),
                              o, o.get("lr", 1e-3))
        return optax.signum(o.get("lr", 1e-3), o.get("momentum", 0.9))
    if name == "ademamix":
        b1, b2, b3 = b or (0.9, 0.999, 0.9999)
        return oc.ademamix(o.get("lr", 1e-3), b1, b2, b3, o.get("alpha", 5.0), o.get("eps", 1e-8), o.get("eps_root", 0.0),
                           weight_decay=o.get("weight_decay", 0.0))
    if name == "adopt":
        b1, b2 = b or (0.9, 0.9999)
        return with_decay(oc._adopt.scale_by_adopt(b1, b2, o.get("eps", 1e-6), nesterov=o.get("nesterov", False),
                                                    use_clipping=o.get("use_clipping", True)), o, o.get("lr", 1e-3))
    if name == "madgrad":
        return oc.madgrad(o.get("lr", 1e-2), o.get("momentum", 0.9), o.get("weight_decay", 0.0), o.get("eps", 1e-6))
    if name == "schedule_free_adamw":
        b1, b2 = b or (0.9, 0.999)
        w = o.get("warmup_steps", 0)
        return oc.schedule_free_adamw(o.get("lr", 2.5e-3), w if w > 0 else None, b1, b2, o.get("eps", 1e-8),
                                      o.get("weight_decay", 0.0), o.get("weight_lr_power", 2.0))
    if name == "schedule_free_sgd":
        w = o.get("warmup_steps", 0)
        return oc.schedule_free_sgd(o.get("lr", 1.0), w if w > 0 else None, o.get("momentum", 0.9),
                                    o.get("weight_decay") or None, o.get("weight_lr_power", 2.0))
    if name == "prodigy":
        b1, b2 = b or (0.9, 0.999)
        beta3 = o.get("beta3", -1)
        return oc.prodigy(o.get("lr", 1.0), (b1, b2), None if beta3 < 0 else beta3, o.get("eps", 1e-8),
                          o.get("estim_lr0", 1e-6), o.get("estim_lr_coef", 1.0), o.get("weight_decay", 0.0),
                          o.get("safeguard_warmup", False))
    if name == "dadapt_adamw":
        b1, b2 = b or (0.9, 0.999)
        return oc.dadapt_adamw(o.get("lr", 1.0), (b1, b2), o.get("eps", 1e-8), o.get("estim_lr0", 1e-6), o.get("weight_decay", 0.0))
    raise ValueError(name)


CASES = [
    ("adabelief", {}), ("adabelief", {"weight_decay": 0.1, "nesterov": True, "lr": 1e-2}),
    ("adan", {}), ("adan", {"weight_decay": 0.02, "lr": 1e-2, "betas": [0.9, 0.9, 0.95]}),
    ("lamb", {}), ("lamb", {"weight_decay": 0.01, "lr": 1e-2}),
    ("lars", {}), ("lars", {"weight_decay": 1e-2, "nesterov": True, "trust_coefficient": 0.02}),
    ("yogi", {}), ("yogi", {"weight_decay": 0.1, "eps": 1e-4}),
    ("novograd", {}), ("novograd", {"weight_decay": 0.1, "lr": 1e-2}),
    ("sign_sgd", {}), ("sign_sgd", {"lr": 0.05}), ("sign_sgd", {"lr": 0.01, "weight_decay": 0.5}),
    ("signum", {}), ("signum", {"momentum": 0.5, "lr": 0.02}), ("signum", {"weight_decay": 0.5, "lr": 0.01}),
    ("ademamix", {}), ("ademamix", {"weight_decay": 0.1, "alpha": 8.0, "betas": [0.8, 0.99, 0.999]}),
    ("adopt", {}), ("adopt", {"weight_decay": 0.1, "nesterov": True}), ("adopt", {"use_clipping": False}),
    ("madgrad", {}), ("madgrad", {"weight_decay": 0.1, "momentum": 0.5}),
    ("schedule_free_adamw", {}), ("schedule_free_adamw", {"weight_decay": 0.1, "warmup_steps": 5, "lr": 0.01}),
    ("schedule_free_sgd", {"lr": 0.1}), ("schedule_free_sgd", {"lr": 0.1, "weight_decay": 0.1, "warmup_steps": 4, "momentum": 0.8}),
    ("prodigy", {}), ("prodigy", {"weight_decay": 0.1, "safeguard_warmup": True, "estim_lr0": 1e-3}),
    ("prodigy", {"estim_lr0": 1e-2, "beta3": 0.9, "lr": 0.5}),
    ("dadapt_adamw", {}), ("dadapt_adamw", {"weight_decay": 0.1, "estim_lr0": 1e-3}),
]


def run(name, o):
    params = [jnp.asarray(init_param(j, sh), dtype=jnp.float64) for j, sh in enumerate(SHAPES)]
    tx = build(name, o)
    state = tx.init(params)
    traj = []
    for s in range(1, STEPS + 1):
        grads = [jnp.asarray(grad_at(s, j, sh), dtype=jnp.float64) for j, sh in enumerate(SHAPES)]
        updates, state = tx.update(grads, state, params)
        params = optax.apply_updates(params, updates)
        shown = params
        if name.startswith("schedule_free"):
            shown = oc.schedule_free_eval_params(state, params)
        traj.append([np.asarray(p, dtype=np.float64).ravel().tolist() for p in shown])
    return traj


def main():
    cases, counts = [], {}
    only = os.environ.get("ONLY")
    for name, o in CASES:
        if only and name not in only.split(","):
            continue
        counts[name] = counts.get(name, 0) + 1
        traj = run(name, o)
        cases.append(dict(name=f"{name}_{counts[name]}", optimizer=name, options=o, shapes=SHAPES,
                          trajectory=[[[float("%.9g" % x) for x in p] for p in step] for step in traj],
                          source="optax " + optax.__version__))
    with open(OUT, "w") as f:
        json.dump(dict(steps=STEPS, cases=cases), f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
