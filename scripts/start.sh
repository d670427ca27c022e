#!/usr/bin/env bash
# `npm start`: the development stack on embedded defaults. Installs what is missing first (Node 24, npm packages).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/deps.sh
eval "$(bash scripts/toolchain.sh)"
exec node bin/proctor.js dev "$@"
