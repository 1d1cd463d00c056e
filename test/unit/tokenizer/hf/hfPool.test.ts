// tokenizer.json counting through the worker pool: ids, lazy delivery to workers, cache keys,
// one clear error for an unusable file, and a 100 MB file that never blocks the caller's thread.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TokenizerPool, TokenizerUnavailableError } from '../../../../src/node/tokenizerPool';
import { oracleEncode } from '../oracleSupport';
import { familyFile, oracle, oracleIds, oracleUnavailable } from './hfOracle';

const workerScript = join(__dirname, '..', '..', '..', '..', 'src', 'worker', 'tokenizerWorker.js');

describe('TokenizerPool with tokenizer.json', { skip: oracleUnavailable() }, () => {
  const pools: TokenizerPool[] = [];
  const newPool = (size = 2, maxTokenizerBytes?: number): TokenizerPool => {
    const pool = new TokenizerPool({ workerScript, size, ...(maxTokenizerBytes === undefined ? {} : { maxTokenizerBytes }) });
    pools.push(pool);
    return pool;
  };
  after(async () => {
    await Promise.all(pools.map((pool) => pool.dispose()));
  });

  it('counts with a registered tokenizer.json exactly, sending its bytes to each worker once', async () => {
    const pool = newPool(2);
    const bytes = readFileSync(familyFile('llama3_1'));
    const id = await pool.registerHfTokenizer(new Uint8Array(bytes), 'Llama 3.1');
    assert.match(id, /^hf:[0-9a-f]{64}$/);
    assert.equal(await pool.registerHfTokenizer(new Uint8Array(bytes)), id, 'same bytes, same id');
    assert.deepEqual(await pool.describeTokenizer(id), {
      description: 'Llama 3.1: BPE, byte-level, 128,256 tokens',
      vocabularySize: 128256,
    });
    const reference = oracle().fromFile(familyFile('llama3_1'));
    const texts = Array.from({ length: 12 }, (_, i) =>
      `def f${i}(x):\n    return x ** ${i}  # <|begin_of_text|> café 日本\n`.repeat(i + 1),
    );
    const outcomes = await Promise.all(texts.map((text) => pool.countText(text, id)));
    for (let i = 0; i < texts.length; i++) {
      const outcome = outcomes[i];
      assert.equal(outcome?.kind === 'counted' && outcome.tokens, (await oracleIds(reference, texts[i] as string)).length);
    }
    assert.ok(pool.stats().tokenizersSent <= 2, `sent ${pool.stats().tokenizersSent} times to 2 workers`);
  });

  it('keys the count cache by tokenizer: the same bytes count again under another tokenizer', async () => {
    const pool = newPool(1);
    const id = await pool.registerHfTokenizer(new Uint8Array(readFileSync(familyFile('gemma3'))));
    const file = () => new TextEncoder().encode('    indented  text\n\n\twith tabs and ▁ marks\n');
    const gemma = await pool.countBytes(file(), id);
    const o200k = await pool.countBytes(file(), 'o200k_base');
    const gemmaAgain = await pool.countBytes(file(), id);
    assert.equal(pool.stats().tokenizations, 2);
    assert.equal(gemmaAgain.kind === 'counted' && gemmaAgain.cached, true);
    const expected = (await oracleIds(oracle().fromFile(familyFile('gemma3')), '    indented  text\n\n\twith tabs and ▁ marks\n')).length;
    assert.equal(gemma.kind === 'counted' && gemma.tokens, expected);
    assert.equal(
      o200k.kind === 'counted' && o200k.tokens,
      oracleEncode('o200k_base', '    indented  text\n\n\twith tabs and ▁ marks\n').length,
    );
  });

  it('an unsupported or malformed tokenizer.json fails every request with one error naming the field, parsed once', async () => {
    const pool = newPool(1);
    const json = JSON.parse(readFileSync(familyFile('qwen3'), 'utf8')) as Record<string, unknown>;
    json.normalizer = { type: 'Precompiled', precompiled_charsmap: '' };
    const unsupported = await pool.registerHfTokenizer(new TextEncoder().encode(JSON.stringify(json)));
    const first = pool.countText('hello', unsupported);
    const second = pool.countText('world', unsupported);
    for (const attempt of [first, second]) {
      await assert.rejects(attempt, (error: unknown) => {
        assert.ok(error instanceof TokenizerUnavailableError);
        assert.equal(
          error.message,
          'tokenizer.json normalizer.type: "Precompiled" is not supported (supported: NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, ByteLevel, Sequence)',
        );
        assert.deepEqual(
          { path: error.failure.path, unsupported: error.failure.unsupported },
          { path: 'normalizer.type', unsupported: true },
        );
        return true;
      });
    }
    await assert.rejects(pool.describeTokenizer(unsupported), TokenizerUnavailableError);
    assert.equal(pool.stats().tokenizations, 1, 'parsed once; later requests fail without a worker');
    const malformed = await pool.registerHfTokenizer(new TextEncoder().encode('{"model": {"type": "BPE", "vocab": '));
    await assert.rejects(pool.countText('x', malformed), /^TokenizerUnavailableError: tokenizer.json not valid JSON/);
    // The pool keeps counting with the encodings.
    const fine = await pool.countText('still fine', 'o200k_base');
    assert.equal(fine.kind === 'counted' && fine.tokens, oracleEncode('o200k_base', 'still fine').length);
  });

  it('refuses a file over the size cap and an unknown id', async () => {
    const pool = newPool(1, 1000);
    await assert.rejects(pool.registerHfTokenizer(new Uint8Array(2000)), /tokenizer.json is 0.0 MiB, over the 0.0 MiB limit/);
    await assert.rejects(
      pool.countText('x', `hf:${'0'.repeat(64)}`),
      /unknown tokenizer "hf:0{64}": register its tokenizer.json or GGUF first/,
    );
  });

  it("a 100 MB malformed tokenizer.json is hashed and parsed off the caller's thread", async () => {
    const pool = newPool(1);
    // 100 MB of valid-looking JSON that is cut off at the end: the worker's JSON.parse reads all of it.
    const head = '{"model":{"type":"BPE","vocab":{';
    const entry = '"tok":1,';
    const bytes = new TextEncoder().encode(head + entry.repeat(Math.floor((100 * 1024 * 1024 - head.length) / entry.length)));
    let maxGapMs = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      const id = await pool.registerHfTokenizer(bytes);
      await assert.rejects(pool.describeTokenizer(id), /tokenizer.json not valid JSON/);
    } finally {
      clearInterval(timer);
    }
    const totalMs = performance.now() - started;
    console.log(
      `100 MB tokenizer.json: error after ${totalMs.toFixed(0)} ms; longest pause of the caller's event loop ${maxGapMs.toFixed(0)} ms`,
    );
    // Hashing and parsing run elsewhere; the caller only copies the bytes into shared memory.
    assert.ok(maxGapMs < totalMs / 3, `caller blocked ${maxGapMs.toFixed(0)} ms of ${totalMs.toFixed(0)} ms`);
  });
});
