/**
 * The port through which parses are kept between runs: a file whose content was parsed before (same
 * content key, same path, same parsing code) is not read or parsed again. The CLI and the extension
 * keep them in the persistent count cache (src/node/diskCountStore.ts), beside the counts.
 */
import type { KindSignal } from './kindSignals';
import type { ParseOutcome } from './relevanceIndex';

/** What relevance keeps of one file's content at one path: its parse (or why none) and its kind signals. */
export interface ParsedFile {
  readonly outcome: ParseOutcome;
  readonly signals: readonly KindSignal[];
}

/**
 * Keyed by the content key of a count (`FileCount.contentKey`) and the file's relative path: the
 * path picks the grammar and the kind signals (folders, names), the content everything else.
 */
export interface ParseCache {
  /** The parse kept for this content at this path, or undefined. Never rejects. */
  lookup(contentKey: string, path: string): Promise<ParsedFile | undefined>;
  /** Keeps a fresh parse (written on the store's next flush). */
  record(contentKey: string, path: string, parsed: ParsedFile): void;
}
