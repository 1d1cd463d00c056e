// Writes small GGUF files for the tests, byte by byte from the format description (little-endian,
// GGUF v3: u64 counts and lengths), so the parser is checked against files it did not produce.
import type { ByteRangeReader } from '../../../src/core/model/ggufHeader';

/** Value type ids as GGUF numbers them. */
export const typeId = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const;
type ScalarType = Exclude<keyof typeof typeId, 'array'>;

/** One metadata value, already encoded: its type id and its bytes. */
export interface Encoded {
  readonly type: number;
  readonly bytes: Buffer;
}

function u32b(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
}

function u64b(v: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
}

function strb(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([u64b(bytes.length), bytes]);
}

/** Many strings in one buffer (a vocabulary of 128k entries in one allocation). */
function stringsb(values: readonly string[]): Buffer {
  const encoded = values.map((x) => Buffer.from(x, 'utf8'));
  const out = Buffer.alloc(encoded.reduce((sum, b) => sum + 8 + b.length, 0));
  let at = 0;
  for (const b of encoded) {
    out.writeBigUInt64LE(BigInt(b.length), at);
    b.copy(out, at + 8);
    at += 8 + b.length;
  }
  return out;
}

function scalarBytes(type: ScalarType, v: number | bigint | boolean | string): Buffer {
  const b = Buffer.alloc(8);
  switch (type) {
    case 'uint8':
      b.writeUInt8(v as number);
      return b.subarray(0, 1);
    case 'int8':
      b.writeInt8(v as number);
      return b.subarray(0, 1);
    case 'uint16':
      b.writeUInt16LE(v as number);
      return b.subarray(0, 2);
    case 'int16':
      b.writeInt16LE(v as number);
      return b.subarray(0, 2);
    case 'uint32':
      b.writeUInt32LE(v as number);
      return b.subarray(0, 4);
    case 'int32':
      b.writeInt32LE(v as number);
      return b.subarray(0, 4);
    case 'float32':
      b.writeFloatLE(v as number);
      return b.subarray(0, 4);
    case 'bool':
      b.writeUInt8(v ? 1 : 0);
      return b.subarray(0, 1);
    case 'uint64':
      b.writeBigUInt64LE(BigInt(v as number));
      return b;
    case 'int64':
      b.writeBigInt64LE(BigInt(v as number));
      return b;
    case 'float64':
      b.writeDoubleLE(v as number);
      return b;
    case 'string':
      return strb(v as string);
  }
}

/** Metadata value constructors. */
export const v = {
  u8: (x: number): Encoded => ({ type: typeId.uint8, bytes: scalarBytes('uint8', x) }),
  u32: (x: number): Encoded => ({ type: typeId.uint32, bytes: scalarBytes('uint32', x) }),
  i32: (x: number): Encoded => ({ type: typeId.int32, bytes: scalarBytes('int32', x) }),
  u64: (x: number | bigint): Encoded => ({ type: typeId.uint64, bytes: scalarBytes('uint64', x) }),
  f32: (x: number): Encoded => ({ type: typeId.float32, bytes: scalarBytes('float32', x) }),
  bool: (x: boolean): Encoded => ({ type: typeId.bool, bytes: scalarBytes('bool', x) }),
  str: (x: string): Encoded => ({ type: typeId.string, bytes: strb(x) }),
  arr: (elementType: ScalarType, values: readonly (number | boolean | string)[]): Encoded => ({
    type: typeId.array,
    bytes: Buffer.concat([
      u32b(typeId[elementType]),
      u64b(values.length),
      elementType === 'string' ? stringsb(values as readonly string[]) : Buffer.concat(values.map((x) => scalarBytes(elementType, x))),
    ]),
  }),
  /** Anything at all, for malformed files. */
  raw: (type: number, bytes: Buffer): Encoded => ({ type, bytes }),
};

/** ggml type ids used in the fixtures. */
export const ggml = { F32: 0, F16: 1, Q8_0: 8, Q4_K: 12, Q6_K: 14, BF16: 30, MXFP4: 39 } as const;

export interface TensorSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly ggmlType: number;
  /** Bytes the tensor's data takes (the writer pads to the alignment after each one). */
  readonly bytes: number;
}

export interface GgufFile {
  /** Header bytes only (through the padding before tensor data). */
  readonly header: Buffer;
  /** Size of the whole file: header plus every tensor's (padded) data. */
  readonly size: number;
  /** Where tensor data starts. */
  readonly dataOffset: number;
}

/**
 * Encodes a GGUF header for `kv` and `tensors`; tensor data is not materialised (see {@link size}),
 * so a fixture can describe gigabytes of weights in a few kilobytes.
 */
export function gguf(
  kv: readonly (readonly [string, Encoded])[],
  tensors: readonly TensorSpec[],
  options: { version?: number; alignment?: number; magic?: string } = {},
): GgufFile {
  const alignment = options.alignment ?? 32;
  const parts: Buffer[] = [
    Buffer.from(options.magic ?? 'GGUF', 'latin1'),
    u32b(options.version ?? 3),
    u64b(tensors.length),
    u64b(kv.length),
  ];
  for (const [key, value] of kv) parts.push(strb(key), u32b(value.type), value.bytes);
  let offset = 0;
  for (const t of tensors) {
    parts.push(strb(t.name), u32b(t.dims.length), ...t.dims.map((d) => u64b(d)), u32b(t.ggmlType), u64b(offset));
    offset += Math.ceil(t.bytes / alignment) * alignment;
  }
  const unpadded = Buffer.concat(parts);
  const dataOffset = Math.ceil(unpadded.length / alignment) * alignment;
  return { header: Buffer.concat([unpadded, Buffer.alloc(dataOffset - unpadded.length)]), size: dataOffset + offset, dataOffset };
}

/** The whole file in memory (only for fixtures whose tensors are small). */
export function fileBytes(file: GgufFile): Buffer {
  return Buffer.concat([file.header, Buffer.alloc(file.size - file.header.length)]);
}

/** A reader over the header whose data section is virtual: reads there return zeros and are recorded. */
export class VirtualReader implements ByteRangeReader {
  readonly reads: { offset: number; length: number }[] = [];

  constructor(
    private readonly bytes: Buffer,
    readonly size: number,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push({ offset, length });
    const end = Math.min(offset + length, this.size);
    const out = Buffer.alloc(Math.max(0, end - offset));
    this.bytes.copy(out, 0, Math.min(offset, this.bytes.length), Math.min(end, this.bytes.length));
    return out;
  }

  /** Furthest byte any read reached. */
  get furthest(): number {
    return Math.max(0, ...this.reads.map((r) => r.offset + r.length));
  }
}

/** `n` vocabulary strings like a real tokenizer.ggml.tokens (a few bytes each). */
export function vocabulary(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `▁tok${i.toString(36)}`);
}
