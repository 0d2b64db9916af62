# Sourced by the scripts that sweep an example and report on it (scripts/ablate.sh,
# scripts/examples/*.sh): moves to the repository root and sets
#   descent  the binary: $DESCENT, or ./scripts/descent (installs packages, builds on first use)
#   resume   the sweep's resume flag: (--resume), or () when FRESH=1 (rerun everything)
#   sweep_status  0; the caller stores the sweep's exit status there and exits with it at the end,
#            so the report covers the runs that finished even when some failed.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
descent="${DESCENT:-./scripts/descent}"
resume=(--resume)
[ "${FRESH:-0}" = 1 ] && resume=()
sweep_status=0
