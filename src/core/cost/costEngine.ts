/**
 * Memory, compute and time estimates for one prompt on one model and GPU set. Pure arithmetic; each
 * function names the formula it implements, and each formula follows these primary sources:
 * - `kv_bytes_per_token_gqa`: vllm-project/vllm@001cabc1be16a59a70d720ed61a13b678c060a18:vllm/v1/kv_cache_interface.py
 * - `kv_bytes_per_token_mla`: deepseek-ai/DeepSeek-V2@ec98ee3cbffc32104cd55dba8af884b3d772602a:deepseek-v2-tech-report.pdf
 *   (the latent c_KV plus the decoupled RoPE key), and the same vLLM file
 * - `kv_sliding_window_cap`: the same vLLM file (SlidingWindowSpec), https://github.com/tenstorrent/tt-xla/issues/5727
 * - `linear_flops`: hahnyuan/LLM-Viewer@472f71f1a1807e80b573252e9185fd5e8d795e95:model_analyzer.py,
 *   jax-ml/scaling-book@0819a7d8c55ddc113f5cba0285a5f97380cac1e3:transformers.md
 * - `attention_score_flops_prefill`: Dao-AILab/flash-attention@0469c72723278048f1b1bd29f6c6155b5ef98369:benchmarks/benchmark_flash_attention.py
 * - `prefill_time_roofline`: cli99/llm-analysis@d841e40aec8c84b9e76ba9cfbce67418adb172bd:llm_analysis/analysis.py
 * - `decode_time_roofline`: zeux/zeux.github.io@344010e746782b79b0fa7ad0760b6d297115fe30:_posts/2024-03-15-llm-inference-sol.md
 * - `memory_fit`: https://github.com/vllm-project/vllm/issues/10517 (weights + KV + runtime within utilization × memory)
 *
 * `estimateCost` routes on `CostInput.engine`: `ideal` (the default) is the reference formula below;
 * llama.cpp, Ollama, LM Studio, vLLM and SGLang follow their own allocation rules (`engineProfiles.ts`)
 * and list every convention they apply in the result's `engine.conventions`.
 *
 * Conventions of the ideal formula, each stated once:
 * - T = promptTokens + reserveOutputTokens is what the KV cache must hold (the last reserved output
 *   token sits at position T). Prefill FLOPs use promptTokens only: prefill processes the prompt,
 *   and reserved output costs decode steps, not prefill.
 * - Attention FLOPs count causal pairs (each token attends to itself and earlier tokens), i.e. a
 *   kernel that skips masked blocks (FlashAttention's `// (2 if causal else 1)`). LLM-Viewer,
 *   llm-analysis and EleutherAI count the full T² square, so their attention term is ≈ 2× ours.
 * - Tensor parallelism is ideal: memory, FLOP/s and bandwidth add up over `gpuCount`, with no
 *   communication cost and no KV-head replication (the vLLM and SGLang profiles replicate heads
 *   when gpuCount > numKvHeads, as those engines do).
 * - Activations, workspace and framework overhead are not counted; `memoryUtilization` is the
 *   headroom knob for them (vLLM's gpu_memory_utilization, reference `memory_fit`). The vLLM profile
 *   subtracts estimates of them.
 */
import type { LayerAttention, ModelSpec } from '../model/modelSpec';
import type { GpuSpec } from '../model/gpuSpec';
import type {
  CostBreakdown,
  CostInput,
  EngineConvention,
  EngineId,
  EngineReport,
  KvDtype,
  LlamaCppKvCache,
  MaxContext,
  PromptHandling,
  WeightDtype,
} from './costTypes';
import { bytesPerElement } from './dtypes';
import {
  engineNames,
  ggmlPad,
  kvHeadsPerGpu,
  llamaCppConventions,
  llamaCppKvCaches,
  llamaCppSource,
  ollamaDefaultNumCtx,
  ollamaGenerationBatch,
  ollamaPromptHandling,
  ollamaSource,
  vllmBlocksFor,
  vllmDefaultBatchedTokens,
  vllmKvGroups,
  vllmKvSource,
  vllmOverheadEstimate,
} from './engineProfiles';
import type { LlamaCppContextParams } from './engineProfiles';
import { sglangContextLength, sglangContextSource, vllmMaxModelLen, vllmModelConfigSource } from './engineWindows';
import { weightMemory } from './weightFormats';
import { windowsFor } from '../risk/riskEngine';
import { formatInteger } from '../units';

/**
 * Upper end of every largest-context search: 2^30 = 1,073,741,824 tokens, about 100× the longest
 * window any catalog model claims (Llama 4 Scout, 10M). Memory that still fits at this bound never
 * limits the context; the result then names the window instead ({@link MaxContext}), never this number.
 */
export const maxContextTokensCap = 2 ** 30;

/** Achieved ÷ peak FLOP/s used when the GPU has no measured MAMF: llm-analysis's "realistic" setting. */
export const defaultComputeEfficiency = 0.7;

/** Achieved ÷ peak bandwidth in decode: llm-analysis's "realistic" hbm_memory_efficiency. */
export const defaultMemoryEfficiency = 0.9;

/** {@link estimateCost}'s result: the contract's {@link CostBreakdown} plus the engine's account and the structured largest context. */
export interface CostEstimate extends CostBreakdown {
  /**
   * The largest context that fits, and what limits it. (It replaces the old `kvBounded` flag: a KV
   * cache that stops growing shows as `limitedBy: 'window'` with `memoryLimitTokens: null`.)
   */
  readonly maxContext: MaxContext;
  /** The engine, every convention it applied, and what it does with this prompt. */
  readonly engine: EngineReport;
  /** What the weight bytes are (e.g. `MXFP4 experts + bf16 (native)`, `GGUF Q4_K_M`). */
  readonly weightsLabel: string;
}

/** An assumed efficiency and the one line the UI shows to say where it came from. */
export interface EfficiencyAssumption {
  readonly value: number;
  readonly source: string;
}

/** The memory side of an estimate, as each engine computes it. */
interface MemoryPlan {
  readonly kvCacheBytes: number;
  /** Bytes the fit check adds to weights + KV (vLLM activation and non-torch estimates). */
  readonly overheadBytes: number;
  readonly usableMemoryBytes: number;
  /** Whether this prompt fits (memory and the engine's acceptance). */
  readonly fits: boolean;
  /** Largest T memory allows (independent of the window), null when memory never limits, 0 when nothing fits. */
  readonly memoryLimitTokens: number | null;
  readonly report: EngineReport;
}

/**
 * Estimates memory (weights + KV), whether it fits, the longest context that fits, prefill FLOPs
 * and time, and the per-token decode time, under the chosen engine's allocation rules.
 *
 * @throws RangeError for negative or non-finite token counts, gpuCount/batchSize below 1, or
 *   fractions outside (0, 1]; a silent NaN would otherwise reach the status bar.
 */
export function estimateCost(input: CostInput): CostEstimate {
  return estimateWith(input, largestFitting);
}

/**
 * Memory at one context length under the engine's rules, without the largest-context search: the KV
 * cache and everything that does not grow with T (weights, and the runtime estimates an engine
 * subtracts). For curves: 81 points cost 81 plans instead of 81 × 31.
 */
export function memoryAt(input: CostInput): { readonly kvCacheBytes: number; readonly fixedBytes: number } {
  const estimate = estimateWith(input, () => null);
  return { kvCacheBytes: estimate.kvCacheBytes, fixedBytes: estimate.totalBytes - estimate.kvCacheBytes };
}

/** The largest-context search each plan runs ({@link largestFitting}, or a stub returning null when the caller needs no maxContext). */
type FitSearch = (fits: (tokens: number) => boolean) => number | null;

function estimateWith(input: CostInput, search: FitSearch): CostEstimate {
  validate(input);
  const { model, gpu, gpuCount, promptTokens, reserveOutputTokens, weightDtype, kvDtype } = input;
  const tokens = promptTokens + reserveOutputTokens;
  const engineId: EngineId = input.engine?.engine ?? 'ideal';
  const weights = weightMemory(model, weightDtype, engineId === 'ideal');
  const weightsBytes = weights.bytes;

  let plan: MemoryPlan;
  switch (engineId) {
    case 'ideal':
      plan = idealPlan(input, tokens, weightsBytes, search);
      break;
    case 'llama.cpp':
    case 'ollama':
    case 'lmstudio':
      plan = llamaCppPlan(input, engineId, tokens, weightsBytes, search);
      break;
    case 'vllm':
      plan = vllmPlan(input, tokens, weightsBytes, search);
      break;
    case 'sglang':
      plan = sglangPlan(input, tokens, weightsBytes, search);
      break;
  }
  const report: EngineReport = {
    ...plan.report,
    conventions: [
      ...plan.report.conventions,
      { text: `weights: ${weights.label}: ${weights.note}`, source: weightsSource(model, weightDtype, engineId) },
    ],
  };

  const totalBytes = weightsBytes + plan.overheadBytes + plan.kvCacheBytes;
  const maxContext = maxContextOf(plan.memoryLimitTokens, report.maxWindowTokens);
  const flops = prefillFlops(model, promptTokens);
  const stored = model.storedWeights;
  // Stored (quantized) weights are dequantised for the matmul, like int8/int4: the bf16 peak.
  const peakDtype: WeightDtype = stored || weightDtype === 'native' ? (weights.label.startsWith('FP8') ? 'fp8' : 'bf16') : weightDtype;
  const prefillSeconds = flops.total / (gpuCount * peakFlopsPerSec(gpu, peakDtype) * input.computeEfficiency);
  // decode_time_roofline: one step reads the active weights once (MoE at batch 1: only the routed
  // experts; at large batch nearly every expert is touched, so this is optimistic there) and the
  // whole batch's KV cache. Evaluated at T, i.e. the last and slowest reserved output token.
  const decodeBytes = weights.activeBytes + plan.kvCacheBytes;
  const decodeSecondsPerToken = decodeBytes / (gpuCount * gpu.bandwidthBytesPerSec * input.memoryEfficiency);

  return {
    tokens,
    kvCacheBytes: plan.kvCacheBytes,
    kvBytesPerToken: kvBytesPerToken(model, kvDtype),
    weightsBytes,
    totalBytes,
    usableMemoryBytes: plan.usableMemoryBytes,
    fits: plan.fits,
    maxContextTokens: maxContext.limitedBy === 'weights' ? 0 : (plan.memoryLimitTokens ?? maxContext.windowTokens),
    maxContext,
    prefillFlops: flops,
    attentionShare: flops.total > 0 ? flops.attention / flops.total : 0,
    prefillSeconds,
    decodeSecondsPerToken,
    engine: report,
    weightsLabel: weights.label,
  };
}

/** Structured largest context: never a sentinel. */
export function maxContextOf(memoryLimitTokens: number | null, windowTokens: number): MaxContext {
  if (memoryLimitTokens === 0) return { limitedBy: 'weights', tokens: 0, memoryLimitTokens: 0, windowTokens };
  if (memoryLimitTokens !== null && memoryLimitTokens < windowTokens) {
    return { limitedBy: 'memory', tokens: memoryLimitTokens, memoryLimitTokens, windowTokens };
  }
  return { limitedBy: 'window', tokens: windowTokens, memoryLimitTokens, windowTokens };
}

function weightsSource(model: ModelSpec, dtype: WeightDtype, engine: EngineId): string {
  if (model.storedWeights) return model.sources[0] ?? 'the model file';
  if (dtype === 'native') return model.nativeWeights ? model.sources.join('; ') : 'the checkpoint dtype (16-bit)';
  if (engine === 'ideal') return 'reference memory_fit (params × bytes per element)';
  return 'src/core/cost/weightFormats.ts (AutoGPTQ QuantLinear, bitsandbytes quantize_4bit)';
}

/**
 * Largest integer T in [0, {@link maxContextTokensCap}] with `fits(T)`, for a non-decreasing memory
 * need; null when it still fits at the cap (memory never limits), 0 when even T = 0 does not fit.
 */
export function largestFitting(fits: (tokens: number) => boolean): number | null {
  if (!fits(0)) return 0;
  if (fits(maxContextTokensCap)) return null;
  let low = 0; // fits
  let high = maxContextTokensCap; // does not fit
  while (high - low > 1) {
    const mid = low + Math.floor((high - low) / 2);
    if (fits(mid)) low = mid;
    else high = mid;
  }
  return low;
}

/** The reference formula: per-token KV over layers with window caps, × batch; usable = GPUs × memory × utilization. */
function idealPlan(input: CostInput, tokens: number, weightsBytes: number, search: FitSearch): MemoryPlan {
  const { model, gpu, gpuCount, batchSize } = input;
  const kDtype = input.engine?.kDtype ?? input.kvDtype;
  const vDtype = input.engine?.vDtype ?? input.kvDtype;
  const kv = (t: number): number => kvCacheBytesKv(model, t, kDtype, vDtype, batchSize);
  const usableMemoryBytes = gpuCount * gpu.memoryBytes * input.memoryUtilization;
  const kvCacheBytes = kv(tokens);
  const memoryLimitTokens = search((t) => weightsBytes + kv(t) <= usableMemoryBytes);
  const windows = windowsFor(model);
  return {
    kvCacheBytes,
    overheadBytes: 0,
    usableMemoryBytes,
    fits: weightsBytes + kvCacheBytes <= usableMemoryBytes,
    memoryLimitTokens,
    report: {
      id: 'ideal',
      name: engineNames.ideal,
      conventions: [
        {
          text: 'KV = Σ layers × min(T, window) × per-token bytes × batch; no padding, blocks or runtime buffers',
          source: 'reference formulas kv_bytes_per_token_gqa / kv_bytes_per_token_mla / kv_sliding_window_cap',
        },
        {
          text: `usable memory = ${gpuCount} × device memory × utilization ${input.memoryUtilization}`,
          source: 'reference formula memory_fit',
        },
      ],
      problems: [],
      maxWindowTokens: windows.max,
      promptHandling:
        tokens > windows.max
          ? {
              kind: 'rejected',
              limit: windows.max,
              maxPromptTokens: Math.max(0, windows.max - input.reserveOutputTokens),
              reason: `past the maximum window ${formatInteger(windows.max)}`,
            }
          : { kind: 'accepted' },
    },
  };
}

/** KV bytes with K and V typed separately (MLA: the latent is K). */
function kvCacheBytesKv(model: ModelSpec, tokens: number, kDtype: KvDtype, vDtype: KvDtype, batchSize: number): number {
  const perLayerToken = model.mla
    ? (model.mla.kvLoraRank + model.mla.qkRopeHeadDim) * bytesPerElement(kDtype)
    : model.numKvHeads * model.headDim * (bytesPerElement(kDtype) + bytesPerElement(vDtype));
  let heldLayerTokens = 0;
  for (const group of model.layers) heldLayerTokens += group.count * tokensHeld(group.attention, tokens);
  return heldLayerTokens * perLayerToken * batchSize;
}

/** llama.cpp, Ollama and LM Studio: caches allocated for n_ctx up front, per the llama.cpp code. */
function llamaCppPlan(
  input: CostInput,
  engine: 'llama.cpp' | 'ollama' | 'lmstudio',
  tokens: number,
  weightsBytes: number,
  search: FitSearch,
): MemoryPlan {
  const { model, gpu, gpuCount, batchSize, promptTokens } = input;
  const opts = input.engine;
  const problems: string[] = [];
  const conventions: EngineConvention[] = [];
  const usableMemoryBytes = gpuCount * gpu.memoryBytes * input.memoryUtilization;
  const nCtxTrain = model.maxPositionEmbeddings;

  const kDtype = opts?.kDtype ?? input.kvDtype;
  let vDtype = opts?.vDtype ?? input.kvDtype;
  if (engine === 'ollama' && kDtype !== vDtype) {
    problems.push(`Ollama sets one type for K and V (OLLAMA_KV_CACHE_TYPE); --v-dtype ${vDtype} ignored, both are ${kDtype}.`);
    vDtype = kDtype;
  }
  for (const [flag, dtype] of [
    ['K', kDtype],
    ['V', vDtype],
  ] as const) {
    const mapped = llamaCppCacheTypeProblem(dtype);
    if (mapped) problems.push(`${flag} cache: ${mapped}`);
  }

  const mlaChoice = opts?.mla ?? 'auto';
  const mla = model.mla !== undefined && (mlaChoice === 'on' || (mlaChoice === 'auto' && (model.mla.latentCacheInFile ?? true)));
  if (mla && kDtype !== vDtype) {
    problems.push(
      `llama.cpp refuses different K (${kDtype}) and V (${vDtype}) cache types for MLA models ("model does not support different K and V cache types"); counted with V = ${kDtype}.`,
    );
    vDtype = kDtype;
  }
  const swaFull = opts?.swaFull ?? engine === 'lmstudio';
  const kvUnified = false;
  const parallel = batchSize;

  let perSeq: number;
  let ubatch = opts?.ubatch ?? 512;
  if (engine === 'ollama') {
    const requested = opts?.numCtx ?? ollamaDefaultNumCtx(gpuCount * gpu.memoryBytes);
    perSeq = Math.min(requested, nCtxTrain);
    conventions.push({
      text:
        opts?.numCtx !== undefined
          ? `num_ctx ${formatInteger(opts.numCtx)} (${opts.knobsFrom ?? 'your setting'})${perSeq < requested ? `, capped at the model's training context ${formatInteger(nCtxTrain)}` : ''}`
          : `default num_ctx ${formatInteger(requested)} for ${((gpuCount * gpu.memoryBytes) / 2 ** 30).toFixed(1)} GiB of VRAM (≥ 47 GiB: 262,144; ≥ 23 GiB: 32,768; else 4,096; v0.6.7–v0.15.4: 4,096; ≤ v0.6.6: 2,048)${perSeq < requested ? `, capped at the training context ${formatInteger(nCtxTrain)}` : ''}`,
      source: `${ollamaSource}:server/routes.go (vram-based default context), envconfig/config.go, server/sched.go effectiveModelContext`,
    });
    conventions.push({
      text: `llama-server started with -c num_ctx × OLLAMA_NUM_PARALLEL (${parallel}) and -np ${parallel}; one cache type for K and V (OLLAMA_KV_CACHE_TYPE, default f16); no --swa-full`,
      source: `${ollamaSource}:llm/llama_server.go`,
    });
    if (opts?.ubatch === undefined) {
      const probe = sumKv(
        safeCaches(
          model,
          { nCtx: perSeq * parallel, nSeqMax: parallel, nUbatch: 512, kvUnified, swaFull, typeK: kDtype, typeV: vDtype, mla },
          problems,
        ),
      );
      ubatch = ollamaGenerationBatch(perSeq * parallel, weightsBytes + probe, gpuCount * gpu.memoryBytes);
      conventions.push({
        text: `automatic batch -b/-ub ${ubatch} for a ${formatInteger(perSeq * parallel)}-cell context (2,048 above 32,768, 1,024 above 4,096, when VRAM has headroom)`,
        source: `${ollamaSource}:server/sched.go automaticGenerationBatch`,
      });
    }
  } else {
    perSeq = opts?.numCtx ?? tokens;
    conventions.push({
      text:
        opts?.numCtx !== undefined
          ? `context ${formatInteger(opts.numCtx)} per sequence (${opts.knobsFrom ?? 'your setting'}), -np ${parallel}`
          : `n_ctx = prompt + reserved output = ${formatInteger(tokens)} per sequence, -np ${parallel} (llama-server's own default -c 0 allocates n_ctx_train = ${formatInteger(nCtxTrain)}; set --num-ctx to model a fixed context)`,
      source: `${llamaCppSource}:common/common.h n_ctx, tools/server/server.cpp`,
    });
  }
  const params = (cells: number): LlamaCppContextParams => ({
    nCtx: Math.max(1, cells) * parallel,
    nSeqMax: parallel,
    nUbatch: ubatch,
    kvUnified,
    swaFull,
    typeK: kDtype,
    typeV: vDtype,
    mla,
  });
  const caches = safeCaches(model, params(perSeq), problems);
  const kvCacheBytes = sumKv(caches);
  const nCtxSeq = caches[0]?.cells ?? ggmlPad(perSeq, 256);
  conventions.push(
    ...llamaCppConventions(
      model,
      params(perSeq),
      engine === 'lmstudio' ? 'LM Studio: on, llama_context_default_params() swa_full = true' : 'off by default',
    ),
  );
  if (engine === 'lmstudio') {
    conventions.push({
      text: 'LM Studio embeds llama.cpp as a library, whose llama_context_default_params() sets swa_full = true: sliding-window layers get full-length caches (LM Studio is closed source; this follows the library default)',
      source: `${llamaCppSource}:src/llama-context.cpp llama_context_default_params`,
    });
  }
  // With no fixed context the cache follows T; with one, memory is what that context allocates.
  const memoryLimitTokens = search((t) => weightsBytes + sumKv(safeCaches(model, params(t), [])) <= usableMemoryBytes);

  let promptHandling: PromptHandling;
  let maxWindowTokens: number;
  if (engine === 'ollama') {
    maxWindowTokens = perSeq;
    promptHandling = ollamaPromptHandling(model, promptTokens, perSeq);
    if (promptHandling.kind !== 'accepted') {
      conventions.push({
        text: 'a prompt over num_ctx − 1 tokens is cut silently: num_keep (4, +1 BOS) tokens stay, then the front of the rest is dropped until half the context is free',
        source: `${ollamaSource}:llm/llama_server.go completionPromptForRequest, contextShiftPromptLimit`,
      });
    }
  } else {
    maxWindowTokens = nCtxTrain;
    // server-context.cpp: `if (slot.task->n_tokens() >= slot.n_ctx) send_error(... "exceeds the available context size")`:
    // a prompt of exactly n_ctx tokens is refused (checked against the real llama-server, test/unit/server/llamaServerReal.test.ts).
    promptHandling =
      opts?.numCtx !== undefined && promptTokens >= nCtxSeq
        ? {
            kind: 'rejected',
            limit: nCtxSeq,
            maxPromptTokens: nCtxSeq - 1,
            reason: `llama-server rejects a prompt of ${formatInteger(promptTokens)} tokens: "request (${formatInteger(promptTokens)} tokens) exceeds the available context size (${formatInteger(nCtxSeq)} tokens)"; it takes at most n_ctx_seq − 1 = ${formatInteger(nCtxSeq - 1)}`,
          }
        : { kind: 'accepted' };
  }
  return {
    kvCacheBytes,
    overheadBytes: 0,
    usableMemoryBytes,
    fits: weightsBytes + kvCacheBytes <= usableMemoryBytes && promptHandling.kind !== 'rejected',
    memoryLimitTokens,
    report: {
      id: engine,
      name: engineNames[engine],
      conventions,
      problems,
      maxWindowTokens,
      promptHandling,
      llamaCppCaches: caches,
      contextPerSequence: nCtxSeq,
    },
  };
}

function llamaCppCacheTypeProblem(dtype: KvDtype): string | undefined {
  if (dtype === 'int8') return 'KV dtype int8 is not a llama.cpp cache type; counted as q8_0 (34 B per 32 values).';
  if (dtype === 'int4') return 'KV dtype int4 is not a llama.cpp cache type; counted as q4_0 (18 B per 32 values).';
  if (dtype === 'fp8') {
    return 'KV dtype fp8 is not a llama.cpp cache type (f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl); counted as q8_0.';
  }
  return undefined;
}

/** llamaCppKvCaches, falling back to f16 with a message when a quantized type does not fit the row width. */
function safeCaches(model: ModelSpec, params: LlamaCppContextParams, problems: string[]): LlamaCppKvCache[] {
  try {
    return llamaCppKvCaches(model, params);
  } catch (error) {
    problems.push(`KV cache: ${(error as Error).message}; counted as f16.`);
    return llamaCppKvCaches(model, { ...params, typeK: 'f16', typeV: 'f16' });
  }
}

function sumKv(caches: readonly LlamaCppKvCache[]): number {
  return caches.reduce((sum, cache) => sum + cache.kBytes + cache.vBytes, 0);
}

/** vLLM and SGLang KV element bytes: auto (16-bit), fp8 or fp32; anything else falls back to 16-bit with a message. */
function pagedKvBytes(engine: 'vLLM' | 'SGLang', input: CostInput, problems: string[]): number {
  const k = input.engine?.kDtype ?? input.kvDtype;
  const v = input.engine?.vDtype ?? input.kvDtype;
  if (k !== v) problems.push(`${engine} has one kv_cache_dtype for K and V; the V type ${v} is ignored.`);
  if (k === 'bf16' || k === 'fp16' || k === 'f16') return 2;
  if (k === 'fp8') return 1;
  if (k === 'fp32' || k === 'f32') return 4;
  problems.push(`${engine} has no ${k} KV cache (kv_cache_dtype auto or fp8); counted as the 16-bit auto type.`);
  return 2;
}

/** vLLM V1: paged blocks of 16 tokens in a pool of what memory leaves after weights, activations and non-torch memory. */
function vllmPlan(input: CostInput, tokens: number, weightsBytes: number, search: FitSearch): MemoryPlan {
  const { model, gpu, gpuCount: tp, batchSize } = input;
  const problems: string[] = [];
  const derived = vllmMaxModelLen(model);
  let maxModelLen = derived.tokens;
  const requested = input.engine?.maxModelLen;
  if (requested !== undefined) {
    if (requested > derived.tokens) {
      problems.push(
        `--max-model-len ${formatInteger(requested)} is greater than the derived ${formatInteger(derived.tokens)} (${derived.how}); vLLM refuses it unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1. Using ${formatInteger(derived.tokens)}.`,
      );
    } else maxModelLen = requested;
  }
  const elementBytes = pagedKvBytes('vLLM', input, problems);
  const blockSize = 16;
  const headsPerGpu = model.mla ? 1 : kvHeadsPerGpu(model.numKvHeads, tp);
  // MLAAttentionSpec: one latent row per token per layer, replicated on every rank.
  const pageBytes = model.mla
    ? blockSize * (model.mla.kvLoraRank + model.mla.qkRopeHeadDim) * elementBytes
    : 2 * blockSize * headsPerGpu * model.headDim * elementBytes;
  const { groups, groupSize } = vllmKvGroups(model);
  const perGpuTotal = gpu.cudaTotalBytes ?? gpu.memoryBytes;
  const usablePerGpu = perGpuTotal * input.memoryUtilization;
  const batched = input.engine?.ubatch ?? vllmDefaultBatchedTokens(perGpuTotal, gpu.name);
  const overhead = vllmOverheadEstimate(model, batched, tp);
  const weightsPerGpu = weightsBytes / tp;
  const poolPerGpu = Math.max(0, usablePerGpu - weightsPerGpu - overhead.activationBytes - overhead.nonTorchBytes);
  const numBlocks = Math.floor(poolPerGpu / pageBytes / Math.max(1, groupSize));
  const blocksFor = (t: number): number => groups.reduce((sum, group) => sum + vllmBlocksFor(group, t, blockSize, batched), 0);
  // Block 0 is the pool's null block.
  const freeBlocks = Math.max(0, numBlocks - 1);
  const kvCacheBytes = batchSize * blocksFor(tokens) * pageBytes * groupSize * tp;
  const fitsAt = (t: number): boolean => batchSize * blocksFor(t) <= freeBlocks;
  const memoryLimitTokens = poolPerGpu <= 0 ? 0 : search(fitsAt);
  if (blocksFor(maxModelLen) > freeBlocks) {
    const fitting = memoryLimitTokens ?? maxModelLen;
    problems.push(
      `vLLM would not start with max_model_len ${formatInteger(maxModelLen)}: one request needs ${formatInteger(blocksFor(maxModelLen))} blocks but the pool has ${formatInteger(numBlocks)}; the largest that fits is about ${formatInteger(fitting)} (--max-model-len).`,
    );
  }
  const promptHandling: PromptHandling =
    tokens > maxModelLen
      ? {
          kind: 'rejected',
          limit: maxModelLen,
          maxPromptTokens: Math.max(0, maxModelLen - input.reserveOutputTokens),
          reason: `vLLM rejects prompt + max_tokens = ${formatInteger(tokens)} > max_model_len ${formatInteger(maxModelLen)}`,
        }
      : { kind: 'accepted' };
  const windowed = groups.some((g) => g.kind !== 'full');
  const conventions: EngineConvention[] = [
    {
      text: `max_model_len ${formatInteger(maxModelLen)}${requested !== undefined && requested <= derived.tokens ? ` (${input.engine?.knobsFrom ?? 'your setting'})` : `: ${derived.how}`}`,
      source: vllmModelConfigSource,
    },
    {
      text: `paged KV in blocks of ${blockSize} tokens; page = ${model.mla ? `${blockSize} × ${model.mla.kvLoraRank + model.mla.qkRopeHeadDim} latent` : `2 × ${blockSize} × ${headsPerGpu} KV heads per GPU × ${model.headDim}`} × ${elementBytes} B`,
      source: vllmKvSource,
    },
    {
      text: `pool per GPU = ${(perGpuTotal / 2 ** 30).toFixed(2)} GiB × gpu_memory_utilization ${input.memoryUtilization} − weights ÷ TP − activation peak − non-torch memory; blocks = pool ÷ page ÷ ${groupSize} layers per group`,
      source:
        'vllm-project/vllm@001cabc1be16a59a70d720ed61a13b678c060a18:vllm/v1/core/kv_cache_utils.py get_num_blocks; vllm/v1/worker/gpu_worker.py determine_available_memory',
    },
    {
      text: `activation peak ${(overhead.activationBytes / 2 ** 30).toFixed(2)} GiB (estimate: ${formatInteger(batched)} batched tokens × 4 × (hidden + 3.5 × hidden) × 2 B + 256 × vocab × 4 B logits; Llama-3-8B gives 1.25 vs vLLM's logged 1.26 GiB) and non-torch ${(overhead.nonTorchBytes / 2 ** 30).toFixed(2)} GiB (estimate: H100 log 1.79 GiB per TP-1 worker)`,
      source:
        'vllm-project/vllm PR #10511 memory profiling log; vllm-project/vllm@99d7eb5d6a512cfcc5a2b104f24ebf2d6cda772b:vllm/engine/arg_utils.py get_batch_defaults',
    },
    {
      text: `tensor parallel ${tp}: ${model.mla ? 'the MLA latent is replicated on every GPU' : `KV heads per GPU = max(1, ${model.numKvHeads} ÷ ${tp}) = ${headsPerGpu}${tp > model.numKvHeads ? ' (heads replicated)' : ''}`}`,
      source: 'vllm-project/vllm@18ec6629253632af0a384f2ffbb8c6b28af322e7:vllm/config/model.py get_num_kv_heads',
    },
  ];
  if (windowed) {
    conventions.push({
      text: `hybrid KV-cache manager: ${groups.length} groups of ${groupSize} layers; sliding groups hold cdiv(min(window − 1 + ${formatInteger(batched)}, T), 16) + 1 blocks, full groups cdiv(T, 16)`,
      source: vllmKvSource,
    });
  }
  if (gpu.cudaTotalBytes !== undefined) {
    conventions.push({
      text: `device total as CUDA reports it to vLLM: ${(gpu.cudaTotalBytes / 2 ** 30).toFixed(2)} GiB`,
      source: gpu.sources.find((s) => s.includes('10511')) ?? 'vllm-project/vllm PR #10511 log',
    });
  }
  return {
    kvCacheBytes,
    overheadBytes: tp * (overhead.activationBytes + overhead.nonTorchBytes),
    usableMemoryBytes: tp * usablePerGpu,
    fits: fitsAt(tokens) && poolPerGpu > 0 && promptHandling.kind === 'accepted',
    memoryLimitTokens,
    report: {
      id: 'vllm',
      name: engineNames.vllm,
      conventions,
      problems,
      maxWindowTokens: maxModelLen,
      promptHandling,
      pool: {
        totalPerGpuBytes: perGpuTotal,
        usablePerGpuBytes: usablePerGpu,
        weightsPerGpuBytes: weightsPerGpu,
        activationPeakBytes: overhead.activationBytes,
        nonTorchBytes: overhead.nonTorchBytes,
        kvPoolPerGpuBytes: poolPerGpu,
        blocks: numBlocks,
        blockSize,
        kvHeadsPerGpu: headsPerGpu,
      },
    },
  };
}

/** SGLang: a token pool (page size 1) of mem_fraction_static × memory − weights. */
function sglangPlan(input: CostInput, tokens: number, weightsBytes: number, search: FitSearch): MemoryPlan {
  const { model, gpu, gpuCount: tp, batchSize } = input;
  const problems: string[] = [];
  const derived = sglangContextLength(model);
  const contextLength = input.engine?.maxModelLen ?? derived.tokens;
  if (input.engine?.maxModelLen !== undefined && input.engine.maxModelLen > derived.tokens) {
    problems.push(
      `--context-length ${formatInteger(input.engine.maxModelLen)} is longer than the model's ${formatInteger(derived.tokens)}; SGLang needs SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1 for that.`,
    );
  }
  const elementBytes = pagedKvBytes('SGLang', input, problems);
  const headsPerGpu = model.mla ? 1 : kvHeadsPerGpu(model.numKvHeads, tp);
  const cellBytes =
    model.numLayers *
    (model.mla ? (model.mla.kvLoraRank + model.mla.qkRopeHeadDim) * elementBytes : 2 * headsPerGpu * model.headDim * elementBytes);
  const usablePerGpu = gpu.memoryBytes * input.memoryUtilization;
  const poolPerGpu = Math.max(0, usablePerGpu - weightsBytes / tp);
  const poolTokens = Math.floor(poolPerGpu / cellBytes);
  const fitsAt = (t: number): boolean => batchSize * t <= poolTokens;
  const memoryLimitTokens = poolTokens === 0 ? 0 : search(fitsAt);
  const promptHandling: PromptHandling =
    tokens > contextLength
      ? {
          kind: 'rejected',
          limit: contextLength,
          maxPromptTokens: Math.max(0, contextLength - input.reserveOutputTokens),
          reason: `SGLang rejects input + max_new_tokens = ${formatInteger(tokens)} > context_length ${formatInteger(contextLength)}`,
        }
      : { kind: 'accepted' };
  return {
    kvCacheBytes: batchSize * tokens * cellBytes * tp,
    overheadBytes: 0,
    usableMemoryBytes: tp * usablePerGpu,
    fits: fitsAt(tokens) && promptHandling.kind === 'accepted',
    memoryLimitTokens,
    report: {
      id: 'sglang',
      name: engineNames.sglang,
      conventions: [
        {
          text: `context_length ${formatInteger(contextLength)}: ${input.engine?.maxModelLen !== undefined ? (input.engine.knobsFrom ?? 'your setting') : derived.how}`,
          source: sglangContextSource,
        },
        {
          text: `token pool (page size 1) = device memory × mem_fraction_static ${input.memoryUtilization} − weights ÷ TP, ÷ ${cellBytes.toLocaleString('en-US')} B per token per GPU; activations live outside mem_fraction_static (estimate)`,
          source: 'https://docs.sglang.ai/advanced_features/server_arguments.html (mem_fraction_static)',
        },
        {
          text: "every layer holds the full context: SGLang's separate sliding-window pool (swa_full_tokens_ratio) is not modelled, so windowed models are over-counted",
          source: 'not modelled',
        },
        {
          text: `tensor parallel ${tp}: KV heads per GPU = ${headsPerGpu}${model.mla ? ' (MLA latent replicated)' : ''}`,
          source: 'max(1, kv_heads ÷ tp), as vLLM',
        },
      ],
      problems,
      maxWindowTokens: contextLength,
      promptHandling,
      pool: {
        totalPerGpuBytes: gpu.memoryBytes,
        usablePerGpuBytes: usablePerGpu,
        weightsPerGpuBytes: weightsBytes / tp,
        activationPeakBytes: 0,
        nonTorchBytes: 0,
        kvPoolPerGpuBytes: poolPerGpu,
        blocks: poolTokens,
        blockSize: 1,
        kvHeadsPerGpu: headsPerGpu,
      },
    },
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
 * Largest integer T in [0, {@link maxContextTokensCap}] with weights + KV(T) ≤ usable under the ideal
 * formula; 0 when the weights alone (or weights plus one token) do not fit; null when memory never
 * limits (every layer windowed, or vast GPUs). KV(T) is piecewise linear and non-decreasing
 * (window caps only flatten it), so a binary search over integers evaluating the same
 * {@link kvCacheBytes} that `fits` uses is exact and agrees with `fits` at every T.
 */
export function maxContextTokensFor(
  model: ModelSpec,
  kvDtype: KvDtype,
  batchSize: number,
  weightsBytes: number,
  usableMemoryBytes: number,
): number | null {
  return largestFitting((tokens) => weightsBytes + kvCacheBytes(model, tokens, kvDtype, batchSize) <= usableMemoryBytes);
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
export function prefillFlops(
  model: ModelSpec,
  promptTokens: number,
): { readonly linear: number; readonly attention: number; readonly total: number } {
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
export function defaultEfficiencies(gpu: GpuSpec): {
  readonly computeEfficiency: EfficiencyAssumption;
  readonly memoryEfficiency: EfficiencyAssumption;
} {
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
