// GGUF vocabularies and model tokenizers through the real worker pool and session: a GGUF's
// metadata bytes registered as gguf:<sha256>, parsed in a worker, counting what the in-process
// tokenizer counts; a broken vocabulary failing with one error naming the GGUF key; the template
// overhead from tokenizer.chat_template; and a session switching tokenizer with the model, then
// back, recounting from the cache (content hash + tokenizer id) without tokenizing again.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveTarget } from '../../../../src/core/analysis/resolveTarget';
import { findModel } from '../../../../src/core/model/catalog';
import { ContextCounter } from '../../../../src/core/scan/contextCounter';
import { scanTree } from '../../../../src/core/scan/scanner';
import { Selection } from '../../../../src/core/selection/selection';
import { BudgetSession } from '../../../../src/core/session/budgetSession';
import { defaultSettings } from '../../../../src/core/settings';
import { encodingTokenizer } from '../../../../src/core/tokenizer/countingTokenizer';
import { readGgufMetadataBytes } from '../../../../src/node/ggufFile';
import { NodeWorkspaceFs } from '../../../../src/node/nodeWorkspaceFs';
import { TokenizerPool, TokenizerUnavailableError } from '../../../../src/node/tokenizerPool';
import { fileBytes, gguf, v } from '../../model/ggufFixture';
import { familyFile, oracle, oracleIds, oracleUnavailable } from '../hf/hfOracle';
import { oracleEncode } from '../oracleSupport';
import { familyCases, ggufPathFor, ourGgufTokenizer } from './llamaOracle';

const workerScript = join(__dirname, '..', '..', '..', '..', 'src', 'worker', 'tokenizerWorker.js');

describe('GGUF vocabularies in the worker pool', { skip: oracleUnavailable() }, () => {
  const pools: TokenizerPool[] = [];
  const newPool = (size = 1): TokenizerPool => {
    const pool = new TokenizerPool({ workerScript, size });
    pools.push(pool);
    return pool;
  };
  const dirs: string[] = [];
  after(async () => {
    await Promise.all(pools.map((pool) => pool.dispose()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('registers a GGUF by its metadata bytes and counts what the tokenizer counts in process, with the template overhead', async () => {
    const path = ggufPathFor(familyCases[1]!);
    const pool = newPool();
    const bytes = await readGgufMetadataBytes(path);
    const id = await pool.registerTokenizer('gguf', bytes, 'Qwen3');
    assert.match(id, /^gguf:[0-9a-f]{64}$/);
    assert.deepEqual(await pool.describeTokenizer(id), {
      description: 'Qwen3: GGUF vocabulary, BPE, byte-level, pre-tokenizer qwen2, 151,669 tokens',
      vocabularySize: 151669,
    });
    const ours = await ourGgufTokenizer(path);
    const text = 'def f(x):\n    return x ** 2  # <|im_start|> café 日本\n'.repeat(20);
    const outcome = await pool.countText(text, id);
    assert.equal(outcome.kind === 'counted' && outcome.tokens, ours.count(text));
    const overhead = await pool.templateOverhead(id);
    assert.equal(overhead.kind, 'counted');
    // Qwen3's template for one user message: <|im_start|>user\n … <|im_end|>\n<|im_start|>assistant\n
    const expected =
      (await oracleIds(oracle().fromFile(familyFile('qwen3')), '<|im_start|>user\n')).length +
      (await oracleIds(oracle().fromFile(familyFile('qwen3')), '<|im_end|>\n<|im_start|>assistant\n')).length;
    assert.equal(overhead.kind === 'counted' && overhead.tokens, expected);
  });

  it('a broken GGUF vocabulary fails every request with one error naming the key', async () => {
    const pool = newPool();
    const bad = fileBytes(
      gguf(
        [
          ['general.architecture', v.str('llama')],
          ['tokenizer.ggml.model', v.str('gpt2')],
          ['tokenizer.ggml.pre', v.str('llama-bpe')],
          ['tokenizer.ggml.tokens', v.arr('string', ['a', 'b'])],
        ],
        [],
      ),
    );
    const id = await pool.registerTokenizer('gguf', bad);
    await assert.rejects(
      pool.countText('ab', id),
      (error: unknown) =>
        error instanceof TokenizerUnavailableError &&
        error.message === 'GGUF vocabulary tokenizer.ggml.merges: is missing: a BPE vocabulary needs its merges',
    );
    const unsupported = fileBytes(
      gguf(
        [
          ['tokenizer.ggml.model', v.str('t5')],
          ['tokenizer.ggml.tokens', v.arr('string', ['a'])],
        ],
        [],
      ),
    );
    const other = await pool.registerTokenizer('gguf', unsupported);
    await assert.rejects(
      pool.describeTokenizer(other),
      /GGUF vocabulary tokenizer\.ggml\.model: "t5" is not supported \(supported: gpt2, llama, gemma4\)/,
    );
    const none = await pool.registerTokenizer('gguf', fileBytes(gguf([['general.architecture', v.str('llama')]], [])));
    await assert.rejects(pool.describeTokenizer(none), /GGUF vocabulary tokenizer\.ggml\.model: is missing: the file has no tokenizer/);
  });

  it('a session switching tokenizer with the model recounts, and switching back counts from the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-switch-'));
    dirs.push(dir);
    const texts = { 'a.ts': 'export const value = "café" + 42;\n'.repeat(50), 'b.md': '# Title\n\nSome prose, 日本語.\n'.repeat(20) };
    for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), text);
    const pool = newPool(2);
    const fs = new NodeWorkspaceFs();
    const llamaId = await pool.registerTokenizer('tokenizer.json', new Uint8Array(readFileSync(familyFile('llama3_1'))));
    const llama = findModel('llama-3.1-8b')!;
    const settings = { ...defaultSettings, model: 'llama-3.1-8b' };
    const base = resolveTarget(settings);
    const estimate = { generation: 1, settings, target: { ...base, tokenizer: encodingTokenizer('o200k_base', llama) } };
    const exact = {
      generation: 2,
      settings,
      target: {
        ...base,
        tokenizer: {
          ...encodingTokenizer('o200k_base', llama),
          id: llamaId,
          label: 'Llama 3.1 8B tokenizer (test), exact',
          exactForModel: true,
        },
      },
    };
    const session = new BudgetSession({
      selection: new Selection(),
      counter: new ContextCounter(fs, pool),
      fs,
      context: estimate,
      notifyDelayMs: 0,
    });
    try {
      const scan = await scanTree(fs, dir, { excludeGlobs: [], respectGitignore: false, maxFileBytes: 1 << 20, maxFiles: 100 });
      await session.addFiles(scan.files);
      const o200k = Object.values(texts).reduce((sum, text) => sum + oracleEncode('o200k_base', text).length, 0);
      assert.equal(session.report().promptTokens, o200k);
      session.setContext(exact);
      await session.whenIdle();
      const reference = oracle().fromFile(familyFile('llama3_1'));
      let own = 0;
      for (const text of Object.values(texts)) own += (await oracleIds(reference, text)).length;
      assert.equal(session.report().promptTokens, own);
      assert.equal(session.report().tokenizer.label, 'Llama 3.1 8B tokenizer (test), exact');
      const tokenizations = pool.stats().tokenizations;
      session.setContext({ ...estimate, generation: 3 });
      await session.whenIdle();
      assert.equal(session.report().promptTokens, o200k);
      assert.equal(
        pool.stats().tokenizations,
        tokenizations,
        'switching back tokenizes nothing: content hash + tokenizer id hit the cache',
      );
    } finally {
      session.dispose();
    }
  });
});
