import type { BudgetReport } from '../analysis/budgetTypes';
import type { CountingProgress } from '../session/budgetSession';
import { formatBytes, formatFlops, formatInteger, formatPercent, formatSeconds, formatTokens } from '../units';
import { engineSummary, fixShortText, handlingShortText, maxContextText, serverStatusText, serverSummary } from './engineText';
import { commandLink, escapeMarkdown } from './markdown';

export type StatusSeverity = 'normal' | 'warning' | 'error';

/** What the status bar item shows; the host only assigns these. */
export interface StatusBarModel {
  readonly text: string;
  /** Accessible label read by screen readers instead of the icon syntax. */
  readonly accessibilityLabel: string;
  readonly tooltipMarkdown: string;
  readonly severity: StatusSeverity;
  readonly command: string;
  /** Commands the tooltip links to: the only ones the MarkdownString trusts. */
  readonly enabledCommands: readonly string[];
}

export interface StatusBarCommands {
  readonly openPanel: string;
  readonly selectModel: string;
  readonly selectGpu: string;
  readonly suggestDrops: string;
  readonly cancelCounting: string;
  readonly addOpenEditors: string;
  /** Re-reads the server of contextBudget.server (linked from the hover when one is set). */
  readonly checkServer?: string;
  readonly downloadTokenizer: string;
}

const topFileCount = 5;

/**
 * Short text per VS Code's status-bar guidelines (`$(symbol-ruler) 48.2k tok · 37% · KV 6.1 GiB`),
 * a warning/error background only for degraded/beyond risk, not fitting, or over budget,
 * and a tooltip with every number labelled with its unit and whether it is exact or estimated.
 */
export function toStatusBarModel(report: BudgetReport, progress: CountingProgress | null, commands: StatusBarCommands): StatusBarModel {
  const enabledCommands = [
    commands.openPanel,
    commands.selectModel,
    commands.selectGpu,
    commands.suggestDrops,
    commands.cancelCounting,
    commands.addOpenEditors,
    commands.downloadTokenizer,
    ...(commands.checkServer ? [commands.checkServer] : []),
  ];
  if (report.files.length === 0) {
    return {
      text: '$(symbol-ruler) no context',
      accessibilityLabel: 'Context Budget: no files in the prompt context',
      tooltipMarkdown: `**Context Budget** · no files in the prompt context yet.\n\n${commandLink('Add Open Editors', commands.addOpenEditors)} · ${commandLink('Select Model', commands.selectModel)} · ${commandLink('Open Panel', commands.openPanel)}`,
      severity: 'normal',
      command: commands.openPanel,
      enabledCommands,
    };
  }
  const counting = progress !== null;
  const severity = severityOf(report);
  // The icon carries the state too: high-contrast themes draw the warning and error backgrounds
  // transparent, so the background alone would tell the user nothing there.
  const icon = counting ? '$(loading~spin)' : severity === 'error' ? '$(error)' : severity === 'warning' ? '$(warning)' : '$(symbol-ruler)';
  const tokens = formatTokens(report.promptTokens);
  const windowPart = formatPercent(report.windowShare);
  const kvPart = `KV ${formatBytes(report.cost.kvCacheBytes)}`;
  const progressPart = counting ? ` (${progress.done}/${progress.total})` : '';
  // The server's real limit, and what the engine does with a prompt past it, belong in the one-line summary.
  const serverPart = report.server ? ` · $(server) ${serverStatusText(report.server)}` : '';
  const handling = report.engineHandling;
  const handlingPart = handling
    ? ` · ${handling.handling.kind === 'front-dropped' ? `$(warning) front cut ${formatTokens(handling.handling.dropEnd - handling.handling.dropStart)}` : '$(error) rejected'}`
    : '';
  const text = `${icon} ${tokens} tok${progressPart} · ${windowPart} · ${kvPart}${serverPart}${handlingPart}`;
  const accessibilityLabel = `Context Budget: ${formatInteger(report.promptTokens)} prompt tokens${counting ? `, counting ${progress.done} of ${progress.total} files` : ''}, ${windowPart} of ${report.windowLimit.source === 'model' ? 'the model window' : report.windowLimit.label}, KV cache ${formatBytes(report.cost.kvCacheBytes)}, risk ${report.risk.level}${report.cost.fits ? '' : ', does not fit in GPU memory'}${handling ? `, ${handlingShortText(handling)}` : ''}`;
  return {
    text,
    accessibilityLabel,
    tooltipMarkdown: tooltip(report, progress, commands),
    severity,
    command: commands.openPanel,
    enabledCommands,
  };
}

export function severityOf(report: BudgetReport): StatusSeverity {
  if (report.risk.level === 'beyond' || !report.cost.fits || report.engineHandling !== null) return 'error';
  if (report.risk.level === 'degraded' || (report.budgetTokens !== null && report.promptTokens > report.budgetTokens)) return 'warning';
  return 'normal';
}

function tooltip(report: BudgetReport, progress: CountingProgress | null, commands: StatusBarCommands): string {
  const { cost, risk, tokenizer } = report;
  const windows = risk.windows;
  const lines: string[] = [];
  lines.push(
    `**Context Budget** · ${escapeMarkdown(report.model.displayName)} on ${report.gpu.count}× ${escapeMarkdown(report.gpu.name)} · ${escapeMarkdown(report.engine.name)}`,
  );
  if (progress) {
    lines.push(
      '',
      `$(loading~spin) Counting ${progress.done} of ${progress.total} files… ${commandLink('Cancel', commands.cancelCounting)}`,
    );
  }
  lines.push('', '| | |', '|:--|--:|');
  lines.push(`| Prompt tokens | **${formatInteger(report.promptTokens)}** |`);
  lines.push(
    `| Tokenizer | ${escapeMarkdown(tokenizer.label)}${tokenizer.download ? ` · ${commandLink('Download Tokenizer', commands.downloadTokenizer)}` : ''} |`,
  );
  if (report.templateOverheadTokens > 0) {
    lines.push(`| Template overhead | ${formatInteger(report.templateOverheadTokens)} of them (chat template, once per request) |`);
  }
  if (report.framing) {
    lines.push(
      `| Export framing (${report.framing.format}) | ${report.framing.pending ? 'counting…' : `${formatInteger(report.framing.tokens)} of them (tags, paths${report.framing.directoryTree ? ', tree' : ''})`} |`,
    );
  }
  const outlines = report.files.filter((file) => file.mode === 'outline' && file.status === 'counted');
  if (outlines.length > 0) {
    const outlineTokens = outlines.reduce((sum, file) => sum + (file.tokens ?? 0), 0);
    const inFull = outlines.filter((file) => file.outlineState === 'unavailable').length;
    lines.push(
      `| Outlines | ${formatInteger(outlines.length)} file(s) as outlines: ${formatInteger(outlineTokens)} of them${inFull > 0 ? ` (${formatInteger(inFull)} have none and count in full)` : ''} |`,
    );
  }
  lines.push(`| + reserved output | ${formatInteger(report.reserveOutputTokens)} → ${formatInteger(report.totalTokens)} total |`);
  lines.push(`| Engine | ${escapeMarkdown(engineSummary(report.engine))} |`);
  if (report.server) lines.push(`| Server | ${escapeMarkdown(serverSummary(report.server))} |`);
  lines.push(
    `| Max window | ${formatPercent(report.windowShare)} of ${report.windowLimit.source === 'model' ? formatInteger(windows.max) : escapeMarkdown(report.windowLimit.label)} |`,
  );
  lines.push(
    `| Effective window | ${formatPercent(report.effectiveShare)} of ${formatInteger(windows.effective)} (${windows.effectiveSource === 'RULER' ? 'RULER, measured' : 'fallback estimate'}) |`,
  );
  lines.push(`| Pretrained window | ${formatInteger(windows.pretrained)} |`);
  lines.push(`| Risk | ${riskLabel(risk.level, report)} |`);
  if (report.engineHandling) {
    lines.push(
      `| Prompt handling | ${report.engineHandling.handling.kind === 'front-dropped' ? '$(warning)' : '$(error)'} ${escapeMarkdown(handlingShortText(report.engineHandling))} (${escapeMarkdown(report.engineHandling.limit.label)}) |`,
    );
  }
  if (report.contextFix) lines.push(`| Fix | ${escapeMarkdown(fixShortText(report.contextFix))} |`);
  const attentionShare = cost.prefillFlops.total > 0 ? cost.prefillFlops.attention / cost.prefillFlops.total : 0;
  lines.push(`| Prefill compute (est.) | ${formatFlops(cost.prefillFlops.total)} · attention ${formatPercent(attentionShare)} |`);
  lines.push(
    `| Time to first token (est.) | ${formatSeconds(cost.prefillSeconds)} at ${formatPercent(report.assumptions.computeEfficiency.value)} of peak |`,
  );
  lines.push(`| Decode (est.) | ${formatSeconds(cost.decodeSecondsPerToken)} per token |`);
  lines.push(`| KV cache | ${formatBytes(cost.kvCacheBytes)} (${report.assumptions.kvDtype}) |`);
  lines.push(`| Weights | ${formatBytes(cost.weightsBytes)} (${report.assumptions.weightDtype}) |`);
  lines.push(
    `| Total memory | ${formatBytes(cost.totalBytes)} of ${formatBytes(cost.usableMemoryBytes)} usable · ${cost.fits ? '$(check) fits' : '$(error) does not fit'} |`,
  );
  lines.push(`| Max context that fits | ${maxContextText(report.maxContext)} |`);
  if (report.budgetTokens !== null) {
    lines.push(`| Your budget | ${formatPercent(report.promptTokens / report.budgetTokens)} of ${formatInteger(report.budgetTokens)} |`);
  }
  const top = report.files
    .filter((file) => file.status === 'counted' && file.included && file.tokens !== null)
    .sort((a, b) => (b.tokens ?? 0) - (a.tokens ?? 0))
    .slice(0, topFileCount);
  if (top.length > 0) {
    lines.push('', '**Top files by tokens**', '');
    for (const file of top) {
      lines.push(
        `- ${escapeMarkdown(file.relativePath)} · ${formatTokens(file.tokens ?? 0)} (${formatPercent(file.share ?? 0)})${file.mode === 'outline' ? ' · outline' : ''}`,
      );
    }
  }
  const { pending, skipped, excluded } = report.counts;
  if (pending + skipped + excluded > 0) {
    lines.push(
      '',
      [pending ? `${pending} pending` : '', skipped ? `${skipped} skipped` : '', excluded ? `${excluded} unchecked` : '']
        .filter(Boolean)
        .join(' · '),
    );
  }
  if (report.warnings.length > 0) {
    lines.push('', '**Warnings**', '');
    for (const warning of report.warnings) {
      const icon = warning.severity === 'error' ? '$(error)' : warning.severity === 'warning' ? '$(warning)' : '$(info)';
      lines.push(`- ${icon} ${escapeMarkdown(warning.message)} — *${escapeMarkdown(firstSentence(warning.why))}*`);
    }
  }
  const links = [
    commandLink('Open Panel', commands.openPanel),
    commandLink('Select Model', commands.selectModel),
    commandLink('Select GPU', commands.selectGpu),
    commandLink('Suggest Drops', commands.suggestDrops),
  ];
  if (report.server && commands.checkServer) links.push(commandLink('Check Server Again', commands.checkServer));
  lines.push('', links.join(' · '));
  return lines.join('\n');
}

function riskLabel(level: string, report: BudgetReport): string {
  if (level === 'beyond') return `$(error) beyond (${escapeMarkdown(report.windowLimit.label)})`;
  if (level === 'degraded') return '$(warning) degraded (past the effective or trained window)';
  return '$(check) ok (inside the effective window)';
}

function firstSentence(text: string): string {
  const end = text.search(/\.(\s|$)/);
  return end === -1 ? text : text.slice(0, end + 1);
}
