// Shared by the issue 5 benchmarks: machine description, timing child processes with their peak
// memory, medians, and writing results to bench/results-*.json (git-ignored).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

/** Repository root (npm run bench compiles into .cache/bench-out, out/ belongs to the unit tests). */
import { repoRoot } from '../test/unit/tokenizer/oracleSupport';
export { repoRoot };

/**
 * CB_BENCH_QUICK=1: every bench runs on small inputs, so the whole of `npm run bench` can be checked
 * end to end in minutes. Those figures are not the ones of record (bench/RESULTS.md says so).
 */
export const quickBench = process.env['CB_BENCH_QUICK'] === '1';

export interface Machine {
  readonly cores: number;
  readonly cpu: string;
  readonly node: string;
  readonly memoryGiB: number;
  readonly date: string;
  readonly niceness: string;
}

export function machine(): Machine {
  const cpuInfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  let niceness = 'unknown';
  try {
    niceness = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[16]!;
  } catch {
    // not Linux
  }
  return {
    cores: availableParallelism(),
    cpu: model,
    node: process.version,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
    niceness,
  };
}

export interface Timed {
  readonly seconds: number;
  /** Peak resident set of the child (GNU time %M), KiB; 0 when /usr/bin/time is missing. */
  readonly maxRssKiB: number;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command to completion, timing wall clock from spawn to exit and reading its peak RSS with
 * GNU time when present. Output is collected in memory.
 */
export async function timeCommand(
  command: string,
  args: readonly string[],
  options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<Timed> {
  const useTime = existsSync('/usr/bin/time');
  const dir = mkdtempSync(join(tmpdir(), 'cb-bench-time-'));
  const rssFile = join(dir, 'rss');
  const [file, argv] = useTime ? ['/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args]] : [command, [...args]];
  const start = performance.now();
  const child = spawn(file, argv, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve(status));
  });
  const seconds = (performance.now() - start) / 1000;
  let maxRssKiB = 0;
  if (useTime && existsSync(rssFile)) maxRssKiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) || 0;
  rmSync(dir, { recursive: true, force: true });
  return { seconds, maxRssKiB, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Writes bench/results-<name>.json (git-ignored) and returns its path. */
export function writeResults(name: string, results: unknown): string {
  const path = join(repoRoot, 'bench', `results-${name}.json`);
  writeFileSync(path, JSON.stringify({ machine: machine(), ...(results as object) }, null, 2) + '\n');
  return path;
}

/** The value after `--flag` on the command line, or the fallback. */
export function flagValue(flag: string, fallback: number): number {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

export const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
