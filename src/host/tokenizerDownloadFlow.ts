import * as vscode from 'vscode';
import { formatBytes } from '../core/units';
import type { BudgetSession } from '../core/session/budgetSession';
import { downloadTokenizer, type DownloadOutcome } from '../node/huggingFaceHub';
import type { SettingsReader } from './settingsReader';

/** SecretStorage key of the Hugging Face access token (gated repositories such as Llama and Gemma). */
export const huggingFaceTokenSecret = 'contextBudget.huggingFaceToken';

/**
 * Download Tokenizer and its access token: opt-in, one repository at a time. Asks before going to
 * the network, shows progress with Cancel, and says what happened; the estimate stays until a
 * download succeeds. The files go to the extension's global storage, keyed by repository and commit.
 */
export class TokenizerDownloadFlow {
  constructor(
    private readonly session: BudgetSession,
    private readonly settings: SettingsReader,
    private readonly secrets: vscode.SecretStorage,
    private readonly cacheDir: string,
    /** Resolves the model (and so the tokenizer) again and waits for the new context. */
    private readonly refresh: () => Promise<void>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Downloads the current catalog model's tokenizer, after asking. */
  async download(): Promise<void> {
    const report = this.session.report();
    const offer = report.tokenizer.download;
    if (offer === null) {
      const why = report.tokenizer.exactForModel
        ? vscode.l10n.t('Context Budget: counts for {0} are already exact ({1}).', report.model.displayName, report.tokenizer.label)
        : vscode.l10n.t(
            'Context Budget: {0} has no Hugging Face repository to download a tokenizer from. Set contextBudget.tokenizerPath to its tokenizer.json instead.',
            report.model.displayName,
          );
      void vscode.window.showInformationMessage(why);
      return;
    }
    const endpoint = this.settings.current.huggingFaceEndpoint;
    const download = vscode.l10n.t('Download');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Download the tokenizer of {0} (tokenizer.json and tokenizer_config.json) from {1}/{2}? Counts become exact for this model. Nothing else is sent.',
        report.model.displayName,
        endpoint,
        offer.repo,
      ),
      download,
    );
    if (choice !== download) return;
    const token = await this.secrets.get(huggingFaceTokenSecret);
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Context Budget: downloading the tokenizer of {0}', offer.repo),
        cancellable: true,
      },
      async (progress, cancellation): Promise<DownloadOutcome> => {
        const controller = new AbortController();
        const cancel = cancellation.onCancellationRequested(() => controller.abort());
        let reported = 0;
        try {
          return await downloadTokenizer({
            endpoint,
            repo: offer.repo,
            ...(token ? { token } : {}),
            cacheDir: this.cacheDir,
            signal: controller.signal,
            onProgress: ({ file, receivedBytes, totalBytes }) => {
              const increment = totalBytes ? ((receivedBytes - reported) / totalBytes) * 100 : undefined;
              reported = receivedBytes;
              progress.report({
                message: `${file}: ${formatBytes(receivedBytes)}${totalBytes ? ` of ${formatBytes(totalBytes)}` : ''}`,
                ...(increment !== undefined ? { increment } : {}),
              });
            },
          });
        } finally {
          cancel.dispose();
        }
      },
    );
    if (outcome.kind === 'failed') {
      this.log.warn(`Download Tokenizer ${offer.repo}: ${outcome.message}`);
      const setToken = vscode.l10n.t('Set Token');
      const needsToken = outcome.reason === 'unauthorized' || outcome.reason === 'forbidden';
      const message = vscode.l10n.t('Context Budget: the tokenizer was not downloaded: {0}. Counts stay estimates.', outcome.message);
      const picked =
        outcome.reason === 'cancelled'
          ? await vscode.window.showInformationMessage(message)
          : await vscode.window.showWarningMessage(message, ...(needsToken ? [setToken] : []));
      if (picked === setToken) await this.setToken();
      return;
    }
    this.log.info(
      `Downloaded the tokenizer of ${offer.repo} at ${outcome.cached.commit} into ${outcome.cached.dir} (tokenizer.json sha256 ${outcome.cached.files['tokenizer.json']?.sha256}).`,
    );
    await this.refresh();
    const after = this.session.report().tokenizer;
    if (after.exactForModel) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: counts are now exact: {0}.', after.label));
    } else {
      const problem = this.session.report().warnings.find((warning) => warning.id === 'tokenizer-problem');
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Context Budget: the tokenizer of {0} was downloaded but cannot be used: {1}',
          offer.repo,
          problem?.message ?? after.label,
        ),
      );
    }
  }

  /** Asks for an access token and keeps it in SecretStorage (never in settings). */
  async setToken(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Context Budget: Hugging Face access token'),
      prompt: vscode.l10n.t(
        "A read token from huggingface.co/settings/tokens, for gated repositories (Llama, Gemma). Kept in VS Code's secret storage; sent only to {0}.",
        this.settings.current.huggingFaceEndpoint,
      ),
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (/^\S+$/.test(text.trim()) ? undefined : vscode.l10n.t('A token has no spaces.')),
    });
    if (value === undefined) return;
    await this.secrets.store(huggingFaceTokenSecret, value.trim());
    void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: Hugging Face token saved.'));
  }

  async clearToken(): Promise<void> {
    await this.secrets.delete(huggingFaceTokenSecret);
    void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: Hugging Face token removed.'));
  }
}
