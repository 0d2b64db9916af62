#!/usr/bin/env bash
# Instructions per iteration of a Lua benchmark loop, by function, with callgrind: runs SCRIPT
# with `--set steps=N1` and `--set steps=N2` and prints (profile(N2) - profile(N1)) / (N2 - N1),
# so start-up and setup cancel out. perf has no hardware counters on this VM, and valgrind 3.19
# cannot read Swift's DWARF 5, so it profiles a copy of the binary without debug info.
#   scripts/bench/profile.sh scripts/bench/profile_add.lua 2000 32000
#   INCLUSIVE=yes TOP=60 scripts/bench/profile.sh scripts/bench/profile_step.lua 20 320
#   scripts/bench/profile.sh scripts/bench/profile_cnn.lua 2 12
# Environment: DESCENT (default ./scripts/descent's release build), INCLUSIVE (no), TOP (30).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[ $# -eq 3 ] || { echo "usage: $0 SCRIPT N1 N2" >&2; exit 2; }
script="$1" n1="$2" n2="$3"
if [ -z "${DESCENT:-}" ]; then
    "$root/scripts/descent" version >/dev/null
    source "$root/scripts/lib/setup.sh"
    DESCENT="$(release_binary "$root")"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
objcopy --strip-debug "$DESCENT" "$work/descent"
for n in "$n1" "$n2"; do
    valgrind --tool=callgrind --callgrind-out-file="$work/$n.cg" \
        "$work/descent" run "$script" --threads 1 --quiet --set "steps=$n" 2>/dev/null >/dev/null
done
python3 - "$work/$n2.cg" "$work/$n1.cg" "$((n2 - n1))" "${INCLUSIVE:-no}" "${TOP:-30}" <<'PY'
import re, subprocess, sys
def load(path, inclusive):
    out = subprocess.run(["callgrind_annotate", "--threshold=100", f"--inclusive={inclusive}", path],
                         capture_output=True, text=True, check=True).stdout
    costs, total = {}, 0
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) \([ \d.]+%\)\s+(.*)", line)
        if not m: continue
        n = int(m.group(1).replace(",", ""))
        if "PROGRAM TOTALS" in line: total = n; continue
        name = re.sub(r" \[.*\]$", "", m.group(2))
        costs[name] = costs.get(name, 0) + n
    return costs, total
big, base, iters, inclusive, top = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
b, bt = load(big, inclusive); a, at = load(base, inclusive)
per = (bt - at) / iters
print(f"{per:,.0f} instructions per iteration ({'inclusive' if inclusive == 'yes' else 'exclusive'} costs)")
for cost, name in sorted(((v - a.get(k, 0)) / iters, k) for k, v in b.items())[::-1][:top]:
    print(f"{cost:12,.0f}  {100 * cost / per:5.1f}%  {name[:160]}")
PY
