import type { KvDtype, WeightDtype } from './cost/costTypes';
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
  /** Element type of the weights. */
  readonly weightDtype: WeightDtype;
  /** Output tokens reserved on top of the prompt (counted in KV memory and the window). */
  readonly reserveOutputTokens: number;
  /** A token budget of your own; 0 means none. */
  readonly budgetTokens: number;
  /** Concurrent sequences sharing the GPUs. */
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

export const kvDtypes: readonly KvDtype[] = ['bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4'];
export const weightDtypes: readonly WeightDtype[] = ['bf16', 'fp16', 'fp32', 'fp8', 'int8', 'int4'];

export const defaultSettings: Settings = Object.freeze({
  model: 'gpt-oss-20b',
  modelConfigPath: '',
  chatModel: '',
  gpu: 'h100-sxm',
  gpuCount: 1,
  encoding: 'o200k_base',
  kvCacheDtype: 'bf16',
  weightDtype: 'bf16',
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

/**
 * The lowest compute or memory efficiency accepted: 1% of peak. Measured prefill and decode
 * efficiencies are tens of percent (README, "Time"); below 1% a setting is a typo, and 1e-300 made
 * time to first token Infinity (JSON null). At 1%, the largest estimate (10^12 tokens on a 10^14-
 * parameter model) is still a finite number of seconds.
 */
export const minEfficiency = 0.01;

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
    reserveOutputTokens: reader.integer('reserveOutputTokens', 0, 100_000_000),
    budgetTokens: reader.integer('budgetTokens', 0, 1_000_000_000),
    batchSize: reader.integer('batchSize', 1, 100_000),
    memoryUtilization: reader.fraction('memoryUtilization'),
    computeEfficiency: reader.optionalFraction('computeEfficiency', minEfficiency),
    memoryEfficiency: reader.optionalFraction('memoryEfficiency', minEfficiency),
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

  optionalFraction(key: keyof Settings, min: number): number | null {
    const value = this.get(key);
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !(value >= min && value <= 1)) return this.reject(key, value, `a number from ${min} to 1, or null for the default`);
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
