import type { RankMap } from './rankData';

/**
 * Pieces up to this many bytes use {@link bytePairMergeSmall}'s quadratic scan; longer ones use
 * {@link bytePairMergeLarge}'s heap. Below ~100 bytes the scan is cheaper than the heap's bookkeeping;
 * both give the same tokens.
 */
const smallPieceMaxBytes = 96;

/** A rank larger than any real one; means "these two parts cannot merge". */
const noRank = 0x7fffffff;

/**
 * Splits one pre-tokenized piece (a byte string: one code unit per byte) into its BPE tokens and
 * returns the start offset of every token, in order. The tokens are exactly tiktoken's: repeatedly
 * merge the adjacent pair whose concatenation has the lowest rank, the leftmost pair on ties.
 *
 * Short pieces use tiktoken's own O(n²) scan; long ones (a 1 MB run of one letter, a base64 blob)
 * use {@link bytePairMergeLarge}, which is O(n log n).
 */
export function bytePairMerge(piece: string, ranks: RankMap): number[] {
  if (piece.length <= 1) return piece.length === 0 ? [] : [0];
  return piece.length <= smallPieceMaxBytes ? bytePairMergeSmall(piece, ranks) : bytePairMergeLarge(piece, ranks);
}

/** tiktoken's `_byte_pair_merge`: keep the rank of every adjacent pair, scan for the minimum, merge it. */
export function bytePairMergeSmall(piece: string, ranks: RankMap): number[] {
  const starts: number[] = [];
  for (let i = 0; i <= piece.length; i++) starts.push(i);
  // pairRanks[i] is the rank of parts i and i+1 merged; the last two entries never merge.
  const pairRanks: number[] = [];
  for (let i = 0; i < piece.length - 1; i++) pairRanks.push(ranks.get(piece.substring(i, i + 2)) ?? noRank);
  pairRanks.push(noRank, noRank);

  const rankAt = (i: number): number => {
    const end = starts[i + 2];
    return end === undefined ? noRank : (ranks.get(piece.substring(starts[i] as number, end)) ?? noRank);
  };
  for (;;) {
    let minRank = noRank;
    let minIndex = -1;
    // `<` (not `<=`) keeps the leftmost pair on ties, as tiktoken does.
    for (let i = 0; i < pairRanks.length - 2; i++) {
      const rank = pairRanks[i] as number;
      if (rank < minRank) {
        minRank = rank;
        minIndex = i;
      }
    }
    if (minIndex < 0) break;
    starts.splice(minIndex + 1, 1);
    pairRanks.splice(minIndex + 1, 1);
    pairRanks[minIndex] = rankAt(minIndex);
    if (minIndex > 0) pairRanks[minIndex - 1] = rankAt(minIndex - 1);
  }
  starts.pop();
  return starts;
}

/**
 * The same merge order as {@link bytePairMergeSmall} in O(n log n): parts form a doubly linked list
 * (indexed by their start offset, which never changes) and candidate pairs sit in a binary min-heap
 * keyed by (rank, start of the left part). A merge changes at most two pairs; instead of deleting
 * their old heap entries we bump a per-part version and skip stale entries when they surface
 * ("lazy invalidation"). Every live adjacent pair has exactly one current entry, and the heap order
 * (lowest rank, then leftmost) is tiktoken's rule, so the result is identical.
 */
export function bytePairMergeLarge(piece: string, ranks: RankMap): number[] {
  const n = piece.length;
  const next = new Int32Array(n + 1);
  const prev = new Int32Array(n + 1);
  const alive = new Uint8Array(n + 1);
  const version = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
    alive[i] = 1;
  }

  // Heap of (key, version) where key = rank * 2^32 + leftStart; both fit exactly in a double
  // (ranks < 2^18, offsets < 2^32), so one comparison orders by rank, then by position.
  let capacity = Math.max(16, n * 3);
  let keys = new Float64Array(capacity);
  let versions = new Int32Array(capacity);
  let size = 0;
  const twoTo32 = 4294967296;

  const siftDown = (from: number): void => {
    let i = from;
    const key = keys[i] as number;
    const ver = versions[i] as number;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && (keys[right] as number) < (keys[left] as number) ? right : left;
      if ((keys[child] as number) >= key) break;
      keys[i] = keys[child] as number;
      versions[i] = versions[child] as number;
      i = child;
    }
    keys[i] = key;
    versions[i] = ver;
  };
  const push = (key: number, ver: number): void => {
    if (size === capacity) {
      capacity *= 2;
      const grownKeys = new Float64Array(capacity);
      grownKeys.set(keys);
      keys = grownKeys;
      const grownVersions = new Int32Array(capacity);
      grownVersions.set(versions);
      versions = grownVersions;
    }
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((keys[parent] as number) <= key) break;
      keys[i] = keys[parent] as number;
      versions[i] = versions[parent] as number;
      i = parent;
    }
    keys[i] = key;
    versions[i] = ver;
  };
  // Rank of the part starting at `left` merged with the part after it, or noRank.
  const pairRank = (left: number): number => {
    const mid = next[left] as number;
    if (mid >= n) return noRank;
    return ranks.get(piece.substring(left, next[mid] as number)) ?? noRank;
  };

  for (let i = 0; i < n - 1; i++) {
    const rank = ranks.get(piece.substring(i, i + 2));
    if (rank !== undefined) {
      keys[size] = rank * twoTo32 + i;
      versions[size] = 0;
      size++;
    }
  }
  for (let i = (size >> 1) - 1; i >= 0; i--) siftDown(i);

  while (size > 0) {
    const key = keys[0] as number;
    const ver = versions[0] as number;
    size--;
    if (size > 0) {
      keys[0] = keys[size] as number;
      versions[0] = versions[size] as number;
      siftDown(0);
    }
    const left = key % twoTo32;
    if (alive[left] !== 1 || version[left] !== ver) continue;

    const mid = next[left] as number;
    const end = next[mid] as number;
    alive[mid] = 0;
    next[left] = end;
    if (end <= n) prev[end] = left;
    version[left] = (version[left] as number) + 1;
    const leftRank = pairRank(left);
    if (leftRank !== noRank) push(leftRank * twoTo32 + left, version[left] as number);
    const before = prev[left] as number;
    if (before >= 0) {
      version[before] = (version[before] as number) + 1;
      const beforeRank = pairRank(before);
      if (beforeRank !== noRank) push(beforeRank * twoTo32 + before, version[before] as number);
    }
  }

  const starts: number[] = [];
  for (let i = 0; i < n; i = next[i] as number) starts.push(i);
  return starts;
}
