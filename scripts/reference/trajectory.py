"""The deterministic parameters and gradients every optimizer fixture script replays (libm
sin/cos in float64, rounded to float32); the Swift tests rebuild the same numbers
(Tests/OptimTests/FixtureSupport.swift):
    param j, element i:          p = float32(0.5*cos(0.9*i + 1.7*j) + 0.1*j)
    grad at step s (1-based):    g = float32(sin(0.37*s + 0.61*i + 1.3*j) * (1.5 + cos(0.5*s)) * (1 + 0.5*j))
"""
import math

import numpy as np


def init_param(j, shape):
    """Parameter j (0-based) of `shape` ([] for a scalar)."""
    n = int(np.prod(shape)) if shape else 1
    return np.array([0.5 * math.cos(0.9 * i + 1.7 * j) + 0.1 * j for i in range(n)], dtype=np.float32).reshape(shape)


def grad_at(s, j, shape):
    """The gradient of parameter j at step s (1-based)."""
    n = int(np.prod(shape)) if shape else 1
    scale = (1.5 + math.cos(0.5 * s)) * (1 + 0.5 * j)
    return np.array([math.sin(0.37 * s + 0.61 * i + 1.3 * j) * scale for i in range(n)], dtype=np.float32).reshape(shape)
