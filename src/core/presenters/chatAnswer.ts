import type { BudgetReport } from '../analysis/budgetTypes';
import { weightsDoNotFit } from '../analysis/dropPlan';
import type { DropProposal } from '../analysis/dropPlan';
import { formatBytes, formatInteger, formatPercent, formatSeconds } from '../units';
import { dropTargetLabels, effectiveWindowSourceLabel } from '../vocabulary';
import { maxContextText, serverSummary } from './engineText';
import { escapeMarkdown } from './markdown';

/**
 * The budget as an answer to "does this fit / what should I drop": the same report the status bar
 * shows, in Markdown, for the @budget chat participant and the language-model tool. Deterministic:
 * no model writes it, so it is right even when no chat model is available.
 */
export function budgetAnswer(report: BudgetReport, proposal: DropProposal | null, focus: 'all' | 'fit' | 'drop'): string {
  if (report.files.length === 0) {
    return 'No files are in the Context Budget selection yet. Add files from the Explorer (right-click → **Add to Prompt Context**), then ask again.';
  }
  const { cost, risk } = report;
  const lines: string[] = [];
  const verdict = report.withinLimits
    ? risk.level === 'degraded'
      ? 'It fits, with degraded recall'
      : 'Yes, it fits'
    : 'No, it does not fit';
  lines.push(
    `**${verdict}.** ${escapeMarkdown(report.model.displayName)} on ${report.gpu.count}× ${escapeMarkdown(report.gpu.name)}, ${escapeMarkdown(report.engine.name)}.`,
    '',
  );
  if (focus !== 'drop') {
    lines.push(
      `- Prompt: **${formatInteger(report.promptTokens)} tokens** (${escapeMarkdown(report.tokenizer.label)}${report.templateOverheadTokens > 0 ? `; ${formatInteger(report.templateOverheadTokens)} of them the chat template` : ''}) + ${formatInteger(report.reserveOutputTokens)} reserved output, in ${formatInteger(report.counts.counted)} file(s)${report.counts.pending ? `, ${report.counts.pending} still counting` : ''}${report.counts.skipped ? `, ${report.counts.skipped} skipped` : ''}.`,
      `- Window: ${formatPercent(report.windowShare)} of the ${formatInteger(risk.windows.max)}-token maximum${report.windowLimit.source === 'model' ? '' : ` (${escapeMarkdown(report.windowLimit.label)})`}; ${formatPercent(report.effectiveShare)} of the effective ${formatInteger(risk.windows.effective)} (${effectiveWindowSourceLabel(risk.windows.effectiveSource)}). Risk: ${risk.level}.`,
      ...(report.server ? [`- Server: ${escapeMarkdown(serverSummary(report.server))}.`] : []),
      ...(report.engineHandling
        ? [
            `- **${escapeMarkdown(report.engineHandling.handling.reason)}**${
              report.engineHandling.files.length > 0
                ? `: ${report.engineHandling.files
                    .slice(0, 10)
                    .map((file) => escapeMarkdown(file.relativePath))
                    .join(', ')}${report.engineHandling.files.length > 10 ? ` and ${report.engineHandling.files.length - 10} more` : ''}`
                : ''
            }.`,
          ]
        : []),
      ...(report.contextFix ? [`- ${escapeMarkdown(report.contextFix.text)}`] : []),
      `- GPU memory (estimate): ${formatBytes(cost.totalBytes)} of ${formatBytes(cost.usableMemoryBytes)} usable, ${cost.fits ? 'fits' : '**does not fit**'} (KV cache ${formatBytes(cost.kvCacheBytes)}, weights ${formatBytes(cost.weightsBytes)}). Largest context that fits: ${maxContextText(report.maxContext)}.`,
      `- Time to first token (estimate): ${formatSeconds(cost.prefillSeconds)}; decode ${formatSeconds(cost.decodeSecondsPerToken)} per token.`,
    );
    if (report.budgetTokens !== null) {
      lines.push(
        `- Your budget: ${formatPercent(report.promptTokens / report.budgetTokens)} of ${formatInteger(report.budgetTokens)} tokens.`,
      );
    }
    if (report.warnings.length > 0) {
      lines.push('', '**Warnings**', '');
      for (const warning of report.warnings) lines.push(`- ${escapeMarkdown(warning.message)}`);
    }
  }
  if (focus !== 'fit') {
    lines.push('');
    if (!proposal) {
      lines.push(
        report.withinLimits
          ? '**Nothing needs to be dropped**: the prompt is within the window, GPU memory and your budget.'
          : weightsDoNotFit(report)
            ? '**Dropping files cannot help**: the weights alone do not fit in GPU memory. Use more GPUs, a smaller weight format or a smaller model.'
            : '**Drops**: no budget is set (contextBudget.budgetTokens).',
      );
    } else if (proposal.neededTokens === 0) {
      lines.push(`**${dropTargetLabels[proposal.target]}**: already met.`);
    } else {
      const outlines = proposal.actions.filter((action) => action.action === 'outline').length;
      const what =
        outlines > 0
          ? `drop ${proposal.actions.length - outlines} file(s) and outline ${outlines}`
          : `drop ${proposal.actions.length} file(s)`;
      lines.push(
        `**To ${dropTargetLabels[proposal.target].toLowerCase()}**, ${what} (${formatInteger(proposal.removedTokens)} tokens; ${formatInteger(proposal.neededTokens)} needed):`,
        '',
      );
      for (const action of proposal.actions.slice(0, 20)) {
        lines.push(`- ${escapeMarkdown(action.relativePath)}: ${escapeMarkdown(action.explanation)}`);
      }
      if (proposal.actions.length > 20) lines.push(`- … and ${proposal.actions.length - 20} more`);
      if (proposal.basisNote !== '') lines.push('', `*${escapeMarkdown(proposal.basisNote)}*`);
      const after = proposal.after?.promptTokens ?? proposal.promptTokensBefore;
      if (proposal.outcome.kind === 'over') {
        lines.push(
          '',
          `Even then the prompt is ${formatInteger(proposal.outcome.overTokens)} tokens over: ${escapeMarkdown(proposal.outcome.why)}.`,
        );
      } else if (proposal.outcome.kind === 'met') {
        lines.push('', `The prompt goes from ${formatInteger(proposal.promptTokensBefore)} to ${formatInteger(after)} tokens.`);
      }
    }
  }
  return lines.join('\n');
}
