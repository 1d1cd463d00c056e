#!/usr/bin/env bash
# UI tests (Playwright + code-server): packs the VSIX (node esbuild.mjs --production +
# vsce package, unless CB_E2E_VSIX names one), installs it into a private profile and runs
# every out/test/e2e/**/*.e2e.js with node's test runner. Arguments filter the test files.
# Installs what is missing (scripts/setupVscodeTest.sh); fails on tsc errors unless
# CB_ALLOW_TSC_ERRORS=1. Screenshots: test/e2e/screenshots/; JUnit: test-results/e2e-junit.xml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
start=$(date +%s)
log() { printf '[test-e2e] %s\n' "$*"; }

[ -d node_modules ] || { log "npm ci"; npm ci --no-audit --no-fund; }
bash scripts/setupVscodeTest.sh

log "tsc -p tsconfig.json"
rm -rf out/test/e2e
if ! node node_modules/typescript/bin/tsc -p tsconfig.json; then
  if [ "${CB_ALLOW_TSC_ERRORS:-}" = 1 ]; then log "tsc reported errors; going on (CB_ALLOW_TSC_ERRORS=1)"
  else log "FAILED: tsc reported type errors"; exit 1; fi
fi

log "running UI tests"
rc=0
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 node out/test/e2e/run.js "$@" || rc=$?
log "done in $(( $(date +%s) - start ))s, exit $rc"
exit $rc
