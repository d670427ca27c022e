#!/usr/bin/env bash
# `npm run bench`: installs what is missing, then runs bench/run.ts (JSON to stdout and bench/results/latest.json).
# `npm run bench -- --side-by-side [--profile]` (or BENCH=side-by-side): Proctor beside a bare passthrough and
# Portkey (bench/side-by-side.ts, docs/performance.md); needs Linux, two cores, taskset and PostgreSQL 15.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/deps.sh
eval "$(bash scripts/toolchain.sh)"
exec node bench/run.ts "$@"
