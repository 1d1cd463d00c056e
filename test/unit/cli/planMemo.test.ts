import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { runCliCaptured } from '../../support/runCli';
import type { CapturedRun } from '../../support/runCli';

interface DropPlanJson {
  readonly actions: ReadonlyArray<{ readonly path: string; readonly action: string }>;
}

const actionsOf = (result: CapturedRun): string[] =>
  (JSON.parse(result.out) as { dropPlan: DropPlanJson }).dropPlan.actions.map((action) => `${action.action} ${action.path}`);

/**
 * A focus file importing one of two files of the same size, over a budget that fits one file's
 * outline: the plan outlines the imported file and drops the other, so it turns on the import graph.
 */
function project(importLine: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'main.ts'), `${importLine}\nexport const main = value;\n`);
  for (const name of ['north', 'south']) {
    const lines = ['export const value = 1;'];
    for (let i = 1; i <= 40; i++) lines.push(`export function ${name}Helper${i}(x: number): number { return x * ${i} + 7; }`);
    writeFileSync(path.join(dir, 'src', `${name}.ts`), lines.join('\n') + '\n');
  }
  return dir;
}

const planArgs = (cache: string, budget = '700'): string[] => [
  'src',
  '--focus',
  'src/main.ts',
  '--budget',
  budget,
  '--json',
  '--cache-dir',
  cache,
];
const freshArgs = ['src', '--focus', 'src/main.ts', '--budget', '700', '--json', '--no-cache'];

function planFiles(cache: string): string[] {
  const workspaces = path.join(cache, 'workspaces-v3');
  return readdirSync(workspaces).flatMap((id) => {
    const folder = path.join(workspaces, id, 'plans-v1');
    try {
      return readdirSync(folder).map((name) => path.join(folder, name));
    } catch {
      return [];
    }
  });
}

describe('the CLI replays a drop plan whose inputs are unchanged, and never a stale one', () => {
  it('a re-run prints the remembered plan, byte for byte, in JSON and as text; --no-cache always makes it', async () => {
    const dir = project('import { value } from "./north";');
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-cache-'));
    const first = await runCliCaptured(planArgs(cache), dir);
    assert.equal(first.code, 1, 'over the budget');
    assert.equal(first.stats.planReplayed, false);
    assert.deepEqual(actionsOf(first), ['outline src/north.ts', 'drop src/south.ts'], 'the plan follows the import');
    assert.equal(planFiles(cache).length, 1, 'one plan remembered');

    const second = await runCliCaptured(planArgs(cache), dir);
    assert.equal(second.stats.planReplayed, true);
    assert.equal(second.stats.parses, 0);
    assert.equal(second.out, first.out, 'the same bytes');
    assert.equal(second.code, first.code);
    assert.equal(second.err, first.err);

    const textArgs = planArgs(cache).filter((arg) => arg !== '--json');
    const textFirst = await runCliCaptured(textArgs, dir);
    const textSecond = await runCliCaptured(textArgs, dir);
    assert.equal(textFirst.stats.planReplayed, false, 'text output is another command: its own plan');
    assert.equal(textSecond.stats.planReplayed, true);
    assert.equal(textSecond.out, textFirst.out);
    assert.match(textSecond.out, /drop plan: fit your token budget[\s\S]*src\/south\.ts: drop/);

    const fresh = await runCliCaptured(freshArgs, dir);
    assert.equal(fresh.stats.planReplayed, false);
    assert.equal(fresh.out, first.out);
  });

  it('an import edited to another file of the same size makes the plan again, as a run without the cache makes it', async () => {
    const dir = project('import { value } from "./north";');
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-cache-'));
    const first = await runCliCaptured(planArgs(cache), dir);
    writeFileSync(path.join(dir, 'src', 'main.ts'), 'import { value } from "./south";\nexport const main = value;\n');
    const edited = await runCliCaptured(planArgs(cache), dir);
    const promptTokens = (result: CapturedRun): number => (JSON.parse(result.out) as { promptTokens: number }).promptTokens;
    assert.equal(promptTokens(edited), promptTokens(first), 'the same counts: only the content tells');
    assert.equal(edited.stats.planReplayed, false);
    assert.deepEqual(actionsOf(edited), ['drop src/north.ts', 'outline src/south.ts']);
    assert.equal(edited.out, (await runCliCaptured(freshArgs, dir)).out);
  });

  it('a tsconfig outside the selection that maps the import elsewhere makes the plan again', async () => {
    const dir = project('import { value } from "@lib/impl";');
    const tsconfig = (target: string): string => JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/impl': [target] } } });
    writeFileSync(path.join(dir, 'tsconfig.json'), tsconfig('src/north'));
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-cache-'));
    const first = await runCliCaptured(planArgs(cache), dir);
    assert.deepEqual(actionsOf(first), ['outline src/north.ts', 'drop src/south.ts']);
    writeFileSync(path.join(dir, 'tsconfig.json'), tsconfig('src/south'));
    const remapped = await runCliCaptured(planArgs(cache), dir);
    assert.equal(remapped.stats.planReplayed, false);
    assert.deepEqual(actionsOf(remapped), ['drop src/north.ts', 'outline src/south.ts']);
    assert.equal(remapped.out, (await runCliCaptured(freshArgs, dir)).out);
  });

  it('a file git now reports as changed (same content) makes the plan again; so does another budget', async () => {
    const dir = project('import { value } from "./north";');
    const git = (...args: string[]): void => {
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, stdio: 'ignore' });
    };
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'all');
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-cache-'));
    await runCliCaptured(planArgs(cache), dir);
    assert.equal((await runCliCaptured(planArgs(cache), dir)).stats.planReplayed, true);
    git('rm', '-q', '--cached', 'src/south.ts');
    const untracked = await runCliCaptured(planArgs(cache), dir);
    assert.equal(untracked.stats.planReplayed, false, 'south is a changed file now: an anchor');
    assert.equal(untracked.out, (await runCliCaptured(freshArgs, dir)).out);

    const other = await runCliCaptured(planArgs(cache, '900'), dir);
    assert.equal(other.stats.planReplayed, false);
    assert.equal(
      other.out,
      (
        await runCliCaptured(
          freshArgs.map((arg) => (arg === '700' ? '900' : arg)),
          dir,
        )
      ).out,
    );
  });

  it('a damaged remembered plan is reported once, not printed, and made again', async () => {
    const dir = project('import { value } from "./north";');
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-cache-'));
    const first = await runCliCaptured(planArgs(cache), dir);
    const [file] = planFiles(cache);
    assert.ok(file);
    // The same length and still JSON: only the checksum tells.
    writeFileSync(file, readFileSync(file, 'utf8').replace('src/south.ts', 'src/sout0.ts'));
    const damaged = await runCliCaptured(planArgs(cache), dir);
    assert.equal(damaged.stats.planReplayed, false);
    assert.equal(damaged.out, first.out, 'the plan made again, not the damaged one');
    assert.equal(damaged.err.split('\n').filter((line) => line.includes('is damaged')).length, 1, damaged.err);
    const again = await runCliCaptured(planArgs(cache), dir);
    assert.equal(again.stats.planReplayed, true, 'made again and remembered');
    assert.equal(again.out, first.out);
    assert.equal(again.err, first.err);
  });
});
