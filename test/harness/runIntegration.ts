// Runs the integration suites (out/test/integration) inside a real extension host.
//
// By default the "VS Code executable" is test/harness/codeServerExecutable.js, which runs
// them in code-server + headless Chromium (desktop VS Code cannot be downloaded here; run
// scripts/setupVscodeTest.sh first). With CB_USE_DESKTOP_VSCODE=1, @vscode/test-electron
// downloads and runs desktop VS Code instead (needs network access to update.code.visualstudio.com).
// CB_TEST_FIXTURE names the folder under test/fixtures to open (default workspace-basic);
// it is copied fresh to a temp folder for every run. CB_TEST_WORKSPACE opens a folder as it is
// instead (benchmarks generate theirs), and CB_TEST_SUITE names another compiled suite entry
// relative to out/ (default test/integration/index.js; the extension-host bench uses its own).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests, TestRunFailedError } from '@vscode/test-electron';

// Compiled to out/test/harness/runIntegration.js.
const REPO = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  const extensionTestsPath = path.join(REPO, 'out', ...(process.env['CB_TEST_SUITE'] ?? 'test/integration/index.js').split('/'));
  if (!fs.existsSync(extensionTestsPath)) throw new Error(`${extensionTestsPath} missing: compile with tsc first`);
  if (!fs.existsSync(path.join(REPO, 'dist', 'extension.js'))) throw new Error('dist/extension.js missing: run node esbuild.mjs first');

  const given = process.env['CB_TEST_WORKSPACE'];
  const fixture = path.join(REPO, 'test', 'fixtures', process.env['CB_TEST_FIXTURE'] ?? 'workspace-basic');
  const workspace = given ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cb-integration-ws-'));
  if (!given) fs.cpSync(fixture, workspace, { recursive: true });

  const desktop = process.env['CB_USE_DESKTOP_VSCODE'] === '1';
  const profile = path.join(REPO, '.cache', 'vscode-test', 'desktop-profile');
  let vscodeExecutablePath: string | undefined;
  if (!desktop) {
    vscodeExecutablePath = path.join(REPO, 'test', 'harness', 'codeServerExecutable.js');
    fs.chmodSync(vscodeExecutablePath, 0o755); // spawned directly: needs its exec bit
  }
  const started = Date.now();
  try {
    await runTests({
      ...(vscodeExecutablePath ? { vscodeExecutablePath } : {}),
      extensionDevelopmentPath: REPO,
      extensionTestsPath,
      launchArgs: [
        workspace,
        '--disable-extensions',
        `--user-data-dir=${path.join(profile, 'user-data')}`,
        `--extensions-dir=${path.join(profile, 'extensions')}`,
      ],
    });
    console.log(`[runIntegration] passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    if (e instanceof TestRunFailedError) {
      console.error(`[runIntegration] FAILED: ${e.message} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return e.code ?? 1;
    }
    throw e;
  } finally {
    if (!given) fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('[runIntegration] ERROR:', e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
