import type { GgufValue } from '../../model/ggufHeader';
import { HfTokenizerError } from '../hf/hfTokenizerError';

// The vocabulary embedded in a GGUF file, read the way llama.cpp reads it
// (ggml-org/llama.cpp@v0.4.0:src/llama-vocab.cpp llama_vocab::impl::load): the keys, their types,
// the defaults, and which tokens count as special. Every problem names the GGUF key.

/** Metadata keys of a GGUF vocabulary (llama-arch.cpp LLM_KV_TOKENIZER_*). */
export const ggufTokenizerKeys = {
  model: 'tokenizer.ggml.model',
  pre: 'tokenizer.ggml.pre',
  tokens: 'tokenizer.ggml.tokens',
  tokenType: 'tokenizer.ggml.token_type',
  scores: 'tokenizer.ggml.scores',
  merges: 'tokenizer.ggml.merges',
  addSpacePrefix: 'tokenizer.ggml.add_space_prefix',
  chatTemplate: 'tokenizer.chat_template',
} as const;

/** Special-token id keys and the names llama.cpp gives them. */
const specialIdKeys = {
  bos: 'tokenizer.ggml.bos_token_id',
  eos: 'tokenizer.ggml.eos_token_id',
  eot: 'tokenizer.ggml.eot_token_id',
  eom: 'tokenizer.ggml.eom_token_id',
  unk: 'tokenizer.ggml.unknown_token_id',
  sep: 'tokenizer.ggml.seperator_token_id',
  pad: 'tokenizer.ggml.padding_token_id',
  mask: 'tokenizer.ggml.mask_token_id',
  fimPre: 'tokenizer.ggml.fim_pre_token_id',
  fimSuf: 'tokenizer.ggml.fim_suf_token_id',
  fimMid: 'tokenizer.ggml.fim_mid_token_id',
  fimPad: 'tokenizer.ggml.fim_pad_token_id',
  fimRep: 'tokenizer.ggml.fim_rep_token_id',
  fimSep: 'tokenizer.ggml.fim_sep_token_id',
} as const;
/** Older names llama.cpp still reads for the FIM ids. */
const deprecatedFimKeys = {
  fimPre: 'tokenizer.ggml.prefix_token_id',
  fimSuf: 'tokenizer.ggml.suffix_token_id',
  fimMid: 'tokenizer.ggml.middle_token_id',
} as const;

type SpecialName = keyof typeof specialIdKeys;

/** Whether a metadata key is one the vocabulary needs kept in full when the header is read. */
export function isGgufVocabularyKey(key: string): boolean {
  return key.startsWith('tokenizer.') || key === 'general.name' || key === 'general.architecture';
}

/** A GGUF vocabulary, validated. */
export interface GgufVocabulary {
  /** `tokenizer.ggml.model`: byte-level BPE (`gpt2`, `gemma4`) or SentencePiece (`llama`). */
  readonly model: 'gpt2' | 'llama' | 'gemma4';
  /** `tokenizer.ggml.pre`; undefined when absent (llama.cpp then uses "default"). */
  readonly pre: string | undefined;
  readonly tokens: readonly string[];
  readonly tokenTypes: Int32Array | undefined;
  readonly scores: Float32Array | undefined;
  /** "left right" lines, in rank order. */
  readonly merges: readonly string[] | undefined;
  /** SentencePiece: prepend a space to the text and after each special token. */
  readonly addSpacePrefix: boolean;
  /** Special token ids after llama.cpp's defaults and the file's keys. */
  readonly specialIds: Readonly<Partial<Record<SpecialName, number>>>;
  /** `general.name`, if any. */
  readonly generalName: string | undefined;
  readonly architecture: string | undefined;
  /** `tokenizer.chat_template`, if any. */
  readonly chatTemplate: string | undefined;
}

const supportedModels = ['gpt2', 'llama', 'gemma4'];
/** Models llama.cpp has that we do not count with (WordPiece, Unigram, RWKV, …). */
const knownModels = ['no_vocab', 'none', 'bert', 't5', 'rwkv', 'plamo2', 'hybriddna', 'whitespace'];

/**
 * Reads the vocabulary from a header read with {@link isGgufVocabularyKey} arrays kept. Throws
 * {@link HfTokenizerError} whose path is the GGUF key at fault.
 */
export function ggufVocabulary(metadata: ReadonlyMap<string, GgufValue>): GgufVocabulary {
  const model = stringValue(metadata, ggufTokenizerKeys.model, true) as string;
  if (!supportedModels.includes(model)) {
    const known = knownModels.includes(model);
    throw new HfTokenizerError(
      ggufTokenizerKeys.model,
      known ? `"${model}" is not supported (supported: gpt2, llama, gemma4)` : `"${model}" is not a tokenizer llama.cpp knows`,
      known,
    );
  }
  const tokens = stringArray(metadata, ggufTokenizerKeys.tokens, true) as string[];
  if (tokens.length === 0) throw new HfTokenizerError(ggufTokenizerKeys.tokens, 'is empty');
  // llama.cpp renames an empty token so every token has text.
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === '') tokens[i] = `[EMPTY_${i}]`;
  const merges = stringArray(metadata, ggufTokenizerKeys.merges, false);
  if (model !== 'llama' && merges === undefined) {
    throw new HfTokenizerError(ggufTokenizerKeys.merges, 'is missing: a BPE vocabulary needs its merges');
  }
  const scores = numberArray(metadata, ggufTokenizerKeys.scores, ['int32', 'float32'], tokens.length);
  const types = numberArray(metadata, ggufTokenizerKeys.tokenType, ['int32'], tokens.length);
  const pre = model === 'gemma4' ? 'gemma4' : stringValue(metadata, ggufTokenizerKeys.pre, false);
  const addSpacePrefix = booleanValue(metadata, ggufTokenizerKeys.addSpacePrefix) ?? model === 'llama';

  // Defaults per model, then the file's keys where in range (llama_vocab::impl::load).
  const specialIds: Partial<Record<SpecialName, number>> =
    model === 'llama' ? { bos: 1, eos: 2, unk: 0 } : model === 'gpt2' ? { bos: 11, eos: 11 } : {};
  if (model === 'gpt2' && (pre === 'glm4' || pre === 'chatglm-bpe')) delete specialIds.bos;
  for (const [name, key] of Object.entries(specialIdKeys) as [SpecialName, string][]) {
    const fallback = specialIds[name];
    if (fallback !== undefined && fallback >= tokens.length) delete specialIds[name];
    const keys = name in deprecatedFimKeys ? [key, deprecatedFimKeys[name as keyof typeof deprecatedFimKeys]] : [key];
    for (const each of keys) {
      const value = metadata.get(each);
      if (value === undefined || value.type === 'array' || typeof value.value !== 'number') continue;
      if (Number.isInteger(value.value) && value.value >= 0 && value.value < tokens.length) specialIds[name] = value.value;
    }
  }
  return {
    model: model as GgufVocabulary['model'],
    pre,
    tokens,
    tokenTypes: types === undefined ? undefined : Int32Array.from(types),
    scores: scores === undefined ? undefined : Float32Array.from(scores),
    merges,
    addSpacePrefix,
    specialIds,
    generalName: stringValue(metadata, 'general.name', false),
    architecture: stringValue(metadata, 'general.architecture', false),
    chatTemplate: stringValue(metadata, ggufTokenizerKeys.chatTemplate, false),
  };
}

function stringValue(metadata: ReadonlyMap<string, GgufValue>, key: string, required: boolean): string | undefined {
  const value = metadata.get(key);
  if (value === undefined) {
    if (required) throw new HfTokenizerError(key, 'is missing: the file has no tokenizer');
    return undefined;
  }
  if (value.type !== 'string') throw new HfTokenizerError(key, `must be a string (got ${value.type})`);
  if (value.value === null) {
    throw new HfTokenizerError(key, `is ${value.byteLength.toLocaleString('en-US')} bytes long, more than Context Budget reads`);
  }
  return value.value as string;
}

function booleanValue(metadata: ReadonlyMap<string, GgufValue>, key: string): boolean | undefined {
  const value = metadata.get(key);
  if (value === undefined) return undefined;
  if (value.type !== 'bool') throw new HfTokenizerError(key, `must be a bool (got ${value.type})`);
  return value.value as boolean;
}

function stringArray(metadata: ReadonlyMap<string, GgufValue>, key: string, required: boolean): string[] | undefined {
  const value = metadata.get(key);
  if (value === undefined) {
    if (required) throw new HfTokenizerError(key, 'is missing: the file has no vocabulary');
    return undefined;
  }
  if (value.type !== 'array' || value.elementType !== 'string') {
    throw new HfTokenizerError(
      key,
      `must be an array of strings (got ${value.type === 'array' ? `an array of ${value.elementType}` : value.type})`,
    );
  }
  if (value.values === undefined) throw new HfTokenizerError(key, 'was not read (the header was read without the vocabulary)');
  return value.values as string[];
}

function numberArray(
  metadata: ReadonlyMap<string, GgufValue>,
  key: string,
  types: readonly string[],
  atLeast: number,
): number[] | undefined {
  const value = metadata.get(key);
  if (value === undefined) return undefined;
  if (value.type !== 'array' || !types.includes(value.elementType)) {
    throw new HfTokenizerError(
      key,
      `must be an array of ${types.join(' or ')} (got ${value.type === 'array' ? `an array of ${value.elementType}` : value.type})`,
    );
  }
  if (value.values === undefined) throw new HfTokenizerError(key, 'was not read (the header was read without the vocabulary)');
  if (value.length < atLeast) {
    throw new HfTokenizerError(
      key,
      `has ${value.length.toLocaleString('en-US')} entries, fewer than the ${atLeast.toLocaleString('en-US')} tokens`,
    );
  }
  return value.values as number[];
}

/** llama_token_attr bits (include/llama.h). */
export const tokenAttr = {
  undefined: 0,
  unknown: 1 << 0,
  unused: 1 << 1,
  normal: 1 << 2,
  control: 1 << 3,
  userDefined: 1 << 4,
  byte: 1 << 5,
  normalized: 1 << 6,
  lstrip: 1 << 7,
  rstrip: 1 << 8,
  singleWord: 1 << 9,
} as const;

/** LLAMA_TOKEN_TYPE_* (the `token_type` values) → attribute. */
const typeToAttr = [
  tokenAttr.undefined,
  tokenAttr.normal,
  tokenAttr.unknown,
  tokenAttr.control,
  tokenAttr.userDefined,
  tokenAttr.unused,
  tokenAttr.byte,
];

// Texts llama.cpp recognises (llama_vocab::impl::load, "auto-detect special tokens by text").
const guardedDetections: readonly (readonly [SpecialName, readonly string[]])[] = [
  [
    'eot',
    [
      '<|eot_id|>',
      '<|im_end|>',
      '<|end|>',
      '<end_of_turn>',
      '<|endoftext|>',
      '<|end_of_text|>',
      '<EOT>',
      '_<EOT>',
      '[EOT]',
      '<｜end▁of▁sentence｜>',
      '<end_of_utterance>',
    ],
  ],
  ['eom', ['<|eom_id|>']],
  ['fimPre', ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<｜fim▁begin｜>', '<PRE>', '▁<PRE>', '<|code_prefix|>', '<|prefix|>']],
  ['fimSuf', ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<｜fim▁hole｜>', '<SUF>', '▁<SUF>', '<|code_suffix|>', '<|suffix|>']],
  ['fimMid', ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<｜fim▁end｜>', '<MID>', '▁<MID>', '<|code_middle|>', '<|middle|>']],
  ['fimPad', ['<|fim_pad|>', '<fim-pad>', '<fim_pad>', '<PAD>', '[PAD]']],
  ['fimRep', ['<|fim_repo|>', '<|repo_name|>', '<fim-repo>', '<REPO>', '<reponame>']],
  ['fimSep', ['<|file_sep|>']],
];
const endOfGeneration = new Set([
  '<|eot_id|>',
  '<|im_end|>',
  '<|end|>',
  '<|return|>',
  '<|call|>',
  '<|flush|>',
  '<|calls|>',
  '<end_of_turn>',
  '<|endoftext|>',
  '</s>',
  '<|eom_id|>',
  '<EOT>',
  '_<EOT>',
  '[EOT]',
  '[EOS]',
  '<|end_of_text|>',
  '<end_of_utterance>',
  '<eos>',
  '<turn|>',
  '<|tool_response>',
  '<｜end▁of▁sentence｜>',
  '[e~[',
]);

/**
 * Each token's attributes as llama.cpp has them when it tokenizes: the token types, then its
 * load-time corrections by text (control-looking tokens become control, gpt-oss's channel tokens
 * user-defined, …), then LSTRIP/RSTRIP by model name. llama.cpp walks an unordered map for the
 * corrections that apply to the first match only (the EOT and FIM tokens when the file names no id);
 * this goes by id order. Real conversions already type those tokens as control, where the order
 * cannot matter.
 */
export function specialTokenAttributes(vocab: GgufVocabulary): number[] {
  const { tokens } = vocab;
  const attrs = tokens.map((_, id) =>
    vocab.tokenTypes ? (typeToAttr[vocab.tokenTypes[id] as number] ?? tokenAttr.undefined) : tokenAttr.normal,
  );
  // token_to_id keeps the last id of a repeated text.
  const idOf = new Map<string, number>();
  tokens.forEach((token, id) => idOf.set(token, id));
  const ids = { ...vocab.specialIds };
  for (const [name, texts] of guardedDetections) {
    if (ids[name] !== undefined) continue;
    const candidates = texts.map((text) => idOf.get(text)).filter((id): id is number => id !== undefined);
    if (candidates.length === 0) continue;
    const id = Math.min(...candidates);
    ids[name] = id;
    attrs[id] = (attrs[id] as number) | tokenAttr.control;
  }
  const eog = new Set<number>();
  for (const name of ['fimPad', 'fimRep', 'fimSep'] as const) if (ids[name] !== undefined) eog.add(ids[name]);
  for (const token of endOfGeneration) {
    const id = idOf.get(token);
    if (id === undefined) continue;
    eog.add(id);
    attrs[id] = (attrs[id] as number) | tokenAttr.control;
  }
  for (const token of ['<|channel|>', '<|message|>', '<|start|>', '<|constrain|>']) {
    const id = idOf.get(token);
    if (id !== undefined) attrs[id] = tokenAttr.userDefined;
  }
  for (const name of ['eos', 'eot', 'eom'] as const) if (ids[name] !== undefined) eog.add(ids[name]);
  const eogTexts = new Map([...eog].map((id) => [tokens[id] as string, id]));
  const has = (text: string): boolean => eogTexts.has(text);
  // o200k_harmony and solar-open: <|end|> is not end-of-generation, and becomes user-defined.
  if (
    has('<|end|>') &&
    ((has('<|return|>') && (has('<|call|>') || has('<|calls|>'))) || ((has('<|call|>') || has('<|calls|>')) && has('<|flush|>')))
  ) {
    attrs[eogTexts.get('<|end|>') as number] = tokenAttr.userDefined;
  }
  // Gemma 4 and PaddleOCR: </s> is a plain token.
  if (has('<|tool_response>') && has('</s>')) attrs[eogTexts.get('</s>') as number] = tokenAttr.normal;

  const special = (id: number): boolean => ((attrs[id] as number) & (tokenAttr.control | tokenAttr.userDefined | tokenAttr.unknown)) !== 0;
  const setFlag = (id: number | undefined, flag: number, on: boolean): void => {
    if (id === undefined) return;
    attrs[id] = on ? (attrs[id] as number) | flag : (attrs[id] as number) & ~flag;
  };
  const name = (vocab.generalName ?? '').toLowerCase();
  const pre = vocab.pre ?? '';
  const architecture = vocab.architecture ?? '';
  if (
    ['jina-v2-de', 'jina-v2-es', 'jina-v2-code'].some((part) => pre.includes(part)) ||
    ['nomic-bert-moe', 'jina-bert-v3'].some((part) => architecture.includes(part))
  ) {
    setFlag(idOf.get('<mask>'), tokenAttr.lstrip, true);
  } else if (name.includes('phi-3') || name.includes('phi3')) {
    const cached = tokens.map((_, id) => id).filter(special);
    for (const id of cached) setFlag(id, tokenAttr.rstrip, true);
    setFlag(idOf.get('</s>'), tokenAttr.rstrip, true);
    for (const token of ['<unk>', '<s>', '<|endoftext|>']) setFlag(idOf.get(token), tokenAttr.rstrip, false);
  } else if (name.includes('modern-bert')) {
    setFlag(idOf.get('[MASK]'), tokenAttr.lstrip, true);
  }
  return attrs;
}
