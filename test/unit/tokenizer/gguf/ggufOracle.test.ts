// GGUF vocabularies against llama.cpp itself: the real tokenizer.json of Llama 3.1, Qwen3 and
// DeepSeek-V3 (byte-level BPE, pre-tokenizers llama-bpe, qwen2, deepseek-v3) and Gemma 3
// (SentencePiece) carried into GGUFs the way llama.cpp's converter writes them, then a real-text
// corpus file by file and a seeded fuzz (random Unicode, runs without whitespace, whitespace runs,
// CJK, emoji ZWJ sequences, special-token strings) tokenized by node-llama-cpp@3.21.1
// (`model.tokenize(text, true)`) and by ours: identical ids required.
//   CB_GGUF_CORPUS_BYTES (default 1,000,000), CB_GGUF_FUZZ (scale, default 1), CB_GGUF_FUZZ_SEED.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstDifference, loadMixedCorpus } from '../hf/hfOracle';
import { seededRandom } from '../oracleSupport';
import { fuzzCases } from './ggufFuzzCases';
import { familyCases, ggufPathFor, llamaOracleUnavailable, llamaTokenize, ourGgufTokenizer } from './llamaOracle';

const corpusBytes = Number(process.env.CB_GGUF_CORPUS_BYTES ?? '1000000');
const scale = Number(process.env.CB_GGUF_FUZZ ?? '1');
const seed = Number(process.env.CB_GGUF_FUZZ_SEED ?? '20261130');

describe('GGUF vocabularies against llama.cpp (node-llama-cpp 3.21.1)', { skip: llamaOracleUnavailable() }, () => {
  const corpus = loadMixedCorpus(corpusBytes);
  const fuzz = fuzzCases(seededRandom(seed), scale);
  const texts = [...corpus.map((file) => file.text), ...fuzz.map(([, text]) => text)];
  // One child process for the four families: each loads its vocabulary once.
  let answers: ReturnType<typeof llamaTokenize> | undefined;
  const oracleIds = (name: string): readonly (readonly number[])[] => {
    answers ??= llamaTokenize(familyCases.map((testCase) => ({ name: testCase.name, path: ggufPathFor(testCase), texts })));
    const answer = answers.get(name);
    if (answer?.ids === undefined) throw new Error(`llama.cpp did not tokenize with ${name}: ${answer?.error ?? 'no answer'}`);
    return answer.ids;
  };

  for (const testCase of familyCases) {
    it(`${testCase.name}: ${corpus.length} corpus files and ${fuzz.length} fuzz cases (seed ${seed}), identical ids`, async () => {
      const expected = oracleIds(testCase.name);
      const ours = await ourGgufTokenizer(ggufPathFor(testCase));
      const failures: string[] = [];
      let tokens = 0;
      texts.forEach((text, i) => {
        const want = expected[i] as readonly number[];
        const got = ours.encode(text);
        tokens += want.length;
        const at = firstDifference(want, got);
        const what = i < corpus.length ? corpus[i]!.path : `${fuzz[i - corpus.length]![0]} ${JSON.stringify(text.slice(0, 60))}`;
        if (at >= 0) failures.push(`${what}: token #${at} llama.cpp ${want[at]}, ours ${got[at]}`);
        else if (ours.count(text) !== want.length) failures.push(`${what}: count() differs from encode()`);
      });
      const bytes = corpus.reduce((sum, file) => sum + file.bytes, 0);
      console.log(
        `${testCase.name}: ${corpus.length} files (${bytes.toLocaleString('en-US')} bytes) + ${fuzz.length} fuzz cases, ${tokens.toLocaleString('en-US')} tokens, ${failures.length} mismatches`,
      );
      assert.deepEqual(failures.slice(0, 10), []);
    });
  }
});
