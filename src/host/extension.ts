import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildBudgetReport } from '../core/analysis/buildReport';
import { resolveTarget } from '../core/analysis/resolveTarget';
import type { ConfigFile, ResolvedTarget } from '../core/analysis/resolveTarget';
import { isGgufPath } from '../core/model/workspaceModels';
import { ContextCounter } from '../core/scan/contextCounter';
import { Selection } from '../core/selection/selection';
import { BudgetSession } from '../core/session/budgetSession';
import type { Settings } from '../core/settings';
import { readGgufFile } from '../node/ggufFile';
import { TokenizerPool } from '../node/tokenizerPool';
import { BudgetController } from './budgetController';
import { createCommandHandlers, registerCommands } from './commands';
import { DropPlanFlow } from './dropPlanFlow';
import { ExplorerDecorations } from './explorerDecorations';
import { ExportFlow } from './exportFlow';
import { availableChatModels, registerChat } from './chat';
import { providerWindowModel } from '../core/model/providerModel';
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
  targetProblems(): readonly string[];
  isPanelOpen(): boolean;
  /** Milliseconds activate() took, synchronously (the bench reports it). */
  readonly activationMs: number;
}

/** Composition root: builds the objects and wires them; no logic of its own. */
export function activate(context: vscode.ExtensionContext): ContextBudgetApi {
  const activationStarted = performance.now();
  const output = vscode.window.createOutputChannel('Context Budget');
  const settings = new SettingsReader((problem) => void vscode.window.showWarningMessage(vscode.l10n.t('Context Budget: {0}', problem)));
  const fs = new VscodeWorkspaceFs();
  const pool = new TokenizerPool({ workerScript: path.join(context.extensionPath, 'dist', 'tokenizerWorker.js') });
  let target: ResolvedTarget = resolveTarget(settings.current);
  const selection = new Selection();
  const session = new BudgetSession(selection, new ContextCounter(fs, pool), fs, (files, current, extras) => buildBudgetReport(files, current, target, extras), settings.current);
  const controller = new BudgetController(session, fs, new StatusBar(), new FileTree((changes) => {
    for (const change of changes) selection.setIncluded(change.uris, change.checked);
  }), context.workspaceState, output);

  const retarget = async (current: Settings): Promise<void> => {
    target = withChatModel(resolveTarget(current, await readModelConfig(fs, current.modelConfigPath)), current.chatModel, await availableChatModels());
    for (const problem of target.problems) output.appendLine(problem);
    session.updateSettings(current);
  };
  void retarget(settings.current);

  const decorations = new ExplorerDecorations();
  const renderDecorations = (): void => decorations.render(session.report(), session.currentSettings.explorerBadges);
  controller.onDidRender(renderDecorations);
  renderDecorations();
  const panel = new CostPanel({
    extensionUri: context.extensionUri,
    session,
    settings,
    target: () => target,
    // The directory tree only shrinks when files are dropped, so today's tree count keeps the figures after a drop an upper bound.
    evaluate: (files) => buildBudgetReport(files, session.currentSettings, target, { treeTokens: session.report().framing?.treeTokens ?? null }),
    onDidRender: controller.onDidRender,
    output,
  });
  const handlers = createCommandHandlers({ controller, settings, models: new ModelPicker(settings), drops: new DropPlanFlow(session), exports: new ExportFlow(session, fs, (text) => countExactly(pool, text, session.currentSettings.encoding)), openPanel: () => panel.show() });
  context.subscriptions.push(
    output,
    decorations,
    panel,
    settings,
    settings.onDidChange((current) => void retarget(current)),
    ...(typeof vscode.lm?.onDidChangeChatModels === 'function' ? [vscode.lm.onDidChangeChatModels(() => void retarget(settings.current))] : []),
    controller,
    registerCommands(handlers),
    ...registerChat(session, output),
    { dispose: () => session.dispose() },
    { dispose: () => void pool.dispose() },
  );
  return { session, settle: () => controller.settle(), targetProblems: () => target.problems, isPanelOpen: () => panel.isOpen, activationMs: performance.now() - activationStarted };
}

export function deactivate(): void {}

/** Applies `contextBudget.chatModel`: the provider's window on the chosen architecture, or a problem saying it is unavailable. */
function withChatModel(target: ResolvedTarget, chatModelId: string, available: readonly vscode.LanguageModelChat[]): ResolvedTarget {
  if (!chatModelId) return target;
  const chat = available.find((model) => model.id === chatModelId);
  if (!chat) {
    const why = available.length === 0 ? 'no chat models are available in this VS Code' : `it is not among the ${available.length} chat model(s) available`;
    return { ...target, problems: [...target.problems, `Chat model "${chatModelId}" is not available (${why}). Using ${target.model.displayName}'s own window instead.`] };
  }
  return { ...target, model: providerWindowModel(target.model, { id: chat.id, name: chat.name, vendor: chat.vendor, family: chat.family, maxInputTokens: chat.maxInputTokens }) };
}

async function countExactly(pool: TokenizerPool, text: string, encoding: Settings['encoding']): Promise<number> {
  const outcome = await pool.countText(text, encoding);
  if (outcome.kind !== 'counted') throw new Error(`the export could not be counted: ${outcome.reason}`);
  return outcome.tokens;
}

/** Reads `modelConfigPath` (a config.json through workspace.fs, a GGUF's header from disk); a relative path is taken from the first workspace folder. */
async function readModelConfig(fs: VscodeWorkspaceFs, configPath: string): Promise<ConfigFile | undefined> {
  if (!configPath) return undefined;
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri = /^[a-z][a-z0-9+.-]+:\/\//i.test(configPath) ? vscode.Uri.parse(configPath) : path.isAbsolute(configPath) || !base ? vscode.Uri.file(configPath) : vscode.Uri.joinPath(base, configPath);
  try {
    if (isGgufPath(uri.path)) {
      // Only a GGUF's header is read, with random access that workspace.fs does not offer: local files only.
      if (uri.scheme !== 'file') return { path: configPath, error: `a GGUF model must be a local file (only its header is read, from disk), and this one is at a ${uri.scheme}: URI; copy it to a local folder` };
      return { path: configPath, gguf: await readGgufFile(uri.fsPath) };
    }
    return { path: configPath, text: new TextDecoder().decode(await fs.readFile(uri.toString())) };
  } catch (error) {
    return { path: configPath, error: (error as Error).message };
  }
}
