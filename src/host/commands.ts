import * as vscode from 'vscode';
import type { TreeNode } from '../core/presenters/fileTreeModel';
import type { Settings } from '../core/settings';
import type { BudgetController } from './budgetController';
import { commandIds } from './ids';
import type { CommandId } from './ids';
import type { SettingsReader } from './settingsReader';
import type { ExportRequest } from './exportFlow';
import type { CommandFlows } from './lazyFeatures';

export interface CommandDeps {
  readonly controller: BudgetController;
  readonly settings: SettingsReader;
  /** The pickers, dialogs and downloads, from the second bundle: loaded and built by the first command that needs them. */
  readonly flows: () => CommandFlows;
  readonly openPanel: () => void;
  readonly clearCountCache: () => Promise<void>;
  /** Reads the server of contextBudget.server again (it may have been restarted with another context). */
  readonly checkServer: () => unknown;
}

/** Every command's handler in one map (a drift test checks it against package.json). */
export function createCommandHandlers(deps: CommandDeps): Record<CommandId, (...args: unknown[]) => unknown> {
  const { controller, settings } = deps;
  const selection = controller.session.selection;
  const current = (): Settings => settings.current;
  return {
    [commandIds.openPanel]: () => deps.openPanel(),
    [commandIds.addToContext]: (uri?: unknown, uris?: unknown) => controller.addUris(explorerTargets(uri, uris), current()),
    [commandIds.removeFromContext]: (uri?: unknown, uris?: unknown) => {
      for (const target of explorerTargets(uri, uris)) {
        const key = target.toString();
        if (selection.has(key)) selection.remove([key]);
        else selection.removeUnder(key);
        controller.session.dismissSkipped([key]);
      }
    },
    [commandIds.addCurrentFile]: (uri?: unknown) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) return vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: no file is open in the editor.'));
      return controller.addUris([target], current());
    },
    [commandIds.addOpenEditors]: () => {
      const uris = openEditorUris();
      if (uris.length === 0) return vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: no files are open in editors.'));
      return controller.addUris(uris, current());
    },
    [commandIds.addFolder]: async () => {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: true,
        canSelectMany: true,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        openLabel: vscode.l10n.t('Add to Prompt Context'),
      });
      if (picked?.length) await controller.addUris(picked, current());
    },
    [commandIds.clearContext]: async () => {
      const count = selection.size;
      if (count === 0) return;
      const clear = vscode.l10n.t('Clear');
      const choice = await vscode.window.showWarningMessage(
        vscode.l10n.t('Remove all {0} file(s) from the prompt context?', count),
        { modal: true },
        clear,
      );
      if (choice === clear) selection.clear();
    },
    [commandIds.selectModel]: () => deps.flows().models.pickModel(),
    [commandIds.selectGpu]: () => deps.flows().models.pickGpu(),
    [commandIds.loadModelConfig]: (uri?: unknown) => deps.flows().models.loadConfig(uri instanceof vscode.Uri ? uri : undefined),
    [commandIds.downloadTokenizer]: () => deps.flows().tokenizers.download(),
    [commandIds.setHuggingFaceToken]: () => deps.flows().tokenizers.setToken(),
    [commandIds.clearHuggingFaceToken]: () => deps.flows().tokenizers.clearToken(),
    [commandIds.suggestDrops]: () => deps.flows().drops.run(),
    [commandIds.cancelCounting]: () => controller.session.cancel(),
    [commandIds.recount]: () => controller.session.recountAll(),
    [commandIds.clearCountCache]: () => deps.clearCountCache(),
    [commandIds.checkServer]: () => deps.checkServer(),
    [commandIds.sortByName]: () => controller.setSort('name'),
    [commandIds.sortByTokens]: () => controller.setSort('tokens'),
    [commandIds.markFocus]: (node?: unknown, nodes?: unknown) => selection.setFocus(nodeUris(node, nodes), true),
    [commandIds.unmarkFocus]: (node?: unknown, nodes?: unknown) => selection.setFocus(nodeUris(node, nodes), false),
    [commandIds.pin]: (node?: unknown, nodes?: unknown) => selection.setPinned(nodeUris(node, nodes), true),
    [commandIds.unpin]: (node?: unknown, nodes?: unknown) => selection.setPinned(nodeUris(node, nodes), false),
    [commandIds.openEntry]: (node?: unknown) => {
      const uri = isTreeNode(node) ? node.uri : typeof node === 'string' ? node : null;
      if (uri) return vscode.commands.executeCommand('vscode.open', vscode.Uri.parse(uri));
      return undefined;
    },
    [commandIds.removeEntry]: (node?: unknown, nodes?: unknown) => {
      selection.remove(nodeUris(node, nodes));
      // A skipped file has no selection entry: removing it dismisses it from the list.
      const skipped = [node, ...(Array.isArray(nodes) ? nodes : [])]
        .filter(isTreeNode)
        .filter((item) => item.contextValue === 'skippedFile' && item.uri !== null)
        .map((item) => item.uri!);
      if (skipped.length > 0) controller.session.dismissSkipped(skipped);
    },
    [commandIds.copyContext]: (request?: unknown) => deps.flows().exports.copy(exportRequest(request)),
    [commandIds.saveContext]: (request?: unknown) => deps.flows().exports.save(exportRequest(request)),
    [commandIds.useOutline]: (node?: unknown, nodes?: unknown) => selection.setState(nodeUris(node, nodes), 'outline'),
    [commandIds.useFullText]: (node?: unknown, nodes?: unknown) => selection.setState(nodeUris(node, nodes), 'full'),
    [commandIds.addChangedFiles]: (scope?: unknown) => deps.flows().sets.addChangedFiles(scope),
    [commandIds.saveContextSet]: (name?: unknown) => deps.flows().sets.save(name),
    [commandIds.restoreContextSet]: (name?: unknown) => deps.flows().sets.restore(name),
    [commandIds.deleteContextSet]: (name?: unknown) => deps.flows().sets.delete(name),
    [commandIds.saveSetToRepository]: (name?: unknown) => deps.flows().sets.saveToRepository(name),
  };
}

/**
 * Registers every handler through {@link runCommand}, so no command failure goes unseen. Each runs
 * once `ready` resolves: the saved selection is restored just after activate() returns, and a command
 * run before that (the one that activated the extension) must not act on, or be undone by, the restore.
 */
export function registerCommands(
  handlers: Record<CommandId, (...args: unknown[]) => unknown>,
  log: vscode.LogOutputChannel,
  ready: Promise<void>,
): vscode.Disposable {
  return vscode.Disposable.from(
    ...Object.entries(handlers).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        await ready;
        return runCommand(id, handler, args, log);
      }),
    ),
  );
}

/**
 * Runs one command: a failure is logged with its stack and shown once, with a way to the log;
 * cancellation is not a failure. The handler's value is returned (tests and keybindings use it).
 */
export async function runCommand(
  id: string,
  handler: (...args: unknown[]) => unknown,
  args: unknown[],
  log: vscode.LogOutputChannel,
): Promise<unknown> {
  try {
    return await handler(...args);
  } catch (error) {
    if ((error as Error | null)?.name === 'AbortError' || error instanceof vscode.CancellationError) return undefined;
    log.error(`Command ${id} failed: ${(error as Error)?.stack ?? String(error)}`);
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window
      .showErrorMessage(vscode.l10n.t('Context Budget: {0}', (error as Error)?.message ?? String(error)), showLog)
      .then((choice) => {
        if (choice === showLog) log.show(true);
      });
    return undefined;
  }
}

/** Keeps only well-formed export arguments (keybindings and tests pass them; menus pass tree nodes). */
function exportRequest(value: unknown): ExportRequest {
  if (typeof value !== 'object' || value === null || isTreeNode(value)) return {};
  const raw = value as Record<string, unknown>;
  return {
    format: raw.format === 'xml' || raw.format === 'markdown' ? raw.format : undefined,
    directoryTree: typeof raw.directoryTree === 'boolean' ? raw.directoryTree : undefined,
    secrets: raw.secrets === 'exclude' || raw.secrets === 'include' ? raw.secrets : undefined,
    target: typeof raw.target === 'string' ? raw.target : undefined,
  };
}

/** Explorer menus pass (clicked uri, all selected uris); editor menus pass just the uri. */
function explorerTargets(uri: unknown, uris: unknown): vscode.Uri[] {
  if (Array.isArray(uris) && uris.length > 0 && uris.every((item) => item instanceof vscode.Uri)) return uris as vscode.Uri[];
  if (uri instanceof vscode.Uri) return [uri];
  const active = vscode.window.activeTextEditor?.document.uri;
  return active ? [active] : [];
}

/** Tree actions pass (clicked node, selected nodes); apply to the whole multi-selection when it includes the clicked node. */
function nodeUris(node: unknown, nodes: unknown): string[] {
  const list = Array.isArray(nodes) && nodes.some((item) => isTreeNode(item) && isTreeNode(node) && item.id === node.id) ? nodes : [node];
  return [...new Set(list.filter(isTreeNode).flatMap((item) => item.fileUris))];
}

function isTreeNode(value: unknown): value is TreeNode {
  return (
    typeof value === 'object' && value !== null && Array.isArray((value as TreeNode).fileUris) && typeof (value as TreeNode).id === 'string'
  );
}

function openEditorUris(): vscode.Uri[] {
  const uris = new Map<string, vscode.Uri>();
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      if (tab.input instanceof vscode.TabInputText && tab.input.uri.scheme !== 'untitled') {
        uris.set(tab.input.uri.toString(), tab.input.uri);
      }
    }
  }
  return [...uris.values()];
}
