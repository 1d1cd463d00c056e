import { test } from 'node:test';
import assert from 'node:assert/strict';
import { problemText, resolveTarget } from '../../../src/core/analysis/resolveTarget';
import { estimateCost, kvBytesPerToken, kvCacheBytes } from '../../../src/core/cost/costEngine';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import { ggufToModelSpec } from '../../../src/core/model/gguf';
import { readGgufHeader } from '../../../src/core/model/ggufHeader';
import type { GgufHeader } from '../../../src/core/model/ggufHeader';
import { ModelConfigError } from '../../../src/core/model/hfConfig';
import type { ModelSpec } from '../../../src/core/model/modelSpec';
import { windowsFor } from '../../../src/core/risk/riskEngine';
import { defaultSettings } from '../../../src/core/settings';
import { ggml, gguf, v, VirtualReader, vocabulary } from './ggufFixture';
import type { Encoded, TensorSpec } from './ggufFixture';

type Kv = [string, Encoded][];

async function header(kv: Kv, tensors: TensorSpec[]): Promise<GgufHeader> {
  const file = gguf(kv, tensors);
  return readGgufHeader(new VirtualReader(file.header, file.size));
}

async function spec(
  kv: Kv,
  tensors: TensorSpec[] = [{ name: 'blk.0.attn_q.weight', dims: [64, 64], ggmlType: ggml.F16, bytes: 8192 }],
): Promise<ModelSpec> {
  return ggufToModelSpec(await header(kv, tensors), { id: '/models/m.gguf', sourcePath: '/models/m.gguf' });
}

/** Keys replaced (undefined removes one). */
function patch(base: Kv, changes: Record<string, Encoded | undefined>): Kv {
  const out: Kv = base.filter(([key]) => !(key in changes));
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) out.push([key, value]);
  return out;
}

const llama: Kv = [
  ['general.architecture', v.str('llama')],
  ['general.name', v.str('Meta Llama 3.1 8B Instruct')],
  ['general.file_type', v.u32(15)],
  ['llama.block_count', v.u32(32)],
  ['llama.context_length', v.u32(131_072)],
  ['llama.embedding_length', v.u32(4096)],
  ['llama.attention.head_count', v.u32(32)],
  ['llama.attention.head_count_kv', v.u32(8)],
  ['llama.rope.dimension_count', v.u32(128)],
  ['tokenizer.ggml.tokens', v.arr('string', vocabulary(128_256))],
  [
    'tokenizer.ggml.scores',
    v.arr(
      'float32',
      vocabulary(128_256).map(() => 0),
    ),
  ],
];

const llamaTensors: TensorSpec[] = [
  { name: 'token_embd.weight', dims: [4096, 128_256], ggmlType: ggml.Q4_K, bytes: 295_501_824 },
  { name: 'blk.0.attn_q.weight', dims: [4096, 4096], ggmlType: ggml.Q4_K, bytes: 9_437_184 },
  { name: 'blk.0.attn_norm.weight', dims: [4096], ggmlType: ggml.F32, bytes: 16_384 },
  { name: 'output.weight', dims: [4096, 128_256], ggmlType: ggml.Q6_K, bytes: 430_940_160 },
  { name: 'rope_freqs.weight', dims: [64], ggmlType: ggml.F32, bytes: 256 },
];

test('Llama 3.1 8B as GGUF: 131,072 KV bytes per token in bf16 (32 layers × 2 × 8 KV heads × 128 × 2 B), as the catalog says', async () => {
  const m = await spec(llama, llamaTensors);
  assert.equal(m.origin, 'gguf');
  assert.equal(m.displayName, 'Meta Llama 3.1 8B Instruct (GGUF Q4_K_M)');
  assert.deepEqual([m.numLayers, m.hiddenSize, m.numAttentionHeads, m.numKvHeads, m.headDim], [32, 4096, 32, 8, 128]);
  assert.deepEqual(m.layers, [{ count: 32, attention: { kind: 'full' } }]);
  assert.equal(m.vocabSize, 128_256, 'counted from tokenizer.ggml.tokens without decoding it');
  assert.equal(kvBytesPerToken(m, 'bf16'), 32 * 2 * 8 * 128 * 2);
  assert.equal(kvBytesPerToken(m, 'bf16'), kvBytesPerToken(findModel('llama-3.1-8b')!, 'bf16'));
  assert.equal(kvCacheBytes(m, 10_000, 'fp8', 2), 10_000 * 65_536 * 2);
  // 295,501,824 + 9,437,184 + 16,384 + 430,940,160 + 256 bytes, as stored.
  assert.deepEqual(m.storedWeights, { bytes: 735_895_808, activeBytes: 735_895_808, label: 'GGUF Q4_K_M' });
  assert.equal(m.paramsTotal, 2 * 525_336_576 + 16_777_216 + 4096 + 64);
  assert.equal(m.paramsActive, m.paramsTotal);
  assert.equal(m.paramsDerived, false);
  assert.equal(m.maxPositionEmbeddings, 131_072);
  assert.equal(m.pretrainedWindow, 131_072);
  assert.equal(m.ropeScaling, undefined);
  assert.ok(m.notes?.some((n) => /rope_freqs tensor/.test(n)));
  assert.equal(m.tokenizer, 'other');
});

test("the cost engine takes a GGUF's stored bytes for weights and decode, whatever the weight dtype setting", async () => {
  const m = await spec(llama, llamaTensors);
  const gpu = findGpu('h100-sxm')!;
  const input = {
    model: m,
    gpu,
    gpuCount: 1,
    promptTokens: 1000,
    reserveOutputTokens: 0,
    kvDtype: 'bf16',
    batchSize: 1,
    memoryUtilization: 0.9,
    computeEfficiency: 0.8,
    memoryEfficiency: 0.9,
  } as const;
  const asBf16 = estimateCost({ ...input, weightDtype: 'bf16' });
  const asFp8 = estimateCost({ ...input, weightDtype: 'fp8' });
  assert.equal(asBf16.weightsBytes, 735_895_808);
  assert.equal(asBf16.totalBytes, 735_895_808 + 1000 * 131_072);
  assert.equal(asBf16.decodeSecondsPerToken, (735_895_808 + 1000 * 131_072) / (gpu.bandwidthBytesPerSec * 0.9));
  assert.deepEqual(asFp8, asBf16, 'stored weights do not depend on the dtype setting');
});

const gptOss: Kv = [
  ['general.architecture', v.str('gpt-oss')],
  ['general.name', v.str('Gpt Oss 20b')],
  ['general.file_type', v.u32(38)],
  ['gpt-oss.block_count', v.u32(24)],
  ['gpt-oss.context_length', v.u32(131_072)],
  ['gpt-oss.embedding_length', v.u32(2880)],
  ['gpt-oss.attention.head_count', v.u32(64)],
  ['gpt-oss.attention.head_count_kv', v.u32(8)],
  ['gpt-oss.attention.key_length', v.u32(64)],
  ['gpt-oss.attention.value_length', v.u32(64)],
  ['gpt-oss.attention.sliding_window', v.u32(128)],
  ['gpt-oss.expert_count', v.u32(32)],
  ['gpt-oss.expert_used_count', v.u32(4)],
  ['gpt-oss.rope.scaling.type', v.str('yarn')],
  ['gpt-oss.rope.scaling.factor', v.f32(32)],
  ['gpt-oss.rope.scaling.original_context_length', v.u32(4096)],
  ['gpt-oss.vocab_size', v.u32(201_088)],
];

const gptOssTensors: TensorSpec[] = [
  // 2880 × 5760 × 32 experts = 530,841,600 elements = 16,588,800 MXFP4 blocks of 32, 17 bytes each.
  { name: 'blk.0.ffn_up_exps.weight', dims: [2880, 5760, 32], ggmlType: ggml.MXFP4, bytes: 282_009_600 },
  { name: 'blk.0.attn_q.weight', dims: [2880, 4096], ggmlType: ggml.BF16, bytes: 23_592_960 },
];

test("gpt-oss-20b as GGUF: llama.cpp's alternating 128-token window, YaRN windows and KV bytes match the catalog entry", async () => {
  const m = await spec(gptOss, gptOssTensors);
  const catalog = findModel('gpt-oss-20b')!;
  assert.deepEqual(m.layers, catalog.layers);
  assert.equal(kvBytesPerToken(m, 'bf16'), 24 * 2 * 8 * 64 * 2);
  assert.equal(kvBytesPerToken(m, 'bf16'), kvBytesPerToken(catalog, 'bf16'));
  // At 100k tokens: 12 full layers hold 100k tokens, 12 sliding ones 128 each; 2 × 8 × 64 × 2 B per layer-token.
  assert.equal(kvCacheBytes(m, 100_000, 'bf16', 1), (12 * 100_000 + 12 * 128) * 2048);
  assert.deepEqual(m.ropeScaling, { type: 'yarn', factor: 32, originalMaxPositionEmbeddings: 4096 });
  // GGUF records no trained window (the catalog knows gpt-oss was trained at 128k), so like a config.json only these two match.
  assert.deepEqual([windowsFor(m).pretrained, windowsFor(m).max], [windowsFor(catalog).pretrained, windowsFor(catalog).max]);
  assert.equal(m.tokenizer, 'o200k_base');
  assert.equal(m.vocabSize, 201_088);
  // Active: the attention tensor plus 4/32 of the expert tensor.
  assert.deepEqual(m.storedWeights, { bytes: 305_602_560, activeBytes: 23_592_960 + 282_009_600 / 8, label: 'GGUF MXFP4_MOE' });
  assert.equal(m.paramsActive, 11_796_480 + 530_841_600 / 8);
});

test("Gemma 3 27B as GGUF: llama.cpp's default of one global layer in six gives the catalog's 52 sliding + 10 full", async () => {
  const m = await spec([
    ['general.architecture', v.str('gemma3')],
    ['gemma3.block_count', v.u32(62)],
    ['gemma3.context_length', v.u32(131_072)],
    ['gemma3.embedding_length', v.u32(5376)],
    ['gemma3.attention.head_count', v.u32(32)],
    ['gemma3.attention.head_count_kv', v.u32(16)],
    ['gemma3.attention.key_length', v.u32(128)],
    ['gemma3.attention.value_length', v.u32(128)],
    ['gemma3.attention.sliding_window', v.u32(1024)],
    ['gemma3.rope.scaling.type', v.str('linear')],
    ['gemma3.rope.scaling.factor', v.f32(8)],
    ['tokenizer.ggml.tokens', v.arr('string', vocabulary(1000))],
  ]);
  assert.deepEqual(m.layers, findModel('gemma-3-27b')!.layers);
  assert.equal(kvBytesPerToken(m, 'bf16'), 62 * 2 * 16 * 128 * 2);
  assert.deepEqual(m.ropeScaling, { type: 'linear', factor: 8 });
  assert.ok(m.notes?.some((n) => /llama\.cpp's default for gemma3, one global layer in every 6/.test(n)));
});

test('sliding_window_pattern as a per-layer array, as a period, and a window with no known layout', async () => {
  const base: Kv = [
    ['general.architecture', v.str('exotic')],
    ['exotic.block_count', v.u32(4)],
    ['exotic.context_length', v.u32(8192)],
    ['exotic.embedding_length', v.u32(256)],
    ['exotic.attention.head_count', v.u32(4)],
    ['exotic.attention.sliding_window', v.u32(512)],
    ['exotic.vocab_size', v.u32(1000)],
  ];
  const byArray = await spec(patch(base, { 'exotic.attention.sliding_window_pattern': v.arr('bool', [true, true, true, false]) }));
  assert.deepEqual(byArray.layers, [
    { count: 3, attention: { kind: 'sliding', window: 512 } },
    { count: 1, attention: { kind: 'full' } },
  ]);
  const byPeriod = await spec(patch(base, { 'exotic.attention.sliding_window_pattern': v.u32(2) }));
  assert.deepEqual(byPeriod.layers, [
    { count: 2, attention: { kind: 'sliding', window: 512 } },
    { count: 2, attention: { kind: 'full' } },
  ]);
  const unknown = await spec(base);
  assert.deepEqual(unknown.layers, [{ count: 4, attention: { kind: 'full' } }]);
  assert.ok(unknown.notes?.some((n) => /layer layout for "exotic" is not known here: every layer is treated as full attention/.test(n)));
  // 64 = 256 / 4 heads: llama.cpp's default head dim.
  assert.equal(unknown.headDim, 64);
});

test('DeepSeek-V3 as GGUF (MLA, absorbed layout): the cache holds the 576-element latent, as in the catalog', async () => {
  const m = await spec([
    ['general.architecture', v.str('deepseek2')],
    ['deepseek2.block_count', v.u32(61)],
    ['deepseek2.context_length', v.u32(163_840)],
    ['deepseek2.embedding_length', v.u32(7168)],
    ['deepseek2.attention.head_count', v.u32(128)],
    ['deepseek2.attention.head_count_kv', v.u32(1)],
    ['deepseek2.attention.key_length', v.u32(576)],
    ['deepseek2.attention.value_length', v.u32(512)],
    ['deepseek2.attention.key_length_mla', v.u32(192)],
    ['deepseek2.attention.value_length_mla', v.u32(128)],
    ['deepseek2.attention.kv_lora_rank', v.u32(512)],
    ['deepseek2.attention.q_lora_rank', v.u32(1536)],
    ['deepseek2.rope.dimension_count', v.u32(64)],
    ['deepseek2.rope.scaling.type', v.str('yarn')],
    ['deepseek2.rope.scaling.factor', v.f32(40)],
    ['deepseek2.rope.scaling.original_context_length', v.u32(4096)],
    ['deepseek2.vocab_size', v.u32(129_280)],
  ]);
  const catalog = findModel('deepseek-v3')!;
  assert.deepEqual(m.mla, { ...catalog.mla, latentCacheInFile: true });
  assert.equal(m.headDim, catalog.headDim);
  assert.equal(kvBytesPerToken(m, 'bf16'), 61 * 576 * 2);
  assert.equal(kvBytesPerToken(m, 'bf16'), kvBytesPerToken(catalog, 'bf16'));
  assert.deepEqual(windowsFor(m).max, windowsFor(catalog).max);
});

test('per-layer head counts: one value repeated is fine; different values or recurrent (0) layers are refused by name', async () => {
  const uniform = await spec(
    patch(llama, {
      'llama.attention.head_count_kv': v.arr(
        'int32',
        Array.from({ length: 32 }, () => 8),
      ),
    }),
    llamaTensors,
  );
  assert.equal(uniform.numKvHeads, 8);
  await rejects(
    patch(llama, { 'llama.attention.head_count_kv': v.arr('uint32', [...Array.from({ length: 31 }, () => 8), 4]) }),
    'llama.attention.head_count_kv',
    /^\/models\/m\.gguf: "llama\.attention\.head_count_kv" differs between layers \(8, 4\); Context Budget models one KV head count for all layers/,
  );
  await rejects(
    patch(llama, {
      'llama.attention.head_count_kv': v.arr(
        'uint32',
        Array.from({ length: 32 }, (_, i) => (i % 4 === 3 ? 8 : 0)),
      ),
    }),
    'llama.attention.head_count_kv',
    /differs between layers \(0, 8\); layers with 0 KV heads are recurrent/,
  );
  await rejects(
    patch(llama, { 'llama.attention.head_count_kv': v.arr('uint32', [8, 8]) }),
    'llama.attention.head_count_kv',
    /must be an integer from 0 to 65,536, or an array of 32 of them \(one per layer\) \(got an array of 2 uint32 values\)/,
  );
});

/** Asserts the mapping throws a ModelConfigError for `field` whose message matches. */
async function rejects(kv: Kv, field: string, message: RegExp, tensors: TensorSpec[] = llamaTensors): Promise<void> {
  const h = await header(kv, tensors);
  assert.throws(
    () => ggufToModelSpec(h, { id: 'm', sourcePath: '/models/m.gguf' }),
    (error: unknown) => {
      assert.ok(error instanceof ModelConfigError, `expected ModelConfigError, got ${String(error)}`);
      assert.equal(error.field, field);
      assert.match(error.message, message);
      return true;
    },
  );
}

test('wrong types, missing keys and impossible values name the key', async () => {
  await rejects(
    patch(llama, { 'llama.block_count': v.str('32') }),
    'llama.block_count',
    /^\/models\/m\.gguf: "llama\.block_count" must be an integer from 1 to 10,000 \(got string "32"\)$/,
  );
  await rejects(patch(llama, { 'llama.block_count': v.f32(32) }), 'llama.block_count', /\(got float32 32\)$/);
  await rejects(
    patch(llama, { 'llama.context_length': undefined }),
    'llama.context_length',
    /^\/models\/m\.gguf: "llama\.context_length" is missing; it must be an integer from 1 to 1,073,741,824$/,
  );
  await rejects(patch(llama, { 'general.architecture': undefined }), 'general.architecture', /"general\.architecture" is missing/);
  await rejects(
    patch(llama, { 'general.architecture': v.u32(1) }),
    'general.architecture',
    /"general\.architecture" must be a string \(got uint32 1\)/,
  );
  await rejects(
    patch(llama, { 'llama.attention.head_count_kv': v.u32(5) }),
    'llama.attention.head_count_kv',
    /must be a positive integer dividing llama\.attention\.head_count \(32\) \(got uint32 5\)/,
  );
  await rejects(
    patch(llama, { 'llama.rope.scaling.type': v.str('ntk'), 'llama.rope.scaling.factor': v.f32(4) }),
    'llama.rope.scaling.type',
    /must be one of "none", "linear", "yarn", "longrope" \(got string "ntk"\)/,
  );
  await rejects(
    patch(llama, { 'llama.rope.scaling.type': v.str('yarn'), 'llama.rope.scaling.factor': v.f32(0.5) }),
    'llama.rope.scaling.factor',
    /must be a number from 1 to 10,000 \(got float32 0\.5\)/,
  );
  await rejects(
    patch(llama, {
      'llama.embedding_length': v.u32(4000),
      'llama.attention.head_count': v.u32(48),
      'llama.attention.head_count_kv': v.u32(8),
    }),
    'llama.attention.key_length',
    /"llama\.attention\.key_length" is missing; it must be given, because llama\.embedding_length 4000 is not divisible by llama\.attention\.head_count 48/,
  );
  await rejects(
    patch(llama, { 'llama.attention.shared_kv_layers': v.u32(10) }),
    'llama.attention.shared_kv_layers',
    /reuse another layer's KV cache/,
  );
  await rejects(
    patch(llama, { 'tokenizer.ggml.tokens': undefined }),
    'llama.vocab_size',
    /neither tokenizer\.ggml\.tokens nor a token_embd\.weight/,
    llamaTensors.filter((t) => t.name !== 'token_embd.weight'),
  );
  await rejects(patch(llama, {}), '(tensors)', /the file has no tensors \(a vocabulary-only GGUF\?\)/, []);
  await rejects(patch(gptOss, { 'gpt-oss.expert_used_count': undefined }), 'gpt-oss.expert_used_count', /is missing/, gptOssTensors);
  await rejects(
    [
      ['general.architecture', v.str('rwkv6')],
      ['rwkv6.block_count', v.u32(24)],
    ],
    'general.architecture',
    /"rwkv6" is a recurrent model with no attention layers/,
  );
});

test('resolveTarget: a GGUF header becomes the model; a bad one is reported and the catalog default named', async () => {
  const good = await header(llama, llamaTensors);
  const ok = resolveTarget(defaultSettings, { path: '/models/llama.gguf', gguf: good });
  assert.equal(ok.model.origin, 'gguf');
  assert.deepEqual(ok.problems, []);
  const bad = await header(patch(llama, { 'llama.block_count': undefined }), llamaTensors);
  const fallback = resolveTarget(defaultSettings, { path: '/models/llama.gguf', gguf: bad });
  assert.equal(fallback.model.id, defaultSettings.model);
  assert.deepEqual(fallback.problems.map(problemText), [
    `Model file /models/llama.gguf: "llama.block_count" is missing; it must be an integer from 1 to 10,000. Using the catalog model ${findModel(defaultSettings.model)!.displayName} instead.`,
  ]);
});
