// The on-disk format of the persistent count cache and the rules that decide what it keeps. Pure:
// the files are read, written, renamed and deleted by src/node/diskCountStore.ts.
//
// The cache holds three families of entries, each in its own folder of 16 shards:
//   - counts: (counting code, tokenizer id, source, SHA-256 of the content) → what counting produced;
//   - paths: a file's location and change stamp (size, mtime, ctime, inode) → the SHA-256 of its
//     content, so an unchanged file is found without reading it;
//   - parses: (parsing code, source + SHA-256 of the content, relative path) → the file's imports,
//     outline and kind signals, so relevance and outlines need no read and no parse of an unchanged file.
// A shard holds immutable segment files, each written whole under a temporary name and renamed into
// place, so a reader never sees half a segment and two processes never write the same file. A
// segment is a one-line header (magic, family, format version, CRC-32 and byte length of the JSON,
// byte length of the blob), the JSON body, and for parses a blob of compressed outlines after it.
// Anything that does not check out (magic, family, version, lengths, checksum, JSON, the shape of
// every entry) makes the whole segment untrusted: it is ignored, and rebuilt. The blob is read only
// when an outline's text is needed, and each outline is checked against its own SHA-256 then.

import type { FileKind } from '../relevance/kindSignals';
import type { ImportFacts, ImportReference } from '../relevance/extractSyntax';
import type { KindSignal } from '../relevance/kindSignals';
import type { SyntaxLanguage } from '../relevance/languages';

/** What a count produced, as the cache stores it: exactly the tokenizer worker's outcome. */
export type StoredOutcome =
  | {
      readonly kind: 'counted';
      readonly tokens: number;
      readonly bytes: number;
      readonly hadUtf8Bom: boolean;
      readonly invalidUtf8Sequences: number;
      readonly secretHints: readonly string[];
    }
  | { readonly kind: 'skipped'; readonly reason: string };

/** Where the content came from: raw file bytes (decoded in the worker) or already-decoded text. */
export type CountSource = 'bytes' | 'text';

/** One cached count. */
export interface StoredCount {
  /**
   * The code that produced the count and the tokenizer it used, e.g. `3f1c…|o200k_base`: a count is
   * only reused by the same counting code (tokenizer, decoding and secret rules of one build) and
   * the same tokenizer id. Counts of other builds stay in the file until the size cap evicts them.
   */
  readonly scope: string;
  readonly source: CountSource;
  /** Lowercase hex SHA-256 of the content (file bytes, or the text's UTF-8 encoding). */
  readonly contentHash: string;
  /** When the count was last used (ms since the epoch): the least recently used go first. */
  readonly lastUsedMs: number;
  readonly outcome: StoredOutcome;
}

/** Which content a file had when it had a given change stamp. */
export interface StoredPath {
  /** The file's location (absolute path or URI string). */
  readonly location: string;
  /** The file system's change stamp when it was read (see `EntryStat.change`). */
  readonly stamp: string;
  /** Lowercase hex SHA-256 of the bytes read. */
  readonly contentHash: string;
  readonly lastUsedMs: number;
}

/** How one family of entries is keyed, sharded, stamped, measured and serialised. */
export interface SegmentCodec<Entry> {
  /** The family's name: its folder is `<family>-v<version>`, and every header names it. */
  readonly family: string;
  /** The entry's identity: one entry per key is kept. */
  keyOf(entry: Entry): string;
  /**
   * A string the entry already holds that lookups find it by (its content hash, location or content
   * key): a bucket holds the few entries that share it, told apart by {@link sameKey}. Unlike
   * {@link keyOf}, it builds no string, so finding 10,000 entries hashes no new key.
   */
  bucketOf(entry: Entry): string;
  /** Whether two entries of one bucket have the same {@link keyOf}, without building it. */
  sameKey(a: Entry, b: Entry): boolean;
  shardOf(entry: Entry): string;
  /**
   * Whether `version` of the code (counting or parsing code) made the entry, for families whose
   * entries only that code reuses: entries of another version are never read, and are dropped once
   * unused for a while (see DiskCountStore). Paths, which any version reads, have none.
   */
  madeByCodeVersion?(entry: Entry, version: string): boolean;
  lastUsedMs(entry: Entry): number;
  restamp(entry: Entry, lastUsedMs: number): Entry;
  /** Approximate bytes the entry takes in a segment: what the size cap is measured in. */
  sizeOf(entry: Entry): number;
  /** The body's JSON; bytes an entry keeps as they are (a compressed outline) go to `blob`. */
  encodeBody(entries: readonly Entry[], blob: SegmentBlobWriter): unknown;
  /** @throws CorruptSegmentError naming what is wrong. `blob` holds what `encodeBody` added, in order. */
  decodeBody(body: unknown, blob: SegmentBlob): Entry[];
  /**
   * Makes the bytes the entries keep readable without blocking before they are written again (a
   * flush or a compaction reads each of their segments' blobs once, asynchronously). Families that
   * keep no bytes have none.
   */
  prepareWrite?(entries: readonly Entry[]): Promise<void>;
}

/**
 * Bytes kept beside a segment's JSON, after it, rather than inside it as base64: they cost no string
 * to decode and no garbage collection to hold, and a reader that needs none of them never reads them
 * (11.3 MB of compressed outlines on the bench tree, against 4.3 MB of parse JSON).
 */
export interface SegmentBlobWriter {
  /**
   * Appends the bytes and says where they are: [offset, length] within the blob; undefined when they
   * can no longer be read (their segment vanished), and then the entry is written without them.
   */
  add(bytes: KeptBytes): [number, number] | undefined;
}

/** Bytes an entry keeps in a segment's blob: their length is known, the bytes are read on demand. */
export interface KeptBytes {
  readonly byteLength: number;
  /** The bytes, or undefined when they cannot be read (their segment was deleted since it was loaded). */
  read(): Uint8Array | undefined;
  /** Reads, without blocking, what {@link read} will need (see {@link SegmentBlob.load}). */
  prepare(): Promise<void>;
}

/**
 * A segment's blob as a reader sees it: its length, and its bytes read when asked for: one range at
 * a time (an outline restored), or whole once {@link load} has read it.
 */
export interface SegmentBlob {
  readonly byteLength: number;
  /** The bytes at [offset, offset + length), or undefined when the blob cannot be read. */
  read(offset: number, length: number): Uint8Array | undefined;
  /** Reads the whole blob into memory, asynchronously, for a reader about to need many ranges. */
  load(): Promise<void>;
}

/** {@link KeptBytes} already in memory. */
export function keptBytes(bytes: Uint8Array): KeptBytes {
  return { byteLength: bytes.byteLength, read: () => bytes, prepare: () => Promise.resolve() };
}

/** A {@link SegmentBlob} over bytes in memory. */
export function blobInMemory(bytes: Uint8Array): SegmentBlob {
  return { byteLength: bytes.byteLength, read: (offset, length) => bytes.subarray(offset, offset + length), load: () => Promise.resolve() };
}

/**
 * Bumped whenever the layout or the meaning of a field changes; it is also the folders' suffix.
 * 2: the header gives the JSON's and the blob's lengths and the CRC-32 covers the JSON only, so a
 * reader can leave the blob unread (each outline in it is checked by its SHA-256 when restored).
 * 3: each workspace's entries live in their own folder (`workspaces-v3/<id>/`), so a run reads only
 * its own workspace's shards, not every project the cache ever held.
 */
export const countStoreFormatVersion = 3;

/** First bytes of every segment. */
const segmentMagic = 'CBCACHE';

/** A segment header is one short line; anything longer is not a header. */
const maxHeaderBytes = 80;

/** Bounds on what an entry may hold, so a damaged file cannot make the reader allocate without limit. */
const maxHintsPerEntry = 64;
const maxStringChars = 4096;

/** A lowercase hex SHA-256, as every content hash and key of the cache is written. */
export const sha256Hex = /^[0-9a-f]{64}$/;

/** Why a segment was not trusted. */
export class CorruptSegmentError extends Error {
  override readonly name = 'CorruptSegmentError';
}

/** All shard names, in order: 16 shards of similar size. */
export const shardNames: readonly string[] = Array.from({ length: 16 }, (_, i) => i.toString(16));

/** The key of a count within one process: scope, source and content hash. */
export function storedCountKey(scope: string, source: CountSource, contentHash: string): string {
  return `${scope}\n${source}\n${contentHash}`;
}

/** Counts: sharded by the content hash's first hex digit (hashes are uniform). */
export const countCodec: SegmentCodec<StoredCount> = {
  family: 'counts',
  keyOf: (count) => storedCountKey(count.scope, count.source, count.contentHash),
  bucketOf: (count) => count.contentHash,
  sameKey: (a, b) => a.contentHash === b.contentHash && a.source === b.source && a.scope === b.scope,
  shardOf: (count) => count.contentHash.charAt(0),
  // The scope is `<code version>|<tokenizer>` (DiskCountStore.countScope); a version holds no `|`.
  madeByCodeVersion: (count, version) => count.scope.startsWith(version) && count.scope.charCodeAt(version.length) === 0x7c,
  lastUsedMs: (count) => count.lastUsedMs,
  restamp: (count, lastUsedMs) => ({ ...count, lastUsedMs }),
  // The scope is written once per segment, so it is not counted per entry; 1 for the comma.
  sizeOf: (count) => JSON.stringify(encodeCount(0, count)).length + 1,
  encodeBody: (counts) => encodeScopedBody(counts, (scopeIndex, count) => encodeCount(scopeIndex, count)),
  decodeBody: (body) => decodeScopedBody(body, (entry, scopes, index) => decodeCount(entry, scopes, index)),
};

/**
 * A body whose entries share few scopes (code version, tokenizer): each scope is written once, in
 * `scopes`, and every entry names it by index.
 */
function encodeScopedBody<Entry extends { readonly scope: string }>(
  entries: readonly Entry[],
  encodeOne: (scopeIndex: number, entry: Entry) => unknown[],
): { scopes: string[]; entries: unknown[][] } {
  const scopes: string[] = [];
  const scopeIndex = new Map<string, number>();
  const encoded = entries.map((entry) => {
    let index = scopeIndex.get(entry.scope);
    if (index === undefined) {
      index = scopes.push(entry.scope) - 1;
      scopeIndex.set(entry.scope, index);
    }
    return encodeOne(index, entry);
  });
  return { scopes, entries: encoded };
}

/** Reads what {@link encodeScopedBody} wrote, checking the scopes; `decodeOne` checks each entry. */
function decodeScopedBody<Entry>(body: unknown, decodeOne: (entry: unknown, scopes: readonly string[], index: number) => Entry): Entry[] {
  if (!isRecord(body) || !Array.isArray(body['scopes']) || !Array.isArray(body['entries'])) {
    throw new CorruptSegmentError('body has no scopes and entries');
  }
  const scopes = body['scopes'] as unknown[];
  if (!scopes.every((scope) => isBoundedString(scope))) throw new CorruptSegmentError('a scope is not a string');
  return (body['entries'] as unknown[]).map((entry, i) => decodeOne(entry, scopes as string[], i));
}

function encodeCount(scopeIndex: number, count: StoredCount): unknown[] {
  const source = count.source === 'bytes' ? 0 : 1;
  const { outcome } = count;
  if (outcome.kind === 'skipped') return [scopeIndex, source, count.contentHash, count.lastUsedMs, outcome.reason];
  return [
    scopeIndex,
    source,
    count.contentHash,
    count.lastUsedMs,
    outcome.tokens,
    outcome.bytes,
    outcome.hadUtf8Bom ? 1 : 0,
    outcome.invalidUtf8Sequences,
    outcome.secretHints,
  ];
}

function decodeCount(entry: unknown, scopes: readonly string[], index: number): StoredCount {
  const bad = (what: string): CorruptSegmentError => new CorruptSegmentError(`entry ${index}: ${what}`);
  if (!Array.isArray(entry) || (entry.length !== 5 && entry.length !== 9)) throw bad('not a count');
  // Indexed reads, not destructuring: V8 runs array destructuring through the iterator protocol
  // until the function is optimized, and a cache load decodes tens of thousands of entries once.
  const fields = entry as unknown[];
  const scopeIndex = fields[0];
  const source = fields[1];
  const contentHash = fields[2];
  const lastUsedMs = fields[3];
  if (!isCount(scopeIndex) || scopeIndex >= scopes.length) throw bad('unknown scope');
  if (source !== 0 && source !== 1) throw bad('bad source');
  if (typeof contentHash !== 'string' || !sha256Hex.test(contentHash)) throw bad('bad content hash');
  if (!isCount(lastUsedMs)) throw bad('bad last-used time');
  const scope = scopes[scopeIndex]!;
  const sourceName = source === 0 ? 'bytes' : 'text';
  if (entry.length === 5) {
    const reason = entry[4] as unknown;
    if (!isBoundedString(reason)) throw bad('bad skip reason');
    return { scope, source: sourceName, contentHash, lastUsedMs, outcome: { kind: 'skipped', reason } };
  }
  const tokens = fields[4];
  const bytes = fields[5];
  const bom = fields[6];
  const invalid = fields[7];
  const hints = fields[8];
  if (!isCount(tokens) || !isCount(bytes) || !isCount(invalid)) throw bad('bad token, byte or invalid-sequence count');
  if (bom !== 0 && bom !== 1) throw bad('bad byte-order-mark flag');
  if (!Array.isArray(hints) || hints.length > maxHintsPerEntry || !hints.every((hint) => isBoundedString(hint))) {
    throw bad('bad secret hints');
  }
  return {
    scope,
    source: sourceName,
    contentHash,
    lastUsedMs,
    outcome: { kind: 'counted', tokens, bytes, hadUtf8Bom: bom === 1, invalidUtf8Sequences: invalid, secretHints: hints as string[] },
  };
}

/** Paths: one entry per location (the latest read wins), sharded by a hash of the location. */
export const pathCodec: SegmentCodec<StoredPath> = {
  family: 'paths',
  keyOf: (path) => path.location,
  bucketOf: (path) => path.location,
  sameKey: (a, b) => a.location === b.location,
  shardOf: (path) => shardOfLocation(path.location),
  lastUsedMs: (path) => path.lastUsedMs,
  restamp: (path, lastUsedMs) => ({ ...path, lastUsedMs }),
  sizeOf: (path) => JSON.stringify([path.location, path.stamp, path.contentHash, path.lastUsedMs]).length + 1,
  encodeBody: (paths) => ({ entries: paths.map((path) => [path.location, path.stamp, path.contentHash, path.lastUsedMs]) }),
  decodeBody(body) {
    if (!isRecord(body) || !Array.isArray(body['entries'])) throw new CorruptSegmentError('body has no entries');
    return (body['entries'] as unknown[]).map((entry, i) => {
      const bad = (what: string): CorruptSegmentError => new CorruptSegmentError(`entry ${i}: ${what}`);
      if (!Array.isArray(entry) || entry.length !== 4) throw bad('not a path');
      const location = entry[0] as unknown;
      const stamp = entry[1] as unknown;
      const contentHash = entry[2] as unknown;
      const lastUsedMs = entry[3] as unknown;
      if (!isBoundedString(location) || location === '' || !isBoundedString(stamp) || stamp === '') throw bad('bad location or stamp');
      if (typeof contentHash !== 'string' || !sha256Hex.test(contentHash)) throw bad('bad content hash');
      if (!isCount(lastUsedMs)) throw bad('bad last-used time');
      return { location, stamp, contentHash, lastUsedMs };
    });
  },
};

/** One cached parse (see `ParseCache`). */
export interface StoredParse {
  /** The parsing code (syntax worker and grammars of one build): a parse is only reused by the same code. */
  readonly scope: string;
  /** `bytes:<sha256>` or `text:<sha256>`: the content key of the count the parse belongs to. */
  readonly contentKey: string;
  /** The file's relative path: it picks the grammar and the kind signals. */
  readonly path: string;
  readonly lastUsedMs: number;
  readonly outcome: StoredParseOutcome;
  readonly signals: readonly KindSignal[];
}

/** A parse as stored: the worker's outcome with the outline in its {@link StoredOutline} form. */
export type StoredParseOutcome =
  | { readonly kind: 'parsed'; readonly syntax: ImportFacts; readonly outline: StoredOutline }
  | { readonly kind: 'unsupported'; readonly reason: string };

/**
 * An outline as stored (the node layer compresses, inflates and checks it), with the SHA-256
 * (lowercase hex) of its UTF-8: its count's key, and the check of a restored text. Its text is:
 * - `text`: the outline itself (short ones);
 * - `deflated`: its UTF-8, raw DEFLATE-compressed (RFC 1951), kept in the segment's blob and read from
 *   there only when restored: an outline is source text and compresses about 3.5×;
 * - `withheld`: not kept (a file with a likely secret); only the hash is.
 */
export type StoredOutline =
  | { readonly sha256: string; readonly kind: 'text'; readonly text: string }
  | { readonly sha256: string; readonly kind: 'deflated'; readonly bytes: KeptBytes }
  | { readonly sha256: string; readonly kind: 'withheld' };

/** The key of a parse within one process. */
export function storedParseKey(scope: string, contentKey: string, path: string): string {
  return `${scope}\n${contentKey}\n${path}`;
}

/**
 * An outline longer than this is not kept (it is parsed again when needed): bounds what a damaged
 * or hostile file can make the reader hold, and keeps one file from taking a shard's whole share.
 */
export const maxStoredOutlineChars = 1024 * 1024;
const maxListEntries = 100_000;
const contentKeyPattern = /^(bytes|text):[0-9a-f]{64}$/;
const syntaxLanguages: ReadonlySet<string> = new Set<SyntaxLanguage>([
  'typescript',
  'tsx',
  'javascript',
  'python',
  'go',
  'java',
  'rust',
  'cpp',
]);
const fileKinds: ReadonlySet<string> = new Set<FileKind>([
  'generated',
  'lockfile',
  'minified',
  'source-map',
  'vendored',
  'snapshot',
  'fixture',
  'test',
  'docs',
]);

/** Parses: sharded by the content hash's first hex digit. */
export const parseCodec: SegmentCodec<StoredParse> = {
  family: 'parses',
  keyOf: (entry) => storedParseKey(entry.scope, entry.contentKey, entry.path),
  bucketOf: (entry) => entry.contentKey,
  sameKey: (a, b) => a.contentKey === b.contentKey && a.path === b.path && a.scope === b.scope,
  shardOf: (entry) => shardOfContentKey(entry.contentKey),
  madeByCodeVersion: (entry, version) => entry.scope === version,
  lastUsedMs: (entry) => entry.lastUsedMs,
  restamp: (entry, lastUsedMs) => ({ ...entry, lastUsedMs }),
  sizeOf: (entry) => {
    let blobBytes = 0;
    // Measured without reading the bytes: their length is known.
    const sizing: SegmentBlobWriter = {
      add: (bytes) => {
        blobBytes += bytes.byteLength;
        return [blobBytes - bytes.byteLength, bytes.byteLength];
      },
    };
    return JSON.stringify(encodeParse(0, entry, sizing)).length + 1 + blobBytes;
  },
  encodeBody: (entries, blob) => encodeScopedBody(entries, (scopeIndex, entry) => encodeParse(scopeIndex, entry, blob)),
  decodeBody: (body, blob) => decodeScopedBody(body, (entry, scopes, index) => decodeParse(entry, scopes, index, blob)),
  prepareWrite: async (entries) => {
    // One load per blob: a segment's outlines share its blob, whose load() is the same promise each time.
    const loads = new Set<Promise<void>>();
    for (const entry of entries) {
      if (entry.outcome.kind === 'parsed' && entry.outcome.outline.kind === 'deflated') loads.add(entry.outcome.outline.bytes.prepare());
    }
    await Promise.all(loads);
  },
};

/** The shard of a content key: the first hex digit of its hash. */
export function shardOfContentKey(contentKey: string): string {
  return contentKey.charAt(contentKey.indexOf(':') + 1);
}

function encodeParse(scopeIndex: number, entry: StoredParse, blob: SegmentBlobWriter): unknown[] {
  const outcome = entry.outcome;
  const encodedOutcome =
    outcome.kind === 'unsupported'
      ? [0, outcome.reason]
      : [
          1,
          outcome.syntax.language,
          outcome.syntax.imports,
          outcome.syntax.packageName,
          outcome.syntax.typeReferences,
          encodeOutline(outcome.outline, blob),
          outcome.syntax.hasErrors ? 1 : 0,
        ];
  return [
    scopeIndex,
    entry.contentKey,
    entry.path,
    entry.lastUsedMs,
    encodedOutcome,
    entry.signals.map((signal) => [signal.kind, signal.evidence]),
  ];
}

function decodeParse(entry: unknown, scopes: readonly string[], index: number, blob: SegmentBlob): StoredParse {
  const bad = (what: string): CorruptSegmentError => new CorruptSegmentError(`entry ${index}: ${what}`);
  if (!Array.isArray(entry) || entry.length !== 6) throw bad('not a parse');
  const fields = entry as unknown[];
  const scopeIndex = fields[0];
  const contentKey = fields[1];
  const path = fields[2];
  const lastUsedMs = fields[3];
  const encodedOutcome = fields[4];
  const encodedSignals = fields[5];
  if (!isCount(scopeIndex) || scopeIndex >= scopes.length) throw bad('unknown scope');
  if (typeof contentKey !== 'string' || !contentKeyPattern.test(contentKey)) throw bad('bad content key');
  if (!isBoundedString(path) || path === '') throw bad('bad path');
  if (!isCount(lastUsedMs)) throw bad('bad last-used time');
  if (!Array.isArray(encodedSignals) || encodedSignals.length > maxHintsPerEntry) throw bad('bad kind signals');
  const signals = encodedSignals.map((signal: unknown) => {
    if (!Array.isArray(signal) || signal.length !== 2 || typeof signal[0] !== 'string' || !fileKinds.has(signal[0])) {
      throw bad('bad kind signal');
    }
    if (!isBoundedString(signal[1])) throw bad('bad kind signal evidence');
    return { kind: signal[0] as FileKind, evidence: signal[1] };
  });
  const outcome = decodeOutcome(encodedOutcome, blob, bad);
  return { scope: scopes[scopeIndex]!, contentKey, path, lastUsedMs, outcome, signals };
}

function decodeOutcome(encoded: unknown, blob: SegmentBlob, bad: (what: string) => CorruptSegmentError): StoredParseOutcome {
  if (!Array.isArray(encoded)) throw bad('bad parse outcome');
  if (encoded[0] === 0 && encoded.length === 2) {
    if (!isBoundedString(encoded[1])) throw bad('bad not-parsed reason');
    return { kind: 'unsupported', reason: encoded[1] };
  }
  if (encoded[0] !== 1 || encoded.length !== 7) throw bad('bad parse outcome');
  const fields = encoded as unknown[];
  const language = fields[1];
  const imports = fields[2];
  const packageName = fields[3];
  const typeReferences = fields[4];
  const outline = fields[5];
  const hasErrors = fields[6];
  if (typeof language !== 'string' || !syntaxLanguages.has(language)) throw bad('unknown language');
  if (!Array.isArray(imports) || imports.length > maxListEntries) throw bad('bad imports');
  if (packageName !== null && !isBoundedString(packageName)) throw bad('bad package name');
  if (!Array.isArray(typeReferences) || typeReferences.length > maxListEntries || !typeReferences.every((name) => isBoundedString(name))) {
    throw bad('bad type references');
  }
  if (hasErrors !== 0 && hasErrors !== 1) throw bad('bad syntax-error flag');
  return {
    kind: 'parsed',
    syntax: {
      language: language as SyntaxLanguage,
      imports: imports.map((reference: unknown) => decodeImport(reference, bad)),
      packageName,
      typeReferences: typeReferences as string[],
      hasErrors: hasErrors === 1,
    },
    outline: decodeOutline(outline, blob, bad),
  };
}

function encodeOutline(outline: StoredOutline, blob: SegmentBlobWriter): unknown[] {
  switch (outline.kind) {
    case 'text':
      return [outline.sha256, 'text', outline.text];
    case 'deflated': {
      const at = blob.add(outline.bytes);
      // Bytes that cannot be read any more are not kept: the file is parsed again when its outline is needed.
      return at === undefined ? [outline.sha256, 'withheld'] : [outline.sha256, 'deflated', ...at];
    }
    case 'withheld':
      return [outline.sha256, 'withheld'];
  }
}

/**
 * Checks a stored outline's shape and that its bytes lie within the blob; the bytes themselves are
 * checked against the hash where they are restored (a failure there parses the file again).
 */
function decodeOutline(encoded: unknown, blob: SegmentBlob, bad: (what: string) => CorruptSegmentError): StoredOutline {
  if (!Array.isArray(encoded)) throw bad('bad outline');
  const fields = encoded as unknown[];
  const sha256 = fields[0];
  const kind = fields[1];
  const first = fields[2];
  const second = fields[3];
  if (typeof sha256 !== 'string' || !sha256Hex.test(sha256)) throw bad('bad outline hash');
  if (kind === 'text' && encoded.length === 3 && typeof first === 'string' && first.length <= maxStoredOutlineChars) {
    return { sha256, kind, text: first };
  }
  if (kind === 'deflated' && encoded.length === 4 && isCount(first) && isCount(second)) {
    if (second > 3 * maxStoredOutlineChars || first + second > blob.byteLength) throw bad('outline bytes outside the segment');
    return { sha256, kind, bytes: { byteLength: second, read: () => blob.read(first, second), prepare: () => blob.load() } };
  }
  if (kind === 'withheld' && encoded.length === 2) return { sha256, kind };
  throw bad('bad outline');
}

/** Checks one import reference against its kind's shape (extractSyntax.ts `ImportReference`). */
function decodeImport(reference: unknown, bad: (what: string) => CorruptSegmentError): ImportReference {
  if (!isRecord(reference)) throw bad('bad import');
  const strings = (...names: string[]): boolean => names.every((name) => isBoundedString(reference[name]));
  const booleans = (...names: string[]): boolean => names.every((name) => typeof reference[name] === 'boolean');
  const stringList = (name: string): boolean => {
    const list = reference[name];
    return Array.isArray(list) && list.length <= maxListEntries && list.every((item) => isBoundedString(item));
  };
  const fields = Object.keys(reference).length;
  switch (reference['kind']) {
    case 'es':
      if (fields === 2 && strings('specifier')) return reference as unknown as ImportReference;
      break;
    case 'python':
      if (fields === 4 && isCount(reference['level']) && strings('module') && stringList('names')) {
        return reference as unknown as ImportReference;
      }
      break;
    case 'go':
      if (fields === 2 && strings('path')) return reference as unknown as ImportReference;
      break;
    case 'rust-mod':
      if (fields === 2 && strings('name')) return reference as unknown as ImportReference;
      break;
    case 'rust-use':
      if (fields === 2 && stringList('segments')) return reference as unknown as ImportReference;
      break;
    case 'java':
      if (fields === 4 && strings('name') && booleans('wildcard', 'isStatic')) return reference as unknown as ImportReference;
      break;
    case 'include':
      if (fields === 3 && strings('path') && booleans('system')) return reference as unknown as ImportReference;
      break;
  }
  throw bad('bad import');
}

/** The path shard of a location: FNV-1a (32-bit) of its UTF-16 units, mod 16. Only needs to spread evenly. */
export function shardOfLocation(location: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < location.length; i++) hash = Math.imul(hash ^ location.charCodeAt(i), 0x01000193);
  return ((hash >>> 0) % 16).toString(16);
}

/**
 * The byte-level work of checking a segment. The portable version is plain JS; the node layer passes
 * a native one (zlib's CRC-32), several times faster on a 20 MiB cache. Both give the same results.
 */
export interface SegmentPrimitives {
  /** CRC-32 (the ISO-HDLC polynomial of zlib, PNG and gzip) of the bytes, as an unsigned integer. */
  crc32(bytes: Uint8Array): number;
}

/** {@link SegmentPrimitives} in plain JS. */
export const portableSegmentPrimitives: SegmentPrimitives = { crc32 };

/**
 * Serialises entries into one segment: `CBCACHE <family> <version> <crc32 hex> <JSON bytes> <blob bytes>\n`,
 * the JSON body, and when the entries kept bytes aside, a newline and the blob. The CRC-32 covers the
 * JSON; the blob's bytes are checked where they are used (an outline by its SHA-256).
 */
export function encodeSegment<Entry>(
  codec: SegmentCodec<Entry>,
  entries: readonly Entry[],
  primitives: SegmentPrimitives = portableSegmentPrimitives,
): Uint8Array {
  const blobParts: Uint8Array[] = [];
  let blobBytes = 0;
  const blob: SegmentBlobWriter = {
    add: (kept) => {
      const bytes = kept.read();
      if (bytes === undefined) return undefined;
      blobParts.push(bytes);
      blobBytes += bytes.byteLength;
      return [blobBytes - bytes.byteLength, bytes.byteLength];
    },
  };
  // JSON text never holds a raw newline (JSON.stringify escapes it in strings): the first one ends it.
  const json = new TextEncoder().encode(JSON.stringify(codec.encodeBody(entries, blob)));
  const header = new TextEncoder().encode(
    `${segmentMagic} ${codec.family} ${countStoreFormatVersion} ${hex8(primitives.crc32(json))} ${json.byteLength} ${blobBytes}\n`,
  );
  const segment = new Uint8Array(header.byteLength + json.byteLength + (blobBytes > 0 ? 1 + blobBytes : 0));
  segment.set(header, 0);
  segment.set(json, header.byteLength);
  if (blobBytes > 0) {
    let at = header.byteLength + json.byteLength;
    segment[at++] = 0x0a;
    for (const part of blobParts) {
      segment.set(part, at);
      at += part.byteLength;
    }
  }
  return segment;
}

/** What a segment's header says: where its JSON lies, how long its blob is, and the JSON's CRC-32. */
export interface SegmentHeader {
  /** Bytes of the header line, newline included: the JSON starts there. */
  readonly headerBytes: number;
  readonly jsonBytes: number;
  /** Bytes of the blob, which follows the JSON and one newline when not 0. */
  readonly blobBytes: number;
  readonly crc32: string;
  /** The whole file's length, as the header describes it. */
  readonly fileBytes: number;
}

/** The most bytes {@link readSegmentHeader} needs: the header line is never longer. */
export const segmentHeaderMaxBytes = maxHeaderBytes;

/**
 * Reads a segment's header from its first bytes (up to {@link segmentHeaderMaxBytes}), checking magic,
 * family and version.
 *
 * @throws CorruptSegmentError saying what did not check out.
 */
export function readSegmentHeader(codec: SegmentCodec<unknown>, head: Uint8Array): SegmentHeader {
  const newline = head.subarray(0, maxHeaderBytes).indexOf(0x0a);
  if (newline < 0) throw new CorruptSegmentError('no header line');
  const fields = new TextDecoder().decode(head.subarray(0, newline)).split(' ');
  if (fields[0] !== segmentMagic) throw new CorruptSegmentError('not a cache segment (bad magic)');
  if (fields[1] !== codec.family) throw new CorruptSegmentError(`holds ${fields[1]}, expected ${codec.family}`);
  if (fields[2] !== String(countStoreFormatVersion)) {
    throw new CorruptSegmentError(`format version ${fields[2]}, expected ${countStoreFormatVersion}`);
  }
  const jsonBytes = Number(fields[4]);
  const blobBytes = Number(fields[5]);
  if (fields.length !== 6 || !/^[0-9a-f]{8}$/.test(fields[3]!) || !isCount(jsonBytes) || !isCount(blobBytes)) {
    throw new CorruptSegmentError('bad header');
  }
  const headerBytes = newline + 1;
  return { headerBytes, jsonBytes, blobBytes, crc32: fields[3]!, fileBytes: headerBytes + jsonBytes + (blobBytes > 0 ? 1 + blobBytes : 0) };
}

/**
 * Decodes a segment's JSON (the `jsonBytes` after its header) and checks every entry; `blob` is where
 * the entries' kept bytes are read from when needed.
 *
 * @throws CorruptSegmentError saying what did not check out; nothing from a failed segment is used.
 */
export function decodeSegmentJson<Entry>(
  codec: SegmentCodec<Entry>,
  header: SegmentHeader,
  fileBytes: number,
  json: Uint8Array,
  blob: SegmentBlob,
  primitives: SegmentPrimitives = portableSegmentPrimitives,
): Entry[] {
  if (fileBytes !== header.fileBytes) {
    throw new CorruptSegmentError(`truncated or padded: the header says ${header.fileBytes} bytes, the file has ${fileBytes}`);
  }
  if (json.byteLength !== header.jsonBytes) throw new CorruptSegmentError(`truncated: the header says ${header.jsonBytes} bytes of JSON`);
  if (header.crc32 !== hex8(primitives.crc32(json))) throw new CorruptSegmentError('checksum mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (error) {
    throw new CorruptSegmentError(`body is not valid JSON: ${(error as Error).message}`);
  }
  return codec.decodeBody(parsed, blob);
}

/**
 * Parses a whole segment in memory, checking everything: magic, family, version, length (a truncated
 * file fails here), CRC-32, JSON syntax, the type and range of every field of every entry.
 *
 * @throws CorruptSegmentError saying what did not check out; nothing from a failed segment is used.
 */
export function decodeSegment<Entry>(
  codec: SegmentCodec<Entry>,
  segment: Uint8Array,
  primitives: SegmentPrimitives = portableSegmentPrimitives,
): Entry[] {
  const header = readSegmentHeader(codec, segment);
  const jsonEnd = header.headerBytes + header.jsonBytes;
  const json = segment.subarray(header.headerBytes, jsonEnd);
  const entries = decodeSegmentJson(codec, header, segment.byteLength, json, blobInMemory(segment.subarray(jsonEnd + 1)), primitives);
  if (header.blobBytes > 0 && segment[jsonEnd] !== 0x0a) throw new CorruptSegmentError('no newline between the JSON and the blob');
  return entries;
}

/** What compaction keeps and how much it left out. */
export interface Compaction<Entry> {
  /** The entries kept, most recently used first. */
  readonly kept: Entry[];
  /** Entries dropped by the size cap (least recently used first to go). */
  readonly evicted: number;
  /** Bytes the kept entries take (as the codec's `sizeOf` measures them). */
  readonly bytes: number;
}

/**
 * Merges entries from several segments (the same key may appear in several, stamped at different
 * times: the latest wins) and keeps the most recently used until `budgetBytes` is reached: LRU
 * eviction. Ties keep the order given.
 */
export function compactEntries<Entry>(codec: SegmentCodec<Entry>, entries: Iterable<Entry>, budgetBytes: number): Compaction<Entry> {
  const latest = new Map<string, Entry>();
  for (const entry of entries) {
    const key = codec.keyOf(entry);
    const known = latest.get(key);
    if (known === undefined || codec.lastUsedMs(entry) > codec.lastUsedMs(known)) latest.set(key, entry);
  }
  const byRecency = [...latest.values()].sort((a, b) => codec.lastUsedMs(b) - codec.lastUsedMs(a));
  const kept: Entry[] = [];
  let bytes = 0;
  for (const entry of byRecency) {
    const size = codec.sizeOf(entry);
    if (bytes + size > budgetBytes) break;
    kept.push(entry);
    bytes += size;
  }
  return { kept, evicted: byRecency.length - kept.length, bytes };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A whole number of bytes, tokens or milliseconds: what every count field of the cache holds. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isBoundedString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= maxStringChars;
}

/**
 * CRC-32 (the IEEE 802.3 polynomial, reflected, 0xEDB88320) as gzip computes it: RFC 1952 §8,
 * https://www.rfc-editor.org/rfc/rfc1952#section-8. It detects truncation and flipped bytes, which
 * is all a cache needs; the content hashes inside are SHA-256.
 */
const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of `bytes` (table-driven; see {@link SegmentPrimitives.crc32}). */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A CRC-32 as the header writes it: 8 lowercase hex digits. */
function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
