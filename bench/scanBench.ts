// The folder walk alone (issue 13, brief 19b): scanTree over the bench tree with the CLI's synchronous
// NodeWorkspaceFs and with the extension's promise-based one, judging files one at a time (lookahead 1,
// the walk before brief 19b) or with several stat calls in flight (the default lookahead). Each variant
// runs in a fresh process, warm page cache (one untimed walk first), and every variant must list exactly
// the same files and skips.
// Run: node out/bench/scanBench.js [--runs N] [--tree DIR]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { scanLookahead, scanTree } from '../src/core/scan/scanner';
import type { ScanResult } from '../src/core/scan/scanner';
import { defaultSettings } from '../src/core/settings';
import { NodeWorkspaceFs } from '../src/node/nodeWorkspaceFs';
import { median } from './benchSupport';
import { treeDir } from './coldCountBench';

interface Variant {
  readonly name: string;
  readonly synchronous: boolean;
  readonly lookahead: number;
}

const variants: readonly Variant[] = [
  { name: 'sync ops, one at a time (CLI before)', synchronous: true, lookahead: 1 },
  { name: `sync ops, lookahead ${scanLookahead}`, synchronous: true, lookahead: scanLookahead },
  { name: 'promise ops, one at a time (extension before)', synchronous: false, lookahead: 1 },
  { name: 'promise ops, lookahead 4', synchronous: false, lookahead: 4 },
  { name: `promise ops, lookahead ${scanLookahead}`, synchronous: false, lookahead: scanLookahead },
  { name: 'promise ops, lookahead 64', synchronous: false, lookahead: 64 },
];

interface Measure {
  readonly wallMs: number;
  /** CPU of the whole process, every thread (libuv's pool included), user + system. */
  readonly cpuMs: number;
  /** CPU of the main thread alone (Linux /proc, 10 ms ticks), or NaN elsewhere. */
  readonly mainThreadCpuMs: number;
  readonly files: number;
  readonly digest: string;
}

/** User + system CPU of the main thread, from /proc/self/task/<pid>/stat (fields 14 and 15, in clock ticks of 10 ms). */
function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

function digestOf(result: ScanResult): string {
  const listed = JSON.stringify([
    result.files.map((f) => [f.relativePath, f.sizeBytes]),
    result.skipped.map((s) => [s.relativePath, s.reason]),
    result.truncated,
  ]);
  return createHash('sha256').update(listed).digest('hex');
}

async function runOne(tree: string, variant: Variant): Promise<Measure> {
  const fs = new NodeWorkspaceFs({ synchronous: variant.synchronous });
  // As the bench command line: `--max-files 1000000 --include-generated-files`, the other settings at their defaults.
  const options = {
    excludeGlobs: defaultSettings.excludes,
    respectGitignore: defaultSettings.respectGitignore,
    maxFileBytes: defaultSettings.maxFileBytes,
    maxFiles: 1_000_000,
    skipSecretFiles: defaultSettings.skipSecretFiles,
    skipGeneratedFiles: false,
    lookahead: variant.lookahead,
  };
  await scanTree(fs, tree, options); // warm the page cache and the JIT
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = performance.now();
  const result = await scanTree(fs, tree, options);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    mainThreadCpuMs: mainThreadCpuMs() - main0,
    files: result.files.length,
    digest: digestOf(result),
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const child = args.indexOf('--child');
  const tree = args.includes('--tree') ? args[args.indexOf('--tree') + 1]! : treeDir;
  if (child >= 0) {
    const variant = variants[Number(args[child + 1])]!;
    process.stdout.write(JSON.stringify(await runOne(tree, variant)));
    return;
  }
  const runs = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : 7;
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`tree ${tree}, ${runs} runs per variant (interleaved), load before: ${load()}`);
  const measures = variants.map((): Measure[] => []);
  for (let run = 0; run < runs; run++) {
    for (let v = 0; v < variants.length; v++) {
      const out = spawnSync(process.execPath, [__filename, '--child', String(v), '--tree', tree], { encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`variant ${variants[v]!.name} failed: ${out.stderr}`);
      measures[v]!.push(JSON.parse(out.stdout) as Measure);
    }
  }
  const reference = measures[0]![0]!.digest;
  variants.forEach((variant, v) => {
    const m = measures[v]!;
    if (m.some((one) => one.digest !== reference)) throw new Error(`${variant.name}: a different result from the one-at-a-time walk`);
    const fmt = (xs: number[]) => median(xs).toFixed(0).padStart(5);
    console.log(
      `${variant.name.padEnd(46)} wall ${fmt(m.map((x) => x.wallMs))} ms  cpu ${fmt(m.map((x) => x.cpuMs))} ms  ` +
        `main-thread cpu ${fmt(m.map((x) => x.mainThreadCpuMs))} ms  (${m[0]!.files} files, medians)`,
    );
  });
  console.log(`identical files and skips in every run; load after: ${load()}`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
