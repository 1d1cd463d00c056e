// Engine profiles against hand-worked values and the figures real engines logged (quoted in issue 12
// and in the vLLM PR #10511 memory-profiling log). Every expected number is worked out in the comment
// next to it from the engine's rule, not taken from the code under test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCost } from '../../../src/core/cost/costEngine';
import type { CostEstimate } from '../../../src/core/cost/costEngine';
import type { CostInput, EngineOptions } from '../../../src/core/cost/costTypes';
import {
  ggmlPad,
  kvHeadsPerGpu,
  llamaCppKvCaches,
  ollamaDefaultNumCtx,
  ollamaGenerationBatch,
  ollamaPromptHandling,
  vllmBlocksFor,
  vllmKvGroups,
} from '../../../src/core/cost/engineProfiles';
import { sglangContextLength, vllmMaxModelLen } from '../../../src/core/cost/engineWindows';
import { weightMemory } from '../../../src/core/cost/weightFormats';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import type { GpuSpec } from '../../../src/core/model/gpuSpec';
import type { ModelSpec } from '../../../src/core/model/modelSpec';
import { windowsFor } from '../../../src/core/risk/riskEngine';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const catalogModel = (id: string): ModelSpec => findModel(id) ?? assert.fail(`no catalog model ${id}`);
const h100 = findGpu('h100-sxm') as GpuSpec;

function estimate(model: ModelSpec, tokens: number, engine: EngineOptions, overrides: Partial<CostInput> = {}): CostEstimate {
  return estimateCost({
    model,
    gpu: h100,
    gpuCount: 1,
    promptTokens: tokens,
    reserveOutputTokens: 0,
    weightDtype: 'native',
    kvDtype: 'f16',
    batchSize: 1,
    memoryUtilization: 0.9,
    computeEfficiency: 0.8,
    memoryEfficiency: 0.9,
    engine,
    ...overrides,
  });
}

test('llama.cpp: n_ctx padded to 256 cells; non-unified streams each get GGML_PAD(n_ctx / n_seq, 256)', () => {
  assert.equal(ggmlPad(1000, 256), 1024);
  assert.equal(ggmlPad(1024, 256), 1024);
  // Llama 3.1 8B, 3 sequences × 1,000: n_ctx = pad(3,000) = 3,072; per stream pad(1,024) = 1,024 cells.
  const [base] = llamaCppKvCaches(catalogModel('llama-3.1-8b'), {
    nCtx: 3000,
    nSeqMax: 3,
    nUbatch: 512,
    kvUnified: false,
    swaFull: false,
    typeK: 'f16',
    typeV: 'f16',
    mla: false,
  });
  assert.equal(base?.cells, 1024);
  assert.equal(base?.streams, 3);
  // 32 layers × 3 streams × 1,024 cells × (8 heads × 128 × 2 B) for K, the same for V.
  assert.equal(base?.kBytes, 32 * 3 * 1024 * 2048);
  assert.equal(base?.vBytes, 32 * 3 * 1024 * 2048);
});

test('llama.cpp: gpt-oss-20b at 131,072 allocates 3,126 MiB with a 2,048 ubatch, as the logged run did (ideal says 3,075)', () => {
  // Full layers: 12 × 131,072 cells × 2,048 B = 3,072 MiB. SWA: pad256(min(131,072, 128 × 1 + 2,048)) = 2,304 cells × 12 × 2,048 B = 54 MiB.
  const kv = estimate(catalogModel('gpt-oss-20b'), 131_072, { engine: 'llama.cpp', ubatch: 2048 }).kvCacheBytes;
  assert.equal(kv, 3126 * MiB);
  // With llama.cpp's default 512 ubatch: pad256(128 + 512) = 768 cells → 3,072 + 18 = 3,090 MiB.
  assert.equal(estimate(catalogModel('gpt-oss-20b'), 131_072, { engine: 'llama.cpp' }).kvCacheBytes, 3090 * MiB);
  // The ideal formula: 12 × 131,072 + 12 × 128 tokens × 2,048 B = 3,075 MiB.
  assert.equal(estimate(catalogModel('gpt-oss-20b'), 131_072, { engine: 'ideal' }, { kvDtype: 'bf16' }).kvCacheBytes, 3075 * MiB);
});

test('Ollama: gpt-oss-20b on an H100 defaults to num_ctx 262,144 capped at its 131,072 training context, batch 2,048 → 3,126 MiB', () => {
  // 81,559 MiB ≥ 47 GiB → 262,144; effectiveModelContext caps it at n_ctx_train 131,072; above 32,768 cells with
  // VRAM headroom the automatic batch is 2,048, so the SWA cache is the 2,304 cells of the test above.
  assert.equal(ollamaDefaultNumCtx(h100.memoryBytes), 262_144);
  const cost = estimate(catalogModel('gpt-oss-20b'), 1000, { engine: 'ollama' });
  assert.equal(cost.engine.maxWindowTokens, 131_072);
  assert.equal(cost.kvCacheBytes, 3126 * MiB);
  assert.deepEqual(
    cost.engine.llamaCppCaches?.map((c) => [c.kind, c.cells, c.layers]),
    [
      ['base', 131_072, 12],
      ['swa', 2304, 12],
    ],
  );
});

test('Ollama num_ctx by VRAM: ≥ 47 GiB 262,144; ≥ 23 GiB 32,768 (an RTX 4090 reports 23.99 GiB); else 4,096', () => {
  assert.equal(ollamaDefaultNumCtx(47 * GiB), 262_144);
  assert.equal(ollamaDefaultNumCtx(47 * GiB - 1), 32_768);
  assert.equal(ollamaDefaultNumCtx((findGpu('rtx-4090') as GpuSpec).memoryBytes), 32_768);
  assert.equal(ollamaDefaultNumCtx(16e9), 4096);
  // Batch: 2,048 above 32,768 cells with headroom; 1,024 when predicted VRAM is over 60% of available; 512 ≤ 4,096 cells.
  assert.equal(ollamaGenerationBatch(131_072, 10 * GiB, 80 * GiB), 2048);
  assert.equal(ollamaGenerationBatch(131_072, 56 * GiB, 80 * GiB), 1024);
  assert.equal(ollamaGenerationBatch(4096, 10 * GiB, 80 * GiB), 512);
});

test('Ollama drops the front of a prompt longer than num_ctx: keep 4 (+1 BOS), cut to num_ctx − ⌊(num_ctx − keep) / 2⌋', () => {
  // Llama (adds BOS): keep 5; limit = 4,096 − ⌊4,091 / 2⌋ = 2,051; 10,000 − 2,051 = 7,949 dropped: tokens [5, 7,954).
  const llama = ollamaPromptHandling(catalogModel('llama-3.1-8b'), 10_000, 4096);
  assert.deepEqual(llama, { ...llama, kind: 'front-dropped', keep: 5, limit: 2051, dropStart: 5, dropEnd: 7954 });
  // Qwen2.5 (no BOS): keep 4; limit = 4,096 − ⌊4,092 / 2⌋ = 2,050; drop [4, 4 + 7,950).
  const qwen = ollamaPromptHandling(catalogModel('qwen2.5-7b'), 10_000, 4096);
  assert.deepEqual(qwen, { ...qwen, kind: 'front-dropped', keep: 4, limit: 2050, dropStart: 4, dropEnd: 7954 });
  // Up to num_ctx − 1 passes whole; DeepSeek-2 family has no context shift, so it is rejected.
  assert.deepEqual(ollamaPromptHandling(catalogModel('llama-3.1-8b'), 4095, 4096), { kind: 'accepted' });
  assert.equal(ollamaPromptHandling(catalogModel('deepseek-v3'), 5000, 4096).kind, 'rejected');
  // Through estimateCost, with num_ctx set.
  assert.equal(
    estimate(catalogModel('llama-3.1-8b'), 10_000, { engine: 'ollama', numCtx: 4096 }).engine.promptHandling.kind,
    'front-dropped',
  );
});

test('LM Studio (swa_full library default): Gemma 3 27B at 131,072 allocates 63,488 MiB (ideal: 10,656 MiB)', () => {
  // 62 layers × 131,072 cells × 16 KV heads × 128 × 2 B × 2 (K, V) = 62 × 1,024 MiB.
  assert.equal(estimate(catalogModel('gemma-3-27b'), 131_072, { engine: 'lmstudio' }).kvCacheBytes, 63_488 * MiB);
  // Ideal: 10 × 131,072 + 52 × 1,024 tokens × 8,192 B = 10,240 + 416 MiB.
  assert.equal(estimate(catalogModel('gemma-3-27b'), 131_072, { engine: 'ideal' }).kvCacheBytes, 10_656 * MiB);
  // llama.cpp default (no --swa-full): 10 × 1,024 MiB + 52 layers × pad256(1,024 + 512) = 1,536 cells × 8,192 B = 10,864 MiB.
  assert.equal(estimate(catalogModel('gemma-3-27b'), 131_072, { engine: 'llama.cpp' }).kvCacheBytes, (10_240 + 624) * MiB);
});

test("llama.cpp ignores Mistral 7B v0.1's sliding window (llama architecture): 32,768 tokens take 4,096 MiB, not 512", () => {
  // 32 layers × 32,768 cells × 8 heads × 128 × 2 B × 2 = 4 GiB; the ideal formula caps at the 4,096 window.
  const model = catalogModel('mistral-7b-v0.1');
  const cpp = estimate(model, 32_768, { engine: 'llama.cpp' });
  assert.equal(cpp.kvCacheBytes, 4096 * MiB);
  assert.ok(cpp.engine.conventions.some((c) => /ignores the model's sliding window/.test(c.text)));
  assert.equal(estimate(model, 32_768, { engine: 'ideal' }).kvCacheBytes, 512 * MiB);
  // So under llama.cpp memory limits the context; under the ideal formula it never does (window-limited at 32,768).
  assert.equal(estimate(model, 1000, { engine: 'ideal' }).maxContext.limitedBy, 'window');
  assert.equal(estimate(model, 1000, { engine: 'ideal' }).maxContext.memoryLimitTokens, null);
});

test('quantized caches carry block scales: q8_0 is 34 B per 32 values, q4_0 18 B; K and V typed apart', () => {
  // Llama 3.1 8B at 8,192: 32 layers × 8,192 cells × 1,024 values per row → K q8_0 = 32 × 8,192 × 1,088 B; V q4_0 = 32 × 8,192 × 576 B.
  const cost = estimate(catalogModel('llama-3.1-8b'), 8192, { engine: 'llama.cpp', kDtype: 'q8_0', vDtype: 'q4_0' });
  const [base] = cost.engine.llamaCppCaches ?? [];
  assert.equal(base?.kBytes, 32 * 8192 * 1088);
  assert.equal(base?.vBytes, 32 * 8192 * 576);
  assert.equal(cost.kvCacheBytes, 272 * MiB + 144 * MiB);
  // int8 under llama.cpp is counted as q8_0, with a message naming it.
  const int8 = estimate(catalogModel('llama-3.1-8b'), 8192, { engine: 'llama.cpp' }, { kvDtype: 'int8' });
  assert.equal(int8.kvCacheBytes, 2 * 272 * MiB);
  assert.ok(int8.engine.problems.some((p) => /int8 is not a llama.cpp cache type; counted as q8_0/.test(p)));
});

test('DeepSeek-V3 without MLA caches full per-head K and V: 71× the latent', () => {
  // MLA: 576 latent values per layer. Off: 128 heads × 192 (K) + 128 × 128 (V) = 40,960 values: 40,960 / 576 = 71.1.
  const model = catalogModel('deepseek-v3');
  const on = estimate(model, 4096, { engine: 'llama.cpp', mla: 'on' }).kvCacheBytes;
  const off = estimate(model, 4096, { engine: 'llama.cpp', mla: 'off' }).kvCacheBytes;
  assert.equal(on, 61 * 4096 * 576 * 2);
  assert.equal(off, 61 * 4096 * 40_960 * 2);
  assert.ok(Math.abs(off / on - 71.11) < 0.01);
  // MLA needs equal K and V types: a different V is overridden with a message.
  const mixed = estimate(model, 4096, { engine: 'llama.cpp', mla: 'on', kDtype: 'q8_0', vDtype: 'f16' });
  assert.ok(mixed.engine.problems.some((p) => /refuses different K/.test(p)));
});

test('vLLM max_model_len as _get_and_verify_max_len derives it: llama3 and LongRoPE do not multiply, YaRN multiplies the original', () => {
  assert.equal(vllmMaxModelLen(catalogModel('llama-3.2-1b')).tokens, 131_072); // not 8,192 × 32
  assert.equal(vllmMaxModelLen(catalogModel('llama-3.2-3b')).tokens, 131_072);
  assert.equal(vllmMaxModelLen(catalogModel('gpt-oss-20b')).tokens, 131_072); // 4,096 × 32
  assert.equal(vllmMaxModelLen(catalogModel('deepseek-v3')).tokens, 163_840); // 4,096 × 40
  assert.equal(vllmMaxModelLen(catalogModel('qwen2.5-7b')).tokens, 32_768); // no rope_scaling shipped
  assert.equal(vllmMaxModelLen(catalogModel('phi-3.5-mini')).tokens, 4096); // LongRoPE default: original window
  assert.equal(vllmMaxModelLen(catalogModel('gemma-3-27b')).tokens, 131_072); // already scaled
  assert.equal(vllmMaxModelLen(catalogModel('command-r-v01')).tokens, 131_072); // model_max_length over 8,192
  // A 200K prompt on Llama 3.2 1B is rejected, and the risk engine's maximum is the same 131,072.
  const cost = estimate(catalogModel('llama-3.2-1b'), 200_000, { engine: 'vllm' });
  assert.equal(cost.engine.promptHandling.kind, 'rejected');
  assert.equal(cost.fits, false);
  assert.equal(windowsFor(catalogModel('llama-3.2-1b')).max, 131_072);
});

test('vLLM pool on an H100 reproduces the Llama-3-8B profiling log within 0.2%: 79.22 GiB × 0.9 − weights − 1.26 − 1.79 = 53.29 GiB', () => {
  // Log: total 79.22 GiB, can use 71.29 GiB, weights 14.96 GiB, non-torch 1.79 GiB, activation 1.26 GiB, KV 53.29 GiB.
  const cost = estimate(catalogModel('llama-3.1-8b'), 1000, { engine: 'vllm' });
  const pool = cost.engine.pool!;
  assert.ok(Math.abs(pool.usablePerGpuBytes / GiB - 71.29) < 0.01);
  assert.ok(Math.abs(pool.activationPeakBytes / GiB - 1.26) < 0.02);
  assert.ok(Math.abs(pool.kvPoolPerGpuBytes / GiB - 53.29) / 53.29 < 0.002, `${pool.kvPoolPerGpuBytes / GiB}`);
  assert.equal(pool.blockSize, 16);
  // Page = 2 × 16 tokens × 8 heads × 128 × 2 B = 65,536 B; blocks = ⌊pool / 65,536 / 32 layers⌋.
  assert.equal(pool.blocks, Math.floor(pool.kvPoolPerGpuBytes / 65_536 / 32));
});

test('vLLM tensor parallel: KV heads per GPU = max(1, heads ÷ tp), replicated past the head count; MLA latent on every GPU', () => {
  assert.equal(kvHeadsPerGpu(8, 2), 4);
  assert.equal(kvHeadsPerGpu(8, 16), 1);
  const tp16 = estimate(catalogModel('llama-3.1-70b'), 1000, { engine: 'vllm' }, { gpuCount: 16 });
  assert.equal(tp16.engine.pool?.kvHeadsPerGpu, 1);
  // 16 GPUs × 1 head each hold 2× the 8 heads' bytes: 80 layers × 1,008 tokens (63 blocks × 16) × 2 × 128 × 2 B × 16.
  assert.equal(tp16.kvCacheBytes, 63 * 16 * 80 * 2 * 128 * 2 * 16);
});

test('vLLM V1 hybrid allocation: gpt-oss-20b has a full and a sliding group of 12 layers; sliding holds cdiv(127 + 8,192, 16) + 1 blocks', () => {
  const { groups, groupSize } = vllmKvGroups(catalogModel('gpt-oss-20b'));
  assert.equal(groupSize, 12);
  assert.deepEqual(groups.map((g) => g.kind).sort(), ['full', 'sliding']);
  const sliding = groups.find((g) => g.kind === 'sliding')!;
  assert.equal(vllmBlocksFor(sliding, 131_072, 16, 8192), 521); // ⌈8,319 / 16⌉ + 1
  assert.equal(
    vllmBlocksFor(
      groups.find((g) => g.kind === 'full')!,
      131_072,
      16,
      8192,
    ),
    8192,
  );
  // Gemma 3 27B: 52 sliding + 10 full → groups of 10: ⌈52 / 10⌉ = 6 sliding groups + 1 full.
  const gemma = vllmKvGroups(catalogModel('gemma-3-27b'));
  assert.equal(gemma.groupSize, 10);
  assert.equal(gemma.groups.length, 7);
});

test('SGLang context_length multiplies rope factors unless the block names an original window or is llama3', () => {
  assert.equal(sglangContextLength(catalogModel('llama-3.2-1b')).tokens, 131_072);
  assert.equal(sglangContextLength(catalogModel('gemma-3-27b')).tokens, 1_048_576); // 131,072 × linear 8, as the code reads
  assert.equal(sglangContextLength(catalogModel('gpt-oss-20b')).tokens, 131_072); // original_max_position_embeddings present
});

test('weights: native formats, and 4/8-bit formats that keep 16-bit embeddings and count group scales', () => {
  // gpt-oss-20b native: 19.11B expert params × 17/32 B (MXFP4) + 1.80B × 2 B ≈ 13.77 GB (the checkpoint is 13.8 GB), not bf16's 42 GB.
  const gptOss = weightMemory(catalogModel('gpt-oss-20b'), 'native', false);
  assert.ok(Math.abs(gptOss.bytes / 1e9 - 13.77) < 0.01);
  assert.equal(weightMemory(catalogModel('gpt-oss-20b'), 'bf16', false).bytes, 42e9);
  // Phi-4 int4 (GPTQ/AWQ g128): (14,659,092,480 − 1,027,604,480) × 4.15625 / 8 + 1,027,604,480 × 2 = 9,137,192,960 B = 8.51 GiB,
  // where real GPTQ and bnb loads are 8.5–8.6 GiB; the ideal formula's 0.5 B per parameter says 6.83 GiB.
  const phi4 = catalogModel('phi-4');
  assert.equal(weightMemory(phi4, 'int4', false).bytes, 9_137_192_960);
  assert.ok(Math.abs(weightMemory(phi4, 'int4', false).bytes / GiB - 8.51) < 0.01);
  assert.equal(weightMemory(phi4, 'int4', true).bytes, phi4.paramsTotal * 0.5);
  // nf4 (bitsandbytes, blocksize 64, fp32 absmax): 4.5 bits → 13,631,488,000 × 0.5625 + 2,055,208,960 = 7,667,712,000 + 2,055,208,960 = 9,722,920,960 B.
  assert.equal(weightMemory(phi4, 'nf4', false).bytes, 9_722_920_960);
});

test('the largest context that fits is structured, never a sentinel', () => {
  // gpt-oss-20b (native 13.77 GB) on an H100 under vLLM: memory binds far beyond the 131,072 window.
  const vllm = estimate(catalogModel('gpt-oss-20b'), 1000, { engine: 'vllm' });
  assert.equal(vllm.maxContext.limitedBy, 'window');
  assert.equal(vllm.maxContext.tokens, 131_072);
  assert.ok((vllm.maxContext.memoryLimitTokens ?? 0) > 131_072);
  // DeepSeek-V3 (673 GB native) on one H100: the weights alone do not fit.
  const ds = estimate(catalogModel('deepseek-v3'), 1000, { engine: 'vllm' });
  assert.deepEqual([ds.maxContext.limitedBy, ds.maxContext.tokens, ds.fits], ['weights', 0, false]);
  // Llama 3.1 70B bf16 on 2 H100s under llama.cpp: memory-limited below the window.
  const seventy = estimate(catalogModel('llama-3.1-70b'), 1000, { engine: 'llama.cpp' }, { gpuCount: 2 });
  assert.equal(seventy.maxContext.limitedBy, 'memory');
  assert.ok(seventy.maxContext.tokens > 0 && seventy.maxContext.tokens < 131_072);
});

test('windows: Mistral NeMo is trained at 128K though config.json accepts 1,024,000; a 4K model is effective over its whole window', () => {
  const nemo = windowsFor(catalogModel('mistral-nemo-12b'));
  assert.equal(nemo.max, 1_024_000);
  assert.equal(nemo.trained, 131_072);
  // Phi-3-medium-4k: no RULER row; fallback = max(min(4,096, 4,096), ⌊4,096 / 4⌋) = 4,096 (before: 1,024).
  const phi3 = windowsFor(catalogModel('phi-3-medium'));
  assert.deepEqual([phi3.max, phi3.effective, phi3.effectiveSource], [4096, 4096, 'fallback']);
  // A 32K model without RULER: max(4,096, 8,192) = 8,192.
  assert.equal(windowsFor(catalogModel('mistral-7b-v0.1')).effective, 8192);
  // An engine's window replaces the model's maximum: Ollama num_ctx 4,096 on Llama 3.1 8B.
  assert.equal(windowsFor(catalogModel('llama-3.1-8b'), 4096).max, 4096);
});
