import * as vscode from 'vscode';
import type { BudgetReport } from '../core/analysis/budgetTypes';
import { badgeTooltip, explorerBadges } from '../core/presenters/explorerBadges';
import type { ExplorerBadge } from '../core/presenters/explorerBadges';

const countingBadgeGapMs = 5000;

/** Token badges in the Explorer for selected files and their folders; core decides what each shows. */
export class ExplorerDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this._onDidChange.event;
  private badges = new Map<string, ExplorerBadge>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.window.registerFileDecorationProvider(this);
  }

  private lastRenderAt = Number.NEGATIVE_INFINITY;

  /**
   * While files are being counted (`counting`), badges are redrawn at most every
   * {@link countingBadgeGapMs}: every count moves every file's share, so each redraw sends all of
   * them to the workbench (10,000 URIs, ~60–90 ms of the extension host's thread). The render after
   * the count ends is never skipped, so the badges end exact.
   */
  render(report: BudgetReport, enabled: boolean, counting = false): void {
    const now = Date.now();
    if (counting && now - this.lastRenderAt < countingBadgeGapMs) return;
    this.lastRenderAt = now;
    const roots = (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.toString());
    const next = enabled ? explorerBadges(report, roots) : new Map<string, ExplorerBadge>();
    const changed = new Set<string>();
    for (const [uri, badge] of next) {
      const previous = this.badges.get(uri);
      if (
        !previous ||
        previous.badge !== badge.badge ||
        previous.tokens !== badge.tokens ||
        previous.files !== badge.files ||
        previous.share !== badge.share ||
        previous.tokenizer !== badge.tokenizer
      ) {
        changed.add(uri);
      }
    }
    for (const uri of this.badges.keys()) if (!next.has(uri)) changed.add(uri);
    this.badges = next;
    if (changed.size > 0) this._onDidChange.fire([...changed].map((uri) => vscode.Uri.parse(uri)));
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const badge = this.badges.get(uri.toString());
    return badge ? new vscode.FileDecoration(badge.badge, badgeTooltip(badge)) : undefined;
  }

  dispose(): void {
    this.registration.dispose();
    this._onDidChange.dispose();
  }
}
