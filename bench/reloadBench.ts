// Window reload with a 10,000-file selection, on the core path the extension runs at activation:
// Selection.restore(snapshot) → BudgetSession stats every file (promise-based NodeWorkspaceFs, as
// the extension host reads file: URIs) → ContextCounter asks the persistent cache by change stamp
// → the report. Each phase is a fresh process, as a reload is:
//   1. count the bench tree with an empty cache, flush it, save the selection snapshot;
//   2. (the reload) restore the snapshot; time until the report has every file counted.
// Asserts that the reload tokenizes nothing and that its report equals the first one.
// Run: node .cache/bench-out/bench/reloadBench.js [--files N] (CB_BENCH_QUICK=1: at most 2,000 files of the 8 MiB tree)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveTarget } from '../src/core/analysis/resolveTarget';
import { toStatusBarModel } from '../src/core/presenters/statusBarModel';
import { ContextCounter } from '../src/core/scan/contextCounter';
import { scanTree } from '../src/core/scan/scanner';
import { Selection } from '../src/core/selection/selection';
import { BudgetSession } from '../src/core/session/budgetSession';
import { defaultSettings } from '../src/core/settings';
import { countingCodeVersion, DiskCountStore } from '../src/node/diskCountStore';
import { NodeWorkspaceFs } from '../src/node/nodeWorkspaceFs';
import { TokenizerPool } from '../src/node/tokenizerPool';
import { machine, median, quickBench, writeResults } from './benchSupport';
import { assembleTree, benchTreeBytes, treeDir } from './coldCountBench';
import { commandIds } from '../src/host/ids';

const workerScript = join(__dirname, '..', 'src', 'worker', 'tokenizerWorker.js');
interface PhaseResult {
  readonly ms: number;
  /** CPU time of the process over the same span (user + system, all threads): less sensitive to a loaded machine than wall time. */
  readonly cpuMs: number;
  readonly files: number;
  readonly promptTokens: number;
  readonly tokenizations: number;
  readonly persistentHits: number;
  readonly statusBar: string;
}

/** One phase in this process: `count` (empty cache) or `reload` (restore the snapshot). */
async function phase(kind: 'count' | 'reload', cacheDir: string, snapshotFile: string, maxFiles: number): Promise<PhaseResult> {
  const fs = new NodeWorkspaceFs();
  const store = new DiskCountStore({
    directory: cacheDir,
    workspace: treeDir,
    maxBytes: 64 * 1024 * 1024,
    codeVersion: () => countingCodeVersion(workerScript),
  });
  // The extension's pool: the default size (one worker on two cores).
  const pool = new TokenizerPool({ workerScript, store });
  const selection = new Selection();
  const session = new BudgetSession({
    selection,
    counter: new ContextCounter(fs, pool, undefined, store),
    fs,
    context: { generation: 1, settings: defaultSettings, target: resolveTarget(defaultSettings) },
    notifyDelayMs: 50,
  });
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  if (kind === 'count') {
    const scan = await scanTree(fs, treeDir, {
      excludeGlobs: [],
      respectGitignore: true,
      maxFileBytes: defaultSettings.maxFileBytes,
      maxFiles,
    });
    await session.addFiles(scan.files);
  } else {
    selection.restore(JSON.parse(readFileSync(snapshotFile, 'utf8')));
  }
  await session.whenIdle();
  const report = session.report();
  const model = toStatusBarModel(report, session.progress, commandIds);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (kind === 'count') writeFileSync(snapshotFile, JSON.stringify(selection.snapshot()));
  await store.flush();
  const stats = pool.stats();
  session.dispose();
  await pool.dispose();
  return {
    ms,
    cpuMs,
    files: report.counts.counted,
    promptTokens: report.promptTokens,
    tokenizations: stats.tokenizations,
    persistentHits: stats.persistentHits,
    statusBar: model.text,
  };
}

function runPhase(kind: 'count' | 'reload', cacheDir: string, snapshotFile: string, maxFiles: number): PhaseResult {
  const child = spawnSync(process.execPath, [__filename, '--phase', kind, cacheDir, snapshotFile, String(maxFiles)], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (child.status !== 0) throw new Error(`phase ${kind} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as PhaseResult;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--phase');
  if (at >= 0) {
    const [kind, cacheDir, snapshotFile, maxFiles] = process.argv.slice(at + 1);
    console.log(JSON.stringify(await phase(kind as 'count' | 'reload', cacheDir!, snapshotFile!, Number(maxFiles))));
    return;
  }
  const filesArg = process.argv.indexOf('--files');
  const maxFiles = filesArg >= 0 ? Number(process.argv[filesArg + 1]) : quickBench ? 2_000 : 10_000;
  const runs = 3;
  console.log(`machine: ${JSON.stringify(machine())}`);
  assembleTree(benchTreeBytes);
  const dir = mkdtempSync(join(tmpdir(), 'cb-reload-bench-'));
  const cacheDir = join(dir, 'cache');
  const snapshotFile = join(dir, 'selection.json');
  const first = runPhase('count', cacheDir, snapshotFile, maxFiles);
  console.log(
    `first session: ${first.files} files, ${first.promptTokens} tokens, ${(first.ms / 1000).toFixed(1)} s, ${first.tokenizations} tokenizations`,
  );
  // Files changed within 2 s of being read are not remembered by stamp; the tree is older than that.
  const reloads = Array.from({ length: runs }, () => runPhase('reload', cacheDir, snapshotFile, maxFiles));
  rmSync(dir, { recursive: true, force: true });
  for (const reload of reloads) {
    if (reload.tokenizations !== 0) throw new Error(`the reload tokenized ${reload.tokenizations} file(s)`);
    if (reload.promptTokens !== first.promptTokens || reload.files !== first.files) {
      throw new Error(`the reload's report differs: ${reload.files} files / ${reload.promptTokens} tokens`);
    }
  }
  const ms = median(reloads.map((reload) => reload.ms));
  console.log(
    `reload (restore + stat + cache lookup + report), ${first.files} files: median ${ms.toFixed(0)} ms of ${reloads.map((reload) => reload.ms.toFixed(0)).join(', ')} (CPU ${reloads.map((reload) => reload.cpuMs.toFixed(0)).join(', ')} ms); 0 tokenizations, ${reloads[0]!.persistentHits} persistent hits; status bar "${reloads[0]!.statusBar}"`,
  );
  console.log(`target ≤ 1000 ms: ${ms <= 1000 ? 'MET' : 'MISSED'}`);
  console.log(
    `results: ${writeResults('reload', { files: first.files, firstSessionMs: first.ms, reloadMs: reloads.map((reload) => reload.ms), reloadCpuMs: reloads.map((reload) => reload.cpuMs), persistentHits: reloads[0]!.persistentHits })}`,
  );
}

void main();
