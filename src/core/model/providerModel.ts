import type { ModelSpec } from './modelSpec';

/** What VS Code's language-model API says about a chat model (vscode.LanguageModelChat, minus methods). */
export interface ChatModelInfo {
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly family: string;
  readonly maxInputTokens: number;
}

/**
 * A chat model from a provider: its window is the provider's `maxInputTokens`, labelled as such.
 * Providers publish no architecture, so memory and compute use `architecture` (a catalog model the
 * user picked), and the display name says so; the count is always an estimate for a provider model.
 */
export function providerWindowModel(architecture: ModelSpec, chat: ChatModelInfo): ModelSpec {
  const window = Math.max(1, Math.floor(chat.maxInputTokens));
  return {
    ...architecture,
    id: `chat:${chat.id}`,
    displayName: `${chat.name} (window from ${chat.vendor}; memory and compute as ${architecture.displayName})`,
    origin: 'provider',
    maxPositionEmbeddings: window,
    pretrainedWindow: window,
    trainedWindow: undefined,
    ropeScaling: undefined,
    effectiveWindow: undefined,
    tokenizer: 'other',
    sources: [`${chat.vendor} language model provider via vscode.lm: ${chat.id} maxInputTokens ${window}`, ...architecture.sources],
  };
}
