#!/usr/bin/env bash
# The whole test suite: type check, Node tests, WebGPU tests in headless Chromium (SwiftShader),
# and end-to-end tests of the built page. Ends with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit 1

mkdir -p .cache
status=0
echo "== type check"
npx tsc --noEmit -p tsconfig.json || status=1

echo "== vitest (node, browser/WebGPU, e2e)"
npx vitest run --reporter=default --reporter=json --outputFile=.cache/vitest.json "$@" || status=1

node -e '
  const fs = require("fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(".cache/vitest.json", "utf8")); } catch { console.log("0 passed, 1 failed"); process.exit(0); }
  const failed = (r.numFailedTests || 0) + (r.numFailedTestSuites || 0) - 0;
  console.log(`${r.numPassedTests || 0} passed, ${r.numFailedTests || 0} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  if (!r.numTotalTests) { console.log("no test ran"); process.exit(1); }
' || status=1
exit $status
