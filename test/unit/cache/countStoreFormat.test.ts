import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { describe, it } from 'node:test';
import {
  compactEntries,
  CorruptSegmentError,
  countCodec,
  countStoreFormatVersion,
  decodeSegment,
  encodeSegment,
  pathCodec,
  portableSegmentPrimitives,
  shardOfLocation,
} from '../../../src/core/cache/countStoreFormat';
import { nativeSegmentPrimitives } from '../../../src/node/diskCountStore';
import type { StoredCount, StoredPath } from '../../../src/core/cache/countStoreFormat';

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');
const crc32Hex = (bytes: Uint8Array): string => portableSegmentPrimitives.crc32(bytes).toString(16).padStart(8, '0');

function count(text: string, lastUsedMs: number, tokens = text.length): StoredCount {
  return {
    scope: 'abcdef0123456789|o200k_base',
    source: 'bytes',
    contentHash: hashOf(text),
    lastUsedMs,
    outcome: { kind: 'counted', tokens, bytes: text.length, hadUtf8Bom: false, invalidUtf8Sequences: 0, secretHints: [] },
  };
}

const sample: StoredCount[] = [
  count('a', 1),
  { ...count('b', 2), source: 'text', scope: 'abcdef0123456789|hf:' + 'e'.repeat(64) },
  {
    ...count('c', 3),
    outcome: { kind: 'counted', tokens: 9, bytes: 12, hadUtf8Bom: true, invalidUtf8Sequences: 2, secretHints: ['AWS access key id'] },
  },
  { ...count('d', 4), outcome: { kind: 'skipped', reason: 'binary: PNG signature' } },
];

/** Rewrites a segment's body and fixes its header (length and CRC), to build damage the checksum cannot see. */
function withBody(segment: Uint8Array, body: string): Uint8Array {
  const header = new TextDecoder().decode(segment.subarray(0, segment.indexOf(0x0a))).split(' ');
  const bytes = new TextEncoder().encode(body);
  return new TextEncoder().encode(`${header[0]} ${header[1]} ${header[2]} ${crc32Hex(bytes)} ${bytes.byteLength} 0\n${body}`);
}

describe('count cache segments', () => {
  it('round-trip every kind of count exactly, in order', () => {
    assert.deepEqual(decodeSegment(countCodec, encodeSegment(countCodec, sample)), sample);
    const paths: StoredPath[] = [{ location: '/w/é/a.ts', stamp: '12:1.5:2.25:7:9', contentHash: hashOf('x'), lastUsedMs: 5 }];
    assert.deepEqual(decodeSegment(pathCodec, encodeSegment(pathCodec, paths)), paths);
  });

  it("our CRC-32 is zlib's", (t) => {
    if (typeof crc32 !== 'function') return t.skip('zlib.crc32 needs Node 20.15 or later');
    for (const text of ['', 'a', '123456789', 'x'.repeat(10_000)]) {
      const bytes = new TextEncoder().encode(text);
      assert.equal(crc32Hex(bytes), crc32(bytes).toString(16).padStart(8, '0'));
    }
  });

  it('the native CRC-32 the node layer passes gives what the portable one gives', () => {
    const native = nativeSegmentPrimitives();
    const samples = [
      new Uint8Array(),
      new TextEncoder().encode('123456789'),
      new TextEncoder().encode('é ✓ 𝄞 \u2028 and a NUL \u0000'),
      Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24),
    ];
    for (const bytes of samples) assert.equal(native.crc32(bytes), portableSegmentPrimitives.crc32(bytes));
    assert.equal(portableSegmentPrimitives.crc32(new TextEncoder().encode('123456789')), 0xcbf43926, 'the CRC-32 check value');
    // A view into a larger buffer is checked as the view, not the whole buffer.
    const larger = new TextEncoder().encode('xx{"a":1}yy');
    assert.equal(native.crc32(larger.subarray(2, 9)), portableSegmentPrimitives.crc32(new TextEncoder().encode('{"a":1}')));
    // Written with one, read with the other.
    assert.deepEqual(decodeSegment(countCodec, encodeSegment(countCodec, sample, native)), sample);
    assert.deepEqual(decodeSegment(countCodec, encodeSegment(countCodec, sample), native), sample);
  });

  it('refuse every kind of damage, whole, with the reason', () => {
    const good = encodeSegment(countCodec, sample);
    const flipped = good.slice();
    flipped[good.length - 5]! ^= 0x01;
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['truncated', good.subarray(0, good.length - 7), /truncated/],
      ['padded', new Uint8Array([...good, 0x20]), /truncated or padded/],
      ['empty', new Uint8Array(), /no header/],
      ['cut inside the header', good.subarray(0, 10), /no header/],
      ['one flipped bit', flipped, /checksum/],
      ['not ours', new TextEncoder().encode('{"scopes":[],"entries":[]}\n'), /bad magic/],
      ['another family', encodeSegment(pathCodec, []), /holds paths, expected counts/],
      [
        'another version',
        new TextEncoder().encode(new TextDecoder().decode(good).replace(`CBCACHE counts ${countStoreFormatVersion} `, 'CBCACHE counts 1 ')),
        /format version 1, expected/,
      ],
      [
        'a header without the blob length (format 1)',
        new TextEncoder().encode(new TextDecoder().decode(good).replace(/ 0\n/, '\n')),
        /bad header/,
      ],
      ['valid checksum, not JSON', withBody(good, '{"scopes":['), /not valid JSON/],
      [
        'a bad content hash',
        withBody(good, JSON.stringify({ scopes: ['s'], entries: [[0, 0, 'zz', 1, 1, 1, 0, 0, []]] })),
        /entry 0: bad content hash/,
      ],
      [
        'negative tokens',
        withBody(good, JSON.stringify({ scopes: ['s'], entries: [[0, 0, hashOf('a'), 1, -1, 1, 0, 0, []]] })),
        /entry 0: bad token/,
      ],
      [
        'fractional tokens',
        withBody(good, JSON.stringify({ scopes: ['s'], entries: [[0, 0, hashOf('a'), 1, 1.5, 1, 0, 0, []]] })),
        /entry 0: bad token/,
      ],
      [
        'an unknown scope',
        withBody(good, JSON.stringify({ scopes: [], entries: [[0, 0, hashOf('a'), 1, 1, 1, 0, 0, []]] })),
        /unknown scope/,
      ],
      [
        'hints that are not strings',
        withBody(good, JSON.stringify({ scopes: ['s'], entries: [[0, 0, hashOf('a'), 1, 1, 1, 0, 0, [7]]] })),
        /secret hints/,
      ],
      ['a wrong arity', withBody(good, JSON.stringify({ scopes: ['s'], entries: [[0, 0, hashOf('a'), 1, 1]] })), /bad skip reason/],
    ];
    for (const [name, bytes, reason] of cases) {
      assert.throws(
        () => decodeSegment(countCodec, bytes),
        (error: unknown) => error instanceof CorruptSegmentError && reason.test(error.message),
        name,
      );
    }
  });

  it('compaction keeps the latest use of each count and evicts the least recently used first', () => {
    const entries = [count('a', 10), count('b', 30), count('c', 20), count('a', 40), count('d', 5)];
    const size = countCodec.sizeOf(count('a', 10));
    // Room for two: a (last used at 40) and b (30); c (20) and d (5) go.
    const kept = compactEntries(countCodec, entries, 2 * size + 1);
    assert.deepEqual(
      kept.kept.map((entry) => [entry.contentHash, entry.lastUsedMs]),
      [
        [hashOf('a'), 40],
        [hashOf('b'), 30],
      ],
    );
    assert.equal(kept.evicted, 2);
    assert.equal(compactEntries(countCodec, entries, 0).kept.length, 0);
  });

  it('a count is made by the code version its scope starts with, whole, not by one whose name it merely begins with', () => {
    const made = (scope: string, version: string): boolean | undefined =>
      countCodec.madeByCodeVersion?.({ ...count('a', 1), scope }, version);
    assert.equal(made('abcdef0123456789|o200k_base', 'abcdef0123456789'), true);
    assert.equal(made('abcdef0123456789|hf:' + 'e'.repeat(64), 'abcdef0123456789'), true);
    assert.equal(made('abcdef0123456789|o200k_base', 'abcdef012345678'), false, 'a prefix of the version');
    assert.equal(made('code-v10|o200k_base', 'code-v1'), false);
    assert.equal(made('0000000000000000|o200k_base', 'abcdef0123456789'), false);
  });

  it('spread locations over all 16 path shards', () => {
    const shards = new Map<string, number>();
    for (let i = 0; i < 1600; i++) {
      const shard = shardOfLocation(`/home/me/project/src/module${i}/file${i % 7}.ts`);
      shards.set(shard, (shards.get(shard) ?? 0) + 1);
    }
    assert.equal(shards.size, 16);
    for (const [shard, n] of shards) assert.ok(n > 50 && n < 150, `shard ${shard} holds ${n} of 1600`);
  });
});
