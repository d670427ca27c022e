#!/usr/bin/env bash
# Builds, checks and tests the default policy bundle (policies/ -> bundles/default.tar.gz, wasm target).
# Usage: bash scripts/policy.sh build|check|test|fixtures
#   The revision is derived from the policy sources (src-<12 hex of their SHA-256>), so the same sources always give
#   the same revision; `check` rebuilds into a temp dir and compares the bundle's extracted files with the checked-in
#   one.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
ENTRYPOINT="proctor/decision/result"
BUNDLE="bundles/default.tar.gz"

tmp=""

die() { echo "policy: $*" >&2; exit 1; }

require_opa() {
  command -v opa >/dev/null 2>&1 ||
    die "the opa CLI is not on PATH; run: eval \"\$(bash scripts/toolchain.sh --with-opa)\""
}

# Rego and data sources that go into the bundle (tests excluded), in a locale-independent order.
sources() {
  find policies -type f \( -name '*.rego' -o -name '*.json' -o -name '*.yaml' -o -name '*.yml' \) \
    ! -name '*_test.rego' -print | LC_ALL=C sort
}

# sha256sum lines carry each file's path, so a rename changes the revision too.
revision() {
  local digest
  digest="$(sources | xargs -d '\n' sha256sum | sha256sum | cut -c1-12)"
  echo "src-$digest"
}

build_to() {
  opa build -t wasm -e "$ENTRYPOINT" --ignore '*_test.rego' --revision "$(revision)" policies/ -o "$1"
}

# Extracts a bundle into a directory; member names in OPA bundles start with '/'.
extract() {
  mkdir -p "$2"
  tar -xzf "$1" -C "$2" --no-same-owner --no-same-permissions 2>/dev/null
}

cmd_build() {
  require_opa
  mkdir -p bundles
  build_to "$BUNDLE.tmp"
  mv "$BUNDLE.tmp" "$BUNDLE"
  echo "policy: built $BUNDLE (revision $(revision), sha256 $(sha256sum "$BUNDLE" | cut -c1-64))"
}

cmd_check() {
  require_opa
  [ -f "$BUNDLE" ] || die "$BUNDLE is missing: run npm run policy:build"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  build_to "$tmp/fresh.tar.gz"
  if cmp -s "$tmp/fresh.tar.gz" "$BUNDLE"; then
    echo "policy: $BUNDLE is up to date (byte-identical rebuild)"
    return 0
  fi
  # Archives can differ in compression alone (another OPA or Go build); what matters is the files inside.
  extract "$tmp/fresh.tar.gz" "$tmp/fresh"
  extract "$BUNDLE" "$tmp/checked-in"
  if diff -r "$tmp/fresh" "$tmp/checked-in" >/dev/null; then
    echo "policy: $BUNDLE is up to date (same contents; the archive bytes differ, e.g. another opa build)"
    return 0
  fi
  die "$BUNDLE is stale: run npm run policy:build"
}

cmd_test() {
  require_opa
  opa check --strict policies/
  local unformatted
  unformatted="$(opa fmt --list policies/)"
  [ -z "$unformatted" ] || die "not opa-fmt formatted (run: opa fmt -w policies/):"$'\n'"$unformatted"
  opa test policies/ -v
}

# Test-only bundles that misbehave on purpose (test/fixtures/policy/<name>/ -> <name>.tar.gz, entrypoint
# fixture/result).
cmd_fixtures() {
  require_opa
  local dir name
  for dir in test/fixtures/policy/*/; do
    name="$(basename "$dir")"
    opa build -t wasm -e fixture/result --revision "fixture-$name" "$dir" -o "test/fixtures/policy/$name.tar.gz"
    echo "policy: built test/fixtures/policy/$name.tar.gz"
  done
}

case "${1:-}" in
  build) cmd_build ;;
  check) cmd_check ;;
  test) cmd_test ;;
  fixtures) cmd_fixtures ;;
  *) echo "usage: bash scripts/policy.sh build|check|test|fixtures" >&2; exit 2 ;;
esac
