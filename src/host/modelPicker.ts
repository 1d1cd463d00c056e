import * as vscode from 'vscode';
import { loadBundledCatalog } from '../core/model/catalog';
import { formatBytes, formatInteger } from '../core/units';
import { availableChatModels } from './chat';
import type { SettingsReader } from './settingsReader';

/** Quick picks for model, GPU and a config.json; they write the user's choice to settings. */
export class ModelPicker {
  constructor(private readonly settings: SettingsReader) {}

  async pickModel(): Promise<void> {
    const { models } = loadBundledCatalog();
    const current = this.settings.current;
    type Item = vscode.QuickPickItem & { readonly modelId?: string; readonly loadConfig?: boolean; readonly chatModelId?: string };
    const chatModels = await availableChatModels();
    const items: Item[] = [
      { label: '$(file-code) Load from config.json…', description: 'any Hugging Face model config', loadConfig: true },
      { label: 'Chat models (window from the provider)', kind: vscode.QuickPickItemKind.Separator },
      ...(chatModels.length === 0
        ? [{ label: '$(info) No chat models are available in this VS Code', description: 'install or sign in to a language-model provider to budget against its window' } as Item]
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
        detail: `${formatParams(model.paramsTotal)} params${model.paramsActive !== model.paramsTotal ? ` (${formatParams(model.paramsActive)} active)` : ''} · window ${formatInteger(model.maxPositionEmbeddings)} tokens · ${model.tokenizer === 'other' ? 'own tokenizer (counts are estimates)' : `${model.tokenizer} tokenizer (counts exact)`}`,
        modelId: model.id,
      })),
    ];
    const picked = await vscode.window.showQuickPick(items, { title: 'Context Budget: Select Model', placeHolder: 'Model the estimates are for', matchOnDescription: true, matchOnDetail: true });
    if (!picked) return;
    if (picked.loadConfig) return this.loadConfig(undefined);
    if (picked.chatModelId) return this.settings.update('chatModel', picked.chatModelId);
    if (picked.modelId) {
      await this.settings.update('model', picked.modelId);
      if (current.modelConfigPath) await this.settings.update('modelConfigPath', '');
      if (current.chatModel) await this.settings.update('chatModel', '');
    }
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
    const picked = await vscode.window.showQuickPick(items, { title: 'Context Budget: Select GPU', placeHolder: `GPU type (count: ${current.gpuCount}; change with contextBudget.gpuCount)`, matchOnDescription: true });
    if (picked) await this.settings.update('gpu', picked.gpuId);
  }

  async loadConfig(uri: vscode.Uri | undefined): Promise<void> {
    const target = uri ?? (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Model config': ['json'] }, openLabel: 'Use this config.json', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri }))?.[0];
    if (!target) return;
    await this.settings.update('modelConfigPath', target.scheme === 'file' ? target.fsPath : target.toString());
  }
}

function formatParams(params: number): string {
  return params >= 1e9 ? `${(params / 1e9).toFixed(params >= 1e11 ? 0 : 1)}B` : `${(params / 1e6).toFixed(0)}M`;
}
