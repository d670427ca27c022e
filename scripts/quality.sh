#!/usr/bin/env bash
# Detection quality (docs/classification.md, "How detection quality is measured"). Python lives in a venv under
# .tools/quality-venv, built from scripts/quality/requirements.txt (PyPI only); `npm test` never needs it.
# Usage:
#   bash scripts/quality.sh setup   create or refresh the venv (when the requirements change)
#   bash scripts/quality.sh dev     regenerate the committed dev half, test/fixtures/quality/dev.jsonl (seed 1)
#   bash scripts/quality.sh test    generate the test half into .cache/quality/ (seed QUALITY_TEST_SEED, default 2;
#                                   QUALITY_TEST_PER_LOCALE samples per locale, default 500)
#                                   and run Presidio's analyzer over it (both reused while their inputs are
#                                   unchanged); prints the two file paths (only the bench reads them)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.tools/quality-venv"
requirements="$root/scripts/quality/requirements.txt"
DEV_SEED=1
DEV_PER_LOCALE=250
log() { echo "quality: $*" >&2; }

setup() {
  local want have=""
  want="$(sha256sum "$requirements" | cut -d' ' -f1)"
  [ -f "$venv/.requirements.sha256" ] && have="$(cat "$venv/.requirements.sha256")"
  if [ "$want" != "$have" ]; then
    log "installing scripts/quality/requirements.txt into .tools/quality-venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet -r "$requirements" >&2
    echo "$want" >"$venv/.requirements.sha256"
  fi
}

# Silences the libraries' progress bars and "PyTorch not found" notices, which say nothing about the data.
run_python() { TQDM_DISABLE=1 TRANSFORMERS_VERBOSITY=error "$venv/bin/python" "$@"; }

case "${1:-}" in
  setup) setup ;;
  dev)
    setup
    mkdir -p test/fixtures/quality
    run_python scripts/quality/generate.py --seed "$DEV_SEED" --per-locale "$DEV_PER_LOCALE" \
      --out test/fixtures/quality/dev.jsonl
    ;;
  test)
    seed="${QUALITY_TEST_SEED:-2}"
    if [ "$seed" = "$DEV_SEED" ]; then log "the test seed must differ from the dev seed ($DEV_SEED)"; exit 2; fi
    setup
    mkdir -p .cache/quality
    samples=".cache/quality/test-$seed.jsonl"
    presidio=".cache/quality/presidio-$seed.json"
    per_locale="${QUALITY_TEST_PER_LOCALE:-500}"
    # Reused while nothing that makes them changed (same seed, size, scripts, pins and dev half).
    stamp="$(cat scripts/quality/generate.py scripts/quality/presidio_run.py "$requirements" \
      test/fixtures/quality/dev.jsonl | sha256sum | cut -d' ' -f1)-$seed-$per_locale"
    have="$(cat ".cache/quality/stamp-$seed" 2>/dev/null || true)"
    if [ ! -f "$samples" ] || [ ! -f "$presidio" ] || [ "$have" != "$stamp" ]; then
      run_python scripts/quality/generate.py --seed "$seed" --per-locale "$per_locale" \
        --exclude test/fixtures/quality/dev.jsonl --out "$samples"
      run_python scripts/quality/presidio_run.py --in "$samples" --out "$presidio"
      echo "$stamp" >".cache/quality/stamp-$seed"
    else
      log "reusing $samples and $presidio (unchanged inputs)"
    fi
    echo "$samples"
    echo "$presidio"
    ;;
  *) log "usage: bash scripts/quality.sh setup|dev|test"; exit 2 ;;
esac
