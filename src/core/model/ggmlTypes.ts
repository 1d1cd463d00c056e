/**
 * ggml's tensor element types and llama.cpp's file types, as numbered in GGUF files. Byte sizes are
 * ggml's `type_traits` (block size in elements, bytes per block), the same table gguf-py keeps as
 * `GGML_QUANT_SIZES`; a tensor of n elements of a type takes n / blockSize × typeSize bytes.
 */

/** One ggml element type: `blockElements` values are stored in `blockBytes` bytes. */
export interface GgmlType {
  readonly name: string;
  readonly blockElements: number;
  readonly blockBytes: number;
}

const qkK = 256;

/**
 * ggml_type id → layout. Ids 4 and 5 (Q4_2, Q4_3) were removed from ggml long before GGUF. The
 * repacked ARM types 31–33 and 36–38 were removed later but files carrying them exist; their blocks
 * are byte-for-byte the size of Q4_0 / IQ4_NL blocks.
 */
export const ggmlTypes: ReadonlyMap<number, GgmlType> = new Map<number, GgmlType>([
  [0, { name: 'F32', blockElements: 1, blockBytes: 4 }],
  [1, { name: 'F16', blockElements: 1, blockBytes: 2 }],
  [2, { name: 'Q4_0', blockElements: 32, blockBytes: 2 + 16 }],
  [3, { name: 'Q4_1', blockElements: 32, blockBytes: 2 + 2 + 16 }],
  [6, { name: 'Q5_0', blockElements: 32, blockBytes: 2 + 4 + 16 }],
  [7, { name: 'Q5_1', blockElements: 32, blockBytes: 2 + 2 + 4 + 16 }],
  [8, { name: 'Q8_0', blockElements: 32, blockBytes: 2 + 32 }],
  [9, { name: 'Q8_1', blockElements: 32, blockBytes: 4 + 4 + 32 }],
  [10, { name: 'Q2_K', blockElements: qkK, blockBytes: 2 + 2 + qkK / 16 + qkK / 4 }],
  [11, { name: 'Q3_K', blockElements: qkK, blockBytes: 2 + qkK / 4 + qkK / 8 + 12 }],
  [12, { name: 'Q4_K', blockElements: qkK, blockBytes: 2 + 2 + qkK / 2 + 12 }],
  [13, { name: 'Q5_K', blockElements: qkK, blockBytes: 2 + 2 + qkK / 2 + qkK / 8 + 12 }],
  [14, { name: 'Q6_K', blockElements: qkK, blockBytes: 2 + qkK / 2 + qkK / 4 + qkK / 16 }],
  [15, { name: 'Q8_K', blockElements: qkK, blockBytes: 4 + qkK + qkK / 8 }],
  [16, { name: 'IQ2_XXS', blockElements: qkK, blockBytes: 2 + qkK / 4 }],
  [17, { name: 'IQ2_XS', blockElements: qkK, blockBytes: 2 + qkK / 4 + qkK / 32 }],
  [18, { name: 'IQ3_XXS', blockElements: qkK, blockBytes: 2 + qkK / 4 + qkK / 8 }],
  [19, { name: 'IQ1_S', blockElements: qkK, blockBytes: 2 + qkK / 8 + qkK / 16 }],
  [20, { name: 'IQ4_NL', blockElements: 32, blockBytes: 2 + 16 }],
  [21, { name: 'IQ3_S', blockElements: qkK, blockBytes: 2 + qkK / 4 + qkK / 8 + qkK / 32 + 4 }],
  [22, { name: 'IQ2_S', blockElements: qkK, blockBytes: 2 + qkK / 4 + qkK / 16 }],
  [23, { name: 'IQ4_XS', blockElements: qkK, blockBytes: 2 + 2 + qkK / 2 + qkK / 64 }],
  [24, { name: 'I8', blockElements: 1, blockBytes: 1 }],
  [25, { name: 'I16', blockElements: 1, blockBytes: 2 }],
  [26, { name: 'I32', blockElements: 1, blockBytes: 4 }],
  [27, { name: 'I64', blockElements: 1, blockBytes: 8 }],
  [28, { name: 'F64', blockElements: 1, blockBytes: 8 }],
  [29, { name: 'IQ1_M', blockElements: qkK, blockBytes: qkK / 8 + qkK / 16 + qkK / 32 }],
  [30, { name: 'BF16', blockElements: 1, blockBytes: 2 }],
  [31, { name: 'Q4_0_4_4', blockElements: 32, blockBytes: 2 + 16 }],
  [32, { name: 'Q4_0_4_8', blockElements: 32, blockBytes: 2 + 16 }],
  [33, { name: 'Q4_0_8_8', blockElements: 32, blockBytes: 2 + 16 }],
  [34, { name: 'TQ1_0', blockElements: qkK, blockBytes: 2 + 4 * 13 }],
  [35, { name: 'TQ2_0', blockElements: qkK, blockBytes: 2 + 64 }],
  [36, { name: 'IQ4_NL_4_4', blockElements: 32, blockBytes: 2 + 16 }],
  [37, { name: 'IQ4_NL_4_8', blockElements: 32, blockBytes: 2 + 16 }],
  [38, { name: 'IQ4_NL_8_8', blockElements: 32, blockBytes: 2 + 16 }],
  [39, { name: 'MXFP4', blockElements: 32, blockBytes: 1 + 16 }],
]);

/**
 * llama.cpp's `llama_ftype` (`general.file_type`): the quantisation recipe the file was made with,
 * e.g. Q4_K_M mixes Q4_K and Q6_K tensors. 1024 is added when llama.cpp had to guess it.
 */
const fileTypeNames: readonly (string | undefined)[] = [
  'F32',
  'F16',
  'Q4_0',
  'Q4_1',
  'Q4_1_SOME_F16',
  undefined,
  undefined,
  'Q8_0',
  'Q5_0',
  'Q5_1',
  'Q2_K',
  'Q3_K_S',
  'Q3_K_M',
  'Q3_K_L',
  'Q4_K_S',
  'Q4_K_M',
  'Q5_K_S',
  'Q5_K_M',
  'Q6_K',
  'IQ2_XXS',
  'IQ2_XS',
  'Q2_K_S',
  'IQ3_XS',
  'IQ3_XXS',
  'IQ1_S',
  'IQ4_NL',
  'IQ3_S',
  'IQ3_M',
  'IQ2_S',
  'IQ2_M',
  'IQ4_XS',
  'IQ1_M',
  'BF16',
  'Q4_0_4_4',
  'Q4_0_4_8',
  'Q4_0_8_8',
  'TQ1_0',
  'TQ2_0',
  'MXFP4_MOE',
];

const fileTypeGuessed = 1024;

/** `general.file_type` 15 → "Q4_K_M"; unknown ids are named by number rather than guessed. */
export function fileTypeName(fileType: number): string {
  const guessed = fileType >= fileTypeGuessed;
  const base = guessed ? fileType - fileTypeGuessed : fileType;
  const name = fileTypeNames[base] ?? `file type ${base}`;
  return guessed ? `${name} (guessed)` : name;
}
