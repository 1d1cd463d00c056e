/**
 * Engine profiles: how llama.cpp (and Ollama and LM Studio, built on it), vLLM and SGLang allocate the
 * KV cache and which context they accept, as pure functions over a {@link ModelSpec}. `ideal` is not
 * here: it is the reference formula in `costEngine.ts`.
 *
 * Pinned versions, read from their code:
 * - llama.cpp v0.4.0 as node-llama-cpp@3.21.1 ships it (llama/gitRelease.bundle, commit 80fb11ac),
 *   cited as {@link llamaCppSource}.
 * - Ollama v0.32.15 (b7871fc0d1d82fe109536efa3e0e8e411c766c75), which runs the upstream llama-server.
 * - vLLM and SGLang at the commits named next to each rule.
 */
import type { ModelSpec } from '../model/modelSpec';
import type { EngineConvention, EngineId, KvDtype, LlamaCppKvCache, PromptHandling } from './costTypes';
import { llamaCppKvTypes } from './dtypes';
import type { BlockLayout } from './dtypes';
import { formatInteger } from '../units';

/** The llama.cpp source every llama.cpp rule cites. */
export const llamaCppSource = 'ggml-org/llama.cpp@v0.4.0 (node-llama-cpp@3.21.1 llama/gitRelease.bundle, 80fb11ac)';
/** The Ollama source every Ollama rule cites. */
export const ollamaSource = 'ollama/ollama@v0.32.15 (b7871fc0d1d82fe109536efa3e0e8e411c766c75)';
/** vLLM's V1 KV-cache specs and grouping. */
export const vllmKvSource =
  'vllm-project/vllm@001cabc1be16a59a70d720ed61a13b678c060a18:vllm/v1/kv_cache_interface.py, vllm/v1/core/kv_cache_utils.py';

/** Display names with the pinned version. */
export const engineNames: Readonly<Record<EngineId, string>> = {
  ideal: 'ideal (reference formula, no engine overheads)',
  'llama.cpp': 'llama.cpp v0.4.0 (llama-server defaults)',
  ollama: 'Ollama v0.32.15 (llama-server runner)',
  lmstudio: 'LM Studio (llama.cpp engine, library defaults)',
  vllm: 'vLLM V1',
  sglang: 'SGLang',
};

/** GGML_PAD(x, n): x rounded up to a multiple of n. */
export function ggmlPad(value: number, multiple: number): number {
  return Math.ceil(value / multiple) * multiple;
}

/**
 * Architectures whose sliding window llama.cpp applies (the `src/models/*.cpp` that read
 * `{arch}.attention.sliding_window` into an iswa cache). Every other architecture runs all layers with
 * full attention, whatever the config says: Mistral 7B v0.1 is converted to the `llama` architecture,
 * which never reads the key, and `phi3` reads it but sets swa_type NONE ("TODO: fix conversion
 * scripts"), so both get full-length caches (llamaCppSource: src/models/llama.cpp, src/models/phi3.cpp).
 */
export const llamaCppSwaArchitectures: ReadonlySet<string> = new Set([
  'afmoe',
  'cohere2',
  'cohere2moe',
  'exaone-moe',
  'exaone4',
  'gemma-embedding',
  'gemma2',
  'gemma3',
  'gemma3n',
  'gemma4',
  'granite-swa',
  'laguna',
  'lfm2',
  'llama4',
  'mellum',
  'mimo2',
  'olmo2',
  'gpt-oss',
  'plamo3',
  'smallthinker',
  'step35',
]);

/**
 * Hugging Face `model_type` → the llama.cpp architecture `convert_hf_to_gguf.py` writes
 * (llamaCppSource: conversion/__init__.py, conversion/llama.py `@ModelBase.register`: MistralForCausalLM and
 * MixtralForCausalLM are registered on LlamaModel; Phi3ForCausalLM → phi3; DeepseekV3 → deepseek2).
 */
const hfTypeToLlamaArch: Readonly<Record<string, string>> = {
  llama: 'llama',
  mistral: 'llama',
  mixtral: 'llama',
  qwen2: 'qwen2',
  qwen2_moe: 'qwen2moe',
  qwen3: 'qwen3',
  qwen3_moe: 'qwen3moe',
  gemma: 'gemma',
  gemma2: 'gemma2',
  gemma3: 'gemma3',
  gemma3_text: 'gemma3',
  phi3: 'phi3',
  deepseek_v2: 'deepseek2',
  deepseek_v3: 'deepseek2',
  gpt_oss: 'gpt-oss',
  cohere: 'command-r',
  cohere2: 'cohere2',
  llama4: 'llama4',
  llama4_text: 'llama4',
};

/** The llama.cpp architecture a model runs as, or undefined when unknown. */
export function llamaCppArchitectureOf(model: ModelSpec): string | undefined {
  if (model.architecture) return model.architecture;
  return model.hfModelType ? hfTypeToLlamaArch[model.hfModelType] : undefined;
}

/** Inputs of one llama.cpp context, named as llama.cpp names them. */
export interface LlamaCppContextParams {
  /** `-c`: total context requested (before padding), all sequences together. */
  readonly nCtx: number;
  /** `-np` / n_seq_max. */
  readonly nSeqMax: number;
  /** `-ub` / n_ubatch. */
  readonly nUbatch: number;
  /** `--kv-unified`: one stream shared by every sequence. */
  readonly kvUnified: boolean;
  /** `--swa-full`. */
  readonly swaFull: boolean;
  readonly typeK: KvDtype;
  readonly typeV: KvDtype;
  /** MLA latent cache (DeepSeek-style models only). */
  readonly mla: boolean;
}

/** The per-layer cache row widths llama.cpp allocates for one layer kind. */
interface LayerRows {
  readonly kElements: number;
  readonly vElements: number;
}

/**
 * K and V row widths per layer, as llama.cpp allocates them (llamaCppSource: src/llama-kv-cache.cpp,
 * `ggml_new_tensor_3d(ctx, type_k, n_embd_k_gqa, kv_size, n_stream)`; V only when `!is_mla`):
 * - GQA/MHA: n_head_kv × head_dim for K and for V;
 * - MLA on: one latent row of kv_lora_rank + rope dims in K, no V tensor;
 * - MLA off (GGUF without `key_length_mla`): n_head × (nope + rope) for K and n_head × v_head_dim for V.
 */
export function llamaCppLayerRows(model: ModelSpec, mla: boolean): LayerRows {
  if (model.mla) {
    if (mla) return { kElements: model.mla.kvLoraRank + model.mla.qkRopeHeadDim, vElements: 0 };
    return {
      kElements: model.numAttentionHeads * (model.mla.qkNopeHeadDim + model.mla.qkRopeHeadDim),
      vElements: model.numAttentionHeads * model.mla.vHeadDim,
    };
  }
  return { kElements: model.numKvHeads * model.headDim, vElements: model.numKvHeads * model.headDim };
}

/** The ggml layout for a KV dtype, mapping the generic names onto llama.cpp's (int8 → q8_0, int4 → q4_0). */
export function llamaCppCacheType(dtype: KvDtype): { readonly layout: BlockLayout; readonly problem?: string } {
  const direct: Partial<Record<KvDtype, string>> = {
    fp32: 'f32',
    f32: 'f32',
    fp16: 'f16',
    f16: 'f16',
    bf16: 'bf16',
    int8: 'q8_0',
    int4: 'q4_0',
  };
  const name = direct[dtype] ?? dtype;
  const layout = llamaCppKvTypes[name];
  if (layout) {
    return dtype === 'int8' || dtype === 'int4'
      ? {
          layout,
          problem: `KV dtype ${dtype} is not a llama.cpp cache type; counted as ${name} (${layout.blockBytes} B per ${layout.blockElements} values, with its block scale).`,
        }
      : { layout };
  }
  // fp8 has no ggml cache type.
  return {
    layout: llamaCppKvTypes['q8_0']!,
    problem: `KV dtype ${dtype} is not a llama.cpp cache type (f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl); counted as q8_0.`,
  };
}

/** Bytes of one cache row of `elements` values in `layout`; llama.cpp requires whole blocks. */
export function ggmlRowBytes(layout: BlockLayout, elements: number): number {
  if (elements % layout.blockElements !== 0) {
    throw new RangeError(
      `a ${layout.ggmlName} cache row must be a multiple of ${layout.blockElements} values (got ${elements}); llama.cpp refuses this cache type for this model`,
    );
  }
  return (elements / layout.blockElements) * layout.blockBytes;
}

/** Whether a layer group uses llama.cpp's SWA cache: windowed layers on an architecture that applies windows. */
function usesSwaCache(model: ModelSpec, arch: string | undefined, kind: 'full' | 'sliding' | 'chunked'): boolean {
  if (kind === 'full') return false;
  // Unknown architecture (a catalog entry without one): trust the layer mix.
  return arch === undefined || llamaCppSwaArchitectures.has(arch);
}

/**
 * The caches llama.cpp allocates for a context, exactly as `llama_kv_cache: size = … MiB (N cells,
 * L layers, S/S seqs)` reports them:
 * - n_ctx = GGML_PAD(n_ctx, 256); unified: n_ctx_seq = n_ctx, one stream; otherwise
 *   n_ctx_seq = GGML_PAD(n_ctx / n_seq_max, 256) and one stream per sequence (src/llama-context.cpp);
 * - the base cache holds n_ctx_seq cells per stream for the full-attention layers;
 * - the SWA cache holds GGML_PAD(min(n_ctx_seq, n_swa × (unified ? n_seq_max : 1) + n_ubatch), 256)
 *   cells, or n_ctx_seq with --swa-full (src/llama-kv-cache-iswa.cpp);
 * - bytes = layers × streams × cells × row bytes, with quantized types in whole blocks
 *   (src/llama-kv-cache.cpp `size_k_bytes`/`size_v_bytes`).
 *
 * @throws RangeError when a quantized cache type does not divide the row width (llama.cpp refuses it).
 */
export function llamaCppKvCaches(model: ModelSpec, params: LlamaCppContextParams): LlamaCppKvCache[] {
  const arch = llamaCppArchitectureOf(model);
  const nCtx = ggmlPad(params.nCtx, 256);
  const nSeq = Math.max(1, params.nSeqMax);
  const nCtxSeq = params.kvUnified ? nCtx : ggmlPad(Math.floor(nCtx / nSeq), 256);
  const streams = params.kvUnified ? 1 : nSeq;
  const rows = llamaCppLayerRows(model, params.mla && model.mla !== undefined);
  const k = llamaCppCacheType(params.typeK).layout;
  const v = llamaCppCacheType(params.typeV).layout;
  const kRow = ggmlRowBytes(k, rows.kElements);
  const vRow = rows.vElements > 0 ? ggmlRowBytes(v, rows.vElements) : 0;

  let baseLayers = 0;
  let swaLayers = 0;
  let window = 0;
  for (const group of model.layers) {
    if (group.count === 0) continue;
    if (usesSwaCache(model, arch, group.attention.kind)) {
      swaLayers += group.count;
      const w =
        group.attention.kind === 'sliding' ? group.attention.window : group.attention.kind === 'chunked' ? group.attention.chunk : 0;
      window = Math.max(window, w);
    } else {
      baseLayers += group.count;
    }
  }
  const cache = (kind: 'base' | 'swa', cells: number, layers: number): LlamaCppKvCache => ({
    kind,
    cells,
    layers,
    seqs: nSeq,
    streams,
    kType: k.ggmlName,
    vType: v.ggmlName,
    kBytes: layers * streams * cells * kRow,
    vBytes: layers * streams * cells * vRow,
  });
  if (swaLayers === 0) return [cache('base', nCtxSeq, baseLayers)];
  const swaCells = params.swaFull ? nCtxSeq : ggmlPad(Math.min(nCtxSeq, window * (params.kvUnified ? nSeq : 1) + params.nUbatch), 256);
  return [cache('base', nCtxSeq, baseLayers), cache('swa', swaCells, swaLayers)];
}

/** Conventions every llama.cpp-family estimate lists. */
export function llamaCppConventions(model: ModelSpec, params: LlamaCppContextParams, swaFullDefault: string): EngineConvention[] {
  const arch = llamaCppArchitectureOf(model);
  const conventions: EngineConvention[] = [
    {
      text: `n_ctx padded to a multiple of 256 cells${params.kvUnified ? '' : `, split into ${params.nSeqMax} streams of GGML_PAD(n_ctx / n_seq_max, 256)`}`,
      source: `${llamaCppSource}:src/llama-context.cpp`,
    },
    {
      text: `sliding-window cache = GGML_PAD(min(n_ctx_seq, n_swa × ${params.kvUnified ? 'n_seq_max' : '1'} + n_ubatch ${params.nUbatch}), 256) cells unless --swa-full (${swaFullDefault})`,
      source: `${llamaCppSource}:src/llama-kv-cache-iswa.cpp`,
    },
    {
      text: 'quantized cache types stored in whole blocks with their scales (q8_0 34 B / 32 values, q4_0 18 B, q4_1 20 B, q5_0 22 B, q5_1 24 B, iq4_nl 18 B); K and V typed separately',
      source: `${llamaCppSource}:ggml/src/ggml-common.h, common/arg.cpp kv_cache_types`,
    },
    {
      text: 'compute buffer and output buffer not included (llama.cpp sizes them from the graph at load time)',
      source: `${llamaCppSource}:src/llama-context.cpp graph_reserve`,
    },
  ];
  const windowed = model.layers.some((g) => g.attention.kind !== 'full' && g.count > 0);
  if (windowed && arch !== undefined && !llamaCppSwaArchitectures.has(arch)) {
    conventions.push({
      text: `architecture ${arch} ignores the model's sliding window: every layer gets a full-length cache`,
      source: `${llamaCppSource}:src/models/${arch === 'phi3' ? 'phi3' : 'llama'}.cpp`,
    });
  }
  if (model.mla) {
    conventions.push({
      text: params.mla
        ? `MLA on: K holds the ${model.mla.kvLoraRank + model.mla.qkRopeHeadDim}-wide latent per layer, no V tensor`
        : `MLA off (no key_length_mla / attn_k_b tensors in the GGUF, or --mla off): full per-head K (${model.numAttentionHeads} × ${model.mla.qkNopeHeadDim + model.mla.qkRopeHeadDim}) and V (${model.numAttentionHeads} × ${model.mla.vHeadDim})`,
      source: `${llamaCppSource}:src/models/deepseek2.cpp, src/llama-kv-cache.cpp`,
    });
  }
  return conventions;
}

/**
 * Ollama's default `num_ctx` when neither the request, the Modelfile nor OLLAMA_CONTEXT_LENGTH sets
 * one, by version (ollamaSource history: envconfig/config.go and server/routes.go):
 * - up to v0.6.6: 2,048; v0.6.7 – v0.15.4: 4,096;
 * - from v0.15.5 (current): by total VRAM over all GPUs minus OLLAMA_GPU_OVERHEAD (0):
 *   ≥ 47 GiB → 262,144; ≥ 23 GiB → 32,768; else 4,096.
 * It is then capped at the model's training context (server/sched.go `effectiveModelContext`).
 */
export function ollamaDefaultNumCtx(totalVramBytes: number): number {
  const gib = 2 ** 30;
  if (totalVramBytes >= 47 * gib) return 262_144;
  if (totalVramBytes >= 23 * gib) return 32_768;
  return 4096;
}

/**
 * Ollama's automatic generation batch (-b/-ub) for a context of `effectiveCtx` cells, when the user sets
 * none (ollamaSource: server/sched.go `automaticGenerationBatch`): 2,048 above 32,768 cells, 1,024 above
 * 4,096, else 512, stepped down while the predicted VRAM exceeds 60% (2,048) / 75% (1,024) of the
 * available memory or the surcharge (2 GiB / 768 MiB) does not fit under 80% of it.
 */
export function ollamaGenerationBatch(effectiveCtx: number, predictedVramBytes: number, availableBytes: number): number {
  const gib = 2 ** 30;
  const mib = 2 ** 20;
  let batch = effectiveCtx > 32_768 ? 2048 : effectiveCtx > 4096 ? 1024 : 512;
  const fits = (b: number): boolean => {
    const threshold = availableBytes * 0.8;
    if (predictedVramBytes > threshold) return false;
    if (b >= 2048 && predictedVramBytes > availableBytes * 0.6) return false;
    if (b >= 1024 && predictedVramBytes > availableBytes * 0.75) return false;
    const surcharge = b >= 2048 ? 2 * gib : b >= 1024 ? 768 * mib : 0;
    return surcharge <= threshold - predictedVramBytes;
  };
  while (batch > 512 && !fits(batch)) batch = batch > 1024 ? 1024 : 512;
  return batch;
}

/** Architectures whose tokenizer adds a BOS token (llama.cpp `tokenizer.ggml.add_bos_token`), which Ollama keeps in front of num_keep. */
const addsBos = new Set(['llama', 'gemma', 'gemma2', 'gemma3', 'phi3', 'command-r', 'llama4', 'deepseek2']);

/**
 * What Ollama does with a prompt of `promptTokens` tokens under `numCtx` (ollamaSource:
 * llm/llama_server.go `completionPromptForRequest`, `contextShiftPromptLimit`; api/types.go NumKeep 4):
 * - up to num_ctx − 1 tokens: sent whole;
 * - DeepSeek-2 family (context shift unsupported, server/sched.go `supportsContextShift`): rejected;
 * - otherwise truncated silently: the first n_keep = 4 tokens (+1 for a BOS) stay, and the next
 *   P − limit tokens are dropped, where limit = num_ctx − max(⌊(num_ctx − n_keep) / 2⌋, 1) (half the
 *   context is freed for generation, as the old runners' first shift did).
 */
export function ollamaPromptHandling(model: ModelSpec, promptTokens: number, numCtx: number): PromptHandling {
  if (numCtx <= 1 || promptTokens <= numCtx - 1) return { kind: 'accepted' };
  const arch = llamaCppArchitectureOf(model);
  if (arch === 'deepseek2') {
    return {
      kind: 'rejected',
      limit: numCtx - 1,
      maxPromptTokens: numCtx - 1,
      reason: `Ollama rejects a prompt over num_ctx − 1 = ${formatInteger(numCtx - 1)} tokens for DeepSeek-2-family models (no context shift)`,
    };
  }
  const bos = arch === undefined || addsBos.has(arch) ? 1 : 0;
  const keep = Math.min(4 + bos, numCtx - 1);
  const limit = numCtx - Math.max(Math.floor((numCtx - keep) / 2), 1);
  const discard = promptTokens - limit;
  return {
    kind: 'front-dropped',
    limit,
    maxPromptTokens: numCtx - 1,
    keep,
    dropStart: keep,
    dropEnd: keep + discard,
    reason: `Ollama keeps the first ${keep} tokens and silently drops the next ${formatInteger(discard)} (num_ctx ${formatInteger(numCtx)}: prompts are cut to ${formatInteger(limit)} tokens)`,
  };
}

/**
 * vLLM's estimate of the memory outside weights and KV cache, per GPU. vLLM measures these by
 * profiling a forward pass at start-up; we can only estimate them, and say so:
 * - activation peak ≈ max_num_batched_tokens × 4 × (hidden + intermediate) × 2 B + max_num_seqs
 *   (256) × vocab × 4 B of fp32 logits, with intermediate ≈ 3.5 × hidden when unknown. For
 *   Llama-3-8B at 8,192 batched tokens this gives 1.25 GiB; vLLM logged 1.26 GiB
 *   (vllm-project/vllm PR #10511, H100, "PyTorch activation peak memory 1.26GiB").
 * - non-torch memory (CUDA context, cuBLAS/NCCL workspaces): 1.79 GiB at TP 1 and 3.58 GiB at TP 2
 *   in the same log; other logs show 0.16–0.20 GiB (PR #12126, PR #14447). We take the H100 figure
 *   × tensor-parallel size, the conservative end.
 */
export function vllmOverheadEstimate(
  model: ModelSpec,
  maxNumBatchedTokens: number,
  tensorParallel: number,
): { readonly activationBytes: number; readonly nonTorchBytes: number } {
  const gib = 2 ** 30;
  const hidden = model.hiddenSize;
  const intermediate = 3.5 * hidden;
  const activationBytes = maxNumBatchedTokens * 4 * (hidden + intermediate) * 2 + 256 * model.vocabSize * 4;
  return { activationBytes, nonTorchBytes: 1.79 * gib * (tensorParallel > 1 ? 2 : 1) };
}

/**
 * vLLM's default max_num_batched_tokens for `vllm serve` (vllm-project/vllm@99d7eb5d6a512cfcc5a2b104f24ebf2d6cda772b:
 * vllm/engine/arg_utils.py `get_batch_defaults`): 8,192 on GPUs with ≥ 70 GiB that are not A100s, else 2,048.
 */
export function vllmDefaultBatchedTokens(gpuMemoryBytes: number, gpuName: string): number {
  return gpuMemoryBytes >= 70 * 2 ** 30 && !/a100/i.test(gpuName) ? 8192 : 2048;
}

/** One vLLM KV-cache group: layers sharing a block table. */
export interface VllmKvGroup {
  readonly kind: 'full' | 'sliding' | 'chunked';
  readonly window: number;
  readonly layers: number;
}

/**
 * vLLM V1's KV-cache groups (vllmKvSource `_get_kv_cache_groups_uniform_page_size`): with the hybrid
 * allocator (default), layers of each attention type are split into groups of `group_size` layers,
 * where group_size is the smallest type's layer count (or the largest when max < 1.5 × min); the
 * last group of a type is padded. Without windowed layers there is one group of all layers.
 */
export function vllmKvGroups(model: ModelSpec): { readonly groups: readonly VllmKvGroup[]; readonly groupSize: number } {
  const types = model.layers.filter((g) => g.count > 0);
  if (types.length <= 1) {
    const only = types[0];
    const layers = only?.count ?? 0;
    if (!only || only.attention.kind === 'full') return { groups: [{ kind: 'full', window: 0, layers }], groupSize: layers };
    const window = only.attention.kind === 'sliding' ? only.attention.window : only.attention.chunk;
    return { groups: [{ kind: only.attention.kind, window, layers }], groupSize: layers };
  }
  const counts = types.map((g) => g.count);
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  const groupSize = max < min * 1.5 ? max : min;
  const groups: VllmKvGroup[] = [];
  for (const type of types) {
    const window = type.attention.kind === 'sliding' ? type.attention.window : type.attention.kind === 'chunked' ? type.attention.chunk : 0;
    const n = Math.ceil(type.count / groupSize);
    for (let i = 0; i < n; i++) groups.push({ kind: type.attention.kind, window, layers: groupSize });
  }
  return { groups, groupSize };
}

/**
 * Blocks of `blockSize` tokens one request of `tokens` tokens holds in a group (vllmKvSource
 * `max_memory_usage_bytes` for the steady state of a request that has reached `tokens`):
 * full cdiv(T, 16); sliding cdiv(min(window − 1 + chunk, T), 16) + 1; chunked cdiv(min(chunk + batched, T), 16).
 */
export function vllmBlocksFor(group: VllmKvGroup, tokens: number, blockSize: number, maxNumBatchedTokens: number): number {
  if (tokens <= 0) return 0;
  switch (group.kind) {
    case 'full':
      return Math.ceil(tokens / blockSize);
    case 'sliding':
      return Math.ceil(Math.min(group.window - 1 + maxNumBatchedTokens, tokens) / blockSize) + 1;
    case 'chunked':
      return Math.ceil(Math.min(group.window + maxNumBatchedTokens, tokens) / blockSize);
  }
}

/** KV heads each GPU holds under tensor parallelism: max(1, heads ÷ tp); heads are replicated when tp > heads. */
export function kvHeadsPerGpu(numKvHeads: number, tensorParallel: number): number {
  return Math.max(1, Math.floor(numKvHeads / tensorParallel));
}
