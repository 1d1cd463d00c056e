import { defaultEfficiencies, estimateCost, maxContextOf } from '../cost/costEngine';
import type { CostEstimate } from '../cost/costEngine';
import type { CostInput, EngineOptions, MaxContext } from '../cost/costTypes';
import type { ModelSpec } from '../model/modelSpec';
import type { GpuSpec } from '../model/gpuSpec';
import { assessRisk, windowsFor } from '../risk/riskEngine';
import type { RiskFileInput } from '../risk/riskEngine';
import { secretNameHints } from '../secrets/secretScan';
import { buildWarnings } from '../risk/warnings';
import type { RiskReport, Warning, Windows } from '../risk/riskTypes';
import type { Settings } from '../settings';
import { defaultCountingTokenizer, type CountingTokenizer } from '../tokenizer/countingTokenizer';
import { formatInteger } from '../units';
import { settingName } from '../vocabulary';
import type { ServerCheck } from '../server/serverCheck';
import type { Assumption, BudgetFileInput, BudgetFileRow, BudgetReport, ReportExtras, TokenizerReport } from './budgetTypes';
import { contextFixOf, engineHandlingOf, serverConfiguredSettings, serverEngine, serverLimitReading, windowLimitOf } from './engineVerdict';
import type { ContextFix, EngineHandling, WindowLimit } from './engineVerdict';
import type { TargetProblem } from './resolveTarget';

export interface ReportTarget {
  readonly model: ModelSpec;
  readonly gpu: GpuSpec;
  /** Problems resolving the target (bad config.json, unknown id): shown as model-setup warnings. */
  readonly problems?: readonly TargetProblem[];
  /** The tokenizer resolved with the model; absent: the settings' encoding, labelled for the model. */
  readonly tokenizer?: CountingTokenizer;
}

/** The tokenizer a target counts with: the resolved one, or the settings' encoding labelled for the model. */
export function countingTokenizerOf(settings: Settings, target: ReportTarget): CountingTokenizer {
  return target.tokenizer ?? defaultCountingTokenizer(settings, target.model);
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
  /** The maximum window used and where it comes from (a running server, the engine profile, the model). */
  readonly windowLimit: WindowLimit;
  /** The largest context that fits, against that window (a server's limit replaces the engine's). */
  readonly maxContext: MaxContext;
  /** What the engine does with a prompt it does not take whole (front-drop, rejection) and the files cut; null when it takes it. */
  readonly engineHandling: EngineHandling | null;
  /** The server setting that would make the prompt fit, with its KV and time-to-first-token cost; null when it fits. */
  readonly contextFix: ContextFix | null;
  /** The live server check given to the assessment (null when no server is set). */
  readonly server: ServerCheck | null;
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
  /** The live check of `settings.server`, when one is set: its limit becomes the maximum window. */
  readonly server?: ServerCheck | null;
}

/**
 * The one place a prompt's verdict is put together: windows, placement risk, cost with its
 * assumptions, warnings and whether it is within limits. `buildBudgetReport` adds the file rows;
 * the CLI's `estimate` uses it for a bare token count.
 */
export function assessPrompt(input: PromptInput): PromptAssessment {
  const { target, promptTokens } = input;
  const { model } = target;
  const server = input.server ?? null;
  // A running server of the chosen engine fills the knobs left unset with what it was started with.
  const configured = serverConfiguredSettings(input.settings, server);
  const settings = configured?.settings ?? input.settings;
  const { costInput, computeEfficiency, memoryEfficiency } = costInputOf(settings, target, promptTokens, configured?.knobsFrom);
  const cost = estimateCost(costInput);
  // The maximum the risk uses: a running server's limit (what it was started with), else the window
  // the engine accepts (vLLM max_model_len, llama.cpp n_ctx_train, Ollama num_ctx), else the model's.
  const reading = serverLimitReading(server);
  const windows = windowsFor(model, reading ? reading.limitTokens : settings.engine === 'ideal' ? undefined : cost.engine.maxWindowTokens);
  const windowLimit = windowLimitOf(cost.engine, windows.max, server);
  let fileTokens = 0;
  for (const file of input.files) fileTokens += file.tokens;
  const risk = assessRisk({
    files: input.files,
    leadingTokens: Math.max(0, promptTokens - fileTokens),
    reserveOutputTokens: settings.reserveOutputTokens,
    windows,
  });
  const engineHandling = engineHandlingOf({
    engine: cost.engine,
    server,
    limit: windowLimit,
    model,
    promptTokens,
    reserveOutputTokens: settings.reserveOutputTokens,
    placements: risk.files,
  });
  const totalTokens = promptTokens + settings.reserveOutputTokens;
  const fixEngine = reading ? serverEngine[reading.kind] : settings.engine;
  const needsFix = engineHandling !== null || (windowLimit.source !== 'model' && totalTokens > windowLimit.tokens);
  const contextFix = needsFix
    ? contextFixOf({
        costInput,
        engine: fixEngine,
        currentLimit: windowLimit.tokens,
        handling: engineHandling?.handling ?? { kind: 'accepted' },
        reading: reading ?? null,
      })
    : null;
  const budgetTokens = settings.budgetTokens > 0 ? settings.budgetTokens : null;
  const tokenizer = countingTokenizerOf(settings, target);
  const warnings: Warning[] = [
    ...(target.problems ?? []).map((problem): Warning => ({
      id: 'model-config-problem',
      severity: 'warning',
      category: 'model-setup',
      message: problem.fallback ? `${problem.message} ${problem.fallback}` : problem.message,
      why: 'The estimates are for the model named in the message, not the one you asked for, until the problem is fixed.',
      numbers: {},
    })),
    ...tokenizer.problems.map((problem): Warning => ({
      id: 'tokenizer-problem',
      severity: 'warning',
      category: 'model-setup',
      message: `${endSentence(problem)} Counting with ${tokenizer.label}.`,
      why: "Until the model's own tokenizer can be read, token counts estimate the model's: Gemma and DeepSeek count 5–20% more tokens than o200k_base on the same text.",
      numbers: {},
    })),
    ...buildWarnings({
      cost,
      risk,
      model,
      gpuCount: settings.gpuCount,
      budgetTokens: budgetTokens ?? undefined,
      promptTokens,
      reserveOutputTokens: settings.reserveOutputTokens,
      gpuName: target.gpu.name,
      windowLimit,
      engineHandling,
      contextFix,
      server,
      engineId: settings.engine,
    }),
  ];
  const withinBudget = budgetTokens === null || promptTokens <= budgetTokens;
  return {
    windows,
    risk,
    cost,
    assumptions: {
      computeEfficiency,
      memoryEfficiency,
      memoryUtilization: settings.memoryUtilization,
      weightDtype: cost.weightsLabel,
      kvDtype: settings.kvCacheDtype,
      batchSize: settings.batchSize,
    },
    warnings,
    totalTokens,
    budgetTokens,
    windowShare: windows.max > 0 ? totalTokens / windows.max : 0,
    effectiveShare: windows.effective > 0 ? totalTokens / windows.effective : 0,
    withinLimits: risk.level !== 'beyond' && cost.fits && withinBudget && engineHandling === null,
    windowLimit,
    maxContext: windowLimit.source === 'server' ? maxContextOf(cost.maxContext.memoryLimitTokens, windows.max) : cost.maxContext,
    engineHandling,
    contextFix,
    server,
  };
}

/**
 * The cost engine's input for these settings and this prompt, with the efficiencies it assumes and
 * where they come from: the one mapping from settings to `estimateCost`, used by the verdict, the
 * fix and the panel's memory curve.
 */
export function costInputOf(
  settings: Settings,
  target: ReportTarget,
  promptTokens: number,
  knobsFrom?: string,
): { readonly costInput: CostInput; readonly computeEfficiency: Assumption; readonly memoryEfficiency: Assumption } {
  const { model, gpu } = target;
  const efficiencies = defaultEfficiencies(gpu);
  const computeEfficiency: Assumption =
    settings.computeEfficiency === null
      ? efficiencies.computeEfficiency
      : { value: settings.computeEfficiency, source: `your setting ${settingName('computeEfficiency')}` };
  const memoryEfficiency: Assumption =
    settings.memoryEfficiency === null
      ? efficiencies.memoryEfficiency
      : { value: settings.memoryEfficiency, source: `your setting ${settingName('memoryEfficiency')}` };
  const costInput: CostInput = {
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
    engine: { ...engineOptionsOf(settings), ...(knobsFrom !== undefined ? { knobsFrom } : {}) },
  };
  return { costInput, computeEfficiency, memoryEfficiency };
}

/**
 * The tokens a file really adds to the prompt: its content, or, with export framing on, the file as
 * exported (tags and path included). Undefined while that figure is still being counted or when the
 * file was not counted. Every "tokens", "saves" and "after" figure is built from this.
 */
export function fileFootprint(file: BudgetFileInput, framingOn: boolean): number | undefined {
  if (file.count?.kind !== 'counted') return undefined;
  if (file.mode === 'outline') {
    // An outline stands in for the file; a file with no outline goes in full (the row says why).
    if (file.outline === undefined) return undefined;
    if (file.outline.kind === 'counted') return framingOn ? file.outline.framedTokens : file.outline.tokens;
  }
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
  readonly mode: BudgetFileRow['mode'];
  readonly outlineState: BudgetFileRow['outlineState'];
  readonly modeNote: string | null;
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
  return (
    a.count === b.count &&
    a.framedTokens === b.framedTokens &&
    a.included === b.included &&
    a.focus === b.focus &&
    a.pinned === b.pinned &&
    a.open === b.open &&
    a.recent === b.recent &&
    a.relativePath === b.relativePath &&
    a.mode === b.mode &&
    a.outline === b.outline
  );
}

function rowPart(file: BudgetFileInput, framingOn: boolean): RowPart {
  const count = file.count;
  const footprint = fileFootprint(file, framingOn);
  const framedPending = count?.kind === 'counted' && footprint === undefined;
  const status: BudgetFileRow['status'] =
    !count || (framedPending && file.included) ? 'pending' : count.kind === 'skipped' ? 'skipped' : file.included ? 'counted' : 'excluded';
  return {
    from: file,
    framingOn,
    status,
    tokens: footprint ?? null,
    skipMessage: count?.kind === 'skipped' ? count.message : null,
    notes: count?.kind === 'counted' ? count.notes : [],
    framingTokens: framingOn && count?.kind === 'counted' && footprint !== undefined ? footprint - (contentTokens(file) ?? 0) : null,
    secrets: secretsOf(file.relativePath, count?.kind === 'counted' ? count.secrets : undefined),
    mode: file.included ? (file.mode ?? 'full') : 'dropped',
    outlineState: file.mode !== 'outline' ? null : file.outline === undefined ? 'pending' : file.outline.kind,
    modeNote: modeNoteOf(file),
    placed:
      file.included && footprint !== undefined
        ? { path: file.uri, label: file.relativePath, tokens: footprint, focus: file.focus }
        : undefined,
  };
}

/** The tokens of the file's own text in the prompt (outline or full), framing left out. */
function contentTokens(file: BudgetFileInput): number | undefined {
  if (file.count?.kind !== 'counted') return undefined;
  return file.mode === 'outline' && file.outline?.kind === 'counted' ? file.outline.tokens : file.count.tokens;
}

/** The row's line about its mode: what an outline stands for, or why an outline-mode file is in full. */
function modeNoteOf(file: BudgetFileInput): string | null {
  if (file.mode !== 'outline') return null;
  if (file.count?.kind !== 'counted') return 'outline, once the file is counted';
  if (file.outline === undefined) return 'outline being made and counted';
  if (file.outline.kind === 'unavailable') return `no outline (${file.outline.reason}): counted and exported in full`;
  return `outline of a ${formatInteger(file.count.tokens)}-token file; the export writes the outline`;
}

/**
 * The report for files in prompt order: the verdict ({@link assessPrompt}) plus a row per file. The
 * status bar, tree, panel, chat and CLI all render this object. With a {@link ReportMemo} (the
 * session keeps one), rows whose file did not change are not recomputed.
 */
export function buildBudgetReport(
  files: readonly BudgetFileInput[],
  settings: Settings,
  target: ReportTarget,
  extras: ReportExtras = { treeTokens: null },
  memo: ReportMemo = new ReportMemo(),
): BudgetReport {
  const { model, gpu } = target;
  const framingOn = settings.exportFraming !== 'none';
  const parts = files.map((file) => memo.part(file, framingOn));
  memo.commit(files);
  const placed: RiskFileInput[] = [];
  for (const part of parts) if (part.placed) placed.push(part.placed);
  // The directory tree exists only while the export has files; null means it is still being counted.
  const treeTokens = framingOn && settings.exportDirectoryTree && placed.length > 0 ? extras.treeTokens : 0;
  const tokenizer = countingTokenizerOf(settings, target);
  // The chat template belongs to the request, counted once: leading tokens, like the tree (issue 11).
  const templateOverheadTokens = placed.length > 0 ? (tokenizer.templateOverheadTokens ?? 0) : 0;
  const leadingTokens = (treeTokens ?? 0) + templateOverheadTokens;
  let promptTokens = leadingTokens;
  for (const file of placed) promptTokens += file.tokens;
  const assessment = assessPrompt({ files: placed, promptTokens, settings, target, server: extras.server ?? null });
  // Placements come in the order of `placed`, which is the order of the files that have one.
  const placements = assessment.risk.files;
  const counts = { included: 0, counted: 0, pending: 0, skipped: 0, excluded: 0 };
  // The export's framing: the tree and each file's tags (the chat template is not framing).
  const framing = { tokens: treeTokens ?? 0, pending: false };
  const rows = buildRows(files, parts, placements, promptTokens, counts, framing);
  const { risk } = assessment;
  return {
    model: { id: model.id, displayName: model.displayName, origin: model.origin, sources: model.sources },
    gpu: { id: gpu.id, name: gpu.name, count: settings.gpuCount, memoryBytes: gpu.memoryBytes },
    tokenizer: tokenizerReport(tokenizer),
    promptTokens,
    templateOverheadTokens,
    reserveOutputTokens: settings.reserveOutputTokens,
    totalTokens: assessment.totalTokens,
    budgetTokens: assessment.budgetTokens,
    files: rows,
    counts,
    cost: assessment.cost,
    engine: assessment.cost.engine,
    maxContext: assessment.maxContext,
    assumptions: assessment.assumptions,
    risk: { level: risk.level, windows: assessment.windows, focusShare: risk.focusShare, middleBand: risk.middleBand },
    warnings: assessment.warnings,
    windowShare: assessment.windowShare,
    effectiveShare: assessment.effectiveShare,
    withinLimits: assessment.withinLimits,
    windowLimit: assessment.windowLimit,
    engineHandling: assessment.engineHandling,
    contextFix: assessment.contextFix,
    server: assessment.server,
    framing: !framingOn
      ? null
      : {
          format: settings.exportFraming as 'xml' | 'markdown',
          directoryTree: settings.exportDirectoryTree,
          tokens: framing.tokens,
          treeTokens: treeTokens ?? 0,
          pending: treeTokens === null || framing.pending,
        },
    skippedFiles: extras.skippedFiles ?? [],
  };
}

type RowPlacement = { readonly start: number; readonly end: number; readonly level: BudgetFileRow['level']; readonly inMiddle: boolean };

/**
 * A report row, made with `new` rather than an object literal. V8 tracks the objects of each
 * literal's allocation site and pretenures the site once most of them survive a scavenge (Clifford
 * et al., "Memento mori: dynamic allocation-site-based optimizations", ISMM 2015; the
 * `--allocation-site-pretenuring` flag of `node --v8-options`). A report's rows do survive (they live
 * until the next report), so with literals they went straight to old space: with 10,000 rows every
 * warm rebuild touched ~930 fresh pages (3.8 MB) and took 19 ms, 97 pages and 6–8 ms this way
 * (measured with `process.resourceUsage().minorPageFault`). A constructor call has no allocation
 * site. The prototype is Object.prototype, so a row is still a plain object to JSON, structured
 * clone and deep equality.
 */
const ReportRow = function (
  this: { -readonly [K in keyof BudgetFileRow]: BudgetFileRow[K] },
  file: BudgetFileInput,
  part: RowPart,
  placement: RowPlacement | undefined,
  promptTokens: number,
): void {
  const status = part.status;
  const tokens = part.tokens;
  this.uri = file.uri;
  this.relativePath = file.relativePath;
  this.included = file.included;
  this.focus = file.focus;
  this.pinned = file.pinned;
  this.open = file.open ?? false;
  this.recent = file.recent ?? false;
  this.status = status;
  this.tokens = tokens;
  this.share = status === 'counted' && tokens !== null && promptTokens > 0 ? tokens / promptTokens : null;
  this.range = placement ? new TokenRange(placement.start, placement.end) : null;
  this.level = placement ? placement.level : null;
  this.inMiddle = placement?.inMiddle ?? false;
  this.skipMessage = part.skipMessage;
  this.notes = part.notes;
  this.framingTokens = part.framingTokens;
  this.secrets = part.secrets;
  this.mode = part.mode;
  this.outlineState = part.outlineState;
  this.modeNote = part.modeNote;
  if (file.symlinkTarget !== undefined) this.symlinkTarget = file.symlinkTarget;
} as unknown as new (file: BudgetFileInput, part: RowPart, placement: RowPlacement | undefined, promptTokens: number) => BudgetFileRow;
ReportRow.prototype = Object.prototype;

/** A row's token range, made with `new` for the reason {@link ReportRow} is. */
const TokenRange = function (this: { start: number; end: number }, start: number, end: number): void {
  this.start = start;
  this.end = end;
} as unknown as new (start: number, end: number) => { readonly start: number; readonly end: number };
TokenRange.prototype = Object.prototype;

/**
 * The report's rows, one {@link ReportRow} per file, with the counts and framing totals gathered on
 * the way. A plain loop in a top-level function: no closure is made per build.
 */
function buildRows(
  files: readonly BudgetFileInput[],
  parts: readonly RowPart[],
  placements: readonly RowPlacement[],
  promptTokens: number,
  counts: Record<BudgetFileRow['status'] | 'included', number>,
  framing: { tokens: number; pending: boolean },
): BudgetFileRow[] {
  const rows: BudgetFileRow[] = new Array<BudgetFileRow>(files.length);
  let nextPlacement = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const part = parts[i]!;
    const placement = part.placed ? placements[nextPlacement++] : undefined;
    const status = part.status;
    if (file.included) counts.included++;
    counts[status]++;
    if (status === 'counted' && part.framingTokens !== null) framing.tokens += part.framingTokens;
    if (file.included && file.count?.kind === 'counted' && part.tokens === null) framing.pending = true;
    rows[i] = new ReportRow(file, part, placement, promptTokens);
  }
  return rows;
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

/** The report's view of the counting tokenizer. */
export function tokenizerReport(tokenizer: CountingTokenizer): TokenizerReport {
  return {
    id: tokenizer.id,
    name: tokenizer.name,
    source: tokenizer.source,
    exactForModel: tokenizer.exactForModel,
    label: tokenizer.label,
    download: tokenizer.download,
  };
}

/** Parser and file messages end without a full stop; one is needed before the next sentence. */
function endSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

const noSecrets: readonly string[] = [];

/** Name and content hints, deduplicated; the shared empty array for the common case of none. */
function secretsOf(relativePath: string, contentHints: readonly string[] | undefined): readonly string[] {
  const byName = secretNameHints(relativePath);
  if (byName.length === 0 && !contentHints?.length) return noSecrets;
  return [...new Set([...byName, ...(contentHints ?? [])])];
}
