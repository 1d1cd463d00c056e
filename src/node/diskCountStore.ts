import { closeSync, fstatSync, openSync, promises as fsp, readSync } from 'node:fs';
import * as path from 'node:path';
import {
  compactEntries,
  CorruptSegmentError,
  isCount,
  countCodec,
  countStoreFormatVersion,
  decodeSegmentJson,
  encodeSegment,
  keptBytes,
  portableSegmentPrimitives,
  maxStoredOutlineChars,
  parseCodec,
  pathCodec,
  shardNames,
  shardOfContentKey,
  readSegmentHeader,
  segmentHeaderMaxBytes,
  shardOfLocation,
} from '../core/cache/countStoreFormat';
import type {
  CountSource,
  SegmentBlob,
  SegmentCodec,
  SegmentHeader,
  StoredCount,
  StoredOutcome,
  StoredOutline,
  StoredParse,
  StoredParseOutcome,
  SegmentPrimitives,
  StoredPath,
} from '../core/cache/countStoreFormat';
import type { KeptParse, ParseCache, ParsedFile } from '../core/relevance/parseCache';
import type { ContentIndex } from '../core/scan/contextCounter';
import { PlanMemo } from './planMemo';
import { abandonedTemporaryMs, uniqueWriterId, writeThenRename } from './atomicWrite';
import { nodeZlib } from './lazyBuiltins';
import { contentSha256 } from './tokenizerPool';

export { countingCodeVersion, parsingCodeVersion, planningCodeVersion } from './codeVersions';

/** The persistent half of the pool's count cache (see TokenizerPool's `store` option). */
export interface PersistentCountStore {
  /** The stored outcome of counting this content with this tokenizer, or undefined. Never rejects. */
  lookup(tokenizer: string, source: CountSource, contentHash: string): Promise<StoredOutcome | undefined>;
  /** Keeps a fresh outcome; written on the next flush. */
  record(tokenizer: string, source: CountSource, contentHash: string, outcome: StoredOutcome): void;
}

/** Options of {@link DiskCountStore}. */
export interface DiskCountStoreOptions {
  /** The cache root, e.g. `~/.cache/context-budget`; the entries live under its `workspaces-v3` folder. */
  readonly directory: string;
  /**
   * The workspace this store serves (a project folder, or a workspace file's URI): its entries live
   * in their own folder, so a run reads only its own workspace's shards, never every project the
   * cache holds. The CLI passes its project's root ({@link cacheWorkspaceOf}), the extension its
   * workspace.
   */
  readonly workspace: string;
  /**
   * Size cap on disk, in bytes, for the whole cache: one workspace may use all of it (shared between
   * counts, paths and parses by {@link cacheShares}, a sixteenth of each per shard); past it, the
   * least recently used other workspaces are deleted whole.
   */
  readonly maxBytes: number;
  /**
   * Identifies the counting code (tokenizers, decoding, secret rules): a count is only reused by
   * the same code. {@link countingCodeVersion} derives it from the worker bundle.
   */
  readonly codeVersion: string | Promise<string> | (() => Promise<string>);
  /**
   * Identifies the parsing code (syntax worker and grammars): a parse is only reused by the same
   * code. {@link parsingCodeVersion} derives it. Without it no parse is kept.
   */
  readonly parseCodeVersion?: string | Promise<string> | (() => Promise<string>);
  /** Told about a corrupt segment or a failed write, once per store: the cache goes on without it. */
  readonly onProblem?: (message: string) => void;
  /** Clock, for tests. */
  readonly now?: () => number;
  /** An entry used again is re-stamped (written again) only when its stamp is older than this; default 1 hour. */
  readonly touchIntervalMs?: number;
  /** A shard is compacted when it has more segments than this; default 8. */
  readonly maxSegmentsPerShard?: number;
  /**
   * When set, new and re-stamped entries are flushed this many ms after the last one (the
   * extension, whose process has no natural end); otherwise only {@link DiskCountStore.flush} writes.
   */
  readonly flushDelayMs?: number;
  /**
   * When set, the loaded shards are flushed and forgotten this many ms after the last lookup (the
   * extension: the cache costs no memory while nothing is being counted). They are read again when
   * next needed.
   */
  readonly releaseAfterIdleMs?: number;
}

/** What the store did, for tests, benchmarks and the Clear command. */
export interface DiskCountStoreStats {
  readonly countLookups: number;
  readonly countHits: number;
  readonly pathLookups: number;
  readonly pathHits: number;
  readonly parseLookups: number;
  readonly parseHits: number;
  /** Entries written to segments (fresh and re-stamped). */
  readonly written: number;
  readonly compactions: number;
  /** Entries dropped by the size cap in compactions. */
  readonly evicted: number;
  /** Segments found corrupt (ignored and deleted). */
  readonly corruptSegments: number;
  /** Other workspaces' folders deleted to keep the whole cache under its cap. */
  readonly evictedWorkspaces: number;
  /** Shards read into memory (both families). */
  readonly loadedShards: number;
}

/**
 * Shares of `maxBytes`, from the 9,040-file bench tree: a count entry takes about 106 bytes (a planned
 * file has two: its content and its outline), a path about 240, and a parse about 2.2 KB (its outline,
 * compressed). At the default 64 MiB that is 19 MiB of counts (about 180,000 entries), 9.6 MiB of paths
 * (about 40,000 files) and 35 MiB of parses (about 16,000 such files): a re-planned tree of 10,000
 * files keeps all three.
 */
export const cacheShares = { counts: 0.3, paths: 0.15, parses: 0.55 } as const;
const countShare = cacheShares.counts;
const pathShare = cacheShares.paths;
const parseShare = cacheShares.parses;

/**
 * The persistent count cache on disk, shared by every process that uses the same directory (CLI
 * runs, extension hosts). Counts are keyed by counting code, tokenizer id, source and the SHA-256
 * of the content, so anyone who meets the same content again reuses its count. Paths map a file's
 * location and change stamp to the SHA-256 of its content, so an unchanged file is not even read.
 *
 * Layout: `<directory>/workspaces-v3/<workspace id>/{counts,paths,parses}/<shard>/*.seg`, 16 shards
 * each, read lazily on the first lookup that needs them, plus `workspace.json` (which workspace, its
 * last write, its bytes). The id is the first 16 hex digits of the SHA-256 of the workspace's key.
 * Entries are not shared between workspaces: sharded by content hash alone, a run had to read every
 * shard of every project ever cached (measured: a 159-file run took 0.72–0.74 s and 110 MB with the
 * bench tree's 20 MB beside it; in its own folder, 0.34 s and 64 MB, as with nothing beside it).
 *
 * - **Crash-safe:** a segment is written whole under a temporary name, then renamed into place
 *   (rename is atomic within a directory, POSIX rename(2):
 *   https://pubs.opengroup.org/onlinepubs/9699919799/functions/rename.html); it is never modified
 *   afterwards. A file torn by a crash fails its length or CRC-32 check.
 * - **Never trusted when damaged:** a segment that fails any check (countStoreFormat.ts
 *   decodeSegment) is ignored, deleted so it is rebuilt from fresh counts, and reported once through
 *   `onProblem`.
 * - **Several processes at once:** every flush writes new files with unique names, so writers never
 *   collide. Compaction merges the segments it read into a new one and then deletes exactly those,
 *   so entries another process writes meanwhile survive; two compactions at once only leave
 *   duplicates, which the next one merges.
 * - **Size-capped, LRU:** each entry carries its last use; a shard is compacted when it has more
 *   than `maxSegmentsPerShard` segments or a quarter more than its share of `maxBytes`, keeping the
 *   most recently used entries that fit its share. An entry used again is re-stamped at most every
 *   `touchIntervalMs`, so a re-run of an unchanged tree writes nothing. Across workspaces: after a
 *   write, when the whole cache is over `maxBytes`, the other workspaces last written longest ago are
 *   deleted whole until it fits (never this store's own).
 * - **Versioned:** the format version is in the folder names and every header; the counting code's
 *   version is part of every count's key.
 *
 * Failures never fail a count: a read error is a miss, a write error stops writing (reported once).
 */
export class DiskCountStore implements PersistentCountStore, ContentIndex {
  /** The cache folder (every workspace's). */
  readonly directory: string;
  private readonly workspace: string;
  private plans: PlanMemo | undefined;
  /** This workspace's folder, `<directory>/workspaces-v3/<id>`, once asked for (see {@link workspaceRoot}). */
  private workspaceFolder: string | undefined;
  private readonly maxBytes: number;
  /** Bytes written since the workspace's record was last written, and when that was (see {@link keepWorkspaceRecord}). */
  private unrecordedBytes = 0;
  private lastRecordMs: number | undefined;
  private readonly codeVersionSource: DiskCountStoreOptions['codeVersion'];
  private codeVersionPromise: Promise<string> | undefined;
  /** The versions once known: what a shard being loaded compares its entries' with. */
  private knownCodeVersion: string | undefined;
  private knownParseCodeVersion: string | undefined;
  private readonly counts: SegmentFamily<StoredCount>;
  private readonly paths: SegmentFamily<StoredPath>;
  private readonly parses: SegmentFamily<StoredParse>;
  private readonly parseCodeVersionSource: DiskCountStoreOptions['parseCodeVersion'];
  private parseCodeVersionPromise: Promise<string> | undefined;
  private readonly shared: FamilyContext;
  private readonly flushDelayMs: number | undefined;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly releaseAfterIdleMs: number | undefined;
  private releaseTimer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private problemReported = false;
  private supersededRemoved = false;
  private readonly countScopes = new Map<string, string>();
  private readonly onProblem: (message: string) => void;
  private lookups = { countLookups: 0, countHits: 0, pathLookups: 0, pathHits: 0, parseLookups: 0, parseHits: 0 };

  constructor(options: DiskCountStoreOptions) {
    this.directory = options.directory;
    this.workspace = options.workspace;
    this.codeVersionSource = options.codeVersion;
    this.parseCodeVersionSource = options.parseCodeVersion;
    this.onProblem = options.onProblem ?? (() => undefined);
    this.flushDelayMs = options.flushDelayMs;
    this.releaseAfterIdleMs = options.releaseAfterIdleMs;
    this.shared = {
      now: options.now ?? Date.now,
      touchIntervalMs: options.touchIntervalMs ?? 60 * 60 * 1000,
      maxSegmentsPerShard: Math.max(1, options.maxSegmentsPerShard ?? 8),
      report: (message) => this.report(message),
      writable: true,
      counters: { written: 0, writtenBytes: 0, compactions: 0, evicted: 0, corruptSegments: 0, evictedWorkspaces: 0 },
      scheduleFlush: () => this.scheduleFlush(),
    };
    const maxBytes = Math.max(0, options.maxBytes);
    this.maxBytes = maxBytes;
    const budget = (share: number): number => (maxBytes * share) / shardNames.length;
    this.counts = new SegmentFamily(this.familyRoot(countCodec), countCodec, budget(countShare), this.shared, () => this.knownCodeVersion);
    this.paths = new SegmentFamily(this.familyRoot(pathCodec), pathCodec, budget(pathShare), this.shared, () => undefined);
    this.parses = new SegmentFamily(
      this.familyRoot(parseCodec),
      parseCodec,
      budget(parseShare),
      this.shared,
      () => this.knownParseCodeVersion,
    );
  }

  /** The folder holding the cache (what Clear Count Cache empties). */
  get location(): string {
    return this.directory;
  }

  async lookup(tokenizer: string, source: CountSource, contentHash: string): Promise<StoredOutcome | undefined> {
    this.lookups.countLookups++;
    this.scheduleRelease();
    let version: string;
    try {
      version = await this.codeVersion;
    } catch (error) {
      this.report(`the count cache is not used: the counting code's version could not be read (${describe(error)})`);
      return undefined;
    }
    const scope = this.countScope(version, tokenizer);
    const count = await this.counts.get(contentHash.charAt(0), contentHash, (entry) => entry.source === source && entry.scope === scope);
    if (count === undefined) return undefined;
    this.lookups.countHits++;
    return count.outcome;
  }

  record(tokenizer: string, source: CountSource, contentHash: string, outcome: StoredOutcome): void {
    const stamp = this.shared.now();
    // The scope needs the code version, known by now (every record follows a lookup).
    void this.codeVersion.then(
      (version) => this.counts.put({ scope: this.countScope(version, tokenizer), source, contentHash, lastUsedMs: stamp, outcome }),
      () => undefined,
    );
  }

  async contentHashOf(location: string, stamp: string): Promise<string | undefined> {
    this.lookups.pathLookups++;
    this.scheduleRelease();
    const known = await this.paths.get(shardOfLocation(location), location, () => true);
    if (known === undefined || known.stamp !== stamp) return undefined;
    this.lookups.pathHits++;
    return known.contentHash;
  }

  rememberContentHash(location: string, stamp: string, contentHash: string): void {
    this.paths.put({ location, stamp, contentHash, lastUsedMs: this.shared.now() });
  }

  /**
   * {@link ParseCache.lookup}: the parse kept for this content at this path by the same parsing code.
   * Its outline stays as stored until its text is asked for (see {@link KeptOutline}).
   */
  async lookupParse(contentKey: string, path: string): Promise<KeptParse | undefined> {
    const version = await this.parseVersion();
    if (version === undefined) return undefined;
    this.lookups.parseLookups++;
    this.scheduleRelease();
    const entry = await this.parses.get(shardOfContentKey(contentKey), contentKey, (kept) => kept.path === path && kept.scope === version);
    if (entry === undefined) return undefined;
    this.lookups.parseHits++;
    const outcome = entry.outcome;
    if (outcome.kind === 'unsupported') return { outcome, signals: entry.signals };
    const stored = outcome.outline;
    return {
      outcome: { kind: 'parsed', syntax: { ...outcome.syntax, outline: { sha256: stored.sha256, text: () => restoreOutline(stored) } } },
      signals: entry.signals,
    };
  }

  /** {@link ParseCache.record}; outlines over {@link maxStoredOutlineChars} are not kept, longer ones are compressed. */
  recordParse(contentKey: string, path: string, parsed: ParsedFile, options: { readonly withholdOutlineText?: boolean } = {}): void {
    if (this.parseCodeVersionSource === undefined) return;
    const { outcome, signals } = parsed;
    if (outcome.kind === 'parsed' && outcome.syntax.outline.length > maxStoredOutlineChars) return;
    let stored: StoredParseOutcome;
    if (outcome.kind === 'parsed') {
      const { outline, ...syntax } = outcome.syntax;
      stored = { kind: 'parsed', syntax, outline: storedOutline(outline, options.withholdOutlineText === true) };
    } else {
      stored = outcome;
    }
    const stamp = this.shared.now();
    void this.parseVersion().then((version) => {
      if (version !== undefined) this.parses.put({ scope: version, contentKey, path, lastUsedMs: stamp, outcome: stored, signals });
    });
  }

  /** This store as the session's {@link ParseCache}, or undefined when it keeps no parses (no parsing code version). */
  parseCache(): ParseCache | undefined {
    if (this.parseCodeVersionSource === undefined) return undefined;
    return {
      lookup: (contentKey, path) => this.lookupParse(contentKey, path),
      record: (contentKey, path, parsed, options) => this.recordParse(contentKey, path, parsed, options),
    };
  }

  /** Writes what was recorded or re-stamped since the last flush. Never rejects. */
  flush(): Promise<void> {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    // One flush at a time: a second waits for the first, then writes what arrived meanwhile.
    this.flushing = this.flushing.then(async () => {
      try {
        await this.codeVersion;
      } catch {
        return;
      }
      // Let `record` continuations queued before this flush land first.
      await Promise.resolve();
      // Only when parses were looked up or kept: a run that parses nothing never reads the grammars to hash them.
      if (this.parseCodeVersionPromise !== undefined) await this.parseVersion();
      await Promise.resolve();
      const writtenBefore = this.shared.counters.writtenBytes;
      await this.counts.flush();
      await this.paths.flush();
      await this.parses.flush();
      const written = this.shared.counters.writtenBytes - writtenBefore;
      if (written === 0) return;
      if (!this.supersededRemoved) {
        this.supersededRemoved = true;
        await this.removeSupersededFormats();
      }
      await this.keepWorkspaceRecord(written);
    });
    return this.flushing;
  }

  /**
   * Deletes the folders of earlier format versions (`counts-v1`, `counts-v2`…): nothing reads them
   * any more. Done once a process has written in the current format, so an upgrade frees the old
   * cache's disk space on its first run; an older build still running elsewhere just starts its
   * folders again.
   */
  private async removeSupersededFormats(): Promise<void> {
    const superseded = [];
    for (let version = 1; version < countStoreFormatVersion; version++) {
      if (version < 3) {
        for (const codec of [countCodec, pathCodec, parseCodec]) superseded.push(path.join(this.directory, `${codec.family}-v${version}`));
      } else {
        superseded.push(path.join(this.directory, `workspaces-v${version}`));
      }
    }
    await Promise.all(superseded.map((folder) => fsp.rm(folder, { recursive: true, force: true }).catch(() => undefined)));
  }

  /**
   * After a flush that wrote: records this workspace's use and size in its `workspace.json`, then
   * deletes the least recently written other workspaces while the whole cache is over its cap. Done
   * on the first write of a process, then again once an eighth of the cap has been written or an
   * hour has passed, so the extension's small flushes while the user types do not each list the cache.
   */
  private async keepWorkspaceRecord(writtenBytes: number): Promise<void> {
    this.unrecordedBytes += writtenBytes;
    const now = this.shared.now();
    if (
      this.lastRecordMs !== undefined &&
      this.unrecordedBytes < this.maxBytes / 8 &&
      now - this.lastRecordMs < this.shared.touchIntervalMs
    ) {
      return;
    }
    this.unrecordedBytes = 0;
    this.lastRecordMs = now;
    try {
      const ownBytes = await folderBytes(this.workspaceRoot, workspaceRecordFile);
      await writeWorkspaceRecord(this.workspaceRoot, { workspace: this.workspace, lastWrittenMs: now, bytes: ownBytes });
      await this.evictIdleWorkspaces(ownBytes);
    } catch (error) {
      this.report(`the count cache's workspace record in ${this.workspaceRoot} cannot be kept (${describe(error)})`);
    }
  }

  /** Deletes other workspaces' folders, least recently written first, until the whole cache fits `maxBytes`. */
  private async evictIdleWorkspaces(ownBytes: number): Promise<void> {
    const ownId = path.basename(this.workspaceRoot);
    const others: Array<{ folder: string; lastWrittenMs: number; bytes: number }> = [];
    for (const entry of await fsp.readdir(this.workspacesFolder, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || entry.name === ownId) continue;
      const folder = path.join(this.workspacesFolder, entry.name);
      const record = await readWorkspaceRecord(folder);
      if (record !== undefined) {
        others.push({ folder, lastWrittenMs: record.lastWrittenMs, bytes: record.bytes });
        continue;
      }
      // No record (a process died before writing it, or is writing its first segment now): its
      // folder's own numbers stand in.
      const stat = await fsp.stat(folder).catch(() => undefined);
      if (stat === undefined) continue;
      others.push({ folder, lastWrittenMs: stat.mtimeMs, bytes: await folderBytes(folder, workspaceRecordFile) });
    }
    let total = ownBytes + others.reduce((sum, other) => sum + other.bytes, 0);
    others.sort((a, b) => a.lastWrittenMs - b.lastWrittenMs);
    for (const other of others) {
      if (total <= this.maxBytes) break;
      await fsp.rm(other.folder, { recursive: true, force: true }).catch(() => undefined);
      total -= other.bytes;
      this.shared.counters.evictedWorkspaces++;
    }
  }

  /** The CLI's drop-plan memo, kept in this workspace's folder (see planMemo.ts); problems are reported like the cache's. */
  get planMemo(): PlanMemo {
    return (this.plans ??= new PlanMemo({
      folder: () => this.workspaceRoot,
      maxBytes: this.maxBytes,
      report: (message) => this.report(message),
      now: () => this.shared.now(),
    }));
  }

  /**
   * This workspace's folder. Named on first use: its id is a SHA-256, and node:crypto takes 8–21 ms
   * to load (lazyBuiltins.ts), which the extension's activation, where the store is made, must not pay.
   */
  private get workspaceRoot(): string {
    return (this.workspaceFolder ??= path.join(this.workspacesFolder, workspaceCacheId(this.workspace)));
  }

  /** `<directory>/workspaces-v3`: every workspace's folder. */
  private get workspacesFolder(): string {
    return path.join(this.directory, `workspaces-v${countStoreFormatVersion}`);
  }

  /**
   * Forgets the loaded shards that have nothing left to write: the extension calls this once its
   * counts have settled, so the cache costs no memory while nothing is counted. They are read again
   * on the next lookup that needs them.
   */
  release(): void {
    this.counts.release();
    this.paths.release();
    this.parses.release();
  }

  /** Writes what is pending and stops the timers. */
  async dispose(): Promise<void> {
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = undefined;
    await this.flush();
  }

  /**
   * Deletes every entry on disk (every workspace's, every build's, every family's) and forgets the
   * loaded ones. Resolves to what was removed. Other processes keep what they loaded; their next
   * flush starts the folders again.
   */
  async clear(): Promise<{ readonly bytes: number; readonly files: number }> {
    await this.flushing.catch(() => undefined);
    const usage = await this.diskUsage();
    this.counts.forget();
    this.paths.forget();
    this.parses.forget();
    this.lastRecordMs = undefined;
    await Promise.all([
      fsp.rm(this.workspacesFolder, { recursive: true, force: true }).catch(() => undefined),
      this.removeSupersededFormats(),
    ]);
    return usage;
  }

  /** Bytes and files on disk now, every workspace's (what Clear would remove, earlier formats aside). */
  async diskUsage(): Promise<{ readonly bytes: number; readonly files: number }> {
    return folderUsage(this.workspacesFolder);
  }

  stats(): DiskCountStoreStats {
    return {
      ...this.lookups,
      ...this.shared.counters,
      loadedShards: this.counts.loadedShards + this.paths.loadedShards + this.parses.loadedShards,
    };
  }

  /** A count's scope, `<code version>|<tokenizer>`: one string per tokenizer, compared by content in lookups. */
  private countScope(version: string, tokenizer: string): string {
    let scope = this.countScopes.get(tokenizer);
    if (scope === undefined || !scope.startsWith(version) || scope.length !== version.length + 1 + tokenizer.length) {
      scope = `${version}|${tokenizer}`;
      this.countScopes.set(tokenizer, scope);
    }
    return scope;
  }

  /** The counting code's version, learnt on first use (reading the worker script is not activation's business). */
  private get codeVersion(): Promise<string> {
    if (this.codeVersionPromise === undefined) {
      const source = this.codeVersionSource;
      this.codeVersionPromise = typeof source === 'function' ? source() : Promise.resolve(source);
      // A failure is reported where it is awaited (lookups turn it into misses).
      this.codeVersionPromise.then(
        (version) => (this.knownCodeVersion = version),
        () => undefined,
      );
    }
    return this.codeVersionPromise;
  }

  /**
   * The versions of the counting and parsing code this store keys its entries by (parsing: null when
   * no parse is kept); rejects when one cannot be read. The CLI's plan memo keys plans by them too.
   */
  async codeVersions(): Promise<{ readonly counting: string; readonly parsing: string | null }> {
    const source = this.parseCodeVersionSource;
    return { counting: await this.codeVersion, parsing: source === undefined ? null : await this.parseVersionOf(source) };
  }

  /** The parsing code's version, learnt on first use; undefined when parses are not kept or it cannot be read (reported once). */
  private async parseVersion(): Promise<string | undefined> {
    const source = this.parseCodeVersionSource;
    if (source === undefined) return undefined;
    try {
      return await this.parseVersionOf(source);
    } catch (error) {
      this.report(`parses are not cached: the parsing code's version could not be read (${describe(error)})`);
      return undefined;
    }
  }

  private parseVersionOf(source: NonNullable<DiskCountStoreOptions['parseCodeVersion']>): Promise<string> {
    if (this.parseCodeVersionPromise === undefined) {
      this.parseCodeVersionPromise = typeof source === 'function' ? source() : Promise.resolve(source);
      this.parseCodeVersionPromise.then(
        (version) => (this.knownParseCodeVersion = version),
        () => undefined,
      );
    }
    return this.parseCodeVersionPromise;
  }

  private familyRoot(codec: SegmentCodec<unknown>): () => string {
    return () => path.join(this.workspaceRoot, codec.family);
  }

  private scheduleFlush(): void {
    if (this.flushDelayMs === undefined) return;
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => void this.flush(), this.flushDelayMs);
    // A pending write never keeps a process alive; the owner flushes on the way out.
    this.flushTimer.unref?.();
  }

  private scheduleRelease(): void {
    if (this.releaseAfterIdleMs === undefined) return;
    if (this.releaseTimer !== undefined) clearTimeout(this.releaseTimer);
    this.releaseTimer = setTimeout(() => {
      this.releaseTimer = undefined;
      void this.flush().then(() => this.release());
    }, this.releaseAfterIdleMs);
    this.releaseTimer.unref?.();
  }

  private report(message: string): void {
    if (this.problemReported) return;
    this.problemReported = true;
    this.onProblem(message);
  }
}

/** What the two families share: clock, policy, the once-only report, and counters. */
interface FamilyContext {
  readonly now: () => number;
  readonly touchIntervalMs: number;
  readonly maxSegmentsPerShard: number;
  readonly report: (message: string) => void;
  /** False after a write failed: the cache goes on in memory only. */
  writable: boolean;
  readonly counters: {
    written: number;
    writtenBytes: number;
    compactions: number;
    evicted: number;
    corruptSegments: number;
    evictedWorkspaces: number;
  };
  readonly scheduleFlush: () => void;
}

interface Shard<Entry> {
  /** Resolves when every segment on disk at first use has been read. */
  loaded: Promise<void>;
  isLoaded: boolean;
  /** The entries by {@link SegmentCodec.bucketOf}: nearly always one per bucket. */
  readonly entries: Map<string, Entry[]>;
  /** Segment files whose entries are in `entries`. */
  readonly segments: Set<string>;
  /** Entries to write on the next flush, by key. */
  readonly pending: Map<string, Entry>;
  /** Bytes of the segments on disk, as last seen. */
  diskBytes: number;
  /** Entries on disk that another version of the code made and nobody used for a while: the next flush compacts them away. */
  outdated: number;
}

const segmentSuffix = '.seg';
const tempPrefix = '.tmp-';

/** One family's shards: lazy loading, re-stamping, flushing and compaction (see {@link DiskCountStore}). */
class SegmentFamily<Entry> {
  private shards = new Map<string, Shard<Entry>>();

  constructor(
    /** The family's folder, named on first use (see DiskCountStore.workspaceRoot). */
    private readonly rootOf: () => string,
    private readonly codec: SegmentCodec<Entry>,
    private readonly shardBudgetBytes: number,
    private readonly context: FamilyContext,
    /** The version of the code whose entries this process reads, once known (see {@link SegmentCodec.madeByCodeVersion}). */
    private readonly currentCodeVersion: () => string | undefined,
  ) {}

  private get root(): string {
    return this.rootOf();
  }

  get loadedShards(): number {
    return this.shards.size;
  }

  /**
   * The entry of `bucket` that `matches` (loading its shard first), re-stamped when its last use is
   * old. `matches` must pick out at most one key: what {@link SegmentCodec.keyOf} would tell apart.
   */
  async get(shardName: string, bucket: string, matches: (entry: Entry) => boolean): Promise<Entry | undefined> {
    const shard = this.shard(shardName);
    // Once loaded, a lookup takes no extra turn of the event loop (10,000 of them on a reload).
    if (!shard.isLoaded) await shard.loaded;
    const entries = shard.entries.get(bucket);
    if (entries === undefined) return undefined;
    const index = entries.findIndex(matches);
    if (index < 0) return undefined;
    const entry = entries[index]!;
    const now = this.context.now();
    if (now - this.codec.lastUsedMs(entry) >= this.context.touchIntervalMs) {
      const touched = this.codec.restamp(entry, now);
      entries[index] = touched;
      shard.pending.set(this.codec.keyOf(touched), touched);
      this.context.scheduleFlush();
    }
    return entry;
  }

  put(entry: Entry): void {
    const shard = this.shard(this.codec.shardOf(entry));
    this.index(shard, entry);
    shard.pending.set(this.codec.keyOf(entry), entry);
    this.context.scheduleFlush();
  }

  /** Puts `entry` in its bucket, in place of the one with its key. */
  private index(shard: Shard<Entry>, entry: Entry): void {
    const bucket = this.codec.bucketOf(entry);
    const entries = shard.entries.get(bucket);
    if (entries === undefined) {
      shard.entries.set(bucket, [entry]);
      return;
    }
    const index = entries.findIndex((known) => this.codec.sameKey(known, entry));
    if (index < 0) entries.push(entry);
    else entries[index] = entry;
  }

  async flush(): Promise<void> {
    for (const [name, shard] of this.shards) {
      if (!this.context.writable) return;
      if (!shard.isLoaded) await shard.loaded;
      // A shard holding an earlier build's unused entries is compacted even when nothing new is
      // written to it: once after an upgrade, rather than read by every run until the cap evicts them.
      if (shard.pending.size === 0 && shard.outdated === 0) continue;
      if (shard.pending.size > 0) {
        const entries = [...shard.pending.values()];
        shard.pending.clear();
        const written = await this.write(path.join(this.root, name), entries);
        if (written === undefined) return;
        this.context.counters.written += entries.length;
        this.context.counters.writtenBytes += written.bytes;
        shard.segments.add(written.file);
        shard.diskBytes += written.bytes;
      }
      if (shard.segments.size > this.context.maxSegmentsPerShard || shard.diskBytes > this.shardBudgetBytes * 1.25 || shard.outdated > 0) {
        await this.compact(name, shard);
      }
    }
  }

  release(): void {
    for (const [name, shard] of this.shards) if (shard.pending.size === 0) this.shards.delete(name);
  }

  /** Forgets every loaded entry and pending write (the files are being deleted). */
  forget(): void {
    this.shards = new Map();
  }

  private shard(name: string): Shard<Entry> {
    let shard = this.shards.get(name);
    if (shard === undefined) {
      const created: Shard<Entry> = {
        loaded: Promise.resolve(),
        isLoaded: false,
        entries: new Map(),
        segments: new Set(),
        pending: new Map(),
        diskBytes: 0,
        outdated: 0,
      };
      created.loaded = this.load(name, created).finally(() => {
        created.isLoaded = true;
      });
      shard = created;
      this.shards.set(name, shard);
    }
    return shard;
  }

  /** Reads every segment of a shard into memory; damaged ones are reported, deleted and skipped. */
  private async load(name: string, shard: Shard<Entry>): Promise<void> {
    const dir = path.join(this.root, name);
    const files = (await fsp.readdir(dir).catch(() => [] as string[])).filter((file) => file.endsWith(segmentSuffix));
    const read = await Promise.all(files.map((file) => this.readSegment(dir, file)));
    const version = this.currentCodeVersion();
    read.forEach((segment, i) => {
      if (segment === undefined) return;
      shard.segments.add(files[i]!);
      shard.diskBytes += segment.bytes;
      for (const entry of segment.entries) {
        // Another version's entry is never a hit here: not held in memory, and dropped on the next write once unused for a while.
        if (version !== undefined && this.codec.madeByCodeVersion?.(entry, version) === false) {
          if (this.unusedForTouchInterval(entry)) shard.outdated++;
          continue;
        }
        const bucket = this.codec.bucketOf(entry);
        const entries = shard.entries.get(bucket);
        if (entries === undefined) {
          // Entries recorded before the load finished are newer than anything on disk.
          if (shard.pending.size === 0 || !shard.pending.has(this.codec.keyOf(entry))) shard.entries.set(bucket, [entry]);
          continue;
        }
        const index = entries.findIndex((known) => this.codec.sameKey(known, entry));
        if (index >= 0 && this.codec.lastUsedMs(entry) <= this.codec.lastUsedMs(entries[index]!)) continue;
        if (shard.pending.size > 0 && shard.pending.has(this.codec.keyOf(entry))) continue;
        if (index < 0) entries.push(entry);
        else entries[index] = entry;
      }
    });
  }

  /**
   * One segment's entries and size; undefined when it vanished (compacted by another process) or was
   * damaged. Only its header and JSON are read: its blob is read if and when an entry needs it.
   */
  private async readSegment(dir: string, file: string): Promise<{ entries: Entry[]; bytes: number } | undefined> {
    const location = path.join(dir, file);
    let read: { header: SegmentHeader; json: Uint8Array; fileBytes: number };
    try {
      read = await readHeaderAndJson(this.codec, location);
    } catch (error) {
      if (error instanceof CorruptSegmentError) return this.damaged(location, error);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.context.report(`the count cache file ${location} cannot be read (${describe(error)}); it is ignored`);
      }
      return undefined;
    }
    const { header, json, fileBytes } = read;
    try {
      const entries = decodeSegmentJson(this.codec, header, fileBytes, json, blobInFile(location, header), nativeSegmentPrimitives());
      return { entries, bytes: fileBytes };
    } catch (error) {
      if (!(error instanceof CorruptSegmentError)) throw error;
      return this.damaged(location, error);
    }
  }

  private async damaged(location: string, error: CorruptSegmentError): Promise<undefined> {
    this.context.counters.corruptSegments++;
    this.context.report(
      `the count cache file ${location} is damaged (${error.message}); it was ignored and deleted, and what it held will be counted again`,
    );
    await fsp.rm(location, { force: true }).catch(() => undefined);
    return undefined;
  }

  /** Writes a segment under a temporary name and renames it into place; undefined (reported) when writing fails. */
  private async write(dir: string, entries: readonly Entry[]): Promise<{ file: string; bytes: number } | undefined> {
    await this.codec.prepareWrite?.(entries);
    const segment = encodeSegment(this.codec, entries, nativeSegmentPrimitives());
    const unique = `${this.context.now().toString(36)}-${uniqueWriterId()}`;
    const temp = path.join(dir, `${tempPrefix}${unique}`);
    const file = `${unique}${segmentSuffix}`;
    for (let attempt = 0; ; attempt++) {
      try {
        await writeThenRename(temp, path.join(dir, file), segment);
        return { file, bytes: segment.byteLength };
      } catch (error) {
        // The folder is missing at first, or was deleted by a Clear in another process: create it once.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && attempt === 0) {
          await fsp.mkdir(dir, { recursive: true }).catch(() => undefined);
          continue;
        }
        this.context.writable = false;
        this.context.report(
          `the count cache at ${path.dirname(this.root)} cannot be written (${describe(error)}); counts are not kept for the next run`,
        );
        return undefined;
      }
    }
  }

  /**
   * Merges every segment of the shard now on disk (other processes' included) into one, keeping the
   * most recently used entries that fit the shard's budget, then deletes the segments it merged.
   */
  private async compact(name: string, shard: Shard<Entry>): Promise<void> {
    const dir = path.join(this.root, name);
    const listing = await fsp.readdir(dir).catch(() => [] as string[]);
    await this.removeStaleTemps(dir, listing);
    const files = listing.filter((file) => file.endsWith(segmentSuffix));
    const read = await Promise.all(files.map((file) => this.readSegment(dir, file)));
    const onDisk = read.flatMap((segment) => segment?.entries ?? []).filter((entry) => !this.isOutdated(entry));
    const compaction = compactEntries(this.codec, [...onDisk, ...[...shard.entries.values()].flat()], this.shardBudgetBytes);
    const written = await this.write(dir, compaction.kept);
    if (written === undefined) return;
    // Only what was read is deleted: a segment another process wrote meanwhile stays.
    await Promise.all(files.map((file) => fsp.rm(path.join(dir, file), { force: true }).catch(() => undefined)));
    this.context.counters.compactions++;
    this.context.counters.evicted += compaction.evicted;
    shard.segments.clear();
    shard.segments.add(written.file);
    shard.diskBytes = written.bytes;
    shard.outdated = 0;
    shard.entries.clear();
    for (const entry of compaction.kept) this.index(shard, entry);
  }

  /**
   * Made by another version of the code and unused for `touchIntervalMs`: an upgrade's old entries
   * would otherwise be read by every run until the size cap evicted them. Measured on the bench tree
   * after a simulated upgrade: 37 MB on disk instead of 20 MB (under the default cap, so never
   * evicted), and a re-run with a plan took ~0.13 s and ~10 MB more. Another version still in use (an
   * older window) re-stamps its entries, so they stay.
   */
  private isOutdated(entry: Entry): boolean {
    const version = this.currentCodeVersion();
    return version !== undefined && this.codec.madeByCodeVersion?.(entry, version) === false && this.unusedForTouchInterval(entry);
  }

  private unusedForTouchInterval(entry: Entry): boolean {
    return this.context.now() - this.codec.lastUsedMs(entry) >= this.context.touchIntervalMs;
  }

  private async removeStaleTemps(dir: string, listing: readonly string[]): Promise<void> {
    for (const entry of listing) {
      if (!entry.startsWith(tempPrefix)) continue;
      const stat = await fsp.stat(path.join(dir, entry)).catch(() => undefined);
      if (stat && this.context.now() - stat.mtimeMs > abandonedTemporaryMs) {
        await fsp.rm(path.join(dir, entry), { force: true }).catch(() => undefined);
      }
    }
  }
}

/** Each workspace folder's record of itself: which workspace, when it was last written, its bytes. */
const workspaceRecordFile = 'workspace.json';

interface WorkspaceRecord {
  /** The workspace's key, for a person looking at the folder. */
  readonly workspace: string;
  readonly lastWrittenMs: number;
  readonly bytes: number;
}

/** A workspace's folder name: the first 16 hex digits of the SHA-256 of its key (64 bits: no collision in practice). */
export function workspaceCacheId(workspace: string): string {
  return contentSha256(workspace).slice(0, 16);
}

async function writeWorkspaceRecord(folder: string, record: WorkspaceRecord): Promise<void> {
  const temp = path.join(folder, `${tempPrefix}${uniqueWriterId()}`);
  try {
    await writeThenRename(temp, path.join(folder, workspaceRecordFile), JSON.stringify(record));
  } catch (error) {
    // Another process evicted this workspace meanwhile: its next write starts the folder again.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** A workspace's record, or undefined when it is missing or not one (then the folder's own numbers are used). */
async function readWorkspaceRecord(folder: string): Promise<WorkspaceRecord | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await fsp.readFile(path.join(folder, workspaceRecordFile), 'utf8'));
  } catch {
    return undefined;
  }
  const record = parsed as Partial<WorkspaceRecord> | null;
  if (
    typeof record !== 'object' ||
    record === null ||
    typeof record.workspace !== 'string' ||
    !isCount(record.lastWrittenMs) ||
    !isCount(record.bytes)
  ) {
    return undefined;
  }
  return record as WorkspaceRecord;
}

/** Bytes and files under a folder, recursively (0 when it is gone); symbolic links are not followed. */
async function folderUsage(folder: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  const pending = [folder];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        pending.push(full);
      } else if (entry.isFile()) {
        const stat = await fsp.stat(full).catch(() => undefined);
        if (stat === undefined) continue;
        bytes += stat.size;
        files++;
      }
    }
  }
  return { bytes, files };
}

/** Bytes under a folder, but for the file named `except` in it. */
async function folderBytes(folder: string, except: string): Promise<number> {
  const [usage, excepted] = await Promise.all([folderUsage(folder), fsp.stat(path.join(folder, except)).catch(() => undefined)]);
  return usage.bytes - (excepted?.isFile() ? excepted.size : 0);
}

let nativePrimitives: SegmentPrimitives | undefined;

/**
 * Native {@link SegmentPrimitives}: zlib's CRC-32 (Node ≥ 20.15: https://nodejs.org/api/zlib.html#zlibcrc32data-value),
 * else the portable one. On the 9,040-file bench tree's 23 MiB cache: 11 ms against 57–89 ms.
 */
export function nativeSegmentPrimitives(): SegmentPrimitives {
  if (nativePrimitives) return nativePrimitives;
  const zlibCrc32 = (nodeZlib() as { crc32?: (data: Uint8Array) => number }).crc32;
  return (nativePrimitives = { crc32: typeof zlibCrc32 === 'function' ? (bytes) => zlibCrc32(bytes) : portableSegmentPrimitives.crc32 });
}

/**
 * A segment's header and JSON, and the file's length, in two reads: the blob after them is left
 * unread. Throws CorruptSegmentError for a bad header, the file system's error otherwise.
 */
async function readHeaderAndJson(
  codec: SegmentCodec<unknown>,
  location: string,
): Promise<{ header: SegmentHeader; json: Uint8Array; fileBytes: number }> {
  const handle = await fsp.open(location, 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    const head = new Uint8Array(Math.min(fileBytes, segmentHeaderMaxBytes));
    await readFully(handle, head, 0);
    const header = readSegmentHeader(codec, head);
    const json = new Uint8Array(Math.max(0, Math.min(header.jsonBytes, fileBytes - header.headerBytes)));
    await readFully(handle, json, header.headerBytes);
    return { header, json, fileBytes };
  } finally {
    await handle.close();
  }
}

async function readFully(handle: fsp.FileHandle, into: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < into.byteLength;) {
    const { bytesRead } = await handle.read(into, done, into.byteLength - done, position + done);
    if (bytesRead === 0) return;
    done += bytesRead;
  }
}

/**
 * A segment's blob in its file. An outline restored reads its own range, synchronously (restoring
 * is synchronous; one outline is a few kilobytes). A flush or compaction that writes the entries
 * again first loads the blob whole, asynchronously ({@link SegmentBlob.load}), so that the extension
 * host's thread never reads a shard's blob (up to ~2.75 MiB at the default cap, far more under a
 * raised one) in one blocking call. Every read gives undefined when the file is gone (compacted or
 * cleared by another process since it was loaded) or is not the length its header said: the
 * outlines are then parsed again.
 */
function blobInFile(location: string, header: SegmentHeader): SegmentBlob {
  const start = header.headerBytes + header.jsonBytes + 1;
  let whole: Uint8Array | null | undefined;
  let loading: Promise<void> | undefined;
  const load = async (): Promise<Uint8Array | null> => {
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(location, 'r');
      if ((await handle.stat()).size !== header.fileBytes) return null;
      // With the newline before it, which must be there.
      const bytes = new Uint8Array(header.blobBytes + 1);
      await readFully(handle, bytes, start - 1);
      return bytes[0] === 0x0a ? bytes.subarray(1) : null;
    } catch {
      return null;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  };
  return {
    byteLength: header.blobBytes,
    read: (offset, length) => {
      if (whole !== undefined) return whole === null ? undefined : whole.subarray(offset, offset + length);
      return readRangeSync(location, header.fileBytes, start + offset, length);
    },
    load: () =>
      (loading ??= load().then((bytes) => {
        whole = bytes;
      })),
  };
}

/** `length` bytes at `position` of a file that must be `fileBytes` long; undefined when they cannot be read. */
function readRangeSync(location: string, fileBytes: number, position: number, length: number): Uint8Array | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(location, 'r');
    if (fstatSync(fd).size !== fileBytes) return undefined;
    const bytes = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const read = readSync(fd, bytes, done, length - done, position + done);
      if (read === 0) return undefined;
      done += read;
    }
    return bytes;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Outlines shorter than this are stored as they are: compressing them saves little. */
const deflateOutlineMinChars = 512;

/**
 * An outline as stored: with the SHA-256 of its UTF-8 (as counts are keyed), raw-DEFLATE-compressed
 * (fastest level: this runs on the CLI's main thread while the workers parse) when that is shorter.
 */
function storedOutline(outline: string, withholdText: boolean): StoredOutline {
  const utf8 = Buffer.from(outline, 'utf8');
  const sha256 = contentSha256(utf8);
  if (withholdText) return { sha256, kind: 'withheld' };
  if (outline.length < deflateOutlineMinChars) return { sha256, kind: 'text', text: outline };
  const zlib = nodeZlib();
  const bytes = zlib.deflateRawSync(utf8, { level: zlib.constants.Z_BEST_SPEED });
  return bytes.byteLength < utf8.byteLength
    ? { sha256, kind: 'deflated', bytes: keptBytes(bytes) }
    : { sha256, kind: 'text', text: outline };
}

/**
 * The text of a stored outline, inflated when compressed and checked against its hash; undefined when
 * it was withheld, does not inflate or does not match (then the file is parsed again).
 */
function restoreOutline(stored: StoredOutline): string | undefined {
  switch (stored.kind) {
    case 'withheld':
      return undefined;
    case 'text':
      return contentSha256(stored.text) === stored.sha256 ? stored.text : undefined;
    case 'deflated': {
      const bytes = stored.bytes.read();
      if (bytes === undefined) return undefined;
      let utf8: Buffer;
      try {
        // Bounded like the outline it was made from (UTF-8 takes at most 3 bytes per UTF-16 unit).
        utf8 = nodeZlib().inflateRawSync(bytes, { maxOutputLength: 3 * maxStoredOutlineChars });
      } catch {
        return undefined;
      }
      return contentSha256(utf8) === stored.sha256 ? utf8.toString('utf8') : undefined;
    }
  }
}

/** The session options that keep parses in `store` (none without a store or a parsing code version). */
export function parseCacheOptions(
  store: DiskCountStore | undefined,
): { parseCache: ParseCache; contentHash: (content: Uint8Array | string) => string } | Record<string, never> {
  const parseCache = store?.parseCache();
  return parseCache ? { parseCache, contentHash: contentSha256 } : {};
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.startsWith(code) ? `${code}: ${message}` : message;
}
