import { allowedPromptTokens, planDrops, planRelevance, tokensToRemove } from '../plan/planner';
import type { DropPlan, DropPriority, DropTarget, RelevanceAction, RelevancePlan } from '../plan/planner';
import type { FileState } from '../selection/selection';
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
  return (
    order.find((kind) => {
      const target = dropTargetFor(kind, report);
      return target !== null && tokensToRemove(target, report.promptTokens, report.reserveOutputTokens) > 0;
    }) ?? null
  );
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
    return {
      kind,
      label: dropTargetLabels[kind],
      available: true,
      neededTokens,
      status:
        neededTokens > 0
          ? `remove ≥ ${formatInteger(neededTokens)} tokens (prompt ≤ ${formatInteger(allowed)})`
          : `met (prompt ≤ ${formatInteger(allowed)})`,
    };
  });
}

/** Why a target cannot be planned: no budget set, or weights that do not fit whatever is dropped. */
export function unavailableReason(kind: DropTargetKind): string {
  return kind === 'memory' ? 'the weights alone do not fit: dropping files cannot help' : 'no budget set (contextBudget.budgetTokens)';
}

/**
 * One action of a proposal: drop a file, or keep only its outline. Savings are footprints in the
 * prompt (framing included when it is on).
 */
export interface ProposedAction {
  readonly uri: string;
  readonly relativePath: string;
  readonly action: RelevanceAction;
  /** Prompt tokens the action removes. */
  readonly savesTokens: number;
  /** Prompt tokens the file still holds after it: its outline's footprint, or 0 when dropped. */
  readonly keptTokens: number;
  readonly priority: Exclude<DropPriority, 'pinned'>;
  /** One line: what it saves and why this file, e.g. `drop: saves 17,210 tokens; not imported by any focus file; lockfile (\`package-lock.json\`)`. */
  readonly explanation: string;
  /** False when the user unticked it to keep the file as it is. */
  readonly selected: boolean;
}

/** What a plan weighed: relevance to the anchors (import graph, kind signals) or token counts alone. */
export type PlanBasis = 'relevance' | 'size';

/** The planner's own result, for the JSON output. */
export type PlannerResult =
  { readonly basis: 'size'; readonly plan: DropPlan } | { readonly basis: 'relevance'; readonly plan: RelevancePlan };

/**
 * A drop plan in the report's terms: which files to drop or outline for a target, what each saves,
 * and the prompt after the selected actions, taken from a full report rebuilt with them (so the
 * export's directory tree shrinking is counted, not guessed).
 */
export interface DropProposal {
  readonly target: DropTargetKind;
  /** Prompt tokens to remove to meet the target (0: already met). */
  readonly neededTokens: number;
  /** Most prompt tokens the target allows. */
  readonly allowedTokens: number;
  /** In prompt order. */
  readonly actions: readonly ProposedAction[];
  /** Σ savesTokens of the selected actions. */
  readonly removedTokens: number;
  readonly promptTokensBefore: number;
  /** The report with the selected actions applied; null when none is selected. */
  readonly after: BudgetReport | null;
  /**
   * met: the target holds after the selected actions; over: it does not (`overTokens` says by how
   * much); pending: the after figures are still being counted (the directory tree of what is left).
   */
  readonly outcome:
    { readonly kind: 'met' } | { readonly kind: 'over'; readonly overTokens: number; readonly why: string } | { readonly kind: 'pending' };
  readonly basis: PlanBasis;
  /**
   * One line on the basis: why the plan is size-only (no parser, parsing failed, still parsing), or
   * what relevance could not use (a tsconfig that does not parse); empty when there is nothing to say.
   */
  readonly basisNote: string;
  /** True while the relevance plan is being prepared (files still parsing): a newer proposal follows. */
  readonly relevancePending: boolean;
  readonly planner: PlannerResult;
}

/**
 * The relevance a plan may use, as the session knows it:
 * - ready: each included file's relevance rank and reason, and the outline footprint of full-mode
 *   files that have an outline;
 * - pending / unavailable: the plan is size-only, and `note` says why.
 */
export type PlanRelevance =
  | {
      readonly kind: 'ready';
      readonly byUri: ReadonlyMap<string, { readonly rank: number; readonly reason: string }>;
      readonly outlineTokens: ReadonlyMap<string, number>;
      readonly note: string;
    }
  | { readonly kind: 'pending' | 'unavailable'; readonly note: string };

/** Options of {@link proposeDrops}. */
export interface ProposeOptions {
  /** URIs the user unticked in the proposal: kept in the prompt as they are. */
  readonly kept?: ReadonlySet<string>;
  /** The report with these files dropped or outlined (the session rebuilds it with the current settings and counts). */
  readonly reportWith: (changes: ReadonlyMap<string, Exclude<FileState, 'full'>>) => BudgetReport;
  /** Relevance for the plan; without it the plan is size-only, labelled. */
  readonly relevance?: PlanRelevance;
}

/**
 * Plans for `kind` over the included, counted files, each weighing its footprint (the tokens it adds
 * to the prompt, framing included). With relevance ready the relevance planner decides (outlines
 * before drops, least relevant first: see planRelevance); otherwise the size-only planner, labelled
 * with why. Null when the target cannot be planned (no budget set). Pinned and focus files are never
 * proposed. Deterministic: the same files and relevance give the same proposal.
 */
export function proposeDrops(report: BudgetReport, kind: DropTargetKind, options: ProposeOptions): DropProposal | null {
  const target = dropTargetFor(kind, report);
  if (!target) return null;
  const allowedTokens = allowedPromptTokens(target, report.reserveOutputTokens);
  const neededTokens = tokensToRemove(target, report.promptTokens, report.reserveOutputTokens);
  const rows = report.files.filter((file) => file.status === 'counted' && file.tokens !== null);
  const byUri = new Map(rows.map((row) => [row.uri, row]));
  const kept = options.kept ?? new Set<string>();
  const relevance = options.relevance ?? { kind: 'unavailable', note: 'size-only plan: relevance was not computed' };
  let planned: Array<Omit<ProposedAction, 'selected' | 'relativePath'>>;
  let planner: PlannerResult;
  if (relevance.kind === 'ready' && rows.every((row) => relevance.byUri.has(row.uri))) {
    const plan = planRelevance(
      rows.map((row) => ({
        path: row.uri,
        tokens: row.tokens ?? 0,
        priority: dropPriorityOf(row),
        // An outline-mode file is already an outline: the only step left is to drop it.
        outlineTokens: row.mode === 'outline' ? null : (relevance.outlineTokens.get(row.uri) ?? null),
        relevance: relevance.byUri.get(row.uri)!,
      })),
      neededTokens,
    );
    planner = { basis: 'relevance', plan };
    planned = plan.proposals.map((proposal) => ({
      uri: proposal.path,
      action: proposal.action,
      savesTokens: proposal.savesTokens,
      keptTokens: proposal.keptTokens,
      priority: dropPriorityOf(byUri.get(proposal.path)!) as Exclude<DropPriority, 'pinned'>,
      explanation: proposal.explanation,
    }));
  } else {
    const plan = planDrops(
      rows.map((row) => ({ path: row.uri, tokens: row.tokens ?? 0, priority: dropPriorityOf(row) })),
      neededTokens,
    );
    planner = { basis: 'size', plan };
    planned = plan.drops.map((drop) => ({
      uri: drop.path,
      action: 'drop' as const,
      savesTokens: drop.savesTokens,
      keptTokens: 0,
      priority: drop.priority,
      explanation: `drop: saves ${formatInteger(drop.savesTokens)} tokens; ${sizePlanReasons[drop.priority]}`,
    }));
  }
  const actions: ProposedAction[] = planned.map((action) => ({
    ...action,
    relativePath: byUri.get(action.uri)?.relativePath ?? action.uri,
    selected: !kept.has(action.uri),
  }));
  const changes = statesForActions(actions.filter((action) => action.selected));
  const removedTokens = actions.reduce((sum, action) => sum + (action.selected ? action.savesTokens : 0), 0);
  const after = changes.size > 0 ? options.reportWith(changes) : null;
  const afterReport = after ?? report;
  let outcome: DropProposal['outcome'];
  if (after?.framing?.pending) outcome = { kind: 'pending' };
  else {
    const overTokens = Math.max(0, afterReport.promptTokens - allowedTokens);
    // For memory, what decides is whether the rebuilt report fits (the engine may round the cache up).
    const fits = kind !== 'memory' || afterReport.cost.fits;
    outcome =
      overTokens === 0 && fits
        ? { kind: 'met' }
        : { kind: 'over', overTokens: Math.max(overTokens, fits ? 0 : 1), why: overWhy(afterReport, changes.size < actions.length) };
  }
  return {
    target: kind,
    neededTokens,
    allowedTokens,
    actions,
    removedTokens,
    promptTokensBefore: report.promptTokens,
    after,
    outcome,
    basis: planner.basis,
    basisNote: planner.basis === 'size' && relevance.kind === 'ready' ? 'size-only plan: some files have no relevance yet' : relevance.note,
    relevancePending: relevance.kind === 'pending',
    planner,
  };
}

/** The selection changes that carry out these actions: a drop unchecks the file, an outline sets outline mode. */
export function statesForActions(actions: ReadonlyArray<Pick<ProposedAction, 'uri' | 'action'>>): Map<string, Exclude<FileState, 'full'>> {
  return new Map(actions.map((action) => [action.uri, action.action === 'outline' ? 'outline' : 'dropped']));
}

/** Why the size-only planner picked a file of each class: it minimises tokens lost, cheapest class first. */
const sizePlanReasons: Readonly<Record<Exclude<DropPriority, 'pinned'>, string>> = {
  plain: 'fewest tokens lost among files that are not open, recently changed or focus',
  recent: 'changed recently; plain files alone were not enough',
  open: 'open in an editor; plain and recently changed files were not enough',
  focus: 'focus file; every other file was not enough',
};

/** Why the prompt is still over after the actions: what is left that the plan may not touch. */
function overWhy(after: BudgetReport, someKept: boolean): string {
  if (someKept) return 'you kept some of the proposed files';
  const parts: string[] = [];
  const sum = (rows: readonly BudgetFileRow[]): number => rows.reduce((total, row) => total + (row.tokens ?? 0), 0);
  const placed = after.files.filter((file) => file.status === 'counted');
  const pinned = placed.filter((file) => file.pinned);
  const focus = placed.filter((file) => file.focus && !file.pinned);
  if (pinned.length > 0) parts.push(`${formatInteger(pinned.length)} pinned file(s) hold ${formatInteger(sum(pinned))} tokens`);
  if (focus.length > 0) parts.push(`${formatInteger(focus.length)} focus file(s) hold ${formatInteger(sum(focus))} tokens`);
  if (after.framing && after.framing.treeTokens > 0) {
    parts.push(`the directory tree holds ${formatInteger(after.framing.treeTokens)} tokens`);
  }
  const rest = after.reserveOutputTokens;
  if (parts.length === 0) {
    return rest > 0 ? `the reserved output (${formatInteger(rest)} tokens) alone exceeds the limit` : 'nothing else can be dropped';
  }
  return `what is left cannot be dropped: ${parts.join(', ')}`;
}
