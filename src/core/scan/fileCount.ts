import type { SkipReason } from './workspaceFs';

/** What counting one file produced. `notes` carry lossless-but-worth-knowing facts (BOM stripped, invalid UTF-8 replaced). */
export type FileCount =
  | {
      readonly kind: 'counted';
      readonly tokens: number;
      readonly sizeBytes: number;
      readonly notes: readonly string[];
      readonly secrets?: readonly string[];
      /**
       * What was counted, as `bytes:<sha256>` (file bytes) or `text:<sha256>` (decoded text, e.g. an
       * unsaved buffer), when the pool reported it: lets work done on this content (its parse) be found again.
       */
      readonly contentKey?: string;
    }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly message: string };

/**
 * Per-location memo of counts, valid while the file's mtime and size are unchanged and the
 * tokenizer (an encoding or a registered tokenizer id) is the same. File-watcher events call `invalidate`; the content-hash cache below it catches
 * identical content at a different location or after a touch.
 */
export class FileCountCache {
  private readonly entries = new Map<
    string,
    { readonly mtimeMs: number; readonly sizeBytes: number; readonly encoding: string; readonly count: FileCount }
  >();

  get(location: string, mtimeMs: number, sizeBytes: number, encoding: string): FileCount | undefined {
    const entry = this.entries.get(location);
    if (!entry || entry.mtimeMs !== mtimeMs || entry.sizeBytes !== sizeBytes || entry.encoding !== encoding) return undefined;
    return entry.count;
  }

  set(location: string, mtimeMs: number, sizeBytes: number, encoding: string, count: FileCount): void {
    this.entries.set(location, { mtimeMs, sizeBytes, encoding, count });
  }

  invalidate(location: string): void {
    this.entries.delete(location);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
