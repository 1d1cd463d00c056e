import * as vscode from 'vscode';
import {
  contextSetFileName,
  readContextSetFile,
  serializeContextSetFile,
  setFromSnapshot,
  snapshotFromSet,
  withSet,
} from '../core/sets/contextSets';
import type { ContextSet } from '../core/sets/contextSets';
import type { SelectionSnapshot } from '../core/selection/selection';
import type { BudgetSession } from '../core/session/budgetSession';
import type { BudgetController } from './budgetController';
import type { ChangeScope, GitContext } from './gitContext';
import { contextSetsStateKey } from './ids';
import type { SettingsReader } from './settingsReader';
import type { VscodeWorkspaceFs } from './vscodeWorkspaceFs';

/** A set offered by Restore: saved in this workspace, or read from a `.context-budget.json`. */
interface OfferedSet {
  readonly name: string;
  readonly source: 'workspace' | 'repository';
  readonly snapshot: SelectionSnapshot;
  /** The `.context-budget.json` it came from. */
  readonly file?: vscode.Uri;
}

/**
 * Context sets and changed files: Add Changed Files (working tree, staged, or against a branch or
 * commit, through VS Code's git extension), Save / Restore / Delete Context Set (per workspace, in
 * workspaceState), and Save Set to Repository, the one command that writes `.context-budget.json`.
 * Every command takes an optional argument that skips its pickers (keybindings, tests).
 */
export class ContextSetsFlow {
  constructor(
    private readonly session: BudgetSession,
    private readonly controller: BudgetController,
    private readonly settings: SettingsReader,
    private readonly fs: VscodeWorkspaceFs,
    private readonly state: vscode.Memento,
    private readonly git: GitContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Adds the files git reports as changed; `scope` (from a caller) skips the picker. */
  async addChangedFiles(scopeArgument?: unknown): Promise<number> {
    const scope = isChangeScope(scopeArgument) ? scopeArgument : await this.pickScope();
    if (!scope) return 0;
    const uris = await this.git.changedFiles(scope);
    const existing = (
      await Promise.all(
        uris.map(async (uri) =>
          (await this.fs.stat(uri.toString()).then(
            () => true,
            () => false,
          ))
            ? uri
            : undefined,
        ),
      )
    ).filter((uri): uri is vscode.Uri => uri !== undefined);
    if (existing.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: git reports no changed files ({0}).', scopeLabel(scope)));
      return 0;
    }
    await this.controller.addUris(existing, this.settings.current);
    return existing.length;
  }

  /** Saves the selection under a name in this workspace. */
  async save(nameArgument?: unknown): Promise<string | undefined> {
    const name =
      typeof nameArgument === 'string' && nameArgument.trim() !== ''
        ? nameArgument.trim()
        : await this.askName(vscode.l10n.t('Save Context Set'));
    if (!name) return undefined;
    const sets = this.workspaceSets();
    sets[name] = this.session.selection.snapshot();
    await this.state.update(contextSetsStateKey, sets);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Context Budget: saved the set "{0}" ({1} file(s)) in this workspace.', name, this.session.selection.size),
    );
    return name;
  }

  /** Replaces the selection with a saved set (workspace or `.context-budget.json`); Undo brings the previous one back. */
  async restore(nameArgument?: unknown): Promise<boolean> {
    const offered = await this.offeredSets();
    let chosen: OfferedSet | undefined;
    if (typeof nameArgument === 'string') {
      chosen =
        offered.find((set) => set.name === nameArgument && set.source === 'workspace') ?? offered.find((set) => set.name === nameArgument);
      if (!chosen) throw new Error(`no context set named "${nameArgument}"`);
    } else {
      if (offered.length === 0) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('Context Budget: no saved context sets yet. Save one with Save Context Set… or Save Set to Repository….'),
        );
        return false;
      }
      const picked = await vscode.window.showQuickPick(
        offered.map((set) => ({
          label: set.name,
          description:
            set.source === 'workspace'
              ? vscode.l10n.t('saved in this workspace')
              : vscode.l10n.t('from {0}', vscode.workspace.asRelativePath(set.file!)),
          detail: vscode.l10n.t('{0} file(s)', set.snapshot.entries.length),
          set,
        })),
        {
          title: vscode.l10n.t('Context Budget: Restore Context Set'),
          placeHolder: vscode.l10n.t('The selection is replaced; Undo brings it back'),
        },
      );
      chosen = picked?.set;
    }
    if (!chosen) return false;
    const selection = this.session.selection;
    const previous = selection.snapshot();
    selection.restore(chosen.snapshot);
    const undo = vscode.l10n.t('Undo');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Context Budget: restored the set "{0}" ({1} file(s)).', chosen.name, selection.size), undo)
      .then((choice) => {
        if (choice === undo) selection.restore(previous);
      });
    return true;
  }

  /** Deletes a set saved in this workspace (a repository file is edited by hand or overwritten by Save Set to Repository). */
  async delete(nameArgument?: unknown): Promise<boolean> {
    const sets = this.workspaceSets();
    const names = Object.keys(sets).sort();
    const name =
      typeof nameArgument === 'string'
        ? nameArgument
        : await vscode.window.showQuickPick(names, {
            title: vscode.l10n.t('Context Budget: Delete Context Set'),
            placeHolder: names.length === 0 ? vscode.l10n.t('No sets are saved in this workspace') : undefined,
          });
    if (!name || !(name in sets)) return false;
    delete sets[name];
    await this.state.update(contextSetsStateKey, sets);
    return true;
  }

  /**
   * Writes the selection as a set into `.context-budget.json` at the root of the workspace folder
   * holding most of its files, keeping the file's other sets. The only file the extension writes
   * besides an export, and only here. Files outside that folder cannot be shared and are named.
   */
  async saveToRepository(nameArgument?: unknown): Promise<vscode.Uri | undefined> {
    const folder = this.setRoot();
    if (!folder) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Context Budget: no selected file is inside a workspace folder, so there is no repository to save the set in.'),
      );
      return undefined;
    }
    const name =
      typeof nameArgument === 'string' && nameArgument.trim() !== ''
        ? nameArgument.trim()
        : await this.askName(vscode.l10n.t('Save Set to Repository ({0})', contextSetFileName));
    if (!name) return undefined;
    const target = vscode.Uri.joinPath(folder.uri, contextSetFileName);
    const existing = await readContextSetFile(this.fs, target.toString());
    for (const problem of existing?.problems ?? []) this.log.warn(`${contextSetFileName}: ${problem}`);
    const prefix = folder.uri.toString().replace(/\/?$/, '/');
    const { set, outside } = setFromSnapshot(name, this.session.selection.snapshot(), (uri) =>
      uri.startsWith(prefix) ? decodeURIComponent(uri.slice(prefix.length)) : null,
    );
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(serializeContextSetFile(withSet(existing?.sets ?? [], set))));
    const left =
      outside.length > 0
        ? ` ${vscode.l10n.t('{0} file(s) outside {1} were left out: {2}', outside.length, folder.name, `${outside.slice(0, 5).join(', ')}${outside.length > 5 ? '…' : ''}`)}`
        : '';
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Context Budget: wrote the set "{0}" ({1} file(s)) to {2}.',
        name,
        set.files.length,
        vscode.workspace.asRelativePath(target),
      ) + left,
    );
    return target;
  }

  private workspaceSets(): Record<string, SelectionSnapshot> {
    const stored = this.state.get<unknown>(contextSetsStateKey);
    return typeof stored === 'object' && stored !== null && !Array.isArray(stored)
      ? { ...(stored as Record<string, SelectionSnapshot>) }
      : {};
  }

  /** Sets of this workspace, then those of every workspace folder's `.context-budget.json`. */
  private async offeredSets(): Promise<OfferedSet[]> {
    const offered: OfferedSet[] = Object.entries(this.workspaceSets())
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, snapshot]) => ({ name, source: 'workspace', snapshot }));
    const multiRoot = (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = vscode.Uri.joinPath(folder.uri, contextSetFileName);
      let parsed;
      try {
        parsed = await readContextSetFile(this.fs, file.toString());
      } catch (error) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Context Budget: {0}', `${vscode.workspace.asRelativePath(file)}: ${(error as Error).message}`),
        );
        continue;
      }
      for (const problem of parsed?.problems ?? []) this.log.warn(`${file.toString()}: ${problem}`);
      for (const set of parsed?.sets ?? []) {
        offered.push({ name: set.name, source: 'repository', file, snapshot: snapshotOf(set, folder.uri, multiRoot) });
      }
    }
    return offered;
  }

  /** The workspace folder holding most selected files. */
  private setRoot(): vscode.WorkspaceFolder | undefined {
    const counts = new Map<vscode.WorkspaceFolder, number>();
    for (const entry of this.session.selection.ordered()) {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(entry.uri));
      if (folder) counts.set(folder, (counts.get(folder) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].index - b[0].index)[0]?.[0];
  }

  private async askName(title: string): Promise<string | undefined> {
    const name = await vscode.window.showInputBox({
      title: vscode.l10n.t('Context Budget: {0}', title),
      prompt: vscode.l10n.t('A name for the current selection (files, outline or full, focus, pins and order)'),
      validateInput: (value) =>
        value.trim() === ''
          ? vscode.l10n.t('Give the set a name')
          : value.length > 200
            ? vscode.l10n.t('At most 200 characters')
            : undefined,
    });
    return name?.trim() || undefined;
  }

  private async pickScope(): Promise<ChangeScope | undefined> {
    const items: Array<vscode.QuickPickItem & { scope: ChangeScope | 'ref' }> = [
      {
        label: vscode.l10n.t('All uncommitted changes'),
        description: vscode.l10n.t('modified, staged and untracked'),
        scope: { kind: 'all' },
      },
      {
        label: vscode.l10n.t('Working tree changes'),
        description: vscode.l10n.t('modified and untracked, not staged'),
        scope: { kind: 'workingTree' },
      },
      { label: vscode.l10n.t('Staged changes'), scope: { kind: 'staged' } },
      {
        label: vscode.l10n.t('Changes against a branch or commit…'),
        description: vscode.l10n.t('what a pull request against it would show, plus uncommitted work'),
        scope: 'ref',
      },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Context Budget: Add Changed Files'),
      placeHolder: vscode.l10n.t('Which changes?'),
    });
    if (!picked) return undefined;
    if (picked.scope !== 'ref') return picked.scope;
    const refs = await this.git.refNames().catch(() => []);
    const ref =
      refs.length > 0
        ? await vscode.window.showQuickPick([...refs, vscode.l10n.t('Type a commit…')], {
            title: vscode.l10n.t('Context Budget: compare with'),
            placeHolder: vscode.l10n.t('A branch, tag or commit'),
          })
        : undefined;
    const typed =
      ref === undefined || ref === vscode.l10n.t('Type a commit…')
        ? await vscode.window.showInputBox({
            title: vscode.l10n.t('Context Budget: compare with'),
            prompt: vscode.l10n.t('A branch, tag or commit'),
          })
        : ref;
    return typed && typed.trim() !== '' ? { kind: 'since', ref: typed.trim() } : undefined;
  }
}

function snapshotOf(set: ContextSet, root: vscode.Uri, multiRoot: boolean): SelectionSnapshot {
  return snapshotFromSet(set, (path) => {
    const uri = vscode.Uri.joinPath(root, ...path.split('/'));
    return { uri: uri.toString(), relativePath: vscode.workspace.asRelativePath(uri, multiRoot) };
  });
}

function isChangeScope(value: unknown): value is ChangeScope {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  if (kind === 'since') return typeof (value as { ref?: unknown }).ref === 'string' && (value as { ref: string }).ref.trim() !== '';
  return kind === 'workingTree' || kind === 'staged' || kind === 'all';
}

function scopeLabel(scope: ChangeScope): string {
  switch (scope.kind) {
    case 'all':
      return 'uncommitted';
    case 'workingTree':
      return 'working tree';
    case 'staged':
      return 'staged';
    case 'since':
      return `since ${scope.ref}`;
  }
}
