import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TokenizerPool } from '../../../src/node/tokenizerPool';
import type { TokenizerPoolOptions } from '../../../src/node/tokenizerPool';
import { oracleEncode } from './oracleSupport';

// tsc output works as a worker: CommonJS, relative requires, ranks required lazily from node_modules.
const workerScript = join(__dirname, '..', '..', '..', 'src', 'worker', 'tokenizerWorker.js');

/** A worker that exits on the text "CRASH" and otherwise behaves like the real one. */
function crashingWorkerScript(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cb-pool-'));
  const path = join(dir, 'crashingWorker.js');
  writeFileSync(
    path,
    `const { parentPort } = require('node:worker_threads');\n` +
      `parentPort.on('message', (r) => { if (r.kind === 'text' && r.text === 'CRASH') process.exit(3); });\n` +
      `require(${JSON.stringify(workerScript)});\n`,
  );
  return path;
}

/** Text that takes the worker a noticeable while (one long piece), so it is still running when cancelled. */
const slowText = 'x'.repeat(3 * 1024 * 1024);

describe('TokenizerPool', () => {
  const pools: TokenizerPool[] = [];
  const newPool = (size = 2, script = workerScript, options: Partial<TokenizerPoolOptions> = {}): TokenizerPool => {
    const pool = new TokenizerPool({ workerScript: script, size, ...options });
    pools.push(pool);
    return pool;
  };
  after(async () => {
    await Promise.all(pools.map((pool) => pool.dispose()));
  });

  it('a small file is not held up behind a large one: with one worker busy on a large job, an overflow worker takes it', async () => {
    const pool = newPool(1);
    const large = 'x'.repeat(1024 * 1024);
    const small = 'const small = "file";\n';
    const finished: string[] = [];
    const largeCount = pool.countText(large, 'o200k_base').then((outcome) => (finished.push('large'), outcome));
    const smallCount = pool.countText(small, 'o200k_base').then((outcome) => (finished.push('small'), outcome));
    const [largeOutcome, smallOutcome] = await Promise.all([largeCount, smallCount]);
    assert.deepEqual(finished, ['small', 'large']);
    // The oracle cannot take a 1 MB one-letter run; 'x' × 8 is one token, as the cancel tests use.
    assert.equal(
      largeOutcome.kind === 'counted' && largeOutcome.tokens,
      oracleEncode('o200k_base', 'x'.repeat(8)).length * (large.length / 8),
    );
    assert.equal(smallOutcome.kind === 'counted' && smallOutcome.tokens, oracleEncode('o200k_base', small).length);
    // Two large jobs on a one-worker pool still run one after the other: the overflow worker is for small ones only.
    const order: string[] = [];
    await Promise.all([
      pool.countText('b'.repeat(600 * 1024), 'o200k_base').then(() => order.push('first')),
      pool.countText('c'.repeat(600 * 1024), 'o200k_base').then(() => order.push('second')),
    ]);
    assert.deepEqual(order, ['first', 'second']);
  });

  it('keeps an idle overflow worker for a while, so a run of large files starts it once; a batch pool has none', async () => {
    const pool = newPool(1, workerScript, { overflowIdleMs: 60_000 });
    const round = (): Promise<unknown> =>
      Promise.all([pool.countText('d'.repeat(700 * 1024), 'o200k_base'), pool.countText('small\n', 'o200k_base')]);
    for (let i = 0; i < 3; i++) await round();
    assert.equal(pool.stats().workersStarted, 2, 'one worker and one overflow worker for three large files');

    const batch = newPool(1, workerScript, { overflowWorker: false });
    const finished: string[] = [];
    await Promise.all([
      batch.countText('e'.repeat(700 * 1024), 'o200k_base').then(() => finished.push('large')),
      batch.countText('small\n', 'o200k_base').then(() => finished.push('small')),
    ]);
    assert.deepEqual(finished, ['large', 'small'], 'in order: no overflow worker');
    assert.equal(batch.stats().workersStarted, 1);
  });

  it('counts many texts concurrently, each exactly', async () => {
    const pool = newPool(2);
    const texts = Array.from({ length: 24 }, (_, i) => `function f${i}(a, b) { return a ${'+ b '.repeat(i)}; } // ✨ ${i}`);
    const outcomes = await Promise.all(texts.map((text, i) => pool.countText(text, i % 2 === 0 ? 'o200k_base' : 'cl100k_base')));
    outcomes.forEach((outcome, i) => {
      assert.equal(outcome.kind, 'counted');
      const encoding = i % 2 === 0 ? 'o200k_base' : 'cl100k_base';
      assert.equal(outcome.kind === 'counted' && outcome.tokens, oracleEncode(encoding, texts[i] as string).length);
    });
    assert.equal(pool.stats().tokenizations, 24);
  });

  it('answers identical content from the cache without a second tokenization', async () => {
    const pool = newPool(1);
    const bytes = () => new TextEncoder().encode('export const answer = 42;\n');
    const first = await pool.countBytes(bytes(), 'o200k_base');
    const second = await pool.countBytes(bytes(), 'o200k_base');
    assert.equal(first.kind === 'counted' && first.cached, false);
    assert.equal(second.kind === 'counted' && second.cached, true);
    assert.deepEqual({ ...first, cached: true }, second);
    assert.deepEqual(pool.stats(), {
      requests: 2,
      cacheHits: 1,
      persistentHits: 0,
      tokenizations: 1,
      workerCrashes: 0,
      workersTerminated: 0,
      tokenizersSent: 0,
      workersStarted: 1,
    });
    // Another encoding is another count.
    await pool.countBytes(bytes(), 'cl100k_base');
    assert.equal(pool.stats().tokenizations, 2);
  });

  it('transfers whole buffers and copies views into larger ones', async () => {
    const pool = newPool(1);
    const whole = new TextEncoder().encode('hello world');
    await pool.countBytes(whole, 'o200k_base');
    assert.equal(whole.byteLength, 0, 'transferred, so detached');
    const backing = new TextEncoder().encode('__hello world__');
    const view = backing.subarray(2, 13);
    const outcome = await pool.countBytes(view, 'o200k_base');
    assert.equal(backing.byteLength, 15, 'not detached');
    assert.equal(outcome.kind === 'counted' && outcome.tokens, 2);
  });

  it('drops a cancelled queued request and keeps going', async () => {
    const pool = newPool(1);
    const running = pool.countText(slowText, 'o200k_base');
    const controller = new AbortController();
    // Large too: a small request would go to the overflow worker instead of the queue.
    const queued = pool.countText('queued text '.repeat(50_000), 'o200k_base', controller.signal);
    controller.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    const outcome = await running;
    assert.equal(outcome.kind === 'counted' && outcome.tokens, oracleEncode('o200k_base', 'x'.repeat(8)).length * (slowText.length / 8));
    assert.equal(pool.stats().tokenizations, 1);
    assert.equal(pool.stats().workersTerminated, 0);
  });

  it('terminates the worker of a cancelled running request and recovers', async () => {
    const pool = newPool(1);
    const controller = new AbortController();
    const running = pool.countText(slowText + 'y', 'cl100k_base', controller.signal);
    const next = pool.countText('after the cancel', 'cl100k_base');
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(running, { name: 'AbortError' });
    const outcome = await next;
    assert.equal(outcome.kind === 'counted' && outcome.tokens, oracleEncode('cl100k_base', 'after the cancel').length);
    assert.equal(pool.stats().workersTerminated, 1);
  });

  it('rejects immediately when the signal is already aborted', async () => {
    const pool = newPool(1);
    await assert.rejects(pool.countText('x', 'o200k_base', AbortSignal.abort()), { name: 'AbortError' });
    assert.equal(pool.stats().tokenizations, 0);
  });

  it('fails only the request whose worker crashed, then recovers', async () => {
    const pool = newPool(1, crashingWorkerScript());
    const crash = pool.countText('CRASH', 'o200k_base');
    const after = pool.countText('still fine', 'o200k_base');
    await assert.rejects(crash, /tokenizer worker exited with code 3/);
    const outcome = await after;
    assert.equal(outcome.kind === 'counted' && outcome.tokens, oracleEncode('o200k_base', 'still fine').length);
    assert.equal(pool.stats().workerCrashes, 1);
  });

  it('skips binary files with a specific reason', async () => {
    const pool = newPool(1);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
    // The content hash lets the persistent cache remember a binary file by its change stamp too.
    assert.deepEqual(await pool.countBytes(png.slice(), 'o200k_base'), {
      kind: 'skipped',
      reason: 'PNG image signature',
      contentHash: sha256(png),
    });
    const nul = Uint8Array.from([0x61, 0x00, 0x62]);
    assert.deepEqual(await pool.countBytes(nul.slice(), 'o200k_base'), {
      kind: 'skipped',
      reason: 'contains NUL bytes (binary)',
      contentHash: sha256(nul),
    });
  });

  it('strips a UTF-8 BOM and reports it and invalid sequences', async () => {
    const pool = newPool(1);
    const bytes = Uint8Array.from([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('const x = 1; caf'), 0xe9]);
    const outcome = await pool.countBytes(bytes, 'o200k_base');
    assert.equal(outcome.kind, 'counted');
    if (outcome.kind !== 'counted') return;
    assert.equal(outcome.hadUtf8Bom, true);
    assert.equal(outcome.invalidUtf8Sequences, 1);
    assert.equal(outcome.bytes, 20);
    assert.equal(outcome.tokens, oracleEncode('o200k_base', 'const x = 1; caf\uFFFD').length);
  });

  it('rejects pending work on dispose', async () => {
    const pool = newPool(1);
    const running = pool.countText(slowText + 'z', 'o200k_base');
    const queued = pool.countText('queued', 'o200k_base');
    // Attach the expectations first: dispose() rejects synchronously.
    const expectations = [assert.rejects(running, { name: 'AbortError' }), assert.rejects(queued, { name: 'AbortError' })];
    await pool.dispose();
    await Promise.all(expectations);
  });
});
