// Installs the real llama.cpp the engine-profile test checks against: node-llama-cpp@3.21.1 with its
// prebuilt linux-x64 CPU binaries (llama.cpp v0.4.0), into .cache/oracles/node-llama-cpp/ (ignored by
// git). It is a development oracle, never a dependency of the extension. Idempotent: a second run with
// the right versions present does nothing.
//
// Usage: node scripts/installLlamaCppOracle.mjs   → prints the folder holding node_modules/node-llama-cpp
// Exit status: 0 installed or present; 3 platform not supported (the test skips); 1 install failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const version = '3.21.1';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(repoRoot, '.cache', 'oracles', 'node-llama-cpp');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`node-llama-cpp oracle: prebuilt binaries are installed for linux-x64 only (this is ${process.platform}-${process.arch}).`);
  process.exit(3);
}

const installedVersion = (name) => {
  const file = join(dir, 'node_modules', ...name.split('/'), 'package.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
};

if (installedVersion('node-llama-cpp') === version && installedVersion('@node-llama-cpp/linux-x64') === version) {
  console.log(dir);
  process.exit(0);
}

mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'package.json'),
  `${JSON.stringify({ name: 'llama-cpp-oracle', private: true, description: 'Development oracle for test/unit/engine (not shipped)' }, null, 2)}\n`,
);
// --omit=optional skips the CUDA/Vulkan/macOS binary packages; the CPU one is named explicitly.
// --ignore-scripts: node-llama-cpp's postinstall would try to download or build llama.cpp, which the
// prebuilt binaries make unnecessary (and the network may not allow).
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(
  npm,
  [
    'install',
    '-E',
    '--omit=optional',
    '--ignore-scripts',
    '--no-audit',
    '--no-fund',
    '--prefix',
    dir,
    `node-llama-cpp@${version}`,
    `@node-llama-cpp/linux-x64@${version}`,
  ],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
if (result.status !== 0) {
  console.error(`node-llama-cpp oracle: npm install failed (exit ${result.status ?? result.signal}).`);
  process.exit(1);
}
console.log(dir);
