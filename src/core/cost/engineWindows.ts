/**
 * The context window each serving engine accepts by default, derived the way the engine derives it.
 * Pure functions over a {@link ModelSpec}; every rule names its source.
 */
import type { ModelSpec } from '../model/modelSpec';
import { formatInteger } from '../units';

/** vLLM's config derivation (ModelConfig, `_get_and_verify_max_len`). */
export const vllmModelConfigSource =
  'vllm-project/vllm@18ec6629253632af0a384f2ffbb8c6b28af322e7:vllm/config/model.py _get_and_verify_max_len';
/** SGLang's config derivation (`get_context_length`). */
export const sglangContextSource =
  'sgl-project/sglang@2aa2e2d0ffda0a44ed9a022fdd9d5d042f365eee:python/sglang/srt/utils/hf_transformers_utils.py get_context_length';

/** The derived window and how it was reached. */
export interface DerivedWindow {
  readonly tokens: number;
  /** One line: which key and which rope rule gave it. */
  readonly how: string;
}

/**
 * vLLM's default `max_model_len`:
 * - the smallest of the config's length keys (max_position_embeddings, …), except that Command-R's
 *   `model_max_length` overrides them;
 * - RoPE scaling multiplies for every rope type except `su`, `longrope` and `llama3` (those already
 *   count the scaled length in max_position_embeddings); YaRN multiplies its
 *   original_max_position_embeddings instead; Gemma 3 is skipped ("max_model_len (128K) is already
 *   scaled");
 * - with LongRoPE and no user value, the default is original_max_position_embeddings ("to avoid
 *   performance degradation for shorter sequences").
 *
 * Llama 3.2 1B: max_position_embeddings 131,072 with llama3 ×32 → 131,072 (not 8,192 × 32).
 */
export function vllmMaxModelLen(model: ModelSpec): DerivedWindow {
  let derived = model.maxPositionEmbeddings;
  let key = 'max_position_embeddings';
  if (model.modelMaxLength !== undefined) {
    derived = model.modelMaxLength;
    key = 'model_max_length';
  }
  const rope = model.ropeScaling;
  const isGemma3 = (model.hfModelType ?? model.architecture ?? '').includes('gemma3') || model.id.startsWith('gemma-3');
  if (rope && rope.type !== 'default' && !isGemma3) {
    if (rope.type === 'longrope') {
      const original = rope.originalMaxPositionEmbeddings ?? model.pretrainedWindow;
      return { tokens: original, how: `LongRoPE: vLLM defaults to original_max_position_embeddings ${fmt(original)}` };
    }
    if (rope.type !== 'llama3') {
      if (rope.type === 'yarn' && rope.originalMaxPositionEmbeddings !== undefined) {
        const tokens = Math.floor(rope.originalMaxPositionEmbeddings * rope.factor);
        return { tokens, how: `YaRN: original_max_position_embeddings ${fmt(rope.originalMaxPositionEmbeddings)} × factor ${rope.factor}` };
      }
      const tokens = Math.floor(derived * rope.factor);
      return { tokens, how: `${key} ${fmt(derived)} × ${rope.type} factor ${rope.factor}` };
    }
    return { tokens: derived, how: `${key} ${fmt(derived)}; llama3 rope scaling does not multiply` };
  }
  if (isGemma3 && rope) {
    return { tokens: derived, how: `${key} ${fmt(derived)}; Gemma 3's window is already scaled (vLLM skips the factor)` };
  }
  return { tokens: derived, how: `${key} ${fmt(derived)}` };
}

/**
 * SGLang's default `context_length`: the first of max_sequence_length, seq_length, max_seq_len,
 * model_max_length, max_position_embeddings, times the rope factor unless the rope block names an
 * original_max_position_embeddings or is llama3. Gemma 3's linear ×8 is therefore multiplied
 * (131,072 × 8), as the code reads.
 */
export function sglangContextLength(model: ModelSpec): DerivedWindow {
  const base = model.modelMaxLength ?? model.maxPositionEmbeddings;
  const key = model.modelMaxLength !== undefined ? 'model_max_length' : 'max_position_embeddings';
  const rope = model.ropeScaling;
  if (!rope || rope.type === 'default' || rope.type === 'llama3' || rope.originalMaxPositionEmbeddings !== undefined) {
    return { tokens: base, how: `${key} ${fmt(base)}${rope && rope.type !== 'default' ? ` (rope ${rope.type} not multiplied)` : ''}` };
  }
  return { tokens: Math.floor(base * rope.factor), how: `${key} ${fmt(base)} × rope factor ${rope.factor}` };
}

function fmt(n: number): string {
  return formatInteger(n);
}
