import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combineGgufShards, GgufFormatError, readGgufHeader } from '../../../src/core/model/ggufHeader';
import type { GgufHeader } from '../../../src/core/model/ggufHeader';
import { fileBytes, ggml, gguf, v, VirtualReader, vocabulary } from './ggufFixture';
import type { Encoded, TensorSpec } from './ggufFixture';

const vocab = vocabulary(128_256);

/** A Llama-3.1-8B-shaped header: the real vocabulary size, a few of its tensors at their real shapes. */
function llamaKv(): [string, Encoded][] {
  return [
    ['general.architecture', v.str('llama')],
    ['general.name', v.str('Meta Llama 3.1 8B Instruct')],
    ['general.file_type', v.u32(15)],
    ['llama.block_count', v.u32(32)],
    ['llama.context_length', v.u32(131_072)],
    ['llama.embedding_length', v.u32(4096)],
    ['llama.feed_forward_length', v.u32(14_336)],
    ['llama.attention.head_count', v.u32(32)],
    ['llama.attention.head_count_kv', v.u32(8)],
    ['llama.rope.freq_base', v.f32(500_000)],
    ['llama.rope.dimension_count', v.u32(128)],
    ['tokenizer.ggml.model', v.str('gpt2')],
    ['tokenizer.ggml.tokens', v.arr('string', vocab)],
    [
      'tokenizer.ggml.token_type',
      v.arr(
        'int32',
        vocab.map(() => 1),
      ),
    ],
    ['tokenizer.chat_template', v.str('{% for message in messages %}{{ message.content }}{% endfor %}')],
  ];
}

const llamaTensors: TensorSpec[] = [
  // 4096 × 128256 = 525,336,576 elements = 2,052,096 Q4_K blocks of 256, 144 bytes each.
  { name: 'token_embd.weight', dims: [4096, 128_256], ggmlType: ggml.Q4_K, bytes: 295_501_824 },
  { name: 'blk.0.attn_q.weight', dims: [4096, 4096], ggmlType: ggml.Q4_K, bytes: 9_437_184 },
  { name: 'blk.0.attn_norm.weight', dims: [4096], ggmlType: ggml.F32, bytes: 16_384 },
  // Same element count in Q6_K: 2,052,096 blocks × 210 bytes.
  { name: 'output.weight', dims: [4096, 128_256], ggmlType: ggml.Q6_K, bytes: 430_940_160 },
];

const llamaFile = gguf(llamaKv(), llamaTensors);

test('a Llama-shaped header: metadata, tensor infos and exact tensor bytes, with the 128k-token vocabulary only counted', async () => {
  const file = llamaFile;
  const reader = new VirtualReader(file.header, file.size);
  const header = await readGgufHeader(reader);
  assert.equal(header.version, 3);
  assert.deepEqual(header.metadata.get('llama.block_count'), { type: 'uint32', value: 32 });
  assert.deepEqual(header.metadata.get('general.architecture'), { type: 'string', value: 'llama' });
  assert.equal(header.metadata.get('llama.rope.freq_base')?.type, 'float32');
  const tokens = header.metadata.get('tokenizer.ggml.tokens');
  assert.deepEqual(
    tokens,
    { type: 'array', elementType: 'string', length: 128_256 },
    'string arrays keep their length, never their strings',
  );
  const types = header.metadata.get('tokenizer.ggml.token_type');
  assert.ok(types?.type === 'array' && types.values === undefined && types.length === 128_256, 'long numeric arrays are skipped too');
  assert.deepEqual(
    header.tensors.map((t) => [t.name, t.bytes, t.sizeKnown]),
    llamaTensors.map((t) => [t.name, t.bytes, true]),
  );
  assert.equal(header.tensors[0]!.elements, 525_336_576);
  assert.equal(header.dataOffset, file.dataOffset);
  assert.equal(header.alignment, 32);
  assert.equal(header.fileBytes, file.size);
});

test('only the header is read: nothing past the data offset but the tail of the last chunk, never the 735 MB of tensors', async () => {
  const file = llamaFile;
  for (const chunkBytes of [4096, 1 << 20]) {
    const reader = new VirtualReader(file.header, file.size);
    const header = await readGgufHeader(reader, { chunkBytes });
    assert.ok(
      reader.furthest <= file.dataOffset + chunkBytes,
      `chunk ${chunkBytes}: read up to ${reader.furthest}, data starts at ${file.dataOffset}`,
    );
    assert.equal(
      header.bytesRead,
      reader.reads.reduce((sum, r) => sum + Math.min(r.length, file.size - r.offset), 0),
    );
    // The int32 token_type array (513,024 bytes) is skipped by arithmetic, so with small chunks less than the header is read.
    if (chunkBytes === 4096) {
      assert.ok(header.bytesRead < file.header.length - 500_000, `read ${header.bytesRead} of a ${file.header.length}-byte header`);
    }
  }
});

test('short numeric arrays (per-layer values) are kept; booleans, signed and 64-bit values decode', async () => {
  const file = gguf(
    [
      ['a.per_layer', v.arr('int32', [8, 8, 0, -1])],
      ['a.flags', v.arr('bool', [true, false])],
      ['a.big', v.u64(2n ** 60n)],
      ['a.small64', v.u64(42)],
    ],
    [{ name: 't', dims: [32], ggmlType: ggml.F32, bytes: 128 }],
  );
  const header = await readGgufHeader(new VirtualReader(fileBytes(file), file.size));
  assert.deepEqual(header.metadata.get('a.per_layer'), { type: 'array', elementType: 'int32', length: 4, values: [8, 8, 0, -1] });
  assert.deepEqual(header.metadata.get('a.flags'), { type: 'array', elementType: 'bool', length: 2, values: [true, false] });
  assert.deepEqual(header.metadata.get('a.big'), { type: 'uint64', value: 2n ** 60n });
  assert.deepEqual(header.metadata.get('a.small64'), { type: 'uint64', value: 42 });
});

test('an array of arrays is refused, as llama.cpp refuses it (an invalid GGUF type there)', async () => {
  const file = gguf(
    [
      [
        'a.nested',
        v.raw(9, Buffer.concat([u32(9), u64(2), u32(4), u64(1), u32(7), u32(8), u64(1), Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0x78])])),
      ],
    ],
    [{ name: 't', dims: [32], ggmlType: ggml.F32, bytes: 128 }],
  );
  await assert.rejects(readGgufHeader(new VirtualReader(fileBytes(file), file.size)), {
    name: 'GgufFormatError',
    message: 'metadata key "a.nested" is an array of arrays, which llama.cpp rejects as an invalid GGUF type',
  });
});

function u32(x: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(x);
  return b;
}

function u64(x: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(x));
  return b;
}

/** Asserts parsing `bytes` (a whole file) fails with a GgufFormatError matching `message`. */
async function rejects(bytes: Buffer, message: RegExp, size = bytes.length): Promise<void> {
  await assert.rejects(readGgufHeader(new VirtualReader(bytes, size)), (error: unknown) => {
    assert.ok(error instanceof GgufFormatError, `expected GgufFormatError, got ${String(error)}`);
    assert.match(error.message, message);
    return true;
  });
}

const tiny: TensorSpec[] = [{ name: 'blk.0.attn_q.weight', dims: [64, 4], ggmlType: ggml.F16, bytes: 512 }];

test('not a GGUF file: the first bytes are named', async () => {
  await rejects(
    Buffer.from('PK\x03\x04 a zip file, not a model', 'latin1'),
    /^not a GGUF file: it starts with 50 4b 03 04, not the magic "GGUF" \(47 47 55 46\)$/,
  );
  await rejects(fileBytes(gguf([], tiny, { magic: 'GGML' })), /not the magic "GGUF"/);
  await rejects(Buffer.from('GG'), /^not a GGUF file: it has 2 bytes, fewer than the 4-byte "GGUF" magic$/);
  await rejects(Buffer.alloc(0), /it has 0 bytes/);
});

test('unsupported versions: v1, big-endian, unknown', async () => {
  await rejects(fileBytes(gguf([], tiny, { version: 1 })), /GGUF version 1 .* is not supported/);
  await rejects(fileBytes(gguf([], tiny, { version: 0x03000000 })), /^big-endian GGUF \(version 3 byte-swapped\) is not supported$/);
  await rejects(fileBytes(gguf([], tiny, { version: 7 })), /^unsupported GGUF version 7 \(2 and 3 are supported\)$/);
  const v2 = await readGgufHeader(
    new VirtualReader(
      fileBytes(gguf([['general.architecture', v.str('llama')]], tiny, { version: 2 })),
      gguf([['general.architecture', v.str('llama')]], tiny).size,
    ),
  );
  assert.equal(v2.version, 2);
});

test('wrong types and impossible values name the key or tensor', async () => {
  await rejects(
    fileBytes(gguf([['general.architecture', v.raw(13, Buffer.alloc(4))]], tiny)),
    /^metadata key "general\.architecture" has value type 13, which GGUF does not define \(0 to 12\)$/,
  );
  await rejects(
    fileBytes(gguf([['x', v.raw(9, Buffer.concat([u32(99), u64(1)]))]], tiny)),
    /the elements of metadata key "x" has value type 99/,
  );
  await rejects(
    fileBytes(gguf([['x.flag', v.raw(7, Buffer.from([2]))]], tiny)),
    /^metadata key "x\.flag" is a bool stored as 2 \(must be 0 or 1\)$/,
  );
  await rejects(
    fileBytes(
      gguf(
        [
          ['dup', v.u32(1)],
          ['dup', v.u32(2)],
        ],
        tiny,
      ),
    ),
    /^metadata key "dup" appears twice$/,
  );
  await rejects(fileBytes(gguf([['general.alignment', v.u32(24)]], tiny)), /"general\.alignment" must be a power of two \(got 24\)/);
  await rejects(fileBytes(gguf([['general.alignment', v.str('32')]], tiny)), /"general\.alignment" must be a uint32 \(got string\)/);
  await rejects(
    fileBytes(gguf([], [{ name: 'q', dims: [100, 4], ggmlType: ggml.Q4_K, bytes: 1024 }])),
    /^tensor "q" has rows of 100 elements, not a multiple of the Q4_K block of 256$/,
  );
  await rejects(
    fileBytes(gguf([], [{ name: 'q', dims: [1, 1, 1, 1, 1], ggmlType: ggml.F32, bytes: 32 }])),
    /^tensor "q" has 5 dimensions \(ggml allows 1 to 4\)$/,
  );
  await rejects(
    fileBytes(
      gguf(
        [],
        [
          { name: 'a', dims: [8], ggmlType: ggml.F32, bytes: 32 },
          { name: 'a', dims: [8], ggmlType: ggml.F32, bytes: 32 },
        ],
      ),
    ),
    /^tensor "a" appears twice$/,
  );
});

test('lengths that run past the end of the file are truncation errors, found without allocating them', async () => {
  // A string array claiming 2^40 elements, and a float array claiming 2^50 bytes.
  await rejects(
    fileBytes(gguf([['tokenizer.ggml.tokens', v.raw(9, Buffer.concat([u32(8), u64(2 ** 40)]))]], tiny)),
    /^the file is truncated: metadata key "tokenizer\.ggml\.tokens" holds 1099511627776 string values \(at least 8796093022208 bytes\) but only \d+ bytes remain$/,
  );
  await rejects(
    fileBytes(gguf([['tokenizer.ggml.scores', v.raw(9, Buffer.concat([u32(6), u64(2 ** 48)]))]], tiny)),
    /^the file is truncated: metadata key "tokenizer\.ggml\.scores" holds 281474976710656 float32 values \(1125899906842624 bytes\) but only \d+ bytes remain$/,
  );
  await rejects(
    fileBytes(gguf([['general.name', v.raw(8, u64(1e12))]], tiny)),
    /^the file is truncated: metadata key "general\.name" is 1000000000000 bytes long but only \d+ bytes remain$/,
  );
  await rejects(
    fileBytes(gguf([['general.name', v.raw(8, u64(2 ** 62))]], tiny)),
    /the length of metadata key "general\.name" is 4611686018427387904, beyond any real file/,
  );
});

test('a file cut anywhere, in the header or in the tensor data, is an error, never a result', async () => {
  const file = gguf(
    [
      ['general.architecture', v.str('llama')],
      ['llama.block_count', v.u32(2)],
      ['tokenizer.ggml.tokens', v.arr('string', vocabulary(300))],
      [
        'tokenizer.ggml.scores',
        v.arr(
          'float32',
          vocabulary(300).map(() => 0.5),
        ),
      ],
    ],
    [
      { name: 'token_embd.weight', dims: [64, 300], ggmlType: ggml.F16, bytes: 38_400 },
      { name: 'output_norm.weight', dims: [64], ggmlType: ggml.F32, bytes: 256 },
    ],
  );
  const whole = fileBytes(file);
  const cuts = new Set<number>();
  for (let i = 0; i < 64; i++) cuts.add(i);
  for (let i = 64; i < file.dataOffset; i += 7) cuts.add(i);
  for (const near of [file.dataOffset, whole.length]) for (let d = -40; d <= 0; d++) cuts.add(near + d - 1);
  cuts.add(file.dataOffset + 20_000);
  let checked = 0;
  for (const cut of [...cuts].filter((c) => c >= 0 && c < whole.length)) {
    const bytes = whole.subarray(0, cut);
    await assert.rejects(
      readGgufHeader(new VirtualReader(bytes, bytes.length)),
      GgufFormatError,
      `cut at ${cut} of ${whole.length} must fail`,
    );
    checked++;
  }
  assert.ok(checked > 300, `${checked} cuts checked`);
  await rejects(whole.subarray(0, 200), /the file is truncated: .*metadata key "tokenizer\.ggml\.tokens"/);
  await rejects(
    whole.subarray(0, file.dataOffset + 100),
    /^the file is truncated: tensor "token_embd\.weight" ends at byte \d+ but the file has \d+ bytes \(an incomplete download\?\)$/,
  );
  assert.equal((await readGgufHeader(new VirtualReader(whole, whole.length))).tensors.length, 2);
});

test('a tensor of a ggml type missing from the table is measured by the distance to the next tensor', async () => {
  const file = gguf(
    [],
    [
      { name: 'a', dims: [64], ggmlType: 77, bytes: 100 },
      { name: 'b', dims: [64], ggmlType: ggml.F32, bytes: 256 },
      { name: 'c', dims: [64], ggmlType: 78, bytes: 40 },
    ],
  );
  const header = await readGgufHeader(new VirtualReader(fileBytes(file), file.size));
  // a: 100 bytes padded to 128; c: the rest of the file, 40 padded to 64.
  assert.deepEqual(
    header.tensors.map((t) => [t.name, t.bytes, t.sizeKnown]),
    [
      ['a', 128, false],
      ['b', 256, true],
      ['c', 64, false],
    ],
  );
});

test("split models: one header with the first shard's metadata and every shard's tensors; a missing shard is named", async () => {
  const shard = (no: number, tensors: TensorSpec[], extra: [string, Encoded][] = []): Promise<GgufHeader> => {
    const f = gguf([['split.no', v.u8(no)], ['split.count', v.u8(2)], ['split.tensors.count', v.i32(3)], ...extra], tensors);
    return readGgufHeader(new VirtualReader(fileBytes(f), f.size));
  };
  const first = await shard(0, [{ name: 'a', dims: [8], ggmlType: ggml.F32, bytes: 32 }], [['general.architecture', v.str('llama')]]);
  const second = await shard(1, [
    { name: 'b', dims: [8], ggmlType: ggml.F32, bytes: 32 },
    { name: 'c', dims: [8], ggmlType: ggml.F32, bytes: 32 },
  ]);
  const combined = combineGgufShards([second, first]);
  assert.equal(combined.metadata.get('general.architecture')?.type, 'string');
  assert.deepEqual(
    combined.tensors.map((t) => t.name),
    ['a', 'b', 'c'],
  );
  assert.equal(combined.fileBytes, first.fileBytes + second.fileBytes);
  assert.throws(() => combineGgufShards([first]), { message: 'shard 2 of 2 is missing' });
  assert.throws(() => combineGgufShards([first, first]), { message: /two files claim to be shard 1 of 2/ });
});
