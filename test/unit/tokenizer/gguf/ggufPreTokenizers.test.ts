// Every pre-tokenizer llama.cpp knows (tokenizer.ggml.pre), against llama.cpp: one GGUF per
// pre-tokenizer with Qwen3's real vocabulary (the split rules do not need a matching vocabulary to be
// compared), tokenized by node-llama-cpp@3.21.1 and by ours on fuzz text and this README. The ones
// llama.cpp runs with hand-written splitters we do not port are refused by name instead, and so is
// "whitespace" with a BPE vocabulary (llama.cpp aborts on it: find_bpe_rank's assertion).
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';
import { llamaPreTokenizer } from '../../../../src/core/tokenizer/gguf/llamaPreTokenize';
import { llamaPreTokenizerNames } from '../../../../src/core/tokenizer/gguf/llamaPreTokenizerData';
import { HfTokenizerError } from '../../../../src/core/tokenizer/hf/hfTokenizerError';
import { familyFile, firstDifference } from '../hf/hfOracle';
import { repoRoot, seededRandom } from '../oracleSupport';
import { fuzzCases } from './ggufFuzzCases';
import { ggufFromTokenizerJson } from './ggufFromTokenizerJson';
import { llamaOracleUnavailable, llamaTokenize, ourGgufTokenizer } from './llamaOracle';

/** Pre-tokenizers whose splitting we refuse, and why (checked below). */
const refused = new Map([
  ['kimi-k2', /splitter Context Budget does not implement/],
  ['afmoe', /splitter Context Budget does not implement/],
  ['tiny_aya', /splitter Context Budget does not implement/],
  ['cohere2moe', /splitter Context Budget does not implement/],
  ['whitespace', /needs tokenizer.ggml.model "whitespace"/],
]);

test('the pre-tokenizers that are not implemented are refused by name, never counted wrong', () => {
  for (const [name, why] of refused) {
    assert.throws(
      () => llamaPreTokenizer(name),
      (error: unknown) =>
        error instanceof HfTokenizerError &&
        error.path === 'tokenizer.ggml.pre' &&
        why.test(error.detail) &&
        error.detail.includes(`"${name}"`),
    );
  }
  assert.throws(() => llamaPreTokenizer('no-such-pre'), /tokenizer.ggml.pre: "no-such-pre" is not a pre-tokenizer llama.cpp knows/);
});

describe('every llama.cpp pre-tokenizer against llama.cpp', { skip: llamaOracleUnavailable() }, () => {
  // One name per pre-tokenizer type: names that select the same type split alike.
  const byType = new Map<string, string>();
  for (const [name, entry] of Object.entries(llamaPreTokenizerNames)) {
    if (!refused.has(name) && !byType.has(entry.preType)) byType.set(entry.preType, name);
  }
  const random = seededRandom(11);
  const texts = [...fuzzCases(random, 1).map(([, text]) => text), readFileSync(join(repoRoot, 'README.md'), 'utf8')];
  const json = readFileSync(familyFile('qwen3'), 'utf8');
  const config = JSON.parse(readFileSync(familyFile('qwen3', 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;

  for (const [preType, name] of byType) {
    it(`${name} (${preType}): identical ids on ${texts.length} texts`, async () => {
      const path = join(repoRoot, '.cache', 'gguf-vocab', `pre-${name}.gguf`);
      writeFileSync(
        path,
        ggufFromTokenizerJson(json, { model: 'gpt2', pre: name, name: `Qwen3 vocabulary, ${name} pre-tokenizer`, config }),
      );
      try {
        const answer = llamaTokenize([{ name, path, texts }]).get(name);
        assert.ok(answer?.ids, `llama.cpp: ${answer?.error}`);
        const ours = await ourGgufTokenizer(path);
        const failures: string[] = [];
        texts.forEach((text, i) => {
          const want = answer.ids![i] as readonly number[];
          const got = ours.encode(text);
          const at = firstDifference(want, got);
          if (at >= 0) failures.push(`${JSON.stringify(text.slice(0, 60))}: token #${at} llama.cpp ${want[at]}, ours ${got[at]}`);
        });
        assert.deepEqual(failures.slice(0, 5), []);
      } finally {
        rmSync(path, { force: true });
      }
    });
  }
});
