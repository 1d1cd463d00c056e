/**
 * The port through which parses are kept between runs: a file whose content was parsed before (same
 * content key, same path, same parsing code) is not read or parsed again. The CLI and the extension
 * keep them in the persistent count cache (src/node/diskCountStore.ts), beside the counts.
 */
import type { FileSyntax } from './extractSyntax';
import type { KindSignal } from './kindSignals';
import type { ParseOutcome } from './relevanceIndex';

/** What relevance keeps of one file's content at one path: its parse (or why none) and its kind signals. */
export interface ParsedFile {
  readonly outcome: ParseOutcome;
  readonly signals: readonly KindSignal[];
}

/**
 * An outline as the cache keeps it: a plan needs only its count, which is found by the outline's hash,
 * so its text (stored compressed) is restored only when something needs the text itself (an export,
 * a framed count, a count the cache lost).
 */
export interface KeptOutline {
  /** SHA-256 (lowercase hex) of the outline's UTF-8: the key its count is kept under (`text:` counts). */
  readonly sha256: string;
  /**
   * The outline text, or undefined when it was not kept (a file with a likely secret) or cannot be
   * restored intact: then the file is parsed again.
   */
  text(): string | undefined;
}

/** A {@link ParsedFile} as found in the cache: the same, with its outline kept rather than restored. */
export interface KeptParse {
  readonly outcome:
    | { readonly kind: 'parsed'; readonly syntax: Omit<FileSyntax, 'outline'> & { readonly outline: KeptOutline } }
    | { readonly kind: 'unsupported'; readonly reason: string };
  readonly signals: readonly KindSignal[];
}

/**
 * Keyed by the content key of a count (`FileCount.contentKey`) and the file's relative path: the
 * path picks the grammar and the kind signals (folders, names), the content everything else.
 */
export interface ParseCache {
  /** The parse kept for this content at this path (its outline restored or kept), or undefined. Never rejects. */
  lookup(contentKey: string, path: string): Promise<ParsedFile | KeptParse | undefined>;
  /**
   * Keeps a fresh parse (written on the store's next flush). With `withholdOutlineText` the outline's
   * hash is kept but not its text: for a file with a likely secret, since an outline keeps top-level
   * values and the cache is a file on disk. Its count is still found by that hash; its text, when
   * needed, by parsing again.
   */
  record(contentKey: string, path: string, parsed: ParsedFile, options?: { readonly withholdOutlineText?: boolean }): void;
}
