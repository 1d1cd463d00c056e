import { engineIds } from './cost/costTypes';
import type { EngineId, KvDtype, WeightDtype } from './cost/costTypes';
import type { ExportFormat } from './export/promptExport';
import { encodingNames } from './tokenizer/encoding';
import type { EncodingName } from './tokenizer/encoding';
import { maxGpuCount, settingName, settingsNamespace } from './vocabulary';

/**
 * Every user setting, typed and normalised. Keys mirror package.json `contributes.configuration`
 * under the `contextBudget.` namespace; a drift test keeps them in step.
 */
export interface Settings {
  /** Catalog model id the estimates are for. */
  readonly model: string;
  /** Path to a Hugging Face config.json; when set it overrides `model`. */
  readonly modelConfigPath: string;
  /** A VS Code chat model id: its provider's maxInputTokens is the window; empty for none. */
  readonly chatModel: string;
  /** Catalog GPU id. */
  readonly gpu: string;
  /** Number of GPUs the model is sharded over (ideal tensor parallelism assumed). */
  readonly gpuCount: number;
  /** BPE encoding used to count tokens exactly when the model's own tokenizer is not used. */
  readonly encoding: EncodingName;
  /** `auto`: the model's own tokenizer when it can be had, else `encoding`; or always this encoding. */
  readonly tokenizer: TokenizerSetting;
  /** A tokenizer.json or a .gguf whose vocabulary counts instead of the model's own; empty for none. */
  readonly tokenizerPath: string;
  /** Where Download Tokenizer fetches from (like HF_ENDPOINT), e.g. https://huggingface.co or a mirror. */
  readonly huggingFaceEndpoint: string;
  /** Element type of the KV cache. */
  readonly kvCacheDtype: KvDtype;
  /** Element type of the weights; `native` = the model's own checkpoint format. */
  readonly weightDtype: WeightDtype;
  /** The serving engine whose allocation rules the estimate follows; `ideal` = the reference formula. */
  readonly engine: EngineId;
  /** K cache type (llama.cpp --cache-type-k); null = kvCacheDtype. */
  readonly kCacheDtype: KvDtype | null;
  /** V cache type (llama.cpp --cache-type-v); null = kvCacheDtype. */
  readonly vCacheDtype: KvDtype | null;
  /** llama.cpp physical batch (--ubatch-size) or vLLM chunked-prefill size; null = the engine's default. */
  readonly ubatch: number | null;
  /** llama.cpp --swa-full: sliding-window layers get full-length caches; null = the engine's default. */
  readonly swaFull: boolean | null;
  /** MLA for DeepSeek-style models: auto follows the model file. */
  readonly mla: 'auto' | 'on' | 'off';
  /** vLLM --max-model-len / SGLang --context-length; null = derived from the model config. */
  readonly maxModelLen: number | null;
  /** Context per sequence (llama.cpp -c ÷ -np, Ollama num_ctx); null = the engine's default. */
  readonly numCtx: number | null;
  /** URL of a running llama-server, Ollama, vLLM or SGLang whose configured limit is checked; '' = none (nothing is sent). */
  readonly server: string;
  /** Output tokens reserved on top of the prompt (counted in KV memory and the window). */
  readonly reserveOutputTokens: number;
  /** A token budget of your own; 0 means none. */
  readonly budgetTokens: number;
  /** Concurrent sequences sharing the GPUs (llama.cpp --parallel, Ollama OLLAMA_NUM_PARALLEL). */
  readonly batchSize: number;
  /** Fraction of GPU memory usable for weights + KV cache. */
  readonly memoryUtilization: number;
  /** Achieved / peak FLOP/s in prefill; null = the GPU's published measured-vs-peak default. */
  readonly computeEfficiency: number | null;
  /** Achieved / peak bandwidth in decode; null = the documented default. */
  readonly memoryEfficiency: number | null;
  /** Exclude globs (gitignore syntax) applied when a folder is added. */
  readonly excludes: readonly string[];
  /** Files larger than this many bytes are skipped when a folder is added. */
  readonly maxFileBytes: number;
  /** A folder add stops after this many files. */
  readonly maxFiles: number;
  /** Honour .gitignore files when a folder is added. */
  readonly respectGitignore: boolean;
  /** Leave files that are secrets by name (`.env`, `id_rsa`, `*.pem`…) out of folder adds; naming one adds it, flagged. */
  readonly skipSecretFiles: boolean;
  /** Token badges on selected files and their folders in the Explorer. */
  readonly explorerBadges: boolean;
  /** How the prompt is framed when exported; 'none' budgets the files' content alone. */
  readonly exportFraming: 'none' | ExportFormat;
  /** The export opens with a directory tree (counted in the budget when framing is on). */
  readonly exportDirectoryTree: boolean;
  /** Size cap of the persistent count cache in MiB (counts kept across sessions); 0 turns it off. */
  readonly countCacheMaxMiB: number;
}

export const settingsSection = settingsNamespace;

export const kvDtypes: readonly KvDtype[] = ['bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4', 'f16', 'f32', 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'iq4_nl'];
export const weightDtypes: readonly WeightDtype[] = ['native', 'bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4', 'nf4'];
export const mlaModes: readonly Settings['mla'][] = ['auto', 'on', 'off'];
export const exportFramings: readonly Settings['exportFraming'][] = ['none', 'xml', 'markdown'];

/** `contextBudget.tokenizer`: the model's own tokenizer when available, or an encoding always. */
export type TokenizerSetting = 'auto' | EncodingName;
export const tokenizerSettings: readonly TokenizerSetting[] = ['auto', ...encodingNames];

/** The public Hugging Face Hub, the default of `contextBudget.huggingFaceEndpoint` (huggingface_hub's HF_ENDPOINT default). */
export const defaultHuggingFaceEndpoint = 'https://huggingface.co';

export const defaultSettings: Settings = Object.freeze({
  model: 'gpt-oss-20b',
  modelConfigPath: '',
  chatModel: '',
  gpu: 'h100-sxm',
  gpuCount: 1,
  encoding: 'o200k_base',
  tokenizer: 'auto',
  tokenizerPath: '',
  huggingFaceEndpoint: defaultHuggingFaceEndpoint,
  kvCacheDtype: 'bf16',
  weightDtype: 'native',
  engine: 'ideal',
  kCacheDtype: null,
  vCacheDtype: null,
  ubatch: null,
  swaFull: null,
  mla: 'auto',
  maxModelLen: null,
  numCtx: null,
  server: '',
  reserveOutputTokens: 4096,
  budgetTokens: 0,
  batchSize: 1,
  memoryUtilization: 0.9,
  computeEfficiency: null,
  memoryEfficiency: null,
  excludes: [],
  maxFileBytes: 2 * 1024 * 1024,
  maxFiles: 20000,
  respectGitignore: true,
  skipSecretFiles: true,
  explorerBadges: true,
  exportFraming: 'none',
  exportDirectoryTree: false,
  countCacheMaxMiB: 64,
});

/**
 * The lowest compute or memory efficiency accepted: 1% of peak. Measured prefill and decode
 * efficiencies are tens of percent (README, "Time"); below 1% a setting is a typo, and 1e-300 made
 * time to first token Infinity (JSON null). At 1%, the largest estimate (10^12 tokens on a 10^14-
 * parameter model) is still a finite number of seconds.
 */
export const minEfficiency = 0.01;

/**
 * How each setting's raw value is checked: the one place its type, range and allowed values are
 * defined. parseSettings applies it; a manifest test checks package.json's enums and ranges against it.
 */
export type SettingRule =
  | { readonly kind: 'string'; readonly nonEmpty: boolean }
  /** `optional`: null (the default) means "the engine's default". */
  | { readonly kind: 'integer'; readonly min: number; readonly max: number; readonly optional?: boolean }
  /** A number in (0, 1], or [min, 1] when `min` is given; `optional` allows null for "the documented default". */
  | { readonly kind: 'fraction'; readonly optional: boolean; readonly min?: number }
  | { readonly kind: 'boolean'; readonly optional?: boolean }
  | { readonly kind: 'stringArray' }
  /** `optional`: null or '' means "not set" (the setting falls back to another one). */
  | { readonly kind: 'enum'; readonly values: readonly string[]; readonly optional?: boolean }
  /** An http(s) URL without credentials, query or fragment; a trailing slash is dropped. */
  | { readonly kind: 'url' };

export const settingRules: { readonly [K in keyof Settings]: SettingRule } = {
  model: { kind: 'string', nonEmpty: true },
  modelConfigPath: { kind: 'string', nonEmpty: false },
  chatModel: { kind: 'string', nonEmpty: false },
  gpu: { kind: 'string', nonEmpty: true },
  gpuCount: { kind: 'integer', min: 1, max: maxGpuCount },
  encoding: { kind: 'enum', values: encodingNames },
  tokenizer: { kind: 'enum', values: tokenizerSettings },
  tokenizerPath: { kind: 'string', nonEmpty: false },
  huggingFaceEndpoint: { kind: 'url' },
  kvCacheDtype: { kind: 'enum', values: kvDtypes },
  weightDtype: { kind: 'enum', values: weightDtypes },
  engine: { kind: 'enum', values: engineIds },
  kCacheDtype: { kind: 'enum', values: kvDtypes, optional: true },
  vCacheDtype: { kind: 'enum', values: kvDtypes, optional: true },
  ubatch: { kind: 'integer', min: 1, max: 1_048_576, optional: true },
  swaFull: { kind: 'boolean', optional: true },
  mla: { kind: 'enum', values: mlaModes },
  maxModelLen: { kind: 'integer', min: 1, max: 1_073_741_824, optional: true },
  numCtx: { kind: 'integer', min: 1, max: 1_073_741_824, optional: true },
  server: { kind: 'string', nonEmpty: false },
  reserveOutputTokens: { kind: 'integer', min: 0, max: 100_000_000 },
  budgetTokens: { kind: 'integer', min: 0, max: 1_000_000_000 },
  batchSize: { kind: 'integer', min: 1, max: 100_000 },
  memoryUtilization: { kind: 'fraction', optional: false },
  computeEfficiency: { kind: 'fraction', optional: true, min: minEfficiency },
  memoryEfficiency: { kind: 'fraction', optional: true, min: minEfficiency },
  excludes: { kind: 'stringArray' },
  maxFileBytes: { kind: 'integer', min: 1, max: 1024 * 1024 * 1024 },
  maxFiles: { kind: 'integer', min: 1, max: 1_000_000 },
  respectGitignore: { kind: 'boolean' },
  skipSecretFiles: { kind: 'boolean' },
  explorerBadges: { kind: 'boolean' },
  exportFraming: { kind: 'enum', values: exportFramings },
  exportDirectoryTree: { kind: 'boolean' },
  countCacheMaxMiB: { kind: 'integer', min: 0, max: 4096 },
};


/** The keys `parseSettings` reads, relative to the section (drift-tested against package.json). */
export const settingKeys = Object.keys(defaultSettings) as Array<keyof Settings>;

/** One invalid value, as data: each face words it (the extension names the setting, the CLI its flag). */
export interface SettingProblem {
  readonly key: keyof Settings;
  /** What the value must be, e.g. "a whole number from 1 to 1,024". */
  readonly expected: string;
  /** The value given, shortened for display. */
  readonly got: string;
  /** The default used instead, shortened for display. */
  readonly fallback: string;
}

/** Settings plus one message per value that was invalid and fell back to its default. */
export interface ParsedSettings {
  readonly settings: Settings;
  /** The extension's wording of each problem: `contextBudget.x must be … (got …); using the default ….` */
  readonly problems: readonly string[];
  readonly issues: readonly SettingProblem[];
}

/** The extension's wording of a setting problem. */
export function settingProblemText(problem: SettingProblem): string {
  return `${settingName(problem.key)} must be ${problem.expected} (got ${problem.got}); using the default ${problem.fallback}.`;
}

/**
 * Normalises raw values (from VS Code's configuration or CLI flags). An invalid value never breaks
 * anything: it falls back to the default and yields one problem naming the setting.
 */
export function parseSettings(get: (key: keyof Settings) => unknown): ParsedSettings {
  const issues: SettingProblem[] = [];
  const values: Record<string, unknown> = {};
  for (const key of settingKeys) {
    const raw = get(key);
    // Unset (or null, which VS Code's settings UI writes on reset) means the default; so does '' for an optional choice.
    const rule = settingRules[key];
    const unset = raw === undefined || raw === null || (raw === '' && rule.kind === 'enum' && rule.optional === true);
    const result = unset ? { ok: true as const, value: defaultSettings[key] } : checkValue(rule, raw);
    if (result.ok) {
      values[key] = result.value;
    } else {
      values[key] = defaultSettings[key];
      issues.push({ key, expected: result.expected, got: preview(raw), fallback: preview(defaultSettings[key]) });
    }
  }
  return { settings: Object.freeze(values as unknown as Settings), problems: issues.map(settingProblemText), issues };
}

type Checked = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly expected: string };

function checkValue(rule: SettingRule, value: unknown): Checked {
  switch (rule.kind) {
    case 'string':
      if (typeof value !== 'string' || (rule.nonEmpty && value.trim() === '')) return { ok: false, expected: 'a non-empty string' };
      return { ok: true, value: value.trim() };
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < rule.min || value > rule.max) {
        return { ok: false, expected: `a whole number from ${rule.min.toLocaleString('en-US')} to ${rule.max.toLocaleString('en-US')}${rule.optional ? ", or null for the engine's default" : ''}` };
      }
      return { ok: true, value };
    case 'fraction': {
      const inRange = typeof value === 'number' && (rule.min === undefined ? value > 0 : value >= rule.min) && value <= 1;
      if (!inRange) {
        const range = rule.min === undefined ? 'a number greater than 0 and at most 1' : `a number from ${rule.min} to 1`;
        return { ok: false, expected: rule.optional ? `${range}, or null for the default` : range };
      }
      return { ok: true, value };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false, expected: rule.optional ? "true, false, or null for the engine's default" : 'true or false' };
    case 'stringArray':
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return { ok: false, expected: 'a list of glob strings' };
      return { ok: true, value: Object.freeze(value.filter((item: string) => item.trim() !== '')) };
    case 'enum':
      return typeof value === 'string' && rule.values.includes(value) ? { ok: true, value } : { ok: false, expected: `one of ${rule.values.join(', ')}${rule.optional ? ', or empty for kvCacheDtype' : ''}` };
    case 'url': {
      const url = typeof value === 'string' ? parseHttpUrl(value.trim()) : undefined;
      return url === undefined ? { ok: false, expected: 'an http:// or https:// URL without credentials, query or fragment' } : { ok: true, value: url };
    }
  }
}

/** `https://host/path/` → `https://host/path`; undefined for anything that is not a plain http(s) URL. */
function parseHttpUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}
