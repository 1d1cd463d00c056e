// Writes a vocabulary-only GGUF from a real tokenizer.json, converting it the way llama.cpp's
// converter does (ggml-org/llama.cpp@v0.4.0: conversion/base.py `get_vocab_base` and
// `_set_vocab_gpt2` for byte-level BPE; `_create_vocab_sentencepiece` for SentencePiece), so the
// GGUF tokenizer can be checked against llama.cpp itself on a real vocabulary of 128k–262k tokens.
// Not a test file itself.
import type { Encoded } from '../../model/ggufFixture';
import { fileBytes, gguf, v } from '../../model/ggufFixture';

/** LLAMA_TOKEN_TYPE_* as gguf-py writes them. */
const tokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
}

/** How to convert. */
export interface ConversionOptions {
  /** `gpt2`: byte-level BPE with merges; `llama`: SentencePiece with scores. */
  readonly model: 'gpt2' | 'llama' | 'gemma4';
  /** `tokenizer.ggml.pre` (gpt2 only), e.g. "llama-bpe", "qwen2", "deepseek-v3". */
  readonly pre?: string;
  /** `general.name`. */
  readonly name: string;
  /** tokenizer_config.json, for the special token ids and the chat template. */
  readonly config?: Record<string, unknown>;
}

/**
 * does_token_look_special (conversion/base.py): added tokens that ought to be control tokens even
 * when tokenizer.json does not mark them special.
 */
function looksSpecial(token: string): boolean {
  return (
    ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(token) ||
    (token.startsWith('<|') && token.endsWith('|>')) ||
    (token.startsWith('<｜') && token.endsWith('｜>')) ||
    (token.startsWith('<unused') && token.endsWith('>'))
  );
}

function contentOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** The GGUF bytes: a `llama` architecture header with just enough hyper-parameters, and the vocabulary. */
export function ggufFromTokenizerJson(tokenizerJson: string, options: ConversionOptions): Buffer {
  const json = JSON.parse(tokenizerJson) as {
    model: { vocab: Record<string, number>; merges?: (string | [string, string])[] };
    added_tokens?: AddedToken[];
  };
  const vocab = json.model.vocab;
  const added = new Map((json.added_tokens ?? []).map((token) => [token.id, token]));
  let size = 0;
  for (const id of Object.values(vocab)) size = Math.max(size, id + 1);
  for (const id of added.keys()) size = Math.max(size, id + 1);
  const byId = new Map<number, string>();
  for (const [token, id] of Object.entries(vocab)) byId.set(id, token);
  for (const [id, token] of added) byId.set(id, token.content);

  // Scores for SentencePiece: a merged piece scores minus the rank of the first merge producing it
  // (SentencePiece BPE scores pieces in the order they were merged); added tokens −1000 as the converter.
  const mergeRank = new Map<string, number>();
  (json.model.merges ?? []).forEach((merge, rank) => {
    const [left, right] = typeof merge === 'string' ? (merge.split(' ') as [string, string]) : merge;
    if (!mergeRank.has(left + right)) mergeRank.set(left + right, rank);
  });

  const tokens: string[] = [];
  const types: number[] = [];
  const scores: number[] = [];
  for (let id = 0; id < size; id++) {
    const token = byId.get(id);
    if (token === undefined) {
      tokens.push(`[PAD${id}]`);
      types.push(tokenType.unused);
      scores.push(-10000);
      continue;
    }
    const addedToken = added.get(id);
    if (addedToken !== undefined && (options.model !== 'llama' || !/^<0x[0-9A-F]{2}>$/.test(token))) {
      if (addedToken.special || looksSpecial(token)) {
        tokens.push(token);
        types.push(token === '<unk>' ? tokenType.unknown : tokenType.control);
      } else {
        // "NOTE: this was added for Gemma": user-defined spaces are pre-normalized.
        tokens.push(token.split('\u2581').join(' '));
        types.push(tokenType.userDefined);
      }
      scores.push(-1000);
      continue;
    }
    tokens.push(token);
    if (options.model === 'llama' && /^<0x[0-9A-F]{2}>$/.test(token)) {
      types.push(tokenType.byte);
      scores.push(0);
    } else {
      types.push(tokenType.normal);
      scores.push(-(mergeRank.get(token) ?? 0));
    }
  }

  const idOf = (value: unknown): number | undefined => {
    const text = contentOf(value);
    if (text === undefined) return undefined;
    const index = tokens.indexOf(text);
    return index >= 0 ? index : undefined;
  };
  const config = options.config ?? {};
  const kv: [string, Encoded][] = [
    ['general.architecture', v.str('llama')],
    ['general.name', v.str(options.name)],
    ['llama.block_count', v.u32(1)],
    ['llama.context_length', v.u32(4096)],
    ['llama.embedding_length', v.u32(64)],
    ['llama.feed_forward_length', v.u32(128)],
    ['llama.attention.head_count', v.u32(4)],
    ['llama.attention.head_count_kv', v.u32(2)],
    ['llama.attention.layer_norm_rms_epsilon', v.f32(1e-6)],
    ['llama.rope.dimension_count', v.u32(16)],
    ['llama.vocab_size', v.u32(tokens.length)],
    ['tokenizer.ggml.model', v.str(options.model)],
  ];
  if (options.model === 'gpt2') kv.push(['tokenizer.ggml.pre', v.str(options.pre ?? 'default')]);
  if (options.model === 'llama') kv.push(['tokenizer.ggml.pre', v.str('default')]);
  kv.push(['tokenizer.ggml.tokens', v.arr('string', tokens)], ['tokenizer.ggml.token_type', v.arr('int32', types)]);
  if (options.model === 'llama') {
    kv.push(['tokenizer.ggml.scores', v.arr('float32', scores)], ['tokenizer.ggml.add_space_prefix', v.bool(false)]);
  }
  if (options.model !== 'llama') {
    const merges = (json.model.merges ?? []).map((merge) => (typeof merge === 'string' ? merge : `${merge[0]} ${merge[1]}`));
    kv.push(['tokenizer.ggml.merges', v.arr('string', merges)]);
  }
  const bos = idOf(config.bos_token);
  const eos = idOf(config.eos_token);
  const unk = idOf(config.unk_token);
  const pad = idOf(config.pad_token);
  if (bos !== undefined) kv.push(['tokenizer.ggml.bos_token_id', v.u32(bos)]);
  if (eos !== undefined) kv.push(['tokenizer.ggml.eos_token_id', v.u32(eos)]);
  if (unk !== undefined) kv.push(['tokenizer.ggml.unknown_token_id', v.u32(unk)]);
  if (pad !== undefined) kv.push(['tokenizer.ggml.padding_token_id', v.u32(pad)]);
  if (typeof config.chat_template === 'string') kv.push(['tokenizer.chat_template', v.str(config.chat_template)]);
  return fileBytes(gguf(kv, []));
}
