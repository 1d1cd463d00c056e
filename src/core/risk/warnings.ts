/**
 * Structured warnings: one per problem, each tied to one bottleneck, with a one-line message that
 * already carries the numbers and a paragraph of why, grounded in the shared reference
 * (`/work/shared/reference/llm-reference.json`). The status bar, panel and CLI render the same objects.
 */
import type { CostBreakdown } from '../cost/costTypes';
import type { ModelSpec } from '../model/modelSpec';
import { formatBytes, formatFlops, formatInteger, formatPercent } from '../units';
import type { RiskReport, Warning } from './riskTypes';
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
}

const severityRank: Readonly<Record<Warning['severity'], number>> = { error: 0, warning: 1, info: 2 };

/**
 * Every warning that applies, errors first, then warnings, then info; within a severity in the
 * fixed order of {@link warningIds}. Past the maximum window only the beyond-max error is raised
 * for position, since the effective and trained windows are then moot.
 *
 * Severity choices: not fitting and past max are errors (the request cannot run as asked); position
 * and retrieval risks and the user's budget are warnings (it runs, worse); attention dominating
 * prefill is info, because it is a cost already visible in the prefill time, not a quality risk.
 * The over-budget warning is filed under attention-compute: a prompt budget exists to cap
 * per-request compute, latency and price, all of which scale with prompt tokens.
 */
export function buildWarnings(input: WarningsInput): Warning[] {
  const { cost, risk, model } = input;
  const windows = risk.windows;
  const promptTokens = input.promptTokens ?? risk.files.reduce((sum, file) => sum + file.tokens, 0);
  const reserveOutputTokens = input.reserveOutputTokens ?? Math.max(0, cost.tokens - promptTokens);
  const totalTokens = promptTokens + reserveOutputTokens;
  const tokensText = `${formatInteger(totalTokens)} tokens (prompt ${formatInteger(promptTokens)} + reserved output ${formatInteger(reserveOutputTokens)})`;
  const gpus = `${input.gpuCount}× ${input.gpuName ?? 'GPU'}`;
  const warnings: Warning[] = [];

  if (cost.weightsBytes > cost.usableMemoryBytes) {
    warnings.push({
      id: warningIds.weightsDoNotFit,
      severity: 'error',
      bottleneck: 'kv-memory',
      message: `Weights alone need ${formatBytes(cost.weightsBytes)} but ${gpus} give ${formatBytes(cost.usableMemoryBytes)} usable: no context fits.`,
      why: 'Weight memory is parameters × bytes per parameter (HF Llama 3.1 blog: 70B is 140 GB in FP16, 70 GB in FP8, 35 GB in INT4), and every GPU must hold its share before any KV cache is allocated; vLLM usable memory is total × gpu_memory_utilization (default 0.9). Dropping files cannot help: use more GPUs, a smaller weight dtype, or a smaller model.',
      numbers: { weightsBytes: cost.weightsBytes, usableMemoryBytes: cost.usableMemoryBytes, gpuCount: input.gpuCount },
    });
  } else if (!cost.fits) {
    warnings.push({
      id: warningIds.kvDoesNotFit,
      severity: 'error',
      bottleneck: 'kv-memory',
      message: `Needs ${formatBytes(cost.totalBytes)} (weights ${formatBytes(cost.weightsBytes)} + KV cache ${formatBytes(cost.kvCacheBytes)}) but ${gpus} give ${formatBytes(cost.usableMemoryBytes)} usable; at most ${formatInteger(cost.maxContextTokens)} tokens fit.`,
      why: `The KV cache stores keys and values for every token held, per layer: 2 × KV heads × head dim × bytes (${formatBytes(cost.kvBytesPerToken)} per token for this model before window caps; Llama-3.1-8B at bf16 is 128 KiB), times the batch. vLLM refuses to start when "the model's max seq len is larger than the maximum number of tokens that can be stored in KV cache". Drop files, reserve fewer output tokens, use an fp8 KV cache (half the bytes) or add GPUs.`,
      numbers: { totalBytes: cost.totalBytes, weightsBytes: cost.weightsBytes, kvCacheBytes: cost.kvCacheBytes, usableMemoryBytes: cost.usableMemoryBytes, maxContextTokens: cost.maxContextTokens, tokens: totalTokens },
    });
  }

  if (totalTokens > windows.max) {
    warnings.push({
      id: warningIds.beyondMaxWindow,
      severity: 'error',
      bottleneck: 'position-extrapolation',
      message: `${tokensText} exceed ${model.displayName}'s maximum window of ${formatInteger(windows.max)} tokens by ${formatInteger(totalTokens - windows.max)}.`,
      why: 'Positions past the maximum window were never trained or scaled for: servers reject or truncate the request, and where they do not, RoPE models "fail to generalize past the sequence length they were trained on" (YaRN). Llama-2-7B\'s perplexity goes from 5.58 at its 4,096-token window to 38.59 at 6,000 tokens (attention_sinks benchmark).',
      numbers: { tokens: totalTokens, maxWindowTokens: windows.max },
      files: risk.files.filter((file) => file.level === 'beyond').map((file) => file.path),
    });
  } else {
    if (totalTokens > windows.trained && windows.trained < windows.max) {
      const scaling = model.ropeScaling;
      const scalingText = scaling ? ` (${scaling.type} RoPE scaling ×${scaling.factor})` : '';
      warnings.push({
        id: warningIds.untrainedScaledRange,
        severity: 'warning',
        bottleneck: 'position-extrapolation',
        message: `${tokensText} are past the ${formatInteger(windows.trained)}-token window the model was trained at; the range up to ${formatInteger(windows.max)} relies on position scaling${scalingText}.`,
        why: 'RoPE scaling (Position Interpolation, YaRN, LongRoPE) stretches positions so longer inputs are accepted, but quality there depends on training at that length: Position Interpolation needed about 1,000 fine-tuning steps to reach 32K, DeepSeek-V2 trained 1,000 steps at 32K for its YaRN 128K, and Qwen warns that static YaRN "may impact performance on shorter texts". Treat the untrained range as degraded.',
        numbers: { tokens: totalTokens, trainedWindowTokens: windows.trained, maxWindowTokens: windows.max },
      });
    }
    if (totalTokens > windows.effective) {
      const beyond = risk.files.filter((file) => file.end > windows.effective).map((file) => file.path);
      const sourceText = windows.effectiveSource === 'RULER' ? 'RULER, measured' : 'estimated as ¼ of the claimed window';
      warnings.push({
        id: warningIds.beyondEffectiveWindow,
        severity: 'warning',
        bottleneck: 'retrieval-dilution',
        message: `${tokensText} are past the effective window of ${formatInteger(windows.effective)} tokens (${sourceText}); ${beyond.length} ${beyond.length === 1 ? 'file ends' : 'files end'} beyond it.`,
        why: 'RULER defines a model\'s effective length as the longest context where it still beats Llama-2-7B\'s 4K score (85.6); across its table the median effective length is ¼ of the claimed one (Llama 3.1 8B: 32K of 128K). NoLiMa, which removes literal word overlap between question and answer, finds shorter still (Llama 3.1 8B: 1K; GPT-4o: 8K), with 10 of 12 models below half their short-context score at 32K. Content past this point is often missed or misread.',
        numbers: { tokens: totalTokens, effectiveWindowTokens: windows.effective },
        files: beyond,
      });
    }
  }

  const attentionShare = cost.prefillFlops.total > 0 ? cost.prefillFlops.attention / cost.prefillFlops.total : 0;
  if (attentionShare > attentionShareThreshold) {
    warnings.push({
      id: warningIds.attentionDominatesPrefill,
      severity: 'info',
      bottleneck: 'attention-compute',
      message: `Attention is ${formatPercent(attentionShare)} of prefill compute (${formatFlops(cost.prefillFlops.attention)} of ${formatFlops(cost.prefillFlops.total)}).`,
      why: `Linear layers cost 2 × active parameters FLOPs per token, but attention scores grow with the square of the prompt because each token attends to all earlier ones; the ratio is about T ÷ (8 × d_model) (scaling-book), so attention dominates past roughly 8 × ${formatInteger(model.hiddenSize)} = ${formatInteger(8 * model.hiddenSize)} tokens for this model. From here, doubling the prompt more than triples time to first token.`,
      numbers: { attentionShare, attentionFlops: cost.prefillFlops.attention, totalFlops: cost.prefillFlops.total },
    });
  }

  const focusInMiddle = risk.files.filter((file) => file.focus && file.inMiddle);
  if (focusInMiddle.length > 0 && risk.middleBand) {
    warnings.push({
      id: warningIds.focusInMiddle,
      severity: 'warning',
      bottleneck: 'retrieval-dilution',
      message: `${focusInMiddle.length} focus ${focusInMiddle.length === 1 ? 'file sits' : 'files sit'} in the middle of the prompt (tokens ${formatInteger(risk.middleBand.start)}–${formatInteger(risk.middleBand.end)}): ${listPaths(focusInMiddle.map((file) => file.path))}.`,
      why: 'Lost in the Middle (Liu et al., 2023) found a U-shaped curve: models use information at the start or end of the context best and degrade in the middle, even long-context models. GPT-3.5-Turbo with the answer mid-context among 20 documents fell to about its closed-book level (≈75% first, <55% middle). Move focus files to the end, next to the question, or to the start.',
      numbers: { files: focusInMiddle.length, middleBandStart: risk.middleBand.start, middleBandEnd: risk.middleBand.end },
      files: focusInMiddle.map((file) => file.path),
    });
  }

  const hasFocus = risk.files.some((file) => file.focus);
  if (hasFocus && promptTokens >= middleBandMinPromptTokens && risk.focusShare < focusShareLowThreshold) {
    warnings.push({
      id: warningIds.focusShareLow,
      severity: 'warning',
      bottleneck: 'retrieval-dilution',
      message: `Focus files are ${formatPercent(risk.focusShare)} of the ${formatInteger(promptTokens)}-token prompt (${formatInteger(Math.round(risk.focusShare * promptTokens))} tokens); the rest is context the model must search past.`,
      why: 'Retrieval accuracy falls as the text around the relevant part grows: in NoLiMa 10 of 12 models drop below half their short-context score at 32K tokens, and Lost in the Middle reports performance decreasing as the input context grows longer. Dropping files unrelated to the task raises the focus share and shortens the prompt.',
      numbers: { focusShare: risk.focusShare, promptTokens },
      files: risk.files.filter((file) => file.focus).map((file) => file.path),
    });
  }

  const budget = input.budgetTokens ?? 0;
  if (budget > 0 && promptTokens > budget) {
    warnings.push({
      id: warningIds.overBudget,
      severity: 'warning',
      bottleneck: 'attention-compute',
      message: `Prompt is ${formatInteger(promptTokens)} tokens, ${formatInteger(promptTokens - budget)} over your ${formatInteger(budget)}-token budget.`,
      why: 'A budget you set yourself. Every prompt token costs prefill compute (2 × active parameters FLOPs plus attention over all earlier tokens), time to first token and, on hosted models, money. Suggest Drops finds the files whose removal loses the least.',
      numbers: { promptTokens, budgetTokens: budget, overTokens: promptTokens - budget },
    });
  }

  // Array.prototype.sort is stable, so equal severities keep the push order above.
  return warnings.sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
}

function listPaths(paths: readonly string[]): string {
  const shown = paths.slice(0, 3).join(', ');
  return paths.length > 3 ? `${shown} and ${paths.length - 3} more` : shown;
}
