/**
 * The architecture facts the cost and risk engines need about one model, whether it came from the
 * bundled catalog or from a Hugging Face `config.json` the user pointed at.
 */

/** How a group of layers attends. */
export type LayerAttention =
  /** Every token attends to all earlier tokens; holds K and V for `numKvHeads` heads. MHA/GQA/MQA. */
  | { readonly kind: 'full' }
  /** Sliding window: each token attends to at most `window` tokens (itself included). */
  | { readonly kind: 'sliding'; readonly window: number }
  /** Chunked (Llama 4 iRoPE local layers): tokens attend only inside their aligned chunk of `chunk` tokens. */
  | { readonly kind: 'chunked'; readonly chunk: number };

/** A run of identical layers, so a 62-layer Gemma 3 is two groups rather than 62 rows. */
export interface LayerGroup {
  readonly count: number;
  readonly attention: LayerAttention;
}

/** Multi-head latent attention (DeepSeek-V2/V3): the cache holds one compressed latent per token per layer. */
export interface MlaSpec {
  readonly kvLoraRank: number;
  readonly qkRopeHeadDim: number;
  readonly qkNopeHeadDim: number;
  readonly vHeadDim: number;
  /**
   * GGUF only: whether the file carries llama.cpp's MLA layout (`{arch}.attention.key_length_mla`, with
   * split `attn_k_b`/`attn_v_b` tensors). Older conversions keep the joint `attn_kv_b` tensor, and
   * llama.cpp then caches full per-head K and V (ggml-org/llama.cpp@v0.4.0:src/models/deepseek2.cpp
   * `is_mla`). Undefined for catalog and config.json models.
   */
  readonly latentCacheInFile?: boolean;
}

/** RoPE scaling as published in `rope_scaling`; the windows it implies are computed by the risk engine. */
export interface RopeScaling {
  readonly type: 'linear' | 'dynamic' | 'yarn' | 'llama3' | 'longrope' | 'default';
  readonly factor: number;
  readonly originalMaxPositionEmbeddings?: number;
}

/**
 * Weights measured as a file stores them (a GGUF's quantized tensors), used instead of
 * params × the weight dtype setting.
 */
export interface StoredWeights {
  /** Bytes of every tensor as stored (exact from each tensor's type and shape). */
  readonly bytes: number;
  /** Bytes one decode step reads: all but the routed experts, plus their routed share. */
  readonly activeBytes: number;
  /** What the bytes are, for labels: e.g. `GGUF Q4_K_M`. */
  readonly label: string;
}

/** A checkpoint's own weight format when it is not plain 16-bit (gpt-oss MXFP4 experts, DeepSeek-V3 FP8). */
export interface NativeWeights {
  /** e.g. `MXFP4 experts + bf16`. */
  readonly label: string;
  readonly bytes: number;
  /** Bytes one decode step reads (routed experts only). */
  readonly activeBytes: number;
  /** How the bytes were derived, with the source. */
  readonly note: string;
}

/** Where a number came from, kept next to the number (catalog rule: every entry names its source). */
export type SourceRef = string;

export interface ModelSpec {
  readonly id: string;
  readonly displayName: string;
  /** Origin of this spec: the catalog, a config.json path, a GGUF path, or a chat provider. */
  readonly origin: 'catalog' | 'hf-config' | 'gguf' | 'provider';
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numAttentionHeads: number;
  /** K/V heads per layer (== numAttentionHeads for MHA, 1 for MQA). Ignored for MLA layers. */
  readonly numKvHeads: number;
  /** Per-head dimension actually used (config `head_dim` when given, else hidden / heads). */
  readonly headDim: number;
  /** Layer groups in order; counts sum to numLayers. */
  readonly layers: readonly LayerGroup[];
  readonly mla?: MlaSpec;
  readonly vocabSize: number;
  /** Total parameters (all experts), used for weight memory. */
  readonly paramsTotal: number;
  /** Parameters active per token (MoE: routed experts only), used for linear FLOPs. */
  readonly paramsActive: number;
  /** True when the parameter counts were derived from the architecture rather than published. */
  readonly paramsDerived: boolean;
  /** Weights as stored in the model file, when known exactly; otherwise params × weight dtype. */
  readonly storedWeights?: StoredWeights;
  /** Checkpoint format when not 16-bit; `weightDtype: native` uses it. */
  readonly nativeWeights?: NativeWeights;
  /** Input embedding + lm_head parameters (once when tied): they stay 16-bit under 4/8-bit quantization. */
  readonly embeddingParams?: number;
  /** llama.cpp architecture (GGUF `general.architecture`), which decides e.g. whether a sliding window is applied. */
  readonly architecture?: string;
  /** Hugging Face `model_type`, which vLLM's and SGLang's window rules key on (e.g. gemma3). */
  readonly hfModelType?: string;
  /** config.json `model_max_length` (Command-R), which vLLM prefers over max_position_embeddings. */
  readonly modelMaxLength?: number;
  /** `max_position_embeddings`: the window the serving stack accepts. */
  readonly maxPositionEmbeddings: number;
  readonly ropeScaling?: RopeScaling;
  /** The window the model was pretrained at (original_max_position_embeddings or the native window). */
  readonly pretrainedWindow: number;
  /**
   * Longest context the maker says the model was trained/validated at when that differs from the
   * pretraining window (e.g. Qwen2.5: 32k native, 128k only with YaRN). Undefined when not published.
   */
  readonly trainedWindow?: number;
  /** Measured effective length (RULER) when the model is in that table. */
  readonly effectiveWindow?: { readonly tokens: number; readonly benchmark: 'RULER'; readonly source: SourceRef };
  /** Tokenizer family, to say whether an o200k/cl100k count is exact for this model or an estimate. */
  readonly tokenizer: 'o200k_base' | 'cl100k_base' | 'other';
  /**
   * Catalog models: the Hugging Face repository whose tokenizer.json and tokenizer_config.json are
   * this model's (the instruct variant where both exist, for its chat template), for Download Tokenizer.
   */
  readonly huggingFaceRepo?: string;
  readonly sources: readonly SourceRef[];
  readonly notes?: readonly string[];
}
