// Runs every benchmark once, one after the other, and writes bench/RESULTS.md from that one run: the
// machine, the load before, during and after each bench (/proc/loadavg), the exact commands, each
// bench's output verbatim, and a table of the targets computed from the results-*.json files the
// benches write in this run (each is deleted before its bench starts, so no figure is left over from
// an earlier run). A bench that exits non-zero or prints MISMATCH fails the run (exit 1): the benches
// assert exactness against the official tiktoken core, Hugging Face tokenizers and their own reports.
// Run: npm run bench (compiles, packages the VSIX, then runs this), or
//   node .cache/bench-out/bench/runAll.js [--quick] [--only name,name]
// --quick (or CB_BENCH_QUICK=1 in the environment) runs every bench on small inputs, in minutes, to
// check the whole chain end to end; RESULTS.md then says that its figures are not the ones of record.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { machine, median, repoRoot } from './benchSupport';

interface Bench {
  readonly name: string;
  readonly title: string;
  /** Compiled script: under .cache/bench-out (npm run bench's second tsc) or out/ for the scripts that locate the repo from out/bench. */
  readonly script: string;
  /** Arguments of a full run (a quick run passes none: each bench sizes itself down with CB_BENCH_QUICK=1). */
  readonly args: readonly string[];
  /** The results-<name>.json files it writes. */
  readonly results: readonly string[];
}

const benchOut = join(repoRoot, '.cache', 'bench-out', 'bench');
const outBench = join(repoRoot, 'out', 'bench');

const benches: readonly Bench[] = [
  {
    name: 'tokenizer',
    title: 'Tokenizer throughput: ours against the official tiktoken core',
    script: join(benchOut, 'tokenizerBench.js'),
    args: [],
    results: ['tokenizer'],
  },
  {
    name: 'hf-tokenizer',
    title: 'Model-native tokenizers (tokenizer.json): ours against Hugging Face tokenizers',
    script: join(benchOut, 'hfTokenizerBench.js'),
    args: ['--mb', '4'],
    results: ['hf-tokenizer'],
  },
  {
    name: 'gguf-tokenizer',
    title: 'Model-native tokenizers (GGUF vocabularies): ours against llama.cpp',
    script: join(benchOut, 'ggufTokenizerBench.js'),
    args: [],
    results: ['gguf-tokenizer'],
  },
  {
    name: 'cold-count',
    title: 'Cold count and re-run of the bench tree (100 MiB; quick: 8 MiB): CLI, official core, Repomix',
    script: join(benchOut, 'coldCountBench.js'),
    args: [],
    results: ['cold-count'],
  },
  {
    name: 'cold-profile',
    title: "Where a cold run's work goes",
    script: join(benchOut, 'coldProfile.js'),
    args: [],
    results: ['cold-profile'],
  },
  {
    name: 'hf-cold-count',
    title: 'Cold count and re-run of the bench tree with model-native tokenizers',
    script: join(benchOut, 'hfColdCountBench.js'),
    args: [],
    results: ['hf-cold-count'],
  },
  {
    name: 'warm-recount',
    title: 'Warm recount: one edited file in a large selection (10,000 files; quick: 2,000)',
    script: join(benchOut, 'warmRecountBench.js'),
    args: [],
    results: ['warm-recount'],
  },
  {
    name: 'reload',
    title: "Window reload with a large selection (the extension's core path; 10,000 files, quick: the 830-file tree)",
    script: join(benchOut, 'reloadBench.js'),
    args: [],
    results: ['reload'],
  },
  {
    name: 'pathological',
    title: 'Pathological inputs',
    script: join(benchOut, 'pathologicalBench.js'),
    args: [],
    results: ['pathological'],
  },
  { name: 'secrets', title: 'Secrets scan speed', script: join(benchOut, 'secretScanBench.js'), args: [], results: ['secrets'] },
  {
    name: 'relevance',
    title: 'Relevance plan on 10,000 files (generated)',
    script: join(benchOut, 'relevancePlanBench.js'),
    args: [],
    results: ['relevance'],
  },
  {
    name: 'panel',
    title: 'Panel with 20,000 files in Chromium (quick: 2,000)',
    script: join(outBench, 'panelBench.js'),
    args: [],
    results: ['panel'],
  },
  {
    name: 'host',
    title: 'The extension in the real extension host: activation, a 100 MiB folder counted (quick: 10 MiB), event-loop delay, VSIX',
    script: join(outBench, 'runHostBench.js'),
    args: [],
    results: ['host', 'host-activation'],
  },
];

interface Load {
  readonly before: number;
  readonly mean: number;
  readonly max: number;
  readonly after: number;
}

interface Ran {
  readonly bench: Bench;
  readonly seconds: number;
  readonly output: string;
  readonly load: Load;
  readonly failed: string | null;
}

/** Runs one bench with `env`, echoing its output, sampling the 1-minute load average every 5 s. */
async function run(bench: Bench, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  for (const name of bench.results) rmSync(join(repoRoot, 'bench', `results-${name}.json`), { force: true });
  const before = loadavg()[0]!;
  const samples = [before];
  const sampler = setInterval(() => samples.push(loadavg()[0]!), 5000);
  const started = performance.now();
  const chunks: string[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [bench.script, ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (chunk: Buffer): void => {
      chunks.push(chunk.toString('utf8'));
      process.stdout.write(chunk);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', (error) => {
      chunks.push(`could not start: ${error.message}\n`);
      resolve(null);
    });
    child.on('close', resolve);
  });
  clearInterval(sampler);
  const after = loadavg()[0]!;
  samples.push(after);
  const output = chunks.join('');
  const failed = code !== 0 ? `exited with ${code}` : /MISMATCH/.test(output) ? 'printed MISMATCH' : null;
  const load = { before, mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: Math.max(...samples), after };
  return { bench, seconds: (performance.now() - started) / 1000, output, load, failed };
}

/** The results files of the benches that ran in this run: only those are read (an earlier run's files may lie beside them). */
const ranResults = new Set<string>();

/** A results-*.json written in this run, or undefined. */
function results<T>(name: string): T | undefined {
  const file = join(repoRoot, 'bench', `results-${name}.json`);
  return ranResults.has(name) && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

const verdict = (ok: boolean): string => (ok ? '**met**' : '**missed**');
const ratio = (value: number): string => `${value.toFixed(2)}×`;

/** One row per target or figure of record, from this run's results files. */
function targetRows(): string[] {
  const rows = ['| what | result | target | verdict |', '|---|---|---|---|'];
  const row = (what: string, result: string, target: string, ok: boolean | null): void =>
    void rows.push(`| ${what} | ${result} | ${target} | ${ok === null ? '—' : verdict(ok)} |`);

  const tokenizer = results<{
    encodings: Record<string, { oracleSeconds: number; oursSeconds: number; poolSeconds: number; poolSize: number; equal: boolean }>;
    mismatches: number;
  }>('tokenizer');
  for (const [encoding, r] of Object.entries(tokenizer?.encodings ?? {})) {
    row(
      `tokenizer ${encoding}: ours ÷ official core (time), one thread / pool of ${r.poolSize}`,
      `${ratio(r.oursSeconds / r.oracleSeconds)} / ${ratio(r.poolSeconds / r.oracleSeconds)}`,
      'exact',
      r.equal,
    );
  }
  const hf = results<{ families: Record<string, { oracleSeconds: number; oursSeconds: number; equal: boolean }> }>('hf-tokenizer');
  for (const [family, r] of Object.entries(hf?.families ?? {})) {
    row(
      `tokenizer.json ${family}: ours ÷ Hugging Face tokenizers (time, one thread each)`,
      ratio(r.oursSeconds / r.oracleSeconds),
      'exact',
      r.equal,
    );
  }

  const gguf = results<{ families: Record<string, { referenceSeconds: number; oursSeconds: number; equal: boolean }> }>('gguf-tokenizer');
  for (const [family, r] of Object.entries(gguf?.families ?? {})) {
    row(`GGUF vocabulary ${family}: ours ÷ llama.cpp (time, one thread each)`, ratio(r.oursSeconds / r.referenceSeconds), 'exact', r.equal);
  }

  const cold = results<{
    tree: { files: number; bytes: number };
    seconds: {
      ours: number[];
      oursRerun: number[];
      oursNoPlan: number[];
      oursNoPlanRerun: number[];
      oracle: number[];
      repomixSameFiles: number[];
      repomixSameFilesWarmCache: number[];
    };
    exact: boolean;
  }>('cold-count');
  if (cold) {
    const tree = `${cold.tree.files.toLocaleString('en-US')} files, ${(cold.tree.bytes / 2 ** 20).toFixed(0)} MiB`;
    const ours = median(cold.seconds.ours);
    const rerun = median(cold.seconds.oursRerun);
    const count = median(cold.seconds.oursNoPlan);
    const countRerun = median(cold.seconds.oursNoPlanRerun);
    const core = median(cold.seconds.oracle);
    row(
      `cold count of the bench tree (${tree}, \`--no-plan\`) ÷ the official core, same run`,
      `${count.toFixed(2)} s ÷ ${core.toFixed(2)} s = ${ratio(count / core)}`,
      '≤ 0.5×',
      count / core <= 0.5,
    );
    row(
      'the same with the drop plan the CLI prints by default over a limit (parses every file) ÷ the official core',
      `${ours.toFixed(2)} s ÷ ${core.toFixed(2)} s = ${ratio(ours / core)}`,
      '(no target: more work than the core)',
      true,
    );
    if (cold.seconds.repomixSameFiles.length > 0) {
      const repomix = median(cold.seconds.repomixSameFiles);
      row(
        'cold count (`--no-plan`) ÷ Repomix cold (same files)',
        `${count.toFixed(2)} s ÷ ${repomix.toFixed(2)} s = ${ratio(count / repomix)}`,
        '≤ 0.5×',
        count / repomix <= 0.5,
      );
    }
    row(
      're-run of the unchanged tree on the persistent cache ÷ the cold run (`--no-plan`; with the plan)',
      `${countRerun.toFixed(2)} s ÷ ${count.toFixed(2)} s = ${(countRerun / count).toFixed(3)}×; ${rerun.toFixed(2)} s ÷ ${ours.toFixed(2)} s = ${(rerun / ours).toFixed(3)}×`,
      '≤ 0.1×',
      countRerun / count <= 0.1 && rerun / ours <= 0.1,
    );
    if (cold.seconds.repomixSameFilesWarmCache.length > 0) {
      const repomix = median(cold.seconds.repomixSameFilesWarmCache);
      row(
        "re-run: how much faster than Repomix's re-run on its own token-count cache (`--no-plan`; with the plan)",
        `${(repomix / countRerun).toFixed(1)}× faster; ${(repomix / rerun).toFixed(1)}× faster (${repomix.toFixed(2)} s ÷ ${rerun.toFixed(2)} s)`,
        '≥ 3× faster',
        repomix / countRerun >= 3 && repomix / rerun >= 3,
      );
    }
    row('cold count exactness vs the official core, file by file (both runs)', cold.exact ? 'equal' : 'MISMATCH', 'exact', cold.exact);
  }
  const hfCold = results<{
    files: number;
    families: Record<
      string,
      { oursColdSeconds: number; oracleSeconds: number; oursRerunSeconds: number; rerunTokenizations: number; mismatches: string[] }
    >;
  }>('hf-cold-count');
  for (const [family, r] of Object.entries(hfCold?.families ?? {})) {
    row(
      `tokenizer.json ${family}, bench tree (${hfCold!.files.toLocaleString('en-US')} files): cold count ÷ Hugging Face tokenizers (1 thread)`,
      `${r.oursColdSeconds.toFixed(1)} s ÷ ${r.oracleSeconds.toFixed(1)} s = ${ratio(r.oursColdSeconds / r.oracleSeconds)}`,
      'exact',
      r.mismatches.length === 0,
    );
    row(
      `tokenizer.json ${family}: re-run on the count cache ÷ cold`,
      `${(r.oursRerunSeconds / r.oursColdSeconds).toFixed(3)}×, ${r.rerunTokenizations} tokenized`,
      '≤ 0.1×, 0 tokenized',
      r.oursRerunSeconds / r.oursColdSeconds <= 0.1 && r.rerunTokenizations === 0,
    );
  }
  const warm = results<{ files: number; savedMs: { totals: number[]; cpu?: number[] }; unsavedMs: { totals: number[] } }>('warm-recount');
  if (warm) {
    const wall = median(warm.savedMs.totals);
    row(
      `warm recount, one edited file in ${warm.files.toLocaleString('en-US')} (saved; median)`,
      `${wall.toFixed(1)} ms (unsaved ${median(warm.unsavedMs.totals).toFixed(1)} ms)`,
      '≤ 20 ms',
      wall <= 20,
    );
  }
  const reload = results<{ files: number; reloadMs: number[]; reloadCpuMs: number[] }>('reload');
  if (reload) {
    const ms = median(reload.reloadMs);
    row(
      `window reload with ${reload.files.toLocaleString('en-US')} files selected: status bar complete (restore + stat + cache lookup + report)`,
      `${ms.toFixed(0)} ms (CPU ${median(reload.reloadCpuMs).toFixed(0)} ms), 0 tokenized`,
      '≤ 1 s',
      ms <= 1000,
    );
  }
  const pathological = results<{
    rows: Array<{
      label: string;
      ours: { tokens: number; seconds: number } | string;
      oracle: { tokens: number; seconds: number } | string;
    }>;
    exponents: { oursTime: number };
  }>('pathological');
  if (pathological) {
    const ran = pathological.rows.filter((r) => typeof r.ours !== 'string' && typeof r.oracle !== 'string');
    const equal = ran.every((r) => typeof r.ours !== 'string' && typeof r.oracle !== 'string' && r.ours.tokens === r.oracle.tokens);
    row(
      'pathological inputs: exactness where the official core finishes',
      `${equal ? 'equal' : 'MISMATCH'} in ${ran.length} of ${pathological.rows.length} cases`,
      'exact',
      equal && pathological.rows.every((r) => typeof r.ours !== 'string'),
    );
    row(
      'pathological: growth of our time with the size of minified JS (log-log slope)',
      pathological.exponents.oursTime.toFixed(2),
      '≈ 1 (linear)',
      null,
    );
  }
  const secrets = results<{ oursMBps: number; secretlintMBps: number | null }>('secrets');
  if (secrets) {
    row(
      'secrets scan on real text',
      `${secrets.oursMBps.toFixed(1)} MB/s${secrets.secretlintMBps !== null ? ` (secretlint ${secrets.secretlintMBps.toFixed(1)} MB/s: ${(secrets.oursMBps / secrets.secretlintMBps).toFixed(1)}×)` : ''}`,
      '—',
      null,
    );
  }
  const relevance = results<{ files: number; planMedianMs: Record<string, number> }>('relevance');
  if (relevance) {
    const slowest = Math.max(...Object.values(relevance.planMedianMs));
    row(
      `relevance plan on ${relevance.files.toLocaleString('en-US')} files (slowest median over 4 needs)`,
      `${slowest.toFixed(1)} ms`,
      '< 200 ms',
      slowest < 200,
    );
  }
  const panel = results<{ files: number; firstPaintMs: number; filterMaxMs: number }>('panel');
  if (panel) {
    row(
      `panel with ${panel.files.toLocaleString('en-US')} files: first paint (summary cards)`,
      `${panel.firstPaintMs.toFixed(0)} ms`,
      '≤ 500 ms',
      panel.firstPaintMs <= 500,
    );
    row('panel: path filter to rows painted (slowest of 4)', `${panel.filterMaxMs.toFixed(0)} ms`, '≤ 100 ms', panel.filterMaxMs <= 100);
  }
  const host = results<{
    activateRunsMs?: number[];
    firstRenderRunsMs?: number[];
    bundleLoadMs?: number;
    files?: number;
    seconds?: number;
    eventLoopDelayMs?: { p99: number; max: number };
    vsixBytes?: number | null;
  }>('host');
  if (host?.activateRunsMs?.length && host.bundleLoadMs !== undefined) {
    const activate = median(host.activateRunsMs);
    const total = activate + host.bundleLoadMs;
    row(
      `activation: activate() (median of ${host.activateRunsMs.length} launches) + bundle load (plain Node, median of 5)`,
      `${activate.toFixed(1)} + ${host.bundleLoadMs.toFixed(1)} = ${total.toFixed(1)} ms; first render at ${host.firstRenderRunsMs?.length ? median(host.firstRenderRunsMs).toFixed(1) : '?'} ms`,
      '≤ 50 ms',
      total <= 50,
    );
  }
  if (host?.files !== undefined && host.eventLoopDelayMs) {
    row(
      `extension host: add a ${host.files.toLocaleString('en-US')}-file folder, counted cold: event-loop delay p99 (10 ms sampling)`,
      `${host.eventLoopDelayMs.p99} ms (max ${host.eventLoopDelayMs.max} ms); counted in ${host.seconds} s; VSIX ${host.vsixBytes ? `${(host.vsixBytes / 2 ** 20).toFixed(2)} MiB` : '?'}`,
      '≤ 50 ms',
      host.eventLoopDelayMs.p99 <= 50,
    );
  }
  return rows;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick') || process.env['CB_BENCH_QUICK'] === '1';
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set(process.argv[onlyAt + 1]!.split(',')) : undefined;
  const unknown = [...(only ?? [])].filter((name) => !benches.some((bench) => bench.name === name));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}; known: ${benches.map((bench) => bench.name).join(', ')}`);
  const chosen = benches.filter((bench) => !only || only.has(bench.name));
  const missing = chosen.filter((bench) => !existsSync(bench.script));
  if (missing.length > 0) {
    throw new Error(
      `not compiled: ${missing.map((bench) => relative(repoRoot, bench.script)).join(', ')}; run npm run bench (it compiles first)`,
    );
  }
  const env: NodeJS.ProcessEnv = { ...process.env, ...(quick ? { CB_BENCH_QUICK: '1' } : {}) };
  const head = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  const startedAt = new Date();
  const ran: Ran[] = [];
  for (const bench of chosen) {
    console.log(`\n==== ${bench.name}: ${bench.title} ====`);
    ran.push(await run(bench, quick ? [] : bench.args, env));
    for (const name of bench.results) ranResults.add(name);
  }
  const endedAt = new Date();
  const minutes = (endedAt.getTime() - startedAt.getTime()) / 60_000;
  const command = (bench: Bench): string =>
    `${quick ? 'CB_BENCH_QUICK=1 ' : ''}node ${relative(repoRoot, bench.script)}${!quick && bench.args.length ? ` ${bench.args.join(' ')}` : ''}`;
  const lines: string[] = [
    '# Benchmark results',
    '',
    quick
      ? '> **Quick run (CB_BENCH_QUICK=1): every bench on small inputs, to check the chain end to end. These are not the figures of record; `npm run bench` without it measures the full sizes.**'
      : '> Full run: the figures of record.',
    '',
    `Generated by \`${quick ? 'CB_BENCH_QUICK=1 ' : ''}npm run bench\` (bench/runAll.ts) in one run${only ? ` (only ${[...only].join(', ')})` : ''}: ${startedAt.toISOString()} to ${endedAt.toISOString()} (${minutes.toFixed(0)} min), commit ${head}${dirty ? ' with uncommitted changes' : ''}.`,
    '',
    `**Machine:** ${describeMachine()}`,
    '',
    '**Load.** The machine is shared: other builds and tests run on the same cores. The 1-minute load average is read before each bench, every 5 s while it runs, and after it. With 2 cores, a load of 2 means both cores were busy and anything above means runnable threads waited: wall times grow with it. The ratios within one bench (same tree, same minutes) move much less.',
    '',
    '| bench | command | wall s | load before / mean / max / after | status |',
    '|---|---|---|---|---|',
    ...ran.map(
      (r) =>
        `| ${r.bench.name} | \`${command(r.bench)}\` | ${r.seconds.toFixed(0)} | ${r.load.before.toFixed(1)} / ${r.load.mean.toFixed(1)} / ${r.load.max.toFixed(1)} / ${r.load.after.toFixed(1)} | ${r.failed ? `**FAILED: ${r.failed}**` : 'ok'} |`,
    ),
    '',
    '## Targets and figures of record',
    '',
    'Computed from the results files the benches wrote in this run (ratios are medians over the runs each bench makes; see each section for every run).',
    '',
    ...targetRows(),
    '',
  ];
  for (const r of ran) {
    lines.push(
      `## ${r.bench.title}`,
      '',
      `\`${command(r.bench)}\`: ${r.seconds.toFixed(0)} s, load ${r.load.before.toFixed(1)} before, ${r.load.max.toFixed(1)} at most, ${r.load.after.toFixed(1)} after${r.failed ? `, **FAILED: ${r.failed}**` : ''}.`,
      '',
      '```',
      r.output.trim(),
      '```',
      '',
    );
  }
  writeFileSync(join(repoRoot, 'bench', 'RESULTS.md'), lines.join('\n'));
  const failed = ran.filter((r) => r.failed);
  console.log(`\n${targetRows().join('\n')}`);
  console.log(
    `\nwrote bench/RESULTS.md in ${minutes.toFixed(1)} min; ${failed.length} of ${ran.length} bench(es) failed${failed.length ? `: ${failed.map((r) => `${r.bench.name} (${r.failed})`).join(', ')}` : ''}`,
  );
  if (failed.length > 0) process.exitCode = 1;
}

function describeMachine(): string {
  const m = machine();
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, niceness ${m.niceness}.`;
}

function git(args: readonly string[]): string {
  return spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
