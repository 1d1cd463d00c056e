/**
 * Turns a Hugging Face `config.json` into a {@link ModelSpec}. Every number the cost and risk
 * engines use is either read from the config, taken from a documented `model_type` default (and
 * recorded in `notes`), or derived from the architecture; anything missing or malformed throws a
 * {@link ModelConfigError} naming the field, so a bad config can never become a silently wrong estimate.
 */
import type { LayerAttention, LayerGroup, MlaSpec, ModelSpec, RopeScaling } from './modelSpec';
import { maxDim, maxExperts, maxHeads, maxLayers, maxPositions, maxRopeFactor, maxVocab, scaledWindowProblem } from './modelBounds';

/** A config.json that cannot be turned into a trustworthy {@link ModelSpec}. */
export class ModelConfigError extends Error {
  /** Dotted path of the offending field, e.g. `text_config.num_key_value_heads` (`(root)` for the document). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'ModelConfigError';
    this.field = field;
  }
}

/** How the parsed spec is labelled. */
export interface HfConfigOptions {
  /** Id for the resulting spec (e.g. the repo name or the file path). */
  readonly id: string;
  readonly displayName?: string;
  /** Where the config came from; used as the error-message prefix and as the spec's source. */
  readonly sourcePath?: string;
}

/** Keys under which multimodal configs nest the language model (Gemma 3, Llama 4, Mistral 3, InternVL, DeepSeek-VL2). */
const nestedTextKeys = ['text_config', 'language_config', 'llm_config'] as const;

/**
 * transformers config-class defaults for fields that published configs leave out. Only fields that
 * change a number we report are listed; each use is written to `notes`. Maps, not objects, here and
 * below: `model_type` comes from the file, and "constructor" or "__proto__" must find nothing.
 */
const modelTypeDefaults: ReadonlyMap<string, ReadonlyMap<string, number | boolean>> = new Map(
  Object.entries({
    // Gemma3TextConfig: the released gemma-3-*-it text_config omits vocab and positions.
    gemma3_text: { vocab_size: 262_208, max_position_embeddings: 131_072, sliding_window: 4096, sliding_window_pattern: 6 },
    gemma3: { vocab_size: 262_208, max_position_embeddings: 131_072, sliding_window: 4096, sliding_window_pattern: 6 },
    gemma2: { sliding_window: 4096, sliding_window_pattern: 2 },
    // MistralConfig defaults sliding_window to 4096 (Mistral 7B v0.1); later releases write null explicitly.
    mistral: { sliding_window: 4096 },
    // GptOssConfig: even layers slide over 128 tokens, odd layers are full.
    gpt_oss: { sliding_window: 128, sliding_window_pattern: 2 },
    cohere2: { sliding_window_pattern: 4 },
    llama4_text: { no_rope_layer_interval: 4, interleave_moe_layer_step: 1 },
    llama4: { no_rope_layer_interval: 4, interleave_moe_layer_step: 1 },
  }).map(([type, defaults]) => [type, new Map(Object.entries(defaults))]),
);

/** `tie_word_embeddings` when the config omits it: transformers' per-class default (PretrainedConfig says true). */
const tiedByDefault: ReadonlyMap<string, boolean> = new Map(
  Object.entries({
    llama: false,
    llama4_text: false,
    llama4: false,
    mistral: false,
    mixtral: false,
    qwen2: false,
    qwen2_moe: false,
    qwen3: false,
    qwen3_moe: false,
    phi3: false,
    phi: false,
    deepseek_v2: false,
    deepseek_v3: false,
    gpt_oss: false,
    gemma: true,
    gemma2: true,
    gemma3_text: true,
    gemma3: true,
    cohere: true,
    cohere2: true,
    starcoder2: true,
  }),
);

/** MLPs with an up and a down projection only (no gate), so 2·h·I parameters rather than 3·h·I. */
const nonGatedMlpTypes = new Set([
  'gpt2',
  'gpt_bigcode',
  'gpt_neox',
  'gptj',
  'falcon',
  'phi',
  'opt',
  'bloom',
  'mpt',
  'starcoder2',
  'codegen',
]);

/** Model families whose `use_sliding_window` defaults to false (Qwen2Config and descendants). */
const slidingOffByDefault = (modelType: string | undefined): boolean => modelType !== undefined && modelType.startsWith('qwen');

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The object's own value for `key`, never an inherited one: a config's keys are data, and reading
 * `constructor` or `toString` must give undefined, not a function from Object.prototype.
 */
const ownValue = (obj: Json, key: string): unknown => (Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined);

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

/** Reads typed fields out of one config object, throwing errors that name the full field path. */
class ConfigReader {
  constructor(
    readonly raw: Json,
    private readonly prefix: string,
    /** Error-message prefix: the config's path, or `config.json`. */
    readonly label: string,
    private readonly defaults: ReadonlyMap<string, number | boolean>,
    private readonly notes: string[],
  ) {}

  field(key: string): string {
    return `${this.prefix}${key}`;
  }

  fail(key: string, requirement: string, got: unknown): never {
    const field = this.field(key);
    throw new ModelConfigError(field, `${this.label}: "${field}" must be ${requirement} (got ${describe(got)})`);
  }

  /** The raw value, or the model-type default (noted) when the key is absent; null counts as absent. */
  value(key: string): unknown {
    const v = ownValue(this.raw, key);
    if (v !== undefined && v !== null) return v;
    const d = this.defaults.get(key);
    if (v === undefined && d !== undefined) {
      const note = `${this.field(key)} absent; used the transformers default ${String(d)} for this model_type.`;
      if (!this.notes.includes(note)) this.notes.push(note);
      return d;
    }
    return undefined;
  }

  present(key: string): boolean {
    return this.value(key) !== undefined;
  }

  /** True when the key is written as an explicit null (e.g. Mistral v0.3's `sliding_window: null`). */
  explicitNull(key: string): boolean {
    return ownValue(this.raw, key) === null;
  }

  int(key: string, max: number, min = 1): number {
    const v = this.value(key);
    if (v === undefined) {
      const field = this.field(key);
      throw new ModelConfigError(
        field,
        `${this.label}: "${field}" is missing; it must be an integer from ${min} to ${max.toLocaleString('en-US')}`,
      );
    }
    return this.checkInt(key, v, max, min);
  }

  optInt(key: string, max: number, min = 1): number | undefined {
    const v = this.value(key);
    return v === undefined ? undefined : this.checkInt(key, v, max, min);
  }

  /** First present key among aliases (e.g. hidden_size / n_embd); errors name the first (canonical) key. */
  intAlias(keys: readonly [string, ...string[]], max: number): number {
    for (const key of keys) if (this.present(key)) return this.int(key, max);
    return this.int(keys[0], max);
  }

  optIntAlias(keys: readonly string[], max: number, min = 1): number | undefined {
    for (const key of keys) if (this.present(key)) return this.int(key, max, min);
    return undefined;
  }

  checkInt(key: string, v: unknown, max: number, min = 1): number {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(key, `an integer from ${min} to ${max.toLocaleString('en-US')}`, v);
    }
    return v;
  }

  optBool(key: string): boolean | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(key, 'true or false', v);
    return v;
  }

  optString(key: string): string | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(key, 'a string', v);
    return v;
  }

  optArray(key: string): readonly unknown[] | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(key, 'an array', v);
    return v;
  }

  optObject(key: string): Json | undefined {
    const v = this.value(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(key, 'an object', v);
    return v;
  }

  /** A reader over a nested object (rope_scaling), sharing label and notes; no model-type defaults apply inside. */
  child(key: string, obj: Json): ConfigReader {
    return new ConfigReader(obj, `${this.field(key)}.`, this.label, new Map(), this.notes);
  }
}

/**
 * Parses a Hugging Face `config.json` (already JSON-decoded) into a {@link ModelSpec}.
 *
 * Handles nested `text_config` (Gemma 3, Llama 4, Mistral 3), explicit `head_dim`, MHA/GQA/MQA,
 * `layer_types` and `sliding_window`/`sliding_window_pattern` layer mixes with per-`model_type`
 * defaults, Llama 4 chunked attention, DeepSeek MLA, MoE parameter counts and every `rope_scaling`
 * flavour transformers accepts. Parameter counts are derived from the architecture
 * (`paramsDerived: true`); `paramsActive` counts the input embedding like most published
 * "active" figures (Mixtral 12.9B, DeepSeek-V3 37B), whereas OpenAI's gpt-oss figures leave it out.
 *
 * @throws ModelConfigError naming the field for anything missing, mistyped, out of range or inconsistent.
 */
export function parseHfConfig(json: unknown, options: HfConfigOptions): ModelSpec {
  const label = options.sourcePath ?? 'config.json';
  if (!isObject(json)) throw new ModelConfigError('(root)', `${label}: must be a JSON object (got ${describe(json)})`);
  const notes: string[] = [];

  let text: Json = json;
  let prefix = '';
  for (const key of nestedTextKeys) {
    const nested = ownValue(json, key);
    if (nested === undefined || nested === null) continue;
    if (!isObject(nested)) throw new ModelConfigError(key, `${label}: "${key}" must be an object (got ${describe(nested)})`);
    text = nested;
    prefix = `${key}.`;
    break;
  }
  const rawType = ownValue(text, 'model_type') ?? ownValue(json, 'model_type');
  if (rawType !== undefined && typeof rawType !== 'string') {
    throw new ModelConfigError(`${prefix}model_type`, `${label}: "${prefix}model_type" must be a string (got ${describe(rawType)})`);
  }
  const modelType = rawType;
  const r = new ConfigReader(
    text,
    prefix,
    label,
    (modelType !== undefined ? modelTypeDefaults.get(modelType) : undefined) ?? new Map(),
    notes,
  );

  const hiddenSize = r.intAlias(['hidden_size', 'n_embd', 'd_model'], maxDim);
  const numLayers = r.intAlias(['num_hidden_layers', 'n_layer', 'num_layers'], maxLayers);
  const numAttentionHeads = r.intAlias(['num_attention_heads', 'n_head', 'num_heads'], maxHeads);
  const maxPositionEmbeddings = r.intAlias(['max_position_embeddings', 'n_positions'], maxPositions);
  const vocabSize = r.intAlias(['vocab_size', 'padded_vocab_size'], maxVocab);

  const mla = readMla(r);
  const headDim = mla ? mla.spec.qkNopeHeadDim + mla.spec.qkRopeHeadDim : readHeadDim(r, hiddenSize, numAttentionHeads);
  const numKvHeads = readKvHeads(r, numAttentionHeads);
  const perLayer = layerAttentions(r, modelType, numLayers, maxPositionEmbeddings, notes);
  const { ropeScaling, pretrainedWindow } = readRope(r, maxPositionEmbeddings, notes);
  const tied = readTied(r, json, prefix, modelType, notes);
  const params = deriveParams(r, modelType, { hiddenSize, numLayers, numAttentionHeads, numKvHeads, headDim, vocabSize, tied, mla });
  if (mla) {
    notes.push(
      `MLA: the KV cache holds kv_lora_rank + qk_rope_head_dim = ${mla.spec.kvLoraRank + mla.spec.qkRopeHeadDim} elements per token per layer; num_key_value_heads is not used for it. headDim is qk_nope_head_dim + qk_rope_head_dim.`,
    );
  }
  if (prefix) notes.push(`Language-model fields read from ${prefix.slice(0, -1)}; vision/audio towers are not counted in the parameters.`);

  const modelMaxLength = r.optInt('model_max_length', maxPositions);
  return {
    id: options.id,
    displayName: options.displayName ?? options.id,
    origin: 'hf-config',
    ...(modelType !== undefined ? { hfModelType: modelType } : {}),
    ...(modelMaxLength !== undefined ? { modelMaxLength } : {}),
    // Input embedding + lm_head (once when tied): they stay 16-bit under 4/8-bit quantization.
    embeddingParams: vocabSize * hiddenSize * (tied ? 1 : 2),
    hiddenSize,
    numLayers,
    numAttentionHeads,
    numKvHeads,
    headDim,
    layers: groupLayerAttention(perLayer),
    ...(mla ? { mla: mla.spec } : {}),
    vocabSize,
    paramsTotal: params.total,
    paramsActive: params.active,
    paramsDerived: true,
    maxPositionEmbeddings,
    ...(ropeScaling ? { ropeScaling } : {}),
    pretrainedWindow,
    tokenizer: modelType === 'gpt_oss' ? 'o200k_base' : 'other',
    sources: [label],
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * Collapses per-layer attention into one group per distinct attention kind, in order of first
 * appearance; the canonical form shared by the catalog (a 62-layer Gemma 3 is two groups).
 */
export function groupLayerAttention(perLayer: readonly LayerAttention[]): LayerGroup[] {
  const groups: { count: number; attention: LayerAttention }[] = [];
  for (const attention of perLayer) {
    const same = groups.find((g) => sameAttention(g.attention, attention));
    if (same) same.count++;
    else groups.push({ count: 1, attention });
  }
  return groups;
}

/** Structural equality of two layer attentions. */
export function sameAttention(a: LayerAttention, b: LayerAttention): boolean {
  if (a.kind === 'full' || b.kind === 'full') return a.kind === b.kind;
  if (a.kind === 'sliding') return b.kind === 'sliding' && a.window === b.window;
  return b.kind === 'chunked' && a.chunk === b.chunk;
}

function readHeadDim(r: ConfigReader, hiddenSize: number, heads: number): number {
  const explicit = r.optInt('head_dim', maxDim);
  if (explicit !== undefined) return explicit;
  if (hiddenSize % heads !== 0) {
    throw new ModelConfigError(
      r.field('head_dim'),
      `${r.label}: "${r.field('head_dim')}" is absent and hidden_size ${hiddenSize} is not divisible by num_attention_heads ${heads}, so the head dimension is unknown`,
    );
  }
  return hiddenSize / heads;
}

function readKvHeads(r: ConfigReader, heads: number): number {
  let key = ['num_key_value_heads', 'num_kv_heads'].find((k) => r.present(k));
  if (key === undefined && r.optBool('multi_query_attention') === true && r.present('multi_query_group_num')) key = 'multi_query_group_num';
  if (key === undefined) {
    // Older configs (Falcon-7B, StarCoder) flag MQA with a boolean; otherwise absent means MHA.
    return r.optBool('multi_query') === true ? 1 : heads;
  }
  const v = r.value(key);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > heads || heads % v !== 0) {
    r.fail(key, 'a positive integer dividing num_attention_heads', v);
  }
  return v;
}

function readMla(r: ConfigReader): { spec: MlaSpec; qLoraRank: number | undefined } | undefined {
  if (!r.present('kv_lora_rank')) return undefined;
  const spec: MlaSpec = {
    kvLoraRank: r.int('kv_lora_rank', maxDim),
    qkRopeHeadDim: r.int('qk_rope_head_dim', maxDim),
    qkNopeHeadDim: r.int('qk_nope_head_dim', maxDim),
    vHeadDim: r.int('v_head_dim', maxDim),
  };
  return { spec, qLoraRank: r.optInt('q_lora_rank', maxDim) };
}

function readTied(r: ConfigReader, root: Json, prefix: string, modelType: string | undefined, notes: string[]): boolean {
  const own = r.optBool('tie_word_embeddings');
  if (own !== undefined) return own;
  // Composite (multimodal) configs keep tie_word_embeddings at the top level.
  if (prefix) {
    const top = ownValue(root, 'tie_word_embeddings');
    if (typeof top === 'boolean') return top;
    if (top !== undefined && top !== null) {
      throw new ModelConfigError('tie_word_embeddings', `${r.label}: "tie_word_embeddings" must be true or false (got ${describe(top)})`);
    }
  }
  const assumed = (modelType !== undefined ? tiedByDefault.get(modelType) : undefined) ?? true;
  notes.push(`tie_word_embeddings absent; assumed ${assumed} (transformers default for model_type ${modelType ?? 'unknown'}).`);
  return assumed;
}

/** Per-layer attention kinds, before grouping. */
function layerAttentions(
  r: ConfigReader,
  modelType: string | undefined,
  numLayers: number,
  maxPos: number,
  notes: string[],
): LayerAttention[] {
  const explicitNoWindow = r.explicitNull('sliding_window');
  const useSliding = r.optBool('use_sliding_window');
  const windowOr = (): number | undefined =>
    explicitNoWindow ? undefined : r.optIntAlias(['sliding_window', 'sliding_window_size'], maxPositions);
  const chunk = r.optInt('attention_chunk_size', maxPositions);

  const layerTypes = r.optArray('layer_types');
  let layers: LayerAttention[];
  if (layerTypes !== undefined) {
    if (layerTypes.length !== numLayers) {
      r.fail('layer_types', `an array of num_hidden_layers (${numLayers}) entries`, `${layerTypes.length} entries`);
    }
    const window = useSliding === false ? undefined : windowOr();
    layers = layerTypes.map((t, i) => {
      const key = `layer_types[${i}]`;
      switch (t) {
        case 'full_attention':
          return { kind: 'full' } as const;
        case 'sliding_attention':
          if (window === undefined) {
            r.fail('sliding_window', `an integer window because ${r.field(key)} is "sliding_attention"`, ownValue(r.raw, 'sliding_window'));
          }
          return { kind: 'sliding', window } as const;
        case 'chunked_attention':
          if (chunk === undefined) {
            r.fail(
              'attention_chunk_size',
              `an integer because ${r.field(key)} is "chunked_attention"`,
              ownValue(r.raw, 'attention_chunk_size'),
            );
          }
          return { kind: 'chunked', chunk } as const;
        default:
          return r.fail(key, 'one of "full_attention", "sliding_attention", "chunked_attention"', t);
      }
    });
  } else if (chunk !== undefined || modelType === 'llama4_text' || modelType === 'llama4') {
    layers = llama4Layers(r, numLayers, chunk, notes);
  } else if (useSliding === false || (useSliding === undefined && slidingOffByDefault(modelType))) {
    const ignored = windowOr();
    if (ignored !== undefined) {
      notes.push(
        `sliding_window ${ignored} ignored: use_sliding_window is ${useSliding === false ? 'false' : 'absent (false for this model_type)'}.`,
      );
    }
    layers = Array.from({ length: numLayers }, () => ({ kind: 'full' }) as const);
  } else {
    const window = windowOr();
    if (window === undefined) {
      layers = Array.from({ length: numLayers }, () => ({ kind: 'full' }) as const);
    } else if (useSliding === true && slidingOffByDefault(modelType)) {
      // Qwen2: layers below max_window_layers stay full, the rest slide.
      const firstSliding = r.optInt('max_window_layers', maxLayers, 0) ?? 0;
      layers = Array.from({ length: numLayers }, (_, i) =>
        i >= firstSliding ? ({ kind: 'sliding', window } as const) : ({ kind: 'full' } as const),
      );
    } else {
      const pattern = r.optIntAlias(['sliding_window_pattern', '_sliding_window_pattern'], maxLayers);
      // Gemma 2/3, gpt-oss, Cohere2: every pattern-th layer (1-based) is global, the rest slide.
      layers = Array.from({ length: numLayers }, (_, i) =>
        pattern !== undefined && (i + 1) % pattern === 0 ? ({ kind: 'full' } as const) : ({ kind: 'sliding', window } as const),
      );
    }
  }

  // A window at least as long as the position limit never drops a token (Phi-3.5-mini: 262144 vs 131072).
  let widened = false;
  layers = layers.map((a) => {
    if (a.kind === 'sliding' && a.window >= maxPos) {
      widened = true;
      return { kind: 'full' } as const;
    }
    return a;
  });
  if (widened) notes.push(`sliding_window is >= max_position_embeddings (${maxPos}), so those layers are treated as full attention.`);
  return layers;
}

/** Llama 4 iRoPE: RoPE layers attend within aligned chunks, every no_rope_layer_interval-th layer is global NoPE. */
function llama4Layers(r: ConfigReader, numLayers: number, chunk: number | undefined, notes: string[]): LayerAttention[] {
  if (chunk === undefined) {
    notes.push('attention_chunk_size absent: every layer treated as full attention.');
    return Array.from({ length: numLayers }, () => ({ kind: 'full' }) as const);
  }
  const explicit = r.optArray('no_rope_layers');
  let usesRope: boolean[];
  if (explicit !== undefined && explicit.length > 0) {
    if (explicit.length !== numLayers) {
      r.fail('no_rope_layers', `an array of num_hidden_layers (${numLayers}) entries`, `${explicit.length} entries`);
    }
    usesRope = explicit.map((v, i) => {
      // transformers: no_rope_layers[i] = 1 means the layer uses RoPE (and so is chunked).
      if (v !== 0 && v !== 1 && v !== true && v !== false) r.fail(`no_rope_layers[${i}]`, '0 or 1', v);
      return v === 1 || v === true;
    });
  } else {
    const interval = r.int('no_rope_layer_interval', maxLayers);
    usesRope = Array.from({ length: numLayers }, (_, i) => (i + 1) % interval !== 0);
  }
  return usesRope.map((rope) => (rope ? ({ kind: 'chunked', chunk } as const) : ({ kind: 'full' } as const)));
}

const ropeTypes = ['linear', 'dynamic', 'yarn', 'llama3', 'longrope'] as const;

function readRope(r: ConfigReader, maxPos: number, notes: string[]): { ropeScaling?: RopeScaling; pretrainedWindow: number } {
  const topOriginal = r.optInt('original_max_position_embeddings', maxPositions);
  if (topOriginal !== undefined) checkOriginalWithinMax(r, 'original_max_position_embeddings', topOriginal, maxPos);
  let key = 'rope_scaling';
  let block = r.optObject('rope_scaling');
  if (block === undefined) {
    const params = r.optObject('rope_parameters');
    if (params !== undefined) {
      key = 'rope_parameters';
      block = params;
      // transformers v5 keeps one rope block per layer type (Gemma 3); the global layers carry the scaling.
      const fullAttention = ownValue(params, 'full_attention');
      if (isObject(fullAttention)) {
        key = 'rope_parameters.full_attention';
        block = fullAttention;
      }
    }
  }
  const plain = { pretrainedWindow: topOriginal ?? maxPos };
  if (block === undefined) return plain;

  const b = r.child(key, block);
  const rawType = b.value('rope_type') ?? b.value('type');
  // Older configs spell the key `type`; errors name `rope_type` unless only `type` was written.
  const typeKey = !b.present('rope_type') && b.present('type') ? 'type' : 'rope_type';
  if (typeof rawType !== 'string') return b.fail(typeKey, `one of "${ropeTypes.join('", "')}", "default"`, rawType);
  // 'su' is Phi-3's pre-release name for longrope; 'mrope' (Qwen2-VL) splits positions but does not scale them.
  const type = rawType === 'su' ? 'longrope' : rawType;
  if (type === 'default' || type === 'mrope') return plain;
  if (!(ropeTypes as readonly string[]).includes(type)) return b.fail(typeKey, `one of "${ropeTypes.join('", "')}", "default"`, rawType);
  const ropeType = type as (typeof ropeTypes)[number];

  const ownOriginal = b.optInt('original_max_position_embeddings', maxPositions);
  if (ownOriginal !== undefined) checkOriginalWithinMax(b, 'original_max_position_embeddings', ownOriginal, maxPos);
  const original = ownOriginal ?? topOriginal;
  let factor: number;
  const rawFactor = b.value('factor');
  if (rawFactor === undefined && ropeType === 'longrope' && original !== undefined) {
    // transformers derives the LongRoPE factor from the two windows when the config omits it.
    factor = maxPos / original;
    notes.push(`LongRoPE factor not given; derived as max_position_embeddings / original_max_position_embeddings = ${factor}.`);
  } else {
    if (typeof rawFactor !== 'number' || !Number.isFinite(rawFactor) || rawFactor < 1 || rawFactor > maxRopeFactor) {
      return b.fail('factor', `a number from 1 to ${maxRopeFactor.toLocaleString('en-US')}`, rawFactor);
    }
    factor = rawFactor;
  }
  if (ropeType === 'llama3' && original === undefined) {
    b.fail('original_max_position_embeddings', 'an integer (required by rope_type "llama3")', undefined);
  }
  // The window the risk engine derives: original × factor, or (dynamic NTK without an original) max × factor.
  const base =
    original !== undefined
      ? {
          field: ownOriginal !== undefined ? b.field('original_max_position_embeddings') : r.field('original_max_position_embeddings'),
          value: original,
        }
      : ropeType === 'dynamic'
        ? { field: r.field('max_position_embeddings'), value: maxPos }
        : undefined;
  const tooLong = base ? scaledWindowProblem(b.field('factor'), factor, base.field, base.value) : undefined;
  if (tooLong) throw new ModelConfigError(b.field('factor'), `${r.label}: ${tooLong}`);
  if (original === undefined) {
    notes.push(`rope_scaling gives no original_max_position_embeddings; pretrainedWindow is max_position_embeddings (${maxPos}).`);
  }
  return {
    ropeScaling: { type: ropeType, factor, ...(original !== undefined ? { originalMaxPositionEmbeddings: original } : {}) },
    pretrainedWindow: original ?? maxPos,
  };
}

/**
 * The pretraining window cannot be longer than the model's own window: an original of 2^30 beside
 * max_position_embeddings 131,072 would give an 8.6e9-token window. Every published config has
 * original ≤ max (Llama 3.1: 8,192 ≤ 131,072; Qwen2.5 with YaRN: 32,768 ≤ 32,768).
 */
function checkOriginalWithinMax(r: ConfigReader, key: string, original: number, maxPos: number): void {
  if (original > maxPos) {
    r.fail(
      key,
      `at most max_position_embeddings (${maxPos.toLocaleString('en-US')}): the pretraining window cannot be longer than the model's window`,
      original,
    );
  }
}

interface ArchShape {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numAttentionHeads: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly tied: boolean;
  readonly mla: { spec: MlaSpec; qLoraRank: number | undefined } | undefined;
}

/** Parameter counts from the architecture; norms, biases and attention sinks are negligible and left out. */
function deriveParams(r: ConfigReader, modelType: string | undefined, a: ArchShape): { total: number; active: number } {
  const h = a.hiddenSize;
  let attention: number;
  if (a.mla) {
    const { kvLoraRank, qkRopeHeadDim, qkNopeHeadDim, vHeadDim } = a.mla.spec;
    const qk = qkNopeHeadDim + qkRopeHeadDim;
    const q =
      a.mla.qLoraRank !== undefined ? h * a.mla.qLoraRank + a.mla.qLoraRank * a.numAttentionHeads * qk : h * a.numAttentionHeads * qk;
    const kv = h * (kvLoraRank + qkRopeHeadDim) + kvLoraRank * a.numAttentionHeads * (qkNopeHeadDim + vHeadDim);
    attention = q + kv + a.numAttentionHeads * vHeadDim * h;
  } else {
    attention = 2 * h * a.numAttentionHeads * a.headDim + 2 * h * a.numKvHeads * a.headDim;
  }

  const matrices = modelType !== undefined && nonGatedMlpTypes.has(modelType) ? 2 : 3;
  const mlp = (intermediate: number): number => matrices * h * intermediate;

  const numExperts = r.optIntAlias(['num_local_experts', 'n_routed_experts', 'num_experts'], maxExperts, 0) ?? 0;
  const moeLayer = numExperts > 1 ? moeLayerPredicate(r, modelType, a.numLayers) : () => false;
  const anyDense = Array.from({ length: a.numLayers }, (_, i) => !moeLayer(i)).some(Boolean);

  let denseMlp = 0;
  if (anyDense) {
    const intermediate = r.optIntAlias(['intermediate_size_mlp', 'intermediate_size', 'n_inner', 'ffn_hidden_size'], maxDim);
    if (intermediate === undefined && matrices === 3) r.int('intermediate_size', maxDim);
    denseMlp = mlp(intermediate ?? 4 * h);
  }

  let moeTotal = 0;
  let moeActive = 0;
  if (numExperts > 1) {
    const perToken = r.optIntAlias(['num_experts_per_tok', 'experts_per_token', 'num_experts_per_token'], numExperts);
    if (perToken === undefined) r.int('num_experts_per_tok', numExperts);
    const expert = mlp(r.optInt('moe_intermediate_size', maxDim) ?? r.int('intermediate_size', maxDim));
    let shared = 0;
    const sharedCount = r.optIntAlias(['n_shared_experts', 'num_shared_experts'], maxExperts, 0);
    const sharedIntermediate = r.optInt('shared_expert_intermediate_size', maxDim, 0);
    if (sharedCount !== undefined) shared = sharedCount * expert;
    else if (sharedIntermediate !== undefined) shared = mlp(sharedIntermediate);
    // Llama 4 MoE layers always add one shared expert of the routed experts' size.
    else if (modelType === 'llama4_text' || modelType === 'llama4') shared = expert;
    const router = h * numExperts;
    moeTotal = numExperts * expert + shared + router;
    moeActive = (perToken ?? 1) * expert + shared + router;
  }

  let total = a.vocabSize * h * (a.tied ? 1 : 2);
  let active = total;
  for (let i = 0; i < a.numLayers; i++) {
    const moe = moeLayer(i);
    total += attention + (moe ? moeTotal : denseMlp);
    active += attention + (moe ? moeActive : denseMlp);
  }
  return { total, active };
}

/** Which layers carry experts, per family convention. */
function moeLayerPredicate(r: ConfigReader, modelType: string | undefined, numLayers: number): (i: number) => boolean {
  const moeLayers = r.optArray('moe_layers');
  if (moeLayers !== undefined) {
    const set = new Set(moeLayers.map((v, i) => r.checkInt(`moe_layers[${i}]`, v, numLayers - 1, 0)));
    return (i) => set.has(i);
  }
  if (modelType === 'llama4_text' || modelType === 'llama4') {
    const step = r.int('interleave_moe_layer_step', maxLayers);
    return (i) => (i + 1) % step === 0;
  }
  if (r.present('first_k_dense_replace') || r.present('moe_layer_freq')) {
    // DeepSeek: the first k layers are dense, then every moe_layer_freq-th layer is MoE.
    const firstK = r.optInt('first_k_dense_replace', maxLayers, 0) ?? 0;
    const freq = r.optInt('moe_layer_freq', maxLayers) ?? 1;
    return (i) => i >= firstK && i % freq === 0;
  }
  if (r.present('decoder_sparse_step') || r.present('mlp_only_layers')) {
    // Qwen MoE: layers listed in mlp_only_layers are dense; otherwise every decoder_sparse_step-th layer.
    const step = r.optInt('decoder_sparse_step', maxLayers) ?? 1;
    const dense = new Set((r.optArray('mlp_only_layers') ?? []).map((v, i) => r.checkInt(`mlp_only_layers[${i}]`, v, numLayers - 1, 0)));
    return (i) => !dense.has(i) && (i + 1) % step === 0;
  }
  return () => true;
}
