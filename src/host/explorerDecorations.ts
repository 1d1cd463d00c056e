import * as vscode from 'vscode';
import type { BudgetReport } from '../core/analysis/budgetTypes';
import { badgeTooltip, explorerBadges } from '../core/presenters/explorerBadges';
import type { ExplorerBadge } from '../core/presenters/explorerBadges';

/** Token badges in the Explorer for selected files and their folders; core decides what each shows. */
export class ExplorerDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri[]>();
  readonly onDidChangeFileDecorations = this._onDidChange.event;
  private badges = new Map<string, ExplorerBadge>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.window.registerFileDecorationProvider(this);
  }

  render(report: BudgetReport, enabled: boolean): void {
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
