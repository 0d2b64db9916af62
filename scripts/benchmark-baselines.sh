#!/usr/bin/env bash
# Runs the shipped baselines of `descent benchmark` (benchmarks/baselines/*.json: AdamW,
# NAdamW, Nesterov, heavy-ball momentum) on benchmarks/workloads.lua by the external-tuning
# protocol, writes their results to benchmarks/results/*.json (committed, so a new submission is
# scored against them without re-running them) and scores the Lua Lion submission
# (scripts/examples/benchmark_lion.lua) with them. See docs/guide-benchmarking.md.
#   ./scripts/benchmark-baselines.sh
#   TRIALS=8 STUDIES=3 JOBS=2 DESCENT=.build-release/release/descent ./scripts/benchmark-baselines.sh
# Environment: TRIALS (4), STUDIES (2), JOBS (2), OUT (runs/benchmark), DESCENT (the binary;
# default ./scripts/descent). Rerunning resumes (FRESH=1 reruns everything).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/sweep-env.sh"
out="${OUT:-runs/benchmark}"
start=$(date +%s)
"$descent" benchmark --baselines \
  --submission scripts/examples/benchmark_lion.lua --space scripts/examples/benchmark_lion_space.json \
  --trials "${TRIALS:-4}" --studies "${STUDIES:-2}" --jobs "${JOBS:-2}" --out "$out" "${resume[@]}"
cp "$out/scores.md" benchmarks/results/scores.md
cp "$out/deepobs.md" benchmarks/results/deepobs.md
cp "$out/profile.svg" benchmarks/results/profile.svg
echo "benchmark-baselines: $(( $(date +%s) - start )) s; results in benchmarks/results/"
