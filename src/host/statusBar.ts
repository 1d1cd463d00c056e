import * as vscode from 'vscode';
import type { StatusBarModel } from '../core/presenters/statusBarModel';
import { statusBarItemId } from './ids';

/** Owns the one status bar item; `render` only assigns what core decided. */
export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem(statusBarItemId, vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'Context Budget';
  }

  render(model: StatusBarModel): void {
    this.item.text = model.text;
    this.item.accessibilityInformation = { label: model.accessibilityLabel };
    const tooltip = new vscode.MarkdownString(model.tooltipMarkdown, true);
    tooltip.isTrusted = { enabledCommands: [...model.enabledCommands] };
    tooltip.supportHtml = false;
    this.item.tooltip = tooltip;
    this.item.command = model.command;
    this.item.backgroundColor =
      model.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : model.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    // The matching foregrounds: high-contrast themes define these even where the backgrounds are transparent.
    this.item.color =
      model.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorForeground')
        : model.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningForeground')
          : undefined;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}
