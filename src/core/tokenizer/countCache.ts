import type { TokenizerId } from './tokenizerId';

/**
 * Cache key for a count: the tokenizer (an encoding or an `hf:` tokenizer.json id), whether the content was raw file bytes or already-decoded
 * text (bytes go through BOM stripping and binary detection, so the same bytes can mean different
 * things), and a hash of the content.
 */
export function countCacheKey(tokenizer: TokenizerId, source: 'bytes' | 'text', contentHash: string): string {
  return `${tokenizer}:${source}:${contentHash}`;
}

/**
 * A small least-recently-used map from {@link countCacheKey} to a count outcome, so unchanged content
 * is never tokenized twice. Relies on `Map` iterating in insertion order: re-inserting on every hit
 * keeps the least recently used entry first.
 */
export class CountCache<Value> {
  private readonly entries = new Map<string, Value>();

  /** @param maxEntries entries kept before the least recently used is evicted (at least 1). */
  constructor(readonly maxEntries = 4096) {
    if (!(maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
  }

  /** Number of entries currently cached. */
  get size(): number {
    return this.entries.size;
  }

  /** The cached value, which becomes the most recently used; `undefined` on a miss. */
  get(key: string): Value | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Stores `value`, evicting the least recently used entry when full. */
  set(key: string, value: Value): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /** Drops every entry. */
  clear(): void {
    this.entries.clear();
  }
}
