import type { BudgetReport } from '../analysis/budgetTypes';
import type { PromptAssessment, ReportTarget } from '../analysis/buildReport';
import type { DropProposal } from '../analysis/dropPlan';
import type { CostBreakdown } from '../cost/costTypes';
import type { Windows, Warning, RiskLevel } from '../risk/riskTypes';
import type { Settings } from '../settings';
import { dropTargetLabels, effectiveWindowSourceLabel, warningCategoryLabels } from '../vocabulary';
import { escapeControlChars } from './escapeText';
import type { SkippedEntry } from '../scan/workspaceFs';
import { formatBytes, formatFlops, formatInteger, formatPercent, formatSeconds } from '../units';

/** The `--json` object for a files run: the report plus skips and the drop proposal; full precision. */
export function reportJson(report: BudgetReport, skipped: readonly SkippedEntry[], proposal: DropProposal | null): unknown {
  return {
    model: report.model,
    gpu: report.gpu,
    encoding: report.exactness.encoding,
    countExactness: report.exactness.forModel,
    countNote: report.exactness.label,
    tokens: report.totalTokens,
    promptTokens: report.promptTokens,
    reserveOutputTokens: report.reserveOutputTokens,
    budgetTokens: report.budgetTokens,
    framing: report.framing,
    withinLimits: report.withinLimits,
    ...costFields(report.cost),
    assumptions: report.assumptions,
    risk: { level: report.risk.level, windows: report.risk.windows, focusShare: report.risk.focusShare, middleBand: report.risk.middleBand },
    warnings: report.warnings.map(warningJson),
    files: report.files.map((file) => ({ path: file.relativePath, status: file.status, mode: file.mode, modeNote: file.modeNote, tokens: file.tokens, framingTokens: file.framingTokens, share: file.share, range: file.range, level: file.level, inMiddle: file.inMiddle, focus: file.focus, pinned: file.pinned, skipReason: file.skipMessage, notes: file.notes, secret: secretOf(file.secrets) })),
    skipped: skipped.map((entry) => ({ path: entry.relativePath, reason: entry.reason, message: entry.message })),
    dropPlan: proposal ? dropPlanJson(proposal) : null,
  };
}

/** A warning for JSON: its files as the relative paths the user reads. */
function warningJson(warning: Warning): unknown {
  return { ...warning, ...(warning.files ? { files: warning.files.map((file) => file.relativePath) } : {}) };
}

/**
 * The proposal for JSON: every saving is a file's footprint; `tokensAfter` comes from the report rebuilt
 * with the actions applied. `actions` lists drops and outlines with their one-line explanations; `drops`
 * is the drop actions alone (the shape before outlines existed).
 */
function dropPlanJson(proposal: DropProposal): unknown {
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
    feasible: proposal.outcome.kind === 'met',
    shortfallTokens: proposal.outcome.kind === 'over' ? proposal.outcome.overTokens : 0,
    shortfallReason: proposal.outcome.kind === 'over' ? proposal.outcome.why : null,
    method: planner.plan.method,
    ...(planner.basis === 'size' ? { loss: planner.plan.loss, lossLowerBound: planner.plan.lossLowerBound } : { weightedLoss: planner.plan.weightedLoss }),
    actions: proposal.actions.map((action) => ({ path: action.relativePath, action: action.action, priority: action.priority, savesTokens: action.savesTokens, keptTokens: action.keptTokens, explanation: action.explanation })),
    drops: proposal.actions.filter((action) => action.action === 'drop').map((action) => ({ path: action.relativePath, priority: action.priority, savesTokens: action.savesTokens })),
  };
}

/** `files[].secret` in `--json`: null, or why the file looks like a secret (its name and/or the formats found). */
function secretOf(reasons: readonly string[]): { readonly reason: string } | null {
  return reasons.length > 0 ? { reason: reasons.join('; ') } : null;
}

/** The fields `estimate --json` promises (tokens, kvCacheBytes, …), shared with the files report. */
export function costFields(cost: CostBreakdown): Record<string, unknown> {
  return {
    kvCacheBytes: cost.kvCacheBytes,
    kvBytesPerToken: cost.kvBytesPerToken,
    weightsBytes: cost.weightsBytes,
    totalBytes: cost.totalBytes,
    usableMemoryBytes: cost.usableMemoryBytes,
    fits: cost.fits,
    maxContextTokens: cost.maxContextTokens,
    prefillFlops: cost.prefillFlops,
    prefillSeconds: cost.prefillSeconds,
    decodeSecondsPerToken: cost.decodeSecondsPerToken,
  };
}

/** Human-readable text for terminals: per-file table, totals, cost, risk, warnings and the drop proposal. */
export function reportText(report: BudgetReport, skipped: readonly SkippedEntry[], proposal: DropProposal | null, maxRows = 50): string {
  const out: string[] = [];
  const rows = report.files.filter((file) => file.status === 'counted');
  const shown = [...rows].sort((a, b) => (b.tokens ?? 0) - (a.tokens ?? 0)).slice(0, maxRows);
  const width = Math.min(70, Math.max(4, ...shown.map((row) => escapeControlChars(row.relativePath).length)));
  out.push(`${'file'.padEnd(width)}  ${'tokens'.padStart(10)}  ${'share'.padStart(6)}  flags`);
  for (const row of shown) {
    const flags = [row.secrets.length > 0 ? 'SECRET?' : '', row.mode === 'outline' ? 'outline' : '', row.focus ? 'focus' : '', row.pinned ? 'pinned' : '', row.inMiddle ? 'middle' : '', row.level && row.level !== 'ok' ? row.level : '', ...row.notes.map(() => 'note')].filter(Boolean).join(',');
    out.push(`${truncateLeft(escapeControlChars(row.relativePath), width).padEnd(width)}  ${formatInteger(row.tokens ?? 0).padStart(10)}  ${formatPercent(row.share ?? 0).padStart(6)}  ${flags}`);
  }
  if (rows.length > shown.length) out.push(`… ${rows.length - shown.length} more file(s) (use --json for all)`);
  // Every flagged file is listed with its reason, also those past the row limit: CI logs must show them all.
  const secrets = report.files.filter((file) => file.secrets.length > 0);
  if (secrets.length > 0) {
    out.push('', `${secrets.length} file(s) look like secrets (SECRET?): check before you send them`);
    for (const file of secrets) out.push(`  ${escapeControlChars(file.relativePath)}: ${file.secrets.join('; ')}`);
  }
  if (skipped.length > 0 || report.counts.skipped > 0) {
    const binary = report.files.filter((file) => file.status === 'skipped');
    out.push('', `skipped ${skipped.length + binary.length} file(s):`);
    for (const entry of [...skipped.map((s) => ({ path: s.relativePath, message: s.message })), ...binary.map((b) => ({ path: b.relativePath, message: b.skipMessage ?? '' }))].slice(0, 20)) out.push(`  ${escapeControlChars(entry.path)}: ${escapeControlChars(entry.message)}`);
    if (skipped.length + binary.length > 20) out.push(`  … and ${skipped.length + binary.length - 20} more (use --json for all)`);
  }
  out.push('', ...estimateLines(report.cost, report.risk.windows, report.risk.level, {
    promptTokens: report.promptTokens,
    reserve: report.reserveOutputTokens,
    countNote: report.exactness.label,
    model: escapeControlChars(report.model.displayName),
    gpu: `${report.gpu.count}× ${report.gpu.name}`,
    computeEfficiency: report.assumptions.computeEfficiency.value,
    memoryEfficiency: report.assumptions.memoryEfficiency.value,
    budget: report.budgetTokens,
  }));
  if (report.framing) out.push(`export framing (${report.framing.format}${report.framing.directoryTree ? ', directory tree' : ''}): ${formatInteger(report.framing.tokens)} of the prompt tokens are tags and paths${report.framing.directoryTree ? `, ${formatInteger(report.framing.treeTokens)} of them the directory tree` : ''}`);
  out.push(...warningLines(report.warnings));
  if (proposal) out.push('', ...proposalLines(proposal));
  out.push('', report.withinLimits ? 'within window, memory and budget' : 'NOT within window, memory or budget (exit status 1)');
  return out.join('\n');
}

/** The `estimate --json` object: the verdict for a bare token count. */
export function estimateJson(assessment: PromptAssessment, target: ReportTarget, settings: Settings, promptTokens: number): unknown {
  const { model, gpu } = target;
  return {
    model: { id: model.id, displayName: model.displayName, origin: model.origin },
    gpu: { id: gpu.id, name: gpu.name, count: settings.gpuCount },
    tokens: assessment.totalTokens,
    promptTokens,
    reserveOutputTokens: settings.reserveOutputTokens,
    ...costFields(assessment.cost),
    assumptions: assessment.assumptions,
    risk: { level: assessment.risk.level, windows: assessment.windows },
    warnings: assessment.warnings.map(warningJson),
    withinLimits: assessment.withinLimits,
  };
}

/** The `estimate` text: the same lines a files run prints under its table. */
export function estimateText(assessment: PromptAssessment, target: ReportTarget, settings: Settings, promptTokens: number): string {
  return [
    ...estimateLines(assessment.cost, assessment.windows, assessment.risk.level, {
      promptTokens,
      reserve: settings.reserveOutputTokens,
      countNote: null,
      model: escapeControlChars(target.model.displayName),
      gpu: `${settings.gpuCount}× ${target.gpu.name}`,
      computeEfficiency: assessment.assumptions.computeEfficiency.value,
      memoryEfficiency: assessment.assumptions.memoryEfficiency.value,
      budget: assessment.budgetTokens,
    }),
    ...warningLines(assessment.warnings),
    '',
    assessment.withinLimits ? 'within window, memory and budget' : 'NOT within window, memory or budget (exit status 1)',
  ].join('\n');
}

export interface EstimateContext {
  readonly promptTokens: number;
  readonly reserve: number;
  readonly countNote: string | null;
  readonly model: string;
  readonly gpu: string;
  readonly computeEfficiency: number;
  readonly memoryEfficiency: number;
  readonly budget: number | null;
}

export function estimateLines(cost: CostBreakdown, windows: Windows, level: RiskLevel, context: EstimateContext): string[] {
  const attentionShare = cost.attentionShare;
  const lines = [
    `model      ${context.model} on ${context.gpu}`,
    `tokens     ${formatInteger(context.promptTokens)} prompt + ${formatInteger(context.reserve)} reserved output = ${formatInteger(cost.tokens)}${context.countNote ? ` (${context.countNote})` : ''}`,
  ];
  if (context.budget !== null) lines.push(`budget     ${formatPercent(context.promptTokens / context.budget)} of ${formatInteger(context.budget)} prompt tokens`);
  lines.push(
    `window     ${formatPercent(cost.tokens / windows.max)} of max ${formatInteger(windows.max)} · effective ${formatInteger(windows.effective)} (${effectiveWindowSourceLabel(windows.effectiveSource)}) · pretrained ${formatInteger(windows.pretrained)} · trained ${formatInteger(windows.trained)}`,
    `risk       ${level}`,
    `memory     KV cache ${formatBytes(cost.kvCacheBytes)} + weights ${formatBytes(cost.weightsBytes)} = ${formatBytes(cost.totalBytes)} of ${formatBytes(cost.usableMemoryBytes)} usable → ${cost.fits ? 'fits' : 'DOES NOT FIT'}`,
    `max fit    ${cost.maxContextTokens > 0 ? `${formatInteger(cost.maxContextTokens)} tokens (memory-limited, independent of the window)` : 'none: the weights alone do not fit'}`,
    `prefill    ${formatFlops(cost.prefillFlops.total)} (linear ${formatFlops(cost.prefillFlops.linear)}, attention ${formatFlops(cost.prefillFlops.attention)} = ${formatPercent(attentionShare)}) — estimate`,
    `latency    time to first token ≈ ${formatSeconds(cost.prefillSeconds)} at ${formatPercent(context.computeEfficiency)} of peak; decode ≈ ${formatSeconds(cost.decodeSecondsPerToken)}/token at ${formatPercent(context.memoryEfficiency)} of bandwidth — estimates`,
  );
  return lines;
}

export function warningLines(warnings: readonly Warning[]): string[] {
  if (warnings.length === 0) return [];
  return ['', 'warnings:', ...warnings.flatMap((warning) => [`  [${warning.severity}] ${escapeControlChars(warning.message)} (${warningCategoryLabels[warning.category]})`, `      why: ${warning.why}`])];
}

function proposalLines(proposal: DropProposal): string[] {
  const lines = [`drop plan: ${dropTargetLabels[proposal.target].toLowerCase()} — remove ≥ ${formatInteger(proposal.neededTokens)} tokens (prompt ≤ ${formatInteger(proposal.allowedTokens)})`];
  if (proposal.neededTokens === 0) return [...lines, '  → already met'];
  if (proposal.basisNote !== '') lines.push(`  (${proposal.basisNote})`);
  for (const action of proposal.actions) lines.push(`  ${escapeControlChars(action.relativePath)}: ${escapeControlChars(action.explanation)}`);
  const after = proposal.after?.promptTokens ?? proposal.promptTokensBefore;
  const arrow = `${formatInteger(proposal.promptTokensBefore)} → ${formatInteger(after)} prompt tokens`;
  if (proposal.outcome.kind === 'met') lines.push(`  → ${arrow}: met`);
  else if (proposal.outcome.kind === 'over') lines.push(`  → ${arrow}: still ${formatInteger(proposal.outcome.overTokens)} tokens over (${escapeControlChars(proposal.outcome.why)})`);
  else lines.push(`  → ${arrow} (the directory tree is still being counted)`);
  return lines;
}

function truncateLeft(text: string, width: number): string {
  return text.length <= width ? text : '…' + text.slice(text.length - width + 1);
}
