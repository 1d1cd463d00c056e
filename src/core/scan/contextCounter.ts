import type { TokenizerId } from '../tokenizer/tokenizerId';
import { FileCountCache } from './fileCount';
import type { FileCount } from './fileCount';
import type { ScannedFile } from './scanner';
import { describeError, isNotFound } from './scanner';
import { isReadRefused } from './workspaceFs';
import type { WorkspaceFs } from './workspaceFs';
import { formatBytes } from '../units';

/** What the tokenizer pool answers (implemented in src/node/tokenizerPool.ts over worker threads). */
export type PoolOutcome =
  | {
      readonly kind: 'counted';
      readonly tokens: number;
      readonly bytes: number;
      readonly hadUtf8Bom: boolean;
      readonly invalidUtf8Sequences: number;
      readonly secretHints: readonly string[];
      readonly contentHash: string;
      readonly cached: boolean;
    }
  | { readonly kind: 'skipped'; readonly reason: string; readonly contentHash?: string };

/** The counting port: bytes or text in, an exact count out with the named tokenizer, off the caller's thread. */
export interface CountingPool {
  countBytes(bytes: Uint8Array, tokenizer: TokenizerId, signal?: AbortSignal): Promise<PoolOutcome>;
  countText(text: string, tokenizer: TokenizerId, signal?: AbortSignal): Promise<PoolOutcome>;
  /**
   * The count of file bytes or text known only by their SHA-256, from a cache (never tokenizes);
   * undefined when no cache has it. Lets an unchanged file be counted without being read, and a
   * cached outline without being restored.
   */
  countKnown?(source: 'bytes' | 'text', contentHash: string, tokenizer: TokenizerId): Promise<PoolOutcome | undefined>;
}

/**
 * Which content a file had at a change stamp (the persistent cache's path index, in
 * src/node/diskCountStore.ts): with it, a file whose stamp is unchanged is not read again.
 */
export interface ContentIndex {
  contentHashOf(location: string, stamp: string): Promise<string | undefined>;
  rememberContentHash(location: string, stamp: string, contentHash: string): void;
}

/**
 * A file whose last change (ctime) is this close to the moment it is read is not remembered by its
 * change stamp: a second write within the file system's timestamp granularity (a clock tick, 2 s
 * on FAT) could leave the stamp unchanged with different content. Git's "racily clean" rule:
 * git/git@94fa04ad4fed8e3b6a04f0e879169514eb9e8b6b:Documentation/technical/racy-git.txt.
 */
export const racyChangeMarginMs = 2000;

export interface CountProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Turns scanned files into counts: reads bytes through the WorkspaceFs port, counts them in the pool,
 * and memoises per location by mtime + size so a rescan re-reads only what changed.
 */
export class ContextCounter {
  constructor(
    private readonly fs: WorkspaceFs,
    private readonly pool: CountingPool,
    readonly cache: FileCountCache = new FileCountCache(),
    /** The persistent path index; without it every file not in `cache` is read. */
    private readonly index?: ContentIndex,
    private readonly now: () => number = Date.now,
  ) {}

  /** Locations to read again even when their change stamp is known (Recount All), until they are read. */
  private readonly mustRead = new Set<string>();

  /** The next count of each of these files reads it, whatever its change stamp says (Recount All). */
  forgetStamps(locations: Iterable<string>): void {
    for (const location of locations) this.mustRead.add(location);
  }

  /** Counts many files with bounded parallel reads; results arrive through `onResult` as they finish. */
  async countFiles(
    files: readonly ScannedFile[],
    tokenizer: TokenizerId,
    options: {
      readonly signal?: AbortSignal;
      readonly concurrency?: number;
      readonly onResult?: (file: ScannedFile, count: FileCount, progress: CountProgress) => void;
    } = {},
  ): Promise<Map<string, FileCount>> {
    const results = new Map<string, FileCount>();
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        if (options.signal?.aborted) return;
        const file = files[next++]!;
        const count = await this.countFile(file, tokenizer, options.signal);
        results.set(file.location, count);
        done++;
        options.onResult?.(file, count, { done, total: files.length });
      }
    };
    const lanes = Math.max(1, Math.min(options.concurrency ?? 8, files.length));
    await Promise.all(Array.from({ length: lanes }, worker));
    if (options.signal?.aborted) throw abortError();
    return results;
  }

  /** Counts one file from disk, using the memo when its mtime and size are unchanged. */
  async countFile(file: ScannedFile, tokenizer: TokenizerId, signal?: AbortSignal): Promise<FileCount> {
    const cached = this.cache.get(file.location, file.mtimeMs, file.sizeBytes, tokenizer);
    if (cached) return cached;
    const known = await this.countByStamp(file, tokenizer);
    if (known) return known;
    const readStartedMs = this.now();
    this.mustRead.delete(file.location);
    let bytes: Uint8Array;
    try {
      // Bounded by the limit it was scanned under: a file that grew since is refused, not counted past it.
      bytes = await this.fs.readFile(file.location, file.maxBytes !== undefined ? { maxBytes: file.maxBytes } : {});
    } catch (error) {
      if (isNotFound(error)) return { kind: 'skipped', reason: 'vanished', message: 'file disappeared before it could be read' };
      // It was within the limit when listed, so a size refusal now means it grew since.
      if (isReadRefused(error)) {
        return {
          kind: 'skipped',
          reason: error.reason,
          message: error.reason === 'tooLarge' ? `grew after it was listed: ${error.message}` : error.message,
        };
      }
      return { kind: 'skipped', reason: 'unreadable', message: `could not be read: ${describeError(error)}` };
    }
    // A port that ignores maxBytes (vscode.workspace.fs for virtual files) still never yields a count past the limit.
    if (file.maxBytes !== undefined && bytes.byteLength > file.maxBytes) {
      return {
        kind: 'skipped',
        reason: 'tooLarge',
        message: `grew after it was listed: ${formatBytes(bytes.byteLength)} is larger than the ${formatBytes(file.maxBytes)} limit`,
      };
    }
    let outcome: PoolOutcome;
    try {
      outcome = await this.pool.countBytes(bytes, tokenizer, signal);
    } catch (error) {
      // Cancellation propagates; any other failure (a crashed worker, a tokenizer error) is this file's
      // alone: it becomes a skipped file with the reason, never a file left "counting…" for good.
      if ((error as Error | null)?.name === 'AbortError') throw error;
      return { kind: 'skipped', reason: 'countFailed', message: `could not be counted: ${describeError(error)}` };
    }
    const count = toFileCount(outcome, bytes.byteLength, 'bytes');
    this.cache.set(file.location, file.mtimeMs, file.sizeBytes, tokenizer, count);
    const change = file.change;
    if (change && this.index && outcome.contentHash !== undefined && change.changedAtMs < readStartedMs - racyChangeMarginMs) {
      this.index.rememberContentHash(file.location, change.stamp, outcome.contentHash);
    }
    return count;
  }

  /** The count of a file whose change stamp maps to content the caches know, without reading it. */
  private async countByStamp(file: ScannedFile, tokenizer: TokenizerId): Promise<FileCount | undefined> {
    if (!file.change || !this.index || !this.pool.countKnown || this.mustRead.has(file.location)) return undefined;
    const contentHash = await this.index.contentHashOf(file.location, file.change.stamp);
    if (contentHash === undefined) return undefined;
    const outcome = await this.pool.countKnown('bytes', contentHash, tokenizer);
    if (!outcome) return undefined;
    const count = toFileCount(outcome, outcome.kind === 'counted' ? outcome.bytes : file.sizeBytes, 'bytes');
    this.cache.set(file.location, file.mtimeMs, file.sizeBytes, tokenizer, count);
    return count;
  }

  /**
   * Counts text that is not a file on disk: an unsaved editor buffer, a file as exported, the
   * directory tree. A failure other than cancellation comes back as a skipped count with its reason.
   */
  /** The count of a text known only by the SHA-256 of its UTF-8, from the caches; undefined when none has it (or on failure). */
  async countKnownText(contentHash: string, tokenizer: TokenizerId): Promise<FileCount | undefined> {
    const outcome = await this.pool.countKnown?.('text', contentHash, tokenizer).catch(() => undefined);
    return outcome === undefined ? undefined : toFileCount(outcome, outcome.kind === 'counted' ? outcome.bytes : 0, 'text');
  }

  async countText(text: string, tokenizer: TokenizerId, signal?: AbortSignal): Promise<FileCount> {
    let outcome: PoolOutcome;
    try {
      outcome = await this.pool.countText(text, tokenizer, signal);
    } catch (error) {
      if ((error as Error | null)?.name === 'AbortError') throw error;
      return { kind: 'skipped', reason: 'countFailed', message: `could not be counted: ${describeError(error)}` };
    }
    return toFileCount(outcome, outcome.kind === 'counted' ? outcome.bytes : 0, 'text');
  }
}

function toFileCount(outcome: PoolOutcome, sizeBytes: number, source: 'bytes' | 'text'): FileCount {
  if (outcome.kind === 'skipped') return { kind: 'skipped', reason: 'binary', message: outcome.reason };
  const notes: string[] = [];
  if (outcome.hadUtf8Bom) notes.push('UTF-8 byte-order mark not counted (editors and readers strip it)');
  if (outcome.invalidUtf8Sequences > 0) notes.push(`${outcome.invalidUtf8Sequences} invalid UTF-8 sequence(s) counted as U+FFFD`);
  const counted = { kind: 'counted', tokens: outcome.tokens, sizeBytes, notes, secrets: outcome.secretHints } as const;
  return outcome.contentHash ? { ...counted, contentKey: `${source}:${outcome.contentHash}` } : counted;
}

function abortError(): Error {
  const error = new Error('counting cancelled');
  error.name = 'AbortError';
  return error;
}
