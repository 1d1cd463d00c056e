import * as vscode from 'vscode';
import type { BudgetReport } from '../../core/analysis/budgetTypes';
import { firstExceededTarget, statesForActions } from '../../core/analysis/dropPlan';
import { findGpu, findModel, loadBundledCatalog } from '../../core/model/catalog';
import { buildPanelDetails, buildPanelFiles, buildPanelSummary, reorderedUris } from '../../core/presenters/panelState';
import type { BudgetSession } from '../../core/session/budgetSession';
import { formatInteger } from '../../core/units';
import type { DropTargetKind } from '../../core/vocabulary';
import { parseWebviewMessage } from '../../protocol/panelProtocol';
import type { HostMessage, WebviewMessage } from '../../protocol/panelProtocol';
import { commandIds, panelViewType } from '../ids';
import { selectCatalogModel } from '../modelPicker';
import type { SettingsReader } from '../settingsReader';
import { nodeCrypto } from '../../node/lazyBuiltins';
import { makeNonce, panelHtml } from './panelHtml';

export interface CostPanelDeps {
  readonly extensionUri: vscode.Uri;
  /** Every figure the panel shows comes from the session's report and context snapshot. */
  readonly session: BudgetSession;
  /** Only for writing the user's choices (model, GPU); never read for figures. */
  readonly settings: SettingsReader;
  /** Fires whenever the status bar and tree were re-rendered. */
  readonly onDidRender: vscode.Event<BudgetReport>;
  readonly log: vscode.LogOutputChannel;
}

interface UndoEntry {
  readonly label: string;
  readonly undo: () => void;
}

/** Updates at most this often while counting, so a 10k-file count does not flood the webview. */
const updateIntervalMs = 200;
const maxUndo = 20;

/**
 * The Context Budget panel: one webview panel, revived after a reload by the serializer PanelShell
 * registers (panelShell.ts: this class lives in the second bundle, built on first use). It renders
 * full state snapshots built by core and turns validated webview intents into selection and
 * settings changes; the status bar and tree follow through the session like any other change.
 */
export class CostPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private dropTarget: DropTargetKind | null = null;
  private readonly kept = new Set<string>();
  private readonly undoStack: UndoEntry[] = [];
  private updateTimer: ReturnType<typeof setTimeout> | undefined;
  private lastUpdate = 0;
  private webviewReady = false;
  /** Numbers each update, so the parts of an older one are not sent after a newer one started. */
  private postGeneration = 0;

  constructor(private readonly deps: CostPanelDeps) {
    this.disposables.push(deps.onDidRender(() => this.scheduleUpdate()));
  }

  /** Takes over a panel VS Code restored after a reload. */
  revive(panel: vscode.WebviewPanel): void {
    this.adopt(panel);
  }

  /** Opens the panel, or reveals it where it is. */
  show(): void {
    if (this.panel) {
      this.panel.reveal(undefined, false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      panelViewType,
      'Context Budget',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      this.webviewOptions(),
    );
    this.adopt(panel);
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  dispose(): void {
    if (this.updateTimer) clearTimeout(this.updateTimer);
    this.panel?.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    const { extensionUri } = this.deps;
    return {
      enableScripts: true,
      enableCommandUris: false,
      enableFindWidget: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.webviewReady = false;
    const { extensionUri } = this.deps;
    const webview = panel.webview;
    webview.options = this.webviewOptions();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce((size) => nodeCrypto().randomBytes(size)),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'panel.css')).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'codicons', 'codicon.css')).toString(),
    });
    this.panelDisposables = [
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseWebviewMessage(raw);
        if (!message) {
          this.deps.log.warn(`Panel: ignored a malformed message from the webview: ${safePreview(raw)}`);
          return;
        }
        void this.handle(message).catch((error: unknown) => {
          this.deps.log.error(`Panel: ${message.type} failed: ${(error as Error).stack ?? String(error)}`);
          void vscode.window.showErrorMessage(vscode.l10n.t('Context Budget: {0}', (error as Error).message));
        });
      }),
      panel.onDidChangeViewState(() => {
        if (panel.visible) this.scheduleUpdate(true);
      }),
      panel.onDidDispose(() => {
        for (const disposable of this.panelDisposables) disposable.dispose();
        this.panelDisposables = [];
        this.panel = undefined;
        this.webviewReady = false;
      }),
    ];
  }

  private async handle(message: WebviewMessage): Promise<void> {
    const { session, settings } = this.deps;
    const selection = session.selection;
    switch (message.type) {
      case 'ready':
        this.webviewReady = true;
        if (message.dropTarget && this.dropTarget === null) this.dropTarget = message.dropTarget;
        this.postState();
        return;
      case 'openFile':
        // Only files the panel lists: the selection's, and those a folder add skipped.
        if (selection.has(message.uri) || session.skippedFiles.some((entry) => entry.location === message.uri)) {
          await vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(message.uri));
        }
        return;
      case 'setModel':
        if (findModel(message.modelId)) await selectCatalogModel(settings, message.modelId);
        return;
      case 'setGpu':
        if (findGpu(message.gpuId)) await settings.update('gpu', message.gpuId);
        return;
      case 'setGpuCount':
        await settings.update('gpuCount', message.gpuCount);
        return;
      case 'runCommand':
        await vscode.commands.executeCommand(commandIds[message.command]);
        return;
      case 'setDropTarget':
        this.dropTarget = message.target;
        this.kept.clear();
        this.postState();
        return;
      case 'setProposalSelected':
        if (message.selected) this.kept.delete(message.uri);
        else this.kept.add(message.uri);
        this.postState();
        return;
      case 'applyDrops':
        return this.applyDrops(message.uris);
      case 'applyReorder':
        return this.applyReorder(message.placement);
      case 'resetOrder': {
        if (!selection.hasCustomOrder) return;
        const previous = selection.snapshot().customOrder;
        this.pushUndo('restore the reordered prompt', () => selection.setOrder(previous));
        selection.setOrder(null);
        return;
      }
      case 'undo': {
        const entry = this.undoStack.pop();
        entry?.undo();
        this.postState();
        return;
      }
    }
  }

  /** Applies only what is both in the current proposal and still included: the webview's list is a request, not an order. */
  private async applyDrops(uris: readonly string[]): Promise<void> {
    const { session } = this.deps;
    await session.whenIdle();
    const proposal = session.proposeDrops(this.currentDropTarget(session.report()), this.kept);
    const proposed = new Map((proposal?.actions ?? []).map((action) => [action.uri, action]));
    const selection = session.selection;
    const applying = [...new Set(uris)]
      .filter((uri) => proposed.has(uri) && selection.get(uri)?.included === true)
      .map((uri) => proposed.get(uri)!);
    if (applying.length === 0) return;
    const saved = applying.reduce((sum, action) => sum + action.savesTokens, 0);
    this.kept.clear();
    const previous = selection.setStates(statesForActions(applying));
    this.pushUndo(`restore ${applying.length} dropped or outlined file(s)`, () => selection.setStates(previous));
    void vscode.window.setStatusBarMessage(
      vscode.l10n.t('Context Budget: unchecked or outlined {0} file(s), {1} tokens', applying.length, formatInteger(saved)),
      4000,
    );
  }

  private async applyReorder(placement: 'end' | 'start'): Promise<void> {
    const { session } = this.deps;
    await session.whenIdle();
    const order = reorderedUris(session.report(), placement);
    if (!order) return;
    const selection = session.selection;
    const previous = selection.snapshot().customOrder;
    this.pushUndo('restore the previous prompt order', () => selection.setOrder(previous));
    selection.setOrder(order);
  }

  private pushUndo(label: string, undo: () => void): void {
    this.undoStack.push({ label, undo });
    if (this.undoStack.length > maxUndo) this.undoStack.shift();
  }

  private currentDropTarget(report: BudgetReport): DropTargetKind {
    return this.dropTarget ?? firstExceededTarget(report) ?? 'window';
  }

  private scheduleUpdate(immediate = false): void {
    if (!this.panel || !this.webviewReady) return;
    if (this.updateTimer) return;
    const wait = immediate ? 0 : Math.max(0, this.lastUpdate + updateIntervalMs - Date.now());
    this.updateTimer = setTimeout(() => {
      this.updateTimer = undefined;
      this.postState();
    }, wait);
  }

  /**
   * Sends the panel the current figures in three parts, each built and posted in its own turn of
   * the event loop: the summary (cards) at once, then the charts and drop plan, then the file rows.
   * A newer update abandons the parts an older one has not sent yet.
   */
  private postState(): void {
    const panel = this.panel;
    if (!panel || !this.webviewReady || !panel.visible) return;
    this.lastUpdate = Date.now();
    const generation = ++this.postGeneration;
    const { session } = this.deps;
    const report = session.report();
    const { settings, target } = session.context;
    const base = { report, model: target.model, gpu: target.gpu, settings, progress: session.progress, catalog: loadBundledCatalog() };
    const post = (message: HostMessage): void => void panel.webview.postMessage(message);
    post({ type: 'summary', summary: buildPanelSummary(base) });
    const current = (): boolean => generation === this.postGeneration && this.panel === panel;
    setTimeout(() => {
      if (!current()) return;
      const dropTarget = this.currentDropTarget(report);
      post({
        type: 'details',
        details: buildPanelDetails({
          ...base,
          dropTarget,
          dropProposal: session.proposeDrops(dropTarget, this.kept),
          customOrderApplied: session.selection.hasCustomOrder,
          undoLabel: this.undoStack.at(-1)?.label ?? null,
        }),
      });
      setTimeout(() => {
        if (current()) post({ type: 'files', files: buildPanelFiles(report) });
      }, 0);
    }, 0);
  }
}

function safePreview(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 200);
  } catch {
    return typeof value;
  }
}
