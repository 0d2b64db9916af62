#!/usr/bin/env bash
# The grokking study in one command: sweep scripts/examples/grokking.lua over optimizer (adam:
# L2 weight decay, adamw: decoupled) x weight decay, report the final validation accuracy and the
# steps to generalise per cell, and plot the validation-accuracy curves.
#   ./scripts/examples/grokking.sh          # -> runs/grokking/{report.html,val_accuracy.svg,train_accuracy.svg}
#   ./scripts/examples/grokking.sh --set model=transformer --set lr=3e-4   # arguments go to the sweep
# Rerunning resumes (FRESH=1 reruns everything). Environment: OUT (default runs/grokking), WDS
# (0,0.1,1), SEEDS (1), STEPS (4000), MODEL (mlp or transformer), JOBS (2), DESCENT (the binary;
# default ./scripts/descent, which installs packages and builds on first use).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sweep-env.sh"
out="${OUT:-runs/grokking}"

"$descent" sweep scripts/examples/grokking.lua \
    --grid optimizer=adam,adamw --grid "weight_decay=${WDS:-0,0.1,1}" \
    --seeds "${SEEDS:-1}" --set "steps=${STEPS:-4000}" --set "model=${MODEL:-mlp}" \
    --jobs "${JOBS:-2}" --out "$out" "${resume[@]}" "$@" || sweep_status=$?

echo
echo "final validation accuracy (mean ± std over the seeds):"
"$descent" report "$out" --group optimizer,weight_decay --metric val_accuracy --format markdown \
    --plot "$out/val_accuracy.svg" --html "$out/report.html"
echo
echo "steps until validation accuracy >= 0.99 (-1: not within the run):"
"$descent" report "$out" --group optimizer,weight_decay --metric steps_to_generalise --format markdown
"$descent" report "$out" --group optimizer,weight_decay --metric train_accuracy --plot "$out/train_accuracy.svg" >/dev/null
echo "page: $out/report.html   curves: $out/val_accuracy.svg $out/train_accuracy.svg"
exit "$sweep_status"
