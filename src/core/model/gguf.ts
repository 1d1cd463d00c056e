/**
 * Turns a GGUF header ({@link readGgufHeader}) into a {@link ModelSpec}, reading the keys llama.cpp
 * itself reads (`{arch}.block_count`, `{arch}.attention.head_count_kv`, …) and following its
 * conventions where the file is silent (per-architecture sliding-window layouts, head dim =
 * embedding / heads). Parameters and weight bytes are counted exactly from the tensor infos; the
 * weights are reported as stored (e.g. Q4_K_M), not as params × a dtype.
 *
 * Anything missing, mistyped or not expressible in a ModelSpec throws a {@link ModelConfigError}
 * naming the key, like the config.json parser: a GGUF never becomes a silently wrong estimate.
 */
import { fileTypeName, ggmlTypes } from './ggmlTypes';
import { ggufLimits } from './ggufHeader';
import type { GgufHeader, GgufScalar, GgufTensorInfo, GgufValue } from './ggufHeader';
import { groupLayerAttention, ModelConfigError } from './hfConfig';
import type { LayerAttention, MlaSpec, ModelSpec, RopeScaling } from './modelSpec';
import { maxDim, maxExperts, maxHeads, maxLayers, maxPositions, maxRopeFactor, maxVocab, scaledWindowProblem } from './modelBounds';

/** How the spec is labelled. */
export interface GgufModelOptions {
  /** Id for the spec (the file path). */
  readonly id: string;
  /** Defaults to `general.name` (or the file name) plus the quantisation. */
  readonly displayName?: string;
  /** Where the file is; error-message prefix and the spec's source. */
  readonly sourcePath?: string;
}

/** Where llama.cpp hardcodes which layers slide (`set_swa_pattern`) when the file has no pattern key. */
interface SwaLayout {
  readonly period: number;
  /** false: the last layer of each period is global; true: the first is. */
  readonly denseFirst: boolean;
}

/**
 * llama.cpp's per-architecture defaults (src/models/*.cpp); `{arch}.attention.sliding_window_pattern`
 * overrides them. A Map, not an object: the architecture comes from the file, and "constructor" or
 * "__proto__" must find nothing.
 */
const swaLayouts: ReadonlyMap<string, SwaLayout> = new Map([
  ['gpt-oss', { period: 2, denseFirst: false }],
  ['gemma2', { period: 2, denseFirst: false }],
  ['gemma3', { period: 6, denseFirst: false }],
  ['gemma3n', { period: 5, denseFirst: false }],
  ['gemma-embedding', { period: 6, denseFirst: false }],
  ['cohere2', { period: 4, denseFirst: false }],
  ['exaone4', { period: 4, denseFirst: false }],
  ['exaone-moe', { period: 4, denseFirst: false }],
  ['olmo2', { period: 4, denseFirst: false }],
  ['mellum', { period: 4, denseFirst: false }],
  ['afmoe', { period: 4, denseFirst: false }],
  ['plamo3', { period: 8, denseFirst: false }],
  ['smallthinker', { period: 4, denseFirst: true }],
  ['laguna', { period: 4, denseFirst: true }],
  ['cohere2moe', { period: 4, denseFirst: true }],
]);

/** general.name is shown in the status bar and panel: longer names are cut here (and noted). */
const maxDisplayNameChars = 200;

/** Architectures whose sliding_window key llama.cpp reads but never applies (Phi-3 sets pattern 1). */
const swaIgnored = new Set(['phi3']);

/** Llama 4: llama.cpp attends in chunks of 8192 on three layers of every four (the fourth is global NoPE). */
const llama4Chunk = 8192;
const llama4Period = 4;

/** Recurrent architectures: no attention, so no KV cache to estimate. */
const recurrent = new Set(['mamba', 'mamba2', 'rwkv6', 'rwkv6qwen2', 'rwkv7', 'arwkv7']);

/** Routed-expert tensors (`blk.N.ffn_{gate,up,down,gate_up}_exps.weight`); shared experts are `_shexp`. */
const expertTensor = /_exps(\.|$)/;

function describe(v: GgufValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v.type === 'array') return `an array of ${v.length} ${v.elementType} values`;
  if (v.value === null) return `a string of ${v.byteLength.toLocaleString('en-US')} bytes, too long to read`;
  const s = v.value;
  if (typeof s === 'string') return `string ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)}`;
  return `${v.type} ${String(s)}`;
}

const integerTypes = new Set(['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'uint64', 'int64']);

/** Typed access to the header's metadata with errors that name the key. */
class MetaReader {
  constructor(
    private readonly meta: ReadonlyMap<string, GgufValue>,
    readonly label: string,
  ) {}

  has(key: string): boolean {
    return this.meta.has(key);
  }

  get(key: string): GgufValue | undefined {
    return this.meta.get(key);
  }

  fail(key: string, requirement: string): never {
    throw new ModelConfigError(key, `${this.label}: "${key}" must be ${requirement} (got ${describe(this.meta.get(key))})`);
  }

  missing(key: string, requirement: string): never {
    throw new ModelConfigError(key, `${this.label}: "${key}" is missing; it must be ${requirement}`);
  }

  string(key: string): string {
    const v = this.meta.get(key);
    if (v === undefined) this.missing(key, 'a string');
    if (v.type !== 'string') this.fail(key, 'a string');
    if (v.value === null) this.fail(key, `a string of at most ${ggufLimits.maxKeptStringBytes.toLocaleString('en-US')} bytes`);
    return v.value as string;
  }

  optString(key: string): string | undefined {
    return this.meta.has(key) ? this.string(key) : undefined;
  }

  int(key: string, max: number, min = 1): number {
    if (!this.meta.has(key)) this.missing(key, `an integer from ${min} to ${max.toLocaleString('en-US')}`);
    return this.optInt(key, max, min)!;
  }

  optInt(key: string, max: number, min = 1): number | undefined {
    const v = this.meta.get(key);
    if (v === undefined) return undefined;
    if (v.type === 'array' || !integerTypes.has(v.type) || !inRange(v.value, min, max)) {
      this.fail(key, `an integer from ${min} to ${max.toLocaleString('en-US')}`);
    }
    return v.value as number;
  }

  optFloat(key: string): number | undefined {
    const v = this.meta.get(key);
    if (v === undefined) return undefined;
    if (v.type === 'array' || typeof v.value !== 'number' || !Number.isFinite(v.value)) this.fail(key, 'a number');
    return v.value;
  }

  /**
   * A value llama.cpp reads with `get_key_or_arr`: one integer for every layer, or an array of one
   * integer per layer. Returns the per-layer values.
   */
  perLayer(key: string, layers: number, max: number, min: number): number[] | undefined {
    const v = this.meta.get(key);
    if (v === undefined) return undefined;
    if (v.type !== 'array') return Array.from({ length: layers }, () => this.optInt(key, max, min)!);
    const requirement = `an integer from ${min} to ${max.toLocaleString('en-US')}, or an array of ${layers} of them (one per layer)`;
    if (v.length !== layers || v.values === undefined || !integerTypes.has(v.elementType)) this.fail(key, requirement);
    return v.values.map((x, i) => {
      if (!inRange(x, min, max)) {
        throw new ModelConfigError(
          key,
          `${this.label}: "${key}[${i}]" must be an integer from ${min} to ${max.toLocaleString('en-US')} (got ${String(x)})`,
        );
      }
      return x as number;
    });
  }
}

function inRange(v: GgufScalar | null, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** The one value of a per-layer array that must be the same on every layer, or an error saying why not. */
function uniform(r: MetaReader, key: string, values: readonly number[], why: string): number {
  const distinct = [...new Set(values)];
  if (distinct.length === 1) return distinct[0]!;
  throw new ModelConfigError(
    key,
    `${r.label}: "${key}" differs between layers (${distinct.slice(0, 6).join(', ')}${distinct.length > 6 ? ', …' : ''}); ${why}`,
  );
}

/**
 * Maps a GGUF header to a {@link ModelSpec} with `origin: 'gguf'` and `storedWeights` set.
 *
 * @throws ModelConfigError naming the metadata key for anything missing, mistyped, out of range,
 *   or outside what a ModelSpec can express (per-layer KV head counts, recurrent layers).
 */
export function ggufToModelSpec(header: GgufHeader, options: GgufModelOptions): ModelSpec {
  const label = options.sourcePath ?? 'model.gguf';
  const r = new MetaReader(header.metadata, label);
  const notes: string[] = [];
  const arch = r.string('general.architecture');
  const k = (suffix: string): string => `${arch}.${suffix}`;

  if (recurrent.has(arch) && !r.has(k('attention.head_count'))) {
    throw new ModelConfigError(
      'general.architecture',
      `${label}: "${arch}" is a recurrent model with no attention layers, so it has no KV cache for Context Budget to estimate`,
    );
  }
  if (header.tensors.length === 0) {
    throw new ModelConfigError(
      '(tensors)',
      `${label}: the file has no tensors (a vocabulary-only GGUF?), so there are no weights to estimate`,
    );
  }

  const numLayers = r.int(k('block_count'), maxLayers);
  const maxPositionEmbeddings = r.int(k('context_length'), maxPositions);
  const hiddenSize = r.int(k('embedding_length'), maxDim);

  const headsKey = k('attention.head_count');
  const headsPerLayer = r.perLayer(headsKey, numLayers, maxHeads, 0) ?? r.missing(headsKey, 'an integer (or one per layer)');
  const numAttentionHeads = uniform(r, headsKey, headsPerLayer, 'Context Budget models one head count for all layers');
  if (numAttentionHeads === 0) r.fail(headsKey, 'at least 1 (0 means no attention layers)');
  const kvKey = k('attention.head_count_kv');
  const kvPerLayer = r.perLayer(kvKey, numLayers, maxHeads, 0);
  const numKvHeads =
    kvPerLayer === undefined
      ? numAttentionHeads
      : uniform(
          r,
          kvKey,
          kvPerLayer,
          kvPerLayer.includes(0)
            ? 'layers with 0 KV heads are recurrent (hybrid models such as Jamba or Granite 4), and Context Budget models attention-only stacks'
            : 'Context Budget models one KV head count for all layers, so this KV cache cannot be estimated exactly',
        );
  if (numKvHeads === 0 || numAttentionHeads % numKvHeads !== 0) {
    r.fail(kvKey, `a positive integer dividing ${headsKey} (${numAttentionHeads})`);
  }

  const sharedKv = r.optInt(k('attention.shared_kv_layers'), maxLayers, 0) ?? 0;
  if (sharedKv > 0) {
    throw new ModelConfigError(
      k('attention.shared_kv_layers'),
      `${label}: "${k('attention.shared_kv_layers')}" is ${sharedKv}: those layers reuse another layer's KV cache, which Context Budget does not model`,
    );
  }

  const mla = readMla(r, k, notes);
  const headDim = mla ? mla.qkNopeHeadDim + mla.qkRopeHeadDim : readHeadDim(r, k, hiddenSize, numAttentionHeads, notes);

  const perLayer = layerAttentions(r, arch, k, numLayers, maxPositionEmbeddings, notes);
  const { ropeScaling, pretrainedWindow } = readRope(r, k, maxPositionEmbeddings, header.tensors, notes);
  const vocabSize = readVocab(r, k, header);
  const weights = countWeights(r, k, header, notes);
  const quant = quantLabel(r, header.tensors);
  if (header.version === 2) notes.push('GGUF version 2 file.');

  return {
    id: options.id,
    displayName: options.displayName ?? `${displayBaseName(r, label, notes)} (GGUF ${quant})`,
    origin: 'gguf',
    architecture: arch,
    hiddenSize,
    numLayers,
    numAttentionHeads,
    numKvHeads: mla ? numAttentionHeads : numKvHeads,
    headDim,
    layers: groupLayerAttention(perLayer),
    ...(mla ? { mla } : {}),
    vocabSize,
    paramsTotal: weights.paramsTotal,
    paramsActive: weights.paramsActive,
    paramsDerived: false,
    maxPositionEmbeddings,
    ...(ropeScaling ? { ropeScaling } : {}),
    pretrainedWindow,
    tokenizer: arch === 'gpt-oss' ? 'o200k_base' : 'other',
    storedWeights: { bytes: weights.bytes, activeBytes: weights.activeBytes, label: `GGUF ${quant}` },
    sources: [label],
    notes,
  };
}

function readHeadDim(r: MetaReader, k: (s: string) => string, hiddenSize: number, heads: number, notes: string[]): number {
  const keyKey = k('attention.key_length');
  const valueKey = k('attention.value_length');
  let keyLength = r.optInt(keyKey, maxDim);
  if (keyLength === undefined) {
    // llama.cpp's default: n_embd_head_k = n_embd / n_head.
    if (hiddenSize % heads !== 0) {
      r.missing(keyKey, `given, because ${k('embedding_length')} ${hiddenSize} is not divisible by ${k('attention.head_count')} ${heads}`);
    }
    keyLength = hiddenSize / heads;
  }
  const valueLength = r.optInt(valueKey, maxDim) ?? keyLength;
  for (const [swaKey, full] of [
    [k('attention.key_length_swa'), keyLength],
    [k('attention.value_length_swa'), valueLength],
  ] as const) {
    const swa = r.optInt(swaKey, maxDim);
    if (swa !== undefined && swa !== full) {
      throw new ModelConfigError(
        swaKey,
        `${r.label}: "${swaKey}" is ${swa} but the global layers use ${full}: Context Budget models one head dimension for all layers`,
      );
    }
  }
  if (keyLength === valueLength) return keyLength;
  // K and V heads differ: the cache holds heads × (k + v) per layer and attention costs heads × (k + v)
  // per pair, both exactly what a head dim of (k + v) / 2 gives.
  notes.push(
    `Key heads are ${keyLength} wide and value heads ${valueLength}; headDim is their mean, ${(keyLength + valueLength) / 2}, which gives the exact KV size and attention FLOPs.`,
  );
  return (keyLength + valueLength) / 2;
}

/** DeepSeek-style multi-head latent attention, when `{arch}.attention.kv_lora_rank` is present. */
function readMla(r: MetaReader, k: (s: string) => string, notes: string[]): MlaSpec | undefined {
  const kvLoraRank = r.optInt(k('attention.kv_lora_rank'), maxDim);
  if (kvLoraRank === undefined) return undefined;
  const qkRopeHeadDim = r.int(k('rope.dimension_count'), maxDim);
  // Newer conversions store the absorbed sizes in key_length/value_length and the per-head ones in *_mla.
  const qkKey = r.has(k('attention.key_length_mla')) ? k('attention.key_length_mla') : k('attention.key_length');
  const vKey = r.has(k('attention.value_length_mla')) ? k('attention.value_length_mla') : k('attention.value_length');
  const qkHeadDim = r.int(qkKey, maxDim);
  if (qkHeadDim <= qkRopeHeadDim) {
    r.fail(qkKey, `greater than ${k('rope.dimension_count')} (${qkRopeHeadDim}): it is the nope + rope head dimension`);
  }
  notes.push(
    `MLA: the KV cache holds kv_lora_rank + rope dims = ${kvLoraRank + qkRopeHeadDim} elements per token per layer (the compressed latent, as vLLM and recent llama.cpp cache it).`,
  );
  // llama.cpp caches the latent only when the file has the MLA layout (key_length_mla, attn_k_b/attn_v_b).
  const latentCacheInFile = r.has(k('attention.key_length_mla'));
  if (!latentCacheInFile) {
    notes.push(
      `No ${k('attention.key_length_mla')}: an older conversion without the MLA tensors, so llama.cpp caches full per-head K and V (the llama.cpp engine profile follows this).`,
    );
  }
  return { kvLoraRank, qkRopeHeadDim, qkNopeHeadDim: qkHeadDim - qkRopeHeadDim, vHeadDim: r.int(vKey, maxDim), latentCacheInFile };
}

function layerAttentions(
  r: MetaReader,
  arch: string,
  k: (s: string) => string,
  numLayers: number,
  maxPos: number,
  notes: string[],
): LayerAttention[] {
  const full = (): LayerAttention[] => Array.from({ length: numLayers }, () => ({ kind: 'full' }) as const);
  const windowKey = k('attention.sliding_window');
  const window = r.optInt(windowKey, maxPositions, 0);

  if (arch === 'llama4') {
    if (window === 0) return full();
    notes.push(
      `Llama 4: chunked attention over ${llama4Chunk} tokens on three layers of every ${llama4Period}, the fourth global (hardcoded in llama.cpp, not stored in the file).`,
    );
    return Array.from({ length: numLayers }, (_, i) =>
      (i + 1) % llama4Period === 0 ? ({ kind: 'full' } as const) : ({ kind: 'chunked', chunk: llama4Chunk } as const),
    );
  }
  if (window === undefined || window === 0) return full();
  if (swaIgnored.has(arch)) {
    notes.push(`${windowKey} ${window} is ignored: llama.cpp runs ${arch} with full attention on every layer.`);
    return full();
  }
  if (window >= maxPos) {
    notes.push(`${windowKey} ${window} is at least ${k('context_length')} (${maxPos}), so every layer is effectively full attention.`);
    return full();
  }

  const patternKey = k('attention.sliding_window_pattern');
  const pattern = r.get(patternKey);
  let sliding: (i: number) => boolean;
  if (pattern?.type === 'array') {
    // One entry per layer, true (non-zero) where the layer slides: what llama.cpp reads into is_swa.
    if (
      pattern.length !== numLayers ||
      pattern.values === undefined ||
      !pattern.values.every((v) => typeof v === 'boolean' || inRange(v, 0, 1))
    ) {
      r.fail(patternKey, `one period, or an array of ${numLayers} booleans (one per layer, true where it slides)`);
    }
    const values = pattern.values;
    sliding = (i) => values[i] === true || values[i] === 1;
  } else {
    const layout = swaLayouts.get(arch);
    const period = r.optInt(patternKey, maxLayers, 0) ?? layout?.period;
    if (period === undefined) {
      notes.push(
        `${windowKey} is ${window} but the file has no ${patternKey} and llama.cpp's layer layout for "${arch}" is not known here: every layer is treated as full attention, so the KV cache may be overestimated.`,
      );
      return full();
    }
    if (!r.has(patternKey)) notes.push(`Sliding-window layout: llama.cpp's default for ${arch}, one global layer in every ${period}.`);
    const denseFirst = layout?.denseFirst ?? false;
    // llama_hparams::set_swa_pattern: 0 = every layer slides, 1 = none does.
    sliding = (i) => period === 0 || (denseFirst ? i % period !== 0 : i % period < period - 1);
  }
  return Array.from({ length: numLayers }, (_, i) => (sliding(i) ? ({ kind: 'sliding', window } as const) : ({ kind: 'full' } as const)));
}

/**
 * `general.name`, or the file name when the file has none or one too long to read; cut to
 * {@link maxDisplayNameChars}. Control characters are left in: escaping is the presenters' job.
 */
function displayBaseName(r: MetaReader, label: string, notes: string[]): string {
  const v = r.get('general.name');
  if (v?.type === 'string' && v.value === null) {
    notes.push(`general.name is a ${v.byteLength.toLocaleString('en-US')}-byte string, too long to read; the file name is shown instead.`);
    return fileName(label);
  }
  const name = r.optString('general.name') ?? fileName(label);
  if (name.length <= maxDisplayNameChars) return name;
  notes.push(`general.name is ${name.length.toLocaleString('en-US')} characters long; only the first ${maxDisplayNameChars} are shown.`);
  return `${name.slice(0, maxDisplayNameChars)}…`;
}

/** llama.cpp's rope scaling type names (LLAMA_ROPE_SCALING_TYPES); a Map so "constructor" or "toString" match nothing. */
const ropeTypes: ReadonlyMap<string, RopeScaling['type'] | null> = new Map([
  ['none', null],
  ['linear', 'linear'],
  ['yarn', 'yarn'],
  ['longrope', 'longrope'],
]);

function readRope(
  r: MetaReader,
  k: (s: string) => string,
  maxPos: number,
  tensors: readonly GgufTensorInfo[],
  notes: string[],
): { ropeScaling?: RopeScaling; pretrainedWindow: number } {
  const typeKey = k('rope.scaling.type');
  const factorKey = k('rope.scaling.factor');
  const rawType = r.optString(typeKey);
  let type: RopeScaling['type'] | null;
  let factor: number | undefined;
  if (rawType !== undefined) {
    const mapped = ropeTypes.get(rawType);
    if (mapped === undefined) r.fail(typeKey, `one of "${[...ropeTypes.keys()].join('", "')}"`);
    type = mapped;
    factor = r.optFloat(factorKey);
  } else {
    // Older files: only `rope.scale_linear`.
    factor = r.optFloat(k('rope.scale_linear'));
    type = factor !== undefined ? 'linear' : null;
  }
  const originalKey = k('rope.scaling.original_context_length');
  const original = r.optInt(originalKey, maxPositions);
  // The pretraining window cannot exceed the window the file declares (2^30 beside 131,072 is corrupt).
  if (original !== undefined && original > maxPos) {
    r.fail(
      originalKey,
      `at most ${k('context_length')} (${maxPos.toLocaleString('en-US')}): the pretraining window cannot be longer than the model's window`,
    );
  }
  const plain = { pretrainedWindow: original ?? maxPos };
  if (tensors.some((t) => t.name === 'rope_freqs.weight') && type === null) {
    notes.push(
      `RoPE frequencies are rescaled by a rope_freqs tensor (Llama 3.1-style); GGUF does not record the pretraining window, so it is taken as ${k('context_length')}.`,
    );
  }
  // llama.cpp treats a factor of 0 (or 1) as no scaling.
  if (type === null || factor === undefined || factor === 0 || factor === 1) return plain;
  const usedFactorKey = rawType !== undefined ? factorKey : k('rope.scale_linear');
  if (factor < 1 || factor > maxRopeFactor) r.fail(usedFactorKey, `a number from 1 to ${maxRopeFactor.toLocaleString('en-US')}`);
  const tooLong = original !== undefined ? scaledWindowProblem(usedFactorKey, factor, originalKey, original) : undefined;
  if (tooLong) throw new ModelConfigError(usedFactorKey, `${r.label}: ${tooLong}`);
  if (original === undefined) {
    notes.push(
      `RoPE scaling has no ${k('rope.scaling.original_context_length')}; the pretrained window is taken as ${k('context_length')} (${maxPos}).`,
    );
  }
  return {
    ropeScaling: { type, factor, ...(original !== undefined ? { originalMaxPositionEmbeddings: original } : {}) },
    pretrainedWindow: original ?? maxPos,
  };
}

function readVocab(r: MetaReader, k: (s: string) => string, header: GgufHeader): number {
  const explicit = r.optInt(k('vocab_size'), maxVocab);
  if (explicit !== undefined) return explicit;
  const tokens = r.get('tokenizer.ggml.tokens');
  if (tokens?.type === 'array' && tokens.length > 0) {
    if (tokens.length > maxVocab) r.fail('tokenizer.ggml.tokens', `at most ${maxVocab.toLocaleString('en-US')} tokens`);
    return tokens.length;
  }
  const embedding = header.tensors.find((t) => t.name === 'token_embd.weight');
  if (embedding && embedding.dims.length === 2) return embedding.dims[1]!;
  return r.missing(
    k('vocab_size'),
    'given, because the file has neither tokenizer.ggml.tokens nor a token_embd.weight tensor to count the vocabulary from',
  );
}

interface WeightCount {
  readonly paramsTotal: number;
  readonly paramsActive: number;
  readonly bytes: number;
  readonly activeBytes: number;
}

/**
 * Exact parameter and byte counts from the tensor infos. Active = everything except routed experts,
 * plus the routed share (expert_used_count / expert_count) of the expert tensors.
 */
function countWeights(r: MetaReader, k: (s: string) => string, header: GgufHeader, notes: string[]): WeightCount {
  const unknown = [...new Set(header.tensors.filter((t) => !t.sizeKnown).map((t) => t.ggmlType))];
  if (unknown.length > 0) {
    notes.push(
      `Tensor type${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} unknown to Context Budget: those tensors are measured by the space between their offsets, which includes up to ${header.alignment - 1} bytes of alignment padding each.`,
    );
  }
  let elements = 0;
  let expertElements = 0;
  let bytes = 0;
  let expertBytes = 0;
  for (const t of header.tensors) {
    elements += t.elements;
    bytes += t.bytes;
    if (expertTensor.test(t.name)) {
      expertElements += t.elements;
      expertBytes += t.bytes;
    }
  }

  const expertCountKey = k('expert_count');
  const experts = r.optInt(expertCountKey, maxExperts, 0) ?? 0;
  let share = 1;
  if (expertElements > 0) {
    if (experts < 1) r.missing(expertCountKey, 'given, because the file has routed-expert tensors (*_exps)');
    const used = r.int(k('expert_used_count'), experts);
    share = used / experts;
    notes.push(`MoE: ${used} of ${experts} routed experts per token, so ${formatShare(share)} of the expert tensors count as active.`);
  }
  notes.push(
    `Parameters counted from the file's ${header.tensors.length} tensors; weight memory is the tensors' stored size, not parameters × the weight dtype setting.`,
  );
  return {
    paramsTotal: elements,
    paramsActive: Math.round(elements - expertElements + expertElements * share),
    bytes,
    activeBytes: Math.round(bytes - expertBytes + expertBytes * share),
  };
}

function formatShare(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

/** `general.file_type` by name, else the ggml type holding most bytes ("mostly Q4_K"). */
function quantLabel(r: MetaReader, tensors: readonly GgufTensorInfo[]): string {
  const fileType = r.optInt('general.file_type', 1 << 16, 0);
  if (fileType !== undefined) return fileTypeName(fileType);
  const byType = new Map<number, number>();
  for (const t of tensors) byType.set(t.ggmlType, (byType.get(t.ggmlType) ?? 0) + t.bytes);
  const [top] = [...byType.entries()].sort((a, b) => b[1] - a[1]);
  return top ? `mostly ${ggmlTypes.get(top[0])?.name ?? `type ${top[0]}`}` : 'unknown';
}

function fileName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).at(-1) ?? path;
}
