import type { KvDtype, WeightDtype } from './costTypes';

/**
 * Storage bytes per element for every weight and KV-cache element type.
 * Quantisation scales and block metadata are not counted: the reference's `memory_fit` formula
 * ("params * bytes (bf16 2, fp8 1, int4 0.5) plus quantization scales") and the HF Llama 3.1 blog
 * table (70B: 140 / 70 / 35 GB for FP16 / FP8 / INT4) use the bare element size, and so do we.
 */
export const bytesPerElementByDtype: Readonly<Record<WeightDtype | KvDtype, number>> = {
  fp32: 4,
  bf16: 2,
  fp16: 2,
  fp8: 1,
  int8: 1,
  // Two 4-bit values share a byte.
  int4: 0.5,
};

/** Bytes one element of `dtype` occupies (int4 = 0.5). */
export function bytesPerElement(dtype: WeightDtype | KvDtype): number {
  const bytes = bytesPerElementByDtype[dtype];
  // Settings arrive from JSON; an unknown string must fail loudly rather than turn every size into NaN.
  if (bytes === undefined) throw new RangeError(`Unknown dtype "${String(dtype)}"`);
  return bytes;
}
