// The tokenizer files on disk, as both faces read them (src/node/tokenizerSources.ts): absent files
// are not problems, unusable ones are named with their field, a downloaded tokenizer.json must still
// have the SHA-256 recorded at download, and a 100 MB tokenizer.json is read, hashed and handed to a
// worker without holding the caller's event loop.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TokenizerPool } from '../../../src/node/tokenizerPool';
import { nodeTokenizerSources } from '../../../src/node/tokenizerSources';
import { familyFile, oracleUnavailable } from './hf/hfOracle';

const workerScript = join(__dirname, '..', '..', '..', 'src', 'worker', 'tokenizerWorker.js');

describe('nodeTokenizerSources', { skip: oracleUnavailable() }, () => {
  const pool = new TokenizerPool({ workerScript, size: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'cb-sources-'));
  after(async () => {
    await pool.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no tokenizer.json beside a config.json is simply absent; a malformed one names the field', async () => {
    const sources = nodeTokenizerSources(pool);
    mkdirSync(join(dir, 'empty'));
    assert.deepEqual(await sources.tokenizerBeside(join(dir, 'empty', 'config.json')), { kind: 'absent' });
    mkdirSync(join(dir, 'bad'));
    writeFileSync(join(dir, 'bad', 'tokenizer.json'), '{"model": {"type": "Unigram", "vocab": []}}');
    assert.deepEqual(await sources.tokenizerBeside(join(dir, 'bad', 'config.json')), {
      kind: 'failed',
      message: `${join(dir, 'bad', 'tokenizer.json')}: tokenizer.json model.type: "Unigram" is not supported (supported: BPE)`,
    });
  });

  it('loads the tokenizer.json and its tokenizer_config.json, and names an unreadable config', async () => {
    const sources = nodeTokenizerSources(pool);
    mkdirSync(join(dir, 'qwen'));
    writeFileSync(join(dir, 'qwen', 'tokenizer.json'), readFileSync(familyFile('qwen3')));
    writeFileSync(join(dir, 'qwen', 'tokenizer_config.json'), readFileSync(familyFile('qwen3', 'tokenizer_config.json')));
    const loaded = await sources.tokenizerBeside(join(dir, 'qwen', 'config.json'));
    assert.equal(loaded.kind, 'loaded');
    if (loaded.kind !== 'loaded') return;
    assert.equal(
      loaded.tokenizer.id,
      `hf:${createHash('sha256')
        .update(readFileSync(familyFile('qwen3')))
        .digest('hex')}`,
    );
    assert.match(loaded.tokenizer.config ?? '', /chat_template/);
    rmSync(join(dir, 'qwen', 'tokenizer_config.json'));
    mkdirSync(join(dir, 'qwen', 'tokenizer_config.json'));
    const folderConfig = await sources.tokenizerBeside(join(dir, 'qwen', 'config.json'));
    assert.match(
      folderConfig.kind === 'loaded' ? (folderConfig.tokenizer.configProblem ?? '') : '',
      /tokenizer_config\.json: .*; the chat template is left out of the count\.$/,
    );
  });

  it('a downloaded tokenizer.json changed since its download is refused, naming the recorded SHA-256', async () => {
    const cache = join(dir, 'cache');
    const commit = 'a'.repeat(40);
    const folder = join(cache, 'Qwen', 'Qwen3-8B', commit);
    mkdirSync(join(cache, 'Qwen', 'Qwen3-8B', 'refs'), { recursive: true });
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(cache, 'Qwen', 'Qwen3-8B', 'refs', 'main'), commit);
    const bytes = readFileSync(familyFile('qwen3'));
    const recorded = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(
      join(folder, 'manifest.json'),
      JSON.stringify({
        repo: 'Qwen/Qwen3-8B',
        revision: 'main',
        commit,
        endpoint: 'https://huggingface.co',
        files: { 'tokenizer.json': { bytes: bytes.length, sha256: recorded } },
        downloadedAt: '2026-01-01T00:00:00.000Z',
      }),
    );
    writeFileSync(join(folder, 'tokenizer.json'), bytes);
    const sources = nodeTokenizerSources(pool, { cacheDir: cache });
    const good = await sources.downloaded('Qwen/Qwen3-8B');
    assert.equal(good.kind === 'loaded' && good.tokenizer.where, `Qwen/Qwen3-8B@${commit.slice(0, 12)}`);
    const edited = JSON.parse(bytes.toString('utf8')) as { added_tokens: unknown[] };
    edited.added_tokens = edited.added_tokens.slice(0, 10);
    writeFileSync(join(folder, 'tokenizer.json'), JSON.stringify(edited));
    assert.deepEqual(await nodeTokenizerSources(pool, { cacheDir: cache }).downloaded('Qwen/Qwen3-8B'), {
      kind: 'failed',
      message: `${join(folder, 'tokenizer.json')} changed since it was downloaded (its SHA-256 is not the recorded ${recorded}); run Download Tokenizer again.`,
    });
    assert.deepEqual(await sources.downloaded('Qwen/Qwen3-32B'), { kind: 'absent' });
  });

  it('a 100 MB tokenizer.json never holds the event loop for long while it is read, hashed and sent', async () => {
    const path = join(dir, 'huge', 'tokenizer.json');
    mkdirSync(join(dir, 'huge'));
    // Valid JSON without a model: the worker parses it all, then names the missing field.
    writeFileSync(path, `{"padding": "${'x'.repeat(100 * 1024 * 1024)}"}`);
    const sources = nodeTokenizerSources(pool);
    let longest = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 5);
    try {
      const outcome = await sources.tokenizerJson(path);
      assert.deepEqual(outcome, { kind: 'failed', message: `${path}: tokenizer.json model: missing: a tokenizer.json needs a model` });
    } finally {
      clearInterval(timer);
    }
    console.log(`100 MB tokenizer.json: longest event-loop pause ${longest.toFixed(0)} ms while reading, hashing and sending it`);
    // Slices of 2 MB copied and hashed per turn; a generous bound for a loaded CI machine.
    assert.ok(longest < 500, `the event loop was held for ${longest.toFixed(0)} ms`);
  });
});
