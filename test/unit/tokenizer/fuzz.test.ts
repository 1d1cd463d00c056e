import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodingNames } from '../../../src/core/tokenizer/encoding';
import { getTokenCounter } from '../../../src/core/tokenizer/tokenCounter';
import { oracleEncode, quick, seededRandom } from './oracleSupport';

// Pools the generator draws from, biased toward the places where JavaScript and Rust regexes differ.
const pools: readonly (readonly string[])[] = [
  // Whitespace variants, including the two that JS `\s` gets wrong (U+FEFF in, U+0085 out).
  [
    ' ',
    '  ',
    '\t',
    '\n',
    '\r',
    '\r\n',
    '\v',
    '\f',
    '\u0085',
    '\uFEFF',
    '\u00A0',
    '\u1680',
    '\u2000',
    '\u200A',
    '\u2028',
    '\u2029',
    '\u202F',
    '\u205F',
    '\u3000',
    '\u180E',
    '\u200B',
  ],
  // Apostrophes and contraction material, in every case, plus the folding edge cases ſ and K (Kelvin).
  [
    "'",
    "'s",
    "'S",
    "'t",
    "'T",
    "'re",
    "'RE",
    "'Re",
    "'ve",
    "'VE",
    "'m",
    "'M",
    "'ll",
    "'LL",
    "'lL",
    "'d",
    "'D",
    "'ſ",
    "'\u212A",
    '’',
    '‘',
    '`',
  ],
  // Digits of several scripts and number-like symbols.
  ['0', '1', '7', '42', '123', '9999', '٣', '۷', '८', '๙', '²', 'Ⅻ', '½', '𝟘'],
  // Letters of various scripts and cases (Lu, Ll, Lt, Lm, Lo).
  [
    'a',
    'b',
    'z',
    'A',
    'Q',
    'Z',
    'é',
    'É',
    'ß',
    'ǅ',
    'ǈ',
    'ʰ',
    'ー',
    'ω',
    'Ω',
    'ж',
    'Ж',
    'א',
    'ب',
    'क',
    '日',
    '本',
    'ㄱ',
    '한',
    'ᄀ',
    'ก',
    'ſ',
    'İ',
    'ı',
    'ﬁ',
    'the',
    'Hello',
    'WORLD',
    'camelCase',
  ],
  // Combining marks (Mn, Mc, Me) and joiners.
  ['\u0301', '\u0308', '\u0327', '\u0903', '\u0488', '\u200D', '\u200C', '\uFE0F', '\u034F'],
  // Emoji and other astral characters, including letters outside the BMP.
  ['😀', '👍🏽', '👨‍💻', '🇫🇷', '𝐀', '𝒶', '𐐀', '𐐨', '𠀀', '𓀀', '🀄'],
  // Punctuation, symbols and code.
  [
    '.',
    ',',
    ';',
    ':',
    '!',
    '?',
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    '<',
    '>',
    '/',
    '\\',
    '-',
    '_',
    '=',
    '+',
    '*',
    '&',
    '#',
    '@',
    '$',
    '%',
    '^',
    '~',
    '|',
    '"',
    '«',
    '»',
    '—',
    '…',
    '€',
    '©',
    '<|endoftext|>',
    '=>',
    '//',
    '/*',
  ],
  // Lone surrogates and specials.
  ['\uD800', '\uDFFF', '\uFFFD', '\u0000', '\u001B', '\uFFFF', '\uE000'],
];

function randomCodePoint(random: () => number): string {
  // Mostly the BMP, sometimes anywhere; surrogate halves included on purpose.
  const cp = random() < 0.8 ? Math.floor(random() * 0x10000) : Math.floor(random() * 0x110000);
  return String.fromCodePoint(cp);
}

function randomString(random: () => number): string {
  const length = 1 + Math.floor(random() * 40);
  let text = '';
  for (let i = 0; i < length; i++) {
    if (random() < 0.12) {
      text += randomCodePoint(random);
    } else {
      const pool = pools[Math.floor(random() * pools.length)] as readonly string[];
      text += pool[Math.floor(random() * pool.length)] as string;
    }
  }
  return text;
}

const seed = Number(process.env.CB_FUZZ_SEED ?? Date.now() % 1_000_000);
const strings = quick ? 2_000 : 20_000;

describe('fuzz: random Unicode strings equal tiktoken', () => {
  for (const encoding of encodingNames) {
    it(`${encoding}: ${strings} strings (seed ${seed}; rerun with CB_FUZZ_SEED=${seed})`, () => {
      const random = seededRandom(seed + (encoding === 'o200k_base' ? 0 : 1));
      const counter = getTokenCounter(encoding);
      for (let i = 0; i < strings; i++) {
        const text = randomString(random);
        const expected = oracleEncode(encoding, text);
        const actual = counter.encode(text);
        if (actual.length !== expected.length || actual.some((id, j) => id !== expected[j])) {
          assert.fail(`seed ${seed}, string #${i} ${JSON.stringify(text)}: ours [${actual.join(',')}], tiktoken [${expected.join(',')}]`);
        }
      }
      console.log(`${encoding}: ${strings} fuzz strings identical (seed ${seed})`);
    });
  }
});
