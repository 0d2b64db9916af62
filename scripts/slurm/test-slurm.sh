#!/usr/bin/env bash
# Runs a tiny sweep through Slurm end to end: emits DIR/sweep.sbatch with
# `descent sweep --emit slurm`, submits it with sbatch, waits for the array job, and checks
# with `descent status` that every entry is done.
#
#   scripts/slurm/test-slurm.sh [DESCENT_BINARY] [SCRIPT]
#
# DESCENT_BINARY (the binary that runs `sweep` and `status`) defaults to `descent` on PATH.
# SCRIPT defaults to a generated Lua script that logs a few steps. The runs themselves use
# $DESCENT_BIN if it is set (the Swift tests point it at a fake `descent run`), else
# DESCENT_BINARY. Needs sbatch/squeue (see start-local-slurm.sh).
# Exit 0 when all entries are done.
set -euo pipefail

bin="${1:-$(command -v descent || true)}"
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
    echo "test-slurm: no descent binary (pass one or put descent on PATH)" >&2
    exit 2
fi
command -v sbatch >/dev/null || { echo "test-slurm: sbatch not found" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/descent-slurm-XXXXXX")
script="${2:-$work/tiny.lua}"
if [ ! -f "$script" ]; then
    cat > "$script" <<'LUA'
local cfg = experiment.config({lr = 0.1, steps = 3})
local loss = 1.0
for step = 1, cfg.steps do
    loss = loss * (1 - cfg.lr)
    experiment.log({step = step, loss = loss})
end
experiment.summary({loss = loss})
LUA
fi
out="$work/sweep"
"$bin" sweep "$script" --grid lr=0.1,0.5 --seeds 2 --out "$out" --emit slurm --throttle 2
job=$(sbatch --parsable --export=ALL "$out/sweep.sbatch")
job=${job%%;*}
echo "submitted array job $job"

deadline=$((SECONDS + ${SLURM_TEST_TIMEOUT:-180}))
while squeue -h -j "$job" 2>/dev/null | grep -q .; do
    if [ $SECONDS -ge $deadline ]; then
        echo "test-slurm: job $job still queued after ${SLURM_TEST_TIMEOUT:-180}s" >&2
        squeue -j "$job" >&2 || true
        scancel "$job" || true
        exit 1
    fi
    sleep 1
done

echo "job $job finished; logs in $out/logs"
if "$bin" status "$out"; then
    done_count=$(find "$out/runs" -name status.json -exec grep -l '"done"' {} + | wc -l)
    if [ "$done_count" -eq 4 ]; then
        echo "test-slurm: ok (4/4 entries done, $out)"
        exit 0
    fi
    echo "test-slurm: expected 4 done entries, found $done_count" >&2
fi
cat "$out"/logs/*.out >&2 || true
exit 1
