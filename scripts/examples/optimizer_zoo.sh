#!/usr/bin/env bash
# The optimizer zoo in one command: every built-in optimizer (optim.names(): 36) × 3 seeds on the
# MNIST MLP with its reference's default options (scripts/examples/optimizer_zoo.lua says which
# two it changes), one sweep, then the table of final test accuracy and the curves.
#   ./scripts/examples/optimizer_zoo.sh        # -> runs/optimizer_zoo/{report.html,test_accuracy.svg,test_loss.svg}
# Rerunning resumes (FRESH=1 reruns everything). Environment: OUT (default runs/optimizer_zoo),
# NAMES (comma-separated optimizers; default every one), SEEDS (3), EPOCHS (3), JOBS (2), DESCENT (the binary; default ./scripts/descent, which installs
# packages and builds on first use).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sweep-env.sh"
out="${OUT:-runs/optimizer_zoo}"
list="$(mktemp --suffix .lua)"
trap 'rm -f "$list"' EXIT
echo 'io.write(table.concat(optim.names(), ","))' > "$list"
names="${NAMES:-$("$descent" run "$list" --quiet)}"

"$descent" sweep scripts/examples/optimizer_zoo.lua --grid "optimizer=$names" \
    --seeds "${SEEDS:-3}" --set "epochs=${EPOCHS:-3}" \
    --jobs "${JOBS:-2}" --out "$out" "${resume[@]}" "$@" || sweep_status=$?

echo
echo "test accuracy after the last epoch (mean ± std over the seeds), best first:"
"$descent" report "$out" --group optimizer --metric val_accuracy --goal max --format markdown \
    --plot "$out/test_accuracy.svg" --x epoch --ylabel "test accuracy" --html "$out/report.html"
# The loss on a log axis, cut at 3 (log 10 ≈ 2.3 is chance): a diverging run (LBFGS on
# minibatches reaches 1e32) would flatten every other curve.
"$descent" report "$out" --group optimizer --metric val_loss --plot "$out/test_loss.svg" --x epoch --logy --ylim 0.2,3 \
    --ylabel "test loss" >/dev/null
echo "page: $out/report.html   curves per epoch: $out/test_accuracy.svg $out/test_loss.svg"
exit "$sweep_status"
