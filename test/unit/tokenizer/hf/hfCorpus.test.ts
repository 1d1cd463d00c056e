// The count equals the Rust library's, file by file, on real text for four model families.
// Default: about 4 MB of mixed text (this repo, TypeScript, Markdown, Python) per family, a few
// minutes in all. CB_HF_CORPUS_MB=40 runs a bigger corpus; CB_QUICK=1 skips this file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseHfTokenizerText } from '../../../../src/core/tokenizer/hf/hfTokenizer';
import { quick } from '../oracleSupport';
import { families, familyFile, firstDifference, loadMixedCorpus, oracle, oracleIds, oracleUnavailable } from './hfOracle';

const corpusMb = Number(process.env.CB_HF_CORPUS_MB ?? '4');

describe('tokenizer.json counts equal the Rust library on a real corpus', { skip: quick ? 'CB_QUICK=1' : oracleUnavailable() }, () => {
  const corpus = quick ? [] : loadMixedCorpus(corpusMb * 1024 * 1024);
  const corpusBytes = corpus.reduce((sum, file) => sum + file.bytes, 0);

  it(`loads a mixed corpus of about ${corpusMb} MB`, () => {
    assert.ok(corpusBytes > corpusMb * 1024 * 1024 * 0.5, `corpus only ${corpusBytes} bytes`);
    for (const kind of [/\/src\//, /node_modules.*\.ts$/, /\.md$/, /\.py$/]) {
      assert.ok(
        corpus.some((file) => kind.test(file.path)),
        `no file like ${kind}`,
      );
    }
  });

  for (const family of families) {
    it(`${family}: 0 mismatches file by file`, async () => {
      const json = readFileSync(familyFile(family), 'utf8');
      const ours = parseHfTokenizerText(json);
      const reference = oracle().fromFile(familyFile(family));
      const mismatches: string[] = [];
      let tokens = 0;
      for (const file of corpus) {
        const expected = await oracleIds(reference, file.text);
        const count = ours.count(file.text);
        tokens += expected.length;
        if (count !== expected.length) {
          const at = firstDifference(expected, ours.encode(file.text));
          mismatches.push(`${file.path}: oracle ${expected.length}, ours ${count} (first differing token #${at})`);
        }
      }
      console.log(
        `${family}: ${corpus.length} files, ${(corpusBytes / 1e6).toFixed(1)} MB, ${tokens} tokens, ${mismatches.length} mismatches`,
      );
      assert.deepEqual(mismatches, []);
    });
  }
});
