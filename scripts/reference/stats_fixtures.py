"""Reference values for `descent report --compare` (Sources/Experiments/TwoSampleComparison.swift).

Writes Tests/ExperimentsTests/Fixtures/two_sample_tests.json with scipy 1.17's
ttest_ind(equal_var=False), mannwhitneyu (method="auto", two-sided) and a percentile bootstrap
interval of the difference of means (scipy.stats.bootstrap, method="percentile", 20000
resamples), plus Holm-adjusted p-values (the step-down definition, written out below).

    python3 scripts/reference/stats_fixtures.py
"""
import json
import pathlib

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(7)
cases = {
    "small_no_ties": (list(rng.normal(0.9, 0.02, 5)), list(rng.normal(0.87, 0.02, 6))),
    "small_with_ties": ([0.9, 0.91, 0.91, 0.93, 0.95], [0.88, 0.9, 0.91, 0.86, 0.87]),
    "large": (list(rng.normal(1.0, 0.3, 12)), list(rng.normal(1.2, 0.4, 15))),
    "seeds_identical_means": ([1.0, 2.0, 3.0, 4.0], [2.5, 2.5, 2.4, 2.6]),
    "exact_eight": (list(rng.normal(0, 1, 8)), list(rng.normal(0.5, 1, 3))),
}
out = {"generator": "scripts/reference/stats_fixtures.py", "scipy": scipy.__version__, "cases": []}
for name, (a, b) in cases.items():
    a = [float(x) for x in a]
    b = [float(x) for x in b]
    t = stats.ttest_ind(a, b, equal_var=False)
    u = stats.mannwhitneyu(a, b, alternative="two-sided")
    boot = stats.bootstrap((np.array(a), np.array(b)), lambda x, y, axis=-1: np.mean(x, axis=axis) - np.mean(y, axis=axis),
                           n_resamples=20000, method="percentile", random_state=1, vectorized=True)
    n1, n2 = len(a), len(b)
    v1, v2 = np.var(a, ddof=1), np.var(b, ddof=1)
    pooled = np.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2))
    d = (np.mean(a) - np.mean(b)) / pooled
    out["cases"].append({
        "name": name, "a": a, "b": b,
        "welch_t": float(t.statistic), "welch_df": float(t.df), "welch_p": float(t.pvalue),
        "mwu_u": float(u.statistic), "mwu_p": float(u.pvalue),
        "boot_low": float(boot.confidence_interval.low), "boot_high": float(boot.confidence_interval.high),
        "cohens_d": float(d), "hedges_g": float(d * (1 - 3 / (4 * (n1 + n2) - 9))),
        "rank_biserial": float(2 * u.statistic / (n1 * n2) - 1),
    })


def holm(p):
    order = sorted(range(len(p)), key=lambda i: p[i])
    adjusted, running = list(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted


ps = [0.01, 0.04, 0.03, 0.005, 0.2]
out["holm"] = {"p": ps, "adjusted": holm(ps)}
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/ExperimentsTests/Fixtures/two_sample_tests.json"
path.write_text(json.dumps(out, indent=1) + "\n")
print("wrote", path)
