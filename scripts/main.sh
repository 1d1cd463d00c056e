#!/usr/bin/env bash
# The main job on a fresh machine: install, build, package the VSIX, and run the CLI on the given
# paths (default: this repository's src/).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm ci --no-audit --no-fund
npm run --silent package
echo "VSIX: dist-vsix/context-budget.vsix (install with: code --install-extension dist-vsix/context-budget.vsix)"
node dist/cli.js "${@:-src}"
