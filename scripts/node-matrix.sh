#!/usr/bin/env bash
# Runs the unit test suite (vitest, same config) on other Node.js versions, each taken from the
# npm registry as the `node` package (which ships the binary): `npx -y node@22`.
#
#   scripts/node-matrix.sh            # the lowest version of each line the package supports
#                                     # (engines: ^20.19.0 || >=22.12.0), and the newest Node
#   scripts/node-matrix.sh 22         # one version
#   NODE_MATRIX="22 24" scripts/node-matrix.sh
#
# Vitest runs under that binary, so process.execPath is it: forked test workers, worker threads and
# child processes the tests start with process.execPath use the same Node. Its directory also goes
# first on PATH, for anything that starts `node` by name.
#
# Left out, to keep CI short: the consumer and browser suites (slow, and not about the Node
# version of the code under test) and the type-level tests (tsc gives the same answer on any Node).
# Prints one line per version and a closing "N passed, N failed" line over all of them.
set -euo pipefail

cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
  versions=("$@")
else
  # The newest Node 20 is the main run's (CI's own node); 22 and 24 between their lowest and newest
  # add little but minutes.
  read -r -a versions <<<"${NODE_MATRIX:-20.19.0 22.12.0 24.0.0 24}"
fi

results_dir="$(mktemp -d "${TMPDIR:-/tmp}/rickmorty-node-matrix.XXXXXX")"
trap 'rm -rf "$results_dir"' EXIT

summary=()
total_passed=0
total_failed=0
status=0

for version in "${versions[@]}"; do
  echo
  echo "== Node ${version}"
  if ! node_bin="$(npx -y "node@${version}" -p process.execPath 2>"$results_dir/npx-${version}.log")"; then
    cat "$results_dir/npx-${version}.log" >&2
    summary+=("node ${version}: could not install node@${version} from the npm registry")
    status=1
    continue
  fi
  actual="$("$node_bin" --version)"
  echo "binary: ${node_bin} (${actual})"
  json="$results_dir/vitest-${version}.json"
  set +e
  PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/vitest/vitest.mjs run \
    --typecheck.enabled=false \
    --exclude test/consumers.test.ts \
    --exclude test/browser.test.ts \
    --reporter=default --reporter=json --outputFile.json="$json"
  code=$?
  set -e
  passed=0
  failed=0
  if [ -f "$json" ]; then
    read -r passed failed < <(
      "$node_bin" -e 'const r = require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests)' "$json"
    )
  fi
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  if [ "$code" -eq 0 ]; then
    summary+=("node ${actual}: ok, ${passed} passed")
  else
    summary+=("node ${actual}: FAILED (exit ${code}), ${passed} passed, ${failed} failed")
    status=1
    # A run that failed outside any test (a suite that did not load) still counts as a failure.
    [ "$failed" -gt 0 ] || total_failed=$((total_failed + 1))
  fi
done

echo
echo "== Node matrix"
printf '%s\n' "${summary[@]}"
echo "node-matrix: ${total_passed} passed, ${total_failed} failed"
exit "$status"
