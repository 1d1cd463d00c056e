import type { ModelSpec } from '../model/modelSpec';
import type { GpuSpec } from '../model/gpuSpec';

/**
 * Weight formats. The plain names are bytes per parameter in the `ideal` engine. `native` is the
 * model's own checkpoint format (gpt-oss MXFP4 experts, DeepSeek-V3 FP8, else bf16). `nf4` is
 * bitsandbytes 4-bit. Under a serving engine, int4 / int8 / fp8 / nf4 count the layout real
 * quantizers produce (16-bit embeddings and lm_head, group scales): see `weightFormats.ts`.
 */
export type WeightDtype = 'native' | 'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4' | 'nf4';

/**
 * KV cache element types: the generic names, and llama.cpp's cache types (`--cache-type-k/-v`) with
 * their exact block sizes (f32 = fp32 and f16 = fp16 are aliases kept as typed).
 */
export type KvDtype =
  'fp32' | 'bf16' | 'fp16' | 'fp8' | 'int8' | 'int4' | 'f32' | 'f16' | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'iq4_nl';

/** The serving engine whose allocation rules the estimate follows; `ideal` is the reference formula. */
export type EngineId = 'ideal' | 'llama.cpp' | 'ollama' | 'lmstudio' | 'vllm' | 'sglang';

/** Every engine id, in the order the UI lists them. */
export const engineIds: readonly EngineId[] = ['ideal', 'llama.cpp', 'ollama', 'lmstudio', 'vllm', 'sglang'];

/** Engine knobs beyond the ideal formula's inputs. Every field is optional: absent means the engine's own default. */
export interface EngineOptions {
  readonly engine: EngineId;
  /** K cache type (llama.cpp `--cache-type-k`); default `CostInput.kvDtype`. */
  readonly kDtype?: KvDtype;
  /** V cache type (llama.cpp `--cache-type-v`); default `CostInput.kvDtype`. */
  readonly vDtype?: KvDtype;
  /** llama.cpp physical batch `--ubatch-size` (default 512); vLLM/SGLang chunked-prefill size when given. */
  readonly ubatch?: number;
  /** llama.cpp `--swa-full`: sliding-window layers get full-length caches. Default: the engine's. */
  readonly swaFull?: boolean;
  /** MLA for DeepSeek-style models: `auto` follows the model file (a GGUF without the MLA tensors means off). */
  readonly mla?: 'auto' | 'on' | 'off';
  /** vLLM/SGLang `--max-model-len` / `--context-length`; default derived from the model config. */
  readonly maxModelLen?: number;
  /** Context per sequence: llama.cpp `-c` ÷ `-np`, Ollama `num_ctx`. Default: llama.cpp the prompt + reserve, Ollama its sourced default. */
  readonly numCtx?: number;
  /**
   * Where `numCtx` / `maxModelLen` (and the sequence count) came from when not the user's setting, as
   * the conventions name it: e.g. `as Ollama at http://127.0.0.1:11434 has it loaded`. Default: `your setting`.
   */
  readonly knobsFrom?: string;
}

/** Everything an estimate depends on. Token count T = promptTokens + reserveOutputTokens. */
export interface CostInput {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  readonly gpuCount: number;
  readonly promptTokens: number;
  readonly reserveOutputTokens: number;
  readonly weightDtype: WeightDtype;
  readonly kvDtype: KvDtype;
  /** Concurrent sequences sharing the GPUs (KV cache scales with it): llama.cpp `--parallel`, Ollama OLLAMA_NUM_PARALLEL. */
  readonly batchSize: number;
  /** Fraction of GPU memory usable for weights + KV (vLLM's gpu_memory_utilization), default 0.9. */
  readonly memoryUtilization: number;
  /** Achieved / peak FLOP/s during prefill; an explicit assumption. */
  readonly computeEfficiency: number;
  /** Achieved / peak bandwidth during decode; an explicit assumption. */
  readonly memoryEfficiency: number;
  /** The serving engine and its knobs; absent = `ideal`. */
  readonly engine?: EngineOptions;
}

/**
 * The largest context that fits, never a sentinel.
 * - `memory`: memory binds first, at `tokens` (≥ 1).
 * - `window`: memory never binds before the engine's window, so the window (`tokens`) is the limit;
 *   `memoryLimitTokens` says where memory would bind, or null when it never does (every layer windowed).
 * - `weights`: the weights alone (plus fixed overheads) do not fit; `tokens` is 0.
 */
export interface MaxContext {
  readonly limitedBy: 'memory' | 'window' | 'weights';
  readonly tokens: number;
  /** Largest T memory allows, independent of the window; null when memory never limits. */
  readonly memoryLimitTokens: number | null;
  /** The window the engine accepts (see {@link EngineReport.maxWindowTokens}). */
  readonly windowTokens: number;
}

/** One convention an engine profile applied, with where it comes from (repo@commit:path or a doc URL). */
export interface EngineConvention {
  readonly text: string;
  readonly source: string;
}

/** One KV cache a llama.cpp-family engine allocates, as its `llama_kv_cache: size = …` log line reports it. */
export interface LlamaCppKvCache {
  readonly kind: 'base' | 'swa';
  /** Cells per stream (the log's "N cells"). */
  readonly cells: number;
  readonly layers: number;
  /** n_seq_max / n_stream (the log's "S/S seqs"). */
  readonly seqs: number;
  readonly streams: number;
  readonly kType: string;
  readonly vType: string;
  readonly kBytes: number;
  readonly vBytes: number;
}

/**
 * What the engine does with a prompt of this length:
 * - accepted;
 * - rejected (vLLM/SGLang/llama-server answer with an error naming `limit`);
 * - front-dropped (Ollama keeps the first `keep` tokens and silently drops [dropStart, dropEnd) of the
 *   prompt, so the prompt is cut to `limit` tokens).
 * `maxPromptTokens` is the longest prompt the engine takes whole (with the reserved output where the
 * engine counts it, as vLLM and SGLang do): files ending past it are the ones cut or refused.
 */
export type PromptHandling =
  | { readonly kind: 'accepted' }
  | { readonly kind: 'rejected'; readonly limit: number; readonly maxPromptTokens: number; readonly reason: string }
  | {
      readonly kind: 'front-dropped';
      readonly limit: number;
      readonly maxPromptTokens: number;
      readonly keep: number;
      readonly dropStart: number;
      readonly dropEnd: number;
      readonly reason: string;
    };

/** What the chosen engine did, for every view to name. */
export interface EngineReport {
  readonly id: EngineId;
  /** e.g. `llama.cpp (v0.4.0, as node-llama-cpp 3.21.1 ships it)`. */
  readonly name: string;
  /** Every convention applied, each with its source. */
  readonly conventions: readonly EngineConvention[];
  /** Inputs the engine cannot take, each naming the field and the fallback used. */
  readonly problems: readonly string[];
  /** The window the engine accepts by default: vLLM max_model_len, llama.cpp n_ctx_train, Ollama num_ctx. */
  readonly maxWindowTokens: number;
  readonly promptHandling: PromptHandling;
  /** llama.cpp family: the caches allocated for the context (`n_ctx`) the estimate assumes. */
  readonly llamaCppCaches?: readonly LlamaCppKvCache[];
  /** llama.cpp family: the per-sequence context the caches are allocated for. */
  readonly contextPerSequence?: number;
  /** vLLM/SGLang: the KV pool and what was subtracted before it (per GPU, bytes), all estimates but the weights. */
  readonly pool?: {
    readonly totalPerGpuBytes: number;
    readonly usablePerGpuBytes: number;
    readonly weightsPerGpuBytes: number;
    readonly activationPeakBytes: number;
    readonly nonTorchBytes: number;
    readonly kvPoolPerGpuBytes: number;
    /** vLLM: blocks of `blockSize` tokens; SGLang: token slots (block size 1). */
    readonly blocks: number;
    readonly blockSize: number;
    readonly kvHeadsPerGpu: number;
  };
}

/** Full-precision results; presenters round and label. */
export interface CostBreakdown {
  readonly tokens: number;
  readonly kvCacheBytes: number;
  readonly kvBytesPerToken: number;
  readonly weightsBytes: number;
  readonly totalBytes: number;
  /** Usable memory across all GPUs: gpuCount × memory × utilization. */
  readonly usableMemoryBytes: number;
  readonly fits: boolean;
  /**
   * Largest T for which weights + KV fit, independent of the model's window; 0 when weights alone do
   * not fit. When memory never limits (every layer windowed), the engine's window: never a sentinel.
   * {@link MaxContext} says which.
   */
  readonly maxContextTokens: number;
  readonly prefillFlops: { readonly linear: number; readonly attention: number; readonly total: number };
  /** Attention's share of prefill FLOPs (0 for an empty prompt): computed once, shown everywhere. */
  readonly attentionShare: number;
  readonly prefillSeconds: number;
  readonly decodeSecondsPerToken: number;
}
