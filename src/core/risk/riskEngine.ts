/**
 * Position and retrieval risk: which windows a model has, where each file lands in the prompt, and
 * whether that place is inside what the model handles well. Evidence: RULER's effective lengths
 * (Hsieh et al., 2024, arXiv:2404.06654, Table 3; the catalog carries each model's row and source) and
 * Lost in the Middle's U-curve (Liu et al., 2023, arXiv:2307.03172, Figures 5 and 7).
 */
import type { ModelSpec } from '../model/modelSpec';
import type { FilePlacement, RiskLevel, RiskReport, Windows } from './riskTypes';

/**
 * Effective ÷ claimed window used when a model has no RULER row: 1/4. It is the median of
 * effective_length_tokens ÷ claimed_length_tokens over the 44 rows of the reference's `ruler` table
 * that have both (values 1/256 … 1), and also the median of the 35 rows whose effective length is
 * exact rather than a ">128K" lower bound. It is already a power-of-two fraction, so no rounding.
 */
export const fallbackEffectiveRatio = 0.25;

/**
 * The fallback effective window is never below min(claimed window, 4,096). 4K is the shortest length
 * RULER tests, and 41 of the 44 models in the reference's `ruler` table that have a claimed length
 * stay above RULER's threshold there (only LWM 7B, LongChat 7B and LongAlpaca 13B are "<4K"). So a
 * short-window model is taken as effective over its whole window up to 4K, rather than "degraded" past
 * ¼ of it (a 4K model was degraded past 1,024 tokens before).
 */
export const fallbackEffectiveFloor = 4096;

/**
 * Prompts shorter than this get no middle band. Lost in the Middle's U-curve (reference
 * `lost_in_middle`) is measured on 20-document prompts (gold at positions 0, 4, 9, 14, 19:
 * mpt-30b-instruct 0.537 / 0.518 / 0.522 / 0.527 / 0.562; GPT-3.5-Turbo ≈75% first vs <55% middle).
 * Those prompts are 20 short Wikipedia passages, a few thousand tokens (the paper's setting; the
 * reference gives no token count). 4,096 is the power of two at that scale; below it we do not
 * claim a middle penalty, since the evidence is for prompts at least that long.
 */
export const middleBandMinPromptTokens = 4096;

/** The middle band spans [25%, 75%) of the prompt: the half of it away from both ends of the U-curve. */
export const middleBandStartFraction = 0.25;
/** See {@link middleBandStartFraction}. */
export const middleBandEndFraction = 0.75;

/**
 * The longest sequence a server accepts for the model, as vLLM and transformers derive it
 * (vllm-project/vllm@18ec6629253632af0a384f2ffbb8c6b28af322e7:vllm/config/model.py `_get_and_verify_max_len`):
 * - config `model_max_length` (Command-R) over max_position_embeddings;
 * - llama3, LongRoPE and su scaling do not multiply: max_position_embeddings already holds the scaled
 *   window (Llama 3.2 1B: 131,072, not 8,192 × 32 = 262,144; Phi-3.5-mini: 131,072);
 * - YaRN with an original window gives original × factor (Qwen2.5 with YaRN ×4 added: 32,768 × 4);
 * - linear and dynamic multiply max_position_embeddings, except Gemma 3 whose 128K is already scaled.
 * (vLLM's own default for LongRoPE is the short original window, for speed; it still accepts the long one.)
 */
export function maxWindowOf(model: ModelSpec): number {
  const base = model.modelMaxLength ?? model.maxPositionEmbeddings;
  const scaling = model.ropeScaling;
  if (!scaling || scaling.type === 'default' || scaling.factor <= 1) return base;
  if (scaling.type === 'llama3' || scaling.type === 'longrope') return base;
  if (scaling.type === 'yarn' && scaling.originalMaxPositionEmbeddings !== undefined) {
    return Math.floor(scaling.originalMaxPositionEmbeddings * scaling.factor);
  }
  const gemma3 = (model.hfModelType ?? model.architecture ?? '').includes('gemma3') || model.id.startsWith('gemma-3');
  return gemma3 ? base : Math.floor(base * scaling.factor);
}

/**
 * The windows that decide a model's risk levels.
 * - pretrained: `model.pretrainedWindow`.
 * - max: what the serving engine accepts: `engineMaxWindow` when an engine profile gives one (vLLM
 *   max_model_len, llama.cpp n_ctx_train, Ollama num_ctx), else {@link maxWindowOf}.
 * - trained: `model.trainedWindow` (the model card's claim, e.g. Mistral NeMo 128K where config.json
 *   says 1,024,000); when unpublished, the pretrained window if RoPE scaling is in use (the stretched
 *   range was never trained on), else max. Clamped to max.
 * - effective: the RULER effective length when the model has one (clamped to max); otherwise
 *   max(min(claimed, {@link fallbackEffectiveFloor}), ⌊claimed × {@link fallbackEffectiveRatio}⌋),
 *   where claimed = trainedWindow ?? max (RULER's "claimed length" is the advertised window),
 *   clamped to trained.
 */
export function windowsFor(model: ModelSpec, engineMaxWindow?: number): Windows {
  const pretrained = model.pretrainedWindow;
  const scaling = model.ropeScaling;
  const scaled = scaling !== undefined && scaling.type !== 'default' && scaling.factor > 1;
  const max = engineMaxWindow ?? maxWindowOf(model);
  const trained = Math.min(max, model.trainedWindow ?? (scaled ? pretrained : max));
  if (model.effectiveWindow) {
    return { pretrained, max, trained, effective: Math.min(max, model.effectiveWindow.tokens), effectiveSource: 'RULER' };
  }
  const claimed = Math.min(max, model.trainedWindow ?? max);
  const effective = Math.min(trained, Math.max(Math.min(claimed, fallbackEffectiveFloor), Math.floor(claimed * fallbackEffectiveRatio)));
  return { pretrained, max, trained, effective, effectiveSource: 'fallback' };
}

/**
 * Risk of a sequence whose last token sits at position `tokens` (1-based):
 * - beyond when past the maximum window (the server rejects it or positions extrapolate);
 * - degraded when past the effective window, or past the trained window inside a RoPE-scaled
 *   range the model was not trained at;
 * - ok otherwise. Boundaries are inclusive: exactly `effective` tokens is ok, exactly `max` is not beyond.
 */
export function levelAt(tokens: number, windows: Windows): RiskLevel {
  if (tokens > windows.max) return 'beyond';
  if (tokens > windows.effective || tokens > windows.trained) return 'degraded';
  return 'ok';
}

/** One file of the prompt, in prompt order. */
export interface RiskFileInput {
  /** The file's key. */
  readonly path: string;
  /** The path the user reads; defaults to `path`. */
  readonly label?: string;
  readonly tokens: number;
  readonly focus: boolean;
}

/** Input to {@link assessRisk}. */
export interface RiskInput {
  /** Files in prompt order. */
  readonly files: readonly RiskFileInput[];
  /**
   * Tokens that open the prompt before the first file and belong to no file (the export's directory
   * tree). They shift every file's position and count toward the prompt, but are not a file.
   */
  readonly leadingTokens?: number;
  readonly reserveOutputTokens: number;
  readonly windows: Windows;
}

/**
 * The middle band of a prompt of `promptTokens` tokens: [⌊P/4⌋, ⌊3P/4⌋), or null when the prompt is
 * shorter than {@link middleBandMinPromptTokens}.
 */
export function middleBandFor(promptTokens: number): { readonly start: number; readonly end: number } | null {
  if (promptTokens < middleBandMinPromptTokens) return null;
  return { start: Math.floor(promptTokens * middleBandStartFraction), end: Math.floor(promptTokens * middleBandEndFraction) };
}

/** True when the midpoint of [start, end) lies in the band. */
export function midpointInBand(start: number, end: number, band: { readonly start: number; readonly end: number } | null): boolean {
  if (!band) return false;
  const midpoint = (start + end) / 2;
  return midpoint >= band.start && midpoint < band.end;
}

/**
 * Places every file in the prompt and rates it.
 * - Each file gets [start, end) in prompt order and the level at its END position, so a file whose
 *   tail crosses the effective window is degraded even if it starts inside.
 * - The overall level is taken at promptTokens + reserveOutputTokens: generated tokens occupy
 *   positions too.
 * - inMiddle: the file's midpoint lies in {@link middleBandFor}'s band.
 * - focusShare: focus tokens ÷ prompt tokens; 1 when no file is marked focus or the prompt is empty.
 * - leadingTokens (the export's directory tree) open the prompt: they count toward its length and
 *   shift every file, but they are not a file and never appear in `files`.
 */
export function assessRisk(input: RiskInput): RiskReport {
  const leadingTokens = input.leadingTokens ?? 0;
  let promptTokens = leadingTokens;
  for (const file of input.files) promptTokens += file.tokens;
  const middleBand = middleBandFor(promptTokens);
  const files: FilePlacement[] = [];
  let position = leadingTokens;
  let focusTokens = 0;
  let anyFocus = false;
  for (const file of input.files) {
    const start = position;
    const end = start + file.tokens;
    position = end;
    if (file.focus) {
      anyFocus = true;
      focusTokens += file.tokens;
    }
    files.push({
      path: file.path,
      label: file.label ?? file.path,
      tokens: file.tokens,
      start,
      end,
      level: levelAt(end, input.windows),
      inMiddle: midpointInBand(start, end, middleBand),
      focus: file.focus,
    });
  }
  return {
    level: levelAt(promptTokens + input.reserveOutputTokens, input.windows),
    windows: input.windows,
    files,
    focusShare: anyFocus && promptTokens > 0 ? focusTokens / promptTokens : 1,
    middleBand,
  };
}
