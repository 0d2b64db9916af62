#!/usr/bin/env bash
# Sweep throughput (issue 20): 100 runs of the mnist5k MLP (scripts/examples/mnist_mlp.lua:
# 784-256-10, batch 64, 10 epochs, test accuracy after every epoch) over 4 optimizers x 5
# learning rates x 5 seeds, as one `descent sweep --jobs 2` and as the same 100 PyTorch runs
# (scripts/bench/mnist_mlp_run.py, one thread each, a process per run) under GNU parallel -j 2.
# Prints both wall times, their ratio (PyTorch / descent) and each side's mean final test accuracy,
# which shows that both did the same work. Installs GNU parallel with apt when it is missing.
#   scripts/bench/sweep_throughput.sh
#   OPTIMIZERS="adam sgd" LRS="1e-3" SEEDS=2 scripts/bench/sweep_throughput.sh      # a smaller grid
# Environment: DESCENT (default ./scripts/descent), PYTHON (python3), JOBS (2), EPOCHS (10).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/scripts/lib/setup.sh"
command -v parallel >/dev/null 2>&1 || apt_install "the sweep comparison needs GNU parallel" parallel || exit 1
descent="${DESCENT:-$root/scripts/descent}"
python="${PYTHON:-python3}"
read -r -a optimizers <<< "${OPTIMIZERS:-sgd adam adamw rmsprop}"
read -r -a lrs <<< "${LRS:-1e-4 3e-4 1e-3 3e-3 1e-2}"
seeds="${SEEDS:-5}" jobs="${JOBS:-2}" epochs="${EPOCHS:-10}"
runs=$(( ${#optimizers[@]} * ${#lrs[@]} * seeds ))

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$descent" version >/dev/null   # build first (scripts/descent), outside the timing
cd "$root"
comma() { local IFS=,; echo "$*"; }
now() { date +%s.%N; }

echo "descent: $runs runs, --jobs $jobs" >&2
t0=$(now)
"$descent" sweep scripts/examples/mnist_mlp.lua --grid "optimizer=$(comma "${optimizers[@]}")" \
    --grid "lr=$(comma "${lrs[@]}")" --seeds "$seeds" --set "epochs=$epochs" --jobs "$jobs" \
    --out "$work/descent" >/dev/null 2>"$work/descent.log" || { tail -5 "$work/descent.log" >&2; exit 1; }
t1=$(now)

echo "PyTorch: $runs runs, parallel -j $jobs" >&2
mkdir -p "$work/torch"
t2=$(now)
parallel -j "$jobs" --halt now,fail=1 "$python" scripts/bench/mnist_mlp_run.py --optimizer {1} --lr {2} \
    --seed {3} --epochs "$epochs" --out "$work/torch/{1}_{2}_{3}.json" \
    ::: "${optimizers[@]}" ::: "${lrs[@]}" ::: $(seq 1 "$seeds")
t3=$(now)

"$python" - "$work" "$t0" "$t1" "$t2" "$t3" "$jobs" <<'PY'
import glob, json, sys
work, t0, t1, t2, t3, jobs = sys.argv[1], *map(float, sys.argv[2:6]), sys.argv[6]
def means(paths):
    runs = [json.load(open(p)) for p in paths]
    return (len(runs), sum(r["test_accuracy"] for r in runs) / len(runs),
            sum(r["train_seconds"] for r in runs) / len(runs))
nd, ad, sd = means(glob.glob(f"{work}/descent/runs/*/summary.json"))
nt, at, st = means(glob.glob(f"{work}/torch/*.json"))
wd, wt = t1 - t0, t3 - t2
# train_seconds: the training loop alone (data loaded, interpreter and libraries started).
print(f"descent sweep --jobs {jobs}: {nd} runs in {wd:.1f} s (mean final test accuracy {100 * ad:.2f} %, "
      f"mean training loop {sd:.3f} s)")
print(f"PyTorch under parallel -j {jobs}: {nt} runs in {wt:.1f} s (mean final test accuracy {100 * at:.2f} %, "
      f"mean training loop {st:.3f} s)")
print(f"ratio (PyTorch / descent): {wt / wd:.2f}x")
PY
