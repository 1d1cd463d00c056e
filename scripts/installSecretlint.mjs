// Installs @secretlint/core and its recommended preset into .cache/oracles/secretlint (ignored by git), for
// bench/secretEval.ts, which compares our rules with them. Not a dependency of the extension. Idempotent:
// does nothing when the pinned versions are already there. Prints the folder on success.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const versions = { '@secretlint/core': '13.0.7', '@secretlint/secretlint-rule-preset-recommend': '13.0.7' };
const folder = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
  '.cache',
  'oracles',
  'secretlint',
);

function installed() {
  return Object.entries(versions).every(([name, version]) => {
    const manifest = path.join(folder, 'node_modules', name, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === version;
  });
}

if (!installed()) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, 'package.json'),
    JSON.stringify({ name: 'secretlint-oracle', private: true, dependencies: versions }, null, 2) + '\n',
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['install', '--no-audit', '--no-fund', '--no-package-lock', '--engine-strict=false'], {
    cwd: folder,
    stdio: 'inherit',
  });
}
console.log(folder);
