import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFileBytes } from '../../../src/core/tokenizer/fileText';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const concat = (...parts: (Uint8Array | number[])[]): Uint8Array => {
  const out: number[] = [];
  for (const part of parts) out.push(...part);
  return Uint8Array.from(out);
};

describe('decodeFileBytes', () => {
  it('decodes plain UTF-8', () => {
    assert.deepEqual(decodeFileBytes(utf8('héllo ✨\n')), {
      kind: 'text',
      text: 'héllo ✨\n',
      hadUtf8Bom: false,
      invalidUtf8Sequences: 0,
      encodingDetected: 'utf-8',
    });
  });

  it('treats an empty file as empty text', () => {
    assert.deepEqual(decodeFileBytes(new Uint8Array(0)), {
      kind: 'text',
      text: '',
      hadUtf8Bom: false,
      invalidUtf8Sequences: 0,
      encodingDetected: 'utf-8',
    });
  });

  it('strips a UTF-8 BOM and reports it', () => {
    const result = decodeFileBytes(concat([0xef, 0xbb, 0xbf], utf8('x = 1')));
    assert.deepEqual(result, { kind: 'text', text: 'x = 1', hadUtf8Bom: true, invalidUtf8Sequences: 0, encodingDetected: 'utf-8' });
  });

  it('strips only the first BOM; a second U+FEFF is content', () => {
    const result = decodeFileBytes(concat([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], utf8('a')));
    assert.equal(result.kind === 'text' && result.text, '\uFEFFa');
  });

  it('replaces each invalid UTF-8 sequence with U+FFFD and counts it', () => {
    // 0xFF is never valid; C3 without its continuation; E2 82 truncated; a genuine U+FFFD (EF BF BD) is not an error.
    const result = decodeFileBytes(concat(utf8('a'), [0xff], utf8('b'), [0xc3], utf8('c'), [0xe2, 0x82], utf8('d\uFFFD')));
    assert.deepEqual(result, {
      kind: 'text',
      text: 'a\uFFFDb\uFFFDc\uFFFDd\uFFFD',
      hadUtf8Bom: false,
      invalidUtf8Sequences: 3,
      encodingDetected: 'utf-8',
    });
  });

  it('counts invalid sequences after a BOM too', () => {
    const result = decodeFileBytes(concat([0xef, 0xbb, 0xbf], utf8('Latin-1 caf'), [0xe9]));
    assert.deepEqual(result, {
      kind: 'text',
      text: 'Latin-1 caf\uFFFD',
      hadUtf8Bom: true,
      invalidUtf8Sequences: 1,
      encodingDetected: 'utf-8',
    });
  });

  it('calls mostly-undecodable bytes binary', () => {
    const bytes = new Uint8Array(256);
    for (let i = 0; i < bytes.length; i++) bytes[i] = 0x80 + (i % 0x40) + 1;
    const result = decodeFileBytes(bytes);
    assert.equal(result.kind, 'binary');
    assert.match(result.kind === 'binary' ? result.reason : '', /invalid UTF-8 sequences/);
  });

  it('decodes UTF-16 LE with a BOM', () => {
    const result = decodeFileBytes(concat([0xff, 0xfe], [0x68, 0x00, 0x69, 0x00, 0x3d, 0xd8, 0x00, 0xde]));
    assert.deepEqual(result, { kind: 'text', text: 'hi😀', hadUtf8Bom: false, invalidUtf8Sequences: 0, encodingDetected: 'utf-16le' });
  });

  it('decodes UTF-16 BE with a BOM and counts unpaired surrogates and an odd trailing byte', () => {
    const result = decodeFileBytes(concat([0xfe, 0xff], [0x00, 0x68, 0xd8, 0x00, 0x00, 0x69, 0x00]));
    assert.deepEqual(result, {
      kind: 'text',
      text: 'h\uFFFDi\uFFFD',
      hadUtf8Bom: false,
      invalidUtf8Sequences: 2,
      encodingDetected: 'utf-16be',
    });
  });

  const binaries: [string, Uint8Array, RegExp][] = [
    ['NUL bytes', concat(utf8('abc'), [0], utf8('def')), /contains NUL bytes \(binary\)/],
    ['UTF-16 without BOM', concat([0x68, 0x00, 0x69, 0x00]), /NUL bytes/],
    ['PNG', concat([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], [0, 0, 0, 13]), /PNG image signature/],
    ['SQLite', concat(utf8('SQLite format 3'), [0], [16, 0]), /SQLite database signature/],
    ['WebAssembly', concat([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]), /WebAssembly module signature/],
    ['PDF', utf8('%PDF-1.7\n%âãÏÓ\n'), /PDF document signature/],
    ['ZIP', concat([0x50, 0x4b, 0x03, 0x04], utf8('rest')), /ZIP archive/],
    ['gzip', concat([0x1f, 0x8b, 0x08, 0x00]), /gzip/],
    ['JPEG', concat([0xff, 0xd8, 0xff, 0xe0]), /JPEG/],
    ['ELF', concat([0x7f], utf8('ELF'), [2, 1, 1]), /ELF/],
    ['UTF-32 LE', concat([0xff, 0xfe, 0x00, 0x00, 0x68, 0, 0, 0]), /UTF-32/],
  ];
  for (const [name, bytes, reason] of binaries) {
    it(`reports ${name} as binary with a specific reason`, () => {
      const result = decodeFileBytes(bytes);
      assert.equal(result.kind, 'binary');
      assert.match(result.kind === 'binary' ? result.reason : '', reason);
    });
  }
});
