/**
 * A drop proposal as the CLI prints it: plain data (no report, no maps), so the CLI's plan memo can
 * keep it on disk and print a remembered plan exactly as it printed the plan it made.
 */
import type { DropProposal, PlanBasis } from '../analysis/dropPlan';
import { isCount } from '../cache/countStoreFormat';
import type { DropLoss, DropPriority, RelevanceAction } from '../plan/planner';
import { dropTargetKinds } from '../vocabulary';
import type { DropTargetKind } from '../vocabulary';

export interface PlanSummaryAction {
  readonly path: string;
  readonly action: RelevanceAction;
  readonly priority: Exclude<DropPriority, 'pinned'>;
  readonly savesTokens: number;
  readonly keptTokens: number;
  readonly explanation: string;
}

export interface PlanSummary {
  readonly target: DropTargetKind;
  readonly basis: PlanBasis;
  readonly basisNote: string;
  readonly neededTokens: number;
  readonly allowedTokens: number;
  readonly removedTokens: number;
  readonly tokensBefore: number;
  /** The prompt after the selected actions (the report rebuilt with them), or `tokensBefore` when none is selected. */
  readonly tokensAfter: number;
  readonly outcome:
    { readonly kind: 'met' } | { readonly kind: 'over'; readonly overTokens: number; readonly why: string } | { readonly kind: 'pending' };
  readonly method: 'exact' | 'near-optimal';
  /** The size planner's loss and its bound, or the relevance planner's weighted loss. */
  readonly loss:
    | { readonly kind: 'size'; readonly loss: DropLoss; readonly lossLowerBound: number }
    | { readonly kind: 'relevance'; readonly weightedLoss: number };
  /** In prompt order. */
  readonly actions: readonly PlanSummaryAction[];
}

export function summarizeProposal(proposal: DropProposal): PlanSummary {
  const { planner } = proposal;
  return {
    target: proposal.target,
    basis: proposal.basis,
    basisNote: proposal.basisNote,
    neededTokens: proposal.neededTokens,
    allowedTokens: proposal.allowedTokens,
    removedTokens: proposal.removedTokens,
    tokensBefore: proposal.promptTokensBefore,
    tokensAfter: proposal.after?.promptTokens ?? proposal.promptTokensBefore,
    outcome: proposal.outcome,
    method: planner.plan.method,
    loss:
      planner.basis === 'size'
        ? { kind: 'size', loss: planner.plan.loss, lossLowerBound: planner.plan.lossLowerBound }
        : { kind: 'relevance', weightedLoss: planner.plan.weightedLoss },
    actions: proposal.actions.map((action) => ({
      path: action.relativePath,
      action: action.action,
      priority: action.priority,
      savesTokens: action.savesTokens,
      keptTokens: action.keptTokens,
      explanation: action.explanation,
    })),
  };
}

/** Thrown by {@link planSummaryFromJson} for anything that is not a plan summary. */
export class BadPlanSummaryError extends Error {}

const priorities: ReadonlySet<unknown> = new Set(['focus', 'open', 'recent', 'plain']);

/**
 * A summary read back from JSON, checked field by field (a remembered plan is printed as the plan:
 * nothing of another shape may pass). Throws {@link BadPlanSummaryError}.
 */
export function planSummaryFromJson(value: unknown): PlanSummary {
  const bad = (what: string): BadPlanSummaryError => new BadPlanSummaryError(`not a plan summary: ${what}`);
  const record = (candidate: unknown, what: string): Record<string, unknown> => {
    if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) throw bad(what);
    return candidate as Record<string, unknown>;
  };
  const number = (candidate: unknown, what: string): number => {
    if (typeof candidate !== 'number' || !Number.isFinite(candidate)) throw bad(what);
    return candidate;
  };
  const count = (candidate: unknown, what: string): number => {
    if (!isCount(candidate)) throw bad(what);
    return candidate;
  };
  const text = (candidate: unknown, what: string): string => {
    if (typeof candidate !== 'string') throw bad(what);
    return candidate;
  };
  const summary = record(value, 'not an object');
  const target = summary['target'];
  if (!(dropTargetKinds as readonly unknown[]).includes(target)) throw bad('target');
  const basis = summary['basis'];
  if (basis !== 'relevance' && basis !== 'size') throw bad('basis');
  const method = summary['method'];
  if (method !== 'exact' && method !== 'near-optimal') throw bad('method');
  const outcomeRecord = record(summary['outcome'], 'outcome');
  let outcome: PlanSummary['outcome'];
  if (outcomeRecord['kind'] === 'met' || outcomeRecord['kind'] === 'pending') outcome = { kind: outcomeRecord['kind'] };
  else if (outcomeRecord['kind'] === 'over') {
    outcome = { kind: 'over', overTokens: count(outcomeRecord['overTokens'], 'overTokens'), why: text(outcomeRecord['why'], 'why') };
  } else throw bad('outcome');
  const lossRecord = record(summary['loss'], 'loss');
  let loss: PlanSummary['loss'];
  if (lossRecord['kind'] === 'relevance') loss = { kind: 'relevance', weightedLoss: number(lossRecord['weightedLoss'], 'weightedLoss') };
  else if (lossRecord['kind'] === 'size') {
    const inner = record(lossRecord['loss'], 'loss');
    const highest = inner['highestPriority'];
    if (highest !== null && !priorities.has(highest)) throw bad('highestPriority');
    loss = {
      kind: 'size',
      loss: {
        highestPriority: highest as DropLoss['highestPriority'],
        weightedTokens: number(inner['weightedTokens'], 'weightedTokens'),
        files: count(inner['files'], 'files'),
      },
      lossLowerBound: number(lossRecord['lossLowerBound'], 'lossLowerBound'),
    };
  } else throw bad('loss');
  if (!Array.isArray(summary['actions'])) throw bad('actions');
  const actions = (summary['actions'] as unknown[]).map((candidate, i): PlanSummaryAction => {
    const action = record(candidate, `action ${i}`);
    const kind = action['action'];
    if (kind !== 'drop' && kind !== 'outline') throw bad(`action ${i}`);
    const priority = action['priority'];
    if (!priorities.has(priority)) throw bad(`priority of action ${i}`);
    return {
      path: text(action['path'], `path of action ${i}`),
      action: kind,
      priority: priority as PlanSummaryAction['priority'],
      savesTokens: count(action['savesTokens'], `savesTokens of action ${i}`),
      keptTokens: count(action['keptTokens'], `keptTokens of action ${i}`),
      explanation: text(action['explanation'], `explanation of action ${i}`),
    };
  });
  return {
    target: target as DropTargetKind,
    basis,
    basisNote: text(summary['basisNote'], 'basisNote'),
    neededTokens: count(summary['neededTokens'], 'neededTokens'),
    allowedTokens: number(summary['allowedTokens'], 'allowedTokens'),
    removedTokens: count(summary['removedTokens'], 'removedTokens'),
    tokensBefore: count(summary['tokensBefore'], 'tokensBefore'),
    tokensAfter: count(summary['tokensAfter'], 'tokensAfter'),
    outcome,
    method,
    loss,
    actions,
  };
}
