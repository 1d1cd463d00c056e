import { buildBudgetReport, countingTokenizerOf, ReportMemo } from '../analysis/buildReport';
import type { BudgetFileInput, BudgetReport } from '../analysis/budgetTypes';
import { dropTargetFor, proposeDrops } from '../analysis/dropPlan';
import type { DropProposal, PlanRelevance } from '../analysis/dropPlan';
import { tokensToRemove } from '../plan/planner';
import type { Anchor } from '../relevance/relevance';
import type { ParseCache } from '../relevance/parseCache';
import type { ParsePort } from '../relevance/relevanceIndex';
import { framedFile, treeBlock } from '../export/promptExport';
import { readFileText } from '../scan/readFileText';
import { decodeFileBytes } from '../tokenizer/fileText';
import type { FileCount } from '../scan/fileCount';
import type { ContextCounter } from '../scan/contextCounter';
import { statCandidate } from '../scan/scanner';
import type { ScannedFile } from '../scan/scanner';
import type { SkippedEntry, WorkspaceFs } from '../scan/workspaceFs';
import type { FileState, Selection } from '../selection/selection';
import type { ServerCheck } from '../server/serverCheck';
import type { Settings } from '../settings';
import { Emitter } from '../util/emitter';
import type { DropTargetKind } from '../vocabulary';
import type { TokenizerId } from '../tokenizer/tokenizerId';
import type { BudgetContext } from './budgetContext';
import { RelevanceTracker } from './relevanceTracker';
import type { ReadContent, TrackedFile } from './relevanceTracker';

export interface CountingProgress {
  readonly done: number;
  readonly total: number;
}

/** Everything a session is built from. */
export interface BudgetSessionOptions {
  readonly selection: Selection;
  readonly counter: ContextCounter;
  readonly fs: WorkspaceFs;
  /** The first context snapshot; later ones arrive through {@link BudgetSession.setContext}. */
  readonly context: BudgetContext;
  /** Change events are coalesced to at most one per this many ms (0 in the CLI and tests). */
  readonly notifyDelayMs?: number;
  /** Where failures that have no other place to go are written (the extension's log channel, stderr). */
  readonly log?: (message: string) => void;
  /**
   * Parses files for outlines and the import graph (the syntax worker pool). Without it outlines are
   * unavailable and drop plans are size-only, each saying so.
   */
  readonly parse?: ParsePort;
  /**
   * Keeps parses between runs, keyed by content (the persistent count cache): an unchanged file is
   * not read or parsed again for outlines and relevance. Needs {@link contentHash}.
   */
  readonly parseCache?: ParseCache;
  /**
   * Lowercase hex SHA-256 of file bytes or of a text's UTF-8 encoding, as the tokenizer pool keys
   * counts: a parse is kept only under the key of the content it was made from.
   */
  readonly contentHash?: (content: Uint8Array | string) => string;
}

/**
 * The id of the tokenizer that counts in this context: the one resolved with the model (a
 * tokenizer.json, a GGUF vocabulary), else the settings' encoding. Every count cache key includes
 * it, so no count survives a switch of tokenizer, and switching back finds the counts again.
 */
export function countingTokenizerId(context: BudgetContext): TokenizerId {
  return countingTokenizerOf(context.settings, context.target).id;
}

/**
 * Skips worth listing beside the selection: the user asked for these files (they were in an added
 * folder) and would want to know why they are not counted. Ignored and excluded files are left out
 * on purpose and only summarised in the add's notification.
 */
const shownSkipReasons: ReadonlySet<SkippedEntry['reason']> = new Set([
  'tooLarge',
  'binary',
  'notRegularFile',
  'unreadable',
  'vanished',
  'brokenSymlink',
  'symlinkOutside',
  'secretFile',
  'lockfile',
  'generatedFile',
  'countFailed',
]);

/** Directory-tree counts kept for the reports the session builds (the prompt and drop previews). */
const treeCountsKept = 16;

/**
 * The live budget: a Selection, the counts of its files (disk or unsaved buffer), and one context
 * snapshot (settings + model + GPU). The extension and the CLI both run one; the report, drop
 * proposals and export framing come from here and nowhere else.
 *
 * Ordering: every count is issued with a per-file ticket, and a result is kept only if its ticket is
 * still the file's latest, so an older count (an earlier keystroke, a file that changed again, a
 * previous tokenizer) can never land after a newer one. Only files whose content changed are
 * recounted; the report is rebuilt lazily and change events are coalesced.
 */
export class BudgetSession {
  readonly selection: Selection;
  private readonly counter: ContextCounter;
  private readonly fs: WorkspaceFs;
  private readonly notifyDelayMs: number;
  private readonly log: (message: string) => void;
  private readonly diskCounts = new Map<string, FileCount>();
  /** Counts of unsaved editor buffers; they win over disk while the editor is dirty. */
  private readonly bufferCounts = new Map<string, FileCount>();
  private readonly bufferTexts = new Map<string, string>();
  /** The latest ticket issued per file for its disk count and its buffer count. */
  private readonly diskTickets = new Map<string, number>();
  private readonly bufferTickets = new Map<string, number>();
  private nextTicket = 1;
  private readonly openUris = new Set<string>();
  private activeUri: string | null = null;
  /** Files changed in git (working tree, staged, or since a base): relevance anchors. */
  private readonly changedUris = new Set<string>();
  /** Files edited in this session. */
  private readonly recentUris = new Set<string>();
  /** Files with a recent commit (git recency): kept longer than plain files, like edited ones. */
  private readonly committedUris = new Set<string>();
  private readonly relevance: RelevanceTracker;
  private readonly contentHash: ((content: Uint8Array | string) => string) | undefined;
  /** Whether some file is in outline mode; recomputed after a selection change (undefined: not known yet). */
  private outlineModeKnown: boolean | undefined;
  private relevanceTimer: ReturnType<typeof setTimeout> | undefined;
  private relevanceRun: Promise<void> | undefined;
  private relevanceRerun = false;
  /**
   * The last proposal, reused while nothing it depends on changed: the report (rebuilt on every
   * change), the relevance state, the target and the kept files. The panel asks on every render.
   */
  private proposalMemo:
    | { readonly report: BudgetReport; readonly relevanceVersion: number; readonly key: string; readonly proposal: DropProposal | null }
    | undefined;
  /** Relevance runs (parses and outline counts) in flight; see {@link whenIdle}. */
  private readonly relevanceInflight = new Set<Promise<void>>();
  private readonly pendingUris = new Set<string>();
  /** Stats the scanner already took, so files it just found are not statted twice. */
  private readonly scannedHints = new Map<string, ScannedFile>();
  private readonly inflight = new Set<Promise<void>>();
  /** Tokens of each counted file as exported, keyed by the count (a recount drops them) and `tokenizer|format|path`. */
  private readonly framedByCount = new WeakMap<FileCount, Map<string, number>>();
  /** Directory-tree counts by `tokenizer|block`, most recent last. */
  private readonly treeCounts = new Map<string, number>();
  private readonly treeCountsInflight = new Set<string>();
  /** Selected files that are symbolic links, with where they point (null: cannot be resolved here), from their scan. */
  private readonly symlinkTargets = new Map<string, string | null>();
  /** Files a folder add left out for a reason the user should see (too large, binary, a secret by name…), by location. */
  private readonly skippedAtIntake = new Map<string, SkippedEntry>();
  private framingTimer: ReturnType<typeof setTimeout> | undefined;
  private contextSnapshot: BudgetContext;
  private serverState: ServerCheck | null = null;
  private cachedReport: BudgetReport | undefined;
  /** Rows of unchanged files are reused between reports: an edit in a 10,000-file selection recomputes one row. */
  private readonly reportMemo = new ReportMemo();
  /** The same for the reports after a drop (drop proposals build several), apart so the two do not evict each other. */
  private readonly whatIfMemo = new ReportMemo();
  /** The last input made for each file (see {@link inputs}). */
  private readonly inputMemo = new Map<string, BudgetFileInput>();
  private countController = new AbortController();
  private progressState: CountingProgress | null = null;
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly _onDidChange = new Emitter<void>();
  /** Fires (coalesced, at most every `notifyDelayMs`) when the report or the progress changed. */
  readonly onDidChange = this._onDidChange.event;

  constructor(options: BudgetSessionOptions) {
    this.selection = options.selection;
    this.counter = options.counter;
    this.fs = options.fs;
    this.contextSnapshot = options.context;
    this.notifyDelayMs = options.notifyDelayMs ?? 50;
    this.log = options.log ?? (() => undefined);
    this.contentHash = options.contentHash;
    this.relevance = new RelevanceTracker({
      parse: options.parse,
      fs: this.fs,
      contentOf: (uri) => this.currentContent(uri),
      ...(options.parseCache && options.contentHash ? { parseCache: options.parseCache } : {}),
      countText: (text, signal) => this.counter.countText(text, countingTokenizerId(this.contextSnapshot), signal),
      countKnownText: (sha256) => this.counter.countKnownText(sha256, countingTokenizerId(this.contextSnapshot)),
      tokenizerId: () => countingTokenizerId(this.contextSnapshot),
      framing: () => this.currentSettings.exportFraming,
      onChange: () => this.changed(),
      log: this.log,
    });
    this.selection.onDidChange(({ changed }) => {
      this.outlineModeKnown = undefined;
      if (this.selection.size === 0) this.skippedAtIntake.clear();
      const missing: string[] = [];
      for (const uri of changed) {
        if (!this.selection.has(uri)) {
          this.forget(uri);
          this.relevance.filesChanged();
        } else if (!this.diskCounts.has(uri) && !this.bufferCounts.has(uri)) {
          missing.push(uri);
        }
      }
      if (missing.length > 0) {
        this.relevance.filesChanged();
        this.track(this.countUris(missing));
      }
      this.changed();
    });
  }

  /** The snapshot every figure is computed for. */
  get context(): BudgetContext {
    return this.contextSnapshot;
  }

  get currentSettings(): Settings {
    return this.contextSnapshot.settings;
  }

  /** The live check of the server setting: null when none is set. */
  get serverCheck(): ServerCheck | null {
    return this.serverState;
  }

  /**
   * Installs the latest live check of `settings.server` (`checking`, a reading, or a failure; null
   * when the setting is empty). Its limit becomes the report's maximum window.
   */
  setServerCheck(check: ServerCheck | null): void {
    this.serverState = check;
    this.reportChanged();
  }

  /** Progress of the running count, or null when idle. */
  get progress(): CountingProgress | null {
    return this.progressState;
  }

  /**
   * Installs a newer context snapshot (an older generation is ignored). A change of tokenizer
   * recounts everything, from the content cache where it can; other changes only rebuild the report.
   */
  setContext(context: BudgetContext): void {
    if (context.generation < this.contextSnapshot.generation) return;
    const tokenizerChanged = countingTokenizerId(context) !== countingTokenizerId(this.contextSnapshot);
    this.contextSnapshot = context;
    if (tokenizerChanged) {
      this.diskCounts.clear();
      this.bufferCounts.clear();
      this.track(
        this.countUris(
          this.selection.ordered().map((entry) => entry.uri),
          true,
        ),
      );
    }
    this.changed();
  }

  /** Resolves when every count started so far, and every count the current report needs, has finished (or was cancelled). */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.framingTimer) this.startFraming();
      if (this.relevanceTimer) this.startRelevance();
      const outlineMode = (this.outlineModeKnown ??= this.selection.hasOutlineMode());
      // Building the report starts the directory tree's count when the export has one, and an
      // outline-mode file's outline (inputs() asks for it); only then: a 10,000-file report built
      // while every file is still pending is wasted work.
      if ((this.currentSettings.exportFraming !== 'none' && this.currentSettings.exportDirectoryTree) || outlineMode) this.report();
      // Parsing for a plan's relevance is not waited for (20k files take minutes in the syntax worker and
      // no count depends on it), unless a file is in outline mode: its count is its outline's.
      const waits = outlineMode ? [...this.inflight, ...this.relevanceInflight] : [...this.inflight];
      if (waits.length === 0) return;
      await Promise.all(waits);
    }
  }

  /** Like {@link whenIdle}, and also until the relevance a plan weighs is parsed and counted. */
  async whenRelevanceIdle(): Promise<void> {
    for (;;) {
      await this.whenIdle();
      if (this.relevanceTimer) this.startRelevance();
      if (this.relevanceInflight.size === 0 && this.inflight.size === 0) return;
      await Promise.all([...this.inflight, ...this.relevanceInflight]);
    }
  }

  /**
   * Adds scanned files and counts the ones not counted yet. Resolves when they are counted. Files the
   * intake skipped for a reason worth showing are kept and listed with that reason (tree, panel).
   */
  async addFiles(files: readonly ScannedFile[], skipped: readonly SkippedEntry[] = []): Promise<number> {
    for (const entry of skipped) {
      if (entry.location !== undefined && shownSkipReasons.has(entry.reason) && !this.selection.has(entry.location)) {
        this.skippedAtIntake.set(entry.location, entry);
      }
    }
    for (const file of files) {
      this.scannedHints.set(file.location, file);
      this.skippedAtIntake.delete(file.location);
    }
    const added = this.selection.add(files.map((file) => ({ uri: file.location, relativePath: file.relativePath })));
    for (const file of files) this.scannedHints.delete(file.location);
    await this.whenIdle();
    return added;
  }

  /** A selected file changed on disk (save, external edit): recount just that file. */
  async fileChanged(uri: string): Promise<void> {
    const entry = this.selection.get(uri);
    if (!entry) return;
    this.counter.cache.invalidate(uri);
    this.recentUris.add(uri);
    // A project file changed: imports may resolve elsewhere now.
    if (/(^|\/)(tsconfig\.json|jsconfig\.json|go\.mod)$/.test(entry.relativePath)) this.relevance.filesChanged();
    await this.track(this.countUris([uri], true));
  }

  /** A selected file was deleted: it stays listed (the user may restore it) but counts as vanished. */
  fileDeleted(uri: string): void {
    if (!this.selection.has(uri)) return;
    this.counter.cache.invalidate(uri);
    this.issueTicket(this.diskTickets, uri);
    this.diskCounts.set(uri, { kind: 'skipped', reason: 'vanished', message: 'file was deleted' });
    this.changed();
  }

  /** The unsaved text of an open editor: counted instead of the disk content until saved or reverted. */
  async bufferChanged(uri: string, text: string): Promise<void> {
    if (!this.selection.has(uri)) return;
    this.recentUris.add(uri);
    const ticket = this.issueTicket(this.bufferTickets, uri);
    const tokenizer = this.tokenizerId;
    await this.track(
      (async () => {
        let count: FileCount;
        try {
          count = await this.counter.countText(text, tokenizer);
        } catch (error) {
          if (isAbort(error)) return;
          count = { kind: 'skipped', reason: 'countFailed', message: `the unsaved text could not be counted: ${(error as Error).message}` };
        }
        if (this.bufferTickets.get(uri) !== ticket || !this.selection.has(uri)) return;
        this.bufferCounts.set(uri, count);
        this.bufferTexts.set(uri, text);
        this.changed();
      })(),
    );
  }

  /** The editor is no longer dirty (saved or reverted): the disk count applies again. */
  bufferClosed(uri: string): void {
    // A buffer count still in flight must not land after this.
    this.issueTicket(this.bufferTickets, uri);
    this.bufferTexts.delete(uri);
    if (this.bufferCounts.delete(uri)) this.changed();
  }

  /** Files a folder add skipped, with the reason (shown in the tree and the panel until dismissed or the selection is cleared). */
  get skippedFiles(): readonly SkippedEntry[] {
    return [...this.skippedAtIntake.values()];
  }

  /** Forgets skipped files at these locations or under these folder locations (a folder removed from the context). */
  dismissSkipped(locations: readonly string[]): void {
    let changed = false;
    for (const location of locations) {
      const prefix = location.endsWith('/') ? location : `${location}/`;
      for (const key of [...this.skippedAtIntake.keys()]) {
        if (key === location || key.startsWith(prefix)) changed = this.skippedAtIntake.delete(key) || changed;
      }
    }
    if (changed) this.reportChanged();
  }

  setOpenEditors(uris: readonly string[]): void {
    this.openUris.clear();
    for (const uri of uris) this.openUris.add(uri);
    this.reportChanged();
  }

  /** The file in the active editor (a relevance anchor), or null. */
  setActiveEditor(uri: string | null): void {
    if (uri === this.activeUri) return;
    this.activeUri = uri;
    this.reportChanged();
  }

  /** Files changed in git (working tree, staged, or since a base): relevance anchors. */
  setChangedFiles(uris: readonly string[]): void {
    replaceAll(this.changedUris, uris);
    this.reportChanged();
  }

  /** Files with a commit in the last days (git recency, see isRecentlyChanged): kept longer than plain files. */
  setRecentlyCommitted(uris: readonly string[]): void {
    replaceAll(this.committedUris, uris);
    this.reportChanged();
  }

  /** Stops counting; files not yet counted stay pending until the next recount. */
  cancel(): void {
    this.countController.abort();
    this.countController = new AbortController();
    this.progressState = null;
    this.changed();
  }

  /** Forgets every count and counts the whole selection again. */
  async recountAll(): Promise<void> {
    this.counter.cache.clear();
    // Every file is read again (the content-hash cache still spares unchanged content the tokenizer).
    this.counter.forgetStamps(this.selection.ordered().map((entry) => entry.uri));
    this.diskCounts.clear();
    this.bufferCounts.clear();
    await this.track(
      this.countUris(
        this.selection.ordered().map((entry) => entry.uri),
        true,
      ),
    );
  }

  countOf(uri: string): FileCount | undefined {
    return this.bufferCounts.get(uri) ?? this.diskCounts.get(uri);
  }

  /**
   * The report for the current state (memoised until something changes). With a directory tree in
   * the export, building it starts the tree's count when it is not known yet (framing shows pending).
   */
  report(): BudgetReport {
    this.cachedReport ??= this.buildReport(this.inputs(), this.reportMemo);
    return this.cachedReport;
  }

  /**
   * The report with `uris` left out of the prompt: the figures after a drop. With a directory tree
   * in the export, the smaller tree is counted in the background; until then the report's framing
   * is pending and a change event follows.
   */
  reportWithout(uris: ReadonlySet<string>): BudgetReport {
    return this.reportWith(new Map([...uris].map((uri) => [uri, 'dropped' as const])));
  }

  /**
   * The report with some files dropped or outlined: the figures after a plan's actions. An outlined
   * file weighs its outline's exact footprint (counted before the plan proposed it).
   */
  reportWith(changes: ReadonlyMap<string, Exclude<FileState, 'full'>>): BudgetReport {
    if (changes.size === 0) return this.report();
    return this.buildReport(
      this.inputs().map((file) => {
        const change = changes.get(file.uri);
        if (change === 'dropped') return { ...file, included: false };
        if (change === 'outline') {
          return {
            ...file,
            mode: 'outline',
            outline: this.relevance.outlineFootprint({ ...this.tracked(file.uri, file.relativePath, file.included), mode: 'outline' }),
          };
        }
        return file;
      }),
      this.whatIfMemo,
    );
  }

  /**
   * A proposal for `target` on the current report; `kept` are proposals the user unticked. It weighs
   * relevance (import graph, kind signals, outlines) when every included file has been parsed;
   * asking for a plan that needs tokens removed starts that parsing, and until it is done (or where
   * no parser works) the proposal is size-only and says why.
   */
  proposeDrops(target: DropTargetKind, kept: ReadonlySet<string> = new Set()): DropProposal | null {
    const report = this.report();
    const key = `${target}|${this.activeUri ?? ''}|${[...this.changedUris].join('\n')}|${[...kept].sort().join('\n')}`;
    const memo = this.proposalMemo;
    if (memo && memo.report === report && memo.relevanceVersion === this.relevance.version && memo.key === key) return memo.proposal;
    const proposal = proposeDrops(report, target, {
      kept,
      reportWith: (changes) => this.reportWith(changes),
      relevance: this.planRelevance(report, target),
    });
    this.proposalMemo = { report, relevanceVersion: this.relevance.version, key, proposal };
    return proposal;
  }

  /**
   * Everything a plan for `target` reads from this session besides its report, as one string: each
   * selected file's path, state and content key (the parse and kind signals follow from content and
   * path), the anchors and recency, the tokenizer and framing (outline counts), the project configs
   * relevance resolves imports with (loaded now if the selection changed), and whether a parser
   * exists. With the report, the code versions and the run's settings it keys the CLI's plan memo
   * (src/node/planMemo.ts): two sessions that give the same string and report make the same plan.
   * Undefined when a file has no content key to stand for its content (then no memo is safe).
   * Rejects only when `signal` aborts.
   */
  async planInputs(target: DropTargetKind, signal: AbortSignal, kept: ReadonlySet<string> = new Set()): Promise<string | undefined> {
    const files: unknown[] = [];
    for (const entry of this.selection.ordered()) {
      const count = this.countOf(entry.uri);
      if (count?.kind === 'counted' && count.contentKey === undefined) return undefined;
      const content = count === undefined ? 'uncounted' : count.kind === 'counted' ? count.contentKey : `skipped:${count.reason}`;
      files.push([entry.uri, entry.relativePath, entry.included, entry.mode, entry.focus, entry.pinned, content]);
    }
    const sorted = (uris: Iterable<string>): string[] => [...uris].sort();
    const config = await this.relevance.projectConfigFor(this.trackedFiles(), signal);
    return JSON.stringify({
      target,
      kept: sorted(kept),
      tokenizer: countingTokenizerId(this.contextSnapshot),
      framing: this.currentSettings.exportFraming,
      parser: this.relevance.unavailableReason(),
      active: this.activeUri,
      open: sorted(this.openUris),
      changed: sorted(this.changedUris),
      recent: sorted(this.recentUris),
      committed: sorted(this.committedUris),
      config,
      files,
    });
  }

  /**
   * True while relevance has stood only on what {@link planInputs} holds: every file it parsed was
   * read again with the content that was counted (none vanished, no worker crashed). A plan made
   * while this stays true, with {@link projectConfigLoads} unchanged, can be remembered.
   */
  get relevanceSettled(): boolean {
    return this.relevance.unsettledFiles === 0;
  }

  /** Grows each time relevance loads the project configs: a plan made across a load used configs its key may not hold. */
  get projectConfigLoads(): number {
    return this.relevance.configLoads;
  }

  /**
   * The text export writes for a selected file: its outline in outline mode (when it has one), else
   * the text it was counted from (unsaved buffer or disk). Undefined when it cannot be read.
   */
  async exportText(uri: string): Promise<string | undefined> {
    const entry = this.selection.get(uri);
    if (!entry) return undefined;
    if (entry.mode === 'outline') {
      const outline = this.relevance.currentOutline(this.tracked(uri, entry.relativePath, entry.included));
      if (typeof outline === 'string') return outline;
    }
    return this.currentText(uri);
  }

  /** {@link proposeDrops} once every count, the after figures' included, has settled. */
  async settledDropProposal(target: DropTargetKind, kept: ReadonlySet<string> = new Set()): Promise<DropProposal | null> {
    await this.whenIdle();
    // Only the parsing needs starting first: a plan made before it settles would be size-only, and
    // thrown away (its after figures alone were 0.2 s of a 10,000-file re-run).
    this.startRelevanceFor(this.report(), target);
    let proposal: DropProposal | null = null;
    // The plan's after figures may start a count (the directory tree of the files it keeps): then it
    // is made again on that count. Bounded: a count that fails is asked for again each time.
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.whenRelevanceIdle();
      proposal = this.proposeDrops(target, kept);
      if (this.inflight.size === 0 && this.relevanceInflight.size === 0 && !this.relevanceTimer && !this.framingTimer) break;
    }
    return proposal;
  }

  /** The files as the report builder sees them, in prompt order. */
  inputs(): BudgetFileInput[] {
    const entries = this.selection.ordered();
    const inputs = entries.map((entry) => {
      const count = this.countOf(entry.uri);
      const open = this.openUris.has(entry.uri);
      const recent = this.recentUris.has(entry.uri) || this.committedUris.has(entry.uri);
      const framedTokens = this.framedTokensOf(entry.uri, entry.relativePath);
      const symlinkTarget = this.symlinkTargets.get(entry.uri);
      const mode = entry.mode;
      const outline =
        mode === 'outline'
          ? this.relevance.outlineFootprint({ uri: entry.uri, relativePath: entry.relativePath, included: entry.included, mode, count })
          : undefined;
      // The same object while nothing in it changed: the report's memo then reuses its row part at once.
      const kept = this.inputMemo.get(entry.uri);
      if (
        kept &&
        kept.count === count &&
        kept.open === open &&
        kept.recent === recent &&
        kept.framedTokens === framedTokens &&
        kept.relativePath === entry.relativePath &&
        kept.included === entry.included &&
        kept.focus === entry.focus &&
        kept.pinned === entry.pinned &&
        kept.symlinkTarget === symlinkTarget &&
        kept.mode === mode &&
        kept.outline === outline
      ) {
        return kept;
      }
      const input: BudgetFileInput = {
        uri: entry.uri,
        relativePath: entry.relativePath,
        included: entry.included,
        focus: entry.focus,
        pinned: entry.pinned,
        open,
        recent,
        count,
        framedTokens,
        mode,
        ...(mode === 'outline' ? { outline } : {}),
        ...(symlinkTarget !== undefined ? { symlinkTarget } : {}),
      };
      this.inputMemo.set(entry.uri, input);
      return input;
    });
    if (this.inputMemo.size > entries.length) {
      const current = new Set(entries.map((entry) => entry.uri));
      for (const uri of this.inputMemo.keys()) if (!current.has(uri)) this.inputMemo.delete(uri);
    }
    return inputs;
  }

  dispose(): void {
    this.countController.abort();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    if (this.framingTimer) clearTimeout(this.framingTimer);
    if (this.relevanceTimer) clearTimeout(this.relevanceTimer);
    this._onDidChange.dispose();
  }

  private buildReport(inputs: readonly BudgetFileInput[], memo: ReportMemo): BudgetReport {
    const { settings, target } = this.contextSnapshot;
    return buildBudgetReport(
      inputs,
      settings,
      target,
      {
        treeTokens: this.treeTokensFor(inputs),
        skippedFiles: this.skippedFiles,
        server: settings.server.trim() === '' ? null : this.serverState,
      },
      memo,
    );
  }

  private forget(uri: string): void {
    this.symlinkTargets.delete(uri);
    this.relevance.forget(uri);
    this.diskCounts.delete(uri);
    this.bufferCounts.delete(uri);
    this.bufferTexts.delete(uri);
    this.diskTickets.delete(uri);
    this.bufferTickets.delete(uri);
  }

  private issueTicket(tickets: Map<string, number>, uri: string): number {
    const ticket = this.nextTicket++;
    tickets.set(uri, ticket);
    return ticket;
  }

  /** Keeps `work` in {@link whenIdle}'s set; a failure is logged, never left unhandled. */
  private track(work: Promise<void>): Promise<void> {
    const guarded = work.catch((error: unknown) => {
      if (!isAbort(error)) this.log(`Counting failed: ${(error as Error)?.stack ?? String(error)}`);
    });
    this.inflight.add(guarded);
    void guarded.finally(() => this.inflight.delete(guarded));
    return guarded;
  }

  /** Stats (unless the scanner just did) and counts these files; `force` recounts files that already have a count. */
  private async countUris(uris: readonly string[], force = false): Promise<void> {
    const files: ScannedFile[] = [];
    const unknown: string[] = [];
    for (const uri of uris) {
      if (!this.selection.has(uri) || (!force && this.diskCounts.has(uri))) continue;
      const hint = this.scannedHints.get(uri);
      if (hint) files.push(hint);
      else unknown.push(uri);
    }
    for (const uri of unknown) this.pendingUris.add(uri);
    // Stat in parallel lanes: a restored 10k-file selection must not wait on 10k sequential round trips.
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < unknown.length) {
        const uri = unknown[next++]!;
        const entry = this.selection.get(uri);
        if (!entry) continue;
        const skipped: SkippedEntry[] = [];
        const file = await statCandidate(this.fs, uri, entry.relativePath, this.currentSettings, skipped);
        if (file) {
          files.push(file);
        } else {
          this.pendingUris.delete(uri);
          this.issueTicket(this.diskTickets, uri);
          this.diskCounts.set(uri, {
            kind: 'skipped',
            reason: skipped[0]?.reason ?? 'unreadable',
            message: skipped[0]?.message ?? 'could not be read',
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, unknown.length) }, lane));
    await this.countScanned(files);
  }

  private async countScanned(files: readonly ScannedFile[]): Promise<void> {
    if (files.length === 0) {
      this.changed();
      return;
    }
    const signal = this.countController.signal;
    const tokenizer = this.tokenizerId;
    const tickets = new Map(files.map((file) => [file.location, this.issueTicket(this.diskTickets, file.location)]));
    for (const file of files) {
      if (file.symlink) this.symlinkTargets.set(file.location, file.symlink.target);
      else this.symlinkTargets.delete(file.location);
    }
    for (const file of files) this.pendingUris.add(file.location);
    const base = this.progressState ?? { done: 0, total: 0 };
    this.progressState = { done: base.done, total: base.total + files.length };
    this.changed();
    const settle = (location: string, count: FileCount): void => {
      this.pendingUris.delete(location);
      if (this.diskTickets.get(location) === tickets.get(location) && this.selection.has(location)) this.diskCounts.set(location, count);
      if (this.progressState) this.progressState = { done: this.progressState.done + 1, total: this.progressState.total };
      this.changed();
    };
    try {
      await this.counter.countFiles(files, tokenizer, { signal, onResult: (file, count) => settle(file.location, count) });
    } catch (error) {
      if (!isAbort(error)) {
        // ContextCounter turns one file's failure into a skipped file; reaching here is unexpected. No file stays "counting…".
        this.log(`Counting ${files.length} file(s) failed: ${(error as Error)?.stack ?? String(error)}`);
        for (const file of files) {
          if (this.pendingUris.has(file.location)) {
            settle(file.location, { kind: 'skipped', reason: 'countFailed', message: `could not be counted: ${(error as Error).message}` });
          }
        }
      }
    } finally {
      for (const file of files) this.pendingUris.delete(file.location);
      if (this.pendingUris.size === 0) this.progressState = null;
      this.changed();
    }
  }

  /** The tokenizer every count in the current context is made with. */
  private get tokenizerId(): TokenizerId {
    return countingTokenizerId(this.contextSnapshot);
  }

  private framingKey(relativePath: string): string {
    return `${this.tokenizerId}|${this.currentSettings.exportFraming}|${relativePath}`;
  }

  private framedTokensOf(uri: string, relativePath: string): number | undefined {
    if (this.currentSettings.exportFraming === 'none') return undefined;
    const count = this.countOf(uri);
    return count?.kind === 'counted' ? this.framedByCount.get(count)?.get(this.framingKey(relativePath)) : undefined;
  }

  /**
   * The directory tree's tokens for these inputs: 0 with no tree, the count when known, else null
   * (pending) with a count started in the background.
   */
  private treeTokensFor(inputs: readonly BudgetFileInput[]): number | null {
    const settings = this.currentSettings;
    if (settings.exportFraming === 'none' || !settings.exportDirectoryTree) return 0;
    const paths = inputs.filter((file) => file.included && file.count?.kind === 'counted').map((file) => file.relativePath);
    if (paths.length === 0) return 0;
    const block = treeBlock(paths, settings.exportFraming);
    const tokenizer = this.tokenizerId;
    const key = `${tokenizer}|${block}`;
    const known = this.treeCounts.get(key);
    if (known !== undefined) return known;
    if (!this.treeCountsInflight.has(key)) {
      this.treeCountsInflight.add(key);
      this.track(
        (async () => {
          try {
            const tree = await this.counter.countText(block, tokenizer, this.countController.signal);
            if (tree.kind === 'counted') {
              this.treeCounts.set(key, tree.tokens);
              while (this.treeCounts.size > treeCountsKept) this.treeCounts.delete(this.treeCounts.keys().next().value!);
            } else {
              this.log(`The directory tree could not be counted: ${tree.message}`);
            }
          } finally {
            this.treeCountsInflight.delete(key);
            this.reportChanged();
          }
        })(),
      );
    }
    return null;
  }

  private scheduleFraming(): void {
    if (this.currentSettings.exportFraming === 'none' || this.framingTimer) return;
    this.framingTimer = setTimeout(() => this.startFraming(), this.notifyDelayMs);
  }

  private startFraming(): void {
    if (this.framingTimer) clearTimeout(this.framingTimer);
    this.framingTimer = undefined;
    this.track(this.countFraming());
  }

  /**
   * Counts each included file as it will be exported (framing + content). An export's tokens are
   * exactly the sum of these pieces and the directory tree (see promptExport), so the budget shows
   * what the user will paste. Reads the text again (buffer or disk); runs only with framing on.
   */
  private async countFraming(): Promise<void> {
    const settings = this.currentSettings;
    const tokenizer = this.tokenizerId;
    const format = settings.exportFraming;
    if (format === 'none') return;
    const signal = this.countController.signal;
    // An outline-mode file goes into the export as its outline, which the relevance tracker frames and counts.
    const todo = this.inputs().filter(
      (file) =>
        file.included &&
        file.count?.kind === 'counted' &&
        file.framedTokens === undefined &&
        !(file.mode === 'outline' && file.outline?.kind === 'counted'),
    );
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < todo.length && !signal.aborted) {
        const file = todo[next++]!;
        const count = file.count!;
        const key = this.framingKey(file.relativePath);
        const text = this.bufferTexts.get(file.uri) ?? (await readFileText(this.fs, file.uri, settings.maxFileBytes));
        if (this.countOf(file.uri) !== count) continue; // Recounted meanwhile: the new count gets its own framing.
        if (text === undefined) {
          // The file was counted but cannot be read again: say so instead of leaving it "counting…" for good.
          this.issueTicket(this.diskTickets, file.uri);
          this.diskCounts.set(file.uri, {
            kind: 'skipped',
            reason: 'vanished',
            message: 'could not be read again to count it as exported',
          });
          this.reportChanged();
          continue;
        }
        let framed: FileCount;
        try {
          framed = await this.counter.countText(framedFile(file.relativePath, text, format).text, tokenizer, signal);
        } catch (error) {
          if (isAbort(error)) return;
          framed = { kind: 'skipped', reason: 'countFailed', message: (error as Error).message };
        }
        if (framed.kind !== 'counted') {
          this.issueTicket(this.diskTickets, file.uri);
          this.diskCounts.set(file.uri, {
            kind: 'skipped',
            reason: 'countFailed',
            message: `could not be counted as exported: ${framed.message}`,
          });
          this.reportChanged();
          continue;
        }
        let byKey = this.framedByCount.get(count);
        if (!byKey) this.framedByCount.set(count, (byKey = new Map()));
        byKey.set(key, framed.tokens);
        this.reportChanged();
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, todo.length) }, lane));
  }

  /** Something that may need framing counted, or parsing, changed: schedule it, then notify. */
  private changed(): void {
    this.scheduleFraming();
    this.scheduleRelevance();
    this.reportChanged();
  }

  /** {@link currentText} with the content key of what was read (when the session can hash), as counts are keyed. */
  private async currentContent(uri: string): Promise<ReadContent | undefined> {
    const hash = this.contentHash;
    const buffered = this.bufferCounts.has(uri) ? this.bufferTexts.get(uri) : undefined;
    if (buffered !== undefined) return { text: buffered, contentKey: hash ? `text:${hash(buffered)}` : undefined };
    if (!hash) {
      const text = await readFileText(this.fs, uri, this.currentSettings.maxFileBytes);
      return text === undefined ? undefined : { text, contentKey: undefined };
    }
    let bytes: Uint8Array;
    try {
      bytes = await this.fs.readFile(uri, { maxBytes: this.currentSettings.maxFileBytes });
    } catch {
      return undefined;
    }
    const decoded = decodeFileBytes(bytes);
    return decoded.kind === 'text' ? { text: decoded.text, contentKey: `bytes:${hash(bytes)}` } : undefined;
  }

  /** The text the file's current count was made from: the unsaved buffer, else the file on disk (bounded). */
  private async currentText(uri: string): Promise<string | undefined> {
    const buffered = this.bufferCounts.has(uri) ? this.bufferTexts.get(uri) : undefined;
    return buffered ?? readFileText(this.fs, uri, this.currentSettings.maxFileBytes);
  }

  private tracked(uri: string, relativePath: string, included: boolean): TrackedFile {
    return { uri, relativePath, included, mode: this.selection.get(uri)?.mode ?? 'full', count: this.countOf(uri) };
  }

  /** Every selected file for the relevance tracker, in no particular order (sorting 20k paths per sync was most of its cost). */
  private trackedFiles(): TrackedFile[] {
    return this.selection.unordered().map((entry) => ({
      uri: entry.uri,
      relativePath: entry.relativePath,
      included: entry.included,
      mode: entry.mode,
      count: this.countOf(entry.uri),
    }));
  }

  /** Focus files, the active editor, open editors and git-changed files among the report's included files, as relevance anchors. */
  private anchors(report: BudgetReport): Anchor[] {
    const anchors: Anchor[] = [];
    for (const row of report.files) {
      if (!row.included) continue;
      const path = row.relativePath;
      if (row.focus) anchors.push({ path, role: 'focus' });
      if (row.uri === this.activeUri) anchors.push({ path, role: 'active' });
      if (row.open) anchors.push({ path, role: 'open' });
      if (this.changedUris.has(row.uri)) anchors.push({ path, role: 'changed' });
    }
    return anchors;
  }

  /** What a plan for `target` can weigh: relevance when ready, else why it is size-only. */
  private planRelevance(report: BudgetReport, target: DropTargetKind): PlanRelevance {
    if (!this.startRelevanceFor(report, target)) return { kind: 'unavailable', note: '' };
    // The plan's files: the report's counted rows (in prompt order, no second sort of the selection).
    const files: TrackedFile[] = [];
    for (const row of report.files) {
      if (row.status !== 'counted') continue;
      files.push({
        uri: row.uri,
        relativePath: row.relativePath,
        included: true,
        mode: row.mode === 'outline' ? 'outline' : 'full',
        count: this.countOf(row.uri),
      });
    }
    const state = this.relevance.relevanceState(files, this.anchors(report));
    switch (state.kind) {
      case 'ready':
        return {
          kind: 'ready',
          byUri: state.byUri,
          outlineTokens: state.outlineTokens,
          note:
            state.configProblems.length > 0
              ? `imports these configs would resolve are not followed: ${state.configProblems.join('; ')}`
              : '',
        };
      case 'pending':
        return {
          kind: 'pending',
          note: `size-only plan for now: finding imports and outlines (${state.done} of ${state.total} files ready)`,
        };
      case 'unavailable':
        return { kind: 'unavailable', note: `size-only plan: ${state.reason}` };
    }
  }

  /**
   * Starts parsing the selection for a plan for `target` when the plan has tokens to remove; false
   * when it has none (then nothing is parsed for a plan nobody needs).
   */
  private startRelevanceFor(report: BudgetReport, target: DropTargetKind): boolean {
    const limit = dropTargetFor(target, report);
    if (!limit || tokensToRemove(limit, report.promptTokens, report.reserveOutputTokens) === 0) return false;
    if (!this.relevance.active) {
      this.relevance.activate();
      this.scheduleRelevance();
    }
    return true;
  }

  private scheduleRelevance(): void {
    if (this.relevanceTimer) return;
    this.relevanceTimer = setTimeout(() => this.startRelevance(), this.notifyDelayMs);
  }

  /** Parses and counts outlines for what changed; one run at a time, and one more if asked meanwhile. */
  private startRelevance(): void {
    if (this.relevanceTimer) clearTimeout(this.relevanceTimer);
    this.relevanceTimer = undefined;
    if (this.relevanceRun) {
      this.relevanceRerun = true;
      return;
    }
    // Until a plan activates relevance, only outline-mode files are parsed. Without this check every
    // count settling listed the whole selection: O(n²) over a 20k-file CLI run (51 s instead of 13 s).
    if (!this.relevance.active && !(this.outlineModeKnown ??= this.selection.hasOutlineMode())) return;
    // Parsing waits while files are being counted: it would compete with counting for the CPU, and each
    // count settling would list the selection again. The last count to settle schedules it.
    if (this.pendingUris.size > 0) return;
    const files = this.trackedFiles();
    if (!this.relevance.needsSync(files)) return;
    const run = this.relevance.sync(files, this.countController.signal).finally(() => {
      this.relevanceRun = undefined;
      if (this.relevanceRerun) {
        this.relevanceRerun = false;
        this.startRelevance();
      }
    });
    const guarded = run.catch((error: unknown) => {
      if (!isAbort(error)) this.log(`Finding imports and outlines failed: ${(error as Error)?.stack ?? String(error)}`);
    });
    this.relevanceInflight.add(guarded);
    void guarded.finally(() => this.relevanceInflight.delete(guarded));
    this.relevanceRun = guarded;
  }

  /** Invalidates the report and notifies listeners (coalesced), without scheduling framing work. */
  private reportChanged(): void {
    this.cachedReport = undefined;
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      this._onDidChange.fire();
    }, this.notifyDelayMs);
  }
}

function replaceAll(set: Set<string>, values: readonly string[]): void {
  set.clear();
  for (const value of values) set.add(value);
}

function isAbort(error: unknown): boolean {
  return (error as Error | null)?.name === 'AbortError';
}
