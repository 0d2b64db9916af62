#!/usr/bin/env bash
# Median wall time of 10 runs of `descent run` on an empty script (issue 2: under 20 ms).
#   scripts/bench/startup.sh [path/to/descent]
set -euo pipefail
bin="${1:-$(cd "$(dirname "$0")/../.." && pwd)/scripts/descent}"
"$bin" version >/dev/null
empty="$(mktemp --suffix=.lua)"
trap 'rm -f "$empty"' EXIT
python3 - "$bin" "$empty" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(10):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "run", sys.argv[2]], check=True)
    times.append(time.perf_counter() - t)
print(f"descent run empty.lua: median {statistics.median(times) * 1000:.2f} ms over 10 runs (min {min(times) * 1000:.2f} ms)")
PY
