import type { BudgetFileInput, BudgetReport, ReportExtras } from '../analysis/budgetTypes';
import { framedFile, treeBlock } from '../export/promptExport';
import { readFileText } from '../scan/readFileText';
import type { FileCount } from '../scan/fileCount';
import type { ContextCounter } from '../scan/contextCounter';
import { statCandidate } from '../scan/scanner';
import type { ScannedFile } from '../scan/scanner';
import type { SkippedEntry, WorkspaceFs } from '../scan/workspaceFs';
import type { Selection } from '../selection/selection';
import type { Settings } from '../settings';
import { Emitter } from '../util/emitter';

/** Builds the report from the current inputs (cost, risk, warnings); injected so the session stays small. */
export type ReportBuilder = (files: readonly BudgetFileInput[], settings: Settings, extras: ReportExtras) => BudgetReport;

export interface CountingProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * The live budget: a Selection, the counts of its files (disk or unsaved buffer), and the settings.
 * Only files whose content changed are recounted; the report is rebuilt lazily and change events are
 * coalesced so a 10k-file count does not rebuild it 10k times.
 */
export class BudgetSession {
  private readonly diskCounts = new Map<string, FileCount>();
  /** Counts of unsaved editor buffers; they win over disk while the editor is dirty. */
  private readonly bufferCounts = new Map<string, FileCount>();
  private readonly openUris = new Set<string>();
  private readonly recentUris = new Set<string>();
  private readonly pendingUris = new Set<string>();
  /** Stats the scanner already took, so files it just found are not statted twice. */
  private readonly scannedHints = new Map<string, ScannedFile>();
  private readonly inflight = new Set<Promise<void>>();
  /** Tokens of each counted file as exported, per framing key (`format|path`); keyed by the count so a recount drops them. */
  private readonly framedByCount = new WeakMap<FileCount, Map<string, number>>();
  private readonly bufferTexts = new Map<string, string>();
  private treeCount: { readonly block: string; readonly tokens: number } | null = null;
  private framingTimer: ReturnType<typeof setTimeout> | undefined;
  private settings: Settings;
  private cachedReport: BudgetReport | undefined;
  private countController = new AbortController();
  private progressState: CountingProgress | null = null;
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly _onDidChange = new Emitter<void>();
  /** Fires (coalesced, at most every `notifyDelayMs`) when the report or the progress changed. */
  readonly onDidChange = this._onDidChange.event;

  constructor(
    readonly selection: Selection,
    private readonly counter: ContextCounter,
    private readonly fs: WorkspaceFs,
    private readonly buildReport: ReportBuilder,
    settings: Settings,
    private readonly notifyDelayMs = 50,
  ) {
    this.settings = settings;
    selection.onDidChange(({ changed }) => {
      const missing = changed.filter((uri) => selection.has(uri) && !this.diskCounts.has(uri) && !this.bufferCounts.has(uri));
      for (const uri of changed) {
        if (!selection.has(uri)) {
          this.diskCounts.delete(uri);
          this.bufferCounts.delete(uri);
        }
      }
      if (missing.length > 0) this.track(this.countUris(missing));
      this.changed();
    });
  }

  get currentSettings(): Settings {
    return this.settings;
  }

  /** Progress of the running count, or null when idle. */
  get progress(): CountingProgress | null {
    return this.progressState;
  }

  /** Applies new settings; a change of encoding recounts everything (from the content cache where possible). */
  updateSettings(settings: Settings): void {
    const encodingChanged = settings.encoding !== this.settings.encoding;
    this.settings = settings;
    if (encodingChanged) {
      this.diskCounts.clear();
      this.bufferCounts.clear();
      this.track(this.countUris(this.selection.ordered().map((entry) => entry.uri)));
    }
    this.changed();
  }

  /** Resolves when every count started so far has finished (or was cancelled). */
  async whenIdle(): Promise<void> {
    for (;;) {
      if (this.framingTimer) this.startFraming();
      if (this.inflight.size === 0) return;
      await Promise.all([...this.inflight]);
    }
  }

  /** Rebuilds the report without recounting (the model or GPU changed). */
  refresh(): void {
    this.changed();
  }

  /** Adds scanned files and counts the ones not counted yet. Resolves when they are counted. */
  async addFiles(files: readonly ScannedFile[]): Promise<number> {
    for (const file of files) this.scannedHints.set(file.location, file);
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
    const skipped: SkippedEntry[] = [];
    const file = await statCandidate(this.fs, uri, entry.relativePath, this.settings, skipped);
    if (!file) {
      const reason = skipped[0];
      this.diskCounts.set(uri, { kind: 'skipped', reason: reason?.reason ?? 'unreadable', message: reason?.message ?? 'could not be read' });
      this.changed();
      return;
    }
    await this.countScanned([file]);
  }

  /** A selected file was deleted: it stays listed (the user may restore it) but counts as vanished. */
  fileDeleted(uri: string): void {
    if (!this.selection.has(uri)) return;
    this.counter.cache.invalidate(uri);
    this.diskCounts.set(uri, { kind: 'skipped', reason: 'vanished', message: 'file was deleted' });
    this.changed();
  }

  /** The unsaved text of an open editor: counted instead of the disk content until saved or reverted. */
  async bufferChanged(uri: string, text: string): Promise<void> {
    if (!this.selection.has(uri)) return;
    this.recentUris.add(uri);
    try {
      const count = await this.counter.countText(text, this.settings.encoding);
      if (this.selection.has(uri)) {
        this.bufferCounts.set(uri, count);
        this.bufferTexts.set(uri, text);
      }
      this.changed();
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    }
  }

  /** The editor is no longer dirty (saved or reverted): the disk count applies again. */
  bufferClosed(uri: string): void {
    this.bufferTexts.delete(uri);
    if (this.bufferCounts.delete(uri)) this.changed();
  }

  setOpenEditors(uris: readonly string[]): void {
    this.openUris.clear();
    for (const uri of uris) this.openUris.add(uri);
    this.cachedReport = undefined;
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
    this.diskCounts.clear();
    this.bufferCounts.clear();
    const work = this.countUris(this.selection.ordered().map((entry) => entry.uri));
    this.track(work);
    await work;
  }

  countOf(uri: string): FileCount | undefined {
    return this.bufferCounts.get(uri) ?? this.diskCounts.get(uri);
  }

  /** The report for the current state (memoised until something changes). */
  report(): BudgetReport {
    if (!this.cachedReport) {
      const inputs = this.inputs();
      const block = this.currentTreeBlock(inputs);
      this.cachedReport = this.buildReport(inputs, this.settings, { treeTokens: block !== null && this.treeCount?.block === block ? this.treeCount.tokens : null });
    }
    return this.cachedReport;
  }

  /** The files as the report builder and the drop planner see them, in prompt order. */
  inputs(): BudgetFileInput[] {
    return this.selection.ordered().map((entry) => ({
        uri: entry.uri,
        relativePath: entry.relativePath,
        included: entry.included,
        focus: entry.focus,
        pinned: entry.pinned,
        open: this.openUris.has(entry.uri),
        recent: this.recentUris.has(entry.uri),
        count: this.countOf(entry.uri),
        framedTokens: this.framedTokensOf(entry.uri, entry.relativePath),
      }));
  }

  dispose(): void {
    this.countController.abort();
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    if (this.framingTimer) clearTimeout(this.framingTimer);
    this._onDidChange.dispose();
  }

  private track(work: Promise<void>): void {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  private async countUris(uris: readonly string[]): Promise<void> {
    const files: ScannedFile[] = [];
    const unknown: string[] = [];
    for (const uri of uris) {
      const hint = this.scannedHints.get(uri);
      if (hint) files.push(hint);
      else if (this.selection.has(uri)) unknown.push(uri);
    }
    // Stat in parallel lanes: a restored 10k-file selection must not wait on 10k sequential round trips.
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < unknown.length) {
        const uri = unknown[next++]!;
        const entry = this.selection.get(uri);
        if (!entry) continue;
        const skipped: SkippedEntry[] = [];
        const file = await statCandidate(this.fs, uri, entry.relativePath, this.settings, skipped);
        if (file) files.push(file);
        else if (skipped[0]) this.diskCounts.set(uri, { kind: 'skipped', reason: skipped[0].reason, message: skipped[0].message });
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
    for (const file of files) this.pendingUris.add(file.location);
    const base = this.progressState ?? { done: 0, total: 0 };
    this.progressState = { done: base.done, total: base.total + files.length };
    this.changed();
    try {
      await this.counter.countFiles(files, this.settings.encoding, {
        signal,
        onResult: (file, count) => {
          this.pendingUris.delete(file.location);
          if (this.selection.has(file.location)) this.diskCounts.set(file.location, count);
          if (this.progressState) this.progressState = { done: this.progressState.done + 1, total: this.progressState.total };
          this.changed();
        },
      });
    } catch (error) {
      if ((error as Error).name !== 'AbortError') throw error;
    } finally {
      for (const file of files) this.pendingUris.delete(file.location);
      if (this.pendingUris.size === 0) this.progressState = null;
      this.changed();
    }
  }

  private framedTokensOf(uri: string, relativePath: string): number | undefined {
    if (this.settings.exportFraming === 'none') return undefined;
    const count = this.countOf(uri);
    return count?.kind === 'counted' ? this.framedByCount.get(count)?.get(`${this.settings.exportFraming}|${relativePath}`) : undefined;
  }

  /** The directory-tree block of the included, counted files, or null when the export has none. */
  private currentTreeBlock(inputs: readonly BudgetFileInput[]): string | null {
    if (this.settings.exportFraming === 'none' || !this.settings.exportDirectoryTree) return null;
    const paths = inputs.filter((file) => file.included && file.count?.kind === 'counted').map((file) => file.relativePath);
    return paths.length > 0 ? treeBlock(paths, this.settings.exportFraming) : null;
  }

  private scheduleFraming(): void {
    if (this.settings.exportFraming === 'none' || this.framingTimer) return;
    this.framingTimer = setTimeout(() => this.startFraming(), this.notifyDelayMs);
  }

  private startFraming(): void {
    if (this.framingTimer) clearTimeout(this.framingTimer);
    this.framingTimer = undefined;
    this.track(this.countFraming());
  }

  /**
   * Counts each included file as it will be exported (framing + content) and the directory tree.
   * An export's tokens are exactly the sum of these pieces (see promptExport), so the budget shows
   * what the user will paste. Reads the text again (buffer or disk); runs only with framing on.
   */
  private async countFraming(): Promise<void> {
    const format = this.settings.exportFraming;
    if (format === 'none') return;
    const encoding = this.settings.encoding;
    const signal = this.countController.signal;
    const inputs = this.inputs();
    const todo = inputs.filter((file) => file.included && file.count?.kind === 'counted' && file.framedTokens === undefined);
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < todo.length && !signal.aborted) {
        const file = todo[next++]!;
        const count = file.count!;
        const text = this.bufferTexts.get(file.uri) ?? (await readFileText(this.fs, file.uri));
        if (text === undefined) continue;
        const framed = await this.counter.countText(framedFile(file.relativePath, text, format).text, encoding, signal).catch(() => undefined);
        if (framed?.kind !== 'counted') continue;
        let byKey = this.framedByCount.get(count);
        if (!byKey) this.framedByCount.set(count, (byKey = new Map()));
        byKey.set(`${format}|${file.relativePath}`, framed.tokens);
        this.reportChanged();
      }
    };
    await Promise.all(Array.from({ length: Math.min(4, todo.length) }, lane));
    const block = this.currentTreeBlock(inputs);
    if (block !== null && this.treeCount?.block !== block) {
      const tree = await this.counter.countText(block, encoding, signal).catch(() => undefined);
      if (tree?.kind === 'counted') this.treeCount = { block, tokens: tree.tokens };
      this.reportChanged();
    }
  }

  /** Something that may need framing counted changed: schedule it, then notify. */
  private changed(): void {
    this.scheduleFraming();
    this.reportChanged();
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
