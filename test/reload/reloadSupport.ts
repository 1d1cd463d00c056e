// Shared by the two launches of the reload test (scripts/test-integration.sh runs them one after the
// other on the same workspace folder and the same user-data folder, so the second extension host
// finds what the first left in its global storage, as after a window reload).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ContextBudgetApi } from '../../src/host/extension';

export async function contextBudget(): Promise<ContextBudgetApi> {
  const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
  assert.ok(extension);
  return extension.activate();
}

/** Adds the workspace folder from the Explorer command and waits for settled counts. */
export async function addWorkspaceFolder(api: ContextBudgetApi): Promise<void> {
  const root = vscode.workspace.workspaceFolders![0]!.uri;
  await vscode.commands.executeCommand('contextBudget.addToContext', root, [root]);
  await api.settle();
}
