#!/usr/bin/env bash
# `npm run bench`: installs what is missing, then runs bench/run.ts (JSON to stdout and bench/results/latest.json).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/deps.sh
eval "$(bash scripts/toolchain.sh)"
exec node bench/run.ts "$@"
