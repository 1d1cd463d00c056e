import * as vscode from 'vscode';

// Placeholder composition root; replaced by the real wiring (status bar, tree, panel).
export function activate(context: vscode.ExtensionContext): void {
  const item = vscode.window.createStatusBarItem('contextBudget.status', vscode.StatusBarAlignment.Left, 100);
  item.name = 'Context Budget';
  item.text = '$(symbol-ruler) 0 tok';
  item.show();
  context.subscriptions.push(item);
}

export function deactivate(): void {}
