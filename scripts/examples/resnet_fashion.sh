#!/usr/bin/env bash
# Runs scripts/examples/resnet_fashion.lua after installing Debian's dataset-fashion-mnist when
# /usr/share/datasets/fashion-mnist is missing; arguments go to `descent run` (--set, --seed).
#   ./scripts/examples/resnet_fashion.sh --set epochs=5
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/scripts/lib/setup.sh"
ensure_fashion_mnist
cd "$root"
exec "${DESCENT:-./scripts/descent}" run scripts/examples/resnet_fashion.lua "$@"
