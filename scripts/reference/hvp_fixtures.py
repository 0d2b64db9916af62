#!/usr/bin/env python3
"""Generates Tests/NNTests/Fixtures/hvp.json: Hessian-vector products by double backward in
PyTorch for linear, conv2d, the activations, layer/batch norm, softmax/log_softmax,
cross-entropy, MSE and pooling, checked by Tests/NNTests/HVPFixtureTests.swift.

Each case lists its inputs (float32 values, all differentiated), a direction v per input, the
loss value and H·v per input. PyTorch computes in float64 from the float32 inputs (so the
reference carries no float32 rounding of its own); descent computes in float32 and must agree
within 1e-4 relative (to the largest |H·v| of the case). Constants (targets, labels, weights)
are part of each case's formula in both this script and the Swift test; labels here are 0-based,
descent's 1-based.

Also Tests/NNTests/Fixtures/hvp_recurrent.json: one layer of nn.RNN, nn.LSTM and nn.GRU (all
weights, biases, input and initial state differentiated), checked by the same test.

Usage:  pip install "torch==2.13.0+cpu" && python3 scripts/reference/hvp_fixtures.py [--recurrent-only]
Made with torch 2.13.0+cpu.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)


def rand(*shape, lo=-1.0, hi=1.0):
    return (torch.rand(*shape) * (hi - lo) + lo).to(torch.float32)


def const(n, scale=1.0):
    # Deterministic constants both sides rebuild: c_i = float32(scale * cos(0.7 i + 0.3)).
    return torch.tensor([scale * math.cos(0.7 * i + 0.3) for i in range(n)], dtype=torch.float32).to(torch.float64)


def case(name, inputs, loss_fn):
    xs = [x.to(torch.float64).clone().requires_grad_(True) for x in inputs]
    vs = [rand(*x.shape).to(torch.float64) for x in inputs]
    loss = loss_fn(*xs)
    grads = torch.autograd.grad(loss, xs, create_graph=True)
    dot = sum((g * v).sum() for g, v in zip(grads, vs))
    hv = torch.autograd.grad(dot, xs, allow_unused=True)
    hv = [h if h is not None else torch.zeros_like(x) for h, x in zip(hv, xs)]
    return {
        "name": name,
        "inputs": [{"shape": list(x.shape), "values": [float(v) for v in x.flatten().tolist()]} for x in inputs],
        "v": [{"shape": list(v.shape), "values": [float(f) for f in v.to(torch.float32).flatten().tolist()]} for v in vs],
        "loss": loss.item(),
        "hvp": [[float(f) for f in h.flatten().tolist()] for h in hv],
    }


def act_loss(act):
    # L = (Σ c·act(x))² + Σ d·act(x)², with c_i = cos(0.7i + 0.3), d_i = 0.5·cos(...).
    def f(x):
        a = act(x).flatten()
        c, d = const(a.numel()), const(a.numel(), 0.5)
        return (c * a).sum() ** 2 + (d * a * a).sum()
    return f


cases = []
x, W, b = rand(3, 4), rand(2, 4), rand(2)
t = const(6).reshape(3, 2)
cases.append(case("linear_mse", [x, W, b], lambda x, W, b: F.mse_loss(torch.tanh(F.linear(x, W, b)), t)))
xi, wi, bi = rand(2, 2, 5, 5), rand(3, 2, 3, 3), rand(3)
cases.append(case("conv2d", [xi, wi, bi],
                  lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1).square().mean()))
cases.append(case("conv2d_tanh_dilated", [xi, wi],
                  lambda x, w: torch.tanh(F.conv2d(x, w, dilation=2)).sum()))
a = rand(2, 5)
cases.append(case("relu", [a], act_loss(torch.relu)))
cases.append(case("gelu", [a], act_loss(F.gelu)))
cases.append(case("tanh", [a], act_loss(torch.tanh)))
cases.append(case("sigmoid", [a], act_loss(torch.sigmoid)))
cases.append(case("softmax", [rand(3, 4)], lambda x: (torch.softmax(x, 1).flatten() * const(12)).sum()))
cases.append(case("log_softmax", [rand(3, 4)], lambda x: (torch.log_softmax(x, 1).flatten() * const(12)).square().sum()))
xl, wl, bl = rand(3, 5), rand(5, lo=0.5, hi=1.5), rand(5)
cases.append(case("layer_norm", [xl, wl, bl],
                  lambda x, w, b: (F.layer_norm(x, [5], w, b).flatten() * const(15)).square().sum()))
xb, wb, bb = rand(4, 2, 3, 3), rand(2, lo=0.5, hi=1.5), rand(2)
cases.append(case("batch_norm", [xb, wb, bb],
                  lambda x, w, b: (F.batch_norm(x, None, None, w, b, training=True).flatten() * const(72)).square().sum()))
labels = torch.tensor([0, 2, 1, 2])
logits, Wc = rand(4, 3), rand(3, 3)
cases.append(case("cross_entropy", [logits], lambda z: F.cross_entropy(z, labels)))
cases.append(case("cross_entropy_linear_weighted_smoothed", [logits, Wc],
                  lambda z, w: F.cross_entropy(z @ w.T, labels, weight=torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64),
                                               label_smoothing=0.1)))
p, q = rand(6), rand(6)
cases.append(case("mse", [p, q], lambda p, q: F.mse_loss(torch.sin(p), q)))
cases.append(case("max_pool2d", [xi], lambda x: F.max_pool2d(x, 2).square().sum()))
cases.append(case("avg_pool2d", [xi], lambda x: F.avg_pool2d(x, 3, stride=2, padding=1).square().sum()))



def recurrent_loss(module_cls, with_cell):
    # One layer of nn.RNN/LSTM/GRU (T = 3, B = 2, I = 3, H = 2) on the inputs x, w_ih, w_hh,
    # b_ih, b_hh, h0 (and c0); L = Σ (c·out)², c_i = cos(0.7i + 0.3) over the flattened output.
    module = module_cls(3, 2).double()

    def f(x, w_ih, w_hh, b_ih, b_hh, h0, c0=None):
        params = {"weight_ih_l0": w_ih, "weight_hh_l0": w_hh, "bias_ih_l0": b_ih, "bias_hh_l0": b_hh}
        state = (h0[None], c0[None]) if with_cell else h0[None]
        out, _ = torch.func.functional_call(module, params, (x, state))
        return (out.flatten() * const(out.numel())).square().sum()
    return f


recurrent = []
for name, cls, gates, cell in [("rnn_tanh", torch.nn.RNN, 1, False), ("lstm", torch.nn.LSTM, 4, True),
                               ("gru", torch.nn.GRU, 3, False)]:
    ins = [rand(3, 2, 3), rand(gates * 2, 3), rand(gates * 2, 2), rand(gates * 2), rand(gates * 2), rand(2, 2)]
    if cell:
        ins.append(rand(2, 2))
    recurrent.append(case(name, ins, recurrent_loss(cls, cell)))

fixtures = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "NNTests", "Fixtures")
# `--recurrent-only` rewrites hvp_recurrent.json alone (the other file's cases come first, so
# their random inputs are the same either way).
outputs = [("hvp_recurrent.json", recurrent)]
if "--recurrent-only" not in sys.argv:
    outputs.insert(0, ("hvp.json", cases))
for file, cs in outputs:
    out = os.path.join(fixtures, file)
    with open(out, "w") as fh:
        json.dump({"generator": "scripts/reference/hvp_fixtures.py", "torch": torch.__version__, "cases": cs}, fh)
    print(f"wrote {len(cs)} cases to {os.path.normpath(out)}")
