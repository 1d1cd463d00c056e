import type { BudgetReport } from '../analysis/budgetTypes';
import type { PromptAssessment, ReportTarget } from '../analysis/buildReport';
import { unavailableReason } from '../analysis/dropPlan';
import type { DropTargetKind } from '../vocabulary';
import type { ContextFix, EngineHandling, WindowLimit } from '../analysis/engineVerdict';
import type { CostBreakdown, EngineReport, MaxContext } from '../cost/costTypes';
import type { ServerCheck } from '../server/serverCheck';
import type { Windows, Warning, RiskLevel } from '../risk/riskTypes';
import type { Settings } from '../settings';
import { dropTargetLabels, effectiveWindowSourceLabel, warningCategoryLabels } from '../vocabulary';
import { engineSummary, maxContextText, serverSummary } from './engineText';
import { escapeControlChars } from './escapeText';
import type { PlanSummary } from './planSummary';
import type { SkippedEntry } from '../scan/workspaceFs';
import { formatBytes, formatFlops, formatInteger, formatPercent, formatSeconds } from '../units';

/** The `--json` object for a files run: the report plus skips and the drop proposal; full precision. */
export function reportJson(report: BudgetReport, skipped: readonly SkippedEntry[], plan: PlanSummary | null): unknown {
  return {
    model: report.model,
    gpu: report.gpu,
    tokenizer: {
      name: report.tokenizer.name,
      source: report.tokenizer.source,
      exactForModel: report.tokenizer.exactForModel,
      label: report.tokenizer.label,
    },
    tokens: report.totalTokens,
    promptTokens: report.promptTokens,
    templateOverheadTokens: report.templateOverheadTokens,
    reserveOutputTokens: report.reserveOutputTokens,
    budgetTokens: report.budgetTokens,
    framing: report.framing,
    withinLimits: report.withinLimits,
    ...costFields(report.cost),
    ...engineFields(report),
    assumptions: report.assumptions,
    risk: {
      level: report.risk.level,
      windows: report.risk.windows,
      focusShare: report.risk.focusShare,
      middleBand: report.risk.middleBand,
    },
    warnings: report.warnings.map(warningJson),
    files: report.files.map((file) => ({
      path: file.relativePath,
      status: file.status,
      mode: file.mode,
      modeNote: file.modeNote,
      tokens: file.tokens,
      framingTokens: file.framingTokens,
      share: file.share,
      range: file.range,
      level: file.level,
      inMiddle: file.inMiddle,
      focus: file.focus,
      pinned: file.pinned,
      skipReason: file.skipMessage,
      notes: file.notes,
      secret: secretOf(file.secrets),
      symlink: file.symlinkTarget === undefined ? null : { target: file.symlinkTarget },
    })),
    skipped: skipped.map((entry) => ({ path: entry.relativePath, reason: entry.reason, message: entry.message })),
    dropPlan: plan ? dropPlanJson(plan) : null,
  };
}

/** What both faces of the CLI's JSON add about the engine: the views of {@link EngineView}, full precision. */
export interface EngineView {
  readonly engine: EngineReport;
  readonly maxContext: MaxContext;
  readonly windowLimit: WindowLimit;
  readonly engineHandling: EngineHandling | null;
  readonly contextFix: ContextFix | null;
  readonly server: ServerCheck | null;
}

/**
 * The engine fields of `--json`: the engine (id, name, every convention with its source, problems,
 * window, prompt handling, llama.cpp caches or the vLLM/SGLang pool), the largest context that fits
 * (structured and in words), the window limit used, what the engine cuts or refuses (files as
 * paths), the fix, and the live server check.
 */
export function engineFields(view: EngineView): Record<string, unknown> {
  return {
    engine: view.engine,
    maxContext: { ...view.maxContext, text: maxContextText(view.maxContext) },
    windowLimit: view.windowLimit,
    engineHandling: view.engineHandling
      ? {
          ...view.engineHandling.handling,
          by: view.engineHandling.by,
          limit: view.engineHandling.limit,
          files: view.engineHandling.files.map((file) => ({ path: file.relativePath, part: file.part })),
        }
      : null,
    contextFix: view.contextFix,
    server: view.server,
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
function dropPlanJson(plan: PlanSummary): unknown {
  return {
    target: plan.target,
    basis: plan.basis,
    basisNote: plan.basisNote,
    neededTokens: plan.neededTokens,
    allowedTokens: plan.allowedTokens,
    removedTokens: plan.removedTokens,
    tokensBefore: plan.tokensBefore,
    tokensAfter: plan.tokensAfter,
    feasible: plan.outcome.kind === 'met',
    shortfallTokens: plan.outcome.kind === 'over' ? plan.outcome.overTokens : 0,
    shortfallReason: plan.outcome.kind === 'over' ? plan.outcome.why : null,
    method: plan.method,
    ...(plan.loss.kind === 'size'
      ? { loss: plan.loss.loss, lossLowerBound: plan.loss.lossLowerBound }
      : { weightedLoss: plan.loss.weightedLoss }),
    actions: plan.actions.map((action) => ({
      path: action.path,
      action: action.action,
      priority: action.priority,
      savesTokens: action.savesTokens,
      keptTokens: action.keptTokens,
      explanation: action.explanation,
    })),
    drops: plan.actions
      .filter((action) => action.action === 'drop')
      .map((action) => ({ path: action.path, priority: action.priority, savesTokens: action.savesTokens })),
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
export function reportText(
  report: BudgetReport,
  skipped: readonly SkippedEntry[],
  plan: PlanSummary | null,
  maxRows = 50,
  requestedTarget: DropTargetKind | null = null,
): string {
  const out: string[] = [];
  const rows = report.files.filter((file) => file.status === 'counted');
  const shown = [...rows].sort((a, b) => (b.tokens ?? 0) - (a.tokens ?? 0)).slice(0, maxRows);
  const width = Math.min(70, Math.max(4, ...shown.map((row) => escapeControlChars(row.relativePath).length)));
  out.push(`${'file'.padEnd(width)}  ${'tokens'.padStart(10)}  ${'share'.padStart(6)}  flags`);
  // What the engine does to each file: CUT (Ollama drops its tokens from the front), PAST-LIMIT (the server refuses the prompt, and this file ends past its limit).
  const engineFlag = report.engineHandling?.handling.kind === 'front-dropped' ? 'CUT' : 'PAST-LIMIT';
  const cut = new Map(
    (report.engineHandling?.files ?? []).map((file) => [file.uri, file.part === 'whole' ? engineFlag : `${engineFlag}(part)`]),
  );
  for (const row of shown) {
    const flags = [
      row.secrets.length > 0 ? 'SECRET?' : '',
      cut.get(row.uri) ?? '',
      row.mode === 'outline' ? 'outline' : '',
      row.focus ? 'focus' : '',
      row.pinned ? 'pinned' : '',
      row.symlinkTarget !== undefined ? 'link' : '',
      row.inMiddle ? 'middle' : '',
      row.level && row.level !== 'ok' ? row.level : '',
      ...row.notes.map(() => 'note'),
    ]
      .filter(Boolean)
      .join(',');
    out.push(
      `${truncateLeft(escapeControlChars(row.relativePath), width).padEnd(width)}  ${formatInteger(row.tokens ?? 0).padStart(10)}  ${formatPercent(row.share ?? 0).padStart(6)}  ${flags}`,
    );
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
    for (const entry of [
      ...skipped.map((s) => ({ path: s.relativePath, message: s.message })),
      ...binary.map((b) => ({ path: b.relativePath, message: b.skipMessage ?? '' })),
    ].slice(0, 20)) {
      out.push(`  ${escapeControlChars(entry.path)}: ${escapeControlChars(entry.message)}`);
    }
    if (skipped.length + binary.length > 20) out.push(`  … and ${skipped.length + binary.length - 20} more (use --json for all)`);
  }
  out.push(
    '',
    ...estimateLines(
      { ...report, cost: report.cost, windows: report.risk.windows, level: report.risk.level },
      {
        promptTokens: report.promptTokens,
        reserve: report.reserveOutputTokens,
        countNote: escapeControlChars(report.tokenizer.label),
        templateOverheadTokens: report.templateOverheadTokens,
        model: escapeControlChars(report.model.displayName),
        gpu: `${report.gpu.count}× ${report.gpu.name}`,
        computeEfficiency: report.assumptions.computeEfficiency.value,
        memoryEfficiency: report.assumptions.memoryEfficiency.value,
        budget: report.budgetTokens,
      },
    ),
  );
  if (report.framing) {
    out.push(
      `export framing (${report.framing.format}${report.framing.directoryTree ? ', directory tree' : ''}): ${formatInteger(report.framing.tokens)} of the prompt tokens are tags and paths${report.framing.directoryTree ? `, ${formatInteger(report.framing.treeTokens)} of them the directory tree` : ''}`,
    );
  }
  out.push(...engineDetailLines(report));
  out.push(...warningLines(report.warnings));
  if (plan) out.push('', ...proposalLines(plan));
  else if (requestedTarget) {
    out.push('', `drop plan: ${dropTargetLabels[requestedTarget].toLowerCase()} — ${unavailableReason(requestedTarget)}`);
  }
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
    ...engineFields({ ...assessment, engine: assessment.cost.engine }),
    assumptions: assessment.assumptions,
    risk: { level: assessment.risk.level, windows: assessment.windows },
    warnings: assessment.warnings.map(warningJson),
    withinLimits: assessment.withinLimits,
  };
}

/** The `estimate` text: the same lines a files run prints under its table. */
export function estimateText(assessment: PromptAssessment, target: ReportTarget, settings: Settings, promptTokens: number): string {
  const view = { ...assessment, engine: assessment.cost.engine, level: assessment.risk.level };
  return [
    ...estimateLines(view, {
      promptTokens,
      reserve: settings.reserveOutputTokens,
      countNote: null,
      model: escapeControlChars(target.model.displayName),
      gpu: `${settings.gpuCount}× ${target.gpu.name}`,
      computeEfficiency: assessment.assumptions.computeEfficiency.value,
      memoryEfficiency: assessment.assumptions.memoryEfficiency.value,
      budget: assessment.budgetTokens,
    }),
    ...engineDetailLines(view),
    ...warningLines(assessment.warnings),
    '',
    assessment.withinLimits ? 'within window, memory and budget' : 'NOT within window, memory or budget (exit status 1)',
  ].join('\n');
}

export interface EstimateContext {
  readonly promptTokens: number;
  readonly reserve: number;
  readonly countNote: string | null;
  /** Chat-template tokens inside promptTokens (files runs only). */
  readonly templateOverheadTokens?: number;
  readonly model: string;
  readonly gpu: string;
  readonly computeEfficiency: number;
  readonly memoryEfficiency: number;
  readonly budget: number | null;
}

/** What the summary lines are built from: the same fields on a files report and on an `estimate` assessment. */
export interface EstimateView extends EngineView {
  readonly cost: CostBreakdown;
  readonly windows: Windows;
  readonly level: RiskLevel;
}

export function estimateLines(view: EstimateView, context: EstimateContext): string[] {
  const { cost, windows, level } = view;
  const attentionShare = cost.attentionShare;
  const lines = [
    `model      ${context.model} on ${context.gpu}`,
    `engine     ${engineSummary(view.engine)} (listed below)`,
    `tokens     ${formatInteger(context.promptTokens)} prompt + ${formatInteger(context.reserve)} reserved output = ${formatInteger(cost.tokens)}${context.countNote ? ` (${context.countNote})` : ''}`,
  ];
  if (context.templateOverheadTokens) {
    lines.push(
      `template   ${formatInteger(context.templateOverheadTokens)} of the prompt tokens are the chat template's (BOS, role headers), counted once per request`,
    );
  }
  if (context.budget !== null) {
    lines.push(`budget     ${formatPercent(context.promptTokens / context.budget)} of ${formatInteger(context.budget)} prompt tokens`);
  }
  if (view.server) lines.push(`server     ${escapeControlChars(serverSummary(view.server))}`);
  lines.push(
    `window     ${formatPercent(cost.tokens / windows.max)} of ${view.windowLimit.source === 'model' ? `max ${formatInteger(windows.max)}` : view.windowLimit.label} · effective ${formatInteger(windows.effective)} (${effectiveWindowSourceLabel(windows.effectiveSource)}) · pretrained ${formatInteger(windows.pretrained)} · trained ${formatInteger(windows.trained)}`,
    `risk       ${level === 'beyond' ? `beyond (${view.windowLimit.label})` : level}`,
    `memory     KV cache ${formatBytes(cost.kvCacheBytes)} + weights ${formatBytes(cost.weightsBytes)}${cost.totalBytes > cost.kvCacheBytes + cost.weightsBytes ? ` + runtime ${formatBytes(cost.totalBytes - cost.kvCacheBytes - cost.weightsBytes)}` : ''} = ${formatBytes(cost.totalBytes)} of ${formatBytes(cost.usableMemoryBytes)} usable → ${cost.fits ? 'fits' : 'DOES NOT FIT'} (estimate)`,
    `max fit    ${maxContextText(view.maxContext)}`,
    `prefill    ${formatFlops(cost.prefillFlops.total)} (linear ${formatFlops(cost.prefillFlops.linear)}, attention ${formatFlops(cost.prefillFlops.attention)} = ${formatPercent(attentionShare)}) — estimate`,
    `latency    time to first token ≈ ${formatSeconds(cost.prefillSeconds)} at ${formatPercent(context.computeEfficiency)} of peak; decode ≈ ${formatSeconds(cost.decodeSecondsPerToken)}/token at ${formatPercent(context.memoryEfficiency)} of bandwidth — estimates`,
  );
  return lines;
}

/**
 * The engine's account: every convention applied with its source, the problems with the inputs,
 * what the engine does with this prompt, the fix, and what the live check read from each endpoint.
 */
export function engineDetailLines(view: EngineView): string[] {
  const lines = ['', `engine conventions (${view.engine.name}):`];
  for (const convention of view.engine.conventions) lines.push(`  - ${convention.text}`, `      source: ${convention.source}`);
  if (view.engine.problems.length > 0) {
    lines.push('engine problems (the estimate uses the fallback each names):');
    for (const problem of view.engine.problems) lines.push(`  - ${problem}`);
  }
  if (view.engineHandling) lines.push(`prompt handling: ${escapeControlChars(view.engineHandling.handling.reason)}`);
  if (view.contextFix) lines.push(`fix: ${escapeControlChars(view.contextFix.text)}`);
  if (view.server?.status === 'ok') {
    lines.push(`server check (${escapeControlChars(view.server.url)}):`);
    for (const reading of view.server.readings) {
      lines.push(`  - ${reading.endpoint}: ${escapeControlChars(reading.gave)}`, `      source: ${reading.source}`);
    }
    for (const note of view.server.notes) lines.push(`  - note: ${escapeControlChars(note)}`);
  }
  return lines;
}

export function warningLines(warnings: readonly Warning[]): string[] {
  if (warnings.length === 0) return [];
  return [
    '',
    'warnings:',
    ...warnings.flatMap((warning) => [
      `  [${warning.severity}] ${escapeControlChars(warning.message)} (${warningCategoryLabels[warning.category]})`,
      `      why: ${warning.why}`,
    ]),
  ];
}

function proposalLines(plan: PlanSummary): string[] {
  const lines = [
    `drop plan: ${dropTargetLabels[plan.target].toLowerCase()} — remove ≥ ${formatInteger(plan.neededTokens)} tokens (prompt ≤ ${formatInteger(plan.allowedTokens)})`,
  ];
  if (plan.neededTokens === 0) return [...lines, '  → already met'];
  if (plan.basisNote !== '') lines.push(`  (${plan.basisNote})`);
  for (const action of plan.actions) {
    lines.push(`  ${escapeControlChars(action.path)}: ${escapeControlChars(action.explanation)}`);
  }
  const arrow = `${formatInteger(plan.tokensBefore)} → ${formatInteger(plan.tokensAfter)} prompt tokens`;
  if (plan.outcome.kind === 'met') lines.push(`  → ${arrow}: met`);
  else if (plan.outcome.kind === 'over') {
    lines.push(`  → ${arrow}: still ${formatInteger(plan.outcome.overTokens)} tokens over (${escapeControlChars(plan.outcome.why)})`);
  } else lines.push(`  → ${arrow} (the directory tree is still being counted)`);
  return lines;
}

function truncateLeft(text: string, width: number): string {
  return text.length <= width ? text : '…' + text.slice(text.length - width + 1);
}
