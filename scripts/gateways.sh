#!/usr/bin/env bash
# Installs the real AI gateways the integration tests put behind Proctor, idempotently, under .tools/:
#   LiteLLM proxy: `litellm[proxy]` from PyPI into the virtualenv .tools/litellm (python3 >= 3.9 with venv).
#   Portkey's open-source gateway is an npm devDependency (@portkey-ai/gateway), installed with the other packages.
# Skipped when already installed at the pinned version. Exits non-zero when an install fails, so CI (which requires
# the gateway tests) stops here with the reason; test/integration/gateways-*.test.ts skip outside CI instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LITELLM_VERSION="${LITELLM_VERSION:-1.100.0}"
venv="$root/.tools/litellm"
log() { echo "gateways: $*" >&2; }

python="$(command -v python3 || true)"
if [ -z "$python" ]; then
  log "python3 is not installed; the LiteLLM gateway test cannot run"
  exit 1
fi
installed() { "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null; }
if [ -x "$venv/bin/litellm" ] && [ "$(installed)" = "$LITELLM_VERSION" ]; then
  exit 0
fi
start=$(date +%s)
log "installing litellm[proxy]==$LITELLM_VERSION into .tools/litellm (once)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "litellm[proxy]==$LITELLM_VERSION" >&2
"$venv/bin/litellm" --version >/dev/null 2>&1 || { log "litellm installed but does not run"; exit 1; }
log "litellm installed in $(( $(date +%s) - start )) s"
