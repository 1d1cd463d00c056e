/**
 * The drop plan of a files run, made or, when every input it reads is what it was on an earlier run,
 * replayed from the plan memo (src/node/planMemo.ts). Issue 13: on the 9,040-file bench tree a
 * re-run spent ~1 s of 2.2 s loading every file's parse and ranking every file again for a plan
 * that came out the same.
 *
 * The key is the SHA-256 of everything the plan reads:
 * - the code: counting, parsing and planning code versions (codeVersions.ts);
 * - the run: the working folder, the parsed command (settings, flags, globs), the resolved model
 *   and tokenizer, the server's answer;
 * - the report as `--json` prints it before a plan (every file's path, status, tokens, flags and
 *   every figure the target reads);
 * - the session's plan inputs (BudgetSession.planInputs): each file's content key, state and path,
 *   the git anchors and recency, tokenizer and framing, the project configs read afresh.
 *
 * A plan is remembered only when nothing about it was transient: relevance parsed every file from
 * the content that was counted (no vanished file, no crashed worker), used the project configs the
 * key holds (they are loaded once, for both), no count was pending, and the report after the plan
 * equals the one before it.
 */
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { BudgetReport } from '../core/analysis/budgetTypes';
import { reportJson } from '../core/presenters/cliReport';
import { summarizeProposal } from '../core/presenters/planSummary';
import type { PlanSummary } from '../core/presenters/planSummary';
import type { BudgetSession } from '../core/session/budgetSession';
import type { SkippedEntry } from '../core/scan/workspaceFs';
import type { DropTargetKind } from '../core/vocabulary';
import { nodeCrypto } from '../node/lazyBuiltins';
import type { PlanMemo } from '../node/planMemo';

export interface PlanOutcome {
  /** The plan to print; null when the target cannot be planned (no budget set). */
  readonly plan: PlanSummary | null;
  /** The report to print with it. */
  readonly report: BudgetReport;
  /** True when the plan came from the memo. */
  readonly replayed: boolean;
}

export interface PlanReplayOptions {
  readonly session: BudgetSession;
  /** The settled report before any plan. */
  readonly report: BudgetReport;
  readonly skipped: readonly SkippedEntry[];
  readonly target: DropTargetKind;
  /** Undefined without a cache: the plan is made every time. */
  readonly memo: PlanMemo | undefined;
  /** Everything of the run outside the session the plan depends on (code versions, command, model, server). */
  readonly runInputs: () => Promise<unknown>;
  readonly signal: AbortSignal;
}

/** The plan for `target`: replayed when its key is remembered, else made (and remembered when it may be). */
export async function planOrReplay(options: PlanReplayOptions): Promise<PlanOutcome> {
  const { session, report, skipped, target, memo, signal } = options;
  const reportKey = memo ? JSON.stringify(reportJson(report, skipped, null)) : '';
  const sessionInputs = memo ? await session.planInputs(target, signal) : undefined;
  const key = memo && sessionInputs !== undefined ? await planKey(options.runInputs, target, reportKey, sessionInputs) : undefined;
  if (memo && key !== undefined) {
    const remembered = await memo.recall(key);
    if (remembered !== undefined) return { plan: remembered, report, replayed: true };
  }
  const configLoads = session.projectConfigLoads;
  const proposal = await session.settledDropProposal(target);
  const finalReport = session.report();
  if (proposal === null) return { plan: null, report: finalReport, replayed: false };
  // Printed from its JSON form, as a replay prints it: the two runs print the same bytes.
  const plan = JSON.parse(JSON.stringify(summarizeProposal(proposal))) as PlanSummary;
  const settled =
    !proposal.relevancePending &&
    proposal.outcome.kind !== 'pending' &&
    session.relevanceSettled &&
    session.projectConfigLoads === configLoads;
  // The session's report is the same object while nothing in it changed; else it is compared as printed.
  const sameReport = (): boolean => finalReport === report || JSON.stringify(reportJson(finalReport, skipped, null)) === reportKey;
  if (memo && key !== undefined && settled && sameReport()) await memo.remember(key, plan);
  return { plan, report: finalReport, replayed: false };
}

/**
 * The SHA-256 of the plan's inputs, or undefined when they cannot all be had (a code version that
 * cannot be read): then the plan is made and not remembered, which costs time, never a wrong plan.
 * Hashed as UTF-8 buffers: a 3.6 MB report hashes in ~8 ms this way, ~21 ms given as a string.
 */
async function planKey(
  runInputs: () => Promise<unknown>,
  target: DropTargetKind,
  reportKey: string,
  sessionInputs: string,
): Promise<string | undefined> {
  let run: unknown;
  try {
    run = await runInputs();
  } catch {
    return undefined;
  }
  return nodeCrypto()
    .createHash('sha256')
    .update(Buffer.from(JSON.stringify({ memo: 'plan-memo-v1', run, target })))
    .update('\n')
    .update(Buffer.from(reportKey))
    .update('\n')
    .update(Buffer.from(sessionInputs))
    .digest('hex');
}

/**
 * The files the running CLI is made of, for its planning code version: the bundle (`dist/cli.js`)
 * holds all of it; under tsc (`out/src/cli/main.js`) it is every compiled file of `out/src`.
 */
export async function cliProgramFiles(mainFile: string): Promise<string[]> {
  if (path.basename(mainFile) !== 'main.js') return [mainFile];
  const compiledRoot = path.dirname(path.dirname(mainFile));
  const names = await readdir(compiledRoot, { recursive: true });
  return names
    .filter((name) => name.endsWith('.js'))
    .sort()
    .map((name) => path.join(compiledRoot, name));
}
