import assert from 'node:assert/strict';
import { runCli } from '../../src/cli/main';
import type { CliCountStats } from '../../src/cli/main';

/** A CLI run in this process, as a terminal would see it, with the pool's counters. */
export interface CapturedRun {
  readonly code: number;
  /** Standard output, each printed text ending with a newline. */
  readonly out: string;
  readonly err: string;
  readonly stats: CliCountStats;
}

/** Runs the CLI's files command in `cwd`; fails the test when the run ends before counting (no stats). */
export async function runCliCaptured(args: readonly string[], cwd: string): Promise<CapturedRun> {
  let out = '';
  let err = '';
  let stats: CliCountStats | undefined;
  const code = await runCli(args, {
    out: (text) => (out += text + '\n'),
    err: (text) => (err += text + '\n'),
    cwd,
    onCountStats: (s) => (stats = s),
  });
  assert.ok(stats, `no stats: ${err}`);
  return { code, out, err, stats };
}
