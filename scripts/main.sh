#!/usr/bin/env bash
# The main job on a fresh machine: install, build, package the VSIX, and run the CLI on the given
# paths (default: this repository's src/). The CLI's own exit status is its verdict (0 within the
# window, memory and budget, 1 not, 2 bad usage); this demonstration reports that verdict in words and
# ends successfully for 0 and 1, failing only on a setup problem or bad usage.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npm ci --no-audit --no-fund
npm run --silent package
echo "VSIX: dist-vsix/context-budget.vsix (install with: code --install-extension dist-vsix/context-budget.vsix)"
echo
status=0
node dist/cli.js "${@:-src}" || status=$?
echo
case "$status" in
  0) echo "Verdict: within the model window, GPU memory and budget (the CLI exits 0)." ;;
  1) echo "Verdict: this prompt does NOT fit the default model (the CLI exits 1, which CI can use as a gate)."
     echo "That is the tool's answer, not a setup failure: see the warnings and the drop plan above, or try"
     echo "  node dist/cli.js ${*:-src} --model <id> --gpu <id>   (context-budget models / gpus list them)"
     status=0 ;;
  *) echo "The CLI failed with exit status $status (bad usage or an error): see its message above." ;;
esac
exit "$status"
