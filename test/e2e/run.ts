// Runs every out/test/e2e/**/*.e2e.js with node's test runner (one file at a time: each
// starts its own code-server + Chromium). Builds and packs the VSIX once first, unless
// CB_E2E_VSIX names one, and hands its path to the tests in CB_E2E_VSIX.
// Arguments filter the files by substring: node out/test/e2e/run.js smoke
// Writes a JUnit report to test-results/e2e-junit.xml beside node's spec output.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureVsix, REPO } from './harness/codeServer';

function main(): number {
  const filters = process.argv.slice(2);
  const files = fs
    .readdirSync(__dirname, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.e2e.js'))
    .map((f) => path.join(__dirname, f))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .sort();
  if (files.length === 0) {
    console.error(`[e2e] no *.e2e.js files under ${__dirname}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
    return 1;
  }
  let t = Date.now();
  if (!process.env['CB_E2E_VSIX']) console.log('[e2e] building (esbuild --production) and packing the VSIX (vsce package)');
  const vsix = ensureVsix();
  console.log(`[e2e] VSIX ${path.relative(REPO, vsix)} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  const junit = path.join(REPO, 'test-results', 'e2e-junit.xml');
  fs.mkdirSync(path.dirname(junit), { recursive: true });
  t = Date.now();
  const res = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-concurrency=1',
      `--test-timeout=${process.env['CB_E2E_TIMEOUT_MS'] ?? 300_000}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=junit',
      `--test-reporter-destination=${junit}`,
      ...files,
    ],
    { stdio: 'inherit', env: { ...process.env, CB_E2E_VSIX: vsix, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } },
  );
  console.log(
    `[e2e] ${files.length} file(s) in ${((Date.now() - t) / 1000).toFixed(1)} s, exit ${res.status ?? res.signal}; JUnit: ${path.relative(REPO, junit)}`,
  );
  if (res.error) throw res.error;
  return res.status ?? 1;
}

try {
  process.exit(main());
} catch (e) {
  console.error(`[e2e] ERROR: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
