import * as vscode from 'vscode';
import type { BudgetReport } from '../core/analysis/budgetTypes';
import { checkboxEffect, toTreeNodes } from '../core/presenters/fileTreeModel';
import type { TreeNode, TreeSort } from '../core/presenters/fileTreeModel';
import { toStatusBarModel } from '../core/presenters/statusBarModel';
import { intake } from '../core/scan/intake';
import type { IntakeResult, IntakeTarget } from '../core/scan/intake';
import type { SkippedEntry } from '../core/scan/workspaceFs';
import type { BudgetSession } from '../core/session/budgetSession';
import { summariseSkips } from '../core/scan/skipSummary';
import type { Settings } from '../core/settings';
import type { FileTree } from './fileTree';
import { commandIds, contextKeys, selectionStateKey, sortStateKey } from './ids';
import type { StatusBar } from './statusBar';
import type { VscodeWorkspaceFs } from './vscodeWorkspaceFs';

const editDebounceMs = 250;
/** While counting, renders are at least this far apart, and at least 8× the last render's cost: a 20k-file render costs hundreds of ms. */
const countingRenderGapMs = 1000;
const persistDebounceMs = 500;

/**
 * Keeps the session in step with the editor (edits, saves, deletes, renames, open editors) and renders
 * the status bar and tree from its report. Decisions live in core; this class only routes events.
 */
export class BudgetController implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly editTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private persistTimer: ReturnType<typeof setTimeout> | undefined;
  private renderTimer: ReturnType<typeof setTimeout> | undefined;
  private lastRenderAt = 0;
  private lastRenderCostMs = 0;
  private sort: TreeSort;
  /** Resolves once the selection is restored and first rendered (just after activation); never rejects. */
  private readonly started: Promise<void>;
  /** Whether the saved selection was restored: until then the session's (empty) selection must not be saved over it. */
  private restored = false;
  private disposed = false;
  /** When the first render was done (performance.now()), once it has been. */
  firstRenderAt: number | undefined;
  private readonly _onDidRender = new vscode.EventEmitter<BudgetReport>();
  /** Fires after every render with the report shown (the panel listens to stay consistent). */
  readonly onDidRender = this._onDidRender.event;

  constructor(
    readonly session: BudgetSession,
    private readonly fs: VscodeWorkspaceFs,
    private readonly statusBar: StatusBar,
    private readonly tree: FileTree,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.sort = state.get<TreeSort>(sortStateKey) === 'tokens' ? 'tokens' : 'name';
    const selection = session.selection;
    this.disposables.push(
      session.onDidChange(() => this.scheduleRender()),
      selection.onDidChange(() => this.schedulePersist()),
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event.document)),
      vscode.workspace.onDidSaveTextDocument((document) => this.onSaved(document.uri.toString())),
      vscode.workspace.onDidCloseTextDocument((document) => session.bufferClosed(document.uri.toString())),
      vscode.workspace.onDidRenameFiles((event) => {
        for (const { oldUri, newUri } of event.files) this.onRenamed(oldUri, newUri);
      }),
      vscode.window.tabGroups.onDidChangeTabs(() => this.trackOpenEditors()),
      vscode.window.onDidChangeActiveTextEditor((editor) => session.setActiveEditor(editor?.document.uri.toString() ?? null)),
    );
    session.setActiveEditor(vscode.window.activeTextEditor?.document.uri.toString() ?? null);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.disposables.push(
      watcher,
      watcher.onDidChange((uri) => this.onDiskChange(uri.toString())),
      watcher.onDidCreate((uri) => this.onDiskChange(uri.toString())),
      watcher.onDidDelete((uri) => this.onDiskDelete(uri.toString())),
    );
    // The restore and the first render (a report, the tree, the badges: tens of ms of first-run code)
    // come right after activate() returns instead of inside it. settle(), every command and the chat
    // wait for whenStarted(), so none of them sees, or changes, the selection before it is restored.
    this.started = new Promise((resolve) => {
      setImmediate(() => {
        try {
          if (this.disposed) return;
          this.trackOpenEditors();
          selection.restore(state.get(selectionStateKey));
          this.restored = true;
          this.render();
        } catch (error) {
          log.error(`Restoring the selection failed: ${(error as Error)?.stack ?? String(error)}`);
        } finally {
          this.firstRenderAt = performance.now();
          resolve();
        }
      });
    });
  }

  /** Resolves once the saved selection is restored and the first render is done (just after activate() returns). */
  whenStarted(): Promise<void> {
    return this.started;
  }

  get currentSort(): TreeSort {
    return this.sort;
  }

  setSort(sort: TreeSort): void {
    this.sort = sort;
    void this.state.update(sortStateKey, sort);
    this.render();
  }

  /** Adds files and folders (Explorer menu, commands). Folders are scanned with the ignore rules; skips are reported. */
  async addUris(uris: readonly vscode.Uri[], settings: Settings): Promise<void> {
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const targets: IntakeTarget[] = uris.map((uri) => {
      const relativePath = vscode.workspace.asRelativePath(uri, multiRoot);
      // A single workspace folder's own files read as `src/a.ts`, not `folder/src/a.ts`.
      return {
        kind: 'path',
        location: uri.toString(),
        relativePath,
        pathPrefix: isWorkspaceRoot(uri) && !multiRoot ? '' : relativePath,
        extraExcludes: filesExcludeGlobs(uri),
      };
    });
    let result: IntakeResult | undefined;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Context Budget: adding files'), cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        const cancel = token.onCancellationRequested(() => controller.abort());
        try {
          result = await intake(this.fs, targets, {
            excludeGlobs: settings.excludes,
            respectGitignore: settings.respectGitignore,
            maxFileBytes: settings.maxFileBytes,
            maxFiles: settings.maxFiles,
            skipSecretFiles: settings.skipSecretFiles,
            skipGeneratedFiles: settings.skipGeneratedFiles,
            signal: controller.signal,
            onProgress: (accepted) => progress.report({ message: vscode.l10n.t('{0} files found', accepted) }),
          });
          progress.report({ message: vscode.l10n.t('counting {0} files…', result.files.length) });
          await this.session.addFiles(result.files, result.skipped);
        } catch (error) {
          if ((error as Error).name !== 'AbortError') throw error;
          result = undefined;
          void vscode.window.showInformationMessage(
            vscode.l10n.t('Context Budget: adding files was cancelled; files found so far were not added.'),
          );
        } finally {
          cancel.dispose();
        }
      },
    );
    if (result) this.reportSkips(result.files.length, result.skipped, result.truncated);
  }

  /**
   * Applies tree checkbox clicks. A folder click that changes several files says so, with Undo: a
   * partly included folder shows checked, and unchecking it takes every file out.
   */
  applyCheckboxes(changes: ReadonlyArray<{ readonly node: TreeNode; readonly checked: boolean }>): void {
    const selection = this.session.selection;
    const effects = changes.map((change) => checkboxEffect(change.node, change.checked));
    const include = effects.flatMap((effect) => effect.include);
    const exclude = effects.flatMap((effect) => effect.exclude);
    selection.setIncluded(include, true);
    selection.setIncluded(exclude, false);
    const summaries = effects.map((effect) => effect.summary).filter((summary): summary is string => summary !== null);
    if (summaries.length === 0) return;
    const undo = vscode.l10n.t('Undo');
    void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: {0}', summaries.join(' ')), undo).then((choice) => {
      if (choice !== undo) return;
      selection.setIncluded(include, false);
      selection.setIncluded(exclude, true);
    });
  }

  /** Flushes pending edits and counting; used by tests and commands that need settled numbers. */
  async settle(): Promise<void> {
    await this.started;
    for (const [uri, timer] of this.editTimers) {
      clearTimeout(timer);
      this.editTimers.delete(uri);
      const document = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri);
      if (document?.isDirty) await this.session.bufferChanged(uri, document.getText());
    }
    await this.session.whenIdle();
  }

  /**
   * Renders soon; while counting, spaced so rendering never takes more than about an eighth of the
   * extension host's time (a render of a 20k-file report, tree and badges costs hundreds of ms, and
   * unthrottled it starved the count itself). The final render after counting is immediate.
   */
  private scheduleRender(): void {
    if (this.renderTimer) {
      if (this.session.progress) return;
      clearTimeout(this.renderTimer);
    }
    const gap = this.session.progress ? Math.max(countingRenderGapMs, this.lastRenderCostMs * 8) : 0;
    const wait = Math.max(0, this.lastRenderAt + gap - Date.now());
    this.renderTimer = setTimeout(() => {
      this.renderTimer = undefined;
      this.render();
    }, wait);
  }

  render(): void {
    if (this.renderTimer) {
      clearTimeout(this.renderTimer);
      this.renderTimer = undefined;
    }
    const started = performance.now();
    this.renderNow();
    this.lastRenderCostMs = performance.now() - started;
    this.lastRenderAt = Date.now();
  }

  private renderNow(): void {
    const report = this.session.report();
    const progress = this.session.progress;
    this.statusBar.render(toStatusBarModel(report, progress, commandIds));
    const { counts } = report;
    const skipped = counts.skipped + report.skippedFiles.length;
    const message = skipped > 0 ? vscode.l10n.t('{0} file(s) not counted: see the warning icons and their reasons.', skipped) : undefined;
    const sort = this.sort;
    this.tree.render(() => toTreeNodes(report, sort), {
      message,
      badge: report.files.length ? `${report.promptTokens.toLocaleString('en-US')} tok` : undefined,
      sort: this.sort,
    });
    void vscode.commands.executeCommand('setContext', contextKeys.hasSelection, report.files.length > 0);
    void vscode.commands.executeCommand('setContext', contextKeys.counting, progress !== null);
    void vscode.commands.executeCommand('setContext', contextKeys.sort, this.sort);
    this._onDidRender.fire(report);
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.editTimers.values()) clearTimeout(timer);
    if (this.persistTimer) clearTimeout(this.persistTimer);
    if (this.renderTimer) clearTimeout(this.renderTimer);
    this.persist();
    for (const disposable of this.disposables) disposable.dispose();
    this._onDidRender.dispose();
  }

  private onEdit(document: vscode.TextDocument): void {
    const uri = document.uri.toString();
    if (!this.session.selection.has(uri)) return;
    const previous = this.editTimers.get(uri);
    if (previous) clearTimeout(previous);
    this.editTimers.set(
      uri,
      setTimeout(() => {
        this.editTimers.delete(uri);
        if (document.isDirty) void this.session.bufferChanged(uri, document.getText());
        else this.session.bufferClosed(uri);
      }, editDebounceMs),
    );
  }

  private onSaved(uri: string): void {
    if (!this.session.selection.has(uri)) return;
    this.session.bufferClosed(uri);
    void this.session.fileChanged(uri);
  }

  private onDiskChange(uri: string): void {
    if (this.session.selection.has(uri)) void this.session.fileChanged(uri);
  }

  private onDiskDelete(uri: string): void {
    this.session.fileDeleted(uri);
  }

  private onRenamed(oldUri: vscode.Uri, newUri: vscode.Uri): void {
    const selection = this.session.selection;
    const oldKey = oldUri.toString();
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    const prefix = oldKey.endsWith('/') ? oldKey : `${oldKey}/`;
    for (const entry of selection.ordered()) {
      if (entry.uri === oldKey || entry.uri.startsWith(prefix)) {
        const moved = vscode.Uri.parse(newUri.toString() + entry.uri.slice(oldKey.length));
        selection.rename(entry.uri, moved.toString(), vscode.workspace.asRelativePath(moved, multiRoot));
      }
    }
  }

  private trackOpenEditors(): void {
    const uris: string[] = [];
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) {
        if (tab.input instanceof vscode.TabInputText) uris.push(tab.input.uri.toString());
      }
    }
    this.session.setOpenEditors(uris);
  }

  private schedulePersist(): void {
    if (this.persistTimer) clearTimeout(this.persistTimer);
    this.persistTimer = setTimeout(() => this.persist(), persistDebounceMs);
  }

  private persist(): void {
    this.persistTimer = undefined;
    if (!this.restored) return;
    void this.state.update(selectionStateKey, this.session.selection.snapshot());
  }

  private reportSkips(added: number, skipped: readonly SkippedEntry[], truncated: boolean): void {
    if (skipped.length === 0 && !truncated) return;
    this.log.info(`Added ${added} file(s); skipped ${skipped.length}${truncated ? '; stopped at contextBudget.maxFiles' : ''}:`);
    for (const entry of skipped) this.log.info(`  ${entry.relativePath}: ${entry.message}`);
    const truncation = truncated
      ? ` ${vscode.l10n.t('The folder has more files than contextBudget.maxFiles ({0}); the rest were not added.', this.session.currentSettings.maxFiles.toLocaleString('en-US'))}`
      : '';
    const text =
      (skipped.length > 0
        ? vscode.l10n.t('Context Budget: added {0} file(s); skipped {1}.', added, summariseSkips(skipped))
        : vscode.l10n.t('Context Budget: added {0} file(s).', added)) + truncation;
    void vscode.window.showInformationMessage(text, vscode.l10n.t('Show Details')).then((choice) => {
      if (choice) this.log.show(true);
    });
  }
}

/** `files.exclude` entries that are switched on, as globs for the scanner. */
function filesExcludeGlobs(scope: vscode.Uri): string[] {
  const excludes = vscode.workspace.getConfiguration('files', scope).get<Record<string, unknown>>('exclude') ?? {};
  return Object.entries(excludes)
    .filter(([, enabled]) => enabled === true)
    .map(([glob]) => glob);
}

function isWorkspaceRoot(uri: vscode.Uri): boolean {
  return (vscode.workspace.workspaceFolders ?? []).some((folder) => folder.uri.toString() === uri.toString());
}
