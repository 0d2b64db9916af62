#!/usr/bin/env bash
# Renders a `descent report --html` page in headless Chromium and checks it: the DOM must hold
# the report table (its header row) and an inline <svg> plot with at least one curve, and a
# PNG screenshot is written for a human to look at.
#   scripts/check-html-report.sh runs/ablation/report.html [screenshot.png]
# Needs Debian's chromium (apt-get install -y chromium). Exit 0 when the page passes, 1 if a
# check fails, 2 on usage errors.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2
    exit 2
fi
html="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
png="${2:-${html%.html}.png}"
[ -f "$html" ] || { echo "$html: no such file" >&2; exit 2; }
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$browser" ]; then
    echo "chromium not found; install it with: apt-get install -y chromium" >&2
    exit 2
fi
# Headless Chromium as root needs --no-sandbox; its own profile dir keeps runs independent.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile")

dom="$("$browser" "${flags[@]}" --dump-dom "file://$html" 2>/dev/null)"
"$browser" "${flags[@]}" --screenshot="$png" --window-size=1200,1600 "file://$html" >/dev/null 2>&1

failures=0
check() {  # check DESCRIPTION EXTENDED-REGEX
    if grep -Eq "$2" <<<"$dom"; then echo "ok    $1"; else echo "FAIL  $1" >&2; failures=$((failures + 1)); fi
}
check "a <table> with the report header" '<th>rank</th>.*<th>n</th><th>mean</th><th>std</th>'
check "at least one data row" '<td class="num">1</td>'
check "an inline <svg> plot" '<svg[ >]'
check "a curve in the plot" '<(path|polyline)[^>]+(d|points)="[^"]+'
check "the metric footnote" 'metric: [^ ]+ \((last|best|min|max), (lower|higher) is better\)'
if [ -s "$png" ]; then echo "ok    screenshot $png ($(wc -c <"$png") bytes)"; else
    echo "FAIL  no screenshot written" >&2; failures=$((failures + 1)); fi
[ "$failures" -eq 0 ] || { echo "$failures check(s) failed for $html" >&2; exit 1; }
