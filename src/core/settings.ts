import { engineIds } from './cost/costTypes';
import type { EngineId, KvDtype, WeightDtype } from './cost/costTypes';
import type { ExportFormat } from './export/promptExport';
import { isEncodingName } from './tokenizer/encoding';
import type { EncodingName } from './tokenizer/encoding';

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
  /** BPE encoding used to count tokens exactly. */
  readonly encoding: EncodingName;
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
  /** Token badges on selected files and their folders in the Explorer. */
  readonly explorerBadges: boolean;
  /** How the prompt is framed when exported; 'none' budgets the files' content alone. */
  readonly exportFraming: 'none' | ExportFormat;
  /** The export opens with a directory tree (counted in the budget when framing is on). */
  readonly exportDirectoryTree: boolean;
}

export const settingsSection = 'contextBudget';

export const kvDtypes: readonly KvDtype[] = ['bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4', 'f16', 'f32', 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'iq4_nl'];
export const weightDtypes: readonly WeightDtype[] = ['native', 'bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4', 'nf4'];

export const defaultSettings: Settings = Object.freeze({
  model: 'gpt-oss-20b',
  modelConfigPath: '',
  chatModel: '',
  gpu: 'h100-sxm',
  gpuCount: 1,
  encoding: 'o200k_base',
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
  explorerBadges: true,
  exportFraming: 'none',
  exportDirectoryTree: false,
});

/** The keys `parseSettings` reads, relative to the section (drift-tested against package.json). */
export const settingKeys = Object.keys(defaultSettings) as Array<keyof Settings>;

/** Settings plus one message per value that was invalid and fell back to its default. */
export interface ParsedSettings {
  readonly settings: Settings;
  readonly problems: readonly string[];
}

/**
 * Normalises raw values (from VS Code's configuration or CLI flags). An invalid value never breaks
 * anything: it falls back to the default and yields one clear message naming the setting.
 */
export function parseSettings(get: (key: keyof Settings) => unknown): ParsedSettings {
  const problems: string[] = [];
  const reader = new FieldReader(get, problems);
  const settings: Settings = {
    model: reader.string('model', { nonEmpty: true }),
    modelConfigPath: reader.string('modelConfigPath', {}),
    chatModel: reader.string('chatModel', {}),
    gpu: reader.string('gpu', { nonEmpty: true }),
    gpuCount: reader.integer('gpuCount', 1, 1024),
    encoding: reader.oneOf('encoding', isEncodingName, 'o200k_base or cl100k_base'),
    kvCacheDtype: reader.oneOf('kvCacheDtype', (v): v is KvDtype => (kvDtypes as readonly unknown[]).includes(v), kvDtypes.join(', ')),
    weightDtype: reader.oneOf('weightDtype', (v): v is WeightDtype => (weightDtypes as readonly unknown[]).includes(v), weightDtypes.join(', ')),
    engine: reader.oneOf('engine', (v): v is EngineId => (engineIds as readonly unknown[]).includes(v), engineIds.join(', ')),
    kCacheDtype: reader.optionalOneOf('kCacheDtype', (v): v is KvDtype => (kvDtypes as readonly unknown[]).includes(v), kvDtypes.join(', ')),
    vCacheDtype: reader.optionalOneOf('vCacheDtype', (v): v is KvDtype => (kvDtypes as readonly unknown[]).includes(v), kvDtypes.join(', ')),
    ubatch: reader.optionalInteger('ubatch', 1, 1_048_576),
    swaFull: reader.optionalBoolean('swaFull'),
    mla: reader.oneOf('mla', (v): v is Settings['mla'] => v === 'auto' || v === 'on' || v === 'off', 'auto, on or off'),
    maxModelLen: reader.optionalInteger('maxModelLen', 1, 1_073_741_824),
    numCtx: reader.optionalInteger('numCtx', 1, 1_073_741_824),
    reserveOutputTokens: reader.integer('reserveOutputTokens', 0, 100_000_000),
    budgetTokens: reader.integer('budgetTokens', 0, 1_000_000_000),
    batchSize: reader.integer('batchSize', 1, 100_000),
    memoryUtilization: reader.fraction('memoryUtilization'),
    computeEfficiency: reader.optionalFraction('computeEfficiency'),
    memoryEfficiency: reader.optionalFraction('memoryEfficiency'),
    excludes: reader.stringArray('excludes'),
    maxFileBytes: reader.integer('maxFileBytes', 1, 1024 * 1024 * 1024),
    maxFiles: reader.integer('maxFiles', 1, 1_000_000),
    respectGitignore: reader.boolean('respectGitignore'),
    explorerBadges: reader.boolean('explorerBadges'),
    exportFraming: reader.oneOf('exportFraming', (v): v is Settings['exportFraming'] => v === 'none' || v === 'xml' || v === 'markdown', 'none, xml or markdown'),
    exportDirectoryTree: reader.boolean('exportDirectoryTree'),
  };
  return { settings: Object.freeze(settings), problems };
}

class FieldReader {
  constructor(
    private readonly get: (key: keyof Settings) => unknown,
    private readonly problems: string[],
  ) {}

  string(key: keyof Settings, rule: { nonEmpty?: boolean }): string {
    const value = this.get(key);
    if (value === undefined || value === null) return defaultSettings[key] as string;
    if (typeof value !== 'string' || (rule.nonEmpty && value.trim() === '')) return this.reject(key, value, 'a non-empty string');
    return value.trim();
  }

  integer(key: keyof Settings, min: number, max: number): number {
    const value = this.get(key);
    if (value === undefined || value === null) return defaultSettings[key] as number;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.reject(key, value, `a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`);
    }
    return value;
  }

  fraction(key: keyof Settings): number {
    const value = this.get(key);
    if (value === undefined || value === null) return defaultSettings[key] as number;
    if (typeof value !== 'number' || !(value > 0 && value <= 1)) return this.reject(key, value, 'a number greater than 0 and at most 1');
    return value;
  }

  optionalFraction(key: keyof Settings): number | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !(value > 0 && value <= 1)) return this.reject(key, value, 'a number greater than 0 and at most 1, or null for the default');
    return value;
  }

  optionalInteger(key: keyof Settings, min: number, max: number): number | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.reject(key, value, `a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, or null for the engine's default`);
    }
    return value;
  }

  optionalBoolean(key: keyof Settings): boolean | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'boolean') return this.reject(key, value, "true, false, or null for the engine's default");
    return value;
  }

  optionalOneOf<T>(key: keyof Settings, guard: (value: unknown) => value is T, allowed: string): T | null {
    const value = this.get(key);
    if (value === undefined || value === null || value === '') return null;
    if (!guard(value)) return this.reject(key, value, `one of ${allowed}, or empty for kvCacheDtype`);
    return value;
  }

  boolean(key: keyof Settings): boolean {
    const value = this.get(key);
    if (value === undefined || value === null) return defaultSettings[key] as boolean;
    if (typeof value !== 'boolean') return this.reject(key, value, 'true or false');
    return value;
  }

  stringArray(key: keyof Settings): readonly string[] {
    const value = this.get(key);
    if (value === undefined || value === null) return defaultSettings[key] as readonly string[];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return this.reject(key, value, 'a list of glob strings');
    return Object.freeze(value.filter((item: string) => item.trim() !== ''));
  }

  oneOf<T>(key: keyof Settings, guard: (value: unknown) => value is T, allowed: string): T {
    const value = this.get(key);
    if (value === undefined || value === null) return defaultSettings[key] as T;
    if (!guard(value)) return this.reject(key, value, `one of ${allowed}`);
    return value;
  }

  private reject<T>(key: keyof Settings, value: unknown, expected: string): T {
    const fallback = defaultSettings[key];
    this.problems.push(`${settingsSection}.${key} must be ${expected} (got ${preview(value)}); using the default ${preview(fallback)}.`);
    return fallback as T;
  }
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}
