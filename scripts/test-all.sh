#!/usr/bin/env bash
# The one command that runs ALL tests from a clean clone: installs dependencies (npm ci, Node 24 +
# code-server, Chromium), typechecks, lints, runs the unit tests, builds and packages the VSIX,
# then runs the integration tests in the real extension host and the Playwright UI tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
step() { printf '\n==== %s ====\n' "$*"; }

step "install dependencies"
npm ci --no-audit --no-fund
step "install the VS Code test environment"
bash scripts/setupVscodeTest.sh
step "typecheck"
npx tsc --noEmit -p tsconfig.json
npx tsc --noEmit -p src/webview/tsconfig.json
step "lint"
npx eslint . --max-warnings=0
npx prettier --check .
step "unit tests"
node scripts/runUnitTests.mjs
step "build and package"
npm run --silent package
step "integration tests (real extension host)"
bash scripts/test-integration.sh
step "UI tests (Playwright in the real workbench)"
bash scripts/test-e2e.sh
step "all tests passed"
