// Hostile model files (issue 15, items 1, 2, 3, 7, 8, 9): through the real CLI and the core parsers.
// FIFOs, devices and pseudo-files as --model; GGUF length fields far past any real file; metadata
// work caps; keys that name Object.prototype members; inconsistent windows; undecodable configs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { resolveTarget } from '../../../src/core/analysis/resolveTarget';
import { parseModelCatalog } from '../../../src/core/model/catalog';
import { decodeConfigBytes, parseConfigJson } from '../../../src/core/model/configText';
import { ggufToModelSpec } from '../../../src/core/model/gguf';
import { ggufLimits, readGgufHeader } from '../../../src/core/model/ggufHeader';
import type { ByteRangeReader } from '../../../src/core/model/ggufHeader';
import { parseHfConfig } from '../../../src/core/model/hfConfig';
import bundledModels from '../../../src/core/model/catalog.models.json';
import { defaultSettings } from '../../../src/core/settings';
import { readGgufFile } from '../../../src/node/ggufFile';
import { readModelFile } from '../../../src/node/modelFile';
import { ggml, gguf, v, VirtualReader } from '../model/ggufFixture';
import type { Encoded, TensorSpec } from '../model/ggufFixture';

async function run(args: readonly string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
  return { code, out, err };
}

const dir = mkdtempSync(path.join(tmpdir(), 'cb-hostile-models-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// A hang guard, not a speed target: the old code blocked forever or ran out of memory on these.
const hangGuard = { timeout: 30_000 };

const kv: [string, Encoded][] = [
  ['general.architecture', v.str('llama')],
  ['general.name', v.str('Tiny Llama')],
  ['llama.block_count', v.u32(2)],
  ['llama.context_length', v.u32(8192)],
  ['llama.embedding_length', v.u32(256)],
  ['llama.attention.head_count', v.u32(4)],
  ['llama.attention.head_count_kv', v.u32(2)],
  ['llama.vocab_size', v.u32(1000)],
];
const tensors: TensorSpec[] = [{ name: 'blk.0.attn_q.weight', dims: [256, 256], ggmlType: ggml.F16, bytes: 131_072 }];

/** Bytes placed at given offsets of a file of `size` bytes, zeros elsewhere: a sparse file in memory. */
class SegmentReader implements ByteRangeReader {
  constructor(
    private readonly segments: ReadonlyArray<{ readonly offset: number; readonly bytes: Buffer }>,
    readonly size: number,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    const out = Buffer.alloc(Math.max(0, Math.min(offset + length, this.size) - offset));
    for (const segment of this.segments) {
      const from = Math.max(offset, segment.offset);
      const to = Math.min(offset + out.length, segment.offset + segment.bytes.length);
      if (from < to) segment.bytes.copy(out, from - offset, from - segment.offset, to - segment.offset);
    }
    return out;
  }
}

/**
 * A GGUF whose last metadata value is a string with a length field of `length` bytes, placed so the
 * file really is that long (the tensor infos follow the string): the layout of the hostile file.
 */
function withLongLastString(
  key: string,
  length: number,
): { readonly segments: Array<{ offset: number; bytes: Buffer }>; readonly size: number } {
  // length must keep the alignment padding before the tensor data unchanged: a multiple of 32.
  assert.equal(length % 32, 0);
  const file = gguf([...kv.filter(([k]) => k !== key), [key, v.str('')]], tensors);
  // The string's bytes start after the key, its value type (u32) and its length (u64).
  const at = file.header.lastIndexOf(Buffer.from(key)) + Buffer.byteLength(key) + 4 + 8;
  const head = Buffer.from(file.header.subarray(0, at));
  head.writeBigUInt64LE(BigInt(length), at - 8);
  return {
    segments: [
      { offset: 0, bytes: head },
      { offset: at + length, bytes: Buffer.from(file.header.subarray(at)) },
    ],
    size: file.size + length,
  };
}

/** Writes such a layout as a sparse file. */
function writeSparse(
  name: string,
  layout: { readonly segments: ReadonlyArray<{ offset: number; bytes: Buffer }>; readonly size: number },
): string {
  const file = path.join(dir, name);
  const fd = openSync(file, 'w');
  for (const segment of layout.segments) writeSync(fd, segment.bytes, 0, segment.bytes.length, segment.offset);
  closeSync(fd);
  truncateSync(file, layout.size);
  return file;
}

describe('model files that would hang or crash: refused with the cause, exit 2', () => {
  it('--model naming a FIFO (.json and .gguf), /dev/zero, a .json link to /dev/zero, a /proc file: exit 2 at once', hangGuard, async () => {
    const made = spawnSync('mkfifo', [path.join(dir, 'f.json')]);
    assert.equal(made.status, 0);
    spawnSync('mkfifo', [path.join(dir, 'f.gguf')]);
    symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
    const cases: Array<[string, RegExp]> = [
      [
        'f.json',
        /^context-budget: --model: cannot read config file f\.json \(a FIFO \(named pipe\), not a regular file: not opened for reading\)$/m,
      ],
      [
        'f.gguf',
        /^context-budget: --model: cannot read GGUF file f\.gguf \(a FIFO \(named pipe\), not a regular file: not opened for reading\)$/m,
      ],
      [
        '/dev/zero',
        /^context-budget: --model: cannot read config file \/dev\/zero \(a character device \(like \/dev\/zero\), not a regular file/m,
      ],
      [
        'zero.json',
        /^context-budget: --model: cannot read config file zero\.json \(a character device \(like \/dev\/zero\), not a regular file/m,
      ],
    ];
    if (existsSync('/proc/self/status')) {
      cases.push(['/proc/self/status', /^context-budget: --model: cannot read config file \/proc\/self\/status \(a proc pseudo-file/m]);
    }
    for (const [model, message] of cases) {
      const { code, out, err } = await run(['estimate', '--tokens', '10', '--model', model], dir);
      assert.equal(code, 2, model);
      assert.equal(out, '', model);
      assert.match(err, message);
    }
  });

  it('--model naming a text file that is not JSON says so without echoing any of its bytes', async () => {
    const secret = 'root:x:0:0:TOPSECRET-PASSWORD-HASH:/root:/bin/bash\n';
    writeFileSync(path.join(dir, 'passwd'), secret);
    const { code, err } = await run(['estimate', '--tokens', '10', '--model', './passwd'], dir);
    assert.equal(code, 2);
    assert.match(
      err,
      /^context-budget: Model config .*passwd: is not JSON: a config\.json starts with "\{", this text does not \(line 1, column 1\)\.$/m,
    );
    for (const fragment of ['root', 'TOPSECRET', 'x:0', '/bin/bash']) assert.ok(!err.includes(fragment), `echoes "${fragment}": ${err}`);
    // Broken JSON further in: located by line and column, never quoted.
    const broken = '{\n  "hidden_size": 4096,\n  "api_key": "sk-DO-NOT-PRINT" oops\n}';
    const parsed = parseConfigJson(broken);
    assert.deepEqual(parsed, { error: 'is not valid JSON at line 3, column 32: "," or "}" was expected' });
  });

  it('a config.json of 5 GB (sparse) is refused by its size before anything is read', hangGuard, async () => {
    const big = path.join(dir, 'big.json');
    writeFileSync(big, '{"model_type": "llama", "name": "');
    truncateSync(big, 5 * 1024 ** 3);
    const { code, err } = await run(['estimate', '--tokens', '10', '--model', 'big.json'], dir);
    assert.equal(code, 2);
    assert.match(
      err,
      /^context-budget: --model: cannot read config file big\.json \(5\.00 GiB is larger than the 1\.00 MiB limit for a config\.json/m,
    );
    unlinkQuietly(big);
  });

  it('config text: a UTF-8 BOM and UTF-16 (with or without BOM) decode; UTF-32, NUL bytes and invalid UTF-8 are refused by name', () => {
    const json = '{"model_type":"llama"}';
    assert.deepEqual(decodeConfigBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])), {
      text: json,
      encoding: 'UTF-8 with a byte-order mark',
    });
    assert.deepEqual(decodeConfigBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')])), {
      text: json,
      encoding: 'UTF-16 LE',
    });
    assert.deepEqual(decodeConfigBytes(Buffer.from(json, 'utf16le')), { text: json, encoding: 'UTF-16 LE' });
    assert.deepEqual(decodeConfigBytes(Buffer.from(json, 'utf16le').swap16()), { text: json, encoding: 'UTF-16 BE' });
    const utf32 = Buffer.alloc(json.length * 4);
    for (let i = 0; i < json.length; i++) utf32.writeUInt32LE(json.charCodeAt(i), i * 4);
    assert.deepEqual(decodeConfigBytes(utf32), { error: 'it is UTF-32 text; save it as UTF-8' });
    assert.deepEqual(decodeConfigBytes(Buffer.from('{"a": "\u0000"}'.replace('\u0000', '\0'))), {
      error: 'it contains a NUL byte (at byte 7): a binary file, not JSON text',
    });
    assert.deepEqual(decodeConfigBytes(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d])), {
      error: 'it is not valid UTF-8 text (a binary file?)',
    });
  });

  it('a config.json with a BOM, and one in UTF-16, give the same model as plain UTF-8 (through readModelFile)', async () => {
    const config = {
      model_type: 'llama',
      hidden_size: 4096,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      max_position_embeddings: 8192,
      vocab_size: 128_256,
      intermediate_size: 14_336,
    };
    const text = JSON.stringify(config);
    writeFileSync(path.join(dir, 'plain.json'), text);
    writeFileSync(path.join(dir, 'bom.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    writeFileSync(path.join(dir, 'utf16.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    const specs = [];
    for (const name of ['plain.json', 'bom.json', 'utf16.json']) {
      const file = await readModelFile(path.join(dir, name), 'config.json');
      const resolved = resolveTarget(defaultSettings, file);
      assert.deepEqual(resolved.problems, [], name);
      specs.push(resolved.model);
    }
    assert.deepEqual(specs[1], specs[0]);
    assert.deepEqual(specs[2], specs[0]);
  });
});

describe('GGUF lengths and counts: bounded by the real file and by caps, checked before allocating', () => {
  it('a 100 MB general.name: skipped unread (the length is kept), the file name is shown and the skip noted', async () => {
    const layout = withLongLastString('general.name', 100 * 1024 * 1024);
    const header = await readGgufHeader(new SegmentReader(layout.segments, layout.size));
    assert.deepEqual(header.metadata.get('general.name'), { type: 'string', value: null, byteLength: 104_857_600 });
    assert.ok(header.bytesRead < 4 * 1024 * 1024, `read ${header.bytesRead} bytes, not the 100 MB string`);
    const model = ggufToModelSpec(header, { id: '/m/tiny.gguf', sourcePath: '/m/tiny.gguf' });
    assert.equal(model.displayName, 'tiny.gguf (GGUF mostly F16)');
    assert.ok(model.notes?.includes('general.name is a 104,857,600-byte string, too long to read; the file name is shown instead.'));
  });

  it(
    'on disk through the CLI: the 100 MB name gives an estimate; a 3,000,000,000-byte length field in a 3 GB file exits 2 naming the key, without allocating or crashing',
    hangGuard,
    async () => {
      writeSparse('long-name.gguf', withLongLastString('general.name', 100 * 1024 * 1024));
      const ok = await run(['estimate', '--tokens', '10', '--model', 'long-name.gguf'], dir);
      assert.equal(ok.err, '');
      assert.equal(ok.code, 0);
      assert.match(ok.out, /^model {6}long-name\.gguf \(GGUF mostly F16\) on /m);
      const huge = writeSparse('huge-name.gguf', withLongLastString('general.name', 3_000_000_000));
      const header = readGgufFile(huge);
      await assert.rejects(header, { name: 'GgufFormatError', cap: 'maxStringBytes' });
      const bad = await run(['estimate', '--tokens', '10', '--model', 'huge-name.gguf'], dir);
      assert.equal(bad.code, 2);
      assert.match(
        bad.err,
        /^context-budget: --model: cannot read GGUF file huge-name\.gguf \(metadata key "general\.name" is 3,000,000,000 bytes long, more than the 1,073,741,824 llama\.cpp accepts \(GGUF_MAX_STRING_LENGTH\)\)$/m,
      );
      unlinkQuietly(huge);
      unlinkQuietly(path.join(dir, 'long-name.gguf'));
    },
  );

  it('an architecture key with a 100 MB string value is refused naming the key (it cannot be read, so it cannot be used)', async () => {
    const layout = withLongLastString('general.architecture', 100 * 1024 * 1024);
    await assert.rejects(
      async () => ggufToModelSpec(await readGgufHeader(new SegmentReader(layout.segments, layout.size)), { id: 'm', sourcePath: 'm.gguf' }),
      {
        name: 'ModelConfigError',
        message:
          'm.gguf: "general.architecture" must be a string of at most 65,536 bytes (got a string of 104,857,600 bytes, too long to read)',
      },
    );
  });

  it("a string past llama.cpp's GGUF_MAX_STRING_LENGTH (1 GiB) is malformed, named with the cap", async () => {
    const layout = withLongLastString('general.name', 2 * 1024 ** 3);
    await assert.rejects(readGgufHeader(new SegmentReader(layout.segments, layout.size)), {
      name: 'GgufFormatError',
      cap: 'maxStringBytes',
      message:
        /^metadata key "general\.name" is 2,147,483,648 bytes long, more than the 1,073,741,824 llama\.cpp accepts \(GGUF_MAX_STRING_LENGTH\)$/,
    });
  });

  it('2,000,000 tensors and 2,000,000 key/value pairs in a file big enough to hold them: refused at the count, naming the cap', async () => {
    const file = gguf(kv, tensors);
    const tensorHeavy = Buffer.from(file.header);
    tensorHeavy.writeBigUInt64LE(2_000_000n, 8);
    await assert.rejects(readGgufHeader(new VirtualReader(tensorHeavy, 10 ** 9)), {
      cap: 'maxTensors',
      message: 'the tensor count says 2,000,000 tensors; Context Budget reads at most 65,536 (real models have under 2,000)',
    });
    const kvHeavy = Buffer.from(file.header);
    kvHeavy.writeBigUInt64LE(2_000_000n, 16);
    await assert.rejects(readGgufHeader(new VirtualReader(kvHeavy, 10 ** 9)), {
      cap: 'maxKeyValues',
      message:
        'the metadata key/value count says 2,000,000 key/value pairs; Context Budget reads at most 65,536 (real models have under 2,000)',
    });
  });

  it('4.5 billion nested empty arrays: refused at once (llama.cpp rejects arrays of arrays), not walked for hours', async () => {
    const nested = v.raw(9, Buffer.concat([u32(9), u64(4_500_000_000)]));
    const file = gguf([['a.nested', nested], ...kv], tensors);
    await assert.rejects(readGgufHeader(new VirtualReader(file.header, 60 * 1024 ** 3)), {
      message: 'metadata key "a.nested" is an array of arrays, which llama.cpp rejects as an invalid GGUF type',
    });
  });

  it("string arrays: 4.5 billion strings past llama.cpp's GGUF_MAX_ARRAY_ELEMENTS, 100 million past the vocabulary cap", async () => {
    const huge = gguf([['tokenizer.ggml.tokens', v.raw(9, Buffer.concat([u32(8), u64(4_500_000_000)]))], ...kv], tensors);
    await assert.rejects(readGgufHeader(new VirtualReader(huge.header, 60 * 1024 ** 3)), {
      cap: 'maxArrayElements',
      message: /^metadata key "tokenizer\.ggml\.tokens" holds 4,500,000,000 values, more than the 1,073,741,824 llama\.cpp accepts/,
    });
    const many = gguf([['tokenizer.ggml.tokens', v.raw(9, Buffer.concat([u32(8), u64(100_000_000)]))], ...kv], tensors);
    await assert.rejects(readGgufHeader(new VirtualReader(many.header, 10 ** 10)), {
      cap: 'maxStringArrayElements',
      message:
        'metadata key "tokenizer.ggml.tokens" holds 100,000,000 strings; Context Budget reads at most 16,777,216 (the largest vocabulary it accepts)',
    });
  });

  it('a vocabulary of long strings that would need gigabytes of reads stops at the header read cap, naming it', async () => {
    // 300 strings of 2 MiB each: every length prefix is 2 MiB after the last, so each costs a 1 MiB chunk read.
    const stringBytes = 2 * 1024 * 1024;
    const head = gguf([['tokenizer.ggml.tokens', v.raw(9, Buffer.concat([u32(8), u64(300)]))]], []).header;
    // The strings start after the key, the value type (u32), the element type (u32) and the length (u64).
    const arrayStart = head.indexOf(Buffer.from('tokenizer.ggml.tokens')) + 'tokenizer.ggml.tokens'.length + 4 + 4 + 8;
    const segments: Array<{ offset: number; bytes: Buffer }> = [{ offset: 0, bytes: Buffer.from(head.subarray(0, arrayStart)) }];
    for (let i = 0; i < 300; i++) segments.push({ offset: arrayStart + i * (8 + stringBytes), bytes: u64(stringBytes) });
    const reader = new SegmentReader(segments, arrayStart + 300 * (8 + stringBytes) + 1024);
    await assert.rejects(readGgufHeader(reader), {
      cap: 'maxHeaderReadBytes',
      message:
        /^reading the header would take more than 256 MiB of reads \(at the length of metadata key "tokenizer\.ggml\.tokens"\[\d+\]\)/,
    });
  });

  it('a tensor name of 64 bytes or more is refused, as llama.cpp refuses it (GGML_MAX_NAME)', async () => {
    const file = gguf(kv, [{ name: 'x'.repeat(64), dims: [32], ggmlType: ggml.F32, bytes: 128 }]);
    await assert.rejects(readGgufHeader(new VirtualReader(file.header, file.size)), {
      cap: 'maxTensorNameBytes',
      message: /^the name of tensor #1 of 1 is 64 bytes long, more than the 63 llama\.cpp accepts/,
    });
    const ok = gguf(kv, [{ name: 'x'.repeat(63), dims: [32], ggmlType: ggml.F32, bytes: 128 }]);
    assert.equal((await readGgufHeader(new VirtualReader(ok.header, ok.size))).tensors[0]?.name.length, 63);
  });

  it('the documented caps are the ones enforced', () => {
    assert.deepEqual(ggufLimits, {
      maxStringBytes: 1024 ** 3,
      maxArrayElements: 1024 ** 3,
      maxTensorNameBytes: 63,
      maxTensors: 65_536,
      maxKeyValues: 65_536,
      maxKeyBytes: 65_536,
      maxStringArrayElements: 16_777_216,
      maxKeptStringBytes: 65_536,
      maxKeptArrayValues: 1_048_576,
      maxHeaderReadBytes: 256 * 1024 ** 2,
    });
  });
});

describe('keys that name Object.prototype members match nothing', () => {
  const protoNames = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];

  it('GGUF rope.scaling.type "constructor", "__proto__", "toString", … is refused naming the key', async () => {
    for (const type of protoNames) {
      const file = gguf([...kv, ['llama.rope.scaling.type', v.str(type)], ['llama.rope.scaling.factor', v.f32(4)]], tensors);
      const header = await readGgufHeader(new VirtualReader(file.header, file.size));
      assert.throws(
        () => ggufToModelSpec(header, { id: 'm', sourcePath: 'm.gguf' }),
        {
          message: `m.gguf: "llama.rope.scaling.type" must be one of "none", "linear", "yarn", "longrope" (got string ${JSON.stringify(type)})`,
        },
        type,
      );
    }
  });

  it('a GGUF architecture named "constructor" with a sliding window gets no borrowed layout: full attention, noted', async () => {
    const archKv = kv.map(([k, value]): [string, Encoded] => [
      k.replace(/^llama\./, 'constructor.'),
      k === 'general.architecture' ? v.str('constructor') : value,
    ]);
    const file = gguf([...archKv, ['constructor.attention.sliding_window', v.u32(512)]], tensors);
    const model = ggufToModelSpec(await readGgufHeader(new VirtualReader(file.header, file.size)), { id: 'm', sourcePath: 'm.gguf' });
    assert.deepEqual(model.layers, [{ count: 2, attention: { kind: 'full' } }]);
    assert.ok(model.notes?.some((note) => note.includes('llama.cpp\'s layer layout for "constructor" is not known here')));
  });

  it('config.json model_type "constructor", "__proto__", "toString", …: the same spec as an unknown model_type (no borrowed defaults)', () => {
    const base = {
      hidden_size: 1024,
      num_hidden_layers: 4,
      num_attention_heads: 8,
      max_position_embeddings: 4096,
      vocab_size: 32_000,
      intermediate_size: 4096,
    };
    const reference = parseHfConfig({ ...base, model_type: 'unknown-type' }, { id: 'm' });
    for (const type of protoNames) {
      const model = parseHfConfig(JSON.parse(JSON.stringify({ ...base, model_type: type })) as unknown, { id: 'm' });
      // The model_type itself is recorded as given (hfModelType); nothing else may differ.
      assert.equal(model.hfModelType, type);
      assert.deepEqual(
        { ...model, notes: undefined, hfModelType: undefined },
        { ...reference, notes: undefined, hfModelType: undefined },
        type,
      );
      assert.deepEqual(
        model.notes,
        reference.notes?.map((note) => note.replace('unknown-type', type)),
        type,
      );
    }
  });

  it('config.json fields are read only as own properties: a "__proto__" key supplies nothing', () => {
    const json = JSON.parse(
      '{"model_type": "llama", "__proto__": {"hidden_size": 4096}, "num_hidden_layers": 2, "num_attention_heads": 8, "max_position_embeddings": 4096, "vocab_size": 1000, "intermediate_size": 64}',
    ) as unknown;
    assert.throws(() => parseHfConfig(json, { id: 'm' }), {
      message: 'config.json: "hidden_size" is missing; it must be an integer from 1 to 1,048,576',
    });
  });
});

describe('inconsistent windows are refused, naming the fields', () => {
  const base = {
    model_type: 'llama',
    hidden_size: 4096,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    max_position_embeddings: 131_072,
    vocab_size: 128_256,
    intermediate_size: 14_336,
  };

  it('original_max_position_embeddings 2^30 beside max_position_embeddings 131,072 (would give 8.6e9 tokens)', () => {
    assert.throws(
      () =>
        parseHfConfig(
          { ...base, rope_scaling: { rope_type: 'llama3', factor: 8, original_max_position_embeddings: 2 ** 30 } },
          { id: 'm' },
        ),
      {
        message:
          'config.json: "rope_scaling.original_max_position_embeddings" must be at most max_position_embeddings (131,072): the pretraining window cannot be longer than the model\'s window (got 1073741824)',
      },
    );
    assert.throws(() => parseHfConfig({ ...base, original_max_position_embeddings: 2 ** 30 }, { id: 'm' }), {
      message: /"original_max_position_embeddings" must be at most max_position_embeddings \(131,072\)/,
    });
  });

  it('a YaRN factor of 10,000 on a 131,072 original (would give 1.3e9 tokens)', () => {
    assert.throws(
      () =>
        parseHfConfig(
          { ...base, rope_scaling: { rope_type: 'yarn', factor: 10_000, original_max_position_embeddings: 131_072 } },
          { id: 'm' },
        ),
      {
        message:
          'config.json: "rope_scaling.factor" 10000 × "rope_scaling.original_max_position_embeddings" 131,072 gives a 1,310,720,000-token window, more than the 1,073,741,824 tokens any model can have',
      },
    );
    // Dynamic NTK without an original scales max_position_embeddings.
    assert.throws(() => parseHfConfig({ ...base, rope_scaling: { rope_type: 'dynamic', factor: 10_000 } }, { id: 'm' }), {
      message: /"rope_scaling\.factor" 10000 × "max_position_embeddings" 131,072 gives/,
    });
    // The real thing still parses: Llama 3.1 (8,192 × 8 under 131,072), DeepSeek-V3's YaRN ×40 on 4,096.
    assert.equal(
      parseHfConfig({ ...base, rope_scaling: { rope_type: 'llama3', factor: 8, original_max_position_embeddings: 8192 } }, { id: 'm' })
        .pretrainedWindow,
      8192,
    );
  });

  it('GGUF: rope.scaling.original_context_length above context_length, and a factor that scales past 2^30', async () => {
    // kv with some keys replaced or added.
    const build = async (changes: Record<string, Encoded>): Promise<unknown> => {
      const file = gguf([...kv.filter(([key]) => !(key in changes)), ...Object.entries(changes)], tensors);
      return ggufToModelSpec(await readGgufHeader(new VirtualReader(file.header, file.size)), { id: 'm', sourcePath: 'm.gguf' });
    };
    const yarn = { 'llama.rope.scaling.type': v.str('yarn'), 'llama.rope.scaling.factor': v.f32(4) };
    await assert.rejects(build({ ...yarn, 'llama.rope.scaling.original_context_length': v.u32(2 ** 30) }), {
      message:
        'm.gguf: "llama.rope.scaling.original_context_length" must be at most llama.context_length (8,192): the pretraining window cannot be longer than the model\'s window (got uint32 1073741824)',
    });
    await assert.rejects(
      build({
        ...yarn,
        'llama.context_length': v.u32(2 ** 20),
        'llama.rope.scaling.factor': v.f32(10_000),
        'llama.rope.scaling.original_context_length': v.u32(2 ** 20),
      }),
      {
        message:
          'm.gguf: "llama.rope.scaling.factor" 10000 × "llama.rope.scaling.original_context_length" 1,048,576 gives a 10,485,760,000-token window, more than the 1,073,741,824 tokens any model can have',
      },
    );
  });

  it('catalog: a pretrained window larger than every window of the entry is refused', () => {
    const entry = (bundledModels as { models: Array<Record<string, unknown>> }).models.find((m) => m['id'] === 'llama-3.1-8b')!;
    assert.throws(() => parseModelCatalog([{ ...entry, pretrainedWindow: 1_000_000 }]), {
      message:
        /model catalog: entry "llama-3\.1-8b": "pretrainedWindow" must be at most the model's largest window \(131072\) \(got 1000000\)/,
    });
    assert.throws(
      () => parseModelCatalog([{ ...entry, ropeScaling: { type: 'llama3', factor: 8, originalMaxPositionEmbeddings: 2 ** 30 } }]),
      { message: /"ropeScaling\.originalMaxPositionEmbeddings" must be at most maxPositionEmbeddings \(131072\)/ },
    );
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

function unlinkQuietly(file: string): void {
  rmSync(file, { force: true });
}
