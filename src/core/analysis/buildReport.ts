import { defaultEfficiencies, estimateCost } from '../cost/costEngine';
import type { CostEstimate } from '../cost/costEngine';
import type { EngineOptions } from '../cost/costTypes';
import type { ModelSpec } from '../model/modelSpec';
import type { GpuSpec } from '../model/gpuSpec';
import { assessRisk, windowsFor } from '../risk/riskEngine';
import type { RiskFileInput } from '../risk/riskEngine';
import { secretNameHints } from '../secrets/secretScan';
import { buildWarnings } from '../risk/warnings';
import type { RiskReport, Warning, Windows } from '../risk/riskTypes';
import type { Settings } from '../settings';
import type { EncodingName } from '../tokenizer/encoding';
import { settingName } from '../vocabulary';
import type { Assumption, BudgetFileInput, BudgetFileRow, BudgetReport, CountExactness, ReportExtras } from './budgetTypes';
import type { TargetProblem } from './resolveTarget';

export interface ReportTarget {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  /** Problems resolving the target (bad config.json, unknown id): shown as model-setup warnings. */
  readonly problems?: readonly TargetProblem[];
}

/** What a prompt of a known length costs and risks: shared by the files report and `estimate`. */
export interface PromptAssessment {
  readonly windows: Windows;
  readonly risk: RiskReport;
  readonly cost: CostEstimate;
  readonly assumptions: BudgetReport['assumptions'];
  readonly warnings: readonly Warning[];
  /** promptTokens + reserveOutputTokens. */
  readonly totalTokens: number;
  readonly budgetTokens: number | null;
  readonly windowShare: number;
  readonly effectiveShare: number;
  /** Within window, memory and budget: decided here and nowhere else. */
  readonly withinLimits: boolean;
}

/** Input to {@link assessPrompt}. */
export interface PromptInput {
  /** Files in prompt order with their footprints; empty for a bare token count. */
  readonly files: readonly RiskFileInput[];
  /**
   * Total prompt tokens. What the files do not account for opens the prompt and belongs to no file:
   * the export's directory tree, or the whole of a bare count.
   */
  readonly promptTokens: number;
  readonly settings: Settings;
  readonly target: ReportTarget;
}

/**
 * The one place a prompt's verdict is put together: windows, placement risk, cost with its
 * assumptions, warnings and whether it is within limits. `buildBudgetReport` adds the file rows;
 * the CLI's `estimate` uses it for a bare token count.
 */
export function assessPrompt(input: PromptInput): PromptAssessment {
  const { settings, target, promptTokens } = input;
  const { model, gpu } = target;
  const efficiencies = defaultEfficiencies(gpu);
  const computeEfficiency: Assumption = settings.computeEfficiency === null ? efficiencies.computeEfficiency : { value: settings.computeEfficiency, source: `your setting ${settingName('computeEfficiency')}` };
  const memoryEfficiency: Assumption = settings.memoryEfficiency === null ? efficiencies.memoryEfficiency : { value: settings.memoryEfficiency, source: `your setting ${settingName('memoryEfficiency')}` };
  const cost = estimateCost({
    model,
    gpu,
    gpuCount: settings.gpuCount,
    promptTokens,
    reserveOutputTokens: settings.reserveOutputTokens,
    weightDtype: settings.weightDtype,
    kvDtype: settings.kvCacheDtype,
    batchSize: settings.batchSize,
    memoryUtilization: settings.memoryUtilization,
    computeEfficiency: computeEfficiency.value,
    memoryEfficiency: memoryEfficiency.value,
    engine: engineOptionsOf(settings),
  });
  // The window the engine accepts (vLLM max_model_len, llama.cpp n_ctx_train, Ollama num_ctx) is the maximum the risk uses.
  const windows = windowsFor(model, settings.engine === 'ideal' ? undefined : cost.engine.maxWindowTokens);
  let fileTokens = 0;
  for (const file of input.files) fileTokens += file.tokens;
  const risk = assessRisk({ files: input.files, leadingTokens: Math.max(0, promptTokens - fileTokens), reserveOutputTokens: settings.reserveOutputTokens, windows });
  const budgetTokens = settings.budgetTokens > 0 ? settings.budgetTokens : null;
  const warnings: Warning[] = [
    ...(target.problems ?? []).map((problem): Warning => ({
      id: 'model-config-problem',
      severity: 'warning',
      category: 'model-setup',
      message: problem.fallback ? `${problem.message} ${problem.fallback}` : problem.message,
      why: 'The estimates are for the model named in the message, not the one you asked for, until the problem is fixed.',
      numbers: {},
    })),
    ...buildWarnings({ cost, risk, model, gpuCount: settings.gpuCount, budgetTokens: budgetTokens ?? undefined, promptTokens, reserveOutputTokens: settings.reserveOutputTokens, gpuName: gpu.name }),
  ];
  const totalTokens = promptTokens + settings.reserveOutputTokens;
  const withinBudget = budgetTokens === null || promptTokens <= budgetTokens;
  return {
    windows,
    risk,
    cost,
    assumptions: { computeEfficiency, memoryEfficiency, memoryUtilization: settings.memoryUtilization, weightDtype: cost.weightsLabel, kvDtype: settings.kvCacheDtype, batchSize: settings.batchSize },
    warnings,
    totalTokens,
    budgetTokens,
    windowShare: windows.max > 0 ? totalTokens / windows.max : 0,
    effectiveShare: windows.effective > 0 ? totalTokens / windows.effective : 0,
    withinLimits: risk.level !== 'beyond' && cost.fits && withinBudget,
  };
}

/**
 * The tokens a file really adds to the prompt: its content, or, with export framing on, the file as
 * exported (tags and path included). Undefined while that figure is still being counted or when the
 * file was not counted. Every "tokens", "saves" and "after" figure is built from this.
 */
export function fileFootprint(file: BudgetFileInput, framingOn: boolean): number | undefined {
  if (file.count?.kind !== 'counted') return undefined;
  return framingOn ? file.framedTokens : file.count.tokens;
}

/** The part of a row that depends on its file alone, not on the other files: kept between builds by a {@link ReportMemo}. */
interface RowPart {
  /** The input fields it was computed from (compared field by field: the session builds fresh input objects). */
  readonly from: BudgetFileInput;
  readonly framingOn: boolean;
  readonly status: BudgetFileRow['status'];
  readonly tokens: number | null;
  readonly skipMessage: string | null;
  readonly notes: readonly string[];
  readonly framingTokens: number | null;
  readonly secrets: readonly string[];
  /** The file as the risk engine places it, when it is in the prompt (included and counted). */
  readonly placed: RiskFileInput | undefined;
}

/**
 * What {@link buildBudgetReport} keeps between builds so that a change to one file costs one row's
 * work: each row's own part (status, tokens, notes, secret hints by name and content…) is reused
 * while its file's inputs are unchanged. The shares, token ranges, risk levels and totals, which
 * depend on every file, are still computed for every row, from numbers only. A build with a memo
 * equals a build without one (test/unit/analysis/incrementalReport.test.ts).
 */
export class ReportMemo {
  private readonly parts = new Map<string, RowPart>();

  /** The row part of `file`: the kept one when nothing it depends on changed. */
  part(file: BudgetFileInput, framingOn: boolean): RowPart {
    const kept = this.parts.get(file.uri);
    if (kept && kept.framingOn === framingOn && (kept.from === file || sameInput(kept.from, file))) return kept;
    const part = rowPart(file, framingOn);
    this.parts.set(file.uri, part);
    return part;
  }

  /** Ends a build of `files`: parts of files no longer there are dropped (the memo never outgrows the selection). */
  commit(files: readonly BudgetFileInput[]): void {
    if (this.parts.size <= files.length) return;
    const current = new Set(files.map((file) => file.uri));
    for (const uri of this.parts.keys()) if (!current.has(uri)) this.parts.delete(uri);
  }
}

function sameInput(a: BudgetFileInput, b: BudgetFileInput): boolean {
  return a.count === b.count && a.framedTokens === b.framedTokens && a.included === b.included && a.focus === b.focus && a.pinned === b.pinned && a.open === b.open && a.recent === b.recent && a.relativePath === b.relativePath;
}

function rowPart(file: BudgetFileInput, framingOn: boolean): RowPart {
  const count = file.count;
  const footprint = fileFootprint(file, framingOn);
  const framedPending = count?.kind === 'counted' && footprint === undefined;
  const status: BudgetFileRow['status'] = !count || (framedPending && file.included) ? 'pending' : count.kind === 'skipped' ? 'skipped' : file.included ? 'counted' : 'excluded';
  return {
    from: file,
    framingOn,
    status,
    tokens: footprint ?? null,
    skipMessage: count?.kind === 'skipped' ? count.message : null,
    notes: count?.kind === 'counted' ? count.notes : [],
    framingTokens: framingOn && count?.kind === 'counted' && footprint !== undefined ? footprint - count.tokens : null,
    secrets: secretsOf(file.relativePath, count?.kind === 'counted' ? count.secrets : undefined),
    placed: file.included && footprint !== undefined ? { path: file.uri, label: file.relativePath, tokens: footprint, focus: file.focus } : undefined,
  };
}

/**
 * The report for files in prompt order: the verdict ({@link assessPrompt}) plus a row per file. The
 * status bar, tree, panel, chat and CLI all render this object. With a {@link ReportMemo} (the
 * session keeps one), rows whose file did not change are not recomputed.
 */
export function buildBudgetReport(files: readonly BudgetFileInput[], settings: Settings, target: ReportTarget, extras: ReportExtras = { treeTokens: null }, memo: ReportMemo = new ReportMemo()): BudgetReport {
  const { model, gpu } = target;
  const framingOn = settings.exportFraming !== 'none';
  const parts = files.map((file) => memo.part(file, framingOn));
  memo.commit(files);
  const placed: RiskFileInput[] = [];
  for (const part of parts) if (part.placed) placed.push(part.placed);
  // The directory tree exists only while the export has files; null means it is still being counted.
  const treeTokens = framingOn && settings.exportDirectoryTree && placed.length > 0 ? extras.treeTokens : 0;
  const leadingTokens = treeTokens ?? 0;
  let promptTokens = leadingTokens;
  for (const file of placed) promptTokens += file.tokens;
  const assessment = assessPrompt({ files: placed, promptTokens, settings, target });
  // Placements come in the order of `placed`, which is the order of the files that have one.
  const placements = assessment.risk.files;
  let nextPlacement = 0;
  const counts = { included: 0, counted: 0, pending: 0, skipped: 0, excluded: 0 };
  let framingTokens = leadingTokens;
  let framingPending = false;
  const rows: BudgetFileRow[] = files.map((file, i) => {
    const part = parts[i]!;
    const placement = part.placed ? placements[nextPlacement++] : undefined;
    const { status, tokens } = part;
    if (file.included) counts.included++;
    counts[status]++;
    if (status === 'counted' && part.framingTokens !== null) framingTokens += part.framingTokens;
    if (file.included && file.count?.kind === 'counted' && part.tokens === null) framingPending = true;
    return {
      uri: file.uri,
      relativePath: file.relativePath,
      included: file.included,
      focus: file.focus,
      pinned: file.pinned,
      open: file.open ?? false,
      recent: file.recent ?? false,
      status,
      tokens,
      share: status === 'counted' && tokens !== null && promptTokens > 0 ? tokens / promptTokens : null,
      range: placement ? { start: placement.start, end: placement.end } : null,
      level: placement ? placement.level : null,
      inMiddle: placement?.inMiddle ?? false,
      skipMessage: part.skipMessage,
      notes: part.notes,
      framingTokens: part.framingTokens,
      secrets: part.secrets,
      ...(file.symlinkTarget !== undefined ? { symlinkTarget: file.symlinkTarget } : {}),
    };
  });
  const { risk } = assessment;
  return {
    model: { id: model.id, displayName: model.displayName, origin: model.origin, sources: model.sources },
    gpu: { id: gpu.id, name: gpu.name, count: settings.gpuCount, memoryBytes: gpu.memoryBytes },
    exactness: exactnessFor(model, settings.encoding),
    promptTokens,
    reserveOutputTokens: settings.reserveOutputTokens,
    totalTokens: assessment.totalTokens,
    budgetTokens: assessment.budgetTokens,
    files: rows,
    counts,
    cost: assessment.cost,
    engine: assessment.cost.engine,
    maxContext: assessment.cost.maxContext,
    assumptions: assessment.assumptions,
    risk: { level: risk.level, windows: assessment.windows, focusShare: risk.focusShare, middleBand: risk.middleBand },
    warnings: assessment.warnings,
    windowShare: assessment.windowShare,
    effectiveShare: assessment.effectiveShare,
    withinLimits: assessment.withinLimits,
    framing: !framingOn ? null : {
      format: settings.exportFraming as 'xml' | 'markdown',
      directoryTree: settings.exportDirectoryTree,
      tokens: framingTokens,
      treeTokens: leadingTokens,
      pending: treeTokens === null || framingPending,
    },
    skippedFiles: extras.skippedFiles ?? [],
  };
}

/** The engine knobs of the settings, as the cost engine takes them (null settings = the engine's default). */
export function engineOptionsOf(settings: Settings): EngineOptions {
  return {
    engine: settings.engine,
    ...(settings.kCacheDtype !== null ? { kDtype: settings.kCacheDtype } : {}),
    ...(settings.vCacheDtype !== null ? { vDtype: settings.vCacheDtype } : {}),
    ...(settings.ubatch !== null ? { ubatch: settings.ubatch } : {}),
    ...(settings.swaFull !== null ? { swaFull: settings.swaFull } : {}),
    mla: settings.mla,
    ...(settings.maxModelLen !== null ? { maxModelLen: settings.maxModelLen } : {}),
    ...(settings.numCtx !== null ? { numCtx: settings.numCtx } : {}),
  };
}

/** Whether an o200k/cl100k count is the model's own count or an estimate of it. */
export function exactnessFor(model: ModelSpec, encoding: EncodingName): CountExactness {
  if (model.tokenizer === encoding) return { encoding, forModel: 'exact', label: `${encoding}, exact (the model's own tokenizer)` };
  if (model.tokenizer === 'other') return { encoding, forModel: 'estimate', label: `${encoding}, exact for the encoding; an estimate for ${model.displayName}, which uses its own tokenizer` };
  return { encoding, forModel: 'estimate', label: `${encoding}, exact for the encoding; an estimate for ${model.displayName}, which uses ${model.tokenizer}` };
}

const noSecrets: readonly string[] = [];

/** Name and content hints, deduplicated; the shared empty array for the common case of none. */
function secretsOf(relativePath: string, contentHints: readonly string[] | undefined): readonly string[] {
  const byName = secretNameHints(relativePath);
  if (byName.length === 0 && !contentHints?.length) return noSecrets;
  return [...new Set([...byName, ...(contentHints ?? [])])];
}
