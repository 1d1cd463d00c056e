// Issue 5, benchmark 3: pathological inputs through the product path (file bytes → TokenizerPool →
// worker: decode + count), each case in a fresh child process so peak memory (maxRSS, the whole
// process including the worker thread and the input) belongs to that case alone. The official
// tiktoken core runs the same text in its own child where it can finish. Also measured: the main
// thread's event-loop lag while the worker counts (the extension host must not freeze), and how long
// a tiny file waits when submitted just after the big one (with the default pool, and with 2 workers).
// Growth exponent: least-squares slope of log(time) over log(size) across the minified sizes.
// Run: npm run bench, or node .cache/bench-out/bench/pathologicalBench.js [--repeats N] (CB_BENCH_QUICK=1: an eighth of the sizes, one repeat)
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { get_encoding } from 'tiktoken';
import { TokenizerPool } from '../src/node/tokenizerPool';
import { base64Blob, minifiedJs, seededRandom } from '../test/unit/tokenizer/oracleSupport';
import { flagValue, machine, quickBench, writeResults } from './benchSupport';

const mib = 1024 * 1024;
const workerScript = join(__dirname, '..', 'src', 'worker', 'tokenizerWorker.js');

interface Case {
  readonly id: string;
  readonly label: string;
  readonly bytes: number;
  /** The official core cannot run it: why. */
  readonly oracleSkip?: string;
  readonly make: () => string;
}

/** A log file: timestamps, levels, ids and messages, like a real service log (not one repeated line). */
function logText(bytes: number): string {
  const random = seededRandom(9);
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  const paths = ['/api/v1/items', '/api/v1/users/me', '/healthz', '/static/app.js', '/api/v2/search?q=token+budget'];
  const parts: string[] = [];
  let size = 0;
  let ms = Date.UTC(2024, 0, 1);
  while (size < bytes) {
    ms += Math.floor(random() * 900);
    const line = `${new Date(ms).toISOString()} ${levels[Math.floor(random() * levels.length)]} req=${Math.floor(random() * 0xffffffff).toString(16)} path=${paths[Math.floor(random() * paths.length)]} status=${random() < 0.95 ? 200 : 500} ms=${Math.floor(random() * 250)}\n`;
    parts.push(line);
    size += line.length;
  }
  return parts.join('').slice(0, bytes);
}

/** Sizes are in units of 1 MiB, or of 128 KiB with CB_BENCH_QUICK=1 (same shapes, an eighth of the size). */
const unit = quickBench ? mib / 8 : mib;
const sized = (units: number): string => (quickBench ? `${units * 128} KiB` : `${units} MiB`);

const cases: readonly Case[] = [
  { id: 'min1', label: `minified JS, one line, ${sized(1)}`, bytes: unit, make: () => minifiedJs(unit, 21) },
  { id: 'min2', label: `minified JS, one line, ${sized(2)}`, bytes: 2 * unit, make: () => minifiedJs(2 * unit, 22) },
  { id: 'min5', label: `minified JS, one line, ${sized(5)}`, bytes: 5 * unit, make: () => minifiedJs(5 * unit, 23) },
  { id: 'b64', label: `base64 blob, ${sized(5)}`, bytes: 5 * unit, make: () => base64Blob(5 * unit, 24) },
  {
    id: 'run',
    label: `one-letter run, ${sized(2)}`,
    bytes: 2 * unit,
    oracleSkip: 'quadratic: ~7.5 s at 64 KB, aborts with "unreachable" at 1 MB (bench/tokenizerBench.ts)',
    make: () => 'a'.repeat(2 * unit),
  },
  { id: 'log', label: `log file, ${sized(50)}`, bytes: 50 * unit, make: () => logText(50 * unit) },
];

interface OursResult {
  tokens: number | string;
  seconds: number;
  maxRssMiB: number;
  rssBeforeMiB: number;
  maxLagMs: number;
  tinyWaitMs: number;
  tinyWaitTwoWorkersMs: number;
}

interface OracleResult {
  tokens: number;
  seconds: number;
  maxRssMiB: number;
}

/** Child: counts one case through the pool and prints JSON. */
async function childOurs(id: string): Promise<void> {
  const bytes = new TextEncoder().encode(cases.find((c) => c.id === id)!.make());
  const tiny = new TextEncoder().encode('export const tiny = 1;\n');
  const run = async (
    size: number,
  ): Promise<{ tokens: number | string; seconds: number; maxLagMs: number; tinyWaitMs: number; rssBeforeMiB: number }> => {
    const pool = new TokenizerPool({ workerScript, ...(size ? { size } : {}) });
    await Promise.all([pool.countText('warm up the ranks', 'o200k_base'), pool.countText('warm up the second worker', 'o200k_base')]);
    const copy = bytes.slice(); // countBytes transfers (detaches) its buffer; copy outside the timing
    const rssBeforeMiB = process.memoryUsage().rss / mib;
    let maxLagMs = 0;
    let last = performance.now();
    const lag = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last - 5);
      last = now;
    }, 5);
    const start = performance.now();
    const big = pool.countBytes(copy, 'o200k_base');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const tinyStart = performance.now();
    await pool.countBytes(tiny.slice(), 'o200k_base');
    const tinyWaitMs = performance.now() - tinyStart;
    const outcome = await big;
    const seconds = (performance.now() - start) / 1000;
    clearInterval(lag);
    await pool.dispose();
    return {
      tokens: outcome.kind === 'counted' ? outcome.tokens : `skipped: ${outcome.reason}`,
      seconds,
      maxLagMs,
      tinyWaitMs,
      rssBeforeMiB,
    };
  };
  const main = await run(0);
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  const two = await run(2);
  const result: OursResult = {
    tokens: main.tokens,
    seconds: main.seconds,
    maxRssMiB,
    rssBeforeMiB: main.rssBeforeMiB,
    maxLagMs: main.maxLagMs,
    tinyWaitMs: main.tinyWaitMs,
    tinyWaitTwoWorkersMs: two.tinyWaitMs,
  };
  process.stdout.write(JSON.stringify(result));
}

/** Child: the official core on the same text. */
function childOracle(id: string): void {
  const text = cases.find((c) => c.id === id)!.make();
  const encoder = get_encoding('o200k_base');
  encoder.encode_ordinary('warm up');
  const start = performance.now();
  const tokens = encoder.encode_ordinary(text).length;
  const seconds = (performance.now() - start) / 1000;
  const result: OracleResult = { tokens, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(JSON.stringify(result));
}

function runChild<T>(mode: string, id: string): Promise<T | string> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=8192', __filename, mode, id], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        resolve(`failed (exit ${code}): ${err.trim().split('\n').slice(-1)[0] ?? ''}`.slice(0, 200));
      }
    });
  });
}

/** Least-squares slope of log(y) over log(x). */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < lx.length; i++) {
    num += (lx[i]! - mx) * (ly[i]! - my);
    den += (lx[i]! - mx) ** 2;
  }
  return num / den;
}

async function main(): Promise<void> {
  console.log(`machine: ${JSON.stringify(machine())}`);
  const rows: Array<{ id: string; label: string; ours: OursResult | string; oracle: OracleResult | string }> = [];
  // Each case runs `repeats` times in fresh children and the run with the median time is kept (the
  // machine is shared; single runs varied by 2× between sessions). The 50 MiB oracle runs once.
  const repeats = flagValue('--repeats', quickBench ? 1 : 3);
  const medianRun = <T extends { seconds: number }>(results: Array<T | string>): T | string => {
    const ok = results.filter((r): r is T => typeof r !== 'string').sort((a, b) => a.seconds - b.seconds);
    return ok.length ? ok[Math.floor((ok.length - 1) / 2)]! : results[0]!;
  };
  for (const c of cases) {
    const oursRuns: Array<OursResult | string> = [];
    for (let i = 0; i < repeats; i++) oursRuns.push(await runChild<OursResult>('--child-ours', c.id));
    const ours = medianRun(oursRuns);
    const oracleRuns: Array<OracleResult | string> = [];
    if (!c.oracleSkip) {
      for (let i = 0; i < (c.id === 'log' ? 1 : repeats); i++) oracleRuns.push(await runChild<OracleResult>('--child-oracle', c.id));
    }
    const oracle = c.oracleSkip ? `not run: ${c.oracleSkip}` : medianRun(oracleRuns);
    rows.push({ id: c.id, label: c.label, ours, oracle });
    console.log(
      `${c.label}: ours ${typeof ours === 'string' ? ours : `${ours.seconds.toFixed(2)} s`}, tiktoken ${typeof oracle === 'string' ? oracle : `${oracle.seconds.toFixed(2)} s`}`,
    );
  }
  console.log(
    '\n| input | ours: time | ours: peak RSS (before) | main-thread max lag | tiny file submitted 20 ms later waits (default pool / 2 workers) | tiktoken core: time | tiktoken: peak RSS | tokens equal |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) {
    const o = row.ours;
    const r = row.oracle;
    const oursCells =
      typeof o === 'string'
        ? `${o} | | | `
        : `${o.seconds.toFixed(2)} s | ${o.maxRssMiB.toFixed(0)} MiB (${o.rssBeforeMiB.toFixed(0)}) | ${o.maxLagMs.toFixed(0)} ms | ${o.tinyWaitMs.toFixed(0)} ms / ${o.tinyWaitTwoWorkersMs.toFixed(0)} ms`;
    const oracleCells = typeof r === 'string' ? `${r} | ` : `${r.seconds.toFixed(2)} s | ${r.maxRssMiB.toFixed(0)} MiB`;
    const equal =
      typeof o === 'string' || typeof r === 'string'
        ? '—'
        : o.tokens === r.tokens
          ? `yes (${r.tokens})`
          : `NO: ours ${o.tokens}, tiktoken ${r.tokens}`;
    console.log(`| ${row.label} | ${oursCells} | ${oracleCells} | ${equal} |`);
  }
  const minified = rows.filter((row) => row.id.startsWith('min'));
  const sizes = [1, 2, 5];
  const oursTimes = minified.map((row) => (typeof row.ours === 'string' ? NaN : row.ours.seconds));
  const oracleTimes = minified.map((row) => (typeof row.oracle === 'string' ? NaN : row.oracle.seconds));
  const oursRss = minified.map((row) => (typeof row.ours === 'string' ? NaN : row.ours.maxRssMiB));
  const exponents = { oursTime: slope(sizes, oursTimes), oracleTime: slope(sizes, oracleTimes), oursPeakRss: slope(sizes, oursRss) };
  console.log(
    `\ngrowth exponent across ${sized(1)}, ${sized(2)}, ${sized(5)} minified (log-log slope, 1 = linear): ours time ${exponents.oursTime.toFixed(2)}, tiktoken time ${exponents.oracleTime.toFixed(2)}, ours peak RSS ${exponents.oursPeakRss.toFixed(2)} (a fixed ~120 MiB base dominates)`,
  );
  const unequal = rows.filter(
    (row) => typeof row.ours !== 'string' && typeof row.oracle !== 'string' && row.ours.tokens !== row.oracle.tokens,
  );
  const failed = rows.filter((row) => typeof row.ours === 'string');
  console.log(
    `exactness vs the official core: ${unequal.length === 0 ? 'EQUAL where it ran' : `MISMATCH: ${unequal.map((row) => row.label).join(', ')}`}${failed.length ? `; ours FAILED on ${failed.map((row) => row.label).join(', ')}` : ''}`,
  );
  console.log(`results: ${writeResults('pathological', { rows, exponents })}`);
  if (unequal.length > 0 || failed.length > 0) process.exitCode = 1;
}

const mode = process.argv[2];
if (mode === '--child-ours') void childOurs(process.argv[3]!);
else if (mode === '--child-oracle') childOracle(process.argv[3]!);
else void main();
