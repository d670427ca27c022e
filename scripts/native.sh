#!/usr/bin/env bash
# Builds the optional Ed25519 Node-API addon (native/ed25519-batch, Rust) into .tools/native/ed25519-batch.node.
# The ledger signs with it (~2x faster than node:crypto) and `proctor verify` checks signatures with it (~3.5x); both
# fall back to node:crypto (saying so: Signer.backend, signature_backend in verify's JSON) when the file is absent, so
# this script never fails the install: without cargo, or when the build fails, it warns and exits 0. Idempotent:
# skips when the .node is newer than its sources.
# Offline when the crates are vendored (native/ed25519-batch/vendor), else cargo fetches the locked versions.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
crate="$root/native/ed25519-batch"
out_dir="$root/.tools/native"
out="$out_dir/ed25519-batch.node"

sources=("$crate/src" "$crate/Cargo.toml" "$crate/Cargo.lock" "$crate/build.rs")
if [ -f "$out" ] && [ -z "$(find "${sources[@]}" -newer "$out" -print -quit)" ]; then
  exit 0
fi
cargo_bin="$(command -v cargo || true)"
[ -n "$cargo_bin" ] || [ ! -x "$HOME/.cargo/bin/cargo" ] || cargo_bin="$HOME/.cargo/bin/cargo"
if [ -z "$cargo_bin" ]; then
  echo "native: cargo not found; the ledger will sign and proctor verify check signatures with node:crypto" \
    "(slower). Install Rust (rustup) and rerun scripts/native.sh to build the addon." >&2
  exit 0
fi
offline=()
[ -d "$crate/vendor" ] && offline=(--offline)
echo "native: building the Ed25519 addon (native/ed25519-batch, cargo build --release${offline:+ --offline})" >&2
mkdir -p "$out_dir"
if ! CARGO_TARGET_DIR="$out_dir/target" "$cargo_bin" build --release --locked "${offline[@]}" \
  --manifest-path "$crate/Cargo.toml" >&2; then
  echo "native: the addon build FAILED; the ledger will sign and proctor verify check signatures with node:crypto" \
    "(slower)" >&2
  exit 0
fi
lib=""
for name in libproctor_ed25519_batch.so libproctor_ed25519_batch.dylib proctor_ed25519_batch.dll; do
  [ -f "$out_dir/target/release/$name" ] && lib="$out_dir/target/release/$name"
done
if [ -z "$lib" ]; then
  echo "native: cargo finished but no library was found under $out_dir/target/release; using node:crypto" >&2
  exit 0
fi
cp "$lib" "$out.tmp" && mv -f "$out.tmp" "$out"
echo "native: built $out" >&2
