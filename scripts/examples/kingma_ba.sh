#!/usr/bin/env bash
# Kingma & Ba (2014) §6.1, figure 1 (left), in one command: logistic regression on mnist5k with
# Adam, SGD + Nesterov momentum and Adagrad (3 seeds each, 2 at a time), then the report of the
# final training loss, the training-loss curves (SVG) and one HTML page.
#   ./scripts/examples/kingma_ba.sh          # -> runs/kingma_ba/{loss.svg,report.html}
# Rerunning resumes (finished runs are kept; FRESH=1 reruns everything). Environment: OUT
# (default runs/kingma_ba, relative to the repository root), SEEDS (3), EPOCHS (45), JOBS (2),
# DESCENT (the binary; default ./scripts/descent, which installs packages and builds on first use).
# See docs/guide-paper-examples.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sweep-env.sh"
out="${OUT:-runs/kingma_ba}"

"$descent" sweep scripts/examples/kingma_ba_logreg.lua \
    --grid optimizer=adam,sgd_nesterov,adagrad \
    --seeds "${SEEDS:-3}" --set "epochs=${EPOCHS:-45}" \
    --jobs "${JOBS:-2}" --out "$out" "${resume[@]}" || sweep_status=$?

echo
"$descent" report "$out" --metric loss --log-y --plot "$out/loss.svg" --html "$out/report.html"
echo
echo "curves: $out/loss.svg   page: $out/report.html"
exit "$sweep_status"
