// The extension's second bundle, dist/extensionLazy.js (issue 13, target 4: activation <= 50 ms, bundle
// load included). What the first paint (status bar, tree, badges) never needs lives here: the panel,
// the command flows behind pickers and dialogs, the model-file and GGUF parsers, the server checker.
// extension.ts loads it on first use through lazyLoader.ts.
//
// The seam: esbuild copies every module both bundles import into both, so nothing here may hold state
// the first bundle also holds, nor be tested with `instanceof` across the seam. Everything stateful
// (session, controller, settings, pool, git, log) comes in as an argument, made by the first bundle.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadModelFile, modelFromFile } from '../core/analysis/resolveTarget';
import type { ModelFileReader, ModelFromFile } from '../core/analysis/resolveTarget';
import { budgetAnswer } from '../core/presenters/chatAnswer';
import type { ServerCheck } from '../core/server/serverCheck';
import { runServerCheck } from '../core/server/serverWatch';
import { maxModelConfigBytes } from '../core/model/workspaceModels';
import type { BudgetSession } from '../core/session/budgetSession';
import { readGgufMetadataBytes } from '../node/ggufFile';
import { nodeModelFileReader } from '../node/modelFile';
import { nodeServerHttp } from '../node/serverHttp';
import type { BudgetController } from './budgetController';
import { ContextSetsFlow } from './contextSetsFlow';
import { DropPlanFlow } from './dropPlanFlow';
import { ExportFlow } from './exportFlow';
import type { GitContext } from './gitContext';
import { ModelPicker } from './modelPicker';
import type { TokenizerOffer } from './modelPicker';
import { CostPanel } from './panel/costPanel';
import type { CostPanelDeps } from './panel/costPanel';
import type { SettingsReader } from './settingsReader';
import { TokenizerDownloadFlow } from './tokenizerDownloadFlow';
import type { VscodeWorkspaceFs } from './vscodeWorkspaceFs';

/** What the command flows are built from: the first bundle's live objects. */
export interface CommandFlowsDeps {
  readonly session: BudgetSession;
  readonly controller: BudgetController;
  readonly settings: SettingsReader;
  readonly fs: VscodeWorkspaceFs;
  readonly git: GitContext;
  readonly workspaceState: vscode.Memento;
  readonly secrets: vscode.SecretStorage;
  readonly log: vscode.LogOutputChannel;
  /** Download Tokenizer's cache folder (the extension's global storage). */
  readonly tokenizerCacheDir: string;
  /** The model picker's Download Tokenizer entry, when the current count is an estimate that one would make exact. */
  readonly tokenizerOffer: () => TokenizerOffer | null;
  /** Counts an export's whole text exactly, with the session's counting tokenizer. */
  readonly countText: (text: string) => Promise<number>;
  /** Resolves the model (and so the tokenizer) again and waits for the new context. */
  readonly refresh: () => Promise<void>;
}

/** The flows behind the commands that open pickers, dialogs or downloads; built once, on the first such command. */
export interface CommandFlows {
  readonly models: ModelPicker;
  readonly drops: DropPlanFlow;
  readonly exports: ExportFlow;
  readonly tokenizers: TokenizerDownloadFlow;
  readonly sets: ContextSetsFlow;
}

export function createCommandFlows(deps: CommandFlowsDeps): CommandFlows {
  const { session, settings, log } = deps;
  return {
    models: new ModelPicker(settings, deps.tokenizerOffer),
    drops: new DropPlanFlow(session),
    exports: new ExportFlow(session, deps.fs, deps.countText),
    tokenizers: new TokenizerDownloadFlow(session, settings, deps.secrets, deps.tokenizerCacheDir, deps.refresh, log),
    sets: new ContextSetsFlow(session, deps.controller, settings, deps.fs, deps.workspaceState, deps.git, log),
  };
}

/** The Context Budget panel; the first bundle registers its serializer and builds it on the first show or restore. */
export function createCostPanel(deps: CostPanelDeps): CostPanel {
  return new CostPanel(deps);
}

/** Reads and parses the model file of `contextBudget.modelConfigPath` (this bundle is loaded only when that setting is set). */
export async function readModelFile(fs: VscodeWorkspaceFs, configPath: string): Promise<ModelFromFile> {
  return modelFromFile(await loadModelFile(configPath, hostModelFileReader(fs)));
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
      if (stat.sizeBytes > maxModelConfigBytes) {
        throw new Error(
          `${stat.sizeBytes.toLocaleString('en-US')} bytes is too large for a config.json (the limit is ${maxModelConfigBytes.toLocaleString('en-US')})`,
        );
      }
      return new TextDecoder().decode(await fs.readFile(uri.toString(), { maxBytes: maxModelConfigBytes }));
    },
    readGgufHeader: async (configPath) => {
      const uri = toUri(configPath);
      if (uri.scheme !== 'file') {
        throw new Error(
          `a GGUF model must be a local file (only its header is read, from disk), and this one is at a ${uri.scheme}: URI; copy it to a local folder`,
        );
      }
      return nodeModelFileReader.readGgufHeader(uri.fsPath);
    },
  };
}

/** One live check of the server at `urlText` (contextBudget.server), over Node's http/https. */
export function checkServerAt(urlText: string, name: string, signal: AbortSignal): Promise<ServerCheck> {
  return runServerCheck(urlText, name, nodeServerHttp, signal);
}

export { budgetAnswer, readGgufMetadataBytes };
