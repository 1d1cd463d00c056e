import * as path from 'node:path';
import * as vscode from 'vscode';
import { problemText, targetFor, withChatModel } from '../core/analysis/resolveTarget';
import type { ResolvedTarget } from '../core/analysis/resolveTarget';
import type { TreeNode } from '../core/presenters/fileTreeModel';
import { ContextCounter } from '../core/scan/contextCounter';
import { Selection } from '../core/selection/selection';
import { BudgetContextResolver } from '../core/session/budgetContext';
import { ServerWatch } from '../core/server/serverWatch';
import { BudgetSession, countingTokenizerId } from '../core/session/budgetSession';
import type { Settings } from '../core/settings';
import { formatBytes } from '../core/units';
import { countingCodeVersion, DiskCountStore, parseCacheOptions, parsingCodeVersion } from '../node/diskCountStore';
import { resolveCountingTokenizer, type ModelFileRef, type TokenizerSources } from '../core/tokenizer/countingTokenizer';
import type { TokenizerId } from '../core/tokenizer/tokenizerId';
import { isGgufPath } from '../core/model/workspaceModels';
import { settingName } from '../core/vocabulary';
import { tokenizerSources as makeTokenizerSources } from '../node/tokenizerSources';
import { SyntaxPool } from '../node/syntaxPool';
import { TokenizerPool } from '../node/tokenizerPool';
import type { TokenizerPoolStats } from '../node/tokenizerPool';
import { BudgetController } from './budgetController';
import { availableChatModels, registerChat } from './chat';
import { createCommandHandlers, registerCommands } from './commands';
import { commandIds } from './ids';
import { GitContext } from './gitContext';
import { ExplorerDecorations } from './explorerDecorations';
import { FileTree } from './fileTree';
import type { CommandFlows } from './lazyFeatures';
import { lazyLoader } from './lazyLoader';
import type { LazyFeatures } from './lazyLoader';
import { PanelShell } from './panel/panelShell';
import { SettingsReader } from './settingsReader';
import { StatusBar } from './statusBar';
import { VscodeWorkspaceFs } from './vscodeWorkspaceFs';

/** What tests reach through `extension.exports`: the live session and a way to wait for settled numbers. */
export interface ContextBudgetApi {
  readonly session: BudgetSession;
  settle(): Promise<void>;
  /** Resolves once the latest settings change has been resolved and installed in the session. */
  settleContext(): Promise<void>;
  /** Resolves once the live check of contextBudget.server in flight (if any) has delivered its result to the session. */
  settleServer(): Promise<void>;
  targetProblems(): readonly string[];
  isPanelOpen(): boolean;
  /** Milliseconds activate() took, synchronously (the bench reports it). */
  readonly activationMs: number;
  /** Milliseconds from the start of activate() to the end of the first render (status bar, tree, badges), once it happened. */
  firstRenderMs(): number | undefined;
  /** The pool's counters: tokenizations, and requests answered from the persistent count cache. */
  countStats(): TokenizerPoolStats;
  /** Writes the count cache's pending entries now (they are written 2 s after the last count anyway). */
  flushCountCache(): Promise<void>;
}

/**
 * What deactivate() must wait for: the tokenizer workers' end. VS Code awaits deactivate's promise
 * but not disposables, so this one reference outlives activate(); it is set once per activation.
 */
let shutdown: (() => Promise<void>) | undefined;

/** Composition root: builds the objects and wires them; no logic of its own. */
export function activate(context: vscode.ExtensionContext): ContextBudgetApi {
  const activationStarted = performance.now();
  // The panel, the command flows, the chat answer, the model-file, GGUF and server parsers: dist/extensionLazy.js, on first use.
  const lazy = lazyLoader(context.extensionPath);
  const log = vscode.window.createOutputChannel('Context Budget', { log: true });
  const settings = new SettingsReader((problem) => void vscode.window.showWarningMessage(vscode.l10n.t('Context Budget: {0}', problem)));
  const fs = new VscodeWorkspaceFs();
  const workerScript = path.join(context.extensionPath, 'dist', 'tokenizerWorker.js');
  const syntaxFiles = {
    workerScript: path.join(context.extensionPath, 'dist', 'syntaxWorker.js'),
    wasmDir: path.join(context.extensionPath, 'dist', 'tree-sitter'),
  };
  const countCache = createCountCache(context, settings.current, workerScript, syntaxFiles, log);
  const pool = new TokenizerPool({ workerScript, ...(countCache ? { store: countCache } : {}) });
  // Download Tokenizer's cache: the extension's global storage, keyed by repository and commit.
  const tokenizerCacheDir = path.join(context.globalStorageUri.fsPath, 'tokenizers');
  const tokenizerSources = makeTokenizerSources(pool, {
    cacheDir: tokenizerCacheDir,
    // A GGUF model's vocabulary: the GGUF reader is in the second bundle.
    readGgufMetadata: (filePath) => lazy().readGgufMetadataBytes(filePath),
  });
  const resolver = new BudgetContextResolver(
    (current) => resolveHostTarget(fs, current, tokenizerSources, lazy),
    { generation: 0, settings: settings.current, target: targetFor(settings.current) },
    (error) => log.error(`Resolving the model failed: ${(error as Error)?.stack ?? String(error)}`),
  );
  // Outlines and the import graph: parsed in their own worker, started on the first parse only.
  const syntax = new SyntaxPool(syntaxFiles);
  const selection = new Selection();
  const session = new BudgetSession({
    selection,
    counter: new ContextCounter(fs, pool, undefined, countCache),
    fs,
    context: resolver.current,
    log: (message) => log.warn(message),
    parse: (file, text, signal) => syntax.parse(file, text, signal),
    ...parseCacheOptions(countCache),
  });
  let resolving = resolver.update(settings.current);
  // The live server check: asynchronous, latest wins, and started after activation returns, so a slow
  // or absent server never holds up activation; nothing is sent while contextBudget.server is empty.
  const serverWatch = new ServerWatch(
    settingName('server'),
    // The checker and its response parsers are in the second bundle: loaded once a server is set.
    (url, name, signal) => lazy().checkServerAt(url, name, signal),
    (check) => {
      if (check?.status === 'failed') log.warn(check.message);
      session.setServerCheck(check);
    },
  );
  const serverStart = setTimeout(() => serverWatch.update(settings.current.server), 0);
  const retarget = (current: Settings): void => {
    resolving = resolver.update(current);
    serverWatch.update(current.server);
  };
  // The tree hands checkbox clicks to the controller once it exists (the tree is built first).
  let onCheckboxes: (changes: ReadonlyArray<{ readonly node: TreeNode; readonly checked: boolean }>) => void = () => undefined;
  const controller = new BudgetController(
    session,
    fs,
    new StatusBar(),
    new FileTree((changes) => onCheckboxes(changes)),
    context.workspaceState,
    log,
  );
  onCheckboxes = (changes) => controller.applyCheckboxes(changes);
  const decorations = new ExplorerDecorations();
  const renderDecorations = (): void =>
    decorations.render(session.report(), session.currentSettings.explorerBadges, session.progress !== null);
  // The controller's first render (just after activate() returns) draws them.
  controller.onDidRender(renderDecorations);
  const panel = new PanelShell(() =>
    lazy().createCostPanel({ extensionUri: context.extensionUri, session, settings, onDidRender: controller.onDidRender, log }),
  );
  const git = new GitContext(session, log);
  git.start();
  let flows: CommandFlows | undefined;
  const handlers = createCommandHandlers({
    controller,
    settings,
    flows: () =>
      (flows ??= lazy().createCommandFlows({
        session,
        controller,
        settings,
        fs,
        git,
        workspaceState: context.workspaceState,
        secrets: context.secrets,
        log,
        tokenizerCacheDir,
        tokenizerOffer: () => {
          const report = session.report();
          const offer = report.tokenizer.download;
          return offer
            ? {
                modelName: report.model.displayName,
                repo: offer.repo,
                download: () => vscode.commands.executeCommand(commandIds.downloadTokenizer),
              }
            : null;
        },
        countText: (text) => countExactly(pool, text, countingTokenizerId(session.context)),
        refresh: async () => {
          retarget(settings.current);
          await resolving;
          await session.whenIdle();
        },
      })),
    openPanel: () => panel.show(),
    clearCountCache: () => clearCountCache(countCache, pool),
    checkServer: () => {
      if (settings.current.server.trim() === '') {
        return vscode.window.showInformationMessage(
          vscode.l10n.t(
            'Context Budget: set {0} to the URL of a running llama-server, Ollama, vLLM or SGLang first.',
            settingName('server'),
          ),
        );
      }
      serverWatch.recheck();
      return undefined;
    },
  });
  shutdown = async () => {
    session.dispose();
    // Counts made since the last flush are kept for the next session.
    await countCache?.dispose();
    await Promise.all([pool.dispose(), syntax.dispose()]);
  };
  context.subscriptions.push(
    log,
    decorations,
    panel,
    settings,
    resolver,
    resolver.onDidChange((snapshot) => {
      for (const problem of snapshot.target.problems) log.warn(problemText(problem));
      session.setContext(snapshot);
    }),
    settings.onDidChange(retarget),
    ...(typeof vscode.lm?.onDidChangeChatModels === 'function' ? [vscode.lm.onDidChangeChatModels(() => retarget(settings.current))] : []),
    controller,
    registerCommands(handlers, log, controller.whenStarted()),
    ...registerChat(session, log, controller.whenStarted(), () => lazy().budgetAnswer),
    { dispose: () => clearTimeout(serverStart) },
    serverWatch,
    git,
    { dispose: () => session.dispose() },
    { dispose: () => void pool.dispose() },
    { dispose: () => void syntax.dispose() },
  );
  return {
    session,
    settle: () => controller.settle(),
    settleContext: async () => {
      await resolving;
    },
    settleServer: () => serverWatch.settled(),
    targetProblems: () => session.context.target.problems.map(problemText),
    isPanelOpen: () => panel.isOpen,
    activationMs: performance.now() - activationStarted,
    firstRenderMs: () => (controller.firstRenderAt === undefined ? undefined : controller.firstRenderAt - activationStarted),
    countStats: () => pool.stats(),
    flushCountCache: async () => countCache?.flush(),
  };
}

/**
 * The persistent count cache in the extension's global storage (`count-cache/`), or undefined when
 * `contextBudget.countCacheMaxMiB` is 0 or the storage is not on a local disk. Flushed 2 s after
 * the last count; its loaded shards are dropped a minute after the last lookup.
 */
function createCountCache(
  context: vscode.ExtensionContext,
  settings: Settings,
  workerScript: string,
  syntaxFiles: { readonly workerScript: string; readonly wasmDir: string },
  log: vscode.LogOutputChannel,
): DiskCountStore | undefined {
  if (settings.countCacheMaxMiB === 0 || context.globalStorageUri.scheme !== 'file') return undefined;
  const directory = path.join(context.globalStorageUri.fsPath, 'count-cache');
  return new DiskCountStore({
    directory,
    workspace: cacheWorkspaceKey(),
    maxBytes: settings.countCacheMaxMiB * 1024 * 1024,
    codeVersion: () => countingCodeVersion(workerScript, directory),
    parseCodeVersion: () => parsingCodeVersion(syntaxFiles.workerScript, syntaxFiles.wasmDir, directory),
    onProblem: (message) => log.warn(`Count cache: ${message}`),
    flushDelayMs: 2000,
    releaseAfterIdleMs: 60_000,
  });
}

/**
 * Which workspace the count cache's entries are kept under: the workspace file, else the first folder
 * (read once: a change of the first folder restarts the extension host,
 * https://code.visualstudio.com/api/references/vscode-api#workspace.updateWorkspaceFolders), else a
 * window with no folder. A local one is named by its path, as the CLI names its projects.
 */
function cacheWorkspaceKey(): string {
  const uri = vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  if (uri === undefined) return '(no folder open)';
  return uri.scheme === 'file' ? uri.fsPath : uri.toString();
}

/** Clear Count Cache: deletes the stored counts and this session's cached ones; the numbers shown stay (they are right). */
async function clearCountCache(countCache: DiskCountStore | undefined, pool: TokenizerPool): Promise<void> {
  pool.clearCache();
  if (!countCache) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Context Budget: the count cache is off (contextBudget.countCacheMaxMiB is 0); nothing was stored.'),
    );
    return;
  }
  const removed = await countCache.clear();
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Context Budget: cleared the count cache ({0} in {1} file(s), {2}). Files are tokenized again when next counted, and parsed again when next planned.',
      formatBytes(removed.bytes),
      removed.files,
      countCache.location,
    ),
  );
}

/** Ends the tokenizer workers and waits for them, so no worker outlives the extension host's shutdown. */
export async function deactivate(): Promise<void> {
  const end = shutdown;
  shutdown = undefined;
  await end?.();
}

/**
 * The model file (if any), the catalog, the chat model, and the tokenizer that counts for them,
 * resolved for these settings: one snapshot, so switching model switches the tokenizer.
 */
async function resolveHostTarget(
  fs: VscodeWorkspaceFs,
  settings: Settings,
  sources: TokenizerSources,
  lazy: () => LazyFeatures,
): Promise<ResolvedTarget> {
  // The config.json and GGUF parsers are in the second bundle: loaded only when a model file is set.
  const fromFile = settings.modelConfigPath ? await lazy().readModelFile(fs, settings.modelConfigPath) : undefined;
  const target = withChatModel(targetFor(settings, fromFile), settings.chatModel, await availableChatModels());
  // Tokenizer files are read from the local disk (a tokenizer.json beside a remote config.json is not).
  const modelPath = settings.modelConfigPath ? localPath(settings.modelConfigPath) : undefined;
  const modelFile: ModelFileRef | undefined =
    modelPath !== undefined && target.model.origin !== 'catalog'
      ? { kind: isGgufPath(modelPath) ? 'gguf' : 'config', path: modelPath }
      : undefined;
  const tokenizerPath =
    settings.tokenizerPath.trim() === '' ? '' : (localPath(settings.tokenizerPath.trim()) ?? settings.tokenizerPath.trim());
  const tokenizer = await resolveCountingTokenizer(
    { settings: { ...settings, tokenizerPath }, model: target.model, ...(modelFile ? { modelFile } : {}) },
    sources,
  );
  return { ...target, tokenizer };
}

/** A setting's path on the local disk: absolute, or relative to the first workspace folder; undefined for a non-file URI. */
function localPath(setting: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(setting)) {
    const uri = vscode.Uri.parse(setting);
    return uri.scheme === 'file' ? uri.fsPath : undefined;
  }
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (path.isAbsolute(setting) || !base) return setting;
  const joined = vscode.Uri.joinPath(base, setting);
  return joined.scheme === 'file' ? joined.fsPath : undefined;
}

async function countExactly(pool: TokenizerPool, text: string, tokenizer: TokenizerId): Promise<number> {
  const outcome = await pool.countText(text, tokenizer);
  if (outcome.kind !== 'counted') throw new Error(`the export could not be counted: ${outcome.reason}`);
  return outcome.tokens;
}
