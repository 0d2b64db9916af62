#!/usr/bin/env bash
# Memory over long runs (issue 16): trains each of issue 16's models (scripts/bench/model_step.lua:
# problems.char_transformer with AdamW, problems.char_lstm with Adam, problems.resnet_fashion
# with AdamW) for N steps and for MULT x N steps in separate processes, and prints a markdown
# table of the peak resident set sizes (/usr/bin/time -f %M) and their ratio (target <= 1.5x).
# Each length runs REPEAT times (default 3): the peak depends on when the Lua collector frees
# the step's temporaries, so one run can land high; the table shows the medians, stderr every run.
#   scripts/bench/memory_flat.sh                          # release build via ./scripts/descent
#   DESCENT=.build/release/descent ONLY="char_lstm" STEPS_char_lstm=100 scripts/bench/memory_flat.sh
# Default N: 50 steps for char_transformer and char_lstm, 20 for resnet_fashion; MULT=10, REPEAT=3.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
descent="${DESCENT:-$root/scripts/descent}"
mult="${MULT:-10}"
repeat="${REPEAT:-3}"
threads="${THREADS:-2}"
read -r -a only <<< "${ONLY:-char_transformer char_lstm resnet_fashion}"
declare -A default_steps=([char_transformer]=50 [char_lstm]=50 [resnet_fashion]=20)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$descent" version >/dev/null  # build first (scripts/descent), outside the measurement
cd "$root"

# Peak RSS in KiB and wall seconds of `steps` training steps of `problem`, as "KIB SECONDS".
peak() {
    local problem="$1" steps="$2"
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f %M -o "$work/rss" "$descent" run --quiet "$root/scripts/bench/model_step.lua" \
        --threads "$threads" --set problem="$problem" --set blocks=1 --set steps="$steps" --set warmup=0 >/dev/null
    t1=$(date +%s.%N)
    echo "$(tail -1 "$work/rss") $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
}

echo "peak RSS, $(date -u +%Y-%m-%d), $threads threads; load average $(uptime | sed 's/.*load average: //') (start)"
echo
echo "medians of $repeat runs each"
echo
echo "| model | steps N | peak RSS at N | steps ${mult}N | peak RSS at ${mult}N | ratio | ≤ 1.5x |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for problem in "${only[@]}"; do
    var="STEPS_$problem"
    n="${!var:-${default_steps[$problem]:-50}}"
    a=() b=()
    for _ in $(seq 1 "$repeat"); do
        read -r k1 s1 <<< "$(peak "$problem" "$n")"
        read -r k2 s2 <<< "$(peak "$problem" $((n * mult)))"
        echo "$problem: $n steps $k1 KiB ($s1 s), $((n * mult)) steps $k2 KiB ($s2 s)" >&2
        a+=("$k1") b+=("$k2")
    done
    k1=$(printf '%s\n' "${a[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    k2=$(printf '%s\n' "${b[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
    awk -v p="$problem" -v n="$n" -v m="$((n * mult))" -v a="$k1" -v b="$k2" 'BEGIN {
        r = b / a; printf "| %s | %d | %.1f MiB | %d | %.1f MiB | %.2fx | %s |\n", p, n, a / 1024, m, b / 1024, r, (r <= 1.5 ? "yes" : "no") }'
done
echo
echo "load average $(uptime | sed 's/.*load average: //') (end)"
