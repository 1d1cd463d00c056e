// Each tokenizer.json component against the Rust library: small tokenizers built here run through
// both the oracle (npm `tokenizers`) and ours, on the same texts. Normalizers and pre-tokenizers are
// compared on their own output (normalizeString / preTokenizeString), the rest on full encodes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byteToChar } from '../../../../src/core/tokenizer/hf/byteLevel';
import { parseHfTokenizer } from '../../../../src/core/tokenizer/hf/hfTokenizer';
import { HfTokenizerError } from '../../../../src/core/tokenizer/hf/hfTokenizerError';
import { parseNormalizer } from '../../../../src/core/tokenizer/hf/normalizers';
import { translateOnigRegex } from '../../../../src/core/tokenizer/hf/onigRegex';
import { parsePreTokenizer } from '../../../../src/core/tokenizer/hf/preTokenizers';
import { quick } from '../oracleSupport';
import { firstDifference, oracle, oracleIds, oracleUnavailable, type OracleTokenizer } from './hfOracle';

const texts = [
  '',
  'Hello world',
  '  Hello   world  ',
  "It's the ſ 'S 'LL caf\u00e9 cafe\u0301",
  'ﬁ ① Ⅻ ㎏ ３４５ 12345 1,234.5',
  'ΣΑΣ İstanbul straße',
  '日本語のテキストと中文 한국어',
  '😀👨‍👩‍👧 🏳️‍🌈',
  'tab\there\r\nline\u2028sep\u0085nel',
  '\u3000wide\u00a0nbsp\ufeffbom',
  'a-b_c.d,e;f:g!h?i',
  '<s>hello</s> <unk> [MASK]',
  '▁already▁metaspace',
  'x'.repeat(300),
  'foo(bar)[baz]{qux} // comment\n\tindent',
  "don't   stop\n\n\nnow",
  '$100 + 5% = ^~`|',
  '\u0301combining first',
];

/** A byte-fallback BPE model whose vocabulary covers any text; merges spell a few words. */
function model(overrides: Record<string, unknown> = {}, words: readonly string[] = defaultWords): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0 };
  const add = (token: string): void => {
    if (vocab[token] === undefined) vocab[token] = Object.keys(vocab).length;
  };
  for (let byte = 0; byte < 256; byte++) add(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
  for (const ch of byteToChar) add(ch);
  for (const ch of '▁abcdefghijklmnopqrstuvwxyz') add(ch);
  const merges: [string, string][] = [];
  for (const word of words) {
    const chars = Array.from(word);
    let left = chars[0] as string;
    for (const ch of chars.slice(1)) {
      add(left + ch);
      merges.push([left, ch]);
      left += ch;
    }
  }
  return {
    type: 'BPE',
    dropout: null,
    unk_token: '<unk>',
    continuing_subword_prefix: null,
    end_of_word_suffix: null,
    fuse_unk: false,
    byte_fallback: true,
    vocab,
    merges,
    ...overrides,
  };
}
const defaultWords = [
  'hello',
  'Hello',
  'world',
  'Ġworld',
  '▁world',
  '▁hello',
  'the',
  'Ġthe',
  '▁the',
  'ĠHello',
  '123',
  'xx',
  'xxxx',
  'don',
  "'t",
  'caf',
];

function tokenizerJson(parts: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    model: model(),
    ...parts,
  };
}

async function assertSameEncodes(json: Record<string, unknown>, samples: readonly string[] = texts): Promise<void> {
  const reference = oracle().fromString(JSON.stringify(json));
  const ours = parseHfTokenizer(json);
  for (const text of samples) {
    const expected = await oracleIds(reference, text);
    const actual = ours.encode(text);
    assert.equal(
      firstDifference(expected, actual),
      -1,
      `${JSON.stringify(text)}: oracle ${JSON.stringify(expected)}, ours ${JSON.stringify(actual)}`,
    );
    assert.equal(ours.count(text), expected.length);
  }
}

function preTokenizerOf(json: Record<string, unknown>): NonNullable<ReturnType<OracleTokenizer['getPreTokenizer']>> {
  const pre = oracle().fromString(JSON.stringify(json)).getPreTokenizer();
  assert.ok(pre !== null);
  return pre;
}

function assertSamePieces(preTokenizer: Record<string, unknown>, samples: readonly string[] = texts): void {
  const reference = preTokenizerOf(tokenizerJson({ pre_tokenizer: preTokenizer }));
  const ours = parsePreTokenizer(preTokenizer, 'pre_tokenizer');
  assert.ok(ours !== undefined);
  for (const text of samples) {
    const expected = reference.preTokenizeString(text).map(([piece]) => piece);
    const actual: string[] = ours([{ text, atOrigin: true }]).map((piece) => piece.text);
    assert.deepEqual(actual, expected, `${JSON.stringify(preTokenizer)} on ${JSON.stringify(text)}`);
  }
}

const behaviors = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

describe('tokenizer.json components against the Rust library', { skip: oracleUnavailable() }, () => {
  it('normalizers: NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, ByteLevel, Sequence', () => {
    const configs: Record<string, unknown>[] = [
      { type: 'NFC' },
      { type: 'NFD' },
      { type: 'NFKC' },
      { type: 'NFKD' },
      { type: 'Lowercase' },
      { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      { type: 'Replace', pattern: { String: 'll' }, content: '' },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' },
      { type: 'Replace', pattern: { Regex: '\\s*' }, content: '_' },
      { type: 'Prepend', prepend: '▁' },
      { type: 'Strip', strip_left: true, strip_right: true },
      { type: 'Strip', strip_left: false, strip_right: true },
      { type: 'Strip', strip_left: true, strip_right: false },
      { type: 'ByteLevel' },
      {
        type: 'Sequence',
        normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }, { type: 'NFKC' }],
      },
    ];
    for (const config of configs) {
      const reference = oracle()
        .fromString(JSON.stringify(tokenizerJson({ normalizer: config })))
        .getNormalizer();
      const ours = parseNormalizer(config, 'normalizer');
      assert.ok(reference !== null && ours !== undefined);
      for (const text of texts) {
        assert.equal(ours(text).text, reference.normalizeString(text), `${JSON.stringify(config)} on ${JSON.stringify(text)}`);
      }
    }
  });

  it('Split: string and regex patterns, all five behaviours, inverted or not', () => {
    for (const pattern of [
      { String: ' ' },
      { String: 'l' },
      { Regex: '\\s+' },
      { Regex: '\\p{N}{1,3}' },
      { Regex: "'s|\\p{L}+" },
      { Regex: 'x*' },
    ]) {
      for (const behavior of behaviors) for (const invert of [false, true]) assertSamePieces({ type: 'Split', pattern, behavior, invert });
    }
  });

  it('ByteLevel (add_prefix_space, use_regex), Digits, Punctuation, Whitespace, WhitespaceSplit, Sequence', () => {
    for (const addPrefixSpace of [false, true]) {
      for (const useRegex of [false, true]) {
        assertSamePieces({ type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: useRegex });
      }
    }
    assertSamePieces({ type: 'Digits', individual_digits: false });
    assertSamePieces({ type: 'Digits', individual_digits: true });
    for (const behavior of behaviors) assertSamePieces({ type: 'Punctuation', behavior });
    assertSamePieces({ type: 'Whitespace' });
    assertSamePieces({ type: 'WhitespaceSplit' });
    assertSamePieces({
      type: 'Sequence',
      pretokenizers: [
        { type: 'WhitespaceSplit' },
        { type: 'Digits', individual_digits: true },
        { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: false },
      ],
    });
  });

  it('Metaspace: replacement, prepend_scheme always / first / never, split on or off', () => {
    for (const scheme of ['always', 'first', 'never']) {
      for (const split of [true, false]) assertSamePieces({ type: 'Metaspace', replacement: '▁', prepend_scheme: scheme, split });
    }
    assertSamePieces({ type: 'Metaspace', replacement: '_', add_prefix_space: false, prepend_scheme: 'never' });
    // "first": only the piece at the start of the input gets the prefix, not one after an added token.
    const json = tokenizerJson({
      pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: true },
      added_tokens: [{ id: 0, content: '<unk>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    });
    return assertSameEncodes(json, ['hello world', '<unk>hello world', 'hello<unk> world', ' hello']);
  });

  it("Oniguruma regexes cut identically: the families' patterns and the constructs JavaScript lacks", () => {
    const patterns = [
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
      '[!"#$%&\'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\\r\\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+',
      '[一-龥\u3040-ゟ゠-ヿ]+',
      '\\w++',
      '(?>a+|x+)\\w',
      '\\h+',
      '\\H+',
      '(?i:hello|ſtraße)',
      '(?i)the|WORLD',
      '[[:alpha:]]+',
      '[[:^space:]]+',
      '[a-z&&[^aeiou]]+',
      '\\p{^L}+',
      '\\P{N}+',
      'l{2,3}',
      'x{,2}',
      'x{2}',
      '\\bcaf',
      '^\\s+|\\s+$',
      '.+',
      '(?m:.+)',
      '[\\p{Han}\\p{Hiragana}]+',
      '\\d+|\\D',
      '\\p{Lu}\\p{Ll}*',
      '(?<word>\\p{L})\\p{L}*',
      '(?:ab|a)(?=b)',
      '(?<=\\s)\\S+',
      '[\\x41-\\x5a]+',
      '\\x{1F600}|\\u00e9',
      'a*?x',
    ];
    for (const pattern of patterns) assertSamePieces({ type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false });
  });

  it('Oniguruma properties match the oracle on every code point', { skip: quick ? 'CB_QUICK=1' : false }, () => {
    const codePoints: number[] = [];
    for (let cp = 0x20; cp <= 0x10ffff; cp++) if ((cp < 0xd800 || cp > 0xdfff) && cp !== 0x7f) codePoints.push(cp);
    for (const pattern of [
      '\\p{L}',
      '\\p{N}',
      '\\p{P}',
      '\\p{S}',
      '\\p{M}',
      '\\s',
      '\\w',
      '\\d',
      '[[:punct:]]',
      '[[:alpha:]]',
      '[[:alnum:]]',
      '[[:lower:]]',
      '[[:upper:]]',
      '(?i:[a-z])',
    ]) {
      const reference = preTokenizerOf(
        tokenizerJson({ pre_tokenizer: { type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false } }),
      );
      const ours = new RegExp(`^(?:${translateOnigRegex(pattern, 'test').source})$`, 'v');
      const differences: string[] = [];
      for (let i = 0; i < codePoints.length; i += 40000) {
        const chunk = codePoints.slice(i, i + 40000);
        // A matched code point forms its own piece; unmatched ones merge with the U+007F separators.
        const matched = new Set(
          reference.preTokenizeString(chunk.map((cp) => String.fromCodePoint(cp)).join('\u007f')).map(([piece]) => piece),
        );
        for (const cp of chunk) {
          const ch = String.fromCodePoint(cp);
          if (matched.has(ch) !== ours.test(ch)) differences.push(cp.toString(16));
        }
      }
      assert.deepEqual(differences.slice(0, 20), [], `${pattern}: ${differences.length} code points differ`);
    }
  });

  it('BPE options: merge formats, byte_fallback, unk and fuse_unk, ignore_merges, prefix and suffix', async () => {
    const base = model();
    const legacyMerges = (base.merges as [string, string][]).map(([a, b]) => `${a} ${b}`);
    const vocabOnly = { ...(base.vocab as Record<string, number>) };
    const pre = { type: 'Whitespace' };
    await assertSameEncodes(tokenizerJson({ pre_tokenizer: pre, model: { ...base, merges: ['#version: 0.2', ...legacyMerges] } }));
    await assertSameEncodes(tokenizerJson({ pre_tokenizer: pre, model: { ...base, byte_fallback: false } }));
    await assertSameEncodes(tokenizerJson({ pre_tokenizer: pre, model: { ...base, byte_fallback: false, fuse_unk: true } }));
    await assertSameEncodes(tokenizerJson({ pre_tokenizer: pre, model: { ...base, byte_fallback: false, unk_token: null } }));
    // ignore_merges: a piece that is itself in the vocabulary is one token even when merges would not build it.
    const withWhole = { ...vocabOnly, xxx: Object.keys(vocabOnly).length };
    await assertSameEncodes(tokenizerJson({ pre_tokenizer: pre, model: { ...base, vocab: withWhole, ignore_merges: true } }), [
      'xxx xxxx xx',
      'hello xxx',
    ]);
    await assertSameEncodes(tokenizerJson({ pre_tokenizer: pre, model: { ...base, vocab: withWhole, ignore_merges: false } }), [
      'xxx xxxx xx',
      'hello xxx',
    ]);
    // continuing_subword_prefix and end_of_word_suffix, WordPiece-style BPE.
    const vocab: Record<string, number> = { '<unk>': 0 };
    for (const ch of 'abcdefghijklmnopqrstuvwxyz') {
      vocab[ch] = Object.keys(vocab).length;
      vocab[`##${ch}`] = Object.keys(vocab).length;
      vocab[`${ch}</w>`] = Object.keys(vocab).length;
      vocab[`##${ch}</w>`] = Object.keys(vocab).length;
    }
    Object.assign(vocab, { he: 200, '##ll': 201, hell: 202, '##lo</w>': 203, hello: 204 });
    const merges = [
      ['h', '##e'],
      ['##l', '##l'],
      ['he', '##ll'],
      ['##l', '##o</w>'],
    ];
    await assertSameEncodes(
      tokenizerJson({
        pre_tokenizer: pre,
        model: { ...model(), vocab, merges, continuing_subword_prefix: '##', end_of_word_suffix: '</w>', byte_fallback: false },
      }),
      ['hello hell help', 'hello, HELLO'],
    );
  });

  it('added tokens: special or not, normalized, lstrip, rstrip, single_word, longest match first', async () => {
    const token = (content: string, options: Record<string, boolean>): Record<string, unknown> => ({
      id: 0,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: false,
      ...options,
    });
    const added = [
      token('<s>', { special: true }),
      token('</s>', { special: true, lstrip: true }),
      token('[MASK]', { special: true, lstrip: true, rstrip: true }),
      token('hello', { normalized: true }),
      token('hell', {}),
      token('world', { single_word: true }),
      token('<unk>', { special: true, rstrip: true }),
      token('Café', { normalized: true }),
      token('  ', { normalized: false }),
    ];
    const samples = [
      '<s>hello world</s>',
      'say  </s>  [MASK]  end',
      'HELLO Hello hell hello',
      'helloworld world worlds world!',
      'CAFÉ café Café',
      '<unk>   x',
      'a  b    c',
      '<s><s></s>',
      '[MASK][MASK]',
      ...texts,
    ];
    await assertSameEncodes(
      tokenizerJson({ added_tokens: added, normalizer: { type: 'Lowercase' }, pre_tokenizer: { type: 'Whitespace' } }),
      samples,
    );
    await assertSameEncodes(
      tokenizerJson({
        added_tokens: added,
        normalizer: { type: 'NFD' },
        pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      }),
      samples,
    );
  });
});

describe('tokenizer.json errors name the field', () => {
  const expectError = (json: unknown, path: string, detail: RegExp, unsupported: boolean): void => {
    assert.throws(
      () => parseHfTokenizer(json),
      (error: unknown) =>
        error instanceof HfTokenizerError && error.path === path && detail.test(error.detail) && error.unsupported === unsupported,
      `expected ${path}: ${String(detail)}`,
    );
  };

  it('an unsupported component or option gives a typed error with its JSON path', () => {
    expectError(
      tokenizerJson({ normalizer: { type: 'Precompiled', precompiled_charsmap: 'AAAA' } }),
      'normalizer.type',
      /^"Precompiled" is not supported/,
      true,
    );
    expectError(
      tokenizerJson({ normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'BertNormalizer' }] } }),
      'normalizer.normalizers[1].type',
      /"BertNormalizer" is not supported/,
      true,
    );
    expectError(
      tokenizerJson({ pre_tokenizer: { type: 'UnicodeScripts' } }),
      'pre_tokenizer.type',
      /"UnicodeScripts" is not supported/,
      true,
    );
    expectError(tokenizerJson({ model: { type: 'Unigram', vocab: [] } }), 'model.type', /"Unigram" is not supported/, true);
    expectError(tokenizerJson({ model: model({ dropout: 0.1 }) }), 'model.dropout', /dropout 0.1 is not supported/, true);
    expectError(
      tokenizerJson({ pre_tokenizer: { type: 'Split', pattern: { Regex: '(a)\\1' }, behavior: 'Isolated', invert: false } }),
      'pre_tokenizer.pattern.Regex',
      /backreference/,
      true,
    );
  });

  it('malformed input gives an error naming the field', () => {
    expectError([], '', /expected an object/, false);
    expectError({}, 'model', /missing/, false);
    expectError(tokenizerJson({ model: model({ merges: [['h', 'nope']] }) }), 'model.merges[0]', /"nope" is not in the vocabulary/, false);
    expectError(tokenizerJson({ model: model({ unk_token: '<missing>' }) }), 'model.unk_token', /not in the vocabulary/, false);
    expectError(
      tokenizerJson({ pre_tokenizer: { type: 'Split', pattern: { Regex: 'x' }, behavior: 'Sideways', invert: false } }),
      'pre_tokenizer.behavior',
      /not a split behavior/,
      false,
    );
    expectError(tokenizerJson({ added_tokens: [{ content: 5 }] }), 'added_tokens[0].content', /expected a string/, false);
  });
});
