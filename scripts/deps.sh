#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than package-lock.json, with the toolchain Node
# (so the native re2 addon compiles against its headers). Idempotent and quiet when there is nothing to do.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
eval "$(bash scripts/toolchain.sh "$@")"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ ! -f node_modules/re2/build/Release/re2.node ] \
   || ! node -e 'require("re2")' >/dev/null 2>&1; then
  echo "deps: installing npm dependencies (re2 compiles from source: a few minutes the first time)" >&2
  npm ci --no-audit --no-fund >&2
fi
# The optional Ed25519 addon that speeds up `proctor verify` (Rust; skipped when up to date; never fails the install:
# without cargo, verify checks signatures with node:crypto and says so).
bash scripts/native.sh
