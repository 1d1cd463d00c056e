// Cost engine against hand-worked values. Formula ids refer to formulas[] in
// /work/shared/reference/llm-reference.json; the arithmetic is written out so it can be checked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  attentionFlopsPerPair,
  attentionPairs,
  defaultEfficiencies,
  estimateCost,
  isKvBounded,
  kvBytesPerToken,
  kvCacheBytes,
  maxContextTokensCap,
  peakFlopsPerSec,
  prefillFlops,
  tokensHeld,
} from '../../../src/core/cost/costEngine';
import { bytesPerElement } from '../../../src/core/cost/dtypes';
import type { LayerAttention } from '../../../src/core/model/modelSpec';
import {
  a100Sxm,
  costInput,
  deepseekV3,
  gemma3_27b,
  gptOss20b,
  h100Sxm,
  llama31_405b,
  llama31_70b,
  llama31_8b,
  llama4Scout,
  mi300x,
  mistral7bV01,
  model,
  rtx4090,
  toy,
} from './specFixtures';

test('bytes per element: fp32 4, bf16/fp16 2, fp8/int8 1, int4 0.5', () => {
  assert.deepEqual(
    ['fp32', 'bf16', 'fp16', 'fp8', 'int8', 'int4'].map((d) => bytesPerElement(d as 'bf16')),
    [4, 2, 2, 1, 1, 0.5],
  );
  assert.throws(() => bytesPerElement('fp4' as 'bf16'), RangeError);
});

test('kv_bytes_per_token_gqa: Llama-3.1-8B = 2 × 32 layers × 8 KV heads × 128 × 2 B = 131,072 B; fp8 halves it', () => {
  assert.equal(kvBytesPerToken(llama31_8b, 'bf16'), 2 * 32 * 8 * 128 * 2);
  assert.equal(kvBytesPerToken(llama31_8b, 'bf16'), 131_072);
  // conventions.kv_dtype: "multiply by 0.5 for fp8 KV".
  assert.equal(kvBytesPerToken(llama31_8b, 'fp8'), 65_536);
  // 8,192 tokens → exactly 1 GiB.
  assert.equal(kvCacheBytes(llama31_8b, 8192, 'bf16', 1), 2 ** 30);
  const cost = estimateCost(costInput({ model: llama31_8b, gpu: h100Sxm, promptTokens: 4096, reserveOutputTokens: 4096 }));
  assert.equal(cost.tokens, 8192);
  assert.equal(cost.kvCacheBytes, 2 ** 30);
  assert.equal(cost.kvBytesPerToken, 131_072);
});

test('kv_bytes_per_token_gqa: Llama-3.1-70B = 2 × 80 × 8 × 128 × 2 = 327,680 B; 128K tokens = 40 GiB; batch multiplies', () => {
  assert.equal(kvBytesPerToken(llama31_70b, 'bf16'), 327_680);
  assert.equal(kvCacheBytes(llama31_70b, 131_072, 'bf16', 1), 40 * 2 ** 30);
  assert.equal(kvCacheBytes(llama31_70b, 131_072, 'bf16', 3), 120 * 2 ** 30);
});

test('kv_bytes_per_token_mla: DeepSeek-V3 = (512 + 64) × 61 × 2 = 70,272 B (not 2 × 61 × 128 heads × 128)', () => {
  assert.equal(kvBytesPerToken(deepseekV3, 'bf16'), 70_272);
  assert.equal(kvBytesPerToken(deepseekV3, 'fp8'), 35_136);
  assert.equal(kvCacheBytes(deepseekV3, 1000, 'bf16', 2), 70_272 * 1000 * 2);
});

test('kv_sliding_window_cap: Gemma-3-27B 52 sliding(1024) + 10 global layers, 2 × 16 × 128 × 2 = 8,192 B per layer-token', () => {
  // Below the window every layer holds every token: 62 × 1000 × 8192.
  assert.equal(kvCacheBytes(gemma3_27b, 1000, 'bf16', 1), 62 * 1000 * 8192);
  assert.equal(kvCacheBytes(gemma3_27b, 1000, 'bf16', 1), 507_904_000);
  // At 128K: 10 × 131,072 × 8,192 + 52 × 1,024 × 8,192 = 10,737,418,240 + 436,207,616.
  assert.equal(kvCacheBytes(gemma3_27b, 131_072, 'bf16', 1), 11_173_625_856);
  // Uncapped per-token figure is the plain formula over all 62 layers.
  assert.equal(kvBytesPerToken(gemma3_27b, 'bf16'), 507_904);
});

test('kv_sliding_window_cap: gpt-oss-20b alternates 12 sliding(128) / 12 full layers, 2 × 8 × 64 × 2 = 2,048 B per layer-token', () => {
  // 12 × 131,072 × 2,048 + 12 × 128 × 2,048 = 3,221,225,472 + 3,145,728.
  assert.equal(kvCacheBytes(gptOss20b, 131_072, 'bf16', 1), 3_224_371_200);
  assert.equal(kvCacheBytes(gptOss20b, 100, 'bf16', 1), 24 * 100 * 2048);
  assert.equal(kvBytesPerToken(gptOss20b, 'bf16'), 49_152);
});

test('chunked local attention: Llama 4 Scout 36 chunked(8192) + 12 global layers hold min(T, 8192) and T tokens', () => {
  // 2 × 8 × 128 × 2 = 4,096 B per layer-token. 12 × 131,072 × 4,096 + 36 × 8,192 × 4,096.
  assert.equal(kvCacheBytes(llama4Scout, 131_072, 'bf16', 1), 6_442_450_944 + 1_207_959_552);
  assert.equal(kvCacheBytes(llama4Scout, 5000, 'bf16', 1), 48 * 5000 * 4096);
  assert.equal(tokensHeld({ kind: 'chunked', chunk: 8192 }, 20_000), 8192);
  assert.equal(tokensHeld({ kind: 'sliding', window: 128 }, 100), 100);
  assert.equal(tokensHeld({ kind: 'full' }, 20_000), 20_000);
});

test('weights (memory_fit, HF Llama 3.1 blog table): 8B 16/8/4 GB, 70B 140/70/35 GB, 405B 810/405/202.5 GB for bf16/fp8/int4', () => {
  const weights = (m: typeof llama31_8b, weightDtype: 'bf16' | 'fp8' | 'int4'): number =>
    estimateCost(costInput({ model: m, gpu: h100Sxm, weightDtype })).weightsBytes;
  assert.deepEqual([weights(llama31_8b, 'bf16'), weights(llama31_8b, 'fp8'), weights(llama31_8b, 'int4')], [16e9, 8e9, 4e9]);
  assert.deepEqual([weights(llama31_70b, 'bf16'), weights(llama31_70b, 'fp8'), weights(llama31_70b, 'int4')], [140e9, 70e9, 35e9]);
  // The blog rounds 202.5 to 203.
  assert.deepEqual([weights(llama31_405b, 'bf16'), weights(llama31_405b, 'fp8'), weights(llama31_405b, 'int4')], [810e9, 405e9, 202.5e9]);
  // MoE weights are all experts: DeepSeek-V3 671B at fp8 = 671 GB.
  assert.equal(estimateCost(costInput({ model: deepseekV3, gpu: h100Sxm, weightDtype: 'fp8' })).weightsBytes, 671e9);
});

test('fits and usable memory: usable = gpuCount × memory × utilisation; fits = weights + KV ≤ usable', () => {
  const cost = estimateCost(costInput({ model: llama31_70b, gpu: h100Sxm, gpuCount: 2, promptTokens: 100_000, reserveOutputTokens: 4096 }));
  assert.equal(cost.usableMemoryBytes, 2 * 80e9 * 0.9);
  assert.equal(cost.totalBytes, 140e9 + 104_096 * 327_680);
  assert.equal(cost.fits, false);
  const four = estimateCost(costInput({ model: llama31_70b, gpu: h100Sxm, gpuCount: 4, promptTokens: 100_000, reserveOutputTokens: 4096 }));
  assert.equal(four.fits, true);
});

test('maxContextTokens: Llama-3.1-8B on one H100: ⌊(72e9 − 16e9) / 131,072⌋ = 427,246', () => {
  const cost = estimateCost(costInput({ model: llama31_8b, gpu: h100Sxm }));
  assert.equal(cost.maxContextTokens, 427_246);
  // 427,246 × 131,072 = 55,999,987,712 ≤ 56e9 < 56,000,118,784 = 427,247 × 131,072.
  assert.equal(estimateCost(costInput({ model: llama31_8b, gpu: h100Sxm, promptTokens: 427_246 })).fits, true);
  assert.equal(estimateCost(costInput({ model: llama31_8b, gpu: h100Sxm, promptTokens: 427_247 })).fits, false);
  assert.notEqual(cost.maxContext.memoryLimitTokens, null);
  // Memory binds past the 131,072 window: the window is the limit, and where memory would bind is kept.
  assert.deepEqual(cost.maxContext, { limitedBy: 'window', tokens: 131_072, memoryLimitTokens: 427_246, windowTokens: 131_072 });
});

test('maxContextTokens: Llama-3.1-70B bf16 on 2× H100 leaves 4e9 B of KV: ⌊4e9 / 327,680⌋ = 12,207', () => {
  const cost = estimateCost(costInput({ model: llama31_70b, gpu: h100Sxm, gpuCount: 2 }));
  assert.equal(cost.maxContextTokens, 12_207);
  // batch 2 halves it (⌊12,207.03 / 2⌋ = 6,103).
  assert.equal(estimateCost(costInput({ model: llama31_70b, gpu: h100Sxm, gpuCount: 2, batchSize: 2 })).maxContextTokens, 6103);
});

test('maxContextTokens is 0 when the weights alone do not fit (405B bf16 on one H100) or leave no room for one token', () => {
  const cost = estimateCost(costInput({ model: llama31_405b, gpu: h100Sxm, promptTokens: 10 }));
  assert.equal(cost.maxContextTokens, 0);
  assert.equal(cost.fits, false);
  // Toy: 2,000 B of weights and 4 B per token; 2,003 B usable fits the weights but not one token.
  const tight = estimateCost(costInput({ model: toy, gpu: { ...h100Sxm, memoryBytes: 2003 }, memoryUtilization: 1 }));
  assert.equal(tight.maxContextTokens, 0);
  assert.equal(tight.fits, true); // T = 0 still fits
});

test('maxContextTokens lands exactly on the boundary: usable = weights + 4 B × 100 → 100', () => {
  const gpu = { ...h100Sxm, memoryBytes: 2000 + 4 * 100 };
  const at = (promptTokens: number): ReturnType<typeof estimateCost> =>
    estimateCost(costInput({ model: toy, gpu, memoryUtilization: 1, promptTokens }));
  assert.equal(at(0).maxContextTokens, 100);
  assert.equal(at(100).fits, true);
  assert.equal(at(101).fits, false);
});

test('maxContextTokens agrees with fits at every T for a mixed sliding/chunked/full model (brute force)', () => {
  const mixed = model('mixed', {
    hiddenSize: 8,
    numAttentionHeads: 2,
    numKvHeads: 1,
    headDim: 2,
    paramsTotal: 100,
    paramsActive: 100,
    maxPositionEmbeddings: 4096,
    pretrainedWindow: 4096,
    layers: [
      { count: 3, attention: { kind: 'sliding', window: 7 } },
      { count: 2, attention: { kind: 'chunked', chunk: 5 } },
      { count: 1, attention: { kind: 'full' } },
    ],
  });
  // 4 elements × 2 B = 8 B per layer-token; weights 200 B.
  for (const memoryBytes of [200, 207, 208, 400, 517, 1000, 1234]) {
    const gpu = { ...h100Sxm, memoryBytes };
    const max = estimateCost(costInput({ model: mixed, gpu, memoryUtilization: 1 })).maxContextTokens;
    for (let t = 0; t <= 200; t++) {
      const fits = estimateCost(costInput({ model: mixed, gpu, memoryUtilization: 1, promptTokens: t })).fits;
      assert.equal(fits, t <= max, `memory ${memoryBytes}, T ${t}, max ${max}`);
    }
  }
});

test('every layer windowed (Mistral 7B v0.1, sliding 4096): KV saturates, so memory never limits and the window is returned, never a sentinel', () => {
  const cost = estimateCost(costInput({ model: mistral7bV01, gpu: h100Sxm, promptTokens: 1_000_000 }));
  assert.equal(isKvBounded(mistral7bV01), true);
  assert.equal(cost.maxContext.memoryLimitTokens, null);
  // Saturated: 32 layers × 4,096 tokens × 4,096 B = 512 MiB however long the sequence.
  assert.equal(cost.kvCacheBytes, 32 * 4096 * 4096);
  // Not memory-limited; window-limited at max_position_embeddings 32,768 (before: 2^30, a sentinel).
  assert.notEqual(cost.maxContextTokens, maxContextTokensCap);
  assert.equal(cost.maxContextTokens, 32_768);
  assert.deepEqual(cost.maxContext, { limitedBy: 'window', tokens: 32_768, memoryLimitTokens: null, windowTokens: 32_768 });
  // A batch of 200 no longer fits the saturated cache: 200 × 32 × min(T, 4096) × 4096 ≤ 72e9 − 14.4e9 → T ≤ 2,197.
  const batched = estimateCost(costInput({ model: mistral7bV01, gpu: h100Sxm, batchSize: 200 }));
  assert.equal(batched.maxContextTokens, 2197);
  assert.deepEqual(batched.maxContext, { limitedBy: 'memory', tokens: 2197, memoryLimitTokens: 2197, windowTokens: 32_768 });
});

/** Pairs (i, j), j ≤ i, that a layer computes, by enumeration. */
function brutePairs(attention: LayerAttention, tokens: number): number {
  let pairs = 0;
  for (let i = 0; i < tokens; i++) {
    for (let j = 0; j <= i; j++) {
      if (attention.kind === 'sliding' && i - j >= attention.window) continue;
      if (attention.kind === 'chunked' && Math.floor(i / attention.chunk) !== Math.floor(j / attention.chunk)) continue;
      pairs++;
    }
  }
  return pairs;
}

test('causal pair counts match brute-force enumeration for full, sliding and chunked layers, T = 0..40', () => {
  const kinds: LayerAttention[] = [{ kind: 'full' }];
  for (const size of [1, 2, 3, 5, 7, 16]) kinds.push({ kind: 'sliding', window: size }, { kind: 'chunked', chunk: size });
  for (const attention of kinds) {
    for (let tokens = 0; tokens <= 40; tokens++) {
      assert.equal(attentionPairs(attention, tokens), brutePairs(attention, tokens), `${JSON.stringify(attention)} T=${tokens}`);
    }
  }
  // Hand values: full T=4 → 1+2+3+4 = 10; sliding w=2, T=4 → 1+2+2+2 = 7; chunked c=3, T=5 → (1+2+3) + (1+2) = 9.
  assert.equal(attentionPairs({ kind: 'full' }, 4), 10);
  assert.equal(attentionPairs({ kind: 'sliding', window: 2 }, 4), 7);
  assert.equal(attentionPairs({ kind: 'chunked', chunk: 3 }, 5), 9);
});

test('attention FLOPs per pair: 2 × query heads × (qk + v head dims); MLA uses 192 + 128', () => {
  // Llama-3.1-8B: 2 × 32 × (128 + 128) = 16,384; GQA KV heads do not enter (scaling-book note).
  assert.equal(attentionFlopsPerPair(llama31_8b), 16_384);
  // DeepSeek-V3: 2 × 128 × ((128 + 64) + 128) = 81,920.
  assert.equal(attentionFlopsPerPair(deepseekV3), 81_920);
});

test('prefill FLOPs (linear_flops + attention_score_flops_prefill): Llama-3.1-8B, 8,192 prompt tokens', () => {
  const flops = prefillFlops(llama31_8b, 8192);
  assert.equal(flops.linear, 2 * 8e9 * 8192);
  // 32 layers × 8,192·8,193/2 pairs × 16,384 FLOPs = 17,594,333,528,064.
  assert.equal(flops.attention, 17_594_333_528_064);
  assert.equal(flops.total, flops.linear + flops.attention);
  // FlashAttention's causal count per layer is 4·T²·H·d / 2 (it drops the diagonal's half pair): ours is (T+1)/T of it.
  const flashCausal = (32 * (4 * 8192 ** 2 * 32 * 128)) / 2;
  assert.equal(flops.attention / flashCausal, 8193 / 8192);
  // LLM-Viewer / EleutherAI count the full square (qk + sv = 4·T²·H·d): ours is (T+1)/(2T) of it.
  const nonCausal = 32 * 4 * 8192 ** 2 * 32 * 128;
  assert.ok(Math.abs(flops.attention / nonCausal - 8193 / (2 * 8192)) < 1e-12);
});

test('prefill uses the prompt only: reserved output changes memory, not FLOPs', () => {
  const a = estimateCost(costInput({ model: llama31_8b, gpu: h100Sxm, promptTokens: 1000, reserveOutputTokens: 0 }));
  const b = estimateCost(costInput({ model: llama31_8b, gpu: h100Sxm, promptTokens: 1000, reserveOutputTokens: 5000 }));
  assert.deepEqual(a.prefillFlops, b.prefillFlops);
  assert.equal(b.kvCacheBytes - a.kvCacheBytes, 5000 * 131_072);
});

test("attention_vs_matmul_ratio: for MHA with a 4× MLP (12·D² params per layer) attention/linear = (T+1)/(12·D), half llm-analysis's non-causal s/(6h)", () => {
  const hidden = 1024;
  const layers = 4;
  const mha = model('mha', {
    hiddenSize: hidden,
    numAttentionHeads: 8,
    numKvHeads: 8,
    headDim: 128,
    layers: [{ count: layers, attention: { kind: 'full' } }],
    paramsTotal: 12 * hidden * hidden * layers,
    paramsActive: 12 * hidden * hidden * layers,
    maxPositionEmbeddings: 1 << 20,
    pretrainedWindow: 1 << 20,
  });
  for (const tokens of [1024, 8192, 65_536]) {
    const flops = prefillFlops(mha, tokens);
    assert.ok(Math.abs(flops.attention / flops.linear - (tokens + 1) / (12 * hidden)) < 1e-12);
  }
});

test('windowed prefill: sliding layers cost w(w+1)/2 + (T − w)·w pairs, chunked ones whole chunks plus the remainder (gpt-oss-20b, Llama 4 Scout, Gemma 3)', () => {
  const tokens = 10_000;
  // 12 full layers × T(T+1)/2 + 12 sliding layers × (128·129/2 + (T − 128)·128), × 2 × 64 × 128 FLOPs.
  const expected = ((12 * (tokens * (tokens + 1))) / 2 + 12 * ((128 * 129) / 2 + (tokens - 128) * 128)) * 2 * 64 * (64 + 64);
  assert.equal(prefillFlops(gptOss20b, tokens).attention, expected);
  // Llama 4 Scout: 36 chunked layers: one full chunk of 8,192 + 1,808 tokens.
  const scoutPairs = (12 * (tokens * (tokens + 1))) / 2 + 36 * ((8192 * 8193) / 2 + (1808 * 1809) / 2);
  assert.equal(prefillFlops(llama4Scout, tokens).attention, scoutPairs * 2 * 40 * 256);
  const gemmaPairs = (10 * (tokens * (tokens + 1))) / 2 + 52 * ((1024 * 1025) / 2 + (tokens - 1024) * 1024);
  assert.equal(prefillFlops(gemma3_27b, tokens).attention, gemmaPairs * 2 * 32 * 256);
  // MoE linear FLOPs use active parameters (linear_flops: "MoE: use active params").
  assert.equal(prefillFlops(gptOss20b, tokens).linear, 2 * 3.6e9 * tokens);
});

test('prefill time divides by gpuCount × peak × efficiency, using the fp8 peak for fp8 weights when the GPU has one', () => {
  const base = costInput({ model: llama31_8b, gpu: h100Sxm, promptTokens: 8192, computeEfficiency: 0.8 });
  const bf16 = estimateCost(base);
  assert.equal(bf16.prefillSeconds, bf16.prefillFlops.total / (989e12 * 0.8));
  const fp8 = estimateCost({ ...base, weightDtype: 'fp8' });
  assert.equal(fp8.prefillSeconds, fp8.prefillFlops.total / (1979e12 * 0.8));
  const twoGpus = estimateCost({ ...base, gpuCount: 2 });
  assert.equal(twoGpus.prefillSeconds, bf16.prefillSeconds / 2);
  // A100 has no fp8 tensor cores; int4 is weight-only quantisation: both use the bf16 peak.
  assert.equal(peakFlopsPerSec(a100Sxm, 'fp8'), 312e12);
  assert.equal(peakFlopsPerSec(h100Sxm, 'int4'), 989e12);
});

test('decode_time_roofline: zeux Mistral 7B fp16 on an RTX 4090: 14.2 GB / 1008 GB/s = 14.1 ms at 100% bandwidth', () => {
  const mistral = { ...mistral7bV01, id: 'mistral-7b-zeux', paramsTotal: 7.1e9, paramsActive: 7.1e9 };
  const cost = estimateCost(costInput({ model: mistral, gpu: rtx4090, weightDtype: 'fp16' }));
  assert.equal(cost.decodeSecondsPerToken, 14.2e9 / 1008e9);
  assert.equal(Math.round(cost.decodeSecondsPerToken * 1e4) / 10, 14.1);
});

test("decode reads only active MoE weights plus the whole batch's KV cache, over gpuCount × bandwidth × efficiency", () => {
  const cost = estimateCost(
    costInput({
      model: gptOss20b,
      gpu: h100Sxm,
      promptTokens: 1000,
      reserveOutputTokens: 24,
      batchSize: 4,
      memoryEfficiency: 0.9,
      gpuCount: 2,
    }),
  );
  // T = 1,024: 12 full layers hold 1,024 tokens, 12 sliding layers 128, at 2,048 B per layer-token, × batch 4.
  const expectedBytes = 3.6e9 * 2 + 4 * (12 * 1024 + 12 * 128) * 2048;
  assert.equal(cost.decodeSecondsPerToken, expectedBytes / (2 * 3350e9 * 0.9));
});

test('defaultEfficiencies: MAMF ÷ peak when measured (H100 794.5/989 ≈ 0.80, MI300X 668.4/1300 ≈ 0.51), else 0.7; memory 0.9', () => {
  const h100 = defaultEfficiencies(h100Sxm);
  assert.equal(h100.computeEfficiency.value, 794.5 / 989);
  assert.equal(Math.round(h100.computeEfficiency.value * 100), 80);
  assert.match(h100.computeEfficiency.source, /794\.5 of 989 TFLOPS/);
  assert.equal(Math.round(defaultEfficiencies(mi300x).computeEfficiency.value * 100), 51);
  const consumer = defaultEfficiencies(rtx4090);
  assert.equal(consumer.computeEfficiency.value, 0.7);
  assert.match(consumer.computeEfficiency.source, /llm-analysis/);
  assert.equal(consumer.memoryEfficiency.value, 0.9);
  assert.match(consumer.memoryEfficiency.source, /hbm_memory_efficiency/);
  const apple = defaultEfficiencies({ ...rtx4090, estimatedFields: ['bf16FlopsPerSec'] });
  assert.match(apple.computeEfficiency.source, /peak itself is an estimate/);
});

test('invalid inputs throw RangeError instead of producing NaN', () => {
  const base = costInput({ model: llama31_8b, gpu: h100Sxm });
  assert.throws(() => estimateCost({ ...base, promptTokens: -1 }), RangeError);
  assert.throws(() => estimateCost({ ...base, promptTokens: Number.NaN }), RangeError);
  assert.throws(() => estimateCost({ ...base, gpuCount: 0 }), RangeError);
  assert.throws(() => estimateCost({ ...base, batchSize: 0 }), RangeError);
  assert.throws(() => estimateCost({ ...base, computeEfficiency: 0 }), RangeError);
  assert.throws(() => estimateCost({ ...base, memoryUtilization: 1.5 }), RangeError);
});

test('the result serialises to JSON without losing numbers (no Infinity or NaN)', () => {
  for (const m of [llama31_8b, deepseekV3, gemma3_27b, gptOss20b, llama4Scout, mistral7bV01, llama31_405b]) {
    const cost = estimateCost(
      costInput({ model: m, gpu: h100Sxm, promptTokens: 50_000, reserveOutputTokens: 4096, computeEfficiency: 0.7, memoryEfficiency: 0.9 }),
    );
    assert.deepEqual(JSON.parse(JSON.stringify(cost)), cost);
    for (const [key, value] of Object.entries(cost)) if (typeof value === 'number') assert.ok(Number.isFinite(value), `${m.id}.${key}`);
  }
});
