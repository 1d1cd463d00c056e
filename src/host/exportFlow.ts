import * as vscode from 'vscode';
import { renderExport } from '../core/export/promptExport';
import type { ExportFile, ExportFormat } from '../core/export/promptExport';
import type { BudgetSession } from '../core/session/budgetSession';
import { readFileText } from '../core/scan/readFileText';
import { formatInteger } from '../core/units';
import type { VscodeWorkspaceFs } from './vscodeWorkspaceFs';

/** Arguments a keybinding or test may pass to skip the pickers. */
export interface ExportRequest {
  readonly format?: ExportFormat;
  readonly directoryTree?: boolean;
  /** What to do with files that look like secrets; without it the user is asked. */
  readonly secrets?: 'exclude' | 'include';
  /** Save target (Save Context as File); without it a save dialog asks. */
  readonly target?: string;
}

/** What an export produced, returned to callers (tests) and summarised to the user. */
export interface ExportResult {
  /** The prompt tokens the budget showed for this same export (framing included), or null when it budgeted something else. */
  readonly budgetedTokens: number | null;
  readonly text: string;
  readonly totalTokens: number;
  readonly contentTokens: number;
  readonly framingTokens: number;
  readonly files: readonly string[];
  readonly leftOut: readonly string[];
  /** The export opens with a directory tree. */
  readonly directoryTree: boolean;
  /** Which tokenizer counted it and whether that is exact for the model (the budget's own label). */
  readonly countLabel: string;
}

/**
 * Copy Context as Prompt / Save Context as File: the included files in prompt order (an applied
 * reorder included), framed as XML or Markdown, optionally with a directory tree. The whole text is
 * counted exactly before it leaves, and the framing is reported apart from the file content. Files
 * that look like secrets are never exported without the user saying so.
 */
export class ExportFlow {
  constructor(
    private readonly session: BudgetSession,
    private readonly fs: VscodeWorkspaceFs,
    private readonly countText: (text: string) => Promise<number>,
  ) {}

  async copy(request: ExportRequest = {}): Promise<ExportResult | undefined> {
    const result = await this.build(request, vscode.l10n.t('Copy Context as Prompt'));
    if (!result) return undefined;
    await vscode.env.clipboard.writeText(result.text);
    void vscode.window.showInformationMessage(vscode.l10n.t('Context Budget: copied {0}', this.summary(result)));
    return result;
  }

  async save(request: ExportRequest = {}): Promise<ExportResult | undefined> {
    const result = await this.build(request, vscode.l10n.t('Save Context as File'));
    if (!result) return undefined;
    const extension = (request.format ?? this.lastFormat) === 'markdown' ? 'md' : 'xml';
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = request.target
      ? vscode.Uri.parse(request.target)
      : await vscode.window.showSaveDialog({
          title: vscode.l10n.t('Context Budget: Save Context as File'),
          defaultUri: base ? vscode.Uri.joinPath(base, `prompt-context.${extension}`) : undefined,
          filters: extension === 'md' ? { Markdown: ['md'] } : { XML: ['xml'], Text: ['txt'] },
        });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(result.text));
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Context Budget: saved {0}: {1}', vscode.workspace.asRelativePath(target), this.summary(result)),
    );
    return result;
  }

  private lastFormat: ExportFormat = 'xml';

  private async build(request: ExportRequest, title: string): Promise<ExportResult | undefined> {
    await this.session.whenIdle();
    const report = this.session.report();
    const rows = report.files.filter((file) => file.range !== null).sort((a, b) => a.range!.start - b.range!.start);
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Context Budget: no counted files are checked in the prompt context, so there is nothing to export.'),
      );
      return undefined;
    }
    const budgeted = this.session.currentSettings;
    // The framing the budget counted is the export's default, so the number exported is the number shown.
    const choice = request.format
      ? { format: request.format, directoryTree: request.directoryTree ?? false }
      : budgeted.exportFraming !== 'none'
        ? { format: budgeted.exportFraming, directoryTree: budgeted.exportDirectoryTree }
        : await this.pickFormat(title);
    if (!choice) return undefined;
    this.lastFormat = choice.format;

    const flagged = rows.filter((row) => row.secrets.length > 0);
    let leftOut = new Set<string>();
    if (flagged.length > 0) {
      if (request.secrets) {
        if (request.secrets === 'exclude') leftOut = new Set(flagged.map((row) => row.uri));
      } else {
        const picked = await vscode.window.showQuickPick(
          flagged.map((row) => ({ label: row.relativePath, description: row.secrets.join('; '), uri: row.uri, picked: true })),
          {
            title: vscode.l10n.t('{0}: {1} file(s) look like secrets', title, flagged.length),
            placeHolder: vscode.l10n.t('Ticked files are left out of the export. Untick a file only if you are sure it holds no secret.'),
            canPickMany: true,
            ignoreFocusOut: true,
          },
        );
        if (!picked) return undefined;
        leftOut = new Set(picked.map((item) => item.uri));
      }
    }

    const files: ExportFile[] = [];
    let contentTokens = 0;
    const unreadable: string[] = [];
    for (const row of rows) {
      if (leftOut.has(row.uri)) continue;
      const text = await this.readText(row.uri);
      if (text === undefined) {
        unreadable.push(row.relativePath);
        continue;
      }
      files.push({ relativePath: row.relativePath, text });
      contentTokens += await this.countText(text);
    }
    if (unreadable.length > 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Context Budget: {0} file(s) could not be read and were left out: {1}',
          unreadable.length,
          `${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? '…' : ''}`,
        ),
      );
    }
    const rendered = renderExport(files, choice);
    const totalTokens = await this.countText(rendered.text);
    const sameAsBudget =
      report.framing !== null &&
      report.framing.format === choice.format &&
      report.framing.directoryTree === choice.directoryTree &&
      leftOut.size === 0 &&
      unreadable.length === 0;
    return {
      // The chat template's overhead is part of the request, not of the exported text.
      budgetedTokens: sameAsBudget ? report.promptTokens - report.templateOverheadTokens : null,
      text: rendered.text,
      totalTokens,
      contentTokens,
      framingTokens: totalTokens - contentTokens,
      files: files.map((file) => file.relativePath),
      leftOut: rows.filter((row) => leftOut.has(row.uri)).map((row) => row.relativePath),
      directoryTree: choice.directoryTree,
      countLabel: report.tokenizer.label,
    };
  }

  private async pickFormat(title: string): Promise<{ format: ExportFormat; directoryTree: boolean } | undefined> {
    const items = [
      { label: vscode.l10n.t('XML tags'), description: '<file path="…">…</file>', format: 'xml' as const, directoryTree: false },
      { label: vscode.l10n.t('XML tags with a directory tree'), format: 'xml' as const, directoryTree: true },
      {
        label: vscode.l10n.t('Markdown'),
        description: vscode.l10n.t('## path + fenced code'),
        format: 'markdown' as const,
        directoryTree: false,
      },
      { label: vscode.l10n.t('Markdown with a directory tree'), format: 'markdown' as const, directoryTree: true },
    ];
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('Context Budget: {0}', title),
      placeHolder: vscode.l10n.t('How should each file be framed?'),
    });
    return picked ? { format: picked.format, directoryTree: picked.directoryTree } : undefined;
  }

  /**
   * The text the budget counted: the outline for a file in outline mode, an unsaved buffer when the
   * file is open and dirty, else the file as decoded for counting.
   */
  private async readText(uri: string): Promise<string | undefined> {
    if (this.session.selection.get(uri)?.mode === 'outline') return this.session.exportText(uri);
    const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri);
    if (open?.isDirty) return open.getText();
    return readFileText(this.fs, uri, this.session.currentSettings.maxFileBytes);
  }

  private summary(result: ExportResult): string {
    const leftOut =
      result.leftOut.length > 0
        ? ` Left out ${result.leftOut.length} file(s) that look like secrets: ${result.leftOut.slice(0, 3).join(', ')}${result.leftOut.length > 3 ? '…' : ''}.`
        : '';
    const budget =
      result.budgetedTokens === null
        ? ''
        : result.budgetedTokens === result.totalTokens
          ? ' The same as the budget shows.'
          : ` The budget showed ${formatInteger(result.budgetedTokens)}: a file changed while exporting.`;
    const framing = result.directoryTree ? 'tags, paths, tree' : 'tags, paths';
    return `${result.files.length} file(s), ${formatInteger(result.totalTokens)} tokens (${result.countLabel}) = ${formatInteger(result.contentTokens)} file content + ${formatInteger(result.framingTokens)} framing (${framing}).${leftOut}${budget}`;
  }
}
