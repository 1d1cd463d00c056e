import * as vscode from 'vscode';
import { loadBundledCatalog } from '../core/model/catalog';
import {
  compareWorkspaceModels,
  hfModelType,
  isGgufPath,
  maxModelConfigBytes,
  workspaceModelExclude,
  workspaceModelGlob,
  workspaceModelLabel,
  workspaceModelLimit,
} from '../core/model/workspaceModels';
import type { WorkspaceModelFile } from '../core/model/workspaceModels';
import { formatBytes, formatInteger } from '../core/units';
import { nodeModelFileReader } from '../node/modelFile';
import { availableChatModels } from './chat';
import type { SettingsReader } from './settingsReader';

type Item = vscode.QuickPickItem & {
  readonly modelId?: string;
  readonly loadConfig?: boolean;
  readonly chatModelId?: string;
  readonly configUri?: vscode.Uri;
  readonly downloadTokenizer?: boolean;
};

/** What the picker offers when the current count is an estimate whose tokenizer can be downloaded. */
export interface TokenizerOffer {
  readonly modelName: string;
  readonly repo: string;
  /** Runs Download Tokenizer (which asks before going to the network). */
  readonly download: () => Thenable<unknown>;
}

/**
 * Makes a catalog model the target: the one way the picker and the panel both choose one. A model
 * file or chat model chosen before would otherwise override it, so both are cleared.
 */
export async function selectCatalogModel(settings: SettingsReader, modelId: string): Promise<void> {
  const current = settings.current;
  await settings.update('model', modelId);
  if (current.modelConfigPath) await settings.update('modelConfigPath', '');
  if (current.chatModel) await settings.update('chatModel', '');
}

/** Quick picks for model, GPU and a model file (config.json or GGUF); they write the user's choice to settings. */
export class ModelPicker {
  constructor(
    private readonly settings: SettingsReader,
    private readonly tokenizerOffer: () => TokenizerOffer | null = () => null,
  ) {}

  async pickModel(): Promise<void> {
    const { models } = loadBundledCatalog();
    const current = this.settings.current;
    const chatModels = await availableChatModels();
    const offer = this.tokenizerOffer();
    const items: Item[] = [
      ...(offer
        ? [
            {
              label: `$(cloud-download) Download Tokenizer for ${offer.modelName}…`,
              description: `counts are estimates until then · from ${offer.repo}`,
              downloadTokenizer: true,
            } as Item,
          ]
        : []),
      {
        label: '$(file-code) Load from config.json or GGUF…',
        description: 'a Hugging Face model config, or a local .gguf (only its header is read)',
        loadConfig: true,
      },
      { label: 'Chat models (window from the provider)', kind: vscode.QuickPickItemKind.Separator },
      ...(chatModels.length === 0
        ? [
            {
              label: '$(info) No chat models are available in this VS Code',
              description: 'install or sign in to a language-model provider to budget against its window',
            } as Item,
          ]
        : chatModels.map((model): Item => ({
            label: `$(comment-discussion) ${model.name}`,
            description: `${model.vendor} · ${model.id}${model.id === current.chatModel ? ' · current' : ''}`,
            detail: `window ${formatInteger(model.maxInputTokens)} input tokens (from the provider); memory and compute use the architecture of ${models.find((entry) => entry.id === current.model)?.displayName ?? current.model}`,
            chatModelId: model.id,
          }))),
      { label: 'Catalog', kind: vscode.QuickPickItemKind.Separator },
      ...models.map((model): Item => ({
        label: model.displayName,
        description: `${model.id}${model.id === current.model && !current.modelConfigPath ? ' · current' : ''}`,
        detail: `${formatParams(model.paramsTotal)} params${model.paramsActive !== model.paramsTotal ? ` (${formatParams(model.paramsActive)} active)` : ''} · window ${formatInteger(model.maxPositionEmbeddings)} tokens · ${model.tokenizer === 'other' ? `own tokenizer (estimates until downloaded${model.huggingFaceRepo ? ` from ${model.huggingFaceRepo}` : ''})` : `${model.tokenizer} tokenizer (counts exact)`}`,
        modelId: model.id,
      })),
    ];
    const picked = await this.showWithWorkspaceModels(items, current.modelConfigPath);
    if (!picked) return;
    if (picked.downloadTokenizer && offer) {
      await offer.download();
      return;
    }
    if (picked.loadConfig) return this.loadConfig(undefined);
    if (picked.configUri) return this.loadConfig(picked.configUri);
    if (picked.chatModelId) return this.settings.update('chatModel', picked.chatModelId);
    if (picked.modelId) await selectCatalogModel(this.settings, picked.modelId);
  }

  async pickGpu(): Promise<void> {
    const { gpus } = loadBundledCatalog();
    const current = this.settings.current;
    const items = gpus.map((gpu) => ({
      label: gpu.name,
      description: `${gpu.id}${gpu.id === current.gpu ? ' · current' : ''}`,
      detail: `${formatBytes(gpu.memoryBytes)} · ${Math.round(gpu.bandwidthBytesPerSec / 1e9)} GB/s · ${Math.round(gpu.bf16FlopsPerSec / 1e12)} TFLOP/s bf16 dense`,
      gpuId: gpu.id,
    }));
    const picked = await vscode.window.showQuickPick(items, {
      title: 'Context Budget: Select GPU',
      placeHolder: `GPU type (count: ${current.gpuCount}; change with contextBudget.gpuCount)`,
      matchOnDescription: true,
    });
    if (picked) await this.settings.update('gpu', picked.gpuId);
  }

  async loadConfig(uri: vscode.Uri | undefined): Promise<void> {
    const target =
      uri ??
      (
        await vscode.window.showOpenDialog({
          canSelectMany: false,
          filters: { 'Model config or GGUF': ['json', 'gguf'] },
          openLabel: 'Use this model file',
          defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        })
      )?.[0];
    if (!target) return;
    await this.settings.update('modelConfigPath', target.scheme === 'file' ? target.fsPath : target.toString());
  }

  /**
   * Shows the model items at once and adds the workspace's model files in their own section when the
   * search finishes, so a large workspace never delays the picker.
   */
  private showWithWorkspaceModels(items: readonly Item[], currentConfig: string): Promise<Item | undefined> {
    const pick = vscode.window.createQuickPick<Item>();
    pick.title = 'Context Budget: Select Model';
    pick.placeholder = 'Model the estimates are for';
    pick.matchOnDescription = true;
    pick.matchOnDetail = true;
    pick.items = items;
    pick.busy = true;
    const search = new vscode.CancellationTokenSource();
    void findWorkspaceModels(search.token)
      .then(
        (found) => {
          if (found.length === 0 || search.token.isCancellationRequested) return;
          const section: Item[] = [
            { label: 'Model files in this workspace', kind: vscode.QuickPickItemKind.Separator },
            ...found.map(({ file, uri }): Item => {
              const { label, description } = workspaceModelLabel(file);
              const path = uri.scheme === 'file' ? uri.fsPath : uri.toString();
              return {
                label: `$(${file.kind === 'gguf' ? 'file-binary' : 'file-code'}) ${label}`,
                description: `${description}${path === currentConfig ? ' · current' : ''}`,
                configUri: uri,
              };
            }),
          ];
          // Keep the user's place: replacing the items would otherwise move the highlight.
          const active = pick.activeItems;
          const head = items.findIndex((item) => item.loadConfig) + 1;
          pick.items = [...items.slice(0, head), ...section, ...items.slice(head)];
          pick.activeItems = active;
        },
        () => undefined,
      )
      .finally(() => {
        pick.busy = false;
      });
    return new Promise<Item | undefined>((resolve) => {
      pick.onDidAccept(() => {
        resolve(pick.selectedItems[0]);
        pick.hide();
      });
      pick.onDidHide(() => {
        resolve(undefined);
        search.cancel();
        search.dispose();
        pick.dispose();
      });
      pick.show();
    });
  }
}

/** config.json files naming a model_type and GGUF files, found with findFiles (bounded, node_modules excluded). */
async function findWorkspaceModels(token: vscode.CancellationToken): Promise<{ file: WorkspaceModelFile; uri: vscode.Uri }[]> {
  const uris = await vscode.workspace.findFiles(workspaceModelGlob, workspaceModelExclude, workspaceModelLimit, token);
  const found = await Promise.all(
    uris.map(async (uri): Promise<{ file: WorkspaceModelFile; uri: vscode.Uri } | undefined> => {
      try {
        const relativePath = vscode.workspace.asRelativePath(uri, true);
        const stat = await vscode.workspace.fs.stat(uri);
        // A GGUF's header is read from the local disk, so one in a virtual workspace cannot be used.
        if (isGgufPath(uri.path)) {
          return uri.scheme === 'file' ? { file: { kind: 'gguf', relativePath, sizeBytes: stat.size }, uri } : undefined;
        }
        if (stat.size > maxModelConfigBytes) return undefined;
        // A local file is read bounded and never blocks: a FIFO named config.json would hang workspace.fs.
        const text =
          uri.scheme === 'file'
            ? await nodeModelFileReader.readConfigText(uri.fsPath)
            : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
        const modelType = hfModelType(JSON.parse(text));
        return modelType === undefined ? undefined : { file: { kind: 'hf-config', relativePath, modelType }, uri };
      } catch {
        // Unreadable or not JSON: not a model config.
        return undefined;
      }
    }),
  );
  // The glob lists *.gguf and *.GGUF; on a case-insensitive file system both find the same file.
  const unique = new Map(found.filter((entry) => entry !== undefined).map((entry) => [entry.uri.toString(), entry]));
  return [...unique.values()].sort((a, b) => compareWorkspaceModels(a.file, b.file));
}

function formatParams(params: number): string {
  return params >= 1e9 ? `${(params / 1e9).toFixed(params >= 1e11 ? 0 : 1)}B` : `${(params / 1e6).toFixed(0)}M`;
}
