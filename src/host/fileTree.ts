import * as vscode from 'vscode';
import type { TreeNode, TreeSort } from '../core/presenters/fileTreeModel';
import { commandIds, viewIds } from './ids';

/** Selections up to this many files open with every folder expanded; larger ones show only the top level expanded. */
const expandAllUpToFiles = 500;

/**
 * The Prompt Context tree. Nodes come from core (`toTreeNodes`); checkbox changes are handed back to
 * the caller, which applies them to the Selection (the single source of truth) and re-renders.
 */
export class FileTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly _onDidChangeTreeData = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this._onDidChangeTreeData.event;
  readonly view: vscode.TreeView<TreeNode>;
  private roots: readonly TreeNode[] = [];
  /** The nodes of the latest render, not built yet: a hidden view is never asked for its rows. */
  private pendingRoots: (() => readonly TreeNode[]) | undefined;
  private fileCount = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(onCheckboxes: (changes: ReadonlyArray<{ readonly node: TreeNode; readonly checked: boolean }>) => void) {
    this.view = vscode.window.createTreeView(viewIds.files, {
      treeDataProvider: this,
      manageCheckboxStateManually: true,
      canSelectMany: true,
      showCollapseAll: true,
    });
    this.disposables.push(
      this.view,
      this.view.onDidChangeCheckboxState((event) => {
        onCheckboxes(event.items.map(([node, state]) => ({ node, checked: state === vscode.TreeItemCheckboxState.Checked })));
      }),
      this.view.onDidChangeVisibility((event) => {
        if (event.visible && this.pendingRoots) this._onDidChangeTreeData.fire(undefined);
      }),
    );
  }

  /**
   * Shows the nodes `rootsOf` builds. They are built when the view asks for them: while the view is
   * hidden (most of the time) a render costs nothing here. Building the tree of 10,000 files took
   * ~100 ms of the extension host's thread, once per render while a folder was counted (issue 13).
   */
  render(
    rootsOf: () => readonly TreeNode[],
    summary: { readonly message: string | undefined; readonly badge: string | undefined; readonly sort: TreeSort },
  ): void {
    this.pendingRoots = rootsOf;
    this.view.message = summary.message;
    this.view.description = summary.badge;
    if (this.view.visible) this._onDidChangeTreeData.fire(undefined);
  }

  private currentRoots(): readonly TreeNode[] {
    if (this.pendingRoots) {
      this.roots = this.pendingRoots();
      this.pendingRoots = undefined;
      this.fileCount = this.roots.reduce((sum, node) => sum + node.fileUris.length, 0);
    }
    return this.roots;
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    // Expanding every folder of a 20k-file selection makes VS Code ask for every row on each refresh.
    const expand = node.kind === 'folder' && (this.fileCount <= expandAllUpToFiles || this.roots.includes(node));
    const item = new vscode.TreeItem(
      node.label,
      node.kind !== 'folder'
        ? vscode.TreeItemCollapsibleState.None
        : expand
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.contextValue;
    if (node.checkable) item.checkboxState = node.checked ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked;
    if (node.uri) {
      item.resourceUri = vscode.Uri.parse(node.uri);
      item.command = { command: commandIds.openEntry, title: vscode.l10n.t('Open File'), arguments: [node] };
      if (node.status === 'skipped') {
        item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      } else if (node.secret) item.iconPath = new vscode.ThemeIcon('key', new vscode.ThemeColor('problemsWarningIcon.foreground'));
      else if (node.focus) item.iconPath = new vscode.ThemeIcon('eye');
      else if (node.pinned) item.iconPath = new vscode.ThemeIcon('pinned');
      else if (node.mode === 'outline') item.iconPath = new vscode.ThemeIcon('list-tree');
    } else {
      item.iconPath = vscode.ThemeIcon.Folder;
    }
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    return [...(node ? node.children : this.currentRoots())];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    const find = (nodes: readonly TreeNode[], parent: TreeNode | undefined): TreeNode | undefined => {
      for (const candidate of nodes) {
        if (candidate.id === node.id) return parent;
        const found = find(candidate.children, candidate);
        if (found) return found;
      }
      return undefined;
    };
    return find(this.currentRoots(), undefined);
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
    this._onDidChangeTreeData.dispose();
  }
}
