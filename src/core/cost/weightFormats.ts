/**
 * Weight memory by format. The `ideal` engine keeps the reference formula (parameters × bytes per
 * element, no scales). Under a serving engine the formats are counted as the quantizers that produce
 * them lay weights out, because that is what gets loaded:
 *
 * - Embeddings and lm_head stay 16-bit in GPTQ, AWQ, bitsandbytes and FP8 checkpoints: the quantizers
 *   replace the decoder blocks' `nn.Linear` layers; `nn.Embedding` is not a Linear and `lm_head` is
 *   skipped by default.
 * - GPTQ / AWQ int4, group size 128: 4 bits + an fp16 scale and a 4-bit zero point per 128 weights =
 *   4 + 16/128 + 4/128 = 4.15625 bits (AutoGPTQ/AutoGPTQ@058fd80a72d63d992347e3a23dcd5757449a9e2d:
 *   auto_gptq/nn_modules/qlinear/qlinear_cuda.py `QuantLinear`: qweight int32 holding 32/bits values,
 *   qzeros (in/group × out·bits/32) int32, scales (in/group × out) fp16). g_idx (one int32 per input
 *   row) is below 0.01 bit per weight and left out.
 * - bitsandbytes nf4, blocksize 64 without double quantization: 4 bits + one fp32 absmax per 64
 *   weights = 4.5 bits (bitsandbytes-foundation/bitsandbytes@8b3c0f355c779170d55a1975df981df9e53b59fa:
 *   bitsandbytes/functional.py `quantize_4bit(blocksize=64, compress_statistics=False)`).
 * - FP8 / int8 per-channel (compressed-tensors FP8-Dynamic, LLM.int8): 1 byte + one fp32 / fp16 scale
 *   per output row, i.e. 4 B per 4,096+ weights (< 0.1%): counted as 1 byte.
 *
 * A GGUF model's weights are exact from its tensors and never go through this (see `storedWeights`).
 */
import type { ModelSpec } from '../model/modelSpec';
import type { WeightDtype } from './costTypes';
import { bytesPerElement } from './dtypes';

/** Bits per weight of GPTQ/AWQ int4 with group size 128: 4 + 16/128 (fp16 scale) + 4/128 (4-bit zero). */
export const gptqInt4BitsPerWeight = 4 + 16 / 128 + 4 / 128;
/** Bits per weight of bitsandbytes nf4, blocksize 64, no double quantization: 4 + 32/64. */
export const nf4BitsPerWeight = 4 + 32 / 64;

/** Weight bytes and what they are, for labels. */
export interface WeightMemory {
  /** All parameters as loaded. */
  readonly bytes: number;
  /** What one decode step reads (MoE: the routed share of the experts). */
  readonly activeBytes: number;
  /** e.g. `GGUF Q4_K_M`, `MXFP4 experts + bf16 (native)`, `int4 GPTQ/AWQ g128, 16-bit embeddings`. */
  readonly label: string;
  /** How the bytes were counted (one line). */
  readonly note: string;
}

/**
 * Parameters that stay 16-bit under 4/8-bit quantization: the input embedding and lm_head (counted
 * once when tied). Prefers the catalog's / config's count; otherwise vocab × hidden × 2 (untied), the
 * larger and so the safer estimate.
 */
export function embeddingParamsOf(model: ModelSpec): number {
  return model.embeddingParams ?? model.vocabSize * model.hiddenSize * 2;
}

/**
 * Weight memory for `dtype`.
 * - A model file's own stored size (GGUF) always wins: it is what gets loaded.
 * - `ideal`: parameters × bytes per element (`native` = the model's native format, bf16 when it has none).
 * - Serving engines: int4 = GPTQ/AWQ g128, nf4 = bitsandbytes, int8/fp8 = per-channel, each with
 *   16-bit embeddings and lm_head; `native` = the checkpoint's own format.
 */
export function weightMemory(model: ModelSpec, dtype: WeightDtype, engineIsIdeal: boolean): WeightMemory {
  const stored = model.storedWeights;
  if (stored) {
    return { bytes: stored.bytes, activeBytes: stored.activeBytes, label: stored.label, note: 'exact: the tensors as stored in the file' };
  }
  const activeShare = model.paramsTotal > 0 ? model.paramsActive / model.paramsTotal : 1;
  const native = model.nativeWeights;
  if (dtype === 'native') {
    if (native) return { bytes: native.bytes, activeBytes: native.activeBytes, label: `${native.label} (native)`, note: native.note };
    const bytes = model.paramsTotal * 2;
    return { bytes, activeBytes: bytes * activeShare, label: 'bf16 (native)', note: 'parameters × 2 B: the checkpoint is 16-bit' };
  }
  if (engineIsIdeal || dtype === 'fp32' || dtype === 'bf16' || dtype === 'fp16') {
    const perParam = dtype === 'nf4' ? 0.5 : bytesPerElement(dtype);
    const bytes = model.paramsTotal * perParam;
    return { bytes, activeBytes: model.paramsActive * perParam, label: dtype, note: `parameters × ${perParam} B (no quantization scales)` };
  }
  const embedding = Math.min(embeddingParamsOf(model), model.paramsTotal);
  const quantized = model.paramsTotal - embedding;
  const bitsPerWeight = dtype === 'int4' ? gptqInt4BitsPerWeight : dtype === 'nf4' ? nf4BitsPerWeight : 8;
  const bytes = quantized * (bitsPerWeight / 8) + embedding * 2;
  // Embeddings are read one row per token in decode; lm_head fully. Half the embedding share is lm_head when untied.
  const activeBytes = bytes * activeShare;
  const what = dtype === 'int4' ? 'int4 GPTQ/AWQ g128' : dtype === 'nf4' ? 'nf4 bitsandbytes' : `${dtype} per-channel`;
  return {
    bytes,
    activeBytes,
    label: `${what}, 16-bit embeddings`,
    note: `${formatParams(quantized)} quantized params × ${bitsPerWeight} bits + ${formatParams(embedding)} embedding/lm_head params × 2 B`,
  };
}

function formatParams(count: number): string {
  return `${(count / 1e9).toFixed(2)}B`;
}
