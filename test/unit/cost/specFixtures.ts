// Hand-built ModelSpec/GpuSpec objects for the cost, risk and plan tests, so they do not depend on the
// catalog being written in parallel. Every architecture number is copied from
// /work/shared/reference/llm-reference.json (models[] / gpus[] entries with the same id).
import type { LayerGroup, ModelSpec } from '../../../src/core/model/modelSpec';
import type { GpuSpec } from '../../../src/core/model/gpuSpec';
import type { CostInput } from '../../../src/core/cost/costTypes';

type ModelFields = Omit<
  ModelSpec,
  'id' | 'displayName' | 'origin' | 'numLayers' | 'paramsDerived' | 'tokenizer' | 'sources' | 'vocabSize'
> &
  Partial<Pick<ModelSpec, 'vocabSize'>>;

/** A ModelSpec with the bookkeeping fields filled in; numLayers is the sum of the layer groups. */
export function model(id: string, fields: ModelFields): ModelSpec {
  const numLayers = fields.layers.reduce((sum, group) => sum + group.count, 0);
  return {
    id,
    displayName: id,
    origin: 'catalog',
    numLayers,
    paramsDerived: false,
    tokenizer: 'other',
    sources: ['test fixture from llm-reference.json'],
    vocabSize: 32000,
    ...fields,
  };
}

const full = (count: number): LayerGroup => ({ count, attention: { kind: 'full' } });
const sliding = (count: number, window: number): LayerGroup => ({ count, attention: { kind: 'sliding', window } });
const chunked = (count: number, chunk: number): LayerGroup => ({ count, attention: { kind: 'chunked', chunk } });

/** reference models[llama-3.1-8b]: 32 layers, 32 heads, 8 KV heads, head_dim 128, llama3 RoPE ×8 from 8192; RULER 32K. */
export const llama31_8b = model('llama-3.1-8b', {
  hiddenSize: 4096,
  numAttentionHeads: 32,
  numKvHeads: 8,
  headDim: 128,
  layers: [full(32)],
  vocabSize: 128256,
  paramsTotal: 8.0e9,
  paramsActive: 8.0e9,
  maxPositionEmbeddings: 131072,
  ropeScaling: { type: 'llama3', factor: 8, originalMaxPositionEmbeddings: 8192 },
  pretrainedWindow: 8192,
  trainedWindow: 131072,
  effectiveWindow: { tokens: 32768, benchmark: 'RULER', source: 'ruler_readme' },
});

/** reference models[llama-3.1-70b]: 80 layers, 64 heads, 8 KV heads, head_dim 128; RULER 64K. */
export const llama31_70b = model('llama-3.1-70b', {
  hiddenSize: 8192,
  numAttentionHeads: 64,
  numKvHeads: 8,
  headDim: 128,
  layers: [full(80)],
  vocabSize: 128256,
  paramsTotal: 70e9,
  paramsActive: 70e9,
  maxPositionEmbeddings: 131072,
  ropeScaling: { type: 'llama3', factor: 8, originalMaxPositionEmbeddings: 8192 },
  pretrainedWindow: 8192,
  trainedWindow: 131072,
  effectiveWindow: { tokens: 65536, benchmark: 'RULER', source: 'ruler_readme' },
});

/** reference models[llama-3.1-405b] (params from the HF blog table: 810 GB in FP16). */
export const llama31_405b = model('llama-3.1-405b', {
  hiddenSize: 16384,
  numAttentionHeads: 128,
  numKvHeads: 8,
  headDim: 128,
  layers: [full(126)],
  paramsTotal: 405e9,
  paramsActive: 405e9,
  maxPositionEmbeddings: 131072,
  ropeScaling: { type: 'llama3', factor: 8, originalMaxPositionEmbeddings: 8192 },
  pretrainedWindow: 8192,
  trainedWindow: 131072,
});

/** reference models[deepseek-v3]: MLA kv_lora_rank 512, qk_rope 64, qk_nope 128, v 128; 61 layers, 128 heads; 671B / 37B active. */
export const deepseekV3 = model('deepseek-v3', {
  hiddenSize: 7168,
  numAttentionHeads: 128,
  numKvHeads: 128,
  headDim: 128,
  layers: [full(61)],
  vocabSize: 129280,
  mla: { kvLoraRank: 512, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128 },
  paramsTotal: 671e9,
  paramsActive: 37e9,
  maxPositionEmbeddings: 163840,
  ropeScaling: { type: 'yarn', factor: 40, originalMaxPositionEmbeddings: 4096 },
  pretrainedWindow: 4096,
  trainedWindow: 131072,
});

/** reference models[gemma-3-27b]: 62 layers = 52 sliding(1024) + 10 global, 32 heads, 16 KV heads, head_dim 128; linear RoPE ×8. */
export const gemma3_27b = model('gemma-3-27b', {
  hiddenSize: 5376,
  numAttentionHeads: 32,
  numKvHeads: 16,
  headDim: 128,
  layers: [sliding(52, 1024), full(10)],
  vocabSize: 262144,
  paramsTotal: 27e9,
  paramsActive: 27e9,
  maxPositionEmbeddings: 131072,
  ropeScaling: { type: 'linear', factor: 8 },
  pretrainedWindow: 131072,
});

/** reference models[gpt-oss-20b]: 24 layers alternating sliding(128)/full, 64 heads, 8 KV heads, head_dim 64; 21B / 3.6B active. */
export const gptOss20b = model('gpt-oss-20b', {
  hiddenSize: 2880,
  numAttentionHeads: 64,
  numKvHeads: 8,
  headDim: 64,
  layers: [sliding(12, 128), full(12)],
  vocabSize: 201088,
  paramsTotal: 21e9,
  paramsActive: 3.6e9,
  maxPositionEmbeddings: 131072,
  ropeScaling: { type: 'yarn', factor: 32, originalMaxPositionEmbeddings: 4096 },
  pretrainedWindow: 4096,
  trainedWindow: 131072,
});

/** reference models[llama-4-scout-17b-16e]: 48 layers = 36 chunked(8192) + 12 global NoPE, 40 heads, 8 KV heads, head_dim 128; 109B / 17B active. */
export const llama4Scout = model('llama-4-scout-17b-16e', {
  hiddenSize: 5120,
  numAttentionHeads: 40,
  numKvHeads: 8,
  headDim: 128,
  layers: [chunked(36, 8192), full(12)],
  vocabSize: 202048,
  paramsTotal: 109e9,
  paramsActive: 17e9,
  maxPositionEmbeddings: 10_000_000,
  pretrainedWindow: 131072,
  trainedWindow: 10_000_000,
});

/** reference models[mistral-7b-v0.1]: sliding window 4096 on all 32 layers, 8 KV heads, head_dim 128; 7.2B. */
export const mistral7bV01 = model('mistral-7b-v0.1', {
  hiddenSize: 4096,
  numAttentionHeads: 32,
  numKvHeads: 8,
  headDim: 128,
  layers: [sliding(32, 4096)],
  paramsTotal: 7.2e9,
  paramsActive: 7.2e9,
  maxPositionEmbeddings: 32768,
  pretrainedWindow: 32768,
});

/**
 * reference models[qwen2.5-7b] with the model card's YaRN block added (long_context_other[qwen25_yarn]:
 * factor 4, original 32768) and no published trained window, so the scaled range is untrained here.
 */
export const qwen25_7bYarn = model('qwen2.5-7b+yarn', {
  hiddenSize: 3584,
  numAttentionHeads: 28,
  numKvHeads: 4,
  headDim: 128,
  layers: [full(28)],
  vocabSize: 152064,
  paramsTotal: 7.61e9,
  paramsActive: 7.61e9,
  maxPositionEmbeddings: 32768,
  ropeScaling: { type: 'yarn', factor: 4, originalMaxPositionEmbeddings: 32768 },
  pretrainedWindow: 32768,
});

/** A 1-layer, 1-KV-head, head_dim-1 toy: 4 KV bytes per token at bf16, so memory edges are easy to hit exactly. */
export const toy = model('toy', {
  hiddenSize: 1,
  numAttentionHeads: 1,
  numKvHeads: 1,
  headDim: 1,
  layers: [full(1)],
  paramsTotal: 1000,
  paramsActive: 1000,
  maxPositionEmbeddings: 1_000_000,
  pretrainedWindow: 1_000_000,
});

/** reference gpus[h100-sxm]: 80 GB, 3350 GB/s, 989 / 1979 dense TFLOPS bf16 / fp8, MAMF 794.5. */
export const h100Sxm: GpuSpec = {
  id: 'h100-sxm',
  name: 'NVIDIA H100 SXM5 80GB',
  memoryBytes: 80e9,
  bandwidthBytesPerSec: 3350e9,
  bf16FlopsPerSec: 989e12,
  fp8FlopsPerSec: 1979e12,
  measuredBf16FlopsPerSec: 794.5e12,
  sources: ['stas_accel'],
};

/** reference gpus[mi300x]: 192 GB, 5300 GB/s, 1300 TFLOPS bf16, MAMF 668.4. */
export const mi300x: GpuSpec = {
  id: 'mi300x',
  name: 'AMD MI300X',
  memoryBytes: 192e9,
  bandwidthBytesPerSec: 5300e9,
  bf16FlopsPerSec: 1300e12,
  fp8FlopsPerSec: 2610e12,
  measuredBf16FlopsPerSec: 668.4e12,
  sources: ['stas_accel'],
};

/** reference gpus[rtx-4090]: 24 GB, 1008 GB/s, 165.2 TFLOPS bf16, no MAMF. */
export const rtx4090: GpuSpec = {
  id: 'rtx-4090',
  name: 'NVIDIA GeForce RTX 4090',
  memoryBytes: 24e9,
  bandwidthBytesPerSec: 1008e9,
  bf16FlopsPerSec: 165.2e12,
  fp8FlopsPerSec: 330.3e12,
  sources: ['llm_viewer_hw'],
};

/** reference gpus[a100-sxm-80gb]: 312 TFLOPS bf16, no fp8. */
export const a100Sxm: GpuSpec = {
  id: 'a100-sxm-80gb',
  name: 'NVIDIA A100 SXM 80GB',
  memoryBytes: 80e9,
  bandwidthBytesPerSec: 2039e9,
  bf16FlopsPerSec: 312e12,
  measuredBf16FlopsPerSec: 271.2e12,
  sources: ['stas_accel'],
};

/** A CostInput with neutral defaults (bf16, batch 1, one GPU, utilisation 0.9, efficiencies 1). */
export function costInput(overrides: Partial<CostInput> & Pick<CostInput, 'model' | 'gpu'>): CostInput {
  return {
    gpuCount: 1,
    promptTokens: 0,
    reserveOutputTokens: 0,
    weightDtype: 'bf16',
    kvDtype: 'bf16',
    batchSize: 1,
    memoryUtilization: 0.9,
    computeEfficiency: 1,
    memoryEfficiency: 1,
    ...overrides,
  };
}
