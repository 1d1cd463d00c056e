import { defaultEfficiencies, estimateCost } from '../cost/costEngine';
import type { EngineOptions } from '../cost/costTypes';
import type { ModelSpec } from '../model/modelSpec';
import type { GpuSpec } from '../model/gpuSpec';
import { assessRisk, windowsFor } from '../risk/riskEngine';
import { secretNameHints } from '../secrets/secretScan';
import { buildWarnings } from '../risk/warnings';
import type { Warning } from '../risk/riskTypes';
import type { Settings } from '../settings';
import type { EncodingName } from '../tokenizer/encoding';
import type { BudgetFileInput, BudgetFileRow, BudgetReport, CountExactness, ReportExtras } from './budgetTypes';

export interface ReportTarget {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  /** Problems resolving the target (bad config.json, unknown id): shown as warnings. */
  readonly problems?: readonly string[];
}

/**
 * The one place the numbers are put together: token totals, cost, risk and warnings for the files
 * in prompt order. The status bar, tree, panel and CLI all render this object.
 */
export function buildBudgetReport(files: readonly BudgetFileInput[], settings: Settings, target: ReportTarget, extras: ReportExtras = { treeTokens: null }): BudgetReport {
  const { model, gpu } = target;
  const framingOn = settings.exportFraming !== 'none';
  // With framing on, a file counts as exported (its framing included); until that count exists it is pending, never a wrong number.
  const footprint = (file: BudgetFileInput): number | undefined => (file.count?.kind !== 'counted' ? undefined : framingOn ? file.framedTokens : file.count.tokens);
  const counted = files.filter((file) => file.included && footprint(file) !== undefined);
  const treeTokens = framingOn && settings.exportDirectoryTree && counted.length > 0 ? extras.treeTokens : 0;
  const treePending = treeTokens === null;
  const promptTokens = (treeTokens ?? 0) + counted.reduce((sum, file) => sum + (footprint(file) ?? 0), 0);
  const treeKey = '\u0000directory-tree';
  const efficiencies = defaultEfficiencies(gpu);
  const computeEfficiency = settings.computeEfficiency === null ? efficiencies.computeEfficiency : { value: settings.computeEfficiency, source: 'your setting contextBudget.computeEfficiency' };
  const memoryEfficiency = settings.memoryEfficiency === null ? efficiencies.memoryEfficiency : { value: settings.memoryEfficiency, source: 'your setting contextBudget.memoryEfficiency' };
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
  const risk = assessRisk({
    files: [...(treeTokens ? [{ path: treeKey, tokens: treeTokens, focus: false }] : []), ...counted.map((file) => ({ path: file.uri, tokens: footprint(file) ?? 0, focus: file.focus }))],
    reserveOutputTokens: settings.reserveOutputTokens,
    windows,
  });
  const budgetTokens = settings.budgetTokens > 0 ? settings.budgetTokens : null;
  const placements = new Map(risk.files.map((placement) => [placement.path, placement]));
  const rows: BudgetFileRow[] = files.map((file) => {
    const placement = placements.get(file.uri);
    const count = file.count;
    const framedPending = framingOn && count?.kind === 'counted' && file.framedTokens === undefined;
    const status: BudgetFileRow['status'] = !count || (framedPending && file.included) ? 'pending' : count.kind === 'skipped' ? 'skipped' : file.included ? 'counted' : 'excluded';
    const tokens = count?.kind === 'counted' && !framedPending ? footprint(file) ?? null : null;
    return {
      uri: file.uri,
      relativePath: file.relativePath,
      included: file.included,
      focus: file.focus,
      pinned: file.pinned,
      status,
      tokens,
      share: status === 'counted' && tokens !== null && promptTokens > 0 ? tokens / promptTokens : null,
      range: placement ? { start: placement.start, end: placement.end } : null,
      level: placement ? placement.level : null,
      inMiddle: placement?.inMiddle ?? false,
      skipMessage: count?.kind === 'skipped' ? count.message : null,
      notes: count?.kind === 'counted' ? count.notes : [],
      framingTokens: framingOn && count?.kind === 'counted' && file.framedTokens !== undefined ? file.framedTokens - count.tokens : null,
      secrets: secretsOf(file.relativePath, count?.kind === 'counted' ? count.secrets : undefined),
    };
  });
  const warnings: Warning[] = [
    ...(target.problems ?? []).map((problem): Warning => ({ id: 'model-config-problem', severity: 'warning', bottleneck: 'position-extrapolation', message: problem, why: 'The estimates are for the model named in the message, not the one you asked for, until the problem is fixed.', numbers: {} })),
    ...buildWarnings({ cost, risk, model, gpuCount: settings.gpuCount, budgetTokens: budgetTokens ?? undefined, promptTokens, reserveOutputTokens: settings.reserveOutputTokens, gpuName: gpu.name }).map((warning) => withRelativePaths(warning, files)),
  ];
  const totalTokens = promptTokens + settings.reserveOutputTokens;
  const withinBudget = budgetTokens === null || promptTokens <= budgetTokens;
  return {
    model: { id: model.id, displayName: model.displayName, origin: model.origin, sources: model.sources },
    gpu: { id: gpu.id, name: gpu.name, count: settings.gpuCount, memoryBytes: gpu.memoryBytes },
    exactness: exactnessFor(model, settings.encoding),
    promptTokens,
    reserveOutputTokens: settings.reserveOutputTokens,
    totalTokens,
    budgetTokens,
    files: rows,
    counts: {
      included: files.filter((file) => file.included).length,
      counted: rows.filter((row) => row.status === 'counted').length,
      pending: rows.filter((row) => row.status === 'pending').length,
      skipped: rows.filter((row) => row.status === 'skipped').length,
      excluded: rows.filter((row) => row.status === 'excluded').length,
    },
    cost,
    engine: cost.engine,
    maxContext: cost.maxContext,
    assumptions: { computeEfficiency, memoryEfficiency, memoryUtilization: settings.memoryUtilization, weightDtype: cost.weightsLabel, kvDtype: settings.kvCacheDtype, batchSize: settings.batchSize },
    risk: { level: risk.level, windows, focusShare: risk.focusShare, middleBand: risk.middleBand },
    warnings,
    windowShare: windows.max > 0 ? totalTokens / windows.max : 0,
    effectiveShare: windows.effective > 0 ? totalTokens / windows.effective : 0,
    withinLimits: risk.level !== 'beyond' && cost.fits && withinBudget,
    framing: settings.exportFraming === 'none' ? null : {
      format: settings.exportFraming,
      directoryTree: settings.exportDirectoryTree,
      tokens: (treeTokens ?? 0) + rows.reduce((sum, row) => sum + (row.status === 'counted' && row.framingTokens !== null ? row.framingTokens : 0), 0),
      treeTokens: treeTokens ?? 0,
      pending: treePending || files.some((file) => file.included && file.count?.kind === 'counted' && file.framedTokens === undefined),
    },
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

/** Risk works on URIs (unique); warnings show relative paths (readable). */
function withRelativePaths(warning: Warning, files: readonly BudgetFileInput[]): Warning {
  if (!warning.files) return warning;
  const byUri = new Map(files.map((file) => [file.uri, file.relativePath]));
  let message = warning.message;
  for (const [uri, path] of byUri) if (message.includes(uri)) message = message.split(uri).join(path);
  return { ...warning, message, files: warning.files.map((uri) => byUri.get(uri) ?? uri) };
}
