import { parseArgs } from 'node:util';
import { escapeControlChars } from '../core/presenters/escapeText';
import { compileGlobs, GlobSyntaxError } from '../core/scan/glob';
import { parseServerUrl } from '../core/server/serverUrl';
import { parseSettings } from '../core/settings';
import { isEncodingName } from '../core/tokenizer/encoding';
import type { Settings } from '../core/settings';
import { dropTargetKinds, isDropTargetKind } from '../core/vocabulary';
import type { DropTargetKind } from '../core/vocabulary';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface CommonOptions {
  readonly settings: Settings;
  /** `--model` as given: a catalog id or a path to a config.json or a .gguf file. */
  readonly modelArg: string;
  readonly json: boolean;
}

/** How a files run gets its tokenizer (the settings carry --tokenizer itself). */
export interface TokenizerOptions {
  /** `--tokenizer-cache DIR`: where downloaded tokenizers are kept (the extension's cache can be named). */
  readonly tokenizerCache: string | undefined;
  /** `--download-tokenizer`: the one way the CLI goes to the network. */
  readonly downloadTokenizer: boolean;
}

export type CliCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'models'; readonly json: boolean }
  | { readonly kind: 'gpus'; readonly json: boolean }
  | ({ readonly kind: 'estimate'; readonly tokens: number } & CommonOptions)
  | ({ readonly kind: 'files'; readonly cache: CountCacheChoice } & FilesOptions & CommonOptions & TokenizerOptions);

/** Where counts persist between runs: the default folder, one given with --cache-dir, or none (--no-cache). */
export type CountCacheChoice =
  { readonly kind: 'default' } | { readonly kind: 'directory'; readonly directory: string } | { readonly kind: 'off' };

/** What a files run adds and how it marks the files. */
export interface FilesOptions {
  /** Paths and globs; empty when only `--changed` or `--set` name the files. */
  readonly paths: readonly string[];
  readonly focus: readonly string[];
  readonly pinned: readonly string[];
  /** Globs of files to put in outline mode (`--outline`). */
  readonly outline: readonly string[];
  /**
   * `--changed`: add the files git reports as changed. null when not given; '' for the working tree
   * (modified, staged, untracked); a ref to also take what was committed since its merge base with HEAD.
   */
  readonly changed: string | null;
  /** `--set NAME`: restore this set of `.context-budget.json`. */
  readonly set: string | null;
  readonly target: DropTargetKind | null;
  /** False with `--no-plan`: no drop plan even over a limit (a CI gate that only reads the exit status). */
  readonly plan: boolean;
}

export const usage = `Usage:
  context-budget [paths or globs…] [options]     count files and estimate cost and risk
  context-budget estimate --tokens N [options]   cost and risk for a bare token count
  context-budget models [--json]                 list the model catalog
  context-budget gpus [--json]                   list the GPU catalog

Options:
  --model <id | file>          catalog model id, a Hugging Face config.json or a .gguf file
                               (only its header is read); default gpt-oss-20b
  --gpu <id>                   catalog GPU id (default h100-sxm)
  --gpus <N>                   number of GPUs (default 1)
  --encoding <name>            o200k_base (default) or cl100k_base: counts when the model's own
                               tokenizer is not found (labelled an estimate)
  --tokenizer <file | name>    a tokenizer.json or a .gguf whose vocabulary counts; or auto (default:
                               the model's own when found), o200k_base, cl100k_base
  --tokenizer-cache <dir>      downloaded tokenizers (default ~/.cache/context-budget/tokenizers); the
                               extension's cache is in its global storage, under tokenizers/
  --download-tokenizer         download the catalog model's tokenizer.json from Hugging Face (HF_ENDPOINT,
                               HF_TOKEN) unless cached: the only way the CLI goes to the network
  --engine <name>              ideal (default) | llama.cpp | ollama | lmstudio | vllm | sglang
  --kv-dtype <dtype>           bf16 | fp16 | fp32 | fp8 | int8 | int4 | f16 | f32 | q8_0 | q4_0 | q4_1
                               | q5_0 | q5_1 | iq4_nl (default bf16)
  --k-dtype <dtype>, --v-dtype <dtype>  K and V cache types apart (llama.cpp; default --kv-dtype)
  --weight-dtype <dtype>       native (default: the model's own format) | bf16 | fp16 | fp32 | fp8 | int8
                               | int4 | nf4
  --ubatch <N>                 llama.cpp physical batch (default 512); vLLM chunked-prefill tokens
  --parallel <N>               sequences / slots (llama.cpp -np, OLLAMA_NUM_PARALLEL); same as --batch
  --swa-full                   llama.cpp --swa-full: full-length caches on sliding-window layers
  --mla <auto|on|off>          MLA cache for DeepSeek-style models (default auto: as the model file)
  --max-model-len <N>          vLLM --max-model-len / SGLang --context-length (default: from the config)
  --num-ctx <N>                context per sequence (llama.cpp -c ÷ -np, Ollama num_ctx)
  --server <URL>               check a running llama-server, Ollama, vLLM or SGLang (e.g. http://127.0.0.1:8080):
                               its n_ctx / num_ctx / max_model_len becomes the maximum window (2 s per request)
  --reserve-output <N>         output tokens reserved on top of the prompt (default 4096)
  --budget <N>                 your own prompt token budget
  --batch <N>                  concurrent sequences (default 1); same as --parallel
  --memory-utilization <f>     usable fraction of GPU memory (default 0.9)
  --compute-efficiency <f>     achieved/peak FLOP/s in prefill (default: per GPU, see README)
  --memory-efficiency <f>      achieved/peak bandwidth in decode (default: see README)
  --changed[=REF]              add the files git reports as changed in the working tree (modified, staged,
                               untracked); with =REF also those committed since the merge base of HEAD and REF
                               (a branch or commit). Without paths, only these files are counted
  --set <name>                 restore the context set <name> from .context-budget.json (in this folder or
                               above): its files, modes, focus, pins and order
  --outline <glob>             put matching files in outline mode: counted as their outline (repeatable)
  --focus <glob>               mark matching files as focus (repeatable)
  --pin <glob>                 never propose dropping matching files (repeatable)
  --exclude <glob>             extra exclude pattern, gitignore syntax (repeatable)
  --no-gitignore               do not honour .gitignore files
  --include-secret-files       add files that are secrets by name (.env, id_rsa, *.pem…) found in folders;
                               by default they are skipped and listed (a file named as an argument is always added)
  --include-generated-files    add lockfiles and files generated by name (*.pb.go, *.min.js, source maps…)
                               found in folders; by default they are skipped and listed
  --max-file-bytes <N>         skip larger files (default 2097152)
  --max-files <N>              stop after this many files (default 20000)
  --framing <none|xml|markdown>  count the prompt as exported with this framing (default none: content only)
  --tree                       with --framing: the export opens with a directory tree (counted)
  --target <kind>              drop-plan target: ${dropTargetKinds.join(' | ')} (default: the first one exceeded)
  --no-plan                    no drop plan over a limit (counts, verdict and exit status only; no file is parsed)
  --cache-dir <dir>            keep counts, plan parses and drop plans between runs here (default
                               $XDG_CACHE_HOME/context-budget, else ~/.cache/context-budget); counts hold
                               hashes and numbers, parses the files' outlines; a plan is printed again only
                               when everything it read is unchanged
  --no-cache                   neither read nor write the count cache
  --cache-max-mib <N>          size cap of the whole count cache (default 64): least recently used entries
                               go first, then the workspaces (repositories) written longest ago
  --json                       print one JSON object
  -h, --help                   show this help
  -v, --version                print the version

Exit status: 0 within window, memory and budget; 1 when not; 2 on bad usage.`;

const optionSpec = {
  model: { type: 'string' },
  gpu: { type: 'string' },
  gpus: { type: 'string' },
  encoding: { type: 'string' },
  tokenizer: { type: 'string' },
  'tokenizer-cache': { type: 'string' },
  'download-tokenizer': { type: 'boolean' },
  'kv-dtype': { type: 'string' },
  'weight-dtype': { type: 'string' },
  engine: { type: 'string' },
  'k-dtype': { type: 'string' },
  'v-dtype': { type: 'string' },
  ubatch: { type: 'string' },
  parallel: { type: 'string' },
  'swa-full': { type: 'boolean' },
  mla: { type: 'string' },
  'max-model-len': { type: 'string' },
  'num-ctx': { type: 'string' },
  server: { type: 'string' },
  'reserve-output': { type: 'string' },
  budget: { type: 'string' },
  batch: { type: 'string' },
  'memory-utilization': { type: 'string' },
  'compute-efficiency': { type: 'string' },
  'memory-efficiency': { type: 'string' },
  focus: { type: 'string', multiple: true },
  outline: { type: 'string', multiple: true },
  changed: { type: 'string' },
  set: { type: 'string' },
  pin: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'no-gitignore': { type: 'boolean' },
  'include-secret-files': { type: 'boolean' },
  'include-generated-files': { type: 'boolean' },
  'max-file-bytes': { type: 'string' },
  'max-files': { type: 'string' },
  framing: { type: 'string' },
  tree: { type: 'boolean' },
  target: { type: 'string' },
  'no-plan': { type: 'boolean' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  'cache-max-mib': { type: 'string' },
  tokens: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Parses argv (without node and script). Throws UsageError with a message naming the bad flag. */
export function parseCli(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    // `--changed` takes its ref only as `--changed=REF`: a bare `--changed` followed by a path must not eat the path.
    const args = argv.map((arg) => (arg === '--changed' ? '--changed=' : arg));
    parsed = parseArgs({ args, options: optionSpec, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError(escapeControlChars((error as Error).message.replace(/\. To specify a positional argument.*$/s, '.')));
  }
  const { values, positionals, tokens } = parsed;
  rejectRepeatedFlags(tokens);
  // path.resolve(cwd, '') is the working folder itself: an empty argument would silently count everything.
  if (positionals.some((p) => p === '')) {
    throw new UsageError('an empty path argument ("") names no file or folder; use "." for the current folder.');
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [first, ...rest] = positionals;
  const json = values.json === true;
  if (first === 'models' || first === 'gpus') {
    if (rest.length > 0) throw new UsageError(`"${first}" takes no arguments (got ${escapeControlChars(rest.join(' '))}).`);
    return { kind: first, json };
  }
  const settings = settingsFromFlags(values);
  const modelArg = values.model ?? settings.model;
  if (first === 'estimate') {
    if (rest.length > 0) throw new UsageError(`"estimate" takes no paths (got ${escapeControlChars(rest.join(' '))}); use --tokens N.`);
    for (const flag of ['tokenizer', 'tokenizer-cache', 'download-tokenizer'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`--${flag} is for counting files; "estimate" takes a token count.`);
    }
    if (values.tokens === undefined) throw new UsageError('"estimate" needs --tokens N.');
    return { kind: 'estimate', tokens: integerFlag('tokens', values.tokens, 0, 1e12), settings, modelArg, json };
  }
  if (values.tokens !== undefined) throw new UsageError('--tokens is only for "context-budget estimate".');
  const target = values.target === undefined ? null : parseTarget(values.target);
  const plan = values['no-plan'] !== true;
  if (!plan && target !== null) throw new UsageError(`--no-plan and --target ${target} contradict each other; give one.`);
  const focus = checkedGlobs('focus', values.focus ?? []);
  const pinned = checkedGlobs('pin', values.pin ?? []);
  const tokenizerCache = values['tokenizer-cache'];
  if (tokenizerCache === '') throw new UsageError('--tokenizer-cache needs a folder.');
  const outline = checkedGlobs('outline', values.outline ?? []);
  const changed = values.changed === undefined ? null : values.changed;
  if (changed !== null && changed.startsWith('-')) throw new UsageError(`--changed=${quote(changed)}: a ref cannot start with "-".`);
  const set = values.set === undefined ? null : values.set;
  if (set !== null && set.trim() === '') throw new UsageError('--set needs the name of a set in .context-budget.json.');
  // With --changed or --set and no paths, those files are the whole selection; otherwise the default is the working folder.
  const paths = positionals.length > 0 ? positionals : changed !== null || set !== null ? [] : ['.'];
  return {
    kind: 'files',
    paths,
    focus,
    pinned,
    outline,
    changed,
    set,
    target,
    plan,
    settings,
    modelArg,
    json,
    tokenizerCache,
    downloadTokenizer: values['download-tokenizer'] === true,
    cache: cacheChoice(values),
  };
}

function cacheChoice(values: { readonly 'cache-dir'?: string | undefined; readonly 'no-cache'?: boolean | undefined }): CountCacheChoice {
  const directory = values['cache-dir'];
  if (values['no-cache'] === true) {
    if (directory !== undefined) throw new UsageError(`--no-cache and --cache-dir ${quote(directory)} contradict each other; give one.`);
    return { kind: 'off' };
  }
  if (directory === undefined) return { kind: 'default' };
  if (directory.trim() === '') throw new UsageError('--cache-dir needs a folder (got "").');
  return { kind: 'directory', directory };
}

/** Flags that take one value: given twice, which one was meant is a guess, so it is a usage error. */
function rejectRepeatedFlags(
  tokens: ReadonlyArray<{ readonly kind: string; readonly name?: string; readonly value?: string | undefined }>,
): void {
  const seen = new Map<string, string>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    const spec = (optionSpec as Record<string, { type: string; multiple?: boolean }>)[token.name];
    if (spec === undefined || spec.type !== 'string' || spec.multiple) continue;
    const earlier = seen.get(token.name);
    if (earlier !== undefined) {
      throw new UsageError(`--${token.name} is given more than once (${quote(earlier)} and ${quote(token.value ?? '')}); give it once.`);
    }
    seen.set(token.name, token.value ?? '');
  }
}

/** Compiles --focus / --pin globs now, so a bad one is a usage error naming its flag, not a crash later. */
function checkedGlobs(flag: string, patterns: readonly string[]): readonly string[] {
  try {
    compileGlobs(patterns);
  } catch (error) {
    if (error instanceof GlobSyntaxError) throw new UsageError(`--${flag}: ${escapeControlChars(error.message)}.`);
    throw error;
  }
  return patterns;
}

/** A value echoed in a message: quoted, control characters escaped. */
function quote(value: string): string {
  return `"${escapeControlChars(value)}"`;
}

function parseTarget(value: string): DropTargetKind {
  if (isDropTargetKind(value)) return value;
  throw new UsageError(`--target must be one of ${dropTargetKinds.join(', ')} (got ${quote(value)}).`);
}

/** Maps flags onto the same validated Settings the extension uses; any invalid value is a usage error, not a fallback. */
function settingsFromFlags(values: Record<string, unknown>): Settings {
  const raw: Partial<Record<keyof Settings, unknown>> = {
    gpu: values.gpu,
    gpuCount: optionalNumber('gpus', values.gpus),
    encoding: values.encoding,
    // --tokenizer names an encoding (or auto), or a tokenizer file.
    tokenizer: tokenizerChoice(values.tokenizer),
    tokenizerPath: tokenizerChoice(values.tokenizer) === undefined ? values.tokenizer : undefined,
    kvCacheDtype: values['kv-dtype'],
    weightDtype: values['weight-dtype'],
    reserveOutputTokens: optionalNumber('reserve-output', values['reserve-output']),
    budgetTokens: optionalNumber('budget', values.budget),
    batchSize: parallelFlag(values),
    engine: values.engine,
    kCacheDtype: values['k-dtype'],
    vCacheDtype: values['v-dtype'],
    ubatch: optionalNumber('ubatch', values.ubatch),
    swaFull: values['swa-full'] === true ? true : undefined,
    mla: values.mla,
    maxModelLen: optionalNumber('max-model-len', values['max-model-len']),
    numCtx: optionalNumber('num-ctx', values['num-ctx']),
    server: serverFlag(values.server),
    memoryUtilization: optionalNumber('memory-utilization', values['memory-utilization']),
    computeEfficiency: optionalNumber('compute-efficiency', values['compute-efficiency']),
    memoryEfficiency: optionalNumber('memory-efficiency', values['memory-efficiency']),
    excludes: values.exclude,
    respectGitignore: values['no-gitignore'] === true ? false : undefined,
    skipSecretFiles: values['include-secret-files'] === true ? false : undefined,
    skipGeneratedFiles: values['include-generated-files'] === true ? false : undefined,
    maxFileBytes: optionalNumber('max-file-bytes', values['max-file-bytes']),
    maxFiles: optionalNumber('max-files', values['max-files']),
    exportFraming: values.framing,
    exportDirectoryTree: values.tree === true ? true : undefined,
    countCacheMaxMiB: optionalNumber('cache-max-mib', values['cache-max-mib']),
  };
  const { settings, issues } = parseSettings((key) => raw[key]);
  // A flag names the flag; there is no fallback on the command line, so none is mentioned.
  if (issues.length > 0) {
    throw new UsageError(
      issues.map((issue) => escapeControlChars(`--${flagName(issue.key)} must be ${issue.expected} (got ${issue.got}).`)).join('\n'),
    );
  }
  return settings;
}

/** --server: checked as a URL now, so a typo is bad usage (exit 2) before anything is counted or sent. */
function serverFlag(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const address = parseServerUrl(text);
  if ('error' in address) throw new UsageError(`--server ${quote(text.slice(0, 200))} ${escapeControlChars(address.error)}.`);
  return text.trim();
}

/** `--tokenizer auto|o200k_base|cl100k_base`; undefined for a file path (or no flag). */
function tokenizerChoice(value: unknown): string | undefined {
  return typeof value === 'string' && (value === 'auto' || isEncodingName(value)) ? value : undefined;
}

/** --parallel and its alias --batch; giving both with different values is a usage error. */
function parallelFlag(values: Record<string, unknown>): number | undefined {
  const parallel = optionalNumber('parallel', values.parallel);
  const batch = optionalNumber('batch', values.batch);
  if (parallel !== undefined && batch !== undefined && parallel !== batch) {
    throw new UsageError(`--parallel ${parallel} and --batch ${batch} disagree: --batch is an alias of --parallel, give one.`);
  }
  return parallel ?? batch;
}

// A Map: the key comes from input, and "constructor" must not find Object's.
const flagNames: ReadonlyMap<string, string> = new Map(
  Object.entries({
    engine: 'engine',
    kCacheDtype: 'k-dtype',
    vCacheDtype: 'v-dtype',
    ubatch: 'ubatch',
    swaFull: 'swa-full',
    mla: 'mla',
    maxModelLen: 'max-model-len',
    numCtx: 'num-ctx',
    gpuCount: 'gpus',
    kvCacheDtype: 'kv-dtype',
    weightDtype: 'weight-dtype',
    reserveOutputTokens: 'reserve-output',
    budgetTokens: 'budget',
    batchSize: 'batch',
    memoryUtilization: 'memory-utilization',
    computeEfficiency: 'compute-efficiency',
    memoryEfficiency: 'memory-efficiency',
    excludes: 'exclude',
    maxFileBytes: 'max-file-bytes',
    maxFiles: 'max-files',
    exportFraming: 'framing',
    exportDirectoryTree: 'tree',
    tokenizerPath: 'tokenizer',
    server: 'server',
    countCacheMaxMiB: 'cache-max-mib',
  }),
);

function flagName(settingKey: string): string {
  return flagNames.get(settingKey) ?? settingKey;
}

function optionalNumber(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim().replace(/_/g, '');
  // No 128k-style suffixes: k = 1000 or 1024 is exactly the ambiguity a budget tool must not guess.
  const number = /^[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(number)) throw new UsageError(`--${flag} must be a number (got ${quote(String(value))}).`);
  return number;
}

function integerFlag(flag: string, value: string, min: number, max: number): number {
  const number = optionalNumber(flag, value)!;
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max} (got ${quote(value)}).`);
  }
  return number;
}
