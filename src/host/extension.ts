import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadModelFile, problemText, resolveTarget, withChatModel } from '../core/analysis/resolveTarget';
import type { ModelFileReader, ResolvedTarget } from '../core/analysis/resolveTarget';
import { maxModelConfigBytes } from '../core/model/workspaceModels';
import { ContextCounter } from '../core/scan/contextCounter';
import { Selection } from '../core/selection/selection';
import { BudgetContextResolver } from '../core/session/budgetContext';
import { BudgetSession } from '../core/session/budgetSession';
import type { Settings } from '../core/settings';
import { nodeModelFileReader } from '../node/modelFile';
import { SyntaxPool } from '../node/syntaxPool';
import { TokenizerPool } from '../node/tokenizerPool';
import { BudgetController } from './budgetController';
import { availableChatModels, registerChat } from './chat';
import { createCommandHandlers, registerCommands } from './commands';
import { ContextSetsFlow } from './contextSetsFlow';
import { GitContext } from './gitContext';
import { DropPlanFlow } from './dropPlanFlow';
import { ExplorerDecorations } from './explorerDecorations';
import { ExportFlow } from './exportFlow';
import { FileTree } from './fileTree';
import { ModelPicker } from './modelPicker';
import { CostPanel } from './panel/costPanel';
import { SettingsReader } from './settingsReader';
import { StatusBar } from './statusBar';
import { VscodeWorkspaceFs } from './vscodeWorkspaceFs';

/** What tests reach through `extension.exports`: the live session and a way to wait for settled numbers. */
export interface ContextBudgetApi {
  readonly session: BudgetSession;
  settle(): Promise<void>;
  /** Resolves once the latest settings change has been resolved and installed in the session. */
  settleContext(): Promise<void>;
  targetProblems(): readonly string[];
  isPanelOpen(): boolean;
  /** Milliseconds activate() took, synchronously (the bench reports it). */
  readonly activationMs: number;
}

/**
 * What deactivate() must wait for: the tokenizer workers' end. VS Code awaits deactivate's promise
 * but not disposables, so this one reference outlives activate(); it is set once per activation.
 */
let shutdown: (() => Promise<void>) | undefined;

/** Composition root: builds the objects and wires them; no logic of its own. */
export function activate(context: vscode.ExtensionContext): ContextBudgetApi {
  const activationStarted = performance.now();
  const log = vscode.window.createOutputChannel('Context Budget', { log: true });
  const settings = new SettingsReader((problem) => void vscode.window.showWarningMessage(vscode.l10n.t('Context Budget: {0}', problem)));
  const fs = new VscodeWorkspaceFs();
  const pool = new TokenizerPool({ workerScript: path.join(context.extensionPath, 'dist', 'tokenizerWorker.js') });
  const resolver = new BudgetContextResolver(
    (current) => resolveHostTarget(fs, current),
    { generation: 0, settings: settings.current, target: resolveTarget(settings.current) },
    (error) => log.error(`Resolving the model failed: ${(error as Error)?.stack ?? String(error)}`),
  );
  // Outlines and the import graph: parsed in their own worker, started on the first parse only.
  const syntax = new SyntaxPool({ workerScript: path.join(context.extensionPath, 'dist', 'syntaxWorker.js'), wasmDir: path.join(context.extensionPath, 'dist', 'tree-sitter') });
  const selection = new Selection();
  const session = new BudgetSession({
    selection,
    counter: new ContextCounter(fs, pool),
    fs,
    context: resolver.current,
    log: (message) => log.warn(message),
    parse: (file, text, signal) => syntax.parse(file, text, signal),
  });
  let resolving = resolver.update(settings.current);
  const retarget = (current: Settings): void => {
    resolving = resolver.update(current);
  };
  const controller = new BudgetController(session, fs, new StatusBar(), new FileTree((changes) => {
    for (const change of changes) selection.setIncluded(change.uris, change.checked);
  }), context.workspaceState, log);
  const decorations = new ExplorerDecorations();
  const renderDecorations = (): void => decorations.render(session.report(), session.currentSettings.explorerBadges);
  controller.onDidRender(renderDecorations);
  renderDecorations();
  const panel = new CostPanel({ extensionUri: context.extensionUri, session, settings, onDidRender: controller.onDidRender, log });
  const git = new GitContext(session, log);
  git.start();
  const handlers = createCommandHandlers({
    controller,
    settings,
    models: new ModelPicker(settings),
    drops: new DropPlanFlow(session),
    exports: new ExportFlow(session, fs, (text) => countExactly(pool, text, session.currentSettings.encoding)),
    sets: new ContextSetsFlow(session, controller, settings, fs, context.workspaceState, git, log),
    openPanel: () => panel.show(),
  });
  shutdown = async () => {
    session.dispose();
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
    registerCommands(handlers, log),
    ...registerChat(session, log),
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
    targetProblems: () => session.context.target.problems.map(problemText),
    isPanelOpen: () => panel.isOpen,
    activationMs: performance.now() - activationStarted,
  };
}

/** Ends the tokenizer workers and waits for them, so no worker outlives the extension host's shutdown. */
export async function deactivate(): Promise<void> {
  const end = shutdown;
  shutdown = undefined;
  await end?.();
}

/** The model file (if any), the catalog, and the chat model, resolved for these settings. */
async function resolveHostTarget(fs: VscodeWorkspaceFs, settings: Settings): Promise<ResolvedTarget> {
  const configFile = settings.modelConfigPath ? await loadModelFile(settings.modelConfigPath, hostModelFileReader(fs)) : undefined;
  return withChatModel(resolveTarget(settings, configFile), settings.chatModel, await availableChatModels());
}

/**
 * `modelConfigPath` as the extension reads it: a relative path is taken from the first workspace
 * folder; a config.json is read through workspace.fs (remote and virtual workspaces); a GGUF's header
 * is read with random access, which workspace.fs does not offer, so only from a local disk.
 */
function hostModelFileReader(fs: VscodeWorkspaceFs): ModelFileReader {
  const toUri = (configPath: string): vscode.Uri => {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    if (/^[a-z][a-z0-9+.-]+:\/\//i.test(configPath)) return vscode.Uri.parse(configPath);
    return path.isAbsolute(configPath) || !base ? vscode.Uri.file(configPath) : vscode.Uri.joinPath(base, configPath);
  };
  return {
    readConfigText: async (configPath) => {
      const uri = toUri(configPath);
      // A local file is read bounded and never blocks (a FIFO named config.json is refused).
      if (uri.scheme === 'file') return nodeModelFileReader.readConfigText(uri.fsPath);
      const stat = await fs.stat(uri.toString());
      if (stat.sizeBytes > maxModelConfigBytes) throw new Error(`${stat.sizeBytes.toLocaleString('en-US')} bytes is too large for a config.json (the limit is ${maxModelConfigBytes.toLocaleString('en-US')})`);
      return new TextDecoder().decode(await fs.readFile(uri.toString(), { maxBytes: maxModelConfigBytes }));
    },
    readGgufHeader: async (configPath) => {
      const uri = toUri(configPath);
      if (uri.scheme !== 'file') throw new Error(`a GGUF model must be a local file (only its header is read, from disk), and this one is at a ${uri.scheme}: URI; copy it to a local folder`);
      return nodeModelFileReader.readGgufHeader(uri.fsPath);
    },
  };
}

async function countExactly(pool: TokenizerPool, text: string, encoding: Settings['encoding']): Promise<number> {
  const outcome = await pool.countText(text, encoding);
  if (outcome.kind !== 'counted') throw new Error(`the export could not be counted: ${outcome.reason}`);
  return outcome.tokens;
}
