/**
 * Reads the header of a GGUF file (llama.cpp's model format): the metadata key/value pairs and the
 * tensor infos, never the tensor data. The bytes come through a {@link ByteRangeReader} port, so
 * this stays pure and the same code serves a local file (src/node) or an in-memory test buffer.
 *
 * Layout (little-endian; GGUF v2 and v3 use 64-bit counts and lengths):
 *   "GGUF" · u32 version · u64 tensor count · u64 kv count ·
 *   kv × (string key · u32 value type · value) ·
 *   tensor × (string name · u32 n_dims · u64 dims[n_dims] · u32 ggml type · u64 offset) ·
 *   padding to `general.alignment` (default 32) · tensor data.
 * A string is a u64 byte length and UTF-8 bytes; an array is a u32 element type, a u64 length and
 * the elements.
 *
 * Vocabulary arrays (`tokenizer.ggml.tokens`, `.merges`, `.scores`, …) can be tens of MB. Arrays are
 * never turned into JS values unless they are short numeric ones (per-layer head counts, sliding
 * window patterns); fixed-size elements are skipped by arithmetic without reading them, and string
 * elements by reading only their length prefixes.
 *
 * Every structural problem (wrong magic, unknown value type, a length running past the end of the
 * file, a tensor whose data is not in the file) throws a {@link GgufFormatError} saying what was
 * being read and at which byte, so a damaged or partly downloaded file never yields numbers.
 */
import { ggmlTypes } from './ggmlTypes';

/** Random access to the bytes of one file. */
export interface ByteRangeReader {
  /** Size of the whole source in bytes. */
  readonly size: number;
  /** Up to `length` bytes from `offset`; fewer only when the source ends first. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A GGUF header that cannot be read: names what was being read and where. */
export class GgufFormatError extends Error {
  /** Byte offset in the file where the problem was found. */
  readonly offset: number;
  /** The work or size cap that stopped the read, when one did (see {@link ggufLimits}). */
  readonly cap: GgufCap | undefined;

  constructor(offset: number, message: string, cap?: GgufCap) {
    super(message);
    this.name = 'GgufFormatError';
    this.offset = offset;
    this.cap = cap;
  }
}

/**
 * Caps on the work and memory one header may cost. llama.cpp's own limits are reused where it has
 * them (ggml-org/llama.cpp@067d44f6c48459f7a82dbafc6fbd0bae97755a4e:ggml/src/gguf.cpp:
 * GGUF_MAX_STRING_LENGTH, GGUF_MAX_ARRAY_ELEMENTS, nested arrays rejected as an invalid type, tensor
 * names shorter than GGML_MAX_NAME = 64 from ggml/include/ggml.h); its tensor and key/value counts
 * are bounded only by memory, so ours are far above any real model and far below what costs seconds.
 */
export const ggufLimits = {
  /** llama.cpp's GGUF_MAX_STRING_LENGTH: a longer string is malformed. */
  maxStringBytes: 1024 * 1024 * 1024,
  /** llama.cpp's GGUF_MAX_ARRAY_ELEMENTS. */
  maxArrayElements: 1024 * 1024 * 1024,
  /** llama.cpp refuses a tensor name of GGML_MAX_NAME (64) bytes or more. */
  maxTensorNameBytes: 63,
  /** Real models list under 2,000 tensors (DeepSeek-V3: 1,025); 2 million cost 14 s and 1.1 GB. */
  maxTensors: 65_536,
  /** Real files have under 100 metadata keys. */
  maxKeyValues: 65_536,
  maxKeyBytes: 65_536,
  /** Strings in a string array (a vocabulary): the largest vocabulary any parser accepts, 2^24. */
  maxStringArrayElements: 1 << 24,
  /** Longer string values (chat templates, embedded tokenizer JSON) are skipped unread, their length kept. */
  maxKeptStringBytes: 65_536,
  /** Numeric array elements turned into JS numbers over the whole header (per-layer arrays are tiny). */
  maxKeptArrayValues: 1 << 20,
  /** Bytes read from the file for one header: real headers (vocabularies included) take under 30 MiB. */
  maxHeaderReadBytes: 256 * 1024 * 1024,
} as const;

/** Which of {@link ggufLimits} stopped a read. */
export type GgufCap = keyof typeof ggufLimits;

/** GGUF metadata value types, by their id in the file. */
export const ggufValueTypes = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'bool',
  'string',
  'array',
  'uint64',
  'int64',
  'float64',
] as const;
export type GgufValueType = (typeof ggufValueTypes)[number];

/** 64-bit integers beyond 2^53 stay bigint; everything else is a plain number. */
export type GgufScalar = number | bigint | boolean | string;

/**
 * One metadata value. Arrays carry their elements only when short and numeric (see {@link arrayValueLimit});
 * a string longer than `ggufLimits.maxKeptStringBytes` is skipped unread: its value is null and only its length is kept.
 */
export type GgufValue =
  | { readonly type: Exclude<GgufValueType, 'array'>; readonly value: GgufScalar }
  | { readonly type: 'string'; readonly value: null; readonly byteLength: number }
  | { readonly type: 'array'; readonly elementType: GgufValueType; readonly length: number; readonly values?: readonly GgufScalar[] };

/** One tensor's description from the header. */
export interface GgufTensorInfo {
  readonly name: string;
  /** ggml order: dims[0] is the contiguous (row) dimension. */
  readonly dims: readonly number[];
  /** Element count (product of dims). */
  readonly elements: number;
  /** ggml_type id; see {@link ggmlTypes}. */
  readonly ggmlType: number;
  /**
   * Stored bytes: exact from the type's block layout, or, for a ggml type missing from
   * {@link ggmlTypes}, the distance to the next tensor's data (alignment padding included).
   */
  readonly bytes: number;
  /** False when `bytes` was measured from offsets because the ggml type is unknown. */
  readonly sizeKnown: boolean;
  /** Offset of the data from the start of the tensor data section. */
  readonly offset: number;
}

/** Everything the header says, plus how much of the file had to be read to say it. */
export interface GgufHeader {
  readonly version: number;
  readonly metadata: ReadonlyMap<string, GgufValue>;
  readonly tensors: readonly GgufTensorInfo[];
  readonly alignment: number;
  /** Absolute file offset where tensor data starts. */
  readonly dataOffset: number;
  readonly fileBytes: number;
  /** Bytes actually read from the source (the header, less the arrays skipped without reading). */
  readonly bytesRead: number;
  /**
   * Bytes from the start of the file to the end of the metadata: everything a vocabulary needs,
   * so a reader can hand exactly these bytes to a tokenizer (see {@link GgufReadOptions.keep}).
   */
  readonly metadataBytes: number;
}

/** Numeric arrays up to this length are kept (per-layer values); longer ones only report their length. */
export const arrayValueLimit = 65_536;

const magic = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
const defaultAlignment = 32;
const maxDims = 4; // GGML_MAX_DIMS
/** Bytes fetched per read: large enough that skipping a vocabulary's string lengths takes few reads. */
const defaultChunkBytes = 1 << 20;

const fixedSize: Partial<Record<GgufValueType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  bool: 1,
  uint64: 8,
  int64: 8,
  float64: 8,
};

/** Options for {@link readGgufHeader}. */
export interface GgufReadOptions {
  /** Bytes per read from the source (default 1 MiB). */
  readonly chunkBytes?: number;
  /**
   * Keys whose values are kept whole: string arrays decoded, numeric arrays of any length, long
   * strings. For an embedded vocabulary (`tokenizer.ggml.tokens`, `.merges`, `.scores`, …), which
   * is otherwise skipped unread. The caps on counts and bytes still apply.
   */
  readonly keep?: (key: string) => boolean;
  /** Stop after the metadata: no tensor infos (a vocabulary read needs none). */
  readonly metadataOnly?: boolean;
}

/**
 * Parses a GGUF header from `source`.
 *
 * @throws GgufFormatError for anything that is not a well-formed GGUF v2/v3 header whose tensors lie inside the file.
 */
export async function readGgufHeader(source: ByteRangeReader, options: GgufReadOptions = {}): Promise<GgufHeader> {
  const c = new Cursor(source, options.chunkBytes ?? defaultChunkBytes);
  if (source.size < 4) throw new GgufFormatError(0, `not a GGUF file: it has ${source.size} bytes, fewer than the 4-byte "GGUF" magic`);
  const head = await c.bytes(4, 'the magic');
  if (!magic.every((b, i) => head[i] === b)) {
    throw new GgufFormatError(
      0,
      `not a GGUF file: it starts with ${[...head].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not the magic "GGUF" (47 47 55 46)`,
    );
  }
  const version = await c.u32('the version');
  if (version === 1) {
    throw new GgufFormatError(
      4,
      'GGUF version 1 (from before October 2023) is not supported; llama.cpp no longer reads it either: convert the model again',
    );
  }
  if (version !== 2 && version !== 3) {
    // A big-endian file (llama.cpp's s390x builds) reads as 0x02000000 / 0x03000000 here.
    const swapped = ((version & 0xff) << 24) | ((version & 0xff00) << 8) | ((version >>> 8) & 0xff00) | (version >>> 24);
    if (swapped === 2 || swapped === 3) throw new GgufFormatError(4, `big-endian GGUF (version ${swapped} byte-swapped) is not supported`);
    throw new GgufFormatError(4, `unsupported GGUF version ${version} (2 and 3 are supported)`);
  }
  const tensorCount = await c.count('the tensor count', 'tensor', 'maxTensors');
  const kvCount = await c.count('the metadata key/value count', 'key/value pair', 'maxKeyValues');

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const keyAt = c.pos;
    const key = await c.string(`metadata key #${i + 1} of ${kvCount}`, 'maxKeyBytes');
    if (metadata.has(key)) throw new GgufFormatError(keyAt, `metadata key "${key}" appears twice`);
    const typeId = await c.u32(`the value type of metadata key "${key}"`);
    const type = valueType(typeId, c.pos - 4, `metadata key "${key}"`);
    metadata.set(key, await readValue(c, type, `metadata key "${key}"`, options.keep?.(key) === true));
  }
  const metadataBytes = c.pos;

  let alignment = defaultAlignment;
  const align = metadata.get('general.alignment');
  if (align !== undefined) {
    if (align.type !== 'uint32') throw new GgufFormatError(0, `metadata key "general.alignment" must be a uint32 (got ${align.type})`);
    const a = align.value as number;
    if (a === 0 || (a & (a - 1)) !== 0) throw new GgufFormatError(0, `metadata key "general.alignment" must be a power of two (got ${a})`);
    alignment = a;
  }

  const tensors: (Omit<GgufTensorInfo, 'bytes'> & { bytes: number | undefined })[] = [];
  const names = new Set<string>();
  for (let i = 0; i < (options.metadataOnly === true ? 0 : tensorCount); i++) {
    const at = c.pos;
    const name = await c.string(`the name of tensor #${i + 1} of ${tensorCount}`, 'maxTensorNameBytes');
    const what = `tensor "${name}"`;
    if (names.has(name)) throw new GgufFormatError(at, `${what} appears twice`);
    names.add(name);
    const nDims = await c.u32(`the dimension count of ${what}`);
    if (nDims < 1 || nDims > maxDims) throw new GgufFormatError(c.pos - 4, `${what} has ${nDims} dimensions (ggml allows 1 to ${maxDims})`);
    const dims: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const dim = await c.u64(`dimension ${d} of ${what}`);
      dims.push(dim);
      elements *= dim;
    }
    if (!Number.isSafeInteger(elements)) {
      throw new GgufFormatError(at, `${what} has ${dims.join(' × ')} elements, more than any file can hold`);
    }
    const ggmlType = await c.u32(`the ggml type of ${what}`);
    const offset = await c.u64(`the data offset of ${what}`);
    if (offset % alignment !== 0) {
      throw new GgufFormatError(c.pos - 8, `${what} has data offset ${offset}, not a multiple of the alignment ${alignment}`);
    }
    const layout = ggmlTypes.get(ggmlType);
    let bytes: number | undefined;
    if (layout) {
      if (dims[0]! % layout.blockElements !== 0) {
        throw new GgufFormatError(
          at,
          `${what} has rows of ${dims[0]} elements, not a multiple of the ${layout.name} block of ${layout.blockElements}`,
        );
      }
      bytes = (elements / layout.blockElements) * layout.blockBytes;
    }
    tensors.push({ name, dims, elements, ggmlType, bytes, sizeKnown: bytes !== undefined, offset });
  }

  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const dataBytes = source.size - dataOffset;
  const starts = [...new Set(tensors.map((t) => t.offset))].sort((a, b) => a - b);
  const sized = tensors.map((t): GgufTensorInfo => {
    const end = t.offset + (t.bytes ?? 0);
    if (dataOffset + end > source.size) {
      throw new GgufFormatError(
        source.size,
        `the file is truncated: tensor "${t.name}" ends at byte ${dataOffset + end} but the file has ${source.size} bytes (an incomplete download?)`,
      );
    }
    if (t.bytes !== undefined) return { ...t, bytes: t.bytes };
    const next = starts.find((s) => s > t.offset) ?? dataBytes;
    return { ...t, bytes: next - t.offset };
  });
  return { version, metadata, tensors: sized, alignment, dataOffset, fileBytes: source.size, bytesRead: c.bytesRead, metadataBytes };
}

/** A shard's place in a model split by llama.cpp's gguf-split (`split.no`, `split.count`, `split.tensors.count`). */
export interface GgufSplit {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
  /** Tensors across all shards, when the file says. */
  readonly tensorsTotal: number | undefined;
}

/** The split keys of a header, or undefined for a single-file model. */
export function ggufSplit(header: GgufHeader): GgufSplit | undefined {
  const count = header.metadata.get('split.count');
  if (count === undefined) return undefined;
  const int = (key: string, v: GgufValue | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (v.type === 'array' || typeof v.value !== 'number' || !Number.isInteger(v.value) || v.value < 0) {
      throw new GgufFormatError(0, `metadata key "${key}" must be a non-negative integer`);
    }
    return v.value;
  };
  const n = int('split.count', count)!;
  const index = int('split.no', header.metadata.get('split.no')) ?? 0;
  if (n < 1 || index >= n) throw new GgufFormatError(0, `metadata key "split.no" is ${index} but "split.count" is ${n}`);
  return { index, count: n, tensorsTotal: int('split.tensors.count', header.metadata.get('split.tensors.count')) };
}

/**
 * One header for a split model: the metadata of the first shard (the only one that carries the
 * model's keys) and the tensors of all of them.
 *
 * @throws GgufFormatError when a shard is missing or repeated, or the tensor total disagrees.
 */
export function combineGgufShards(shards: readonly GgufHeader[]): GgufHeader {
  const splits = shards.map((s) => ggufSplit(s));
  const count = splits[0]?.count ?? 1;
  const byIndex = new Map<number, GgufHeader>();
  shards.forEach((shard, i) => {
    const split = splits[i];
    if (!split || split.count !== count) {
      throw new GgufFormatError(
        0,
        `shard ${i + 1} does not belong to the same ${count}-part split (its split.count is ${split?.count ?? 'missing'})`,
      );
    }
    if (byIndex.has(split.index)) throw new GgufFormatError(0, `two files claim to be shard ${split.index + 1} of ${count}`);
    byIndex.set(split.index, shard);
  });
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) throw new GgufFormatError(0, `shard ${i + 1} of ${count} is missing`);
  const ordered = Array.from({ length: count }, (_, i) => byIndex.get(i)!);
  const first = ordered[0]!;
  const tensors = ordered.flatMap((s) => s.tensors);
  const total = ggufSplit(first)?.tensorsTotal;
  if (total !== undefined && total !== tensors.length) {
    throw new GgufFormatError(0, `"split.tensors.count" says ${total} tensors but the ${count} shards hold ${tensors.length}`);
  }
  return {
    ...first,
    tensors,
    fileBytes: ordered.reduce((sum, s) => sum + s.fileBytes, 0),
    bytesRead: ordered.reduce((sum, s) => sum + s.bytesRead, 0),
  };
}

function valueType(id: number, at: number, what: string): GgufValueType {
  const type = ggufValueTypes[id];
  if (type === undefined) {
    throw new GgufFormatError(at, `${what} has value type ${id}, which GGUF does not define (0 to ${ggufValueTypes.length - 1})`);
  }
  return type;
}

async function readValue(c: Cursor, type: GgufValueType, what: string, keep = false): Promise<GgufValue> {
  if (type === 'array') return readArray(c, what, keep);
  if (type === 'string') {
    // A string value past the kept size (a chat template, an embedded tokenizer.json, a hostile
    // 100 MB general.name) is skipped by its length, never read: the parser says so if it needs it.
    const byteLength = await c.u64Length(what, 'maxStringBytes');
    if (byteLength > ggufLimits.maxKeptStringBytes && !keep) {
      c.skip(byteLength);
      return { type, value: null, byteLength };
    }
    return { type, value: decoder.decode(await c.bytes(byteLength, what)) };
  }
  const size = fixedSize[type]!;
  return { type, value: scalarAt(await c.view(size, what), 0, type, what, c.pos - size) };
}

/** The fixed-size scalar of `type` at `offset` in `view`; `at` is its file offset, for errors. */
function scalarAt(view: DataView, offset: number, type: Exclude<GgufValueType, 'array' | 'string'>, what: string, at: number): GgufScalar {
  switch (type) {
    case 'uint8':
      return view.getUint8(offset);
    case 'int8':
      return view.getInt8(offset);
    case 'uint16':
      return view.getUint16(offset, true);
    case 'int16':
      return view.getInt16(offset, true);
    case 'uint32':
      return view.getUint32(offset, true);
    case 'int32':
      return view.getInt32(offset, true);
    case 'float32':
      return view.getFloat32(offset, true);
    case 'bool': {
      const b = view.getUint8(offset);
      if (b > 1) throw new GgufFormatError(at, `${what} is a bool stored as ${b} (must be 0 or 1)`);
      return b === 1;
    }
    case 'uint64':
      return safe(view.getBigUint64(offset, true));
    case 'int64':
      return safe(view.getBigInt64(offset, true));
    case 'float64':
      return view.getFloat64(offset, true);
  }
}

async function readArray(c: Cursor, what: string, keep = false): Promise<GgufValue> {
  const elementTypeAt = c.pos;
  const elementType = valueType(await c.u32(`the element type of ${what}`), elementTypeAt, `the elements of ${what}`);
  // llama.cpp's gguf.cpp treats an array of arrays as an invalid type, so no loadable model has one;
  // refusing it also rules out billions of nested empty arrays costing hours to walk.
  if (elementType === 'array') {
    throw new GgufFormatError(elementTypeAt, `${what} is an array of arrays, which llama.cpp rejects as an invalid GGUF type`);
  }
  const lengthAt = c.pos;
  const length = await c.u64(`the length of ${what}`);
  const size = fixedSize[elementType];
  // A string takes at least its 8-byte length. Checked first: a cut-off download says "truncated".
  const minBytes = length * (size ?? 8);
  if (minBytes > c.remaining) {
    throw new GgufFormatError(
      c.pos,
      `the file is truncated: ${what} holds ${length} ${elementType} values (${size !== undefined ? '' : 'at least '}${minBytes} bytes) but only ${c.remaining} bytes remain`,
    );
  }
  if (length > ggufLimits.maxArrayElements) {
    throw new GgufFormatError(
      lengthAt,
      `${what} holds ${length.toLocaleString('en-US')} values, more than the ${ggufLimits.maxArrayElements.toLocaleString('en-US')} llama.cpp accepts (GGUF_MAX_ARRAY_ELEMENTS)`,
      'maxArrayElements',
    );
  }
  if (size === undefined) {
    // Strings: walk the length prefixes without decoding anything.
    if (length > ggufLimits.maxStringArrayElements) {
      throw new GgufFormatError(
        lengthAt,
        `${what} holds ${length.toLocaleString('en-US')} strings; Context Budget reads at most ${ggufLimits.maxStringArrayElements.toLocaleString('en-US')} (the largest vocabulary it accepts)`,
        'maxStringArrayElements',
      );
    }
    if (keep) return { type: 'array', elementType, length, values: await c.readStrings(length, what) };
    await c.skipStrings(length, what);
    return { type: 'array', elementType, length };
  }
  if (keep && length > ggufLimits.maxStringArrayElements) {
    throw new GgufFormatError(
      lengthAt,
      `${what} holds ${length.toLocaleString('en-US')} values; Context Budget reads at most ${ggufLimits.maxStringArrayElements.toLocaleString('en-US')} (the largest vocabulary it accepts)`,
      'maxStringArrayElements',
    );
  }
  if (!keep && (length > arrayValueLimit || !c.keepArrayValues(length))) {
    c.skip(length * size);
    return { type: 'array', elementType, length };
  }
  // Decoded from one read, synchronously: a per-layer array is one await, not one per element.
  const start = c.pos;
  const view = await c.view(length * size, what);
  const scalarType = elementType as Exclude<GgufValueType, 'array' | 'string'>;
  const values: GgufScalar[] = new Array<GgufScalar>(length);
  if (elementType === 'int32' || elementType === 'float32') {
    // Scores and token types: hundreds of thousands of values, read without a label per element.
    for (let i = 0; i < length; i++) values[i] = elementType === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
    return { type: 'array', elementType, length, values };
  }
  for (let i = 0; i < length; i++) values[i] = scalarAt(view, i * size, scalarType, `${what}[${i}]`, start + i * size);
  return { type: 'array', elementType, length, values };
}

function safe(v: bigint): number | bigint {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
}

/** Sequential reader over a {@link ByteRangeReader} with one buffered window. */
class Cursor {
  pos = 0;
  bytesRead = 0;
  private keptArrayValues = 0;
  private buffer: Uint8Array = new Uint8Array(0);
  private bufferStart = 0;

  constructor(
    private readonly source: ByteRangeReader,
    private readonly chunkBytes: number,
  ) {}

  get remaining(): number {
    return this.source.size - this.pos;
  }

  /** Advances without reading; the bytes must exist. */
  skip(n: number): void {
    this.pos += n;
  }

  /** Reserves room for `n` more decoded array values under `ggufLimits.maxKeptArrayValues`; false when full. */
  keepArrayValues(n: number): boolean {
    if (this.keptArrayValues + n > ggufLimits.maxKeptArrayValues) return false;
    this.keptArrayValues += n;
    return true;
  }

  /** The next `n` bytes (a view into the window), advancing past them. */
  async bytes(n: number, what: string): Promise<Uint8Array> {
    await this.fill(n, what);
    const start = this.pos - this.bufferStart;
    this.pos += n;
    return this.buffer.subarray(start, start + n);
  }

  /** Makes the window hold bytes [pos, pos + n), reading a chunk from pos if it does not. */
  private async fill(n: number, what: string): Promise<void> {
    if (n > this.remaining) {
      throw new GgufFormatError(
        this.pos,
        `the file is truncated: ${what} needs ${n} bytes at byte ${this.pos} but the file ends at byte ${this.source.size}`,
      );
    }
    if (this.pos >= this.bufferStart && this.pos + n <= this.bufferStart + this.buffer.length) return;
    const length = Math.min(Math.max(n, this.chunkBytes), this.remaining);
    if (this.bytesRead + length > ggufLimits.maxHeaderReadBytes) {
      throw new GgufFormatError(
        this.pos,
        `reading the header would take more than ${ggufLimits.maxHeaderReadBytes / (1024 * 1024)} MiB of reads (at ${what}); real GGUF headers, vocabularies included, take under 30 MiB`,
        'maxHeaderReadBytes',
      );
    }
    const chunk = await this.source.read(this.pos, length);
    this.bytesRead += chunk.length;
    if (chunk.length < n) {
      throw new GgufFormatError(
        this.pos + chunk.length,
        `the file is truncated: ${what} needs ${n} bytes at byte ${this.pos} but only ${chunk.length} could be read (did the file change while it was read?)`,
      );
    }
    this.buffer = chunk;
    this.bufferStart = this.pos;
  }

  /**
   * Skips `count` strings (a vocabulary) by their u64 length prefixes. Synchronous within the
   * window, so a 150k-token vocabulary costs a few reads, not 150k awaits.
   */
  async skipStrings(count: number, what: string): Promise<void> {
    for (let i = 0; i < count;) {
      await this.fill(8, `the length of ${what}[${i}]`);
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      let p = this.pos - this.bufferStart;
      while (i < count && p + 8 <= view.byteLength) {
        const high = view.getUint32(p + 4, true);
        const n = high * 2 ** 32 + view.getUint32(p, true);
        const at = this.bufferStart + p;
        const remaining = this.source.size - at - 8;
        if (n > remaining) {
          throw new GgufFormatError(at, `the file is truncated: ${what}[${i}] is ${n} bytes long but only ${remaining} bytes remain`);
        }
        if (n > ggufLimits.maxStringBytes) {
          throw new GgufFormatError(
            at,
            `${what}[${i}] is ${n.toLocaleString('en-US')} bytes long, more than the ${ggufLimits.maxStringBytes.toLocaleString('en-US')} llama.cpp accepts (GGUF_MAX_STRING_LENGTH)`,
            'maxStringBytes',
          );
        }
        p += 8 + n;
        i++;
      }
      this.pos = this.bufferStart + p;
    }
  }

  /**
   * Reads and decodes `count` strings (a vocabulary). Synchronous within each window, so a
   * 262k-token vocabulary costs a few reads, not 262k awaits; a string crossing the window's end
   * refills it.
   */
  async readStrings(count: number, what: string): Promise<string[]> {
    const values: string[] = new Array<string>(count);
    for (let i = 0; i < count;) {
      await this.fill(8, `the length of ${what}[${i}]`);
      let view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
      let p = this.pos - this.bufferStart;
      while (i < count && p + 8 <= view.byteLength) {
        const n = view.getUint32(p + 4, true) * 2 ** 32 + view.getUint32(p, true);
        const at = this.bufferStart + p;
        const remaining = this.source.size - at - 8;
        if (n > remaining) {
          throw new GgufFormatError(at, `the file is truncated: ${what}[${i}] is ${n} bytes long but only ${remaining} bytes remain`);
        }
        if (n > ggufLimits.maxStringBytes) {
          throw new GgufFormatError(
            at,
            `${what}[${i}] is ${n.toLocaleString('en-US')} bytes long, more than the ${ggufLimits.maxStringBytes.toLocaleString('en-US')} llama.cpp accepts (GGUF_MAX_STRING_LENGTH)`,
            'maxStringBytes',
          );
        }
        if (p + 8 + n > view.byteLength) {
          // The string runs past the window: read it on its own.
          this.pos = at + 8;
          values[i] = decoder.decode(await this.bytes(n, `${what}[${i}]`));
          i++;
          break;
        }
        values[i] = decoder.decode(this.buffer.subarray(p + 8, p + 8 + n));
        p += 8 + n;
        i++;
        this.pos = this.bufferStart + p;
      }
      view = new DataView(new ArrayBuffer(0));
    }
    return values;
  }

  async view(n: number, what: string): Promise<DataView> {
    const b = await this.bytes(n, what);
    return new DataView(b.buffer, b.byteOffset, n);
  }

  async u32(what: string): Promise<number> {
    return (await this.view(4, what)).getUint32(0, true);
  }

  /** A u64 that must fit in a JS number (sizes, offsets, dimensions). */
  async u64(what: string): Promise<number> {
    const at = this.pos;
    const v = (await this.view(8, what)).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(at, `${what} is ${v}, beyond any real file`);
    return Number(v);
  }

  /**
   * A u64 byte length, checked against the cap and what is left of the file before anything is
   * allocated: a length field of 3,000,000,000 is refused here, not handed to an allocator.
   */
  async u64Length(what: string, cap: 'maxStringBytes' | 'maxKeyBytes' | 'maxTensorNameBytes'): Promise<number> {
    const at = this.pos;
    const n = await this.u64(`the length of ${what}`);
    if (n > this.remaining) {
      throw new GgufFormatError(at, `the file is truncated: ${what} is ${n} bytes long but only ${this.remaining} bytes remain`);
    }
    const max = ggufLimits[cap];
    if (n > max) {
      const why =
        cap === 'maxStringBytes'
          ? 'llama.cpp accepts (GGUF_MAX_STRING_LENGTH)'
          : cap === 'maxTensorNameBytes'
            ? 'llama.cpp accepts (names are shorter than GGML_MAX_NAME, 64)'
            : 'Context Budget reads';
      throw new GgufFormatError(
        at,
        `${what} is ${n.toLocaleString('en-US')} bytes long, more than the ${max.toLocaleString('en-US')} ${why}`,
        cap,
      );
    }
    return n;
  }

  /** A count of header records: each takes a few bytes, so it cannot exceed the file's size, nor the cap. */
  async count(what: string, unit: string, cap: 'maxTensors' | 'maxKeyValues'): Promise<number> {
    const at = this.pos;
    const n = await this.u64(what);
    if (n > this.source.size) {
      throw new GgufFormatError(at, `${what} says ${n} ${unit}s, more than the ${this.source.size}-byte file can hold`);
    }
    if (n > ggufLimits[cap]) {
      throw new GgufFormatError(
        at,
        `${what} says ${n.toLocaleString('en-US')} ${unit}s; Context Budget reads at most ${ggufLimits[cap].toLocaleString('en-US')} (real models have under 2,000)`,
        cap,
      );
    }
    return n;
  }

  async string(what: string, cap: 'maxKeyBytes' | 'maxTensorNameBytes'): Promise<string> {
    const n = await this.u64Length(what, cap);
    return decoder.decode(await this.bytes(n, what));
  }
}

// ignoreBOM: a string starting with U+FEFF keeps it (Gemma's vocabulary has "\ufeff//" as a token of its own).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
