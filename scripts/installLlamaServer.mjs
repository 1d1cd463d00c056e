// Builds a real llama-server for the live-server tests (test/unit/server/llamaServerReal.test.ts) into
// .cache/oracles/llama-server/ (ignored by git). It is a development oracle, never part of the extension.
//
// Source and libraries: the llama.cpp v0.4.0 source that node-llama-cpp@3.21.1 ships
// (llama/gitRelease.bundle, commit 80fb11ac) and its prebuilt linux-x64 CPU libraries (libllama,
// libggml*, libllama-common), both installed by scripts/installLlamaCppOracle.mjs. Only the server's
// own files are compiled (tools/server/*.cpp, cpp-httplib, an empty embedded web UI) and linked
// against those libraries; the multimodal library is replaced by scripts/llama-server/mtmdStub.cpp
// (text only), which saves compiling ~50 vision/audio files. About 3 minutes on 2 cores, once.
// Idempotent: a build whose stamp matches the inputs is left alone.
//
// Usage: node scripts/installLlamaServer.mjs  → prints the path of the llama-server binary
// Exit status: 0 built or present; 3 not supported here (not linux-x64, no g++ or git: the test skips);
// 4 node-llama-cpp could not be installed (registry unreachable: the test skips); 1 the build failed.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(repoRoot, '.cache', 'oracles', 'llama-server');
const binary = join(dir, 'bin', 'llama-server');
const stub = join(repoRoot, 'scripts', 'llama-server', 'mtmdStub.cpp');

function unsupported(message) {
  console.error(`llama-server oracle: ${message}`);
  process.exit(3);
}

if (process.platform !== 'linux' || process.arch !== 'x64')
  unsupported(`the prebuilt llama.cpp libraries are linux-x64 only (this is ${process.platform}-${process.arch}).`);
for (const tool of ['g++', 'git']) {
  if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) unsupported(`${tool} is not installed.`);
}

const oracle = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'installLlamaCppOracle.mjs')], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (oracle.status === 3) unsupported('node-llama-cpp is not available for this platform.');
if (oracle.status !== 0) {
  // The npm registry is the usual reason (the test then skips, saying so).
  console.error('llama-server oracle: installing node-llama-cpp failed (is the npm registry reachable?).');
  process.exit(4);
}
const oracleDir = oracle.stdout.trim().split('\n').at(-1);
const bundle = join(oracleDir, 'node_modules', 'node-llama-cpp', 'llama', 'gitRelease.bundle');
const libs = join(oracleDir, 'node_modules', '@node-llama-cpp', 'linux-x64', 'bins', 'linux-x64');
// The definitions llama.cpp's CMake gives these targets (vendor/cpp-httplib/CMakeLists.txt).
const defines = [
  '-DCPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH=1048576',
  '-DCPPHTTPLIB_LISTEN_BACKLOG=512',
  '-DCPPHTTPLIB_REQUEST_URI_MAX_LENGTH=32768',
  '-DCPPHTTPLIB_TCP_NODELAY=1',
];
const compileFlags = ['-std=c++17', '-O0', '-w'];
// Rebuilt when the source, the stub or the recipe changes (not when this file's comments do).
const stamp = createHash('sha256')
  .update(readFileSync(bundle))
  .update(readFileSync(stub))
  .update(JSON.stringify({ defines, compileFlags, recipe: 1 }))
  .digest('hex');
const stampFile = join(dir, 'stamp');
if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log(binary);
  process.exit(0);
}

rmSync(dir, { recursive: true, force: true });
const src = join(dir, 'src');
const obj = join(dir, 'obj');
mkdirSync(obj, { recursive: true });
mkdirSync(dirname(binary), { recursive: true });
run('git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', bundle, src]);

// The embedded web UI: llama.cpp's own embed tool, with no assets (the server then serves no UI).
const ui = join(obj, 'ui');
mkdirSync(ui, { recursive: true });
run('g++', ['-std=c++17', '-O1', join(src, 'tools', 'ui', 'embed.cpp'), '-o', join(obj, 'embed')]);
run(join(obj, 'embed'), [join(ui, 'ui.cpp'), join(ui, 'ui.h')]);

const include = ['include', 'ggml/include', 'common', 'tools/mtmd', 'tools/server', 'vendor', '.'].map((path) => `-I${join(src, path)}`);
const serverDir = join(src, 'tools', 'server');
const sources = [
  ...readdirSync(serverDir)
    .filter((name) => name.endsWith('.cpp'))
    .map((name) => join(serverDir, name)),
  join(src, 'vendor', 'cpp-httplib', 'httplib.cpp'),
  join(ui, 'ui.cpp'),
  stub,
];
const started = Date.now();
await compileAll(sources);
const objects = readdirSync(obj)
  .filter((name) => name.endsWith('.o'))
  .map((name) => join(obj, name));
run('g++', [
  '-o',
  binary,
  ...objects,
  `-L${libs}`,
  '-l:libllama.v0.4.0.so',
  '-l:libggml.v0.4.0.so',
  '-l:libggml-base.so',
  '-l:libllama-common.so',
  `-Wl,-rpath,${libs}`,
  '-lpthread',
]);
// ggml loads its CPU backend (libggml-cpu-<arch>.so) from the executable's folder.
for (const name of readdirSync(libs).filter((file) => file.startsWith('libggml-cpu-')))
  symlinkSync(join(libs, name), join(dirname(binary), name));
writeFileSync(stampFile, stamp);
console.error(`llama-server oracle: built in ${Math.round((Date.now() - started) / 1000)} s`);
console.log(binary);

function run(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    console.error(
      `llama-server oracle: ${basename(command)} ${args.slice(0, 3).join(' ')}… failed (exit ${result.status ?? result.signal}).`,
    );
    process.exit(1);
  }
}

/** Compiles every source at -O0 (the server's speed does not matter here), one job per core. */
async function compileAll(files) {
  const queue = [...files];
  const worker = async () => {
    while (queue.length > 0) {
      const file = queue.shift();
      const out = join(obj, `${basename(file)}.o`);
      const code = await new Promise((done) => {
        const child = spawn('g++', [...compileFlags, ...defines, ...include, `-I${ui}`, '-c', file, '-o', out], {
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        child.on('close', done);
      });
      if (code !== 0) {
        console.error(`llama-server oracle: compiling ${basename(file)} failed.`);
        process.exit(1);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), 4)) }, worker));
}
