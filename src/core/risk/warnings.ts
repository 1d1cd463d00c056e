/**
 * Structured warnings: one per problem, each in one category (see vocabulary.ts), with a one-line
 * message that already carries the numbers and a paragraph of why. The evidence is cited where it is
 * used: RULER (Hsieh et al., 2024, arXiv:2404.06654), NoLiMa (Modarressi et al., 2025,
 * arXiv:2502.05167), Lost in the Middle (Liu et al., 2023, arXiv:2307.03172), YaRN (Peng et al., 2023,
 * arXiv:2309.00071), the HF Llama 3.1 blog (huggingface.co/blog/llama31) and vLLM's documentation.
 * The status bar, panel and CLI render the same objects.
 */
import type { ContextFix, EngineHandling, WindowLimit } from '../analysis/engineVerdict';
import type { CostBreakdown, EngineId } from '../cost/costTypes';
import type { ModelSpec } from '../model/modelSpec';
import type { ServerCheck } from '../server/serverCheck';
import { formatBytes, formatFlops, formatInteger, formatPercent } from '../units';
import { effectiveWindowSourceLabel, settingName } from '../vocabulary';
import type { FilePlacement, FileRef, RiskReport, Warning } from './riskTypes';
import { middleBandMinPromptTokens } from './riskEngine';

/** Stable warning ids: presenters and tests key on them, so never rename one. */
export const warningIds = {
  weightsDoNotFit: 'weights-do-not-fit',
  kvDoesNotFit: 'kv-does-not-fit',
  beyondMaxWindow: 'beyond-max-window',
  untrainedScaledRange: 'untrained-scaled-range',
  beyondEffectiveWindow: 'beyond-effective-window',
  attentionDominatesPrefill: 'attention-dominates-prefill',
  focusInMiddle: 'focus-in-middle',
  focusShareLow: 'focus-share-low',
  overBudget: 'over-budget',
  engineFrontDrop: 'engine-front-drop',
  engineRejects: 'engine-rejects',
  serverCheckFailed: 'server-check-failed',
  serverEngineMismatch: 'server-engine-mismatch',
} as const;

/** Attention's share of prefill FLOPs above which {@link warningIds.attentionDominatesPrefill} is raised. */
export const attentionShareThreshold = 0.5;

/**
 * Focus share below which a long prompt (≥ middleBandMinPromptTokens) raises
 * {@link warningIds.focusShareLow}: under 10%, nine of every ten tokens are distractors.
 */
export const focusShareLowThreshold = 0.1;

/** Input to {@link buildWarnings}. */
export interface WarningsInput {
  readonly cost: CostBreakdown;
  readonly risk: RiskReport;
  readonly model: ModelSpec;
  readonly gpuCount: number;
  /** The user's own prompt budget; undefined or 0 means none. */
  readonly budgetTokens?: number;
  /** Prompt tokens; defaults to the sum of `risk.files`. */
  readonly promptTokens?: number;
  /** Reserved output tokens; defaults to cost.tokens − promptTokens. */
  readonly reserveOutputTokens?: number;
  /** GPU name for the memory message, e.g. "NVIDIA H100 SXM5 80GB". */
  readonly gpuName?: string;
  /** The maximum window and where it comes from; absent = the model's own (risk.windows.max). */
  readonly windowLimit?: WindowLimit;
  /** What the engine does with a prompt it does not take whole, and the files cut. */
  readonly engineHandling?: EngineHandling | null;
  /** The setting that would make the prompt fit, quoted in the engine warnings' why. */
  readonly contextFix?: ContextFix | null;
  /** The live server check, when a server is set. */
  readonly server?: ServerCheck | null;
  /** The engine profile the estimates follow. */
  readonly engineId?: EngineId;
}

const severityRank: Readonly<Record<Warning['severity'], number>> = { error: 0, warning: 1, info: 2 };

/** What every warning rule reads: the input plus the derived totals, computed once. */
interface WarningFacts extends WarningsInput {
  readonly promptTokens: number;
  readonly reserveOutputTokens: number;
  readonly totalTokens: number;
  /** "N tokens (prompt P + reserved output R)", the phrase several messages open with. */
  readonly tokensText: string;
  /** "2× NVIDIA H100 SXM5 80GB". */
  readonly gpus: string;
}

/** One rule: the warning it raises for these facts, or nothing. */
type WarningRule = (facts: WarningFacts) => Warning | undefined;

/**
 * Every warning that applies, errors first, then warnings, then info; within a severity in the
 * order of {@link warningRules}. Past the maximum window only the beyond-max error is raised for
 * position, since the effective and trained windows are then moot.
 *
 * Severity choices: not fitting and past max are errors (the request cannot run as asked); position
 * and retrieval risks and the user's budget are warnings (it runs, worse); attention dominating
 * prefill is info, because it is a cost already visible in the prefill time, not a quality risk.
 */
export function buildWarnings(input: WarningsInput): Warning[] {
  const promptTokens = input.promptTokens ?? input.risk.files.reduce((sum, file) => sum + file.tokens, 0);
  const reserveOutputTokens = input.reserveOutputTokens ?? Math.max(0, input.cost.tokens - promptTokens);
  const totalTokens = promptTokens + reserveOutputTokens;
  const facts: WarningFacts = {
    ...input,
    promptTokens,
    reserveOutputTokens,
    totalTokens,
    tokensText: `${formatInteger(totalTokens)} tokens (prompt ${formatInteger(promptTokens)} + reserved output ${formatInteger(reserveOutputTokens)})`,
    gpus: `${input.gpuCount}× ${input.gpuName ?? 'GPU'}`,
  };
  const warnings: Warning[] = [];
  for (const rule of warningRules) {
    const warning = rule(facts);
    if (warning) warnings.push(warning);
  }
  // Array.prototype.sort is stable, so equal severities keep the rule order.
  return warnings.sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
}

const weightsDoNotFit: WarningRule = ({ cost, gpus, gpuCount }) => {
  if (cost.weightsBytes <= cost.usableMemoryBytes) return undefined;
  return {
    id: warningIds.weightsDoNotFit,
    severity: 'error',
    category: 'weights-memory',
    message: `Weights alone need ${formatBytes(cost.weightsBytes)} but ${gpus} give ${formatBytes(cost.usableMemoryBytes)} usable: no context fits.`,
    why: 'Weight memory is parameters × bytes per parameter (HF Llama 3.1 blog: 70B is 140 GB in FP16, 70 GB in FP8, 35 GB in INT4), and every GPU must hold its share before any KV cache is allocated; vLLM usable memory is total × gpu_memory_utilization (default 0.9). Dropping files cannot help: use more GPUs, a smaller weight dtype, or a smaller model.',
    numbers: { weightsBytes: cost.weightsBytes, usableMemoryBytes: cost.usableMemoryBytes, gpuCount },
  };
};

const kvDoesNotFit: WarningRule = ({ cost, gpus, totalTokens }) => {
  if (cost.fits || cost.weightsBytes > cost.usableMemoryBytes) return undefined;
  return {
    id: warningIds.kvDoesNotFit,
    severity: 'error',
    category: 'kv-memory',
    message: `Needs ${formatBytes(cost.totalBytes)} (weights ${formatBytes(cost.weightsBytes)} + KV cache ${formatBytes(cost.kvCacheBytes)}) but ${gpus} give ${formatBytes(cost.usableMemoryBytes)} usable; at most ${formatInteger(cost.maxContextTokens)} tokens fit.`,
    why: `The KV cache stores keys and values for every token held, per layer: 2 × KV heads × head dim × bytes (${formatBytes(cost.kvBytesPerToken)} per token for this model before window caps; Llama-3.1-8B at bf16 is 128 KiB), times the batch. vLLM refuses to start when "the model's max seq len is larger than the maximum number of tokens that can be stored in KV cache". Drop files, reserve fewer output tokens, use an fp8 KV cache (half the bytes) or add GPUs.`,
    numbers: {
      totalBytes: cost.totalBytes,
      weightsBytes: cost.weightsBytes,
      kvCacheBytes: cost.kvCacheBytes,
      usableMemoryBytes: cost.usableMemoryBytes,
      maxContextTokens: cost.maxContextTokens,
      tokens: totalTokens,
    },
  };
};

const beyondMaxWindow: WarningRule = ({ risk, model, totalTokens, tokensText, windowLimit, engineHandling }) => {
  const windows = risk.windows;
  // When the engine cuts or refuses the prompt, that warning says so with the files: this one would repeat it.
  if (totalTokens <= windows.max || engineHandling) return undefined;
  const limitText =
    windowLimit?.source === 'server'
      ? `the running server's limit (${windowLimit.label})`
      : windowLimit?.source === 'engine'
        ? `the window the engine accepts (${windowLimit.label})`
        : `${model.displayName}'s maximum window of ${formatInteger(windows.max)} tokens`;
  return {
    id: warningIds.beyondMaxWindow,
    severity: 'error',
    category: 'position-extrapolation',
    message: `${tokensText} exceed ${limitText} by ${formatInteger(totalTokens - windows.max)}.`,
    why: 'Positions past the maximum window were never trained or scaled for: servers reject or truncate the request, and where they do not, RoPE models "fail to generalize past the sequence length they were trained on" (YaRN). Llama-2-7B\'s perplexity goes from 5.58 at its 4,096-token window to 38.59 at 6,000 tokens (attention_sinks benchmark).',
    numbers: { tokens: totalTokens, maxWindowTokens: windows.max },
    files: refsOf(risk.files.filter((file) => file.level === 'beyond')),
  };
};

const untrainedScaledRange: WarningRule = ({ risk, model, totalTokens, tokensText }) => {
  const windows = risk.windows;
  if (totalTokens > windows.max || totalTokens <= windows.trained || windows.trained >= windows.max) return undefined;
  const scaling = model.ropeScaling;
  const scalingText = scaling ? ` (${scaling.type} RoPE scaling ×${scaling.factor})` : '';
  return {
    id: warningIds.untrainedScaledRange,
    severity: 'warning',
    category: 'position-extrapolation',
    message: `${tokensText} are past the ${formatInteger(windows.trained)}-token window the model was trained at; the range up to ${formatInteger(windows.max)} relies on position scaling${scalingText}.`,
    why: 'RoPE scaling (Position Interpolation, YaRN, LongRoPE) stretches positions so longer inputs are accepted, but quality there depends on training at that length: Position Interpolation needed about 1,000 fine-tuning steps to reach 32K, DeepSeek-V2 trained 1,000 steps at 32K for its YaRN 128K, and Qwen warns that static YaRN "may impact performance on shorter texts". Treat the untrained range as degraded.',
    numbers: { tokens: totalTokens, trainedWindowTokens: windows.trained, maxWindowTokens: windows.max },
  };
};

const beyondEffectiveWindow: WarningRule = ({ risk, totalTokens, tokensText }) => {
  const windows = risk.windows;
  if (totalTokens > windows.max || totalTokens <= windows.effective) return undefined;
  const beyond = risk.files.filter((file) => file.end > windows.effective);
  return {
    id: warningIds.beyondEffectiveWindow,
    severity: 'warning',
    category: 'retrieval-dilution',
    // A bare estimate (no files) has nothing to name: "0 files end beyond it" would read as good news.
    message: `${tokensText} are past the effective window of ${formatInteger(windows.effective)} tokens (${effectiveWindowSourceLabel(windows.effectiveSource)})${risk.files.length === 0 ? '.' : `; ${beyond.length} ${beyond.length === 1 ? 'file ends' : 'files end'} beyond it.`}`,
    why: "RULER defines a model's effective length as the longest context where it still beats Llama-2-7B's 4K score (85.6); across its table the median effective length is ¼ of the claimed one (Llama 3.1 8B: 32K of 128K). NoLiMa, which removes literal word overlap between question and answer, finds shorter still (Llama 3.1 8B: 1K; GPT-4o: 8K), with 10 of 12 models below half their short-context score at 32K. Content past this point is often missed or misread.",
    numbers: { tokens: totalTokens, effectiveWindowTokens: windows.effective },
    files: refsOf(beyond),
  };
};

const attentionDominatesPrefill: WarningRule = ({ cost, model }) => {
  if (cost.attentionShare <= attentionShareThreshold) return undefined;
  return {
    id: warningIds.attentionDominatesPrefill,
    severity: 'info',
    category: 'attention-compute',
    message: `Attention is ${formatPercent(cost.attentionShare)} of prefill compute (${formatFlops(cost.prefillFlops.attention)} of ${formatFlops(cost.prefillFlops.total)}).`,
    why: `Linear layers cost 2 × active parameters FLOPs per token, but attention scores grow with the square of the prompt because each token attends to all earlier ones; the ratio is about T ÷ (8 × d_model) (scaling-book), so attention dominates past roughly 8 × ${formatInteger(model.hiddenSize)} = ${formatInteger(8 * model.hiddenSize)} tokens for this model. From here, doubling the prompt more than triples time to first token.`,
    numbers: { attentionShare: cost.attentionShare, attentionFlops: cost.prefillFlops.attention, totalFlops: cost.prefillFlops.total },
  };
};

const focusInMiddle: WarningRule = ({ risk }) => {
  const inMiddle = risk.files.filter((file) => file.focus && file.inMiddle);
  if (inMiddle.length === 0 || !risk.middleBand) return undefined;
  return {
    id: warningIds.focusInMiddle,
    severity: 'warning',
    category: 'retrieval-dilution',
    message: `${inMiddle.length} focus ${inMiddle.length === 1 ? 'file sits' : 'files sit'} in the middle of the prompt (tokens ${formatInteger(risk.middleBand.start)}–${formatInteger(risk.middleBand.end)}): ${listPaths(inMiddle.map((file) => file.label))}.`,
    why: 'Lost in the Middle (Liu et al., 2023) found a U-shaped curve: models use information at the start or end of the context best and degrade in the middle, even long-context models. GPT-3.5-Turbo with the answer mid-context among 20 documents fell to about its closed-book level (≈75% first, <55% middle). Move focus files to the end, next to the question, or to the start.',
    numbers: { files: inMiddle.length, middleBandStart: risk.middleBand.start, middleBandEnd: risk.middleBand.end },
    files: refsOf(inMiddle),
  };
};

const focusShareLow: WarningRule = ({ risk, promptTokens }) => {
  const focus = risk.files.filter((file) => file.focus);
  if (focus.length === 0 || promptTokens < middleBandMinPromptTokens || risk.focusShare >= focusShareLowThreshold) return undefined;
  return {
    id: warningIds.focusShareLow,
    severity: 'warning',
    category: 'retrieval-dilution',
    message: `Focus files are ${formatPercent(risk.focusShare)} of the ${formatInteger(promptTokens)}-token prompt (${formatInteger(Math.round(risk.focusShare * promptTokens))} tokens); the rest is context the model must search past.`,
    why: 'Retrieval accuracy falls as the text around the relevant part grows: in NoLiMa 10 of 12 models drop below half their short-context score at 32K tokens, and Lost in the Middle reports performance decreasing as the input context grows longer. Dropping files unrelated to the task raises the focus share and shortens the prompt.',
    numbers: { focusShare: risk.focusShare, promptTokens },
    files: refsOf(focus),
  };
};

const overBudget: WarningRule = ({ budgetTokens, promptTokens }) => {
  const budget = budgetTokens ?? 0;
  if (budget <= 0 || promptTokens <= budget) return undefined;
  return {
    id: warningIds.overBudget,
    severity: 'warning',
    category: 'your-budget',
    message: `Prompt is ${formatInteger(promptTokens)} tokens, ${formatInteger(promptTokens - budget)} over your ${formatInteger(budget)}-token budget.`,
    why: 'A budget you set yourself (contextBudget.budgetTokens or --budget). Every prompt token costs prefill compute, time to first token and, on hosted models, money. Suggest Drops finds the files whose removal loses the least.',
    numbers: { promptTokens, budgetTokens: budget, overTokens: promptTokens - budget },
  };
};

const engineFrontDrop: WarningRule = ({ engineHandling, contextFix }) => {
  if (engineHandling?.handling.kind !== 'front-dropped') return undefined;
  const { handling, by, limit, files } = engineHandling;
  const dropped = handling.dropEnd - handling.dropStart;
  return {
    id: warningIds.engineFrontDrop,
    severity: 'error',
    category: 'engine-limit',
    message: `${by} will drop the first ${formatInteger(dropped)} tokens: ${files.length > 0 ? listPaths(files.map(cutLabel)) : 'no file (only the directory tree)'} (it keeps the first ${formatInteger(handling.keep)}; ${limit.label}).`,
    why: `Ollama's runner cuts a prompt longer than num_ctx − 1 tokens without an error: it keeps num_keep tokens (4, plus the BOS token) and drops the front of the rest until half the context is free (ollama/ollama llm/llama_server.go). The model never sees the dropped files, and its answer will not say so.${contextFix ? ` ${contextFix.text}` : ' Drop files (Suggest Drops) or raise num_ctx.'}`,
    numbers: { droppedTokens: dropped, keptTokens: handling.limit, numCtx: limit.tokens, files: files.length },
    files: files.map((file) => ({ uri: file.uri, relativePath: file.relativePath })),
  };
};

const engineRejects: WarningRule = ({ engineHandling, contextFix, promptTokens, reserveOutputTokens }) => {
  if (engineHandling?.handling.kind !== 'rejected') return undefined;
  const { handling, by, limit, files } = engineHandling;
  const withReserve =
    reserveOutputTokens > 0 &&
    handling.maxPromptTokens === Math.max(0, handling.limit - reserveOutputTokens) &&
    handling.maxPromptTokens < handling.limit - 1;
  return {
    id: warningIds.engineRejects,
    severity: 'error',
    category: 'engine-limit',
    message: `${by} will reject this prompt: it is ${formatInteger(promptTokens)} tokens and the server takes at most ${formatInteger(handling.maxPromptTokens)}${withReserve ? ` with ${formatInteger(reserveOutputTokens)} reserved for output` : ''} (${limit.label})${files.length > 0 ? `; past that: ${listPaths(files.map(cutLabel))}` : ''}.`,
    why: `The request fails with an error instead of a completion (${handling.reason}).${contextFix ? ` ${contextFix.text}` : " Drop files (Suggest Drops) or raise the server's context."}`,
    numbers: { promptTokens, maxPromptTokens: handling.maxPromptTokens, limitTokens: limit.tokens, files: files.length },
    files: files.map((file) => ({ uri: file.uri, relativePath: file.relativePath })),
  };
};

const serverCheckFailed: WarningRule = ({ server }) => {
  if (server?.status !== 'failed') return undefined;
  return {
    id: warningIds.serverCheckFailed,
    severity: 'warning',
    category: 'model-setup',
    message: `Server check failed: ${server.message}`,
    why: `The live check (${settingName('server')}, CLI --server) reads the limit a running llama-server, Ollama, vLLM or SGLang was started with. Until it answers, the window and the cut or rejected files follow the engine profile (${settingName('engine')}) and its defaults, which may not be what the server runs.`,
    numbers: {},
  };
};

const serverEngineMismatch: WarningRule = ({ server, engineId }) => {
  if (server?.status !== 'ok' || engineId === undefined) return undefined;
  const expected = ({ 'llama.cpp': 'llama.cpp', ollama: 'ollama', vllm: 'vllm', sglang: 'sglang' } as const)[server.kind];
  if (engineId === expected) return undefined;
  return {
    id: warningIds.serverEngineMismatch,
    severity: 'info',
    category: 'model-setup',
    message: `The server at ${server.url} is ${server.serverName}, but the memory estimates follow the ${engineId} profile: set ${settingName('engine')} (--engine) to ${expected} for its allocation rules.`,
    why: "The server's limit is used for the window and for what gets cut either way; the KV-cache and memory figures come from the engine profile you chose, and each engine allocates differently (padding, sliding-window caches, paged blocks).",
    numbers: {},
  };
};

/** The rules in the order warnings of equal severity are listed. */
const warningRules: readonly WarningRule[] = [
  weightsDoNotFit,
  kvDoesNotFit,
  engineFrontDrop,
  engineRejects,
  beyondMaxWindow,
  untrainedScaledRange,
  beyondEffectiveWindow,
  attentionDominatesPrefill,
  focusInMiddle,
  focusShareLow,
  overBudget,
  serverCheckFailed,
  serverEngineMismatch,
];

function cutLabel(file: { readonly relativePath: string; readonly part: 'whole' | 'part' }): string {
  return file.part === 'part' ? `${file.relativePath} (part)` : file.relativePath;
}

function refsOf(placements: readonly FilePlacement[]): FileRef[] {
  return placements.map((file) => ({ uri: file.path, relativePath: file.label }));
}

function listPaths(paths: readonly string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}
