#!/usr/bin/env bash
# The ablation workflow end to end: sweep scripts/examples/adam_ablation.lua over optimizers x
# learning rates x 3 seeds, check the sweep, and report test accuracy as a table, learning
# curves (SVG) and one shareable HTML page. See docs/guide-ablations.md.
#   ./scripts/ablate.sh                   # -> runs/ablation/{report.html,curves.svg}
#   LRS=1e-3,1e-2 SEEDS=5 EPOCHS=20 ./scripts/ablate.sh
# Rerunning resumes: finished runs are kept, new seeds/values run (FRESH=1 reruns everything).
# Environment: OUT (default runs/ablation, relative to the repository root), OPTIMIZERS
# (adam,adamw,amsgrad,sgd), LRS (1e-3,3e-3,1e-2), SEEDS (3), EPOCHS (10), JOBS (2), DESCENT
# (the binary; default ./scripts/descent, which installs packages and builds on first use).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/sweep-env.sh"
out="${OUT:-runs/ablation}"

"$descent" sweep scripts/examples/adam_ablation.lua \
    --grid "optimizer=${OPTIMIZERS:-adam,adamw,amsgrad,sgd}" \
    --grid "lr=${LRS:-1e-3,3e-3,1e-2}" \
    --seeds "${SEEDS:-3}" \
    --set "epochs=${EPOCHS:-10}" \
    --jobs "${JOBS:-2}" \
    --out "$out" "${resume[@]}" || sweep_status=$?

# Counts and failed entries (exit 1 if any failed: report what finished anyway).
"$descent" status "$out" || true
echo
"$descent" report "$out" --metric test_accuracy --reduce last \
    --plot "$out/curves.svg" --html "$out/report.html"
echo
case "$out" in /*) page="$out/report.html" ;; *) page="$root/$out/report.html" ;; esac
echo "open $page"
exit "$sweep_status"
