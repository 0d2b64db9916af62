#!/usr/bin/env bash
# Sweep overhead: runs a 24-entry sweep (seeds 1..24) of an empty script with --jobs 2 and prints the wall
# time of the sweep minus the runs' own time (sum of status.json durations / jobs), i.e. what
# expanding the manifest, launching children and collecting their results costs.
#   scripts/bench/sweep_overhead.sh                     # uses ./scripts/descent (release build)
#   DESCENT=.build/debug/descent scripts/bench/sweep_overhead.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
descent="${DESCENT:-$root/scripts/descent}"
runs="${RUNS:-24}"
jobs="${JOBS:-2}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo '-- intentionally empty: measures the sweep machinery only' > "$work/empty.lua"
"$descent" version >/dev/null  # build first (scripts/descent), outside the timing

start=$(date +%s.%N)
"$descent" sweep "$work/empty.lua" --seeds "$runs" --jobs "$jobs" --out "$work/sweep" 2>/dev/null
end=$(date +%s.%N)

# "duration_seconds": 0.051, in each run's status.json (pretty-printed, one key per line).
sum=$(cat "$work"/sweep/runs/*/status.json | awk -F': ' '/"duration_seconds"/ { gsub(/,/, "", $2); s += $2 } END { printf "%.3f", s }')
done_runs=$(grep -l '"status": "done"' "$work"/sweep/runs/*/status.json | wc -l)
awk -v start="$start" -v end="$end" -v sum="$sum" -v jobs="$jobs" -v runs="$runs" -v ok="$done_runs" 'BEGIN {
    wall = end - start
    printf "runs: %d (%d done), jobs: %d\n", runs, ok, jobs
    printf "sweep wall time: %.3f s; runs own time: %.3f s (sum), %.3f s (/ jobs)\n", wall, sum, sum / jobs
    printf "overhead: %.3f s (%.1f ms per run)\n", wall - sum / jobs, 1000 * (wall - sum / jobs) / runs
}'
