#!/usr/bin/env bash
# Loshchilov & Hutter's Adam-with-L2 vs AdamW comparison (their figure 2) in one command: sweep
# scripts/examples/adamw_vs_l2.lua over optimizer x learning rate x weight decay x 3 seeds (2 runs
# at a time), report the final test error per cell, print it as one lr x weight-decay table per
# optimizer (the paper's heatmaps), and plot the test-error curves of each optimizer.
#   ./scripts/examples/adamw_vs_l2.sh     # -> runs/adamw_vs_l2/{report.html,test_error-adam.svg,test_error-adamw.svg}
# Rerunning resumes (finished runs are kept; FRESH=1 reruns everything). Environment: OUT
# (default runs/adamw_vs_l2, relative to the repository root), LRS (3e-4,1e-3,3e-3), WDS
# (1e-3,1e-1,10), SEEDS (3), EPOCHS (20), JOBS (2), DESCENT (the binary; default
# ./scripts/descent, which installs packages and builds on first use).
# See docs/guide-paper-examples.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/sweep-env.sh"
out="${OUT:-runs/adamw_vs_l2}"
lrs="${LRS:-3e-4,1e-3,3e-3}"
wds="${WDS:-1e-3,1e-1,10}"

"$descent" sweep scripts/examples/adamw_vs_l2.lua \
    --grid optimizer=adam,adamw --grid "lr=$lrs" --grid "weight_decay=$wds" \
    --seeds "${SEEDS:-3}" --set "epochs=${EPOCHS:-20}" \
    --jobs "${JOBS:-2}" --out "$out" "${resume[@]}" || sweep_status=$?

echo
"$descent" report "$out" --group optimizer,lr,weight_decay --metric test_error --format markdown \
    --html "$out/report.html"

# The heatmaps: one table per optimizer, learning rates down, weight decays across.
csv="$("$descent" report "$out" --group optimizer,lr,weight_decay --metric test_error --format csv)"
for optimizer in adam adamw; do
    echo
    case "$optimizer" in
        adam) echo "adam (weight_decay as L2 in the gradient): final test error, mean ± std over the seeds" ;;
        adamw) echo "adamw (decoupled weight decay): final test error, mean ± std over the seeds" ;;
    esac
    awk -F, -v opt="$optimizer" -v lrs="$lrs" -v wds="$wds" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $col["optimizer"] == opt {
            text = "no run done"
            if ($col["mean"] != "") text = sprintf("%.3f ± %.3f", $col["mean"], $col["std"])
            cell[$col["lr"], $col["weight_decay"]] = text
        }
        END {
            nl = split(lrs, lr, ","); nw = split(wds, wd, ",")
            line = "| lr \\ weight_decay |"; rule = "| --- |"
            for (j = 1; j <= nw; j++) { line = line " " wd[j] " |"; rule = rule " ---: |" }
            print line; print rule
            for (i = 1; i <= nl; i++) {
                line = "| " lr[i] " |"
                for (j = 1; j <= nw; j++) line = line " " ((lr[i], wd[j]) in cell ? cell[lr[i], wd[j]] : "") " |"
                print line
            }
        }' <<<"$csv"
done

# One plot per optimizer: a folder of links to that optimizer's runs is a folder of run
# directories that `descent report` reads like any other (grouped by lr and weight_decay).
echo
for optimizer in adam adamw; do
    view="$out/by-optimizer/$optimizer"
    rm -rf "$view" && mkdir -p "$view"
    for run in "$out"/runs/*/; do
        run="${run%/}"
        if grep -q "\"optimizer\": \"$optimizer\"" "$run/config.json" 2>/dev/null; then
            ln -s "../../runs/$(basename "$run")" "$view/$(basename "$run")"
        fi
    done
    "$descent" report "$view" --metric test_error --plot "$out/test_error-$optimizer.svg" >/dev/null
done
echo "page: $out/report.html   curves: $out/test_error-adam.svg $out/test_error-adamw.svg"
exit "$sweep_status"
