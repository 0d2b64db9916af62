#!/usr/bin/env python3
"""Generates Tests/OptimTests/Fixtures/wrapper_parity.json: the optimizer wrappers
`optim.lookahead` and `optim.ema`, and `sam` and `sophia`, in float64 from float32 starting values.

- lookahead: pytorch-optimizer 4.1.0's `Lookahead` (k = sync_period, alpha = slow_step_size)
  around torch.optim's AdamW / SGD, and, for every case, optax 0.2.8's `optax.lookahead`
  around the same inner update (optax.adamw / optax.sgd with PyTorch's hyperparameters), whose
  fast parameters must agree within 1e-9 (the script asserts it). `reset_state = true` is
  optax's; with SGD + momentum it equals pytorch-optimizer's `pullback_momentum = "reset"`
  (the only state is the momentum buffer), which is asserted too. A StepLR case checks that a
  scheduler acts on the inner optimizer's learning rate.
- ema: torch.optim's SGD / Adam stepping the parameters, and optax 0.2.8's `optax.ema(decay,
  debias)` fed the parameters after every step; the fixture holds the parameters and the
  (debiased) average, which the tests compare after opt:eval().
- sophia: optax 0.2.8's `optax.contrib.sophia` with a `hessian_diagonal_fn` that is optax's
  Hutchinson estimator (r ⊙ H·r by jax.jvp of jax.grad of the objective) fed probe vectors from
  the formula below instead of jax.random, so descent (whose `Sophia(probe:)` takes the same
  formula) sees the same probes; objective: SAM's plus 0.3·(Σθ₀)(Σθ₁) + 0.2·(Σθ₁)² (coupled,
  so r ⊙ H·r depends on the probes):
      probe at Hessian update n (0-based), parameter j, element i: sign of sin(1.3*n + 0.7*j + 2.1*i + 0.4) (+1 at 0)
- sam: pytorch-optimizer 4.1.0's `SAM(params, base, rho, adaptive, ...)` (foreach=False), the
  loss L(θ) = Σ 0.125·θ⁴ + c_s·θ at step s (c_s: the gradient formula below), its gradient
  0.5·θ³ + c_s, the first gradient computed before `step(closure)` as pytorch-optimizer expects.

Parameters follow the formulas of optim_fixtures.py (libm sin/cos), rebuilt by the Swift tests:
    param j, element i:          p = float32(0.5*cos(0.9*i + 1.7*j) + 0.1*j)
    grad at step s (1-based):    g = float32(sin(0.37*s + 0.61*i + 1.3*j) * (1.5 + cos(0.5*s)) * (1 + 0.5*j))

Usage:  pip install "torch==2.13.0+cpu" "pytorch-optimizer==4.1.0" optax==0.2.8 jax
        python3 scripts/reference/wrapper_fixtures.py
"""
import importlib.metadata
import json
import math
import os

import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
import pytorch_optimizer  # noqa: E402
import torch  # noqa: E402
from trajectory import init_param, grad_at  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "OptimTests", "Fixtures", "wrapper_parity.json")
STEPS = 12
SHAPES = [[3, 4], [5]]


def torch_params():
    return [torch.nn.Parameter(torch.from_numpy(init_param(j, sh).astype(np.float64))) for j, sh in enumerate(SHAPES)]


def torch_inner(name, params, o):
    if name == "adamw":
        return torch.optim.AdamW(params, lr=o.get("lr", 1e-3), weight_decay=o.get("weight_decay", 1e-2))
    if name == "adam":
        return torch.optim.Adam(params, lr=o.get("lr", 1e-3))
    return torch.optim.SGD(params, lr=o.get("lr", 1e-3), momentum=o.get("momentum", 0.0))


def optax_inner(name, o):
    if name == "adamw":
        return optax.adamw(o.get("lr", 1e-3), b1=0.9, b2=0.999, eps=1e-8, weight_decay=o.get("weight_decay", 1e-2))
    if name == "adam":
        return optax.adam(o.get("lr", 1e-3), b1=0.9, b2=0.999, eps=1e-8)
    m = o.get("momentum", 0.0)
    return optax.sgd(o.get("lr", 1e-3), momentum=m if m else None)


def flat(ts):
    return [[float("%.12g" % x) for x in np.asarray(t, dtype=np.float64).ravel()] for t in ts]


LOOKAHEAD = [
    dict(inner="adamw", inner_options={"lr": 0.01}, options={}),
    dict(inner="adamw", inner_options={"lr": 0.01, "weight_decay": 0.1}, options={"sync_period": 3, "slow_step_size": 0.8}),
    dict(inner="sgd", inner_options={"lr": 0.05, "momentum": 0.9}, options={"sync_period": 4, "slow_step_size": 0.3, "reset_state": True}),
    dict(inner="sgd", inner_options={"lr": 0.05}, options={"sync_period": 2, "slow_step_size": 0.5},
         scheduler={"type": "StepLR", "step_size": 3, "gamma": 0.5}),
]


def run_lookahead(case):
    o, w = case["inner_options"], case["options"]
    k, alpha = w.get("sync_period", 5), w.get("slow_step_size", 0.5)
    reset = w.get("reset_state", False)
    params = torch_params()
    inner = torch_inner(case["inner"], params, o)
    opt = pytorch_optimizer.Lookahead(inner, k=k, alpha=alpha, pullback_momentum="reset" if reset else "none")
    sched = None
    if case.get("scheduler"):
        s = case["scheduler"]
        sched = torch.optim.lr_scheduler.StepLR(inner, step_size=s["step_size"], gamma=s["gamma"])
    traj, slow = [], []
    for s in range(1, STEPS + 1):
        for j, p in enumerate(params):
            p.grad = torch.from_numpy(grad_at(s, j, SHAPES[j]).astype(np.float64))
        opt.step()
        if sched:
            sched.step()
        traj.append(flat([p.detach().numpy() for p in params]))
        slow.append(flat([opt.state[p]["slow_params"].numpy() for p in params]))
    # optax.lookahead over the same inner update (no scheduler in optax's run: a StepLR case is
    # checked against pytorch-optimizer only).
    if not case.get("scheduler"):
        la = optax.lookahead(optax_inner(case["inner"], o), sync_period=k, slow_step_size=alpha, reset_state=reset)
        ps = optax.LookaheadParams.init_synced([jnp.asarray(init_param(j, sh), dtype=jnp.float64) for j, sh in enumerate(SHAPES)])
        state = la.init(ps)
        for s in range(1, STEPS + 1):
            g = [jnp.asarray(grad_at(s, j, sh), dtype=jnp.float64) for j, sh in enumerate(SHAPES)]
            u, state = la.update(g, state, ps)
            ps = optax.apply_updates(ps, u)
            for j in range(len(SHAPES)):
                assert np.max(np.abs(np.asarray(ps.fast[j]).ravel() - np.array(traj[s - 1][j]))) < 1e-9, ("optax fast", case, s)
                assert np.max(np.abs(np.asarray(ps.slow[j]).ravel() - np.array(slow[s - 1][j]))) < 1e-9, ("optax slow", case, s)
    return traj, slow


EMA = [
    dict(inner="sgd", inner_options={"lr": 0.1, "momentum": 0.9}, options={"decay": 0.9}),
    dict(inner="adam", inner_options={"lr": 0.01}, options={"decay": 0.8, "debias": False}),
    dict(inner="adamw", inner_options={"lr": 0.01}, options={}),
]


def run_ema(case):
    o, w = case["inner_options"], case["options"]
    params = torch_params()
    inner = torch_inner(case["inner"], params, o)
    ema = optax.ema(w.get("decay", 0.999), debias=w.get("debias", True))
    state = ema.init([jnp.zeros(sh, dtype=jnp.float64) for sh in SHAPES])
    traj, avg = [], []
    for s in range(1, STEPS + 1):
        for j, p in enumerate(params):
            p.grad = torch.from_numpy(grad_at(s, j, SHAPES[j]).astype(np.float64))
        inner.step()
        e, state = ema.update([jnp.asarray(p.detach().numpy()) for p in params], state)
        traj.append(flat([p.detach().numpy() for p in params]))
        avg.append(flat([np.asarray(x) for x in e]))
    return traj, avg


SAM = [
    dict(options={"lr": 0.05}),
    dict(options={"base": "adamw", "lr": 0.01, "rho": 0.1, "adaptive": True}),
    dict(options={"base": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "rho": 0.2}),
    dict(options={"base": "adam", "lr": 0.01, "rho": 0.05}, groups=[{"params": [0]}, {"params": [1], "rho": 0.5, "adaptive": True}]),
    dict(options={"lr": 0.05, "rho": 0.3, "use_gc": True}),
]


def run_sam(case):
    o = dict(case["options"])
    base = {"sgd": torch.optim.SGD, "adamw": torch.optim.AdamW, "adam": torch.optim.Adam}[o.pop("base", "sgd")]
    rho, adaptive, use_gc = o.pop("rho", 0.05), o.pop("adaptive", False), o.pop("use_gc", False)
    if base is torch.optim.SGD:
        o.setdefault("lr", 1e-3)
    params = torch_params()
    if case.get("groups"):
        groups = []
        for g in case["groups"]:
            extra = {k: v for k, v in g.items() if k != "params"}
            groups.append(dict(params=[params[i] for i in g["params"]], **extra))
        opt = pytorch_optimizer.SAM(groups, base, rho=rho, adaptive=adaptive, use_gc=use_gc, foreach=False, **o)
    else:
        opt = pytorch_optimizer.SAM(params, base, rho=rho, adaptive=adaptive, use_gc=use_gc, foreach=False, **o)
    traj, losses = [], []
    for s in range(1, STEPS + 1):
        c = [torch.from_numpy(grad_at(s, j, SHAPES[j]).astype(np.float64)) for j in range(len(SHAPES))]

        def closure():
            opt.zero_grad()
            loss = sum((0.125 * p ** 4 + ci * p).sum() for p, ci in zip(params, c))
            loss.backward()
            return loss

        losses.append(float(closure().detach()))
        opt.step(closure)
        traj.append(flat([p.detach().numpy() for p in params]))
    return traj, losses


SOPHIA = [
    dict(options={}),
    dict(options={"lr": 0.05, "weight_decay": 0.1, "update_interval": 3, "gamma": 0.05, "clip_threshold": 0.5}),
    dict(options={"lr": 0.02, "betas": [0.9, 0.5], "update_interval": 2, "weight_decay": 0.0, "eps": 1e-3,
                  "gamma": 1.0, "clip_threshold": 5.0}),
    dict(options={"lr": 0.01, "betas": [0.9, 0.0], "update_interval": 1, "gamma": 1.0, "clip_threshold": 10.0, "eps": 0.05}),
]


def probe(n, j, shape):
    size = int(np.prod(shape))
    return np.array([1.0 if math.sin(1.3 * n + 0.7 * j + 2.1 * i + 0.4) >= 0 else -1.0 for i in range(size)]).reshape(shape)


def probe_hutchinson():
    import optax.contrib  # noqa: F401
    from optax._src import base

    def init_fn(params):
        del params
        return jnp.zeros([], jnp.int32)

    # Sophia runs this inside lax.cond, so the update number is traced: index a table.
    tables = [jnp.asarray(np.stack([probe(n, j, sh) for n in range(STEPS + 1)])) for j, sh in enumerate(SHAPES)]

    def update_fn(updates, state, params=None, obj_fn=None, **extra):
        r = [t[state] for t in tables]
        hvp = jax.jvp(jax.grad(obj_fn), (params,), (r,))[1]
        return [h * v for h, v in zip(hvp, r)], state + 1

    return base.GradientTransformationExtraArgs(init_fn, update_fn)


def run_sophia(case):
    o = case["options"]
    b1, b2 = o.get("betas", [0.965, 0.99])
    opt = optax.contrib.sophia(o.get("lr", 1e-3), b1=b1, b2=b2, eps=o.get("eps", 1e-8),
                               weight_decay=o.get("weight_decay", 1e-4), gamma=o.get("gamma", 0.01),
                               clip_threshold=o.get("clip_threshold", 1.0), update_interval=o.get("update_interval", 10),
                               hessian_diagonal_fn=probe_hutchinson())
    params = [jnp.asarray(init_param(j, sh), dtype=jnp.float64) for j, sh in enumerate(SHAPES)]
    state = opt.init(params)
    traj, losses = [], []
    for s in range(1, STEPS + 1):
        c = [jnp.asarray(grad_at(s, j, sh), dtype=jnp.float64) for j, sh in enumerate(SHAPES)]

        def obj(ps, c=c):
            # Coupled (non-separable), so r ⊙ H·r depends on the probes.
            s0, s1 = jnp.sum(ps[0]), jnp.sum(ps[1])
            return sum(jnp.sum(0.125 * p ** 4 + ci * p) for p, ci in zip(ps, c)) + 0.3 * s0 * s1 + 0.2 * s1 * s1

        loss, grads = jax.value_and_grad(obj)(params)
        losses.append(float(loss))
        updates, state = opt.update(grads, state, params, obj_fn=obj)
        params = optax.apply_updates(params, updates)
        traj.append(flat(params))
    return traj, losses


def main():
    popt = "pytorch-optimizer " + importlib.metadata.version("pytorch-optimizer")
    ox = "optax " + importlib.metadata.version("optax")
    cases = []
    for k, c in enumerate(LOOKAHEAD, 1):
        traj, slow = run_lookahead(c)
        cases.append(dict(name=f"lookahead_{k}", kind="lookahead", **c, trajectory=traj, slow=slow,
                          source=f"{popt} Lookahead; {ox} lookahead agrees"))
    for k, c in enumerate(EMA, 1):
        traj, avg = run_ema(c)
        cases.append(dict(name=f"ema_{k}", kind="ema", **c, trajectory=traj, average=avg,
                          source=f"torch {torch.__version__} + {ox} ema"))
    for k, c in enumerate(SAM, 1):
        traj, losses = run_sam(c)
        cases.append(dict(name=f"sam_{k}", kind="sam", inner="sam", inner_options=c["options"], options={},
                          groups=c.get("groups"), trajectory=traj, losses=losses, source=f"{popt} SAM"))
    for k, c in enumerate(SOPHIA, 1):
        traj, losses = run_sophia(c)
        cases.append(dict(name=f"sophia_{k}", kind="sophia", inner="sophia", inner_options=c["options"], options={},
                          trajectory=traj, losses=losses, source=f"{ox} contrib.sophia (formula probes)"))
    with open(OUT, "w") as f:
        json.dump(dict(steps=STEPS, shapes=SHAPES, cases=cases), f, separators=(",", ":"))
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
