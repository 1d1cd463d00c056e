// `--server URL` end to end in the CLI, against loopback servers that answer as llama-server (captured
// answers) and Ollama (its documented examples, with the loaded num_ctx changed per test), and ones that
// answer nothing useful: the limit reaches the report, the files cut are named, bad input is exit 2.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { llamaServer, ollamaPs, ollamaShow } from '../server/serverFixtures';

async function run(args: string[], cwd = process.cwd()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
  return { code, out, err };
}

/** A loopback server answering `routes` ("GET /props" → body) with 200, anything else 404. */
async function serve(routes: Record<string, string>): Promise<{ url: string; close: () => Promise<void>; seen: string[] }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    seen.push(key);
    req.resume();
    if (Object.prototype.hasOwnProperty.call(routes, key)) res.writeHead(200, { 'content-type': 'application/json' }).end(routes[key]);
    else res.writeHead(404).end('404 page not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

describe('--server', () => {
  let llama: Awaited<ReturnType<typeof serve>>;
  let ollama: Awaited<ReturnType<typeof serve>>;
  let dir: string;

  before(async () => {
    llama = await serve({ 'GET /props': llamaServer.props, 'GET /slots': llamaServer.slots, 'GET /v1/models': llamaServer.models });
    // Ollama with the documented gemma4 example loaded at num_ctx 2,048 (context_length rewritten from 4,096).
    ollama = await serve({
      'GET /api/ps': ollamaPs.replace('"context_length":4096', '"context_length":2048'),
      'POST /api/show': ollamaShow,
    });
    dir = mkdtempSync(path.join(tmpdir(), 'cb-server-cli-'));
    // Three files of about 1,000 tokens each (o200k_base: "word " × 1,000 → 1,000 tokens).
    for (const name of ['a.md', 'b.md', 'c.md']) writeFileSync(path.join(dir, name), 'word '.repeat(1000));
  });

  after(async () => {
    await llama.close();
    await ollama.close();
  });

  it('llama-server: its n_ctx is the window, the risk names it, the prompt is refused, and the fix is printed', async () => {
    const { code, out } = await run([
      'estimate',
      '--tokens',
      '3000',
      '--model',
      'llama-3.1-8b',
      '--engine',
      'llama.cpp',
      '--server',
      llama.url,
    ]);
    assert.equal(code, 1);
    assert.match(
      out,
      new RegExp(
        `^server {5}llama-server at ${llama.url.replace(/\./g, '\\.')}: n_ctx 1,024 per slot × 2 slots, model /tmp/llsrc/tiny-llama\\.gguf$`,
        'm',
      ),
    );
    assert.match(out, /^window {5}693% of server n_ctx 1,024 /m);
    assert.match(out, /^risk {7}beyond \(server n_ctx 1,024\)$/m);
    assert.match(out, /will reject this prompt: it is 3,000 tokens and the server takes at most 1,023 \(server n_ctx 1,024\)/);
    // Prompt 3,000 + 4,096 reserved = 7,096 per slot → pad256 = 7,168, × 2 slots.
    assert.match(out, /^fix: To fit, restart llama-server with -c 14,336 \(--ctx-size; 2 slots × 7,168 tokens\)/m);
    // The engine knobs follow the server: 2 slots of 1,024 cells × 128 KiB = 256 MiB.
    assert.match(out, /^memory {5}KV cache 256 MiB \+/m);
    assert.match(
      out,
      /^ {2}- context 1,024 per sequence \(as llama-server at http:\/\/127\.0\.0\.1:\d+ reports: 2 slots, GET \/props\), -np 2$/m,
    );
  });

  it('JSON carries the server reading and the window limit', async () => {
    const { out } = await run([
      'estimate',
      '--tokens',
      '500',
      '--model',
      'llama-3.1-8b',
      '--server',
      llama.url,
      '--reserve-output',
      '0',
      '--json',
    ]);
    const json = JSON.parse(out) as {
      server: { status: string; kind: string; limitTokens: number; slots: number };
      windowLimit: { label: string };
      risk: { windows: { max: number } };
      withinLimits: boolean;
      warnings: Array<{ id: string }>;
    };
    assert.deepEqual([json.server.status, json.server.kind, json.server.limitTokens, json.server.slots], ['ok', 'llama.cpp', 1024, 2]);
    assert.equal(json.windowLimit.label, 'server n_ctx 1,024');
    assert.equal(json.risk.windows.max, 1024);
    assert.equal(json.withinLimits, true);
    // The profile is ideal while the server is llama-server: said, as info.
    assert.ok(json.warnings.some((warning) => warning.id === 'server-engine-mismatch'));
  });

  it('Ollama: files counted and the ones its front-drop cuts are named; exit 1', async () => {
    const { code, out } = await run(['a.md', 'b.md', 'c.md', '--model', 'llama-3.1-8b', '--engine', 'ollama', '--server', ollama.url], dir);
    assert.equal(code, 1);
    assert.ok(ollama.seen.includes('POST /api/show'));
    assert.match(out, /^server {5}Ollama at .*: num_ctx 2,048, 4\.97 GiB VRAM, model gemma4$/m);
    // Each file is 1,001 tokens (o200k_base: 1,000 × "word " and the last space): prompt 3,003. At num_ctx 2,048 the prompt is
    // cut to 2,048 − ⌊(2,048 − 5) / 2⌋ = 1,027 tokens: the first 5 kept, the next 3,003 − 1,027 = 1,976 dropped: [5, 1,981).
    // a.md [0, 1,001) loses all but 5 tokens (part), b.md [1,001, 2,002) loses [1,001, 1,981) (part), c.md is kept.
    assert.match(
      out,
      /\[error\] Ollama at http:\/\/127\.0\.0\.1:\d+ will drop the first 1,976 tokens: a\.md \(part\), b\.md \(part\) \(it keeps the first 5; server num_ctx 2,048\)/,
    );
    assert.match(out, /^a\.md {7}1,001 {5}33% {2}CUT\(part\)/m);
    assert.match(out, /^b\.md {7}1,001 {5}33% {2}CUT\(part\)/m);
    assert.match(out, /^ {2}- num_ctx 2,048 \(as Ollama at http:\/\/127\.0\.0\.1:\d+ has the model loaded, GET \/api\/ps\)$/m);
    assert.doesNotMatch(out, /your setting/);
    assert.match(out, /^ {2}- GET \/api\/ps: gemma4, context_length 2,048, size_vram 5,333,539,264 B$/m);
  });

  it('a URL that is not one: exit 2 before anything is counted, naming --server', async () => {
    const { code, err } = await run(['estimate', '--tokens', '10', '--server', 'localhost:8080']);
    assert.equal(code, 2);
    assert.match(
      err,
      /^context-budget: --server "localhost:8080" has no http:\/\/ or https:\/\/ \(did you mean http:\/\/localhost:8080\?\)\.$/m,
    );
  });

  it('nothing listening: the report still comes, with a warning naming --server, and quickly', async () => {
    const closed = await serve({});
    await closed.close();
    const started = Date.now();
    const { code, out } = await run(['estimate', '--tokens', '1000', '--server', closed.url]);
    assert.equal(code, 0, 'an unreadable server is not a limit');
    assert.match(
      out,
      new RegExp(
        `\\[warning\\] Server check failed: --server ${closed.url.replace(/\./g, '\\.')}: no answer from .*: connection refused: nothing listens there \\(ECONNREFUSED\\)\\.`,
      ),
    );
    assert.match(out, /^server {5}not read: --server /m);
    assert.ok(Date.now() - started < 3000);
  });

  it('another product on the port: the warning says what each endpoint answered', async () => {
    const other = await serve({ 'GET /v1/models': '<html>nginx</html>' });
    try {
      const { out } = await run(['estimate', '--tokens', '1000', '--server', other.url]);
      assert.match(
        out,
        /Server check failed: --server .* is not a server Context Budget can read: GET \/props HTTP 404; GET \/api\/ps HTTP 404; GET \/v1\/models HTTP 200 but not JSON \("<html>nginx<\/html>"\)/,
      );
    } finally {
      await other.close();
    }
  });

  it('a usage error after --server does not wait for the server', async () => {
    const silent = http.createServer(() => undefined);
    await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    try {
      const started = Date.now();
      const { code } = await run([
        'estimate',
        '--tokens',
        '10',
        '--model',
        './missing/config.json',
        '--server',
        `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      ]);
      assert.equal(code, 2);
      assert.ok(Date.now() - started < 1500, `${Date.now() - started} ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((done) => silent.close(done));
    }
  });
});

describe('flags and settings validation around the engine', () => {
  it('out-of-range and unknown values are usage errors naming the flag', async () => {
    for (const [args, pattern] of [
      [['--engine', 'tgi'], /^context-budget: --engine must be one of ideal, llama\.cpp, ollama, lmstudio, vllm, sglang \(got "tgi"\)\.$/m],
      [
        ['--num-ctx', '0'],
        /^context-budget: --num-ctx must be a whole number from 1 to 1,073,741,824, or null for the engine's default \(got 0\)\.$/m,
      ],
      [['--max-model-len', '0'], /^context-budget: --max-model-len must be a whole number from 1 to 1,073,741,824/m],
      [
        ['--server', 'ftp://host'],
        /^context-budget: --server "ftp:\/\/host" uses ftp:, but only http:\/\/ and https:\/\/ servers can be checked\.$/m,
      ],
    ] as const) {
      const { code, err } = await run(['estimate', '--tokens', '10', ...args]);
      assert.equal(code, 2, args.join(' '));
      assert.match(err, pattern);
    }
  });
});
