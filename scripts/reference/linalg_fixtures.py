#!/usr/bin/env python3
"""Generates Tests/TensorsTests/Fixtures/linalg.json: torch.linalg results and gradients.

Reference: PyTorch 2.13.0+cpu (torch.linalg), computed in float64 on inputs that are exactly
representable in float32 (descent stores float32 and computes its LAPACK calls in float64), so
the fixtures are the exact answers the Swift tests compare with at 1e-4 relative.

Where a result is not unique (eigenvector and singular vector signs, QR column signs) the file
holds only what is unique: eigenvalues, singular values, and gradients of scalar functions that
do not depend on those signs (weighted sums of squared vector entries). The tests check the
factorisations themselves (A·V = V·diag(w), U·diag(S)·Vh = A, orthonormality) directly.

Every tensor is stored as {"shape": [...], "data": [row-major values]}, by name.

Usage:  pip install "torch==2.13.0+cpu" && python3 scripts/reference/linalg_fixtures.py
"""
import json
import math
import os

import torch

torch.manual_seed(0)
out = {}


def f32(t):
    """Rounds to float32 and back, so the Swift side sees the same input."""
    return t.to(torch.float32).to(torch.float64)


def put(name, t):
    t = t.detach().to(torch.float64)
    out[name] = {"shape": list(t.shape), "data": [float(round(v, 10)) for v in t.reshape(-1).tolist()]}


def weights(*shape, seed):
    """Deterministic weights defined by a formula the tests rebuild: w[i] = cos(0.7*i + seed)."""
    n = math.prod(shape)
    return f32(torch.tensor([math.cos(0.7 * i + seed) for i in range(n)], dtype=torch.float64).reshape(shape))


def leaf(t):
    return t.clone().requires_grad_(True)


def randn(*shape):
    return f32(torch.randn(*shape, dtype=torch.float64))


def spd(batch, n):
    x = randn(*batch, n, n)
    return f32(x @ x.mT + n * torch.eye(n, dtype=torch.float64))


# eigh: symmetric [2, 4, 4]; loss = sum(w * c1) + sum(V^2 * c2)
a = randn(2, 4, 4)
a = f32(a + a.mT)
put("eigh.A", a)
A = leaf(a)
w, V = torch.linalg.eigh(A)
put("eigh.w", w)
loss = (w * weights(2, 4, seed=1)).sum() + (V * V * weights(2, 4, 4, seed=2)).sum()
loss.backward()
put("eigh.grad", A.grad)

# svd: tall [2, 4, 3] and wide [3, 5]; loss = sum(S * c1) + sum(U^2 * c2) + sum(Vh^2 * c3)
for name, shape in [("svd_tall", (2, 4, 3)), ("svd_wide", (3, 5))]:
    a = randn(*shape)
    put(f"{name}.A", a)
    A = leaf(a)
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    put(f"{name}.S", S)
    loss = (S * weights(*S.shape, seed=1)).sum() + (U * U * weights(*U.shape, seed=2)).sum() \
        + (Vh * Vh * weights(*Vh.shape, seed=3)).sum()
    loss.backward()
    put(f"{name}.grad", A.grad)

# qr: [5, 3] (values checked as factorisations; R's diagonal sign-normalised here)
a = randn(5, 3)
put("qr.A", a)
Q, R = torch.linalg.qr(a)
sign = torch.sign(torch.diagonal(R))
put("qr.R_signed", R * sign.unsqueeze(-1))

# cholesky: SPD [2, 3, 3]; loss = sum(L * c)
a = spd((2,), 3)
put("cholesky.A", a)
A = leaf(a)
L = torch.linalg.cholesky(A)
put("cholesky.L", L)
(L * weights(2, 3, 3, seed=1)).sum().backward()
put("cholesky.grad", A.grad)

# solve: A [2, 3, 3], B [2, 3, 2]; loss = sum(X * c)
a = randn(2, 3, 3) + f32(3 * torch.eye(3, dtype=torch.float64))
b = randn(2, 3, 2)
put("solve.A", a)
put("solve.B", b)
A, B = leaf(a), leaf(b)
X = torch.linalg.solve(A, B)
put("solve.X", X)
(X * weights(2, 3, 2, seed=1)).sum().backward()
put("solve.gradA", A.grad)
put("solve.gradB", B.grad)

# solve with a vector right-hand side and left = False
bv = randn(3)
put("solve_vec.b", bv)
put("solve_vec.x", torch.linalg.solve(a[0], bv))
bl = randn(2, 3)
put("solve_right.B", bl)
put("solve_right.X", torch.linalg.solve(a[0], bl, left=False))

# solve_triangular: every combination of upper / left / unitriangular; loss = sum(X * c)
t = randn(3, 3) + f32(3 * torch.eye(3, dtype=torch.float64))
put("tri.A", t)
for upper in (True, False):
    for left in (True, False):
        for unit in (True, False):
            key = f"tri.{'u' if upper else 'l'}{'L' if left else 'R'}{'1' if unit else 'n'}"
            b = randn(3, 2) if left else randn(2, 3)
            put(key + ".B", b)
            A, B = leaf(t), leaf(b)
            X = torch.linalg.solve_triangular(A, B, upper=upper, left=left, unitriangular=unit)
            put(key + ".X", X)
            (X * weights(*X.shape, seed=1)).sum().backward()
            put(key + ".gradA", A.grad)
            put(key + ".gradB", B.grad)

# inv, det, slogdet on [2, 3, 3]
a = randn(2, 3, 3) + f32(2 * torch.eye(3, dtype=torch.float64))
put("inv.A", a)
A = leaf(a)
X = torch.linalg.inv(A)
put("inv.X", X)
(X * weights(2, 3, 3, seed=1)).sum().backward()
put("inv.grad", A.grad)
A = leaf(a)
d = torch.linalg.det(A)
put("det.d", d)
(d * weights(2, seed=1)).sum().backward()
put("det.grad", A.grad)
A = leaf(a)
s, l = torch.linalg.slogdet(A)
put("slogdet.sign", s)
put("slogdet.logabsdet", l)
(l * weights(2, seed=1)).sum().backward()
put("slogdet.grad", A.grad)

# det of a singular (rank 2) matrix and its gradient (the cofactor matrix)
u = randn(3, 2)
v = randn(2, 3)
sing = f32(u @ v)
put("det_singular.A", sing)
A = leaf(sing)
torch.linalg.det(A).backward()
put("det_singular.grad", A.grad)

# lstsq: [5, 3] x [5, 2] (full rank, so gelsd's and gelsy's solutions agree)
a = randn(5, 3)
b = randn(5, 2)
put("lstsq.A", a)
put("lstsq.B", b)
res = torch.linalg.lstsq(a, b, driver="gelsd")
put("lstsq.X", res.solution)
put("lstsq.residuals", ((a @ res.solution - b) ** 2).sum(-2))

# matrix_norm: every ord on [3, 4], with the gradient
a = randn(3, 4)
put("matrix_norm.A", a)
for name, ord in [("fro", "fro"), ("nuc", "nuc"), ("2", 2), ("-2", -2), ("1", 1), ("-1", -1),
                  ("inf", math.inf), ("-inf", -math.inf)]:
    A = leaf(a)
    n = torch.linalg.matrix_norm(A, ord=ord)
    put(f"matrix_norm.{name}", n)
    n.backward()
    put(f"matrix_norm.{name}.grad", A.grad)

# matrix_norm over dims (1, 3) of a [2, 3, 4] batch, keepdim
a = randn(2, 3, 4)
put("matrix_norm_dims.A", a)
put("matrix_norm_dims.nuc", torch.linalg.matrix_norm(a, ord="nuc", dim=(0, 2), keepdim=True))

# vector_norm: ords over all dims and over dim 2 (1-based) of a [3, 4]
x = randn(3, 4)
put("vector_norm.x", x)
for name, ord in [("2", 2), ("1", 1), ("3", 3), ("0.5", 0.5), ("inf", math.inf), ("-inf", -math.inf), ("0", 0)]:
    X = leaf(x)
    n = torch.linalg.vector_norm(X, ord=ord)
    put(f"vector_norm.{name}", n)
    if ord != 0:
        n.backward()
        put(f"vector_norm.{name}.grad", X.grad)
    put(f"vector_norm.{name}.dim2", torch.linalg.vector_norm(x, ord=ord, dim=1))

# matrix_power: n = 3 and -2, with gradients of sum(P * c)
a = randn(3, 3) * 0.5 + f32(torch.eye(3, dtype=torch.float64))
put("matrix_power.A", f32(a))
for n in (3, -2):
    A = leaf(f32(a))
    P = torch.linalg.matrix_power(A, n)
    put(f"matrix_power.{n}", P)
    (P * weights(3, 3, seed=1)).sum().backward()
    put(f"matrix_power.{n}.grad", A.grad)

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TensorsTests", "Fixtures", "linalg.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    json.dump({"generator": "scripts/reference/linalg_fixtures.py", "torch": torch.__version__,
               "tensors": out}, f, separators=(",", ":"))
print(f"wrote {len(out)} tensors to {os.path.normpath(path)}")
