import assert from 'node:assert/strict';
import { relative } from 'node:path';
import { describe, it } from 'node:test';
import { encodingNames } from '../../../src/core/tokenizer/encoding';
import { getTokenCounter } from '../../../src/core/tokenizer/tokenCounter';
import { getOracle, loadCorpus, quick, repoRoot } from './oracleSupport';

// ≈20 MB × 2 encodings keeps this file around 30 s on 2 cores; CB_CORPUS_MB overrides.
const corpusMb = Number(process.env.CB_CORPUS_MB ?? '20');

describe('per-file token counts equal tiktoken over a node_modules corpus', { skip: quick && 'CB_QUICK=1' }, () => {
  const corpus = loadCorpus(corpusMb * 1024 * 1024);
  const megabytes = corpus.reduce((sum, file) => sum + file.bytes, 0) / (1024 * 1024);

  for (const encoding of encodingNames) {
    it(`${encoding}: ${corpus.length} files`, () => {
      const counter = getTokenCounter(encoding);
      const oracle = getOracle(encoding);
      const mismatches: string[] = [];
      let tokens = 0;
      for (const file of corpus) {
        const expected = oracle.encode_ordinary(file.text).length;
        const actual = counter.count(file.text);
        tokens += expected;
        if (actual !== expected) mismatches.push(`${relative(repoRoot, file.path)}: ours ${actual}, tiktoken ${expected}`);
      }
      console.log(
        `${encoding}: compared ${corpus.length} files, ${megabytes.toFixed(1)} MB, ${tokens} tokens; ${mismatches.length} mismatches`,
      );
      assert.deepEqual(mismatches.slice(0, 20), []);
    });
  }
});
