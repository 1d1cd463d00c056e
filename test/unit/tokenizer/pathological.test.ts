import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bytePairMergeLarge, bytePairMergeSmall } from '../../../src/core/tokenizer/bytePairMerge';
import { encodingNames, type EncodingName } from '../../../src/core/tokenizer/encoding';
import { getRanks } from '../../../src/core/tokenizer/rankData';
import { getTokenCounter, PieceTooLongError } from '../../../src/core/tokenizer/tokenCounter';
import { base64Blob, minifiedJs, oracleEncode, seededRandom } from './oracleSupport';

const oneMb = 1024 * 1024;

function assertSameAsOracle(encoding: EncodingName, text: string): void {
  const expected = oracleEncode(encoding, text);
  const actual = getTokenCounter(encoding).encode(text);
  assert.equal(actual.length, expected.length);
  assert.deepEqual(actual, expected);
}

describe('pathological inputs are exact (timings are in the bench, not asserted here)', () => {
  for (const encoding of encodingNames) {
    it(`${encoding}: 1 MB base64 blob`, () => assertSameAsOracle(encoding, base64Blob(oneMb, 1)));
    it(`${encoding}: 1 MB minified JavaScript line`, () => assertSameAsOracle(encoding, minifiedJs(oneMb, 2)));

    // The oracle itself is quadratic on one long piece (100 KB of "a" takes ~19 s in tiktoken's
    // WASM build) and aborts with "RuntimeError: unreachable" at 1 MB, so it cannot check a 1 MB
    // run. Ours is checked against it exactly at ≈12 KB, and at 1 MB against the oracle's own
    // output extended on the left: on a uniform run tiktoken merges left to right into equal
    // tokens and only the tail depends on the length, which the exact comparisons (and bench) confirm.
    for (const letter of ['a', ' ', '字']) {
      it(`${encoding}: one-character run ${JSON.stringify(letter)} (12 KB exact, 1 MB extended)`, () => {
        // ≈12 KB of UTF-8 keeps the quadratic oracle well under a second.
        const small = Math.floor((12 * 1024) / new TextEncoder().encode(letter).length);
        assertSameAsOracle(encoding, letter.repeat(small));
        const reference = oracleEncode(encoding, letter.repeat(small + 7));
        const head = reference[0] as number;
        const headChars = tokenChars(encoding, head, letter);
        const big = oneMb;
        const extra = big - (small + 7);
        const shift = Math.floor(extra / headChars) * headChars;
        const referenceLength = big - shift;
        const tail = oracleEncode(encoding, letter.repeat(referenceLength));
        const expected = [...new Array<number>(shift / headChars).fill(head), ...tail];
        assert.deepEqual(getTokenCounter(encoding).encode(letter.repeat(big)), expected);
      });
    }
  }
});

/** How many repetitions of `letter` the token `id` stands for. */
function tokenChars(encoding: EncodingName, id: number, letter: string): number {
  for (let n = 1; n <= 256; n++) {
    const ids = oracleEncode(encoding, letter.repeat(n));
    if (ids.length === 1 && ids[0] === id) return n;
  }
  throw new Error(`token ${id} is not a run of ${JSON.stringify(letter)}`);
}

describe('heap merge equals the literal port of tiktoken merge', () => {
  for (const encoding of encodingNames) {
    it(`${encoding}: 3000 random pieces up to 600 bytes`, () => {
      const ranks = getRanks(encoding);
      const random = seededRandom(7);
      const alphabets = ['ab', 'abc ', 'aaab', '0123456789', 'ABCDEFabcdef012345+/', 'the quick brown fox', '=-_*#'];
      for (let i = 0; i < 3000; i++) {
        const alphabet = alphabets[i % alphabets.length] as string;
        const length = 2 + Math.floor(random() * 600);
        let piece = '';
        for (let j = 0; j < length; j++) piece += alphabet[Math.floor(random() * alphabet.length)];
        assert.deepEqual(bytePairMergeLarge(piece, ranks), bytePairMergeSmall(piece, ranks), `piece #${i}`);
      }
    });
  }
});

describe('runs too long for the regex engine', () => {
  it('throws PieceTooLongError (reported as skipped by the pool), never a bare RangeError', () => {
    assert.throws(
      () => getTokenCounter('o200k_base').count(`ok ${'a'.repeat(6 * oneMb)}`),
      (error: unknown) => {
        assert.ok(error instanceof PieceTooLongError);
        assert.equal(error.offset, 2);
        return true;
      },
    );
  });
});
