import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodingNames } from '../../../src/core/tokenizer/encoding';
import { getTokenCounter } from '../../../src/core/tokenizer/tokenCounter';
import { oracleEncode, quick } from './oracleSupport';

// Each code point is placed where its class (letter, number, mark, space, other) changes how the
// ASCII around it is split: a following contraction only attaches to letters, digits only group
// with digits, and so on. This is how the Unicode 17 additions in pretokenize.ts were found.
const contexts = (c: string): string => `${c}'s a${c}'s 1${c}23 x${c}  y.${c}'s|`;

/** Every code point whose class could matter: assigned per the runtime (L, N, M, Z, White_Space, Cf, So). */
function interestingCodePoints(): number[] {
  const relevant = /[\p{L}\p{N}\p{M}\p{Z}\p{White_Space}\p{Cf}]/u;
  const out: number[] = [];
  for (let cp = 0; cp < 0x110000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    // Big uniform ideograph blocks: every 7th is plenty, their class is the same throughout.
    if (((cp >= 0x3400 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0x20000 && cp <= 0x3ffff)) && cp % 7 !== 0) continue;
    if (relevant.test(String.fromCodePoint(cp))) out.push(cp);
  }
  return out;
}

describe('every letter, number, mark and space code point splits like tiktoken', { skip: quick && 'CB_QUICK=1' }, () => {
  const codePoints = interestingCodePoints();
  for (const encoding of encodingNames) {
    it(`${encoding}: ${codePoints.length} code points`, () => {
      const counter = getTokenCounter(encoding);
      const failures: string[] = [];
      const check = (cps: number[]): void => {
        const text = cps.map((cp) => contexts(String.fromCodePoint(cp))).join('');
        const expected = oracleEncode(encoding, text);
        const actual = counter.encode(text);
        if (actual.length === expected.length && actual.every((id, i) => id === expected[i])) return;
        if (cps.length === 1) failures.push(`U+${(cps[0] as number).toString(16).toUpperCase()}`);
        else {
          const half = cps.length >> 1;
          check(cps.slice(0, half));
          check(cps.slice(half));
        }
      };
      for (let i = 0; i < codePoints.length; i += 2048) check(codePoints.slice(i, i + 2048));
      assert.deepEqual(failures.slice(0, 50), []);
    });
  }
});
