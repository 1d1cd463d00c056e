import type { BudgetFileRow, BudgetReport } from '../analysis/budgetTypes';
import { dropTargetStatuses } from '../analysis/dropPlan';
import type { DropProposal } from '../analysis/dropPlan';
import { costInputOf } from '../analysis/buildReport';
import { engineShortNames, serverConfiguredSettings } from '../analysis/engineVerdict';
import { maxContextTokensCap, memoryAt, prefillFlops } from '../cost/costEngine';
import type { GpuSpec } from '../model/gpuSpec';
import type { ModelSpec } from '../model/modelSpec';
import { planReorder } from '../plan/planner';
import { middleBandMinPromptTokens } from '../risk/riskEngine';
import type { RiskLevel, Windows } from '../risk/riskTypes';
import type { CountingProgress } from '../session/budgetSession';
import type { SkippedEntry } from '../scan/workspaceFs';
import type { Settings } from '../settings';
import { formatBytes, formatFlops, formatInteger, formatPercent, formatSeconds, formatTokens } from '../units';
import { dropTargetLabels, effectiveWindowSourceLabel, warningCategoryLabels } from '../vocabulary';
import type { DropTargetKind } from '../vocabulary';
import { binaryStep, chartXMax, decimalStep, niceMax, samplePoints, ticks, tokenStep, windowMarks } from './chartAxes';
import { engineSummary, maxContextText, serverStatusText, serverSummary } from './engineText';
import { buildTreemap } from './treemap';
import type {
  ChartMark,
  FlopsChart,
  MemoryChart,
  PanelDetails,
  PanelDropPlan,
  PanelEngine,
  PanelFileFlag,
  PanelFileRow,
  PanelMetric,
  PanelReorder,
  PanelState,
  PanelSummary,
  PanelWarning,
  PositionLimit,
  PositionSegment,
  PositionStrip,
  ReorderPlacement,
} from '../../protocol/panelProtocol';

/** Everything the panel state is built from; the host gathers it, this module decides what is shown. */
export interface PanelStateInput {
  readonly report: BudgetReport;
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  readonly settings: Settings;
  readonly progress: CountingProgress | null;
  readonly catalog: { readonly models: readonly ModelSpec[]; readonly gpus: readonly GpuSpec[] };
  readonly dropTarget: DropTargetKind;
  /** The session's proposal for `dropTarget` (null when it cannot be planned: no budget set). */
  readonly dropProposal: DropProposal | null;
  readonly customOrderApplied: boolean;
  readonly undoLabel: string | null;
}

/** Position-strip segments above which small neighbouring files are merged. */
export const positionMaxSegments = 400;

/** The "common confusions" the panel always shows, one per long-context myth. */
export const commonConfusions: readonly { readonly title: string; readonly body: string }[] = [
  {
    title: 'A big window is not cheap inference',
    body: 'The window says how many tokens the model accepts, not what they cost: every prompt token is prefilled (time to first token) and held in the KV cache for every generated token.',
  },
  {
    title: 'Context extension does not remove the quadratic cost',
    body: 'RoPE scaling (YaRN, llama3, LongRoPE) changes how positions are encoded; every full-attention layer still compares each token with every earlier one, so attention FLOPs grow with the square of the prompt.',
  },
  {
    title: 'KV-cache savings do not teach long-range reasoning',
    body: 'GQA, MQA, MLA, sliding windows and FP8 KV shrink memory per token. They let a long prompt fit; they do not make the model use distant tokens any better.',
  },
  {
    title: 'Passing a needle test is not reliable reasoning over messy documents',
    body: 'Single-needle retrieval is the easiest long-context task. RULER and NoLiMa measure effective lengths far below the advertised windows once the task needs multi-hop tracing, aggregation or non-literal matches.',
  },
];

/** Builds the full panel snapshot (the three parts together). Pure: same input, same state. */
export function buildPanelState(input: PanelStateInput): PanelState {
  return { ...buildPanelSummary(input), ...buildPanelDetails(input), files: buildPanelFiles(input.report) };
}

/** The summary the panel draws first: header, cards and warnings, from the report alone. */
export function buildPanelSummary(
  input: Omit<PanelStateInput, 'dropProposal' | 'dropTarget' | 'customOrderApplied' | 'undoLabel'>,
): PanelSummary {
  const { report, settings } = input;
  return {
    version: 1,
    title: `${report.model.displayName} on ${report.gpu.count}× ${report.gpu.name} · ${engineShortNames[report.engine.id] === 'the model' ? 'ideal formula' : engineShortNames[report.engine.id]}`,
    empty: report.files.length === 0,
    counting: input.progress ? { done: input.progress.done, total: input.progress.total } : null,
    riskLevel: report.risk.level,
    riskText: riskText(report.risk.level, report.risk.windows, report.windowLimit.label),
    metrics: summaryMetrics(report),
    exactnessLabel: report.tokenizer.label,
    tokenizer: {
      name: report.tokenizer.name,
      label: report.tokenizer.label,
      exactForModel: report.tokenizer.exactForModel,
      templateOverheadTokens: report.templateOverheadTokens,
      download: report.tokenizer.download,
    },
    models: input.catalog.models.map((model) => ({ id: model.id, label: model.displayName })),
    gpus: input.catalog.gpus.map((gpu) => ({ id: gpu.id, label: gpu.name })),
    modelId: report.model.id,
    modelConfigLabel: report.model.origin === 'catalog' ? null : report.model.displayName,
    gpuId: report.gpu.id,
    gpuCount: settings.gpuCount,
    warnings: report.warnings.map((warning): PanelWarning => ({
      id: warning.id,
      severity: warning.severity,
      category: warning.category,
      categoryLabel: warningCategoryLabels[warning.category],
      message: warning.message,
      why: warning.why,
    })),
    confusions: commonConfusions,
    engine: engineState(report),
  };
}

/** The charts, the drop plan and the reorder. */
export function buildPanelDetails(input: PanelStateInput): PanelDetails {
  const { report } = input;
  return {
    treemap: buildTreemap(report),
    memory: memoryChart(input),
    flops: flopsChart(input),
    positions: positionStrip(report),
    dropPlan: dropPlanState(input),
    reorder: reorderState(input),
    undoLabel: input.undoLabel,
  };
}

/** The engine, its conventions with sources, what it does with the prompt, the fix and the live server check, as data for the panel. */
export function engineState(report: BudgetReport): PanelEngine {
  const server = report.server;
  return {
    name: report.engine.name,
    conventions: report.engine.conventions.map((convention) => ({ text: convention.text, source: convention.source })),
    problems: report.engine.problems,
    windowLimit: report.windowLimit.label,
    maxContext: maxContextText(report.maxContext),
    handling: report.engineHandling
      ? {
          kind: report.engineHandling.handling.kind,
          text: report.engineHandling.handling.reason,
          files: report.engineHandling.files.map((file) => file.relativePath),
        }
      : null,
    fix: report.contextFix
      ? {
          text: report.contextFix.text,
          setting: report.contextFix.setting.key,
          value: report.contextFix.setting.value,
          kvCacheBytes: report.contextFix.kvCacheBytes,
          prefillSeconds: report.contextFix.prefillSeconds,
        }
      : null,
    server: server
      ? {
          status: server.status,
          summary: serverSummary(server),
          readings: server.status === 'ok' ? server.readings.map((reading) => `${reading.endpoint}: ${reading.gave}`) : [],
          notes: server.status === 'ok' ? server.notes : [],
        }
      : null,
  };
}

/** One row per file in prompt order, then the files a folder add skipped. */
export function buildPanelFiles(report: BudgetReport): PanelFileRow[] {
  return [...report.files.map(toFileRow()), ...report.skippedFiles.filter((entry) => entry.location !== undefined).map(skippedRow)];
}

/** The header figures; the status bar hover shows the same numbers from the same report. */
export function summaryMetrics(report: BudgetReport): PanelMetric[] {
  const { cost, risk, tokenizer } = report;
  const windows = risk.windows;
  const levelTone = risk.level === 'beyond' ? 'error' : risk.level === 'degraded' ? 'warning' : 'ok';
  const metrics: PanelMetric[] = [
    {
      id: 'tokens',
      label: 'Prompt tokens',
      value: formatInteger(report.promptTokens),
      detail: `${tokenizer.label}${report.templateOverheadTokens > 0 ? ` · ${formatInteger(report.templateOverheadTokens)} chat template overhead` : ''}${report.framing ? ` · as exported (${report.framing.format}): ${report.framing.pending ? 'framing still counting' : `${formatInteger(report.promptTokens - report.framing.tokens)} file content + ${formatInteger(report.framing.tokens)} framing`}` : ''} · + ${formatInteger(report.reserveOutputTokens)} reserved output = ${formatInteger(report.totalTokens)}`,
      basis: tokenizer.exactForModel ? 'exact' : 'estimate',
      tone: 'normal',
    },
    {
      id: 'window',
      label: 'Model window',
      value: formatPercent(report.windowShare),
      detail: `${formatInteger(report.totalTokens)} of ${formatInteger(windows.max)} tokens (${report.windowLimit.source === 'model' ? 'max' : report.windowLimit.label}) · effective ${formatInteger(windows.effective)} (${effectiveWindowSourceLabel(windows.effectiveSource)}): ${formatPercent(report.effectiveShare)} · pretrained ${formatInteger(windows.pretrained)}`,
      basis: tokenizer.exactForModel ? 'exact' : 'estimate',
      tone: levelTone,
    },
    {
      id: 'memory',
      label: 'GPU memory',
      value: cost.fits ? 'fits' : 'does not fit',
      detail: `${formatBytes(cost.totalBytes)} of ${formatBytes(cost.usableMemoryBytes)} usable (${formatPercent(report.assumptions.memoryUtilization)} of ${report.gpu.count}× ${formatBytes(report.gpu.memoryBytes)}) · KV cache ${formatBytes(cost.kvCacheBytes)} (${report.assumptions.kvDtype}) · weights ${formatBytes(cost.weightsBytes)} (${report.assumptions.weightDtype}) · ${report.engine.name} · max context that fits: ${maxContextText(report.maxContext)}`,
      basis: 'estimate',
      tone: cost.fits ? 'ok' : 'error',
    },
    {
      id: 'ttft',
      label: 'Time to first token',
      value: formatSeconds(cost.prefillSeconds),
      detail: `prefill ${formatFlops(cost.prefillFlops.total)}, attention ${formatPercent(cost.attentionShare)} · at ${formatPercent(report.assumptions.computeEfficiency.value)} of peak (${report.assumptions.computeEfficiency.source}) · decode ${formatSeconds(cost.decodeSecondsPerToken)} per token`,
      basis: 'estimate',
      tone: 'normal',
    },
    {
      id: 'risk',
      label: 'Highest risk',
      value: risk.level,
      detail: riskText(risk.level, windows, report.windowLimit.label),
      basis: 'estimate',
      tone: levelTone,
    },
    {
      id: 'engine',
      label: 'Engine',
      value: report.engine.id === 'ideal' ? 'ideal formula' : engineShortNames[report.engine.id],
      detail: `${engineSummary(report.engine)}${report.engine.problems.length > 0 ? `: ${report.engine.problems.join(' ')}` : ''}${report.engineHandling ? ` · ${report.engineHandling.handling.reason}` : ''}`,
      basis: 'setting',
      tone: report.engineHandling ? 'error' : report.engine.problems.length > 0 ? 'warning' : 'normal',
    },
  ];
  if (report.server) {
    const server = report.server;
    metrics.push({
      id: 'server',
      label: 'Server',
      value: serverStatusText(server),
      detail: `${serverSummary(server)}${report.contextFix ? ` · ${report.contextFix.text}` : ''}`,
      basis: server.status === 'ok' ? 'exact' : 'setting',
      tone: server.status === 'failed' ? 'warning' : report.engineHandling ? 'error' : server.status === 'ok' ? 'ok' : 'normal',
    });
  } else if (report.contextFix) {
    metrics.push({
      id: 'fix',
      label: 'To fit',
      value: report.contextFix.setting.value.toLocaleString('en-US'),
      detail: report.contextFix.text,
      basis: 'estimate',
      tone: 'warning',
    });
  }
  if (report.budgetTokens !== null) {
    metrics.push({
      id: 'budget',
      label: 'Your budget',
      value: formatPercent(report.promptTokens / report.budgetTokens),
      detail: `${formatInteger(report.promptTokens)} of ${formatInteger(report.budgetTokens)} prompt tokens (contextBudget.budgetTokens)`,
      basis: 'setting',
      tone: report.promptTokens > report.budgetTokens ? 'warning' : 'ok',
    });
  }
  return metrics;
}

function riskText(level: RiskLevel, windows: Windows, limitLabel: string): string {
  if (level === 'beyond') return `beyond (${limitLabel}): the server rejects it, cuts it, or positions extrapolate`;
  if (level === 'degraded') {
    return `past the effective (${formatInteger(windows.effective)}) or trained (${formatInteger(windows.trained)}) window: expect degraded recall`;
  }
  return `inside the effective window (${formatInteger(windows.effective)} tokens)`;
}

/** A file a folder add left out: listed with its reason so "Only skipped" finds it. */
function skippedRow(entry: SkippedEntry): PanelFileRow {
  return {
    uri: entry.location!,
    path: entry.relativePath,
    tokens: null,
    tokensText: '—',
    share: null,
    shareText: '—',
    order: null,
    start: null,
    end: null,
    rangeText: '—',
    flags: ['skipped'],
    note: `not added: ${entry.message}`,
    mode: 'dropped',
    modeNote: '',
  };
}

function toFileRow(): (row: BudgetFileRow) => PanelFileRow {
  let order = 0;
  return (row) => {
    const flags: PanelFileFlag[] = [];
    if (row.status === 'skipped') flags.push('skipped');
    if (row.status === 'excluded') flags.push('unchecked');
    if (row.status === 'pending') flags.push('pending');
    if (row.focus) flags.push('focus');
    if (row.pinned) flags.push('pinned');
    if (row.inMiddle) flags.push('middle');
    if (row.secrets.length > 0) flags.push('secret');
    if (row.symlinkTarget !== undefined) flags.push('link');
    if (row.modeNote !== null && row.mode !== 'full') flags.push('outline');
    if (row.level === 'beyond') flags.push('beyond-max');
    else if (row.level === 'degraded') flags.push('beyond-effective');
    const placed = row.range !== null;
    return {
      uri: row.uri,
      path: row.relativePath,
      tokens: row.tokens,
      tokensText: row.tokens === null ? (row.status === 'pending' ? 'counting…' : '—') : formatInteger(row.tokens),
      share: row.share,
      shareText: row.share === null ? '—' : formatPercent(row.share),
      order: placed ? ++order : null,
      start: row.range?.start ?? null,
      end: row.range?.end ?? null,
      rangeText: row.range ? `${formatInteger(row.range.start)}–${formatInteger(row.range.end)}` : '—',
      flags,
      note: [
        row.skipMessage ?? row.notes.join('; '),
        row.secrets.length > 0 ? `looks like a secret: ${row.secrets.join('; ')}` : '',
        row.symlinkTarget !== undefined ? `symbolic link → ${row.symlinkTarget ?? 'unresolved target'}` : '',
        row.modeNote ? `outline mode: ${row.modeNote}` : '',
      ]
        .filter(Boolean)
        .join(' · '),
      mode: row.mode,
      modeNote: row.modeNote ?? '',
    };
  };
}

/**
 * Memory against context length under the chosen engine: each point is `memoryAt` that T with
 * the engine's rules (llama.cpp's padded cells and SWA caches, Ollama's cache allocated for num_ctx
 * whatever the prompt, vLLM's paged blocks), so the curve meets the status bar's figure at the
 * prompt. `weightsBytes` holds everything that does not grow with T: weights, plus the activation and
 * runtime estimates an engine subtracts (vLLM).
 */
function memoryChart(input: PanelStateInput): MemoryChart {
  const { report, model, gpu, settings } = input;
  const { cost } = report;
  const xMax = chartXMax(report);
  const weightsBytes = cost.weightsBytes;
  const { costInput } = costInputOf(serverConfiguredSettings(settings, report.server)?.settings ?? settings, { model, gpu }, 0);
  const points = samplePoints(xMax).map((tokens) => {
    const at = memoryAt({ ...costInput, promptTokens: tokens, reserveOutputTokens: 0 });
    return { tokens, weightsBytes: at.fixedBytes, kvBytes: at.kvCacheBytes };
  });
  const gpuTotalBytes = report.gpu.memoryBytes * report.gpu.count;
  const yMax = niceMax(
    Math.max(gpuTotalBytes, cost.totalBytes, ...points.map((point) => point.weightsBytes + point.kvBytes)) * 1.05,
    binaryStep,
  );
  const memoryLimit = report.maxContext.memoryLimitTokens;
  const maxContextTokens = memoryLimit !== null && memoryLimit > 0 && memoryLimit <= xMax ? memoryLimit : null;
  const fitText = `the largest context that fits: ${maxContextText(report.maxContext)}`;
  return {
    points,
    usableBytes: cost.usableMemoryBytes,
    gpuTotalBytes,
    usableLabel: `usable ${formatBytes(cost.usableMemoryBytes)} (${formatPercent(report.assumptions.memoryUtilization)})`,
    gpuTotalLabel: `GPU memory ${formatBytes(gpuTotalBytes)} (${report.gpu.count}× ${report.gpu.name})`,
    current: {
      tokens: report.totalTokens,
      bytes: cost.totalBytes,
      label: `this prompt: ${formatBytes(cost.totalBytes)} at ${formatTokens(report.totalTokens)} tokens`,
    },
    windowMarks: windowMarks(report.risk.windows),
    maxContextTokens,
    xMax,
    yMax,
    xTicks: ticks(xMax, tokenStep, formatTokens),
    yTicks: ticks(yMax, binaryStep, formatBytes),
    xLabel: 'context length (prompt + reserved output), tokens',
    yLabel: 'memory',
    summary: `Weights ${formatBytes(weightsBytes)}${cost.totalBytes > weightsBytes + cost.kvCacheBytes ? ` plus runtime ${formatBytes(cost.totalBytes - weightsBytes - cost.kvCacheBytes)}` : ''} plus KV cache ${formatBytes(cost.kvCacheBytes)} = ${formatBytes(cost.totalBytes)} at ${formatInteger(report.totalTokens)} tokens (${report.engine.name}), against ${formatBytes(cost.usableMemoryBytes)} usable; ${fitText}.`,
  };
}

function flopsChart(input: PanelStateInput): FlopsChart {
  const { report, model } = input;
  const xMax = chartXMax(report);
  const points = samplePoints(xMax).map((tokens) => {
    const flops = prefillFlops(model, tokens);
    return { tokens, linear: flops.linear, attention: flops.attention };
  });
  const current = prefillFlops(model, report.promptTokens);
  const crossoverTokens = attentionCrossover(model);
  const yMax = niceMax(Math.max(...points.map((point) => point.linear + point.attention), current.total, 1) * 1.05, decimalStep);
  const attentionShare = current.total > 0 ? current.attention / current.total : 0;
  const crossoverLabel =
    crossoverTokens === null
      ? 'attention never reaches the linear FLOPs (every layer is windowed)'
      : `attention = linear at ${formatInteger(crossoverTokens)} tokens`;
  return {
    points,
    current: {
      tokens: report.promptTokens,
      linear: current.linear,
      attention: current.attention,
      label: `this prompt: ${formatFlops(current.total)}, attention ${formatPercent(attentionShare)}`,
    },
    crossoverTokens,
    crossoverLabel,
    windowMarks: windowMarks(report.risk.windows),
    xMax,
    yMax,
    xTicks: ticks(xMax, tokenStep, formatTokens),
    yTicks: ticks(yMax, decimalStep, formatFlops),
    xLabel: 'prompt length, tokens',
    yLabel: 'prefill FLOPs',
    summary: `Prefill of ${formatInteger(report.promptTokens)} tokens: ${formatFlops(current.linear)} linear (weights) + ${formatFlops(current.attention)} attention (${formatPercent(attentionShare)}); ${crossoverLabel}.`,
  };
}

/**
 * Shortest prompt at which prefill attention FLOPs reach the linear (weight) FLOPs, by bisection:
 * the attention ÷ linear ratio never falls as the prompt grows. Null when it stays below 1 up to
 * {@link maxContextTokensCap} (every layer windowed with small windows).
 */
export function attentionCrossover(model: ModelSpec): number | null {
  const dominates = (tokens: number): boolean => {
    const flops = prefillFlops(model, tokens);
    return flops.attention >= flops.linear;
  };
  if (!dominates(maxContextTokensCap)) return null;
  let low = 1;
  let high = maxContextTokensCap;
  if (dominates(low)) return low;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (dominates(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/** Where each included file lands in the prompt; small neighbours merge past {@link positionMaxSegments}. */
function positionStrip(report: BudgetReport): PositionStrip {
  const placed = report.files.filter((file) => file.range !== null);
  const minTokens = placed.length > positionMaxSegments ? report.promptTokens / positionMaxSegments : 0;
  const segments: PositionSegment[] = [];
  let group: { first: string; last: string; start: number; end: number; files: number; inMiddle: boolean; level: RiskLevel } | null = null;
  const flush = (): void => {
    if (!group) return;
    segments.push({
      label: group.files === 1 ? group.first : `${formatInteger(group.files)} files: ${group.first} … ${group.last}`,
      start: group.start,
      end: group.end,
      focus: false,
      inMiddle: group.inMiddle,
      level: group.level,
      files: group.files,
    });
    group = null;
  };
  for (const file of placed) {
    const range = file.range!;
    const level = file.level ?? 'ok';
    if (file.focus || range.end - range.start >= minTokens) {
      flush();
      segments.push({
        label: file.relativePath,
        start: range.start,
        end: range.end,
        focus: file.focus,
        inMiddle: file.inMiddle,
        level,
        files: 1,
      });
      continue;
    }
    if (!group) {
      group = {
        first: file.relativePath,
        last: file.relativePath,
        start: range.start,
        end: range.end,
        files: 1,
        inMiddle: file.inMiddle,
        level,
      };
    } else {
      group.last = file.relativePath;
      group.end = range.end;
      group.files++;
      group.inMiddle ||= file.inMiddle;
      group.level = worseLevel(group.level, level);
    }
    if (group.end - group.start >= minTokens) flush();
  }
  flush();
  const windows = report.risk.windows;
  const marks: ChartMark[] = [];
  const effectiveLimit = Math.min(windows.effective, windows.trained);
  if (effectiveLimit < report.promptTokens) {
    marks.push({ label: effectiveLimit === windows.effective ? 'effective window' : 'trained window', tokens: effectiveLimit });
  }
  if (windows.max < report.promptTokens) marks.push({ label: 'max window', tokens: windows.max });
  const limits = stackLabels(marks, report.promptTokens);
  const band = report.risk.middleBand;
  const focus = placed.filter((file) => file.focus);
  const focusInMiddle = focus.filter((file) => file.inMiddle).length;
  const summary = `${formatInteger(placed.length)} file(s) over ${formatInteger(report.promptTokens)} prompt tokens.${band ? ` Middle band ${formatInteger(band.start)}–${formatInteger(band.end)}: ${formatInteger(focusInMiddle)} of ${formatInteger(focus.length)} focus file(s) land in it.` : ' Too short for a middle band.'}${limits.map((limit) => ` Past ${limit.label} at ${formatInteger(limit.tokens)}.`).join('')}`;
  return {
    promptTokens: report.promptTokens,
    middleBand: band,
    limits,
    segments,
    ticks: ticks(Math.max(report.promptTokens, 1), tokenStep, formatTokens).filter((tick) => tick.value <= report.promptTokens),
    summary,
  };
}

/** Width of the position strip's plot in the webview's SVG units, and of one label character. */
const stripPlotWidth = 584;
const stripLabelCharWidth = 6.2;

/**
 * Places each limit label so no two overlap: a label ends at its mark (or starts there when it
 * would run off the left edge), and takes the first row whose last label ends before it starts. A
 * 2.5M-token prompt puts the effective and maximum windows a few pixels apart; without rows their
 * labels printed over each other.
 */
export function stackLabels(marks: readonly ChartMark[], promptTokens: number): PositionLimit[] {
  const rowEnds: number[] = [];
  return [...marks]
    .sort((a, b) => a.tokens - b.tokens)
    .map((mark) => {
      const at = (mark.tokens / Math.max(promptTokens, 1)) * stripPlotWidth;
      const width = (mark.label.length + 1) * stripLabelCharWidth;
      const anchor: PositionLimit['anchor'] = at >= width ? 'end' : 'start';
      const start = anchor === 'end' ? at - width : at;
      let row = rowEnds.findIndex((rowEnd) => rowEnd < start);
      if (row < 0) row = rowEnds.length;
      rowEnds[row] = start + width;
      return { ...mark, row, anchor };
    });
}

function worseLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  const rank: Record<RiskLevel, number> = { ok: 0, degraded: 1, beyond: 2 };
  return rank[a] >= rank[b] ? a : b;
}

function dropPlanState(input: PanelStateInput): PanelDropPlan {
  const { report, dropTarget, dropProposal: proposal } = input;
  const targets = dropTargetStatuses(report).map(({ kind, label, available, status }) => ({ kind, label, available, status }));
  const base = { target: dropTarget, targets, basis: proposal?.basis ?? ('size' as const), basisNote: proposal?.basisNote ?? '' };
  if (!proposal) {
    const message =
      dropTarget === 'memory'
        ? 'The weights alone do not fit in GPU memory, so no prompt fits: dropping files cannot help. Use more GPUs, a smaller weight format or a smaller model.'
        : 'Set contextBudget.budgetTokens to plan against a token budget of your own.';
    return { ...base, neededTokens: null, message, proposals: [], after: null, afterPending: false, canApply: false };
  }
  if (proposal.neededTokens === 0) {
    return {
      ...base,
      neededTokens: 0,
      message: `The prompt already fits: ${dropTargetLabels[dropTarget].toLowerCase()}.`,
      proposals: [],
      after: null,
      afterPending: false,
      canApply: false,
    };
  }
  const proposals = proposal.actions.map((action) => ({
    uri: action.uri,
    path: action.relativePath,
    tokens: action.savesTokens,
    savesText: `${formatInteger(action.savesTokens)} tokens`,
    priority: action.priority,
    selected: action.selected,
    action: action.action,
    explanation: action.explanation,
  }));
  const selected = proposal.actions.filter((action) => action.selected);
  const outlined = selected.filter((action) => action.action === 'outline').length;
  const what =
    outlined > 0
      ? `Dropping ${formatInteger(selected.length - outlined)} file(s) and outlining ${formatInteger(outlined)}`
      : `Dropping ${formatInteger(selected.length)} file(s)`;
  const removed = `${what} removes ${formatInteger(proposal.removedTokens)} tokens`;
  const outcome = proposal.outcome;
  const verdict =
    outcome.kind === 'met'
      ? `${removed}: the target is met.`
      : outcome.kind === 'pending'
        ? `${removed}; the figures after it are still being counted.`
        : proposal.actions.length === 0
          ? `Nothing can be dropped: ${outcome.why}.`
          : `${removed}: still ${formatInteger(outcome.overTokens)} tokens over (${outcome.why}).`;
  const message = `Needs ${formatInteger(proposal.neededTokens)} fewer prompt tokens. ${verdict}`;
  return {
    ...base,
    neededTokens: proposal.neededTokens,
    message,
    proposals,
    after: proposal.after ? afterMetrics(proposal.after) : null,
    afterPending: outcome.kind === 'pending',
    canApply: selected.length > 0,
  };
}

function afterMetrics(after: BudgetReport): PanelMetric[] {
  // The engine and the server do not change with a drop; the cards after it show what does.
  return summaryMetrics(after)
    .filter((metric) => !['risk', 'engine', 'server', 'fix'].includes(metric.id))
    .map((metric) => ({ ...metric, id: `after-${metric.id}` }));
}

function reorderState(input: PanelStateInput): PanelReorder {
  const { report } = input;
  const placement: ReorderPlacement =
    report.totalTokens > Math.min(report.risk.windows.effective, report.risk.windows.trained) ? 'start' : 'end';
  const base = { customOrderApplied: input.customOrderApplied, placement };
  const placed = report.files.filter((file) => file.range !== null);
  const focusInMiddle = placed.filter((file) => file.focus && file.inMiddle);
  if (!report.risk.middleBand) {
    return {
      ...base,
      available: false,
      message: `The prompt is under ${formatInteger(middleBandMinPromptTokens)} tokens: too short for a middle band to matter.`,
      moves: [],
    };
  }
  if (focusInMiddle.length === 0) {
    const anyFocus = placed.some((file) => file.focus);
    return {
      ...base,
      available: false,
      message: anyFocus
        ? 'No focus file lies in the middle band.'
        : 'Mark the files the model most needs as focus (tree row action) to get a reorder suggestion.',
      moves: [],
    };
  }
  const plan = reorderPlanOf(report, report.risk.middleBand, placement);
  const pathOf = new Map(placed.map((file) => [file.uri, file.relativePath]));
  const moves = plan.moved.map((uri) => pathOf.get(uri) ?? uri);
  const where = placement === 'end' ? 'to the end (next to your question)' : 'to the start (the end is past the effective window)';
  const still =
    plan.stillInMiddle.length > 0
      ? ` ${plan.stillInMiddle.length} focus file(s) stay in the band: there are too many focus tokens to fit outside it.`
      : '';
  return {
    ...base,
    available: moves.length > 0,
    message: `${formatInteger(focusInMiddle.length)} focus file(s) sit in the middle band (${formatInteger(report.risk.middleBand.start)}–${formatInteger(report.risk.middleBand.end)}), where recall is lowest. Move ${formatInteger(moves.length)} ${where}.${still}`,
    moves,
  };
}

/** The URIs in the order a reorder would put them (for the host to apply). */
export function reorderedUris(report: BudgetReport, placement: ReorderPlacement): string[] | null {
  if (!report.risk.middleBand) return null;
  const plan = reorderPlanOf(report, report.risk.middleBand, placement);
  if (plan.moved.length === 0) return null;
  // Files not in the prompt (unchecked, skipped, pending) keep their relative place after the placed ones.
  const rest = report.files.filter((file) => file.range === null).map((file) => file.uri);
  return [...plan.files.map((file) => file.path), ...rest];
}

/** The planner's reorder of the files placed in the prompt (paths are URIs): what the panel proposes is what the host applies. */
function reorderPlanOf(
  report: BudgetReport,
  middleBand: { readonly start: number; readonly end: number },
  placement: ReorderPlacement,
): ReturnType<typeof planReorder> {
  const placed = report.files.filter((file) => file.range !== null);
  return planReorder(
    placed.map((file) => ({ path: file.uri, tokens: file.tokens ?? 0, focus: file.focus })),
    middleBand,
    { placement },
  );
}
