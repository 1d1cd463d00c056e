import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { findModel } from '../../../src/core/model/catalog';
import { parseHfConfig } from '../../../src/core/model/hfConfig';
import type { LayerGroup, ModelSpec } from '../../../src/core/model/modelSpec';

// out/test/unit/model → repo root.
const fixtureDir = resolve(__dirname, '../../../../test/fixtures/configs');
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(resolve(fixtureDir, `${name}.json`), 'utf8')) as Record<string, unknown>;
const parseFixture = (name: string): ModelSpec =>
  parseHfConfig(fixture(name), { id: name, sourcePath: `test/fixtures/configs/${name}.json` });

const full = (count: number): LayerGroup => ({ count, attention: { kind: 'full' } });
const sliding = (count: number, window: number): LayerGroup => ({ count, attention: { kind: 'sliding', window } });
const chunked = (count: number, chunk: number): LayerGroup => ({ count, attention: { kind: 'chunked', chunk } });

interface Case {
  fixture: string;
  catalogId: string;
  numKvHeads: number;
  headDim: number;
  layers: LayerGroup[];
  maxPositionEmbeddings: number;
  pretrainedWindow: number;
  rope?: ModelSpec['ropeScaling'];
  /** Published active count excludes the input embedding (OpenAI's convention for gpt-oss). */
  activeExcludesInputEmbedding?: boolean;
}

const cases: Case[] = [
  {
    fixture: 'llama-3.1-8b',
    catalogId: 'llama-3.1-8b',
    numKvHeads: 8,
    headDim: 128,
    layers: [full(32)],
    maxPositionEmbeddings: 131_072,
    pretrainedWindow: 8192,
    rope: { type: 'llama3', factor: 8, originalMaxPositionEmbeddings: 8192 },
  },
  {
    fixture: 'qwen2.5-7b',
    catalogId: 'qwen2.5-7b',
    numKvHeads: 4,
    headDim: 128,
    layers: [full(28)],
    maxPositionEmbeddings: 32_768,
    pretrainedWindow: 32_768,
  },
  {
    fixture: 'qwen2.5-7b-yarn',
    catalogId: 'qwen2.5-7b',
    numKvHeads: 4,
    headDim: 128,
    layers: [full(28)],
    maxPositionEmbeddings: 32_768,
    pretrainedWindow: 32_768,
    rope: { type: 'yarn', factor: 4, originalMaxPositionEmbeddings: 32_768 },
  },
  {
    fixture: 'qwen3-8b',
    catalogId: 'qwen3-8b',
    numKvHeads: 8,
    headDim: 128,
    layers: [full(36)],
    maxPositionEmbeddings: 40_960,
    pretrainedWindow: 40_960,
  },
  {
    fixture: 'gemma-2-9b',
    catalogId: 'gemma-2-9b',
    numKvHeads: 8,
    headDim: 256,
    layers: [sliding(21, 4096), full(21)],
    maxPositionEmbeddings: 8192,
    pretrainedWindow: 8192,
  },
  {
    fixture: 'gemma-3-27b',
    catalogId: 'gemma-3-27b',
    numKvHeads: 16,
    headDim: 128,
    layers: [sliding(52, 1024), full(10)],
    maxPositionEmbeddings: 131_072,
    pretrainedWindow: 131_072,
    rope: { type: 'linear', factor: 8 },
  },
  {
    fixture: 'gpt-oss-20b',
    catalogId: 'gpt-oss-20b',
    numKvHeads: 8,
    headDim: 64,
    layers: [sliding(12, 128), full(12)],
    maxPositionEmbeddings: 131_072,
    pretrainedWindow: 4096,
    rope: { type: 'yarn', factor: 32, originalMaxPositionEmbeddings: 4096 },
    activeExcludesInputEmbedding: true,
  },
  {
    fixture: 'mistral-7b-v0.1',
    catalogId: 'mistral-7b-v0.1',
    numKvHeads: 8,
    headDim: 128,
    layers: [sliding(32, 4096)],
    maxPositionEmbeddings: 32_768,
    pretrainedWindow: 32_768,
  },
  {
    fixture: 'mistral-nemo',
    catalogId: 'mistral-nemo-12b',
    numKvHeads: 8,
    headDim: 128,
    layers: [full(40)],
    maxPositionEmbeddings: 1_024_000,
    pretrainedWindow: 1_024_000,
  },
  {
    fixture: 'deepseek-v3',
    catalogId: 'deepseek-v3',
    numKvHeads: 128,
    headDim: 192,
    layers: [full(61)],
    maxPositionEmbeddings: 163_840,
    pretrainedWindow: 4096,
    rope: { type: 'yarn', factor: 40, originalMaxPositionEmbeddings: 4096 },
  },
  {
    fixture: 'llama-4-scout',
    catalogId: 'llama-4-scout-17b-16e',
    numKvHeads: 8,
    headDim: 128,
    layers: [chunked(36, 8192), full(12)],
    maxPositionEmbeddings: 10_485_760,
    pretrainedWindow: 8192,
    rope: { type: 'llama3', factor: 16, originalMaxPositionEmbeddings: 8192 },
  },
  {
    fixture: 'phi-3.5-mini',
    catalogId: 'phi-3.5-mini',
    numKvHeads: 32,
    headDim: 96,
    layers: [full(32)],
    maxPositionEmbeddings: 131_072,
    pretrainedWindow: 4096,
    rope: { type: 'longrope', factor: 32, originalMaxPositionEmbeddings: 4096 },
  },
  {
    fixture: 'mixtral-8x7b',
    catalogId: 'mixtral-8x7b',
    numKvHeads: 8,
    headDim: 128,
    layers: [full(32)],
    maxPositionEmbeddings: 32_768,
    pretrainedWindow: 32_768,
  },
];

const within = (actual: number, expected: number, tolerance: number): boolean => Math.abs(actual / expected - 1) <= tolerance;

for (const c of cases) {
  test(`${c.fixture}: heads, layer mix, windows and rope scaling`, () => {
    const spec = parseFixture(c.fixture);
    assert.equal(spec.origin, 'hf-config');
    assert.equal(spec.numKvHeads, c.numKvHeads);
    assert.equal(spec.headDim, c.headDim);
    assert.deepEqual(spec.layers, c.layers);
    assert.equal(spec.maxPositionEmbeddings, c.maxPositionEmbeddings);
    assert.equal(spec.pretrainedWindow, c.pretrainedWindow);
    assert.deepEqual(spec.ropeScaling, c.rope);
    assert.equal(spec.paramsDerived, true);
    assert.deepEqual(spec.sources, [`test/fixtures/configs/${c.fixture}.json`]);
  });

  test(`${c.fixture}: derived parameters land within 3% of the published size`, () => {
    const spec = parseFixture(c.fixture);
    const published = findModel(c.catalogId);
    assert.ok(published);
    assert.ok(
      within(spec.paramsTotal, published.paramsTotal, 0.03),
      `total ${spec.paramsTotal / 1e9}B vs published ${published.paramsTotal / 1e9}B`,
    );
    const active = c.activeExcludesInputEmbedding ? spec.paramsActive - spec.vocabSize * spec.hiddenSize : spec.paramsActive;
    assert.ok(within(active, published.paramsActive, 0.03), `active ${active / 1e9}B vs published ${published.paramsActive / 1e9}B`);
  });

  test(`${c.fixture}: agrees with catalog entry ${c.catalogId} on every KV-cache field`, () => {
    const spec = parseFixture(c.fixture);
    const entry = findModel(c.catalogId);
    assert.ok(entry);
    const kvFields = (m: ModelSpec) => ({
      numLayers: m.numLayers,
      numKvHeads: m.numKvHeads,
      headDim: m.headDim,
      layers: m.layers,
      mla: m.mla,
      hiddenSize: m.hiddenSize,
      numAttentionHeads: m.numAttentionHeads,
    });
    assert.deepEqual(kvFields(spec), kvFields(entry));
  });
}

test('MoE totals versus active counts', () => {
  const mixtral = parseFixture('mixtral-8x7b');
  assert.ok(within(mixtral.paramsTotal, 46.7e9, 0.01) && within(mixtral.paramsActive, 12.9e9, 0.01));
  const deepseek = parseFixture('deepseek-v3');
  assert.ok(within(deepseek.paramsTotal, 671e9, 0.005));
  assert.ok(deepseek.paramsActive < deepseek.paramsTotal / 15);
  const dense = parseFixture('llama-3.1-8b');
  assert.equal(dense.paramsActive, dense.paramsTotal);
});

test('DeepSeek-V3 MLA dims come from the config', () => {
  const spec = parseFixture('deepseek-v3');
  assert.deepEqual(spec.mla, { kvLoraRank: 512, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128 });
  assert.ok(spec.notes?.some((n) => n.includes('576 elements')));
});

test('Gemma 3 nested text_config: transformers defaults fill the omitted fields and are noted', () => {
  const spec = parseFixture('gemma-3-27b');
  assert.equal(spec.vocabSize, 262_208);
  assert.equal(spec.maxPositionEmbeddings, 131_072);
  assert.ok(spec.notes?.some((n) => n.startsWith('text_config.vocab_size absent')));
  assert.ok(spec.notes?.some((n) => n.includes('tie_word_embeddings absent; assumed true')));
});

test('gpt-oss uses the o200k tokenizer; Llama does not', () => {
  assert.equal(parseFixture('gpt-oss-20b').tokenizer, 'o200k_base');
  assert.equal(parseFixture('llama-3.1-8b').tokenizer, 'other');
});

test('id and display name come from the options', () => {
  const spec = parseHfConfig(fixture('qwen3-8b'), { id: 'local/qwen3', displayName: 'My Qwen3' });
  assert.deepEqual([spec.id, spec.displayName, spec.sources], ['local/qwen3', 'My Qwen3', ['config.json']]);
});

/** A minimal generic config with overrides. */
const generic = (patch: Record<string, unknown> = {}): Record<string, unknown> => ({
  hidden_size: 2048,
  num_hidden_layers: 8,
  num_attention_heads: 16,
  max_position_embeddings: 8192,
  vocab_size: 32_000,
  intermediate_size: 5632,
  tie_word_embeddings: false,
  ...patch,
});

test('unknown model_type works from the generic fields; absent kv heads means MHA', () => {
  const spec = parseHfConfig(generic({ model_type: 'brand_new_arch' }), { id: 'x' });
  assert.deepEqual([spec.numKvHeads, spec.headDim, spec.layers], [16, 128, [full(8)]]);
});

test('multi_query flags of older configs mean one KV head; num_kv_heads is an alias', () => {
  assert.equal(parseHfConfig(generic({ model_type: 'falcon', multi_query: true }), { id: 'x' }).numKvHeads, 1);
  assert.equal(parseHfConfig(generic({ model_type: 'falcon', num_kv_heads: 8 }), { id: 'x' }).numKvHeads, 8);
});

test('GPT-2 style aliases and a non-gated MLP', () => {
  const spec = parseHfConfig(
    {
      model_type: 'gpt_bigcode',
      n_embd: 1024,
      n_layer: 4,
      n_head: 16,
      n_positions: 2048,
      vocab_size: 1000,
      multi_query: true,
      tie_word_embeddings: true,
    },
    { id: 'x' },
  );
  assert.deepEqual(
    [spec.hiddenSize, spec.numLayers, spec.numAttentionHeads, spec.maxPositionEmbeddings, spec.numKvHeads],
    [1024, 4, 16, 2048, 1],
  );
  const attention = 2 * 1024 * 1024 + 2 * 1024 * 64;
  assert.equal(spec.paramsTotal, 1000 * 1024 + 4 * (attention + 2 * 1024 * 4096));
});

test('Llama 4 without no_rope_layers: every 4th layer global by default', () => {
  const text = { ...(fixture('llama-4-scout')['text_config'] as Record<string, unknown>) };
  delete text['no_rope_layers'];
  delete text['moe_layers'];
  const spec = parseHfConfig({ model_type: 'llama4', text_config: text }, { id: 'x' });
  assert.deepEqual(spec.layers, [chunked(36, 8192), full(12)]);
});

test('layer_types arrays drive the mix, including chunked layers', () => {
  const spec = parseHfConfig(
    generic({
      sliding_window: 512,
      attention_chunk_size: 2048,
      layer_types: [
        'sliding_attention',
        'sliding_attention',
        'full_attention',
        'chunked_attention',
        'sliding_attention',
        'sliding_attention',
        'full_attention',
        'chunked_attention',
      ],
    }),
    { id: 'x' },
  );
  assert.deepEqual(spec.layers, [sliding(4, 512), full(2), chunked(2, 2048)]);
});

test('sliding_window_pattern and model-type defaults', () => {
  const gemma3 = parseHfConfig(generic({ model_type: 'gemma3_text', num_hidden_layers: 26, sliding_window: 512 }), { id: 'x' });
  assert.deepEqual(gemma3.layers, [sliding(22, 512), full(4)]);
  const cohere2 = parseHfConfig(generic({ model_type: 'cohere2', sliding_window: 4096, sliding_window_pattern: 4 }), { id: 'x' });
  assert.deepEqual(cohere2.layers, [sliding(6, 4096), full(2)]);
  const gptOss = parseHfConfig(generic({ model_type: 'gpt_oss', sliding_window: 128 }), { id: 'x' });
  assert.deepEqual(gptOss.layers, [sliding(4, 128), full(4)]);
});

test("Mistral: an omitted sliding_window is MistralConfig's 4096; an explicit null is no window", () => {
  const omitted = parseHfConfig(generic({ model_type: 'mistral' }), { id: 'x' });
  assert.deepEqual(omitted.layers, [sliding(8, 4096)]);
  assert.ok(omitted.notes?.some((n) => n.includes('sliding_window absent')));
  assert.deepEqual(parseHfConfig(generic({ model_type: 'mistral', sliding_window: null }), { id: 'x' }).layers, [full(8)]);
});

test('Qwen2: use_sliding_window false means no window; true slides from max_window_layers on', () => {
  assert.deepEqual(parseHfConfig(generic({ model_type: 'qwen2', sliding_window: 4096 }), { id: 'x' }).layers, [full(8)]);
  assert.deepEqual(
    parseHfConfig(generic({ model_type: 'qwen2', sliding_window: 4096, use_sliding_window: true, max_window_layers: 6 }), { id: 'x' })
      .layers,
    [full(6), sliding(2, 4096)],
  );
});

test('a window no shorter than max_position_embeddings is full attention', () => {
  const spec = parseHfConfig(generic({ model_type: 'phi3', sliding_window: 8192 }), { id: 'x' });
  assert.deepEqual(spec.layers, [full(8)]);
});

test('rope scaling flavours: type key, dynamic, su, mrope and transformers v5 rope_parameters', () => {
  const rope = (block: unknown, extra: Record<string, unknown> = {}) =>
    parseHfConfig(generic({ rope_scaling: block, ...extra }), { id: 'x' });
  assert.deepEqual(rope({ type: 'linear', factor: 2 }).ropeScaling, { type: 'linear', factor: 2 });
  const dynamic = rope({ rope_type: 'dynamic', factor: 2 });
  assert.deepEqual([dynamic.ropeScaling, dynamic.pretrainedWindow], [{ type: 'dynamic', factor: 2 }, 8192]);
  assert.equal(
    rope({ type: 'su', long_factor: [], short_factor: [] }, { original_max_position_embeddings: 2048 }).ropeScaling?.type,
    'longrope',
  );
  assert.equal(rope({ type: 'mrope', mrope_section: [16, 24, 24] }).ropeScaling, undefined);
  const v5 = parseHfConfig(
    generic({ rope_parameters: { rope_type: 'yarn', rope_theta: 1e6, factor: 4, original_max_position_embeddings: 2048 } }),
    { id: 'x' },
  );
  assert.deepEqual([v5.ropeScaling, v5.pretrainedWindow], [{ type: 'yarn', factor: 4, originalMaxPositionEmbeddings: 2048 }, 2048]);
  const perLayerType = parseHfConfig(
    generic({ rope_parameters: { full_attention: { rope_type: 'linear', factor: 8 }, sliding_attention: { rope_type: 'default' } } }),
    { id: 'x' },
  );
  assert.deepEqual(perLayerType.ropeScaling, { type: 'linear', factor: 8 });
  assert.equal(parseHfConfig(generic({ rope_parameters: { rope_type: 'default', rope_theta: 1e4 } }), { id: 'x' }).ropeScaling, undefined);
});

test('Qwen MoE: experts, mlp_only_layers and shared experts', () => {
  const spec = parseHfConfig(
    generic({
      model_type: 'qwen2_moe',
      num_experts: 4,
      num_experts_per_tok: 2,
      moe_intermediate_size: 1000,
      shared_expert_intermediate_size: 3000,
      mlp_only_layers: [0],
    }),
    { id: 'x' },
  );
  const h = 2048;
  const attention = 2 * h * 2048 + 2 * h * 2048;
  const expert = 3 * h * 1000;
  const moeTotal = 4 * expert + 3 * h * 3000 + h * 4;
  const moeActive = 2 * expert + 3 * h * 3000 + h * 4;
  const embeddings = 2 * 32_000 * h;
  assert.equal(spec.paramsTotal, embeddings + 8 * attention + 3 * h * 5632 + 7 * moeTotal);
  assert.equal(spec.paramsActive, embeddings + 8 * attention + 3 * h * 5632 + 7 * moeActive);
});
