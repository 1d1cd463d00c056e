/**
 * Memory, compute and time estimates for one prompt on one model and GPU set. Pure arithmetic over
 * the formulas in the shared reference (`/work/shared/reference/llm-reference.json`, `formulas[]`);
 * each function names the formula id it implements.
 *
 * Conventions chosen here, each stated once:
 * - T = promptTokens + reserveOutputTokens is what the KV cache must hold (the last reserved output
 *   token sits at position T). Prefill FLOPs use promptTokens only: prefill processes the prompt,
 *   and reserved output costs decode steps, not prefill.
 * - Attention FLOPs count causal pairs (each token attends to itself and earlier tokens), i.e. a
 *   kernel that skips masked blocks (FlashAttention's `// (2 if causal else 1)`). LLM-Viewer,
 *   llm-analysis and EleutherAI count the full T² square, so their attention term is ≈ 2× ours.
 * - Tensor parallelism is ideal: memory, FLOP/s and bandwidth add up over `gpuCount`, with no
 *   communication cost and no KV-head replication (the reference's `kv_bytes_tensor_parallel`
 *   replicates KV heads when gpuCount > numKvHeads; that is not modelled).
 * - Activations, workspace and framework overhead are not counted; `memoryUtilization` is the
 *   headroom knob for them (vLLM's gpu_memory_utilization, reference `memory_fit`).
 */
import type { LayerAttention, ModelSpec } from '../model/modelSpec';
import type { GpuSpec } from '../model/gpuSpec';
import type { CostBreakdown, CostInput, KvDtype, WeightDtype } from './costTypes';
import { bytesPerElement } from './dtypes';

/**
 * Upper end of the `maxContextTokens` search: 2^30 = 1,073,741,824 tokens, about 100× the longest
 * window any catalog model claims (Llama 4 Scout, 10M). A result equal to the cap means "memory does
 * not limit the context below the cap", which is what happens when every layer is windowed
 * ({@link CostEstimate.kvBounded}) or the GPUs are vast; it is finite so JSON output stays valid.
 */
export const maxContextTokensCap = 2 ** 30;

/** Achieved ÷ peak FLOP/s used when the GPU has no measured MAMF: llm-analysis's "realistic" setting. */
export const defaultComputeEfficiency = 0.7;

/** Achieved ÷ peak bandwidth in decode: llm-analysis's "realistic" hbm_memory_efficiency. */
export const defaultMemoryEfficiency = 0.9;

/** {@link estimateCost}'s result: the contract's {@link CostBreakdown} plus two flags about `maxContextTokens`. */
export interface CostEstimate extends CostBreakdown {
  /**
   * True when every layer is windowed (sliding or chunked), so the KV cache stops growing once T
   * passes the largest window and memory alone can never force a shorter context.
   */
  readonly kvBounded: boolean;
  /** True when `maxContextTokens` equals {@link maxContextTokensCap}: read it as "at least the cap". */
  readonly maxContextCapped: boolean;
}

/** An assumed efficiency and the one line the UI shows to say where it came from. */
export interface EfficiencyAssumption {
  readonly value: number;
  readonly source: string;
}

/**
 * Estimates memory (weights + KV), whether it fits, the longest context that fits, prefill FLOPs
 * and time, and the per-token decode time.
 *
 * @throws RangeError for negative or non-finite token counts, gpuCount/batchSize below 1, or
 *   fractions outside (0, 1]; a silent NaN would otherwise reach the status bar.
 */
export function estimateCost(input: CostInput): CostEstimate {
  validate(input);
  const { model, gpu, gpuCount, promptTokens, reserveOutputTokens, weightDtype, kvDtype, batchSize } = input;
  const tokens = promptTokens + reserveOutputTokens;

  const weightBytesPerParam = bytesPerElement(weightDtype);
  // A model file's own stored size (GGUF) beats params × the dtype setting: it is what gets loaded.
  const stored = model.storedWeights;
  const weightsBytes = stored ? stored.bytes : model.paramsTotal * weightBytesPerParam;
  const kvBytes = kvCacheBytes(model, tokens, kvDtype, batchSize);
  const totalBytes = weightsBytes + kvBytes;
  const usableMemoryBytes = gpuCount * gpu.memoryBytes * input.memoryUtilization;

  const maxContext = maxContextTokensFor(model, kvDtype, batchSize, weightsBytes, usableMemoryBytes);
  const flops = prefillFlops(model, promptTokens);
  // Stored (quantized) weights are dequantised for the matmul, like int8/int4: the bf16 peak.
  const prefillSeconds = flops.total / (gpuCount * peakFlopsPerSec(gpu, stored ? 'bf16' : weightDtype) * input.computeEfficiency);
  // decode_time_roofline: one step reads the active weights once (MoE at batch 1: only the routed
  // experts; at large batch nearly every expert is touched, so this is optimistic there) and the
  // whole batch's KV cache. Evaluated at T, i.e. the last and slowest reserved output token.
  const decodeBytes = (stored ? stored.activeBytes : model.paramsActive * weightBytesPerParam) + kvBytes;
  const decodeSecondsPerToken = decodeBytes / (gpuCount * gpu.bandwidthBytesPerSec * input.memoryEfficiency);

  return {
    tokens,
    kvCacheBytes: kvBytes,
    kvBytesPerToken: kvBytesPerToken(model, kvDtype),
    weightsBytes,
    totalBytes,
    usableMemoryBytes,
    fits: totalBytes <= usableMemoryBytes,
    maxContextTokens: maxContext,
    prefillFlops: flops,
    attentionShare: flops.total > 0 ? flops.attention / flops.total : 0,
    prefillSeconds,
    decodeSecondsPerToken,
    kvBounded: isKvBounded(model),
    maxContextCapped: maxContext === maxContextTokensCap,
  };
}

/**
 * Cached elements per token per layer. MHA/GQA/MQA: K and V for each KV head (`kv_bytes_per_token_gqa`:
 * 2 × num_kv_heads × head_dim). MLA: one compressed latent plus the decoupled RoPE key
 * (`kv_bytes_per_token_mla`: kv_lora_rank + qk_rope_head_dim, no ×2, no heads; DeepSeek-V3: 576).
 */
export function kvElementsPerTokenPerLayer(model: ModelSpec): number {
  if (model.mla) return model.mla.kvLoraRank + model.mla.qkRopeHeadDim;
  return 2 * model.numKvHeads * model.headDim;
}

/**
 * Tokens one layer keeps in its cache when the sequence holds `tokens` tokens (`kv_sliding_window_cap`).
 * Full: all of them. Sliding: the last `window` (the window includes the token itself). Chunked
 * (Llama 4 local layers): a token only attends inside its aligned chunk, so after decoding position p
 * only the current chunk's ≤ `chunk` tokens are ever read again and the rest can be freed.
 *
 * This is the steady-state requirement. vLLM reserves a little more per windowed layer for chunked
 * prefill (SlidingWindowSpec: window − 1 + max_num_batched_tokens; ChunkedLocalAttentionSpec:
 * chunk + max_num_batched_tokens), and allocates windowed layers as full attention when its hybrid
 * KV-cache manager is disabled; in that case the uncapped {@link kvBytesPerToken} × T is the number.
 */
export function tokensHeld(attention: LayerAttention, tokens: number): number {
  switch (attention.kind) {
    case 'full':
      return tokens;
    case 'sliding':
      return Math.min(tokens, attention.window);
    case 'chunked':
      return Math.min(tokens, attention.chunk);
  }
}

/**
 * KV-cache bytes for `batchSize` sequences of `tokens` tokens each: Σ over layer groups of
 * count × tokensHeld × elements per token per layer × bytes(kvDtype), × batchSize.
 */
export function kvCacheBytes(model: ModelSpec, tokens: number, kvDtype: KvDtype, batchSize: number): number {
  const bytesPerLayerToken = kvElementsPerTokenPerLayer(model) * bytesPerElement(kvDtype);
  let heldLayerTokens = 0;
  for (const group of model.layers) heldLayerTokens += group.count * tokensHeld(group.attention, tokens);
  return heldLayerTokens * bytesPerLayerToken * batchSize;
}

/**
 * Bytes one sequence's cache grows by per token while no window is saturated: the reference formula
 * summed over all layers (Llama-3.1-8B bf16: 2 × 32 × 8 × 128 × 2 = 131,072). Windowed layers stop
 * adding once T passes their window, so kvCacheBytes can be well below this × T (Gemma 3, gpt-oss).
 */
export function kvBytesPerToken(model: ModelSpec, kvDtype: KvDtype): number {
  let layers = 0;
  for (const group of model.layers) layers += group.count;
  return layers * kvElementsPerTokenPerLayer(model) * bytesPerElement(kvDtype);
}

/** True when no layer attends fully, so the KV cache is bounded however long the sequence gets. */
export function isKvBounded(model: ModelSpec): boolean {
  return model.layers.every((group) => group.count === 0 || group.attention.kind !== 'full');
}

/**
 * Largest integer T in [0, {@link maxContextTokensCap}] with weights + KV(T) ≤ usable; 0 when the
 * weights alone (or weights plus one token) do not fit. KV(T) is piecewise linear and non-decreasing
 * (window caps only flatten it), so a binary search over integers evaluating the same
 * {@link kvCacheBytes} that `fits` uses is exact and agrees with `fits` at every T.
 */
export function maxContextTokensFor(model: ModelSpec, kvDtype: KvDtype, batchSize: number, weightsBytes: number, usableMemoryBytes: number): number {
  const fitsAt = (tokens: number): boolean => weightsBytes + kvCacheBytes(model, tokens, kvDtype, batchSize) <= usableMemoryBytes;
  if (!fitsAt(0)) return 0;
  if (fitsAt(maxContextTokensCap)) return maxContextTokensCap;
  let low = 0; // fits
  let high = maxContextTokensCap; // does not fit
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    if (fitsAt(mid)) low = mid;
    else high = mid;
  }
  return low;
}

/**
 * Causal query–key pairs one layer computes over `tokens` prompt tokens (each token attends to
 * itself and earlier tokens inside its span):
 * - full: Σ_{i=1..T} i = T(T+1)/2;
 * - sliding window w: Σ_{i=1..T} min(i, w) = T(T+1)/2 for T ≤ w, else w(w+1)/2 + (T − w)·w;
 * - chunked c (aligned chunks): q = ⌊T/c⌋ full chunks of c(c+1)/2 pairs plus r = T mod c tokens
 *   giving r(r+1)/2.
 */
export function attentionPairs(attention: LayerAttention, tokens: number): number {
  const triangle = (n: number): number => (n * (n + 1)) / 2;
  switch (attention.kind) {
    case 'full':
      return triangle(tokens);
    case 'sliding': {
      const window = attention.window;
      return tokens <= window ? triangle(tokens) : triangle(window) + (tokens - window) * window;
    }
    case 'chunked': {
      const chunk = attention.chunk;
      const fullChunks = Math.floor(tokens / chunk);
      return fullChunks * triangle(chunk) + triangle(tokens - fullChunks * chunk);
    }
  }
}

/**
 * FLOPs per query–key pair per layer: QKᵀ is 2 × heads × qkHeadDim, AV is 2 × heads × vHeadDim
 * (2 FLOPs per multiply-add). Query heads, not KV heads, set the count (scaling-book, quoted in
 * `attention_score_flops_prefill`). MLA: qk = qk_nope + qk_rope (DeepSeek-V3: 192), v = v_head_dim
 * (128), counted un-absorbed.
 */
export function attentionFlopsPerPair(model: ModelSpec): number {
  const qkHeadDim = model.mla ? model.mla.qkNopeHeadDim + model.mla.qkRopeHeadDim : model.headDim;
  const vHeadDim = model.mla ? model.mla.vHeadDim : model.headDim;
  return 2 * model.numAttentionHeads * (qkHeadDim + vHeadDim);
}

/**
 * Prefill FLOPs for one sequence of `promptTokens` tokens.
 * linear = 2 × paramsActive × T (`linear_flops`; MoE uses active parameters). paramsActive includes
 * the input embedding table, whose lookup is not a matmul, so this overstates by that table's share
 * (Llama-3.1-8B: 128,256 × 4,096 ≈ 0.53B of 8B ≈ 6.6%); kept because it is the convention the
 * reference's sources use and the catalog has no non-embedding count for most models.
 * attention = Σ over layer groups of count × causal pairs × FLOPs per pair (`attention_score_flops_prefill`).
 */
export function prefillFlops(model: ModelSpec, promptTokens: number): { readonly linear: number; readonly attention: number; readonly total: number } {
  const linear = 2 * model.paramsActive * promptTokens;
  const perPair = attentionFlopsPerPair(model);
  let attention = 0;
  for (const group of model.layers) attention += group.count * attentionPairs(group.attention, promptTokens) * perPair;
  return { linear, attention, total: linear + attention };
}

/**
 * Dense peak FLOP/s one device offers for these weights: the fp8 peak when the weights are fp8 and
 * the GPU has fp8 tensor cores, else bf16. int8/int4 weights are taken as weight-only quantisation
 * (dequantised to bf16 for the matmul), so they use the bf16 peak.
 */
export function peakFlopsPerSec(gpu: GpuSpec, weightDtype: WeightDtype): number {
  if (weightDtype === 'fp8' && gpu.fp8FlopsPerSec !== undefined && gpu.fp8FlopsPerSec > 0) return gpu.fp8FlopsPerSec;
  return gpu.bf16FlopsPerSec;
}

/**
 * Default efficiencies for a GPU, each with the line of provenance the UI shows.
 * - compute: measured MAMF ÷ dense bf16 peak when the GPU has a MAMF figure (stas00
 *   ml-engineering, quoted in the reference's `prefill_time_roofline`: H100 SXM 794.5 / 989 ≈ 0.80,
 *   MI300X 668.4 / 1300 ≈ 0.51); otherwise 0.7, llm-analysis's "realistic" flops_efficiency (same
 *   note), which sits inside the MAMF ÷ peak range the reference publishes (0.51–0.87).
 *   The same ratio is applied to the fp8 peak, which is slightly optimistic for fp8 (H100 fp8 MAMF
 *   1402.6 / 1979 ≈ 0.71; GpuSpec carries no fp8 MAMF).
 * - memory: 0.9, llm-analysis's "realistic" hbm_memory_efficiency; zeux's Mistral 7B on an RTX 4090
 *   (`decode_time_roofline`) reaches 14.1 / 15.4 ms ≈ 0.92 of the bandwidth bound (llama.cpp 0.82).
 */
export function defaultEfficiencies(gpu: GpuSpec): { readonly computeEfficiency: EfficiencyAssumption; readonly memoryEfficiency: EfficiencyAssumption } {
  const peakEstimated = gpu.estimatedFields?.includes('bf16FlopsPerSec') ?? false;
  const estimatedNote = peakEstimated ? '; the peak itself is an estimate' : '';
  let computeEfficiency: EfficiencyAssumption;
  if (gpu.measuredBf16FlopsPerSec !== undefined && gpu.measuredBf16FlopsPerSec > 0 && gpu.bf16FlopsPerSec > 0) {
    const value = Math.min(1, gpu.measuredBf16FlopsPerSec / gpu.bf16FlopsPerSec);
    computeEfficiency = {
      value,
      source: `measured matmul ${trimNumber(gpu.measuredBf16FlopsPerSec / 1e12)} of ${trimNumber(gpu.bf16FlopsPerSec / 1e12)} TFLOPS peak (stas00 MAMF)${estimatedNote}`,
    };
  } else {
    computeEfficiency = {
      value: defaultComputeEfficiency,
      source: `default 70% of peak (llm-analysis "realistic" flops_efficiency; measured MAMF/peak on other GPUs is 51–87%)${estimatedNote}`,
    };
  }
  const memoryEfficiency: EfficiencyAssumption = {
    value: defaultMemoryEfficiency,
    source: 'default 90% of peak bandwidth (llm-analysis "realistic" hbm_memory_efficiency; zeux measured ≈92% on an RTX 4090)',
  };
  return { computeEfficiency, memoryEfficiency };
}

function trimNumber(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function validate(input: CostInput): void {
  const nonNegative = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number ≥ 0, got ${value}`);
  };
  const fraction = (name: string, value: number): void => {
    if (!Number.isFinite(value) || value <= 0 || value > 1) throw new RangeError(`${name} must be in (0, 1], got ${value}`);
  };
  nonNegative('promptTokens', input.promptTokens);
  nonNegative('reserveOutputTokens', input.reserveOutputTokens);
  if (!Number.isFinite(input.gpuCount) || input.gpuCount < 1) throw new RangeError(`gpuCount must be ≥ 1, got ${input.gpuCount}`);
  if (!Number.isFinite(input.batchSize) || input.batchSize < 1) throw new RangeError(`batchSize must be ≥ 1, got ${input.batchSize}`);
  fraction('memoryUtilization', input.memoryUtilization);
  fraction('computeEfficiency', input.computeEfficiency);
  fraction('memoryEfficiency', input.memoryEfficiency);
}
