#!/usr/bin/env bash
# Acceptance check of issue 14's limits: runs each scenario under --timeout T or --max-memory L
# and prints its wall time and peak RSS (VmHWM via /usr/bin/time -v when present, else GNU time's
# %M). A timeout scenario passes when it ends within T + 1 s; a memory scenario when its peak RSS
# stays within 1.5*L + the baseline (peak RSS of `print(1)`).
#   scripts/limits.sh                       # the release binary (built when sources changed)
#   DESCENT_BIN=.build/debug/descent scripts/limits.sh
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -n "${DESCENT_BIN:-}" ]; then bin="$(cd "$(dirname "$DESCENT_BIN")" && pwd)/$(basename "$DESCENT_BIN")"; else
    "$root/scripts/descent" version >/dev/null
    source "$root/scripts/lib/setup.sh"
    bin="$(release_binary "$root")"
fi
T=1
L=100
work="$(mktemp -d "${TMPDIR:-/tmp}/descent-limits.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"

# Runs `descent run s.lua ARGS...` with the script on stdin; prints "seconds peak_kb exit".
measure() {
    local script="$1"; shift
    printf '%s\n' "$script" > s.lua
    rm -rf run
    local t0 t1
    t0=$(date +%s.%N)
    /usr/bin/time -f '%M' -o time.out "$bin" run s.lua --out run "$@" >/dev/null 2>err.out
    local rc=$?
    t1=$(date +%s.%N)
    printf '%.2f %s %s\n' "$(echo "$t1 - $t0" | bc)" "$(tail -n 1 time.out)" "$rc"
}

read -r _ base_kb _ < <(measure 'print(1)')
echo "baseline peak RSS: $((base_kb / 1024)) MiB"
fail=0

timeouts=(
  'while true do end'
  'coroutine.wrap(function() while true do end end)()'
  'local t = setmetatable({}, {__gc = function() while true do end end}) t = nil collectgarbage()'
  'string.find(string.rep("a", 40), string.rep("a?", 40) .. string.rep("a", 40))'
  'local a = tensor.randn(6000, 6000) local b = a:matmul(a) print(b[1][1])'
  'while true do pcall(function() while true do end end) end'
)
worst=0
for s in "${timeouts[@]}"; do
    read -r secs kb rc < <(measure "$s" --timeout "$T")
    over=$(echo "$secs - $T" | bc)
    verdict=ok; if (( $(echo "$secs > $T + 1" | bc) )); then verdict=EXCEEDS; fail=1; fi
    (( $(echo "$over > $worst" | bc) )) && worst=$over
    printf 'timeout %s  %6.2f s  exit %s  %s  %s\n' "$T" "$secs" "$rc" "$verdict" "${s:0:70}"
done
echo "worst timeout overrun: ${worst} s past T = $T s (limit: 1 s)"

memory=(
  'local t = {} for i = 1, 1e7 do t[i] = tensor.ones(1) end'
  'local t = {} for i = 1, 1e9 do t[i] = {i} end'
  'local s = {} for i = 1, 1e9 do s[i] = string.rep("x", 1000) .. i end'
  'local t = {} for i = 1, 1000 do t[i] = tensor.randn(1000, 1000) end'
  'local x = tensor.randn(4000, 4000) local t = x:totable() print(#t)'
  'local t = {} while true do pcall(function() t[#t + 1] = tensor.randn(1000, 100) end) end'
  'for i = 1, 1e9 do setmetatable({}, {__gc = function() local j = {} for k = 1, 1e6 do j[k] = k end end}) end'
)
worst_ratio=0
limit_kb=$(( L * 1024 * 3 / 2 + base_kb ))
for s in "${memory[@]}"; do
    read -r secs kb rc < <(measure "$s" --max-memory "$L" --timeout 30)
    ratio=$(echo "scale=3; ($kb - $base_kb) / ($L * 1024)" | bc)
    verdict=ok; if [ "$kb" -gt "$limit_kb" ]; then verdict=EXCEEDS; fail=1; fi
    (( $(echo "$ratio > $worst_ratio" | bc) )) && worst_ratio=$ratio
    printf 'max-memory %s  peak %5d MiB  (%.3f L above baseline)  exit %s  %.1f s  %s  %s\n' \
        "$L" "$((kb / 1024))" "$ratio" "$rc" "$secs" "$verdict" "${s:0:60}"
done
echo "worst memory: (peak - baseline) / L = $worst_ratio (limit: 1.5)"
exit $fail
