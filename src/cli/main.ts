import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildBudgetReport } from '../core/analysis/buildReport';
import { framedFile, treeBlock } from '../core/export/promptExport';
import type { FileCount } from '../core/scan/fileCount';
import { readFileText } from '../core/scan/readFileText';
import type { BudgetFileInput } from '../core/analysis/budgetTypes';
import { firstExceededTarget, planDropsForReport } from '../core/analysis/dropPlan';
import { resolveTarget } from '../core/analysis/resolveTarget';
import type { ConfigFile } from '../core/analysis/resolveTarget';
import { defaultEfficiencies, estimateCost } from '../core/cost/costEngine';
import { loadBundledCatalog } from '../core/model/catalog';
import { costFields, estimateLines, reportJson, reportText, warningLines } from '../core/presenters/cliReport';
import { escapeControlChars, escapeJsonForTerminal } from '../core/presenters/escapeText';
import { levelAt, windowsFor } from '../core/risk/riskEngine';
import { buildWarnings } from '../core/risk/warnings';
import { ContextCounter } from '../core/scan/contextCounter';
import { compileGlobs, GlobSyntaxError, isGlob, matchesAnyGlob } from '../core/scan/glob';
import { describeUnmatchedGlobs, scanGlobs } from '../core/scan/globScan';
import { scanTree, statCandidate } from '../core/scan/scanner';
import type { ScannedFile } from '../core/scan/scanner';
import type { SkippedEntry } from '../core/scan/workspaceFs';
import type { ModelSpec } from '../core/model/modelSpec';
import type { Settings } from '../core/settings';
import { formatBytes, formatInteger } from '../core/units';
import { readModelFile } from '../node/modelFile';
import { NodeWorkspaceFs } from '../node/nodeWorkspaceFs';
import { TokenizerPool } from '../node/tokenizerPool';
import { parseCli, usage, UsageError } from './args';
import type { CliCommand } from './args';

/** Runs the CLI; resolves to the exit status (0 within limits, 1 not, 2 bad usage). */
export async function runCli(argv: readonly string[], io: { out: (text: string) => void; err: (text: string) => void; cwd: string }): Promise<number> {
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
    const attention = model.mla ? 'MLA' : model.layers.map((group) => `${group.count}×${group.attention.kind === 'full' ? 'full' : group.attention.kind === 'sliding' ? `sw${group.attention.window}` : `chunk${group.attention.chunk}`}`).join('+');
    out(`${model.id.padEnd(24)} ${billions(model.paramsTotal).padStart(8)} ${billions(model.paramsActive).padStart(8)} ${formatInteger(windows.max).padStart(10)} ${formatInteger(windows.effective).padStart(10)}  ${attention}, ${model.numKvHeads} KV heads`);
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
  for (const gpu of gpus) out(`${gpu.id.padEnd(16)} ${formatBytes(gpu.memoryBytes).padStart(10)} ${Math.round(gpu.bandwidthBytesPerSec / 1e9).toString().padStart(7)} ${(gpu.bf16FlopsPerSec / 1e12).toFixed(1).padStart(13)}  ${gpu.name}${gpu.estimatedFields?.length ? ' (some figures estimated)' : ''}`);
  return 0;
}

async function estimate(command: Extract<CliCommand, { kind: 'estimate' }>, io: { out: (text: string) => void; cwd: string }): Promise<number> {
  const { settings } = command;
  const target = forDisplay(await resolveOrThrow(command.modelArg, settings, io.cwd), command.json);
  const { model, gpu } = target;
  const windows = windowsFor(model);
  const efficiencies = defaultEfficiencies(gpu);
  const computeEfficiency = settings.computeEfficiency ?? efficiencies.computeEfficiency.value;
  const memoryEfficiency = settings.memoryEfficiency ?? efficiencies.memoryEfficiency.value;
  const cost = estimateCost({ model, gpu, gpuCount: settings.gpuCount, promptTokens: command.tokens, reserveOutputTokens: settings.reserveOutputTokens, weightDtype: settings.weightDtype, kvDtype: settings.kvCacheDtype, batchSize: settings.batchSize, memoryUtilization: settings.memoryUtilization, computeEfficiency, memoryEfficiency });
  const level = levelAt(cost.tokens, windows);
  const risk = { level, windows, files: [], focusShare: 1, middleBand: null };
  const warnings = buildWarnings({ cost, risk, model, gpuCount: settings.gpuCount, budgetTokens: settings.budgetTokens || undefined, promptTokens: command.tokens, reserveOutputTokens: settings.reserveOutputTokens, gpuName: gpu.name });
  const within = level !== 'beyond' && cost.fits && (settings.budgetTokens === 0 || command.tokens <= settings.budgetTokens);
  if (command.json) {
    io.out(jsonForTerminal({ model: { id: model.id, displayName: model.displayName, origin: model.origin }, gpu: { id: gpu.id, name: gpu.name, count: settings.gpuCount }, tokens: cost.tokens, promptTokens: command.tokens, reserveOutputTokens: settings.reserveOutputTokens, ...costFields(cost), assumptions: { computeEfficiency, memoryEfficiency, memoryUtilization: settings.memoryUtilization, weightDtype: model.storedWeights?.label ?? settings.weightDtype, kvDtype: settings.kvCacheDtype, batchSize: settings.batchSize }, risk: { level, windows }, warnings, withinLimits: within }));
  } else {
    io.out([...estimateLines(cost, windows, level, { promptTokens: command.tokens, reserve: settings.reserveOutputTokens, countNote: null, model: model.displayName, gpu: `${settings.gpuCount}× ${gpu.name}`, computeEfficiency, memoryEfficiency, budget: settings.budgetTokens || null }), ...warningLines(warnings)].join('\n'));
  }
  return within ? 0 : 1;
}

async function countFiles(command: Extract<CliCommand, { kind: 'files' }>, io: { out: (text: string) => void; err: (text: string) => void; cwd: string }): Promise<number> {
  const { settings } = command;
  const target = forDisplay(await resolveOrThrow(command.modelArg, settings, io.cwd), command.json);
  // Text output escapes names from disk (a newline or ESC in a file name); JSON escapes its own.
  const display = command.json ? (text: string): string => text : escapeControlChars;
  const fs = new NodeWorkspaceFs();
  const scanOptions = { excludeGlobs: settings.excludes, respectGitignore: settings.respectGitignore, maxFileBytes: settings.maxFileBytes, maxFiles: settings.maxFiles };
  const files = new Map<string, ScannedFile>();
  const skipped: SkippedEntry[] = [];
  // An argument naming an existing file or folder is that path, even with glob characters in its
  // name (`notes [v2].md`); only the others are globs. Otherwise such a file silently counted as 0.
  const exists = await Promise.all(command.paths.map((p) => fs.stat(path.resolve(io.cwd, p)).then(() => true, () => false)));
  const globs = command.paths.filter((p, i) => isGlob(p) && !exists[i]);
  for (const arg of command.paths.filter((p, i) => !isGlob(p) || exists[i])) {
    const absolute = path.resolve(io.cwd, arg);
    const relative = toPosix(path.relative(io.cwd, absolute)) || '.';
    const stat = await fs.stat(absolute).catch(() => undefined);
    if (!stat) throw new UsageError(`no such file or folder: ${escapeControlChars(arg)}`);
    if (stat.kind === 'directory' || stat.kind === 'symlinkToDirectory') {
      const result = await scanTree(fs, absolute, { ...scanOptions, pathPrefix: relative === '.' ? '' : relative });
      for (const file of result.files) files.set(file.location, file);
      skipped.push(...result.skipped);
    } else {
      const file = await statCandidate(fs, absolute, relative, scanOptions, skipped);
      if (file) files.set(file.location, file);
    }
  }
  if (globs.length > 0) {
    // Matching files beyond --max-files, skipped matches and globs matching nothing are all reported.
    const result = await scanGlobs(fs, io.cwd, globs, scanOptions).catch((error: unknown) => {
      throw error instanceof GlobSyntaxError ? new UsageError(`path argument: ${error.message}.`) : error;
    });
    if (result.unmatched.length > 0) throw new UsageError(describeUnmatchedGlobs(result, settings.maxFiles));
    for (const file of result.files) files.set(file.location, file);
    skipped.push(...result.skipped);
  }
  const pool = new TokenizerPool({ workerScript: workerScriptPath() });
  try {
    const ordered = [...files.values()].sort((a, b) => (a.relativePath < b.relativePath ? -1 : a.relativePath > b.relativePath ? 1 : 0));
    const counter = new ContextCounter(fs, pool);
    const counts = await counter.countFiles(ordered, settings.encoding);
    const framing = await countFramingForCli(fs, pool, ordered, counts, settings);
    const focus = compileGlobs(command.focus);
    const pinned = compileGlobs(command.pinned);
    const inputs: BudgetFileInput[] = ordered.map((file) => ({
      uri: file.location,
      relativePath: display(file.relativePath),
      included: true,
      focus: command.focus.length > 0 && matchesAnyGlob(file.relativePath, focus.pathGlobs, focus.baseNameGlobs),
      pinned: command.pinned.length > 0 && matchesAnyGlob(file.relativePath, pinned.pathGlobs, pinned.baseNameGlobs),
      count: counts.get(file.location),
      framedTokens: framing.framed.get(file.location),
    }));
    const report = buildBudgetReport(inputs, settings, target, { treeTokens: framing.treeTokens });
    const planTarget = command.target ?? (report.withinLimits ? null : firstExceededTarget(report));
    const plan = planTarget ? planDropsForReport(report, inputs, planTarget) : null;
    if (command.target === 'budget' && !plan) throw new UsageError('--target budget needs --budget N.');
    const planned = plan && planTarget ? { target: planTarget, plan } : null;
    const pathOf = (uri: string): string => display(files.get(uri)?.relativePath ?? uri);
    const shownSkips = skipped.map((entry) => ({ ...entry, relativePath: display(entry.relativePath), message: display(entry.message) }));
    io.out(command.json ? jsonForTerminal(reportJson(report, shownSkips, planned, pathOf)) : reportText(report, shownSkips, planned, pathOf));
    return report.withinLimits ? 0 : 1;
  } finally {
    await pool.dispose();
  }
}

/** With --framing: each counted file's tokens as exported, and the directory tree's, counted like the extension does. */
async function countFramingForCli(fs: NodeWorkspaceFs, pool: TokenizerPool, ordered: readonly ScannedFile[], counts: ReadonlyMap<string, FileCount>, settings: Settings): Promise<{ framed: Map<string, number>; treeTokens: number | null }> {
  const framed = new Map<string, number>();
  const format = settings.exportFraming;
  if (format === 'none') return { framed, treeTokens: null };
  const counted = ordered.filter((file) => counts.get(file.location)?.kind === 'counted');
  for (const file of counted) {
    const text = await readFileText(fs, file.location, file.maxBytes);
    if (text === undefined) continue;
    const outcome = await pool.countText(framedFile(file.relativePath, text, format).text, settings.encoding);
    if (outcome.kind === 'counted') framed.set(file.location, outcome.tokens);
  }
  if (!settings.exportDirectoryTree || counted.length === 0) return { framed, treeTokens: null };
  const tree = await pool.countText(treeBlock(counted.map((file) => file.relativePath), format), settings.encoding);
  return { framed, treeTokens: tree.kind === 'counted' ? tree.tokens : null };
}

/** `--model` is a catalog id, or a path to a config.json or a .gguf (anything ending in .json/.gguf or naming an existing file). */
async function resolveOrThrow(modelArg: string, settings: Settings, cwd: string): Promise<ReturnType<typeof resolveTarget>> {
  let configFile: ConfigFile | undefined;
  const isGguf = /\.gguf$/i.test(modelArg);
  const looksLikePath = isGguf || modelArg.endsWith('.json') || modelArg.includes('/') || modelArg.includes('\\');
  if (looksLikePath) {
    const absolute = path.resolve(cwd, modelArg);
    if (!existsSync(absolute)) throw new UsageError(`--model: no such ${isGguf ? 'model' : 'config'} file: ${escapeControlChars(modelArg)}`);
    // Bounded and non-blocking (FIFOs, /dev/zero, /proc files refused); a GGUF has only its header read.
    configFile = await readModelFile(absolute);
    if ('error' in configFile) throw new UsageError(`--model: cannot read ${isGguf ? 'GGUF' : 'config'} file ${escapeControlChars(modelArg)} (${escapeControlChars(configFile.error)})`);
  }
  const resolved = resolveTarget({ ...settings, model: looksLikePath ? settings.model : modelArg }, configFile);
  // On the command line a bad model or GPU is bad usage (exit 2), never a silent fallback, so the
  // extension's "Using … instead." would be untrue here.
  if (resolved.problems.length > 0) throw new UsageError(resolved.problems.map((problem) => escapeControlChars(problem.replace(/ Using .* instead\.$/, ''))).join('\n'));
  return resolved;
}

/** For text output, the model's name (a config folder's name, a GGUF's general.name) with control characters escaped. */
function forDisplay<T extends { readonly model: ModelSpec }>(target: T, json: boolean): T {
  return json ? target : { ...target, model: { ...target.model, displayName: escapeControlChars(target.model.displayName) } };
}

/** `--json` output: pretty-printed, with the bidi and C1 characters JSON.stringify leaves raw escaped too. */
function jsonForTerminal(value: unknown): string {
  return escapeJsonForTerminal(JSON.stringify(value, null, 2));
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
  void runCli(process.argv.slice(2), { out: (text) => process.stdout.write(text + '\n'), err: (text) => process.stderr.write(text + '\n'), cwd: process.cwd() }).then((code) => {
    process.exitCode = code;
  });
}
