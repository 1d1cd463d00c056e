import { arrayAt, booleanAt, indexAt, objectAt, optionalStringAt, stringAt } from './hfJson';
import { HfTokenizerError } from './hfTokenizerError';

// The BPE model of a tokenizer.json, after huggingface/tokenizers@3ba8ad0061a885baf052bbb7bbd22857e73e0c4e
// tokenizers/src/models/bpe/model.rs (`merge_word`, `tokenize_with_cache`, the builder's merge map)
// and tokenizers/src/models/bpe/word.rs (`merge_all`): a word starts as one symbol per character
// (with continuing_subword_prefix / end_of_word_suffix, byte_fallback and unk handling), then the
// pair with the lowest merge rank is merged, leftmost first on ties, until no listed pair remains.
// Ranks come from the merges list, not from the vocabulary. The merge uses a binary heap over a
// linked list of symbols, O(n log n), so a 1 MiB piece without whitespace does not go quadratic.

/** Piece lengths (UTF-16 units) whose counts are memoized; longer pieces are rare and not worth it. */
const cacheMaxPieceLength = 256;
/** Cached piece counts before the cache is emptied (a bound on memory, not a tuning knob). */
const cacheMaxEntries = 1 << 16;

/** A parsed BPE model. */
export class BpeModel {
  /** Token string → id, as in `model.vocab`. */
  readonly vocab: Map<string, number>;
  private readonly pairs: PairTable;
  private readonly unkId: number | undefined;
  private readonly prefix: string | undefined;
  private readonly suffix: string | undefined;
  private readonly byteFallback: boolean;
  private readonly fuseUnk: boolean;
  private readonly ignoreMerges: boolean;
  /** `<0xXX>` ids for byte_fallback, -1 where the vocabulary lacks one. */
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly countCache = new Map<string, number>();
  // Work arrays reused across words, grown on demand.
  private ids = new Int32Array(64);
  private prev = new Int32Array(64);
  private next = new Int32Array(64);
  private alive = new Uint8Array(64);
  private heapKeys = new Float64Array(128);
  private heapIds = new Int32Array(128);

  constructor(json: unknown, path: string) {
    const record = objectAt(json, path);
    const type = stringAt(record.type ?? 'BPE', `${path}.type`);
    if (type !== 'BPE') throw new HfTokenizerError(`${path}.type`, `"${type}" is not supported (supported: BPE)`, true);
    if (record.dropout !== null && record.dropout !== undefined && record.dropout !== 0) {
      // Dropout makes encoding random; the library skips it only for null or 0.
      throw new HfTokenizerError(
        `${path}.dropout`,
        `dropout ${String(record.dropout)} is not supported (only null or 0: counting must be deterministic)`,
        true,
      );
    }
    this.prefix = optionalStringAt(record.continuing_subword_prefix, `${path}.continuing_subword_prefix`) || undefined;
    this.suffix = optionalStringAt(record.end_of_word_suffix, `${path}.end_of_word_suffix`) || undefined;
    this.byteFallback = booleanAt(record.byte_fallback, `${path}.byte_fallback`, false);
    this.fuseUnk = booleanAt(record.fuse_unk, `${path}.fuse_unk`, false);
    this.ignoreMerges = booleanAt(record.ignore_merges, `${path}.ignore_merges`, false);

    const vocabJson = objectAt(record.vocab, `${path}.vocab`);
    this.vocab = new Map();
    for (const token in vocabJson) this.vocab.set(token, indexAt(vocabJson[token], `${path}.vocab[${JSON.stringify(token)}]`));

    const unk = optionalStringAt(record.unk_token, `${path}.unk_token`);
    if (unk !== undefined) {
      this.unkId = this.vocab.get(unk);
      // The library fails the whole encode when it needs an unk token that is not in the vocabulary.
      if (this.unkId === undefined) throw new HfTokenizerError(`${path}.unk_token`, `"${unk}" is not in the vocabulary`);
    }
    for (let byte = 0; byte < 256; byte++) {
      this.byteIds[byte] = this.vocab.get(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
    }

    const merges = arrayAt(record.merges, `${path}.merges`);
    this.pairs = new PairTable(merges.length);
    let rank = 0;
    for (let i = 0; i < merges.length; i++) {
      const merge = merges[i];
      let left: string;
      let right: string;
      if (typeof merge === 'string') {
        // Legacy "a b" lines (convert_merges_to_hashmap): "#version" lines are skipped and do not take a rank.
        if (merge.startsWith('#version')) continue;
        const parts = merge.split(' ');
        if (parts.length !== 2) throw new HfTokenizerError(`${path}.merges[${i}]`, `expected "left right", found ${JSON.stringify(merge)}`);
        [left, right] = parts as [string, string];
      } else if (Array.isArray(merge) && merge.length === 2 && typeof merge[0] === 'string' && typeof merge[1] === 'string') {
        [left, right] = merge as [string, string];
      } else {
        throw new HfTokenizerError(`${path}.merges[${i}]`, 'expected a "left right" string or a [left, right] pair');
      }
      this.addMerge(left, right, rank++, `${path}.merges[${i}]`);
    }
  }

  private addMerge(left: string, right: string, rank: number, path: string): void {
    const leftId = this.vocab.get(left);
    const rightId = this.vocab.get(right);
    if (leftId === undefined) throw new HfTokenizerError(path, `${JSON.stringify(left)} is not in the vocabulary`);
    if (rightId === undefined) throw new HfTokenizerError(path, `${JSON.stringify(right)} is not in the vocabulary`);
    let rightPart = right;
    if (this.prefix !== undefined) {
      if (!right.startsWith(this.prefix)) {
        throw new HfTokenizerError(path, `${JSON.stringify(right)} does not start with continuing_subword_prefix`, true);
      }
      rightPart = right.slice(this.prefix.length);
    }
    const merged = this.vocab.get(left + rightPart);
    if (merged === undefined) {
      throw new HfTokenizerError(path, `the merged token ${JSON.stringify(left + rightPart)} is not in the vocabulary`);
    }
    // A repeated pair keeps its last rank, as collecting into the library's HashMap does.
    this.pairs.set(leftId, rightId, rank, merged);
  }

  /** Number of entries in the vocabulary (the model's vocab size). */
  get size(): number {
    return this.vocab.size;
  }

  /** Tokens of one pre-tokenized piece. */
  count(piece: string): number {
    if (piece.length === 0) return 0;
    if (this.ignoreMerges && this.vocab.has(piece)) return 1;
    if (piece.length <= cacheMaxPieceLength) {
      const cached = this.countCache.get(piece);
      if (cached !== undefined) return cached;
      const tokens = this.mergeWord(piece, undefined);
      if (this.countCache.size >= cacheMaxEntries) this.countCache.clear();
      this.countCache.set(piece, tokens);
      return tokens;
    }
    return this.mergeWord(piece, undefined);
  }

  /** Token ids of one pre-tokenized piece, appended to `out`. */
  encode(piece: string, out: number[]): void {
    if (piece.length === 0) return;
    const whole = this.ignoreMerges ? this.vocab.get(piece) : undefined;
    if (whole !== undefined) out.push(whole);
    else this.mergeWord(piece, out);
  }

  /** model.rs `merge_word` + word.rs `merge_all`; returns the number of tokens, pushing ids to `out` if given. */
  private mergeWord(piece: string, out: number[] | undefined): number {
    this.ensureCapacity(piece.length * (this.byteFallback ? 4 : 1) + 1);
    const ids = this.ids;
    let n = 0;
    let unkPending = false;
    const pushUnk = (): void => {
      ids[n++] = this.unkId as number;
      unkPending = false;
    };
    for (let i = 0; i < piece.length;) {
      const code = piece.charCodeAt(i);
      const width = code >= 0xd800 && code <= 0xdbff && i + 1 < piece.length ? 2 : 1;
      let symbol = width === 1 ? (piece[i] as string) : piece.slice(i, i + 2);
      if (i > 0 && this.prefix !== undefined) symbol = this.prefix + symbol;
      i += width;
      if (i >= piece.length && this.suffix !== undefined) symbol += this.suffix;
      const id = this.vocab.get(symbol);
      if (id !== undefined) {
        if (unkPending) pushUnk();
        ids[n++] = id;
        continue;
      }
      if (this.byteFallback && this.pushBytes(symbol, n)) {
        // Byte tokens do not flush a pending unk: merge_word `continue`s before that.
        n += utf8Length(symbol);
        continue;
      }
      if (this.unkId !== undefined) {
        // A new unk: fused into the pending one, or the pending one is emitted first.
        if (unkPending && !this.fuseUnk) pushUnk();
        unkPending = true;
      }
      // No unk token: the library drops the character without a token.
    }
    if (unkPending) pushUnk();
    return this.mergeAll(n, out);
  }

  /** Writes the `<0xXX>` ids of `symbol`'s UTF-8 bytes at `at`; false (nothing written) if one is missing. */
  private pushBytes(symbol: string, at: number): boolean {
    const bytes = utf8Encoder.encode(symbol);
    for (const byte of bytes) if ((this.byteIds[byte] as number) < 0) return false;
    for (let k = 0; k < bytes.length; k++) this.ids[at + k] = this.byteIds[bytes[k] as number] as number;
    return true;
  }

  private mergeAll(n: number, out: number[] | undefined): number {
    const { ids, prev, next, alive, pairs } = this;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      alive[i] = 1;
    }
    let tokens = n;
    if (n > 1) {
      // Heap entries: key = rank * 2^26 + position (min first: lowest rank, then leftmost), value = merged id.
      const positionSpan = 67108864;
      let size = 0;
      for (let i = 0; i + 1 < n; i++) {
        const slot = pairs.find(ids[i] as number, ids[i + 1] as number);
        if (slot >= 0) size = this.heapPush(size, pairs.rank(slot) * positionSpan + i, pairs.merged(slot));
      }
      while (size > 0) {
        const key = this.heapKeys[0] as number;
        const mergedId = this.heapIds[0] as number;
        size = this.heapPop(size);
        const pos = key % positionSpan;
        if (alive[pos] !== 1) continue;
        const right = next[pos] as number;
        if (right < 0) continue;
        // word.rs: an entry is stale unless the pair at `pos` still merges into the same token.
        const current = pairs.find(ids[pos] as number, ids[right] as number);
        if (current < 0 || pairs.merged(current) !== mergedId) continue;
        ids[pos] = mergedId;
        alive[right] = 0;
        tokens--;
        const after = next[right] as number;
        next[pos] = after;
        if (after >= 0) prev[after] = pos;
        const before = prev[pos] as number;
        if (before >= 0) {
          const slot = pairs.find(ids[before] as number, mergedId);
          if (slot >= 0) size = this.heapPush(size, pairs.rank(slot) * positionSpan + before, pairs.merged(slot));
        }
        if (after >= 0) {
          const slot = pairs.find(mergedId, ids[after] as number);
          if (slot >= 0) size = this.heapPush(size, pairs.rank(slot) * positionSpan + pos, pairs.merged(slot));
        }
      }
    }
    if (out !== undefined) for (let i = 0; i >= 0 && i < n; i = next[i] as number) out.push(ids[i] as number);
    return tokens;
  }

  private heapPush(size: number, key: number, value: number): number {
    if (size === this.heapKeys.length) {
      const keys = new Float64Array(size * 2);
      keys.set(this.heapKeys);
      this.heapKeys = keys;
      const values = new Int32Array(size * 2);
      values.set(this.heapIds);
      this.heapIds = values;
    }
    const keys = this.heapKeys;
    const values = this.heapIds;
    let i = size;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((keys[parent] as number) <= key) break;
      keys[i] = keys[parent] as number;
      values[i] = values[parent] as number;
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
    return size + 1;
  }

  /** Removes the minimum (at index 0); returns the new size. */
  private heapPop(size: number): number {
    const keys = this.heapKeys;
    const values = this.heapIds;
    const last = size - 1;
    if (last === 0) return 0;
    const key = keys[last] as number;
    const value = values[last] as number;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= last) break;
      const right = left + 1;
      const child = right < last && (keys[right] as number) < (keys[left] as number) ? right : left;
      if ((keys[child] as number) >= key) break;
      keys[i] = keys[child] as number;
      values[i] = values[child] as number;
      i = child;
    }
    keys[i] = key;
    values[i] = value;
    return last;
  }

  private ensureCapacity(length: number): void {
    if (length <= this.ids.length) return;
    const capacity = Math.max(length, this.ids.length * 2);
    this.ids = new Int32Array(capacity);
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
    this.alive = new Uint8Array(capacity);
  }
}

const utf8Encoder = new TextEncoder();

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * (left id, right id) → (rank, merged id) in an open-addressing hash table over typed arrays: a
 * JavaScript Map keyed by a packed double would box every key, and Gemma 3 has 514,906 merges.
 */
export class PairTable {
  private readonly mask: number;
  private readonly lefts: Int32Array;
  private readonly rights: Int32Array;
  private readonly ranks: Int32Array;
  private readonly mergedIds: Int32Array;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.mask = capacity - 1;
    this.lefts = new Int32Array(capacity).fill(-1);
    this.rights = new Int32Array(capacity);
    this.ranks = new Int32Array(capacity);
    this.mergedIds = new Int32Array(capacity);
  }

  private slotOf(left: number, right: number): number {
    return (Math.imul(left, 0x9e3779b1) ^ Math.imul(right + 0x7f4a7c15, 0x85ebca77)) & this.mask;
  }

  set(left: number, right: number, rank: number, merged: number): void {
    let slot = this.slotOf(left, right);
    while (this.lefts[slot] !== -1 && !(this.lefts[slot] === left && this.rights[slot] === right)) slot = (slot + 1) & this.mask;
    this.lefts[slot] = left;
    this.rights[slot] = right;
    this.ranks[slot] = rank;
    this.mergedIds[slot] = merged;
  }

  /** Slot of the pair, or -1. */
  find(left: number, right: number): number {
    let slot = this.slotOf(left, right);
    for (;;) {
      const stored = this.lefts[slot] as number;
      if (stored === -1) return -1;
      if (stored === left && this.rights[slot] === right) return slot;
      slot = (slot + 1) & this.mask;
    }
  }

  rank(slot: number): number {
    return this.ranks[slot] as number;
  }

  merged(slot: number): number {
    return this.mergedIds[slot] as number;
  }
}
