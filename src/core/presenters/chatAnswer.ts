import type { BudgetFileInput, BudgetReport } from '../analysis/budgetTypes';
import { dropTargetLabels, firstExceededTarget, planDropsForReport } from '../analysis/dropPlan';
import type { DropTargetKind } from '../analysis/dropPlan';
import { formatBytes, formatInteger, formatPercent, formatSeconds } from '../units';
import { escapeMarkdown } from './markdown';

/**
 * The budget as an answer to "does this fit / what should I drop": the same report the status bar
 * shows, in Markdown, for the @budget chat participant and the language-model tool. Deterministic:
 * no model writes it, so it is right even when no chat model is available.
 */
export function budgetAnswer(report: BudgetReport, inputs: readonly BudgetFileInput[], focus: 'all' | 'fit' | 'drop', requestedTarget?: DropTargetKind): string {
  if (report.files.length === 0) return 'No files are in the Context Budget selection yet. Add files from the Explorer (right-click → **Add to Prompt Context**), then ask again.';
  const { cost, risk } = report;
  const lines: string[] = [];
  const verdict = report.withinLimits ? (risk.level === 'degraded' ? 'It fits, with degraded recall' : 'Yes, it fits') : 'No, it does not fit';
  lines.push(`**${verdict}.** ${escapeMarkdown(report.model.displayName)} on ${report.gpu.count}× ${escapeMarkdown(report.gpu.name)}.`, '');
  if (focus !== 'drop') {
    lines.push(
      `- Prompt: **${formatInteger(report.promptTokens)} tokens** (${escapeMarkdown(report.exactness.label)}) + ${formatInteger(report.reserveOutputTokens)} reserved output, in ${formatInteger(report.counts.counted)} file(s)${report.counts.pending ? `, ${report.counts.pending} still counting` : ''}${report.counts.skipped ? `, ${report.counts.skipped} skipped` : ''}.`,
      `- Window: ${formatPercent(report.windowShare)} of the ${formatInteger(risk.windows.max)}-token maximum; ${formatPercent(report.effectiveShare)} of the effective ${formatInteger(risk.windows.effective)} (${risk.windows.effectiveSource === 'RULER' ? 'RULER, measured' : 'fallback estimate'}). Risk: ${risk.level}.`,
      `- GPU memory (estimate): ${formatBytes(cost.totalBytes)} of ${formatBytes(cost.usableMemoryBytes)} usable, ${cost.fits ? 'fits' : '**does not fit**'} (KV cache ${formatBytes(cost.kvCacheBytes)}, weights ${formatBytes(cost.weightsBytes)}).`,
      `- Time to first token (estimate): ${formatSeconds(cost.prefillSeconds)}; decode ${formatSeconds(cost.decodeSecondsPerToken)} per token.`,
    );
    if (report.budgetTokens !== null) lines.push(`- Your budget: ${formatPercent(report.promptTokens / report.budgetTokens)} of ${formatInteger(report.budgetTokens)} tokens.`);
    if (report.warnings.length > 0) {
      lines.push('', '**Warnings**', '');
      for (const warning of report.warnings) lines.push(`- ${escapeMarkdown(warning.message)}`);
    }
  }
  if (focus !== 'fit') {
    const target = requestedTarget ?? firstExceededTarget(report);
    lines.push('');
    if (!target) {
      lines.push('**Nothing needs to be dropped**: the prompt is within the window, GPU memory and your budget.');
    } else {
      const plan = planDropsForReport(report, inputs, target);
      if (!plan) lines.push(`**${dropTargetLabels[target]}**: no budget is set (contextBudget.budgetTokens).`);
      else if (plan.neededTokens === 0) lines.push(`**${dropTargetLabels[target]}**: already met.`);
      else {
        const byUri = new Map(inputs.map((file) => [file.uri, file.relativePath]));
        lines.push(`**To ${dropTargetLabels[target].toLowerCase()}**, drop ${plan.drops.length} file(s) (${formatInteger(plan.removedTokens)} tokens; ${formatInteger(plan.neededTokens)} needed):`, '');
        for (const drop of plan.drops.slice(0, 20)) lines.push(`- ${escapeMarkdown(byUri.get(drop.path) ?? drop.path)} (${formatInteger(drop.savesTokens)} tokens, ${drop.priority})`);
        if (plan.drops.length > 20) lines.push(`- … and ${plan.drops.length - 20} more`);
        if (!plan.feasible) lines.push('', `Even then the prompt is ${formatInteger(plan.shortfallTokens)} tokens over: the rest are pinned or focus files.`);
      }
    }
  }
  return lines.join('\n');
}
