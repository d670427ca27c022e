#!/usr/bin/env bash
# `npm test`: everything CI proves. Installs what is missing (Node 24, the OPA CLI, npm packages), checks that the
# checked-in policy bundle is built from policies/, runs the Rego tests, the formatter and linter (Biome), the type
# check and the vitest suites.
# Needs PostgreSQL 15 server binaries (Debian: apt-get install postgresql-15); the tests start their own cluster.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/deps.sh --with-opa --with-witness
# The LiteLLM gateway suite needs its proxy (a PyPI virtualenv, once): installed here so `npm test` alone is complete.
# Where it cannot install, the suite skips outside CI and fails under CI=true, naming why.
if ! bash scripts/gateways.sh; then
  echo "gateways: LiteLLM could not be installed; its suite will skip (or fail under CI=true)" >&2
fi
eval "$(bash scripts/toolchain.sh --with-opa --with-witness)"
echo "== policy: opa check, fmt, test" >&2
bash scripts/policy.sh test
echo "== policy: checked-in bundle matches policies/" >&2
bash scripts/policy.sh check
echo "== format and lint (biome, 120 columns: npx biome check --write . fixes what it can)" >&2
npx biome ci --colors=off .
echo "== typecheck" >&2
npx tsc -p tsconfig.json
echo "== vitest" >&2
report="$(mktemp -d)/vitest.json"
status=0
# A run that never ends says so and ends (CI's own limit would end it with no word of why): one file never yielding is
# ended by test/helpers/event-loop-watchdog.ts; this bounds the whole run (PROCTOR_TEST_RUN_S, default 80 minutes).
limit="${PROCTOR_TEST_RUN_S:-4800}"
output="$(dirname "$report")/vitest.out"
set +e
timeout --kill-after=30 "$limit" node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@" 2>&1 |
  tee "$output"
status="${PIPESTATUS[0]}"
set -e
[ "$status" = 124 ] && echo "vitest: the run passed its ${limit} s limit and was ended (PROCTOR_TEST_RUN_S)" >&2
# A file whose worker the runtime itself killed (V8 crashing natively while PGlite's WebAssembly starts in two
# processes at once, nodejs/node#64500), with nothing else red, is run once more alone and the run says so; a second
# crash, or any failed test, stays red. test/helpers/crash-rerun.ts has the exact rule.
if [ "$status" = 1 ] && [ -s "$report" ]; then
  mapfile -t crashed < <(node test/helpers/crash-rerun.ts crashed "$output" "$report")
  if [ "${#crashed[@]}" -gt 0 ]; then
    echo "vitest: ${#crashed[@]} file(s) ended by a native crash of the runtime, no test failed: running them once more: ${crashed[*]}" >&2
    rerun="$(dirname "$report")/rerun.json"
    status=0
    timeout --kill-after=30 "$limit" node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json="$rerun" "${crashed[@]}" ||
      status=$?
    if [ -s "$rerun" ]; then
      node test/helpers/crash-rerun.ts merge "$report" "$rerun" > "$report.merged" && mv "$report.merged" "$report"
    else
      status=1
    fi
  fi
fi
# One plain closing line any CI can read: "tests: N passed, N failed".
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  // A file that failed to load or in a hook has no failed test of its own: it is counted here, never hidden.
  // (numFailedTestSuites counts describe blocks too, so files are counted from their own results.)
  const suites = r.testResults.filter((t) => t.status === "failed").length;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : "")
    + (suites ? `; ${suites} test file(s) failed` : ""));
' "$report" || echo "tests: vitest wrote no report" >&2
exit "$status"
