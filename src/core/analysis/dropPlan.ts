import { planDrops, tokensToRemove } from '../plan/planner';
import type { DropPlan, DropPriority, DropTarget } from '../plan/planner';
import type { BudgetFileInput, BudgetReport } from './budgetTypes';

export type DropTargetKind = 'window' | 'effective' | 'memory' | 'budget';

export const dropTargetLabels: Readonly<Record<DropTargetKind, string>> = {
  window: 'Fit the model window (after reserved output)',
  effective: 'Fit the effective window (after reserved output)',
  memory: 'Fit GPU memory',
  budget: 'Fit your token budget',
};

/** The report's target in planner terms; null for `budget` when no budget is set. */
export function dropTargetFor(kind: DropTargetKind, report: BudgetReport): DropTarget | null {
  switch (kind) {
    case 'window':
      return { kind: 'window', maxWindowTokens: report.risk.windows.max };
    case 'effective':
      return { kind: 'effective-window', effectiveWindowTokens: report.risk.windows.effective };
    case 'memory':
      return { kind: 'memory', maxContextTokens: report.cost.maxContextTokens };
    case 'budget':
      return report.budgetTokens === null ? null : { kind: 'budget', budgetTokens: report.budgetTokens };
  }
}

/** The first target the prompt exceeds, in order of how hard it fails: memory, window, budget, effective. */
export function firstExceededTarget(report: BudgetReport): DropTargetKind | null {
  const order: DropTargetKind[] = ['memory', 'window', 'budget', 'effective'];
  return order.find((kind) => {
    const target = dropTargetFor(kind, report);
    return target !== null && tokensToRemove(target, report.promptTokens, report.reserveOutputTokens) > 0;
  }) ?? null;
}

/** Priority of a file for dropping: pinned never, then focus, open, recently changed, plain. */
export function dropPriorityOf(file: Pick<BudgetFileInput, 'pinned' | 'focus' | 'open' | 'recent'>): DropPriority {
  if (file.pinned) return 'pinned';
  if (file.focus) return 'focus';
  if (file.open) return 'open';
  if (file.recent) return 'recent';
  return 'plain';
}

/** Plans drops for the included, counted files (paths in the plan are URIs). */
export function planDropsForReport(report: BudgetReport, inputs: readonly BudgetFileInput[], kind: DropTargetKind): DropPlan | null {
  const target = dropTargetFor(kind, report);
  if (!target) return null;
  const needed = tokensToRemove(target, report.promptTokens, report.reserveOutputTokens);
  const files = inputs
    .filter((file) => file.included && file.count?.kind === 'counted')
    .map((file) => ({ path: file.uri, tokens: file.count?.kind === 'counted' ? file.count.tokens : 0, priority: dropPriorityOf(file) }));
  return planDrops(files, needed);
}
