import * as vscode from 'vscode';
import { isRecentlyChanged, recentChangeDays } from '../core/relevance/relevance';
import type { BudgetSession } from '../core/session/budgetSession';
import { gitChangedFiles, gitLastChangeTimes } from '../node/gitSignals';

/**
 * The part of VS Code's git extension API this extension uses, declared here from
 * microsoft/vscode@a6612dec6fa87c91a989e31a1778eec5378f8c75:extensions/git/src/api/git.d.ts
 * (only what is read; `getAPI(1)` is the stable version). Optional members are absent in older builds.
 */
interface GitChange {
  readonly uri: vscode.Uri;
  /** git.d.ts `Status`: 2 = INDEX_DELETED and 6 = DELETED are the same in every version of the enum. */
  readonly status: number;
}
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: {
    readonly HEAD: { readonly commit?: string } | undefined;
    readonly indexChanges: readonly GitChange[];
    readonly workingTreeChanges: readonly GitChange[];
    /** Untracked files, when `git.untrackedChanges` is `separate` (else they are in workingTreeChanges). */
    readonly untrackedChanges?: readonly GitChange[];
    readonly onDidChange: vscode.Event<void>;
  };
  getMergeBase(ref1: string, ref2: string): Promise<string | undefined>;
  diffWith(ref: string): Promise<GitChange[]>;
  getRefs?(query: { readonly sort?: 'committerdate' }): Promise<ReadonlyArray<{ readonly name?: string; readonly type: number }>>;
}
interface GitApi {
  readonly state?: 'uninitialized' | 'initialized';
  readonly onDidChangeState?: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: readonly GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  readonly onDidCloseRepository: vscode.Event<GitRepository>;
}
interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

const deletedStatuses = new Set([2, 6]);
/** git.d.ts `Status.UNTRACKED`, also the same in every version. */
const untrackedStatus = 7;

/** Which changes Add Changed Files takes. */
export type ChangeScope =
  | { readonly kind: 'workingTree' }
  | { readonly kind: 'staged' }
  | { readonly kind: 'all' }
  | { readonly kind: 'since'; readonly ref: string };

/** Recency is read again at most this often (a `git log` over the last weeks). */
const recencyRefreshMs = 60_000;

/**
 * Git facts for relevance and Add Changed Files, from VS Code's git extension: the changed files of
 * every open repository are relevance anchors (kept current as the repository state changes), and
 * files with a commit in the last {@link recentChangeDays} days are "recent". Recency comes from `git
 * log` (src/node/gitSignals.ts) on local repositories, because the API gives no per-file history in
 * one call. Where the git extension is missing or disabled, local workspace folders are asked with
 * the `git` command instead; elsewhere there are simply no git facts.
 */
export class GitContext implements vscode.Disposable {
  private api: GitApi | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly watched = new Set<GitRepository>();
  private recencyAt = 0;
  private recencyHeads = '';
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly session: BudgetSession,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Connects to the git extension in the background (never on activation's critical path). */
  start(): void {
    void this.connect().catch((error: unknown) => this.log.warn(`Git: ${(error as Error).message}; relevance has no git anchors`));
  }

  /** Files changed in the scope, across repositories (deleted files left out: they cannot be in a prompt). */
  async changedFiles(scope: ChangeScope): Promise<vscode.Uri[]> {
    const api = await this.connect();
    if (!api || api.repositories.length === 0) return this.changedFilesFromCommand(scope);
    const uris = new Map<string, vscode.Uri>();
    for (const repository of api.repositories) {
      let changes: readonly GitChange[];
      if (scope.kind === 'since') {
        const base = await repository.getMergeBase(scope.ref, 'HEAD').catch(() => undefined);
        if (!base) {
          throw new Error(
            `cannot compare ${repository.rootUri.fsPath} with "${scope.ref}": no such branch or commit, or no common history`,
          );
        }
        // diffWith compares the working tree with the base: committed since the base and uncommitted alike,
        // but not untracked files, which are in untrackedChanges or (git.untrackedChanges "mixed", the
        // default) among the working-tree changes with status UNTRACKED.
        const untracked = [
          ...(repository.state.untrackedChanges ?? []),
          ...repository.state.workingTreeChanges.filter((change) => change.status === untrackedStatus),
        ];
        changes = [...(await repository.diffWith(base)), ...untracked];
      } else {
        const { indexChanges, workingTreeChanges, untrackedChanges = [] } = repository.state;
        changes =
          scope.kind === 'staged'
            ? indexChanges
            : scope.kind === 'workingTree'
              ? [...workingTreeChanges, ...untrackedChanges]
              : [...indexChanges, ...workingTreeChanges, ...untrackedChanges];
      }
      for (const change of changes) if (!deletedStatuses.has(change.status)) uris.set(change.uri.toString(), change.uri);
    }
    return [...uris.values()];
  }

  /** Branch and tag names, most recent first, for the "against a branch or commit" picker. */
  async refNames(): Promise<string[]> {
    const api = await this.connect();
    const names = new Set<string>();
    for (const repository of api?.repositories ?? []) {
      const refs = (await repository.getRefs?.({ sort: 'committerdate' }).catch(() => [])) ?? [];
      for (const ref of refs) if (ref.name) names.add(ref.name);
    }
    return [...names];
  }

  dispose(): void {
    this.disposed = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private connecting: Promise<GitApi | undefined> | undefined;

  private connect(): Promise<GitApi | undefined> {
    this.connecting ??= (async () => {
      const extension = vscode.extensions.getExtension<GitExtension>('vscode.git');
      if (!extension) return undefined;
      const exports = extension.isActive ? extension.exports : await extension.activate();
      if (!exports?.enabled) return undefined;
      const api = exports.getAPI(1);
      if (api.state === 'uninitialized' && api.onDidChangeState) {
        await new Promise<void>((resolve) => {
          const listener = api.onDidChangeState!((state) => {
            if (state === 'initialized') {
              listener.dispose();
              resolve();
            }
          });
        });
      }
      this.api = api;
      for (const repository of api.repositories) this.watch(repository);
      this.disposables.push(
        api.onDidOpenRepository((repository) => this.watch(repository)),
        api.onDidCloseRepository((repository) => {
          this.watched.delete(repository);
          this.scheduleRefresh();
        }),
      );
      this.scheduleRefresh();
      return api;
    })();
    return this.connecting;
  }

  private watch(repository: GitRepository): void {
    if (this.watched.has(repository)) return;
    this.watched.add(repository);
    this.disposables.push(repository.state.onDidChange(() => this.scheduleRefresh()));
    this.scheduleRefresh();
  }

  /** Repository states change in bursts (a save, a checkout): refresh once they settle. */
  private scheduleRefresh(): void {
    if (this.refreshTimer || this.disposed) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh().catch((error: unknown) => this.log.warn(`Git: ${(error as Error).message}`));
    }, 300);
  }

  private async refresh(): Promise<void> {
    const repositories = [...this.watched];
    this.session.setChangedFiles((await this.changedFiles({ kind: 'all' }).catch(() => [])).map((uri) => uri.toString()));
    // Recency needs `git log`: only when a commit moved or a minute has passed, and only on local disks.
    const heads = repositories
      .map((repository) => `${repository.rootUri.toString()}@${repository.state.HEAD?.commit ?? ''}`)
      .sort()
      .join('|');
    if (heads === this.recencyHeads && Date.now() - this.recencyAt < recencyRefreshMs) return;
    this.recencyHeads = heads;
    this.recencyAt = Date.now();
    const recent: string[] = [];
    const now = Date.now() / 1000;
    for (const repository of repositories) {
      if (repository.rootUri.scheme !== 'file') continue;
      const times = await gitLastChangeTimes(repository.rootUri.fsPath, recentChangeDays).catch(() => new Map<string, number>());
      for (const [path, seconds] of times) {
        if (isRecentlyChanged(seconds, now)) recent.push(vscode.Uri.joinPath(repository.rootUri, ...path.split('/')).toString());
      }
    }
    if (!this.disposed) this.session.setRecentlyCommitted(recent);
  }

  /** Without the git extension: ask `git` in each local workspace folder. */
  private async changedFilesFromCommand(scope: ChangeScope): Promise<vscode.Uri[]> {
    if (scope.kind === 'staged') throw new Error("staged changes need VS Code's git extension, which is not available here");
    const uris = new Map<string, vscode.Uri>();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const changes = await gitChangedFiles(folder.uri.fsPath, scope.kind === 'since' ? scope.ref : undefined);
      for (const path of changes.paths) {
        const uri = vscode.Uri.joinPath(vscode.Uri.file(changes.root), ...path.split('/'));
        uris.set(uri.toString(), uri);
      }
    }
    return [...uris.values()];
  }
}
