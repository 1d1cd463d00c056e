/** The BPE encodings we count with exactly (js-tiktoken ranks, verified against the official tiktoken core). */
export type EncodingName = 'o200k_base' | 'cl100k_base';

export const encodingNames: readonly EncodingName[] = ['o200k_base', 'cl100k_base'];

export function isEncodingName(value: unknown): value is EncodingName {
  return value === 'o200k_base' || value === 'cl100k_base';
}
