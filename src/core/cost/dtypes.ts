import type { KvDtype, WeightDtype } from './costTypes';

/**
 * Storage bytes per element for every weight and KV-cache element type, as the ideal formula uses
 * them. Quantisation scales and block metadata are not counted here for the plain names: the
 * reference's `memory_fit` formula ("params * bytes (bf16 2, fp8 1, int4 0.5) plus quantization
 * scales") and the HF Llama 3.1 blog table (70B: 140 / 70 / 35 GB for FP16 / FP8 / INT4) use the bare
 * element size, and so does the `ideal` engine.
 *
 * The ggml cache types (llama.cpp `--cache-type-k/-v`) are block formats, and their size per element
 * is exact only as bytes per block ÷ values per block: q8_0 is 34 B per 32 values (one f16 scale + 32
 * int8), q4_0 18 B, q4_1 20 B, q5_0 22 B, q5_1 24 B, iq4_nl 18 B
 * (ggml-org/llama.cpp@v0.4.0:ggml/src/ggml-common.h block_q8_0 … block_iq4_nl, the tag node-llama-cpp@3.21.1
 * ships; the same table as `ggmlTypes.ts`).
 */
export const bytesPerElementByDtype: Readonly<Record<WeightDtype | KvDtype, number>> = {
  fp32: 4,
  f32: 4,
  bf16: 2,
  fp16: 2,
  f16: 2,
  fp8: 1,
  int8: 1,
  // Two 4-bit values share a byte.
  int4: 0.5,
  // bitsandbytes 4-bit: 0.5 B per weight before its block scales (counted in weightFormats.ts).
  nf4: 0.5,
  q8_0: 34 / 32,
  q4_0: 18 / 32,
  q4_1: 20 / 32,
  q5_0: 22 / 32,
  q5_1: 24 / 32,
  iq4_nl: 18 / 32,
  // `native` has no single size: the model's own format decides (see weightFormats.ts). 2 is the
  // bf16 fallback used only by callers that ask for a per-element size anyway.
  native: 2,
};

/** A ggml block layout: `blockElements` values are stored in `blockBytes` bytes. */
export interface BlockLayout {
  readonly ggmlName: string;
  readonly blockElements: number;
  readonly blockBytes: number;
}

/**
 * The KV cache types llama.cpp accepts for `--cache-type-k` / `--cache-type-v`
 * (ggml-org/llama.cpp@v0.4.0:common/arg.cpp `kv_cache_types`: f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl,
 * q5_0, q5_1), with their ggml block layouts (ggml/src/ggml-common.h).
 */
export const llamaCppKvTypes: Readonly<Record<string, BlockLayout>> = {
  f32: { ggmlName: 'f32', blockElements: 1, blockBytes: 4 },
  f16: { ggmlName: 'f16', blockElements: 1, blockBytes: 2 },
  bf16: { ggmlName: 'bf16', blockElements: 1, blockBytes: 2 },
  q8_0: { ggmlName: 'q8_0', blockElements: 32, blockBytes: 34 },
  q4_0: { ggmlName: 'q4_0', blockElements: 32, blockBytes: 18 },
  q4_1: { ggmlName: 'q4_1', blockElements: 32, blockBytes: 20 },
  q5_0: { ggmlName: 'q5_0', blockElements: 32, blockBytes: 22 },
  q5_1: { ggmlName: 'q5_1', blockElements: 32, blockBytes: 24 },
  iq4_nl: { ggmlName: 'iq4_nl', blockElements: 32, blockBytes: 18 },
};

/** Bytes one element of `dtype` occupies (int4 = 0.5, q8_0 = 34/32). */
export function bytesPerElement(dtype: WeightDtype | KvDtype): number {
  const bytes = bytesPerElementByDtype[dtype];
  // Settings arrive from JSON; an unknown string must fail loudly rather than turn every size into NaN.
  if (bytes === undefined) throw new RangeError(`Unknown dtype "${String(dtype)}"`);
  return bytes;
}
