"""Reference Sobol points for `descent tune --sampler sobol` (Sources/Experiments/Sobol.swift).

Writes Tests/ExperimentsTests/Fixtures/sobol_21d.json: the first 64 points of
scipy.stats.qmc.Sobol(d=21, scramble=False) (scipy 1.17, Joe–Kuo direction numbers).

    python3 scripts/reference/sobol_fixtures.py
"""
import json
import pathlib

import scipy
from scipy.stats import qmc

points = qmc.Sobol(d=21, scramble=False).random(64)
out = {"generator": "scripts/reference/sobol_fixtures.py", "scipy": scipy.__version__,
       "points": [[float(v) for v in row] for row in points]}
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/ExperimentsTests/Fixtures/sobol_21d.json"
path.write_text(json.dumps(out) + "\n")
print("wrote", path)
