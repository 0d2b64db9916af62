#!/usr/bin/env python3
"""Generates Tests/TensorsTests/Fixtures/tensor_ops.json: values and first derivatives of the
tensor operations of issue 15 part 1 (sort, topk, cumsum, einsum, broadcast matmul, ...), computed
by PyTorch 2.13.0+cpu in float32 on small seeded inputs.

    python3 scripts/reference/tensor_ops_fixtures.py

Each case lists its inputs (kind "float": differentiable; "index": 1-based positions, as descent
stores them; "mask": 0/1), its outputs (kind "float" or "index", the latter 1-based) and, for the
float outputs, an upstream gradient u_i; "grads" holds d(sum_i <out_i, u_i>)/d input for the float
inputs (null otherwise). Tests/TensorsTests/TensorOpsFixtureTests.swift runs the same op by name.
Inputs avoid ties where PyTorch leaves the order or the gradient unspecified.
"""
import json
import math
import os

import torch

torch.manual_seed(15)
OUT = os.path.join(os.path.dirname(__file__), "../../Tests/TensorsTests/Fixtures/tensor_ops.json")


def randn(*shape):
    return torch.randn(tuple(shape), dtype=torch.float32)


def distinct(*shape):
    """Values without ties (a random permutation of spaced numbers, plus noise)."""
    n = math.prod(shape)
    return (torch.randperm(n).float() * 0.37 - n * 0.15 + torch.rand(n) * 0.1).reshape(shape)


def f(t):
    return ("float", t)


def idx(t):
    return ("index", t)


def mask(t):
    return ("mask", t)


cases = []


def case(name, inputs, fn, index_outputs=()):
    cases.append((name, inputs, fn, set(index_outputs)))


# Sorting (indices are outputs only)
case("sort_last", [f(distinct(3, 5))], lambda x: list(torch.sort(x, dim=-1)), [1])
case("sort_dim0_desc", [f(distinct(4, 3))], lambda x: list(torch.sort(x, dim=0, descending=True)), [1])
case("argsort", [f(distinct(3, 4))], lambda x: [torch.argsort(x, dim=1)], [0])
case("topk_largest", [f(distinct(3, 6))], lambda x: list(torch.topk(x, 3, dim=1)), [1])
case("topk_smallest_dim0", [f(distinct(5, 3))], lambda x: list(torch.topk(x, 2, dim=0, largest=False)), [1])
# Scans
case("cumsum_dim1", [f(randn(3, 4))], lambda x: [torch.cumsum(x, 1)])
case("cumsum_dim0", [f(randn(3, 4))], lambda x: [torch.cumsum(x, 0)])
case("cumprod_dim1", [f(randn(3, 4))], lambda x: [torch.cumprod(x, 1)])
zero_in = randn(2, 5)
zero_in[0, 2] = 0
zero_in[1, 0] = 0
zero_in[1, 3] = 0
case("cumprod_zeros", [f(zero_in)], lambda x: [torch.cumprod(x, 1)])
# Reordering
case("flip_0_2", [f(randn(2, 3, 4))], lambda x: [torch.flip(x, (0, 2))])
case("roll_dims", [f(randn(3, 4))], lambda x: [torch.roll(x, (1, -2), (0, 1))])
case("roll_flat", [f(randn(3, 4))], lambda x: [torch.roll(x, 5)])
case("chunk_3", [f(randn(7, 2))], lambda x: list(torch.chunk(x, 3, 0)))
case("split_sizes", [f(randn(3, 5))], lambda x: list(torch.split(x, [2, 3], 1)))
case("split_size", [f(randn(5, 3))], lambda x: list(torch.split(x, 2, 0)))
case("unbind_1", [f(randn(3, 2))], lambda x: list(torch.unbind(x, 1)))
# Masks and diagonals
case("tril", [f(randn(4, 5))], lambda x: [torch.tril(x)])
case("tril_m1", [f(randn(4, 5))], lambda x: [torch.tril(x, -1)])
case("triu_1_batched", [f(randn(2, 3, 4))], lambda x: [torch.triu(x, 1)])
case("triu", [f(randn(4, 3))], lambda x: [torch.triu(x)])
case("masked_fill", [f(randn(3, 4)), mask(torch.tensor([[1.0, 0, 0, 1]]))],
     lambda x, m: [x.masked_fill(m.bool(), -2.5)])
case("diag_vec_k1", [f(randn(3))], lambda x: [torch.diag(x, 1)])
case("diag_mat_km1", [f(randn(3, 4))], lambda x: [torch.diag(x, -1)])
case("diagonal_1_12", [f(randn(2, 3, 4))], lambda x: [torch.diagonal(x, 1, 1, 2)])
case("diagonal_m1_02", [f(randn(3, 2, 4))], lambda x: [torch.diagonal(x, -1, 0, 2)])
case("trace", [f(randn(4, 4))], lambda x: [torch.trace(x)])
# Indexed writes
case("scatter_src", [f(randn(3, 5)), idx(torch.tensor([[0, 3], [4, 1], [2, 0]])), f(randn(3, 2))],
     lambda x, i, s: [x.scatter(1, i, s)])
case("scatter_value", [f(randn(3, 5)), idx(torch.tensor([[0, 3], [4, 1], [2, 0]]))],
     lambda x, i: [x.scatter(1, i, 4.0)])
case("scatter_add", [f(randn(3, 5)), idx(torch.tensor([[0, 3, 0, 1], [4, 4, 1, 2], [2, 0, 2, 2]])), f(randn(3, 4))],
     lambda x, i, s: [x.scatter_add(1, i, s)])
case("index_add", [f(randn(5, 3)), idx(torch.tensor([0, 4, 0, 2])), f(randn(4, 3))],
     lambda x, i, s: [x.index_add(0, i, s, alpha=2.0)])
# Boolean reductions (no gradient)
zeros_in = randn(3, 4)
zeros_in[0, 1] = 0
zeros_in[2, :] = 0
case("any_dim1", [mask(zeros_in)], lambda x: [x.any(1).float()])
case("all_dim0", [mask(zeros_in)], lambda x: [x.all(0).float()])
case("all", [mask(zeros_in)], lambda x: [x.all().float()])
# Norms
case("norm_fro", [f(randn(3, 4))], lambda x: [torch.norm(x, p="fro")])
case("norm_2_dims02", [f(randn(2, 3, 4))], lambda x: [torch.norm(x, p=2, dim=(0, 2))])
case("norm_1_dims12_keepdim", [f(randn(2, 3, 4))], lambda x: [torch.norm(x, p=1, dim=(1, 2), keepdim=True)])
case("norm_inf_dim1", [f(distinct(3, 4))], lambda x: [torch.norm(x, p=float("inf"), dim=1)])
# Compound elementwise
lo = randn(4) - 0.7
case("clamp_tensor", [f(distinct(3, 4) * 0.3), f(lo), f(lo + 1.0 + torch.rand(3, 1))],
     lambda x, a, b: [torch.clamp(x, a, b)])
case("lerp_tensor", [f(randn(3, 4)), f(randn(3, 4)), f(torch.rand(4))], lambda x, e, w: [torch.lerp(x, e, w)])
case("lerp_scalar", [f(randn(3, 4)), f(randn(3, 4))], lambda x, e: [torch.lerp(x, e, 0.3)])
case("addcmul", [f(randn(3, 4)), f(randn(3, 4)), f(randn(4))], lambda x, a, b: [torch.addcmul(x, a, b, value=0.5)])
case("addcdiv", [f(randn(3, 4)), f(randn(3, 4)), f(randn(4).abs() + 0.5)], lambda x, a, b: [torch.addcdiv(x, a, b, value=-2.0)])
# Composite ops added along the way
case("tile", [f(randn(2, 3))], lambda x: [x.tile((2, 1, 2))])
case("repeat_interleave_dim1", [f(randn(2, 3))], lambda x: [x.repeat_interleave(2, dim=1)])
case("repeat_interleave_flat", [f(randn(2, 2))], lambda x: [x.repeat_interleave(3)])
case("movedim", [f(randn(2, 3, 4))], lambda x: [torch.movedim(x, (0, 1), (2, 0))])
case("kron", [f(randn(2, 3)), f(randn(3, 2))], lambda a, b: [torch.kron(a, b)])
case("kron_mixed_rank", [f(randn(3)), f(randn(2, 2))], lambda a, b: [torch.kron(a, b)])
case("diff_2_dim0", [f(randn(5, 3))], lambda x: [torch.diff(x, n=2, dim=0)])
case("tensordot_2", [f(randn(2, 3, 4)), f(randn(3, 4, 5))], lambda a, b: [torch.tensordot(a, b, dims=2)])
case("tensordot_lists", [f(randn(3, 4, 2)), f(randn(2, 5, 3))], lambda a, b: [torch.tensordot(a, b, dims=([0, 2], [2, 0]))])
ties = torch.tensor([[1.0, 3.0, 3.0], [2.0, 0.5, 2.0]])
case("amax_ties_dim1", [f(ties)], lambda x: [torch.amax(x, dim=1)])
case("amin_dims01_keepdim", [f(distinct(2, 3, 2))], lambda x: [torch.amin(x, dim=(0, 2), keepdim=True)])
case("amax_all_ties", [f(ties)], lambda x: [torch.amax(x)])
case("masked_select", [f(randn(3, 4)), mask(torch.tensor([[1.0, 0, 1, 0]]))], lambda x, m: [torch.masked_select(x, m.bool())])
case("nonzero", [mask(torch.tensor([[0.0, 1.5, 0], [2.0, 0, -1.0]]))], lambda x: [torch.nonzero(x)], [0])
# More elementwise math
unit = torch.rand(3, 4) * 1.8 - 0.9          # inside (-1, 1) for asin/acos
pos = torch.rand(3, 4) * 3 + 0.2              # positive for the logarithms
case("reciprocal", [f(pos)], lambda x: [torch.reciprocal(x)])
case("expm1", [f(randn(3, 4))], lambda x: [torch.expm1(x)])
case("exp2", [f(randn(3, 4))], lambda x: [torch.exp2(x)])
case("log2", [f(pos)], lambda x: [torch.log2(x)])
case("log10", [f(pos)], lambda x: [torch.log10(x)])
case("erf", [f(randn(3, 4))], lambda x: [torch.erf(x)])
case("tan", [f(unit)], lambda x: [torch.tan(x)])
case("atan", [f(randn(3, 4))], lambda x: [torch.atan(x)])
case("asin", [f(unit)], lambda x: [torch.asin(x)])
case("acos", [f(unit)], lambda x: [torch.acos(x)])
case("sinh", [f(randn(3, 4))], lambda x: [torch.sinh(x)])
case("cosh", [f(randn(3, 4))], lambda x: [torch.cosh(x)])
case("trunc", [f(randn(3, 4) * 3)], lambda x: [torch.trunc(x)])
case("frac", [f(randn(3, 4) * 3)], lambda x: [torch.frac(x)])
case("atan2", [f(randn(3, 4)), f(randn(4))], lambda y, x: [torch.atan2(y, x)])
case("fmod", [f(randn(3, 4) * 3), f(torch.tensor([1.3, -0.7, 2.1, -1.9]))], lambda a, b: [torch.fmod(a, b)])
case("remainder", [f(randn(3, 4) * 3), f(torch.tensor([1.3, -0.7, 2.1, -1.9]))], lambda a, b: [torch.remainder(a, b)])
# Order statistics and running extremes
case("kthvalue_2_dim1", [f(distinct(3, 5))], lambda x: list(torch.kthvalue(x, 2, dim=1)), [1])
case("median_dim0", [f(distinct(4, 3))], lambda x: list(torch.median(x, dim=0)), [1])
case("median_dim1_keepdim", [f(distinct(3, 5))], lambda x: list(torch.median(x, dim=1, keepdim=True)), [1])
case("median_all", [f(distinct(3, 4))], lambda x: [torch.median(x)])
case("quantile_dim1", [f(distinct(3, 5))], lambda x: [torch.quantile(x, 0.3, dim=1)])
case("quantile_list_dim0_keepdim", [f(distinct(4, 3))], lambda x: [torch.quantile(x, torch.tensor([0.25, 0.5, 0.9]), dim=0, keepdim=True)])
case("quantile_all", [f(distinct(3, 4))], lambda x: [torch.quantile(x, 0.75)])
case("cummax_dim1", [f(distinct(3, 5))], lambda x: list(torch.cummax(x, 1)), [1])
case("cummin_dim0", [f(distinct(4, 3))], lambda x: list(torch.cummin(x, 0)), [1])
case("logcumsumexp_dim1", [f(randn(3, 5) * 3)], lambda x: [torch.logcumsumexp(x, 1)])
case("logcumsumexp_dim0_large", [f(randn(4, 2) * 40)], lambda x: [torch.logcumsumexp(x, 0)])
# More composites
case("logaddexp", [f(randn(3, 4) * 5), f(randn(4) * 5)], lambda a, b: [torch.logaddexp(a, b)])
case("hypot", [f(randn(3, 4)), f(randn(3, 1))], lambda a, b: [torch.hypot(a, b)])
case("cross_dim1", [f(randn(4, 3)), f(randn(4, 3))], lambda a, b: [torch.linalg.cross(a, b, dim=1)])
case("cross_dim0_broadcast", [f(randn(3, 2)), f(randn(3, 1))], lambda a, b: [torch.cross(a, b.expand(3, 2), dim=0)])
case("rot90_1", [f(randn(2, 3))], lambda x: [torch.rot90(x, 1, (0, 1))])
case("rot90_3_dims12", [f(randn(2, 3, 4))], lambda x: [torch.rot90(x, 3, (1, 2))])
case("rot90_2", [f(randn(2, 3))], lambda x: [torch.rot90(x, 2, (0, 1))])
case("cdist_2", [f(randn(4, 3)), f(randn(5, 3))], lambda a, b: [torch.cdist(a, b)])
case("cdist_1_batched", [f(randn(2, 4, 3)), f(randn(2, 5, 3))], lambda a, b: [torch.cdist(a, b, p=1)])
case("addmm", [f(randn(2, 4)), f(randn(2, 3)), f(randn(3, 4))], lambda c, a, b: [torch.addmm(c, a, b, beta=0.5, alpha=2.0)])
case("baddbmm", [f(randn(2, 1, 4)), f(randn(2, 3, 5)), f(randn(2, 5, 4))], lambda c, a, b: [torch.baddbmm(c, a, b, beta=-1.0, alpha=0.5)])
# einsum (the Swift test reads the equation from the name after "einsum:")
einsums = [
    ("ij,jk->ik", [(3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ij->", [(3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("bij,bjk,bkl->bil", [(2, 3, 4), (2, 4, 5), (2, 5, 3)]),
    ("abc,cd,de,ef->abf", [(2, 3, 4), (4, 3), (3, 5), (5, 2)]),
    ("...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("iij->j", [(3, 3, 2)]),
    ("ij,kl->", [(2, 3), (4, 5)]),
    ("i,i", [(5,), (5,)]),
    ("BiJ,JK->BiK", [(2, 3, 4), (4, 2)]),
    ("ab,b1->a1".replace("1", "c"), [(3, 1), (4, 2)]),
]
for eq, shapes in einsums:
    case("einsum:" + eq, [f(randn(*s)) for s in shapes], (lambda eq: lambda *xs: [torch.einsum(eq, *xs)])(eq))
# matmul broadcasting over batch dims
for a, b in [((2, 1, 3, 4), (1, 3, 4, 5)), ((2, 3, 4, 5), (2, 3, 5, 4)), ((3, 4), (2, 2, 4, 5)),
             ((5,), (2, 5, 3)), ((2, 3, 4), (4,)), ((1, 2, 3, 4), (3, 1, 4, 2)), ((2, 1, 3, 4), (4, 2))]:
    case("matmul:%s@%s" % ("x".join(map(str, a)), "x".join(map(str, b))), [f(randn(*a)), f(randn(*b))],
         lambda x, y: [torch.matmul(x, y)])


def encode(t):
    # Shortest decimals that read back as the same float32 (keeps the file small).
    return {"shape": list(t.shape), "data": [float(str(v)) for v in t.detach().reshape(-1).float().numpy()]}


records = []
for name, inputs, fn, index_outputs in cases:
    args = []
    for kind, t in inputs:
        if kind == "float":
            args.append(t.clone().requires_grad_(True))
        elif kind == "index":
            args.append(t.long())
        else:
            args.append(t.clone())
    outs = fn(*args)
    upstream = []
    loss = torch.zeros(())
    for k, o in enumerate(outs):
        if k in index_outputs:
            upstream.append(None)
            continue
        u = randn(*o.shape)
        upstream.append(u)
        loss = loss + (o * u).sum()
    float_inputs = [a for (kind, _), a in zip(inputs, args) if kind == "float"]
    grads_float = []
    if float_inputs and loss.requires_grad:
        grads_float = torch.autograd.grad(loss, float_inputs, allow_unused=True)
    grads, g_iter = [], iter(grads_float)
    for kind, _ in inputs:
        if kind == "float" and grads_float:
            g = next(g_iter)
            grads.append(encode(g) if g is not None else None)
        else:
            grads.append(None)
    records.append({
        "name": name,
        "inputs": [dict(encode(t if kind != "index" else t + 1), kind=kind) for kind, t in inputs],
        "outputs": [dict(encode(o + 1 if k in index_outputs else o), kind="index" if k in index_outputs else "float")
                    for k, o in enumerate(outs)],
        "upstream": [encode(u) if u is not None else None for u in upstream],
        "grads": grads,
    })

with open(OUT, "w") as fh:
    json.dump({"generator": "scripts/reference/tensor_ops_fixtures.py", "torch": torch.__version__, "cases": records},
              fh, separators=(",", ":"))
    fh.write("\n")
print(f"wrote {len(records)} cases to {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)")
