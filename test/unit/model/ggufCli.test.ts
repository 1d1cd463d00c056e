import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { readGgufFile } from '../../../src/node/ggufFile';
import { ggml, gguf, v, vocabulary } from './ggufFixture';
import type { Encoded, GgufFile, TensorSpec } from './ggufFixture';

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
  return { code, out, err };
}

const llama: [string, Encoded][] = [
  ['general.architecture', v.str('llama')],
  ['general.name', v.str('Meta Llama 3.1 8B Instruct')],
  ['general.file_type', v.u32(15)],
  ['llama.block_count', v.u32(32)],
  ['llama.context_length', v.u32(131_072)],
  ['llama.embedding_length', v.u32(4096)],
  ['llama.attention.head_count', v.u32(32)],
  ['llama.attention.head_count_kv', v.u32(8)],
  ['tokenizer.ggml.tokens', v.arr('string', vocabulary(128_256))],
  [
    'tokenizer.ggml.scores',
    v.arr(
      'float32',
      vocabulary(128_256).map(() => 0),
    ),
  ],
];

const tensors: TensorSpec[] = [
  { name: 'token_embd.weight', dims: [4096, 128_256], ggmlType: ggml.Q4_K, bytes: 295_501_824 },
  { name: 'blk.0.attn_q.weight', dims: [4096, 4096], ggmlType: ggml.Q4_K, bytes: 9_437_184 },
  { name: 'output.weight', dims: [4096, 128_256], ggmlType: ggml.Q6_K, bytes: 430_940_160 },
];

const dir = mkdtempSync(path.join(tmpdir(), 'cb-gguf-'));

/** Writes the header and extends the file to its full size without writing the data (a sparse file). */
function writeModel(name: string, file: GgufFile, size = file.size): string {
  const target = path.join(dir, name);
  writeFileSync(target, file.header.subarray(0, Math.min(size, file.header.length)));
  if (size > file.header.length) truncateSync(target, size);
  return target;
}

const llamaFile = gguf(llama, tensors);

test('a 736 MB GGUF on disk: the header is all that is read, and the CLI estimate uses its exact stored weights', async () => {
  const file = writeModel('llama-3.1-8b-Q4_K_M.gguf', llamaFile);
  const started = performance.now();
  const header = await readGgufFile(file);
  const ms = performance.now() - started;
  assert.equal(header.fileBytes, 735_879_168 + llamaFile.dataOffset);
  assert.ok(
    header.bytesRead <= llamaFile.dataOffset + (1 << 20),
    `read ${header.bytesRead} bytes for a ${llamaFile.dataOffset}-byte header`,
  );
  assert.ok(ms < 5000, `header read took ${ms} ms`);

  const { code, out } = await run(
    ['estimate', '--model', 'llama-3.1-8b-Q4_K_M.gguf', '--tokens', '10000', '--reserve-output', '0', '--json'],
    dir,
  );
  assert.equal(code, 0);
  const json = JSON.parse(out);
  assert.deepEqual(json.model, { id: file, displayName: 'Meta Llama 3.1 8B Instruct (GGUF Q4_K_M)', origin: 'gguf' });
  assert.equal(json.kvCacheBytes, 10_000 * 131_072);
  assert.equal(json.kvBytesPerToken, 131_072);
  assert.equal(json.weightsBytes, 295_501_824 + 9_437_184 + 430_940_160);
  assert.equal(json.totalBytes, json.weightsBytes + json.kvCacheBytes);
  assert.equal(json.assumptions.weightDtype, 'GGUF Q4_K_M');
  assert.equal(json.prefillFlops.linear, 2 * (2 * 525_336_576 + 16_777_216) * 10_000);

  const text = await run(['estimate', '--model', file, '--tokens', '10000'], dir);
  assert.equal(text.code, 0);
  assert.match(text.out, /Meta Llama 3\.1 8B Instruct \(GGUF Q4_K_M\)/);
});

test('CLI: a GGUF that is missing, not GGUF, truncated or inconsistent exits 2 with what is wrong', async () => {
  writeFileSync(path.join(dir, 'zip.gguf'), Buffer.from('PK\x03\x04 and more bytes', 'latin1'));
  writeModel('partial.gguf', llamaFile, llamaFile.dataOffset + 4096);
  writeModel('cut-header.gguf', llamaFile, 100_000);
  writeModel(
    'bad-type.gguf',
    gguf(
      llama.map(([k, val]) => [k, k === 'llama.block_count' ? v.str('32') : val]),
      tensors,
    ),
  );
  mkdirSync(path.join(dir, 'folder.gguf'), { recursive: true });
  const cases: [string, RegExp][] = [
    ['nope.gguf', /^context-budget: --model: no such model file: nope\.gguf$/m],
    [
      'zip.gguf',
      /^context-budget: --model: cannot read GGUF file zip\.gguf \(not a GGUF file: it starts with 50 4b 03 04, not the magic "GGUF" \(47 47 55 46\)\)$/m,
    ],
    [
      'partial.gguf',
      /^context-budget: --model: cannot read GGUF file partial\.gguf \(the file is truncated: tensor "token_embd\.weight" ends at byte \d+ but the file has \d+ bytes \(an incomplete download\?\)\)$/m,
    ],
    [
      'cut-header.gguf',
      /^context-budget: --model: cannot read GGUF file cut-header\.gguf \(the file is truncated: metadata key "tokenizer\.ggml\.tokens" holds 128256 string values \(at least 1026048 bytes\) but only \d+ bytes remain\)$/m,
    ],
    [
      'bad-type.gguf',
      /^context-budget: Model file .*bad-type\.gguf: "llama\.block_count" must be an integer from 1 to 10,000 \(got string "32"\)\.$/m,
    ],
    [
      'folder.gguf',
      /^context-budget: --model: cannot read GGUF file folder\.gguf \(a folder, not a regular file: not opened for reading\)$/m,
    ],
  ];
  for (const [model, message] of cases) {
    const { code, out, err } = await run(['estimate', '--tokens', '5', '--model', model], dir);
    assert.equal(code, 2, `${model}: ${err}`);
    assert.equal(out, '');
    assert.match(err, message);
  }
});

test("a split model: pointing at any shard reads every shard's header; a missing shard is named", async () => {
  const shard = (no: number, kv: [string, Encoded][], own: TensorSpec[]): GgufFile =>
    gguf([['split.no', v.u8(no)], ['split.count', v.u8(2)], ['split.tensors.count', v.i32(3)], ...kv], own);
  const first = writeModel('big-00001-of-00002.gguf', shard(0, llama, tensors.slice(0, 2)));
  const second = writeModel('big-00002-of-00002.gguf', shard(1, [], tensors.slice(2)));
  for (const entry of [first, second]) {
    const header = await readGgufFile(entry);
    assert.deepEqual(
      header.tensors.map((t) => t.name),
      tensors.map((t) => t.name),
    );
    assert.equal(header.metadata.get('general.architecture')?.type, 'string');
  }
  const { code, out } = await run(['estimate', '--model', second, '--tokens', '1', '--json'], dir);
  assert.equal(code, 0);
  assert.equal(JSON.parse(out).weightsBytes, 295_501_824 + 9_437_184 + 430_940_160);
  unlinkSync(second);
  await assert.rejects(readGgufFile(first), {
    message: 'shard 2 of 2 of this split model (big-00002-of-00002.gguf): not found next to it',
  });
  writeModel('renamed.gguf', shard(0, llama, tensors.slice(0, 2)));
  await assert.rejects(readGgufFile(path.join(dir, 'renamed.gguf')), {
    message: /shard 1 of 2 of a split model, but its name does not end in -0000N-of-0000M\.gguf/,
  });
});
