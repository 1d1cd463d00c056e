/**
 * The session's relevance state: one {@link RelevanceIndex} for the selection, the outline of every
 * parsed file, and each outline's exact count with the current tokenizer (framed as the export frames
 * it when framing is on). Parsing runs through the parser port (the syntax worker pool), lazily:
 * - a file in outline mode is parsed as soon as it is counted, because its outline is its footprint;
 * - every other file is parsed only once a plan needs relevance ({@link RelevanceTracker.activate}),
 *   and from then on again whenever its content changes (an edit re-parses that file alone, and the
 *   import graph re-resolves that file alone: see importGraph.ts).
 * Content identity is the session's FileCount object: a new count means new content.
 */
import { framedFile } from '../export/promptExport';
import type { ExportFormat } from '../export/promptExport';
import { loadProjectConfig } from '../relevance/loadProjectConfig';
import { parseLimitReason } from '../relevance/parseLimits';
import type { ProjectConfig } from '../relevance/projectConfig';
import type { Anchor, FileRelevance } from '../relevance/relevance';
import { RelevanceIndex } from '../relevance/relevanceIndex';
import type { ParsePort } from '../relevance/relevanceIndex';
import type { KeptOutline, ParseCache, ParsedFile } from '../relevance/parseCache';
import type { ParseOutcome } from '../relevance/relevanceIndex';
import type { OutlineFootprint } from '../analysis/budgetTypes';
import type { FileCount } from '../scan/fileCount';
import type { WorkspaceFs } from '../scan/workspaceFs';
import type { FileMode } from '../selection/selection';

/** A selected file as the tracker needs it. */
export interface TrackedFile {
  readonly uri: string;
  readonly relativePath: string;
  readonly included: boolean;
  readonly mode: FileMode;
  /** The session's current count (buffer or disk); its identity changes with the content. */
  readonly count: FileCount | undefined;
}

/** What a relevance plan can use right now. */
export type RelevanceState =
  | {
      readonly kind: 'ready';
      /** Relevance of every included, counted file, by URI. */
      readonly byUri: ReadonlyMap<string, Pick<FileRelevance, 'rank' | 'reason' | 'tier'>>;
      /** Footprint of the outline of each full-mode file that has one (framed like the prompt), by URI. */
      readonly outlineTokens: ReadonlyMap<string, number>;
      /** Problems with tsconfig/jsconfig/go.mod: imports they would resolve are not followed. */
      readonly configProblems: readonly string[];
    }
  | { readonly kind: 'pending'; readonly done: number; readonly total: number }
  | { readonly kind: 'unavailable'; readonly reason: string };

/** What the tracker needs from the session. */
export interface RelevanceTrackerDeps {
  /** The parser port; undefined where no parser exists (then plans are size-only, and outlines unavailable, saying so). */
  readonly parse: ParsePort | undefined;
  readonly fs: WorkspaceFs;
  /** The file's current text (unsaved buffer or disk) and the content key of what was read, or undefined when it cannot be read. */
  readonly contentOf: (uri: string) => Promise<ReadContent | undefined>;
  /** Parses kept between runs; a parse is looked up and kept under the content key of the file's count. */
  readonly parseCache?: ParseCache;
  /** Counts text with the session's current tokenizer. */
  readonly countText: (text: string, signal: AbortSignal) => Promise<FileCount>;
  /**
   * The count of a text known only by the SHA-256 of its UTF-8, with the session's current tokenizer,
   * from the count caches (never tokenizes); undefined when no cache has it. A cached parse's outline is
   * counted this way without restoring its text.
   */
  readonly countKnownText?: (sha256: string) => Promise<FileCount | undefined>;
  /** The current tokenizer id and export framing (outline counts are kept per both). */
  readonly tokenizerId: () => string;
  readonly framing: () => 'none' | ExportFormat;
  /** Something the report shows changed (an outline counted, a file parsed). */
  readonly onChange: () => void;
  readonly log: (message: string) => void;
}

/** A file's text as read for parsing, with the key counts use for that content (undefined: not known). */
export interface ReadContent {
  readonly text: string;
  readonly contentKey: string | undefined;
}

interface IndexedFile {
  readonly count: FileCount;
  readonly path: string;
}

/** Parallel reads + parses in flight (the syntax pool answers in order; reads overlap with parsing). */
const parseLanes = 4;

/** See the module comment. */
export class RelevanceTracker {
  private readonly deps: RelevanceTrackerDeps;
  private readonly index: RelevanceIndex | null;
  /** The content (count) and path each file was indexed with. */
  private readonly indexed = new Map<string, IndexedFile>();
  /** Files whose text could not be read again to parse them, with the count that was current. */
  private readonly unreadable = new Map<string, FileCount>();
  /** Outline counts per content, keyed `tokenizer|format` (format `none` = the outline alone); a string is why counting failed. */
  private readonly outlineCounts = new WeakMap<FileCount, Map<string, number | string>>();
  private activated = false;
  private indexVersion = 0;
  private configStale = true;
  /** The last configs loaded; set whenever {@link configStale} is false. */
  private loadedConfig: SelectionProjectConfig | undefined;
  private configLoadCount = 0;
  private parseAttempts = 0;
  private parseFailures = 0;
  private lastParseError = '';
  private memo: { readonly key: string; readonly relevance: Map<string, FileRelevance> } | undefined;
  private changes = 0;
  /** Outcomes of a parse that failed (a crashed worker): never kept in the parse cache. */
  private readonly transientOutcomes = new WeakSet<ParseOutcome>();
  /** Cached parses (content key + path) whose outline could not be restored: those files are parsed afresh. */
  private readonly distrustedParses = new Set<string>();
  /** Parses made from content other than the count's, and files that could not be read again to parse them (see {@link unsettledFiles}). */
  private parsedOtherContent = 0;
  private unreadableReads = 0;
  /** Files whose cached outline failed to restore during the current sync (see {@link sync}). */
  private distrustedThisSync = 0;

  constructor(deps: RelevanceTrackerDeps) {
    this.deps = deps;
    const parse = deps.parse;
    this.index = parse
      ? new RelevanceIndex(async (path, text, signal) => {
          // What the worker would refuse anyway (no grammar for the type, over the size limit) is answered
          // here, with the worker's own reason, without a round trip: a folder of 100,000 text files needs none.
          const refused = parseLimitReason(path, text);
          if (refused !== null) return { kind: 'unsupported', reason: refused };
          this.parseAttempts++;
          try {
            return await parse(path, text, signal);
          } catch (error) {
            if ((error as Error | null)?.name === 'AbortError') throw error;
            // One file's failure (a crashed worker) leaves that file unparsed, with the reason.
            this.parseFailures++;
            this.lastParseError = (error as Error)?.message ?? String(error);
            const failed: ParseOutcome = { kind: 'unsupported', reason: `not parsed: ${this.lastParseError}` };
            this.transientOutcomes.add(failed);
            return failed;
          }
        })
      : null;
  }

  /** Grows whenever something a plan reads changes here (a parse, an outline count, the project config). */
  get version(): number {
    return this.changes;
  }

  /** True once a plan asked for relevance; from then on every included file is kept parsed. */
  get active(): boolean {
    return this.activated;
  }

  /** A plan needs relevance: parse every included file from now on. */
  activate(): void {
    if (!this.activated) this.changes++;
    this.activated = true;
  }

  /** Why relevance cannot be had at all, or null: no parser here, or every parse so far failed. */
  unavailableReason(): string | null {
    if (!this.index) return 'no syntax parser is available here';
    if (this.parseAttempts > 0 && this.parseFailures === this.parseAttempts) return `the syntax parser failed: ${this.lastParseError}`;
    return null;
  }

  /** The selection's set of files changed (added, removed, renamed): project configs are looked up again. */
  filesChanged(): void {
    this.configStale = true;
    this.changes++;
  }

  /** A selected file is gone from the selection. */
  forget(uri: string): void {
    const known = this.indexed.get(uri);
    this.unreadable.delete(uri);
    if (!known) return;
    this.indexed.delete(uri);
    this.index?.remove(known.path);
    this.indexVersion++;
    this.changes++;
  }

  /** True when {@link sync} has something to do for these files. */
  needsSync(files: readonly TrackedFile[]): boolean {
    if (!this.index) return false;
    return files.some(
      (file) => this.wanted(file) && (this.needsParse(file) || this.needsOutlineText(file) || this.missingOutlineKeys(file).length > 0),
    );
  }

  /**
   * Parses what changed and counts the outlines the report or a plan needs. Latest wins: a file whose
   * count changed while it was parsed is parsed again by the next sync (the session schedules one).
   */
  async sync(files: readonly TrackedFile[], signal: AbortSignal): Promise<void> {
    if (!this.index) return;
    const wanted = files.filter((file) => this.wanted(file));
    if (this.activated && this.configStale) await this.reloadProjectConfig(files, signal);
    // A second round parses afresh the files whose cached outline turned out not to restore (rare:
    // the cache checks every segment's checksum, and each outline against its hash).
    for (let round = 0; round < 2 && !signal.aborted; round++) {
      this.distrustedThisSync = 0;
      // Files in outline mode are exported as their outline: their text is restored now, not at export.
      for (const file of wanted) if (this.needsOutlineText(file)) this.outlineText(file);
      await this.parseFiles(
        wanted.filter((file) => this.needsParse(file)),
        signal,
      );
      await this.countOutlines(wanted, signal);
      if (this.distrustedThisSync === 0) break;
    }
  }

  /** Parses `toParse` (or takes their parse from the cache), a few at a time. */
  private async parseFiles(toParse: readonly TrackedFile[], signal: AbortSignal): Promise<void> {
    const index = this.index!;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < toParse.length && !signal.aborted) {
        const file = toParse[next++]!;
        const count = file.count!;
        const contentKey = count.kind === 'counted' ? count.contentKey : undefined;
        const cache = this.deps.parseCache;
        const trusted = contentKey !== undefined && !this.distrustedParses.has(`${contentKey}\n${file.relativePath}`);
        const kept = cache && trusted ? await cache.lookup(contentKey, file.relativePath) : undefined;
        if (signal.aborted) return;
        if (kept) {
          await this.indexFile(file, count, (path) => index.apply(path, kept));
          continue;
        }
        const content = await this.deps.contentOf(file.uri);
        if (signal.aborted) return;
        if (content === undefined) {
          this.unreadable.set(file.uri, count);
          this.unreadableReads++;
          this.changes++;
          continue;
        }
        const parsedRef: { parsed?: ParsedFile | undefined } = {};
        await this.indexFile(file, count, async (path) => {
          parsedRef.parsed = await index.update(path, content.text, signal);
        });
        const parsed = parsedRef.parsed;
        // Parsed from other content than was counted (the file changed in between): the next count
        // brings the file back here; until then relevance stands on content no report has seen.
        if (content.contentKey !== contentKey) this.parsedOtherContent++;
        // Kept only under the key of the content it was made from (the file may have changed since it was
        // counted). A file with a likely secret keeps no outline text: an outline keeps top-level values,
        // and the cache is a file on disk.
        const keep =
          cache && parsed && contentKey !== undefined && content.contentKey === contentKey && !this.transientOutcomes.has(parsed.outcome);
        if (keep) {
          const withholdOutlineText = count.kind === 'counted' && (count.secrets ?? []).length > 0;
          cache.record(contentKey, file.relativePath, parsed, { withholdOutlineText });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parseLanes, toParse.length) }, lane));
  }

  /** The outline footprint of `file` in outline mode (see {@link OutlineFootprint}); undefined while pending. */
  outlineFootprint(file: TrackedFile): OutlineFootprint | undefined {
    const count = file.count;
    if (count?.kind !== 'counted') return undefined;
    const missing = this.unavailableReason();
    if (missing !== null && !this.index) return { kind: 'unavailable', reason: missing };
    if (this.unreadable.get(file.uri) === count) {
      return { kind: 'unavailable', reason: 'the file could not be read again to make its outline' };
    }
    const outline = this.outlineEntry(file);
    if (outline === undefined) return undefined;
    if (outline === null) {
      return { kind: 'unavailable', reason: this.index!.notParsedReason(this.indexed.get(file.uri)!.path) ?? 'no outline' };
    }
    const counts = this.outlineCounts.get(count);
    const tokenizer = this.deps.tokenizerId();
    const plain = counts?.get(`${tokenizer}|none`);
    if (typeof plain === 'string') return { kind: 'unavailable', reason: `its outline could not be counted: ${plain}` };
    if (plain === undefined) return undefined;
    const format = this.deps.framing();
    if (format === 'none') return { kind: 'counted', tokens: plain, framedTokens: undefined };
    const framed = counts?.get(`${tokenizer}|${format}`);
    if (typeof framed === 'string') return { kind: 'unavailable', reason: `its outline could not be counted as exported: ${framed}` };
    return framed === undefined ? undefined : { kind: 'counted', tokens: plain, framedTokens: framed };
  }

  /**
   * The outline text of `file` for its current content (what export writes in outline mode), null
   * when the file has no outline, undefined when it is not known yet.
   */
  currentOutline(file: TrackedFile): string | null | undefined {
    const outline = this.outlineEntry(file);
    return outline === null || outline === undefined || typeof outline === 'string' ? outline : this.outlineText(file);
  }

  /** The relevance a plan can use now (see {@link RelevanceState}); `files` are the included, counted ones. */
  relevanceState(files: readonly TrackedFile[], anchors: readonly Anchor[]): RelevanceState {
    const unavailable = this.unavailableReason();
    if (unavailable !== null) return { kind: 'unavailable', reason: unavailable };
    const index = this.index!;
    const tokenizer = this.deps.tokenizerId();
    const plainKey = `${tokenizer}|none`;
    const footprintKey = `${tokenizer}|${this.deps.framing()}`;
    let ready = 0;
    // Per file: parsed at its current content, and its outline (when it has one) counted in both forms.
    for (const file of files) {
      const known = this.indexed.get(file.uri);
      if (known !== undefined && known.count === file.count && known.path === file.relativePath) {
        const hasOutline = index.outlineOf(known.path) !== null;
        const counts = hasOutline ? this.outlineCounts.get(known.count) : undefined;
        if (counts === undefined ? !hasOutline : counts.has(plainKey) && counts.has(footprintKey)) {
          ready++;
        }
      } else if (this.unreadable.get(file.uri) === file.count) {
        ready++;
      }
    }
    if (ready < files.length || this.configStale) return { kind: 'pending', done: ready, total: files.length };
    const key = `${this.indexVersion}|${anchors
      .map((anchor) => `${anchor.role}:${anchor.path}`)
      .sort()
      .join('\n')}`;
    if (this.memo?.key !== key) this.memo = { key, relevance: index.relevance(anchors) };
    const relevance = this.memo.relevance;
    const byUri = new Map<string, Pick<FileRelevance, 'rank' | 'reason' | 'tier'>>();
    const outlineTokens = new Map<string, number>();
    for (const file of files) {
      const known = this.indexed.get(file.uri);
      const found = known ? relevance.get(known.path) : undefined;
      // Unreadable files are not in the graph: nothing imports them as far as can be known.
      byUri.set(file.uri, found ?? { tier: 'unrelated', rank: 1, reason: 'could not be read again to find its imports' });
      if (file.mode !== 'full' || file.count?.kind !== 'counted') continue;
      const outline = this.outlineCounts.get(file.count)?.get(footprintKey);
      if (typeof outline === 'number') outlineTokens.set(file.uri, outline);
    }
    return { kind: 'ready', byUri, outlineTokens, configProblems: this.loadedConfig?.problems ?? [] };
  }

  /** Indexes `file` at its current path with `install`, which runs once a path change has removed the old entry. */
  private async indexFile(file: TrackedFile, count: FileCount, install: (path: string) => void | Promise<void>): Promise<void> {
    const index = this.index!;
    this.unreadable.delete(file.uri);
    const previous = this.indexed.get(file.uri);
    if (previous && previous.path !== file.relativePath) index.remove(previous.path);
    await install(file.relativePath);
    this.indexed.set(file.uri, { count, path: file.relativePath });
    this.indexVersion++;
    this.changes++;
    this.deps.onChange();
  }

  /** The index's outline of `file` at its current content and path (text or kept); undefined when not indexed so. */
  private outlineEntry(file: TrackedFile): string | KeptOutline | null | undefined {
    const known = this.indexed.get(file.uri);
    if (!this.index || !known || known.count !== file.count || known.path !== file.relativePath) return undefined;
    return this.index.outlineOf(known.path);
  }

  /**
   * The text of `file`'s outline, restoring a kept one into the index. A kept outline that does not
   * restore (undefined) is forgotten with its cached parse: the file is parsed again on the next sync.
   */
  private outlineText(file: TrackedFile): string | undefined {
    const outline = this.outlineEntry(file);
    if (outline === null || outline === undefined) return undefined;
    if (typeof outline === 'string') return outline;
    const known = this.indexed.get(file.uri)!;
    const text = outline.text();
    if (text !== undefined) {
      this.index!.restoreOutline(known.path, text);
      return text;
    }
    const contentKey = known.count.kind === 'counted' ? known.count.contentKey : undefined;
    if (contentKey !== undefined) this.distrustedParses.add(`${contentKey}\n${known.path}`);
    this.deps.log(`Relevance: the cached outline of ${known.path} is not kept or could not be restored; parsing the file again`);
    this.indexed.delete(file.uri);
    this.index!.remove(known.path);
    this.indexVersion++;
    this.changes++;
    this.distrustedThisSync++;
    this.deps.onChange();
    return undefined;
  }

  /** True when `file` is exported as its outline and that outline is still kept, not restored. */
  private needsOutlineText(file: TrackedFile): boolean {
    if (file.mode !== 'outline') return false;
    const outline = this.outlineEntry(file);
    return outline !== null && outline !== undefined && typeof outline !== 'string';
  }

  private wanted(file: TrackedFile): boolean {
    return file.included && file.count?.kind === 'counted' && (this.activated || file.mode === 'outline');
  }

  private isIndexedNow(file: TrackedFile): boolean {
    const known = this.indexed.get(file.uri);
    return (
      (known !== undefined && known.count === file.count && known.path === file.relativePath) ||
      this.unreadable.get(file.uri) === file.count
    );
  }

  private needsParse(file: TrackedFile): boolean {
    return !this.isIndexedNow(file);
  }

  /** Outline counts `file` still needs: its outline's tokens, and its tokens as exported when framing is on. */
  private missingOutlineKeys(file: TrackedFile): string[] {
    const outline = this.outlineEntry(file);
    if (outline === null || outline === undefined || file.count?.kind !== 'counted') return [];
    const format = this.deps.framing();
    // Both forms: the outline's own tokens split a framed footprint into content and framing.
    const formats = file.mode === 'outline' || this.activated ? (format === 'none' ? ['none'] : ['none', format]) : [];
    const counts = this.outlineCounts.get(file.count);
    const tokenizer = this.deps.tokenizerId();
    return formats.filter((candidate) => counts?.get(`${tokenizer}|${candidate}`) === undefined);
  }

  private async countOutlines(files: readonly TrackedFile[], signal: AbortSignal): Promise<void> {
    const todo = files.filter((file) => this.missingOutlineKeys(file).length > 0);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < todo.length && !signal.aborted) {
        const file = todo[next++]!;
        const count = file.count!;
        const outline = this.outlineEntry(file);
        if (outline === null || outline === undefined) continue;
        const tokenizer = this.deps.tokenizerId();
        for (const format of this.missingOutlineKeys(file)) {
          let counted: FileCount | undefined;
          // A cached parse's outline: its own count is found by its hash, without restoring its text.
          if (format === 'none' && typeof outline !== 'string') counted = await this.deps.countKnownText?.(outline.sha256);
          if (counted === undefined) {
            const text = this.outlineText(file);
            if (text === undefined) break; // it is parsed again (see sync)
            try {
              counted = await this.deps.countText(
                format === 'none' ? text : framedFile(file.relativePath, text, format as ExportFormat).text,
                signal,
              );
            } catch (error) {
              if ((error as Error | null)?.name === 'AbortError') return;
              counted = { kind: 'skipped', reason: 'countFailed', message: (error as Error).message };
            }
          }
          if (this.deps.tokenizerId() !== tokenizer) return; // a newer tokenizer: the next sync counts again
          let counts = this.outlineCounts.get(count);
          if (!counts) this.outlineCounts.set(count, (counts = new Map()));
          counts.set(`${tokenizer}|${format}`, counted.kind === 'counted' ? counted.tokens : counted.message);
          this.changes++;
          this.deps.onChange();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(parseLanes, todo.length) }, lane));
  }

  /**
   * The project configs relevance resolves imports with, loaded now when the selection's files
   * changed since the last load (as the next sync would load them). The CLI's plan memo keys a plan
   * by these, so the plan it keeps was made with exactly the configs in its key.
   */
  async projectConfigFor(files: readonly TrackedFile[], signal: AbortSignal): Promise<SelectionProjectConfig> {
    if (this.configStale) await this.reloadProjectConfig(files, signal);
    return this.loadedConfig!;
  }

  /** How many times the project configs were loaded: a plan made across a reload used configs its key may not hold. */
  get configLoads(): number {
    return this.configLoadCount;
  }

  /** Loads the selection's project configs again (see {@link loadSelectionProjectConfig}). */
  private async reloadProjectConfig(files: readonly TrackedFile[], signal: AbortSignal): Promise<void> {
    this.configStale = false;
    let loaded: SelectionProjectConfig;
    try {
      loaded = await loadSelectionProjectConfig(this.deps.fs, files, signal);
    } catch (error) {
      this.configStale = true;
      throw error;
    }
    for (const problem of loaded.problems) this.deps.log(`Relevance: ${problem}`);
    this.loadedConfig = loaded;
    this.configLoadCount++;
    this.index?.setProjectConfig(loaded.config);
    this.indexVersion++;
    this.changes++;
  }

  /**
   * How many times in this tracker's life a file could not be read again or parsed (a vanished file,
   * a crashed worker) or was parsed from other content than was counted: a plan made with such a gap
   * is not one to remember (the CLI's plan memo, src/node/planMemo.ts). Never decreases.
   */
  get unsettledFiles(): number {
    return this.unreadableReads + this.parseFailures + this.parsedOtherContent;
  }
}

/** The project configs of a selection (see {@link loadSelectionProjectConfig}). */
export interface SelectionProjectConfig {
  readonly config: ProjectConfig;
  readonly problems: readonly string[];
}

/**
 * Finds the tsconfig/jsconfig/go.mod files of the selection's folders. Each file's root is its
 * location minus its relative path (`file:///w/src/a.ts` and `src/a.ts` → `file:///w`); files whose
 * relative path climbs out (`../x.ts`) add no folders. Configs of several roots are merged: their
 * relative paths all live in the selection's one path space. Rejects only when `signal` aborts.
 */
export async function loadSelectionProjectConfig(
  fs: WorkspaceFs,
  files: readonly Pick<TrackedFile, 'uri' | 'relativePath'>[],
  signal: AbortSignal,
): Promise<SelectionProjectConfig> {
  const byRoot = new Map<string, string[]>();
  for (const file of files) {
    const root = rootOf(file.uri, file.relativePath);
    if (root === null) continue;
    const list = byRoot.get(root);
    if (list) list.push(file.relativePath);
    else byRoot.set(root, [file.relativePath]);
  }
  const merged: { tsConfigs: ProjectConfig['tsConfigs'][number][]; goModules: ProjectConfig['goModules'][number][] } = {
    tsConfigs: [],
    goModules: [],
  };
  const problems: string[] = [];
  for (const [root, paths] of [...byRoot.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    try {
      const loaded = await loadProjectConfig(fs, root, paths, signal);
      merged.tsConfigs.push(...loaded.config.tsConfigs);
      merged.goModules.push(...loaded.config.goModules);
      problems.push(...loaded.problems);
    } catch (error) {
      if ((error as Error | null)?.name === 'AbortError') throw error;
      problems.push(`project configuration could not be read: ${(error as Error).message}`);
    }
  }
  return { config: merged, problems };
}

/** The location the relative path is relative to, or null when it cannot be told (a path climbing out of it). */
export function rootOf(location: string, relativePath: string): string | null {
  if (relativePath === '' || relativePath.startsWith('../') || relativePath === '..') return null;
  const normalised = location.replace(/\\/g, '/');
  if (!normalised.endsWith(`/${relativePath}`)) return null;
  const root = location.slice(0, location.length - relativePath.length - 1);
  return root === '' ? null : root;
}
