import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { assessPrompt } from '../core/analysis/buildReport';
import { firstExceededTarget } from '../core/analysis/dropPlan';
import { resolveTarget } from '../core/analysis/resolveTarget';
import type { ConfigFile, ResolvedTarget } from '../core/analysis/resolveTarget';
import { loadBundledCatalog } from '../core/model/catalog';
import { isGgufPath } from '../core/model/workspaceModels';
import { estimateJson, estimateText, reportJson, reportText } from '../core/presenters/cliReport';
import { escapeControlChars, escapeJsonForTerminal } from '../core/presenters/escapeText';
import { prettyJsonParts, writePrettyJson } from '../core/presenters/prettyJson';
import { windowsFor } from '../core/risk/riskEngine';
import { ContextCounter } from '../core/scan/contextCounter';
import { compileGlobs, GlobSyntaxError, isGlob, matchesAnyGlob } from '../core/scan/glob';
import { describeUnmatchedGlobs } from '../core/scan/globScan';
import { intake } from '../core/scan/intake';
import type { IntakeTarget } from '../core/scan/intake';
import { Selection } from '../core/selection/selection';
import type { ServerCheck } from '../core/server/serverCheck';
import { runServerCheck } from '../core/server/serverWatch';
import { BudgetSession } from '../core/session/budgetSession';
import type { Settings } from '../core/settings';
import { defaultHuggingFaceEndpoint, parseSettings } from '../core/settings';
import { resolveCountingTokenizer, type CountingTokenizer, type ModelFileRef } from '../core/tokenizer/countingTokenizer';
import { formatBytes, formatInteger } from '../core/units';
import { defaultCacheDirectory } from '../node/cacheLocation';
import { countingCodeVersion, DiskCountStore, parseCacheOptions, parsingCodeVersion, planningCodeVersion } from '../node/diskCountStore';
import { cacheWorkspaceOf } from '../node/cacheWorkspace';
import { readModelFile } from '../node/modelFile';
import { NodeWorkspaceFs } from '../node/nodeWorkspaceFs';
import { nodeServerHttp } from '../node/serverHttp';
import { downloadTokenizer, findCachedTokenizer } from '../node/huggingFaceHub';
import { SyntaxPool } from '../node/syntaxPool';
import { TokenizerPool } from '../node/tokenizerPool';
import type { TokenizerPoolStats } from '../node/tokenizerPool';
import { nodeTokenizerSources } from '../node/tokenizerSources';
import { parseCli, usage, UsageError } from './args';
import type { CliCommand, CountCacheChoice } from './args';
import { applySet, changedFiles, gitRelevanceFacts, setFiles } from './contextSources';
import { cliProgramFiles, planOrReplay } from './planReplay';

/** Where the CLI writes, and where it runs. */
/** What a run counted and parsed (for tests and benchmarks): the pool's stats and the files sent to the syntax worker. */
export interface CliCountStats extends TokenizerPoolStats {
  readonly parses: number;
  /** True when the drop plan was printed from the plan memo (planReplay.ts) rather than made. */
  readonly planReplayed: boolean;
}

export interface CliIo {
  /** Prints `text` and a newline. */
  out: (text: string) => void;
  /**
   * Prints a part of a longer text, without a newline: the `--json` report is written in parts
   * (see writePrettyJson), then `out('')` ends it. Without it, the parts are joined for `out`.
   */
  write?: (part: string) => void;
  err: (text: string) => void;
  cwd: string;
  /** Told the tokenizer pool's counters when a files run ends (tests: how much was tokenized, how much came from the cache). */
  onCountStats?: (stats: CliCountStats) => void;
}

/** Runs the CLI; resolves to the exit status (0 within limits, 1 not, 2 bad usage). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCli(argv);
    switch (command.kind) {
      case 'help':
        io.out(usage);
        return 0;
      case 'version':
        io.out(readVersion());
        return 0;
      case 'models':
        return listModels(command.json, io.out);
      case 'gpus':
        return listGpus(command.json, io.out);
      case 'estimate':
        return await estimate(command, io);
      case 'files':
        return await countFiles(command, io);
    }
  } catch (error) {
    // Messages carry paths and names from the input; each line is escaped (sources escape too).
    const message = (error as Error).message.split('\n').map(escapeControlChars).join('\n');
    if (error instanceof UsageError) {
      io.err(`context-budget: ${message}\nRun "context-budget --help" for usage.`);
      return 2;
    }
    io.err(`context-budget: ${message}`);
    return 2;
  }
}

function listModels(json: boolean, out: (text: string) => void): number {
  const { models } = loadBundledCatalog();
  if (json) {
    out(JSON.stringify(models, null, 2));
    return 0;
  }
  out(`${'id'.padEnd(24)} ${'params'.padStart(8)} ${'active'.padStart(8)} ${'window'.padStart(10)} ${'effective'.padStart(10)}  attention`);
  for (const model of models) {
    const windows = windowsFor(model);
    const attention = model.mla
      ? 'MLA'
      : model.layers
          .map(
            (group) =>
              `${group.count}×${group.attention.kind === 'full' ? 'full' : group.attention.kind === 'sliding' ? `sw${group.attention.window}` : `chunk${group.attention.chunk}`}`,
          )
          .join('+');
    out(
      `${model.id.padEnd(24)} ${billions(model.paramsTotal).padStart(8)} ${billions(model.paramsActive).padStart(8)} ${formatInteger(windows.max).padStart(10)} ${formatInteger(windows.effective).padStart(10)}  ${attention}, ${model.numKvHeads} KV heads`,
    );
  }
  return 0;
}

function listGpus(json: boolean, out: (text: string) => void): number {
  const { gpus } = loadBundledCatalog();
  if (json) {
    out(JSON.stringify(gpus, null, 2));
    return 0;
  }
  out(`${'id'.padEnd(16)} ${'memory'.padStart(10)} ${'GB/s'.padStart(7)} ${'bf16 TFLOP/s'.padStart(13)}  name`);
  for (const gpu of gpus) {
    out(
      `${gpu.id.padEnd(16)} ${formatBytes(gpu.memoryBytes).padStart(10)} ${Math.round(gpu.bandwidthBytesPerSec / 1e9)
        .toString()
        .padStart(
          7,
        )} ${(gpu.bf16FlopsPerSec / 1e12).toFixed(1).padStart(13)}  ${gpu.name}${gpu.estimatedFields?.length ? ' (some figures estimated)' : ''}`,
    );
  }
  return 0;
}

async function estimate(command: Extract<CliCommand, { kind: 'estimate' }>, io: Pick<CliIo, 'out' | 'write' | 'cwd'>): Promise<number> {
  const { settings } = command;
  const stopServerCheck = new AbortController();
  const server = checkServerForCli(settings, stopServerCheck.signal);
  const target = await resolveForCli(command.modelArg, settings, io.cwd).catch((error: unknown) => {
    // A usage error must not wait for the server to answer.
    stopServerCheck.abort();
    throw error;
  });
  const assessment = assessPrompt({ files: [], promptTokens: command.tokens, settings, target, server: await server });
  if (command.json) printJson(io, estimateJson(assessment, target, settings, command.tokens));
  else io.out(estimateText(assessment, target, settings, command.tokens));
  return assessment.withinLimits ? 0 : 1;
}

async function countFiles(command: Extract<CliCommand, { kind: 'files' }>, io: CliIo): Promise<number> {
  const { settings } = command;
  // Started first and awaited last: the server answers while the files are found and counted.
  const stopBackground = new AbortController();
  const server = checkServerForCli(settings, stopBackground.signal);
  // Git's relevance facts too, in case a plan is made (they are dropped when none is): git then runs
  // while the files are found and counted instead of after, and its fork copies a small process
  // (forking the ~250 MB one of a 10,000-file run costs ~25 ms per git run).
  const gitFacts = command.plan || command.target !== null ? gitRelevanceFacts(io.cwd, stopBackground.signal) : null;
  try {
    return await countFilesChecked(command, io, server, gitFacts);
  } finally {
    // A usage error must not wait for the server or git to answer; a run that made no plan stops git
    // (after a report, the server check is done and this does nothing to it).
    stopBackground.abort();
  }
}

async function countFilesChecked(
  command: Extract<CliCommand, { kind: 'files' }>,
  io: CliIo,
  server: Promise<ServerCheck | null>,
  gitFacts: ReturnType<typeof gitRelevanceFacts> | null,
): Promise<number> {
  const settings = {
    ...command.settings,
    tokenizerPath: command.settings.tokenizerPath === '' ? '' : path.resolve(io.cwd, command.settings.tokenizerPath),
  };
  if (settings.tokenizerPath !== '' && !existsSync(settings.tokenizerPath)) {
    throw new UsageError(`--tokenizer: no such file: ${escapeControlChars(command.settings.tokenizerPath)}`);
  }
  const target = await resolveForCli(command.modelArg, settings, io.cwd);
  const fs = new NodeWorkspaceFs({ synchronous: true, rememberListings: true });
  // An argument naming an existing file or folder is that path, even with glob characters in its
  // name (`notes [v2].md`); only the others are globs. Otherwise such a file silently counted as 0.
  const exists = await Promise.all(
    command.paths.map((p) =>
      fs.stat(path.resolve(io.cwd, p)).then(
        () => true,
        () => false,
      ),
    ),
  );
  const targets: IntakeTarget[] = [];
  command.paths.forEach((arg, i) => {
    if (isGlob(arg) && !exists[i]) return;
    if (!exists[i]) {
      throw new UsageError(
        `no such file or folder: ${arg}${command.changed === '' && i === 0 ? ` (to compare with a branch or commit, write --changed=${arg})` : ''}`,
      );
    }
    const absolute = path.resolve(io.cwd, arg);
    const relative = toPosix(path.relative(io.cwd, absolute)) || '.';
    targets.push({ kind: 'path', location: absolute, relativePath: relative, pathPrefix: relative === '.' ? '' : relative });
  });
  const globs = command.paths.filter((p, i) => isGlob(p) && !exists[i]);
  if (globs.length > 0) targets.push({ kind: 'globs', rootLocation: io.cwd, patterns: globs });
  const changed = command.changed === null ? null : await changedFiles(io.cwd, command.changed);
  if (changed) {
    targets.push(...changed.targets);
    if (changed.outside > 0) io.err(`context-budget: ${formatInteger(changed.outside)} changed file(s) outside ${io.cwd} were not added.`);
    if (changed.locations.length === 0) {
      io.err(`context-budget: git reports no changed files${changed.base ? ` since ${changed.base.slice(0, 12)}` : ''} under ${io.cwd}.`);
    }
  }
  const set = command.set === null ? null : await setFiles(fs, io.cwd, command.set);
  if (set) {
    targets.push(...set.targets);
    for (const problem of set.problems) io.err(`context-budget: ${set.file}: ${problem}`);
  }
  const intaken = await intake(fs, targets, {
    excludeGlobs: settings.excludes,
    respectGitignore: settings.respectGitignore,
    maxFileBytes: settings.maxFileBytes,
    maxFiles: settings.maxFiles,
    skipSecretFiles: settings.skipSecretFiles,
    skipGeneratedFiles: settings.skipGeneratedFiles,
  }).catch((error: unknown) => {
    throw error instanceof GlobSyntaxError ? new UsageError(`path argument: ${error.message}.`) : error;
  });
  const skipped = [...intaken.skipped, ...(set?.missing ?? [])];
  // A glob that matches nothing is bad usage, like a path that does not exist: never 0 tokens and exit 0.
  if (intaken.unmatchedGlobs.length > 0) {
    throw new UsageError(
      escapeControlChars(
        describeUnmatchedGlobs(
          { unmatched: [...intaken.unmatchedGlobs], truncated: intaken.truncated, files: [], skipped: [] },
          settings.maxFiles,
        ),
      ),
    );
  }
  if (intaken.truncated) {
    io.err(`context-budget: stopped after ${formatInteger(settings.maxFiles)} files (--max-files); the rest were not counted.`);
  }

  // The syntax worker starts on the first parse only: a run with no outline and no plan never starts it.
  const syntaxFiles = syntaxPoolFiles();
  const store = countCache(command.cache, settings, io, syntaxFiles, targets);
  // The CLI has nothing else to do while it counts: one worker per core (the extension keeps one core for its host).
  const pool = new TokenizerPool({
    workerScript: workerScriptPath(),
    size: Math.min(8, os.availableParallelism()),
    overflowWorker: false,
    ...(store ? { store } : {}),
  });
  // A plan's parses are all that is left to do once counting is over: one syntax worker per core too.
  const syntax = syntaxFiles ? new SyntaxPool({ ...syntaxFiles, size: Math.min(4, os.availableParallelism()) }) : null;
  let session: BudgetSession | undefined;
  let planReplayed = false;
  try {
    const tokenizer = await cliTokenizer(command, settings, target, pool, io);
    const selection = new Selection();
    session = new BudgetSession({
      selection,
      counter: new ContextCounter(fs, pool, undefined, store),
      fs,
      context: { generation: 1, settings, target: { ...target, tokenizer } },
      notifyDelayMs: 0,
      log: (message) => io.err(`context-budget: ${message}`),
      ...(syntax ? { parse: (file: string, text: string, signal?: AbortSignal) => syntax.parse(file, text, signal) } : {}),
      ...parseCacheOptions(store),
    });
    await session.addFiles(intaken.files);
    if (set) applySet(selection, set);
    const entries = selection.ordered();
    const matching = (patterns: readonly string[]): string[] => {
      const compiled = compileGlobs(patterns);
      return entries
        .filter((entry) => matchesAnyGlob(entry.relativePath, compiled.pathGlobs, compiled.baseNameGlobs))
        .map((entry) => entry.uri);
    };
    if (command.focus.length > 0) selection.setFocus(matching(command.focus), true);
    if (command.pinned.length > 0) selection.setPinned(matching(command.pinned), true);
    if (command.outline.length > 0) selection.setState(matching(command.outline), 'outline');
    if (changed) session.setChangedFiles(changed.locations);
    await session.whenIdle();
    session.setServerCheck(await server);
    const report = session.report();
    if (command.target === 'budget' && report.budgetTokens === null) throw new UsageError('--target budget needs --budget N.');
    const planTarget = command.target ?? (report.withinLimits || !command.plan ? null : firstExceededTarget(report));
    if (planTarget && gitFacts) {
      // Relevance anchors and recency from git, used only when a plan is made.
      const facts = await gitFacts;
      if (facts.problem) io.err(`context-budget: git: ${facts.problem} (the plan has no git anchors)`);
      session.setChangedFiles([...(changed?.locations ?? []), ...facts.changed]);
      session.setRecentlyCommitted(facts.recent);
    }
    const planned = planTarget
      ? await planOrReplay({
          session,
          report,
          skipped,
          target: planTarget,
          memo: store?.planMemo,
          runInputs: async () => ({
            // The versions the cache keys counts and parses by (parsing null without a parser), and the CLI's own.
            versions: await Promise.all([store!.codeVersions(), planningCodeVersion(() => cliProgramFiles(__filename), store!.directory)]),
            node: process.version,
            cwd: io.cwd,
            command,
            model: target,
            tokenizer: tokenizer.id,
            server: report.server,
          }),
          signal: new AbortController().signal,
        })
      : { plan: null, report, replayed: false };
    planReplayed = planned.replayed;
    const finalReport = planned.report;
    if (command.json) printJson(io, reportJson(finalReport, skipped, planned.plan));
    else io.out(reportText(finalReport, skipped, planned.plan, 50, planTarget));
    return finalReport.withinLimits ? 0 : 1;
  } finally {
    session?.dispose();
    // The counts of this run are kept for the next one (a write failure is reported, never fatal).
    await store?.flush();
    io.onCountStats?.({ ...pool.stats(), parses: syntax?.stats().requests ?? 0, planReplayed });
    await Promise.all([pool.dispose(), syntax?.dispose()]);
  }
}

/** The persistent count cache for this run, or undefined with --no-cache or a cap of 0. */
function countCache(
  choice: CountCacheChoice,
  settings: Settings,
  io: { err: (text: string) => void; cwd: string },
  syntaxFiles: { workerScript: string; wasmDir: string } | null,
  targets: readonly IntakeTarget[],
): DiskCountStore | undefined {
  if (choice.kind === 'off' || settings.countCacheMaxMiB === 0) return undefined;
  const directory = choice.kind === 'directory' ? path.resolve(io.cwd, choice.directory) : defaultCacheDirectory();
  // Its entries are kept under the repository holding what the run counts.
  const locations = targets.map((target) => (target.kind === 'path' ? target.location : target.rootLocation));
  return new DiskCountStore({
    directory,
    workspace: cacheWorkspaceOf(locations.length === 0 ? [io.cwd] : locations),
    maxBytes: settings.countCacheMaxMiB * 1024 * 1024,
    codeVersion: countingCodeVersion(workerScriptPath(), directory),
    ...(syntaxFiles ? { parseCodeVersion: () => parsingCodeVersion(syntaxFiles.workerScript, syntaxFiles.wasmDir, directory) } : {}),
    onProblem: (message) => io.err(`context-budget: ${escapeControlChars(message)}`),
  });
}

/** The live check of `--server` (null without the flag); never rejects: a failure is a check with a message naming --server. */
function checkServerForCli(settings: Settings, signal: AbortSignal): Promise<ServerCheck | null> {
  if (settings.server === '') return Promise.resolve(null);
  return runServerCheck(settings.server, '--server', (address) => nodeServerHttp(address), signal);
}

/**
 * The tokenizer for a files run, as the extension resolves it: --tokenizer, the tokenizer.json beside
 * a config.json, a GGUF's vocabulary, a downloaded one (--tokenizer-cache), else the encoding. With
 * --download-tokenizer a catalog model's tokenizer is fetched first unless already cached; a failed
 * download is reported and the run goes on with the estimate.
 */
async function cliTokenizer(
  command: Extract<CliCommand, { kind: 'files' }>,
  settings: Settings,
  target: ResolvedTarget,
  pool: TokenizerPool,
  io: { err: (text: string) => void; cwd: string },
): Promise<CountingTokenizer> {
  const cacheDir = command.tokenizerCache !== undefined ? path.resolve(io.cwd, command.tokenizerCache) : defaultTokenizerCacheDir();
  if (command.downloadTokenizer) {
    const repo = target.model.origin === 'catalog' ? target.model.huggingFaceRepo : undefined;
    if (repo === undefined) {
      throw new UsageError(
        `--download-tokenizer needs a catalog model with a Hugging Face repository (${escapeControlChars(target.model.displayName)} has none); use --tokenizer <tokenizer.json> instead.`,
      );
    }
    if ((await findCachedTokenizer(cacheDir, repo)) === undefined) {
      const endpoint = huggingFaceEndpoint(settings);
      io.err(`context-budget: downloading the tokenizer of ${repo} from ${endpoint} into ${cacheDir}…`);
      const token = process.env.HF_TOKEN?.trim();
      const outcome = await downloadTokenizer({ endpoint, repo, cacheDir, ...(token ? { token } : {}) });
      if (outcome.kind === 'failed') {
        io.err(`context-budget: the tokenizer was not downloaded: ${escapeControlChars(outcome.message)}. Counting with the estimate.`);
      }
    }
  }
  const modelPath = isModelPath(command.modelArg) ? path.resolve(io.cwd, command.modelArg) : undefined;
  const modelFile: ModelFileRef | undefined =
    modelPath === undefined ? undefined : { kind: isGgufPath(modelPath) ? 'gguf' : 'config', path: modelPath };
  return resolveCountingTokenizer(
    { settings, model: target.model, ...(modelFile ? { modelFile } : {}), pathName: '--tokenizer' },
    nodeTokenizerSources(pool, { cacheDir }),
  );
}

/** HF_ENDPOINT when set (huggingface_hub's variable), else the public Hub. */
function huggingFaceEndpoint(settings: Settings): string {
  const fromEnvironment = process.env.HF_ENDPOINT?.trim();
  if (!fromEnvironment) return settings.huggingFaceEndpoint || defaultHuggingFaceEndpoint;
  const parsed = parseSettings((key) => (key === 'huggingFaceEndpoint' ? fromEnvironment : undefined));
  if (parsed.issues.length > 0) {
    throw new UsageError(`HF_ENDPOINT must be an http:// or https:// URL (got "${escapeControlChars(fromEnvironment)}").`);
  }
  return parsed.settings.huggingFaceEndpoint;
}

/** $XDG_CACHE_HOME/context-budget/tokenizers, or ~/.cache/context-budget/tokenizers (beside the count cache, which never touches it). */
function defaultTokenizerCacheDir(): string {
  return path.join(defaultCacheDirectory(), 'tokenizers');
}

/** `--model` names a file (as resolveForCli decides). */
function isModelPath(modelArg: string): boolean {
  return isGgufPath(modelArg) || modelArg.endsWith('.json') || modelArg.includes('/') || modelArg.includes('\\');
}

/**
 * `--model` is a catalog id, or a path to a config.json or a .gguf (anything ending in .json/.gguf
 * or containing a path separator). On the command line a bad model or GPU is bad usage (exit 2),
 * never a silent fallback, so only each problem's message is shown, not the extension's fallback.
 */
async function resolveForCli(modelArg: string, settings: Settings, cwd: string): Promise<ResolvedTarget> {
  const isGguf = isGgufPath(modelArg);
  const looksLikePath = isModelPath(modelArg);
  let configFile: ConfigFile | undefined;
  if (looksLikePath) {
    const absolute = path.resolve(cwd, modelArg);
    if (!existsSync(absolute)) {
      throw new UsageError(`--model: no such ${isGguf ? 'model' : 'config'} file: ${escapeControlChars(modelArg)}`);
    }
    // Bounded and non-blocking (FIFOs, /dev/zero, /proc files refused); a GGUF has only its header read.
    configFile = await readModelFile(absolute);
    if ('error' in configFile) {
      throw new UsageError(
        `--model: cannot read ${isGguf ? 'GGUF' : 'config'} file ${escapeControlChars(modelArg)} (${escapeControlChars(configFile.error)})`,
      );
    }
  }
  const resolved = resolveTarget({ ...settings, model: looksLikePath ? settings.model : modelArg }, configFile);
  if (resolved.problems.length > 0) {
    throw new UsageError(resolved.problems.map((problem) => escapeControlChars(problem.message)).join('\n'));
  }
  return resolved;
}

/**
 * `--json` output: pretty-printed, with the bidi and C1 characters JSON.stringify leaves raw escaped
 * too, written in parts as it is laid out (a character escaped is never split: parts end between
 * JSON tokens).
 */
function printJson(io: Pick<CliIo, 'out' | 'write'>, value: unknown): void {
  if (io.write === undefined) {
    io.out(escapeJsonForTerminal(prettyJsonParts(value).join('')));
    return;
  }
  const write = io.write;
  writePrettyJson(value, (part) => write(escapeJsonForTerminal(part)));
  io.out('');
}

/**
 * The syntax worker and the tree-sitter wasm files: beside the bundled CLI (`dist/syntaxWorker.js`,
 * `dist/tree-sitter/`), or under tsc the compiled worker and the package's own `wasm/` folder. Null
 * when they are missing: outlines and relevance then say no parser is available.
 */
function syntaxPoolFiles(): { workerScript: string; wasmDir: string } | null {
  const bundled = { workerScript: path.join(__dirname, 'syntaxWorker.js'), wasmDir: path.join(__dirname, 'tree-sitter') };
  if (existsSync(bundled.workerScript) && existsSync(path.join(bundled.wasmDir, 'tree-sitter.wasm'))) return bundled;
  const workerScript = path.join(__dirname, '..', 'worker', 'syntaxWorker.js');
  try {
    const wasmDir = path.dirname(require.resolve('@vscode/tree-sitter-wasm'));
    if (existsSync(workerScript) && existsSync(path.join(wasmDir, 'tree-sitter.wasm'))) return { workerScript, wasmDir };
  } catch {
    // Not installed next to this build: no parser.
  }
  return null;
}

function workerScriptPath(): string {
  const candidates = [path.join(__dirname, 'tokenizerWorker.js'), path.join(__dirname, '..', 'worker', 'tokenizerWorker.js')];
  return candidates.find((candidate) => existsSync(candidate)) ?? candidates[0]!;
}

function readVersion(): string {
  for (const candidate of [path.join(__dirname, '..', 'package.json'), path.join(__dirname, '..', '..', '..', 'package.json')]) {
    if (existsSync(candidate)) return (JSON.parse(readFileSync(candidate, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

function billions(params: number): string {
  return `${(params / 1e9).toFixed(params >= 1e10 ? 0 : 1)}B`;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

if (require.main === module) {
  // A reader that stops early (`| head`) closes the pipe: what is left to print is dropped, quietly,
  // and the run ends as it would have (its counts are still kept for the next one). Without a
  // listener the EPIPE was an uncaught error with a stack trace.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    stdoutClosed = true;
  });
  const print = (text: string): void => {
    if (!stdoutClosed) process.stdout.write(text);
  };
  void runCli(process.argv.slice(2), {
    // Written apart from its newline: `text + '\n'` would copy a long text once more.
    out: (text) => {
      print(text);
      print('\n');
    },
    write: print,
    err: (text) => process.stderr.write(text + '\n'),
    cwd: process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
