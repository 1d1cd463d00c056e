import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodingNames } from '../../../src/core/tokenizer/encoding';
import { getTokenCounter } from '../../../src/core/tokenizer/tokenCounter';
import { oracleEncode } from './oracleSupport';

const fixtures: Record<string, string> = {
  'UTF-8 BOM char mid-text': 'a\uFEFFb \uFEFF c\uFEFF\uFEFF\n\uFEFF',
  'BOM as first char': '\uFEFFimport x from "y";\n',
  'NEL (U+0085)': 'line one\u0085line two \u0085\u0085 x\u0085',
  'line/paragraph separators': 'a\u2028b\u2029c \u2028 \u2029\u2029d',
  'no-break spaces': 'x\u00A0y \u00A0 z\u202F\u3000w',
  CRLF: 'line1\r\nline2\r\n\r\n  indented\r\n\ttab\r\n',
  emoji: '👋 hello 👨‍👩‍👧‍👦 family 🇺🇸 flag 🏳️‍🌈 ✨✨✨',
  CJK: '日本語のテキストです。中文文本。한국어 텍스트',
  'special-token strings are ordinary text': 'before <|endoftext|> after <|fim_prefix|><|endofprompt|>',
  Arabic: 'مرحبا بالعالم، هذا نص عربي ١٢٣٤٥',
  'combining marks': 'e\u0301 n\u0303 a\u0308\u0304 Z\u0351\u0352\u0353 क्षत्रिय',
  numbers: '1 12 123 1234 12345 3.14159 1e10 0x1F ١٢٣ ۴۵۶ ⅻ ²³',
  'contractions in caps': "DON'T I'M YOU'RE WE'VE SHE'LL HE'D it'S It's can't",
  'long s contraction': "a'ſ x'ſt Don'ſ",
  'lone surrogates': 'a\uD800b \uDC00 \uD83D\uDE00 \uDBFF',
  empty: '',
  'only whitespace': '   \n\n\t  \u0085 \u00A0 ',
};

describe('token counter fixtures vs tiktoken (encode_ordinary)', () => {
  for (const encoding of encodingNames) {
    for (const [name, text] of Object.entries(fixtures)) {
      it(`${encoding}: ${name}`, () => {
        const counter = getTokenCounter(encoding);
        const expected = oracleEncode(encoding, text);
        assert.deepEqual(counter.encode(text), expected);
        assert.equal(counter.count(text), expected.length);
      });
    }
  }

  it('never throws on special-token strings', () => {
    assert.equal(getTokenCounter('o200k_base').count('<|endoftext|>') > 1, true);
  });
});
