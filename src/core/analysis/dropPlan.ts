import { planDrops, tokensToRemove, allowedPromptTokens } from '../plan/planner';
import type { DropPlan, DropPriority, DropTarget } from '../plan/planner';
import { formatInteger } from '../units';
import { dropTargetKinds, dropTargetLabels } from '../vocabulary';
import type { DropTargetKind } from '../vocabulary';
import type { BudgetFileRow, BudgetReport } from './budgetTypes';

/** True when the weights alone exceed usable memory: no prompt fits, and dropping files cannot help. */
export function weightsDoNotFit(report: BudgetReport): boolean {
  return report.cost.weightsBytes > report.cost.usableMemoryBytes;
}

/**
 * The report's target in planner terms; null for `budget` when no budget is set, and for `memory`
 * when the weights alone do not fit (no number of dropped files reaches it).
 */
export function dropTargetFor(kind: DropTargetKind, report: BudgetReport): DropTarget | null {
  if (kind === 'memory' && weightsDoNotFit(report)) return null;
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
export function dropPriorityOf(file: Pick<BudgetFileRow, 'pinned' | 'focus' | 'open' | 'recent'>): DropPriority {
  if (file.pinned) return 'pinned';
  if (file.focus) return 'focus';
  if (file.open) return 'open';
  if (file.recent) return 'recent';
  return 'plain';
}

/** Where each drop target stands for this report: the line pickers and the panel show beside it. */
export interface DropTargetStatus {
  readonly kind: DropTargetKind;
  readonly label: string;
  /** False for `budget` when no budget is set. */
  readonly available: boolean;
  /** Prompt tokens to remove to meet it (0 when met or unavailable). */
  readonly neededTokens: number;
  readonly status: string;
}

/** Every drop target with its need, in {@link dropTargetKinds} order. */
export function dropTargetStatuses(report: BudgetReport): DropTargetStatus[] {
  return dropTargetKinds.map((kind) => {
    const target = dropTargetFor(kind, report);
    if (!target) return { kind, label: dropTargetLabels[kind], available: false, neededTokens: 0, status: unavailableReason(kind) };
    const neededTokens = tokensToRemove(target, report.promptTokens, report.reserveOutputTokens);
    const allowed = allowedPromptTokens(target, report.reserveOutputTokens);
    return { kind, label: dropTargetLabels[kind], available: true, neededTokens, status: neededTokens > 0 ? `remove ≥ ${formatInteger(neededTokens)} tokens (prompt ≤ ${formatInteger(allowed)})` : `met (prompt ≤ ${formatInteger(allowed)})` };
  });
}

/** Why a target cannot be planned: no budget set, or weights that do not fit whatever is dropped. */
export function unavailableReason(kind: DropTargetKind): string {
  return kind === 'memory' ? 'the weights alone do not fit: dropping files cannot help' : 'no budget set (contextBudget.budgetTokens)';
}

/** A file the proposal drops, with the tokens dropping it saves: its footprint in the prompt. */
export interface ProposedDrop {
  readonly uri: string;
  readonly relativePath: string;
  readonly savesTokens: number;
  readonly priority: Exclude<DropPriority, 'pinned'>;
  /** False when the user unticked it to keep the file. */
  readonly selected: boolean;
}

/**
 * A drop plan in the report's terms: which files to drop for a target, what each saves, and the
 * prompt after dropping the selected ones, taken from a full report rebuilt without them (so the
 * export's directory tree shrinking is counted, not guessed).
 */
export interface DropProposal {
  readonly target: DropTargetKind;
  /** Prompt tokens to remove to meet the target (0: already met). */
  readonly neededTokens: number;
  /** Most prompt tokens the target allows. */
  readonly allowedTokens: number;
  readonly drops: readonly ProposedDrop[];
  /** Σ savesTokens of the selected drops. */
  readonly removedTokens: number;
  readonly promptTokensBefore: number;
  /** The report without the selected drops; null when none is selected. */
  readonly after: BudgetReport | null;
  /**
   * met: the target holds after the selected drops; over: it does not (`overTokens` says by how
   * much); pending: the after figures are still being counted (the directory tree of what is left).
   */
  readonly outcome: { readonly kind: 'met' } | { readonly kind: 'over'; readonly overTokens: number; readonly why: string } | { readonly kind: 'pending' };
  /** The planner's own figures (method, loss), for the JSON output. */
  readonly plan: DropPlan;
}

/** Options of {@link proposeDrops}. */
export interface ProposeOptions {
  /** URIs the user unticked in the proposal: kept in the prompt. */
  readonly kept?: ReadonlySet<string>;
  /** The report with these URIs left out (the session rebuilds it with the current settings and counts). */
  readonly reportWithout: (uris: ReadonlySet<string>) => BudgetReport;
}

/**
 * Plans drops for `kind` over the included, counted files, each weighing its footprint (the tokens
 * it adds to the prompt, framing included). Null when the target cannot be planned (no budget set).
 * Pinned files are never proposed; focus files neither (the planner's default).
 */
export function proposeDrops(report: BudgetReport, kind: DropTargetKind, options: ProposeOptions): DropProposal | null {
  const target = dropTargetFor(kind, report);
  if (!target) return null;
  const allowedTokens = allowedPromptTokens(target, report.reserveOutputTokens);
  const neededTokens = tokensToRemove(target, report.promptTokens, report.reserveOutputTokens);
  const rows = report.files.filter((file) => file.status === 'counted' && file.tokens !== null);
  const byUri = new Map(rows.map((row) => [row.uri, row]));
  const plan = planDrops(rows.map((row) => ({ path: row.uri, tokens: row.tokens ?? 0, priority: dropPriorityOf(row) })), neededTokens);
  const kept = options.kept ?? new Set<string>();
  const drops: ProposedDrop[] = plan.drops.map((drop) => ({
    uri: drop.path,
    relativePath: byUri.get(drop.path)?.relativePath ?? drop.path,
    savesTokens: drop.savesTokens,
    priority: drop.priority,
    selected: !kept.has(drop.path),
  }));
  const selected = new Set(drops.filter((drop) => drop.selected).map((drop) => drop.uri));
  const removedTokens = drops.reduce((sum, drop) => sum + (drop.selected ? drop.savesTokens : 0), 0);
  const after = selected.size > 0 ? options.reportWithout(selected) : null;
  const afterReport = after ?? report;
  let outcome: DropProposal['outcome'];
  if (after?.framing?.pending) outcome = { kind: 'pending' };
  else {
    const overTokens = Math.max(0, afterReport.promptTokens - allowedTokens);
    // For memory, what decides is whether the rebuilt report fits (the engine may round the cache up).
    const fits = kind !== 'memory' || afterReport.cost.fits;
    outcome = overTokens === 0 && fits ? { kind: 'met' } : { kind: 'over', overTokens: Math.max(overTokens, fits ? 0 : 1), why: overWhy(afterReport, selected.size < drops.length) };
  }
  return { target: kind, neededTokens, allowedTokens, drops, removedTokens, promptTokensBefore: report.promptTokens, after, outcome, plan };
}

/** Why the prompt is still over after the drops: what is left that the plan may not touch. */
function overWhy(after: BudgetReport, someKept: boolean): string {
  if (someKept) return 'you kept some of the proposed files';
  const parts: string[] = [];
  const sum = (rows: readonly BudgetFileRow[]): number => rows.reduce((total, row) => total + (row.tokens ?? 0), 0);
  const placed = after.files.filter((file) => file.status === 'counted');
  const pinned = placed.filter((file) => file.pinned);
  const focus = placed.filter((file) => file.focus && !file.pinned);
  if (pinned.length > 0) parts.push(`${formatInteger(pinned.length)} pinned file(s) hold ${formatInteger(sum(pinned))} tokens`);
  if (focus.length > 0) parts.push(`${formatInteger(focus.length)} focus file(s) hold ${formatInteger(sum(focus))} tokens`);
  if (after.framing && after.framing.treeTokens > 0) parts.push(`the directory tree holds ${formatInteger(after.framing.treeTokens)} tokens`);
  const rest = after.reserveOutputTokens;
  if (parts.length === 0) return rest > 0 ? `the reserved output (${formatInteger(rest)} tokens) alone exceeds the limit` : 'nothing else can be dropped';
  return `what is left cannot be dropped: ${parts.join(', ')}`;
}
