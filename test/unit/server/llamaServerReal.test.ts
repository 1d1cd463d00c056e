// The live check against the real llama-server: built from the llama.cpp v0.4.0 source node-llama-cpp
// 3.21.1 ships, against its prebuilt CPU libraries (scripts/installLlamaServer.mjs, a development oracle
// cached in .cache/), serving a tiny GGUF this test writes. For several -c / -np settings:
// - the check reads the slot context the server really has, and it equals what the llama.cpp profile
//   computes (n_ctx padded to 256, split per slot, padded again; -c 0 means n_ctx_train);
// - the prompt handling the verdict predicts (refused at n_ctx tokens and above, taken below) is what
//   the server does with prompts of exactly those lengths (sent as token ids, so the count is exact);
// - the fix it proposes (-c for all slots) makes the refused prompt pass when the server is restarted with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { contextFixOf, serverHandling } from '../../../src/core/analysis/engineVerdict';
import { llamaCppKvCaches } from '../../../src/core/cost/engineProfiles';
import { findGpu } from '../../../src/core/model/catalog';
import { ggufToModelSpec } from '../../../src/core/model/gguf';
import { readGgufHeader } from '../../../src/core/model/ggufHeader';
import type { ModelSpec } from '../../../src/core/model/modelSpec';
import type { ServerReading } from '../../../src/core/server/serverCheck';
import { runServerCheck } from '../../../src/core/server/serverWatch';
import { nodeServerHttp } from '../../../src/node/serverHttp';
import { VirtualReader } from '../model/ggufFixture';
import { tiny, tinyGguf } from '../engine/tinyGguf';

const repoRoot = resolve(__dirname, '..', '..', '..', '..');

/** Builds (once) or finds the server; the reason when this machine cannot have it. */
function serverBinary(): { path?: string; reason?: string } {
  const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'installLlamaServer.mjs')], { encoding: 'utf8', timeout: 1_800_000 });
  if (run.status === 0) return { path: run.stdout.trim().split('\n').pop()! };
  if (run.status === 3 || run.status === 4) return { reason: run.stderr.trim().split('\n').pop() };
  throw new Error(`installLlamaServer.mjs failed (exit ${run.status}):\n${run.stderr}`);
}

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((done) => probe.close(done));
  return port;
}

/** Starts llama-server and waits until /health answers 200 (the model is loaded). */
async function startServer(
  binary: string,
  model: string,
  ctx: number,
  slots: number,
): Promise<{ child: ChildProcess; url: string; log: () => string }> {
  const port = await freePort();
  let log = '';
  const child = spawn(
    binary,
    ['-m', model, '-c', String(ctx), '-np', String(slots), '-t', '1', '--host', '127.0.0.1', '--port', String(port)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited (${child.exitCode}):\n${log.slice(-2000)}`);
    const status = await new Promise<number>((done) =>
      http
        .get(`${url}/health`, (res) => {
          res.resume();
          done(res.statusCode ?? 0);
        })
        .on('error', () => done(0)),
    );
    if (status === 200) return { child, url, log: () => log };
    if (Date.now() > deadline) throw new Error(`llama-server did not become healthy:\n${log.slice(-2000)}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** POST /completion with a prompt of exactly `tokens` token ids: 'accepted' or the server's error. */
async function complete(url: string, tokens: number): Promise<{ accepted: boolean; message: string }> {
  // Ids 3.. are the byte tokens of the tiny vocabulary; any valid id will do.
  const body = JSON.stringify({ prompt: Array.from({ length: tokens }, (_, i) => 3 + (i % 200)), n_predict: 1, cache_prompt: false });
  const answer = await new Promise<{ status: number; text: string }>((done, fail) => {
    const req = http.request(`${url}/completion`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    req.end(body);
  });
  const json = JSON.parse(answer.text) as { error?: { message?: string } };
  return { accepted: answer.status === 200 && json.error === undefined, message: json.error?.message ?? '' };
}

async function tinyModel(dir: string): Promise<{ path: string; spec: ModelSpec }> {
  const bytes = tinyGguf('llama', 2);
  const path = join(dir, 'tiny-llama.gguf');
  writeFileSync(path, bytes);
  const header = await readGgufHeader(new VirtualReader(bytes, bytes.length));
  return { path, spec: ggufToModelSpec(header, { id: 'tiny-llama', sourcePath: path }) };
}

/** The slot context the llama.cpp profile computes for `-c ctx -np slots` (0 = n_ctx_train), capped at n_ctx_train as llama-server's n_ctx_slot() does. */
function profileSlotContext(spec: ModelSpec, ctx: number, slots: number): number {
  const caches = llamaCppKvCaches(spec, {
    nCtx: ctx === 0 ? tiny.ctxTrain : ctx,
    nSeqMax: slots,
    nUbatch: 512,
    kvUnified: false,
    swaFull: false,
    typeK: 'f16',
    typeV: 'f16',
    mla: false,
  });
  return Math.min(caches[0]!.cells, tiny.ctxTrain);
}

test('the live check reads the real llama-server, predicts what it refuses, and its fix works', { timeout: 2_400_000 }, async (t) => {
  const binary = serverBinary();
  if (!binary.path) {
    t.skip(`real llama-server unavailable: ${binary.reason ?? 'unknown'}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cb-llama-server-'));
  try {
    const model = await tinyModel(dir);
    for (const [ctx, slots] of [
      [2048, 2],
      [5000, 3],
      [0, 1],
    ] as const) {
      const server = await startServer(binary.path, model.path, ctx, slots);
      try {
        const check = await runServerCheck(server.url, '--server', (address) => nodeServerHttp(address));
        assert.equal(check.status, 'ok', check.status === 'failed' ? check.message : '');
        const reading = check as ServerReading & { limitTokens: number };
        const expected = profileSlotContext(model.spec, ctx, slots);
        assert.equal(reading.kind, 'llama.cpp');
        assert.equal(reading.limitTokens, expected, `-c ${ctx} -np ${slots}: slot n_ctx`);
        assert.equal(reading.slots, slots);
        assert.equal(reading.trainContextTokens, tiny.ctxTrain);
        t.diagnostic(`-c ${ctx} -np ${slots}: the server reports n_ctx ${reading.limitTokens} per slot; the profile computes ${expected}`);
        if (ctx !== 2048) continue;

        // Refused at n_ctx and above, taken below: the verdict against the server, prompt by prompt.
        for (const tokens of [reading.limitTokens - 2, reading.limitTokens - 1, reading.limitTokens, reading.limitTokens + 1]) {
          const predicted = serverHandling(reading, model.spec, tokens, 0);
          const actual = await complete(server.url, tokens);
          assert.equal(
            actual.accepted,
            predicted.kind === 'accepted',
            `${tokens} tokens: server ${actual.accepted ? 'took it' : `refused it (${actual.message})`}, predicted ${predicted.kind}`,
          );
          if (!actual.accepted) {
            assert.match(
              actual.message,
              new RegExp(`^request \\(${tokens} tokens\\) exceeds the available context size \\(${reading.limitTokens} tokens\\)`),
            );
          }
        }

        // The fix for a refused 1,500-token prompt (no reserved output): restart with the -c it names, and the prompt passes.
        const prompt = 1500;
        const gpu = findGpu('h100-sxm')!;
        const fix = contextFixOf({
          costInput: {
            model: model.spec,
            gpu,
            gpuCount: 1,
            promptTokens: prompt,
            reserveOutputTokens: 0,
            weightDtype: 'native',
            kvDtype: 'f16',
            batchSize: 1,
            memoryUtilization: 0.9,
            computeEfficiency: 0.7,
            memoryEfficiency: 0.9,
            engine: { engine: 'llama.cpp' },
          },
          engine: 'llama.cpp',
          currentLimit: reading.limitTokens,
          handling: serverHandling(reading, model.spec, prompt, 0),
          reading,
        })!;
        const flag = /^restart llama-server with -c ([\d,]+)/.exec(fix.change);
        assert.ok(flag, fix.change);
        const fixedCtx = Number(flag[1]!.replace(/,/g, ''));
        assert.equal(fixedCtx, 1536 * slots, 'pad256(1,500 + 1) = 1,536 per slot');
        assert.equal((await complete(server.url, prompt)).accepted, false);
        await stopServer(server.child);
        const fixed = await startServer(binary.path, model.path, fixedCtx, slots);
        try {
          const recheck = await runServerCheck(fixed.url, '--server', (address) => nodeServerHttp(address));
          assert.equal(recheck.status === 'ok' && recheck.limitTokens, 1536);
          assert.equal((await complete(fixed.url, prompt)).accepted, true, 'the fix makes the prompt pass');
        } finally {
          await stopServer(fixed.child);
        }
      } finally {
        await stopServer(server.child);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
