import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { get_encoding } from 'tiktoken';
import { runCli } from '../../../src/cli/main';
import { countStoreFormatVersion } from '../../../src/core/cache/countStoreFormat';
import { racyChangeMarginMs } from '../../../src/core/scan/contextCounter';
import { defaultCacheDirectory } from '../../../src/node/cacheLocation';
import { runCliCaptured } from '../../support/runCli';
import type { CapturedRun } from '../../support/runCli';

interface Run extends Omit<CapturedRun, 'out'> {
  readonly json: { promptTokens: number; files: Array<{ path: string; status: string; tokens: number | null }> };
}

async function run(args: readonly string[], cwd: string): Promise<Run> {
  const { out, ...result } = await runCliCaptured([...args, '--json'], cwd);
  return { ...result, json: JSON.parse(out) };
}

const oracle = get_encoding('o200k_base');
const tokensOf = (text: string): number => oracle.encode_ordinary(text).length;

/** A fixed mtime, so a test can give a file back exactly the mtime it had. */
const fixedMtime = 1_700_000_000;

function workspace(): { dir: string; texts: Map<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-cli-cache-'));
  mkdirSync(path.join(dir, 'src'));
  const texts = new Map([
    ['src/a.ts', 'export const answer = 42;\n'.repeat(30)],
    ['src/b.md', '# Notes\n\nSome prose, and a second line of it.\n'],
    ['src/c.py', 'def f(x):\n    return x * 2\n'],
    ['README.md', 'Hello, cache.\n'],
  ]);
  for (const [name, text] of texts) {
    writeFileSync(path.join(dir, name), text);
    utimesSync(path.join(dir, name), fixedMtime, fixedMtime);
  }
  return { dir, texts };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the CLI keeps counts between runs', () => {
  it('a second run tokenizes nothing; an edit that keeps size and mtime is still recounted; --no-cache reads and writes nothing', async () => {
    const { dir, texts } = workspace();
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-cli-cache-dir-'));
    // Files changed within the last 2 s are not remembered by their stamp (racy-git rule): let them age.
    await sleep(racyChangeMarginMs + 100);

    const first = await run(['.', '--cache-dir', cache], dir);
    assert.equal(first.stats.tokenizations, texts.size);
    assert.equal(first.stats.persistentHits, 0);
    for (const [name, text] of texts) assert.equal(first.json.files.find((file) => file.path === name)?.tokens, tokensOf(text), name);

    const second = await run(['.', '--cache-dir', cache], dir);
    assert.equal(second.stats.tokenizations, 0, 'nothing tokenized');
    assert.equal(second.stats.persistentHits, texts.size);
    assert.deepEqual(second.json, first.json, 'the same report');
    assert.equal(second.code, first.code);

    // Same size, same mtime, different content: only the change time tells.
    const edited = 'export const answer = 24;\n'.repeat(30);
    assert.equal(edited.length, texts.get('src/a.ts')!.length);
    const before = statSync(path.join(dir, 'src/a.ts'));
    writeFileSync(path.join(dir, 'src/a.ts'), edited);
    utimesSync(path.join(dir, 'src/a.ts'), fixedMtime, fixedMtime);
    const after = statSync(path.join(dir, 'src/a.ts'));
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeMs, before.mtimeMs);
    const third = await run(['.', '--cache-dir', cache], dir);
    assert.equal(third.stats.tokenizations, 1, 'only the edited file');
    assert.equal(third.json.files.find((file) => file.path === 'src/a.ts')?.tokens, tokensOf(edited));
    assert.equal(third.json.promptTokens, first.json.promptTokens - tokensOf(texts.get('src/a.ts')!) + tokensOf(edited));

    const listing = (): string[] => readdirSync(cache, { recursive: true, encoding: 'utf8' }).sort();
    const kept = listing();
    const off = await run(['.', '--no-cache'], dir);
    assert.equal(off.stats.tokenizations, texts.size);
    assert.equal(off.stats.persistentHits, 0);
    assert.deepEqual(listing(), kept, '--no-cache writes nothing');
    assert.deepEqual(off.json, third.json);
  });

  it('over a limit, a second run parses nothing for its plan and prints the same plan; an edited file is parsed again', async () => {
    const { dir, texts } = workspace();
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-cli-cache-dir-'));
    await sleep(racyChangeMarginMs + 100);
    // Over the budget: the CLI prints a drop plan, which parses the files it can (src/a.ts, src/c.py) for imports and outlines.
    const args = ['.', '--cache-dir', cache, '--budget', '40'];
    const first = await run(args, dir);
    assert.equal(first.code, 1);
    assert.equal(first.stats.parses, 2, 'the TypeScript and the Python file');
    const plan = (report: unknown): unknown => (report as { dropPlan: unknown }).dropPlan;
    assert.ok(plan(first.json), 'a plan is printed');

    const second = await run(args, dir);
    assert.equal(second.stats.parses, 0, 'nothing parsed again');
    assert.equal(second.stats.tokenizations, 0, 'nothing tokenized: counts and outline counts come from the cache');
    assert.deepEqual(second.json, first.json, 'the same report and plan');

    const edited = 'export function twice(x: number): number {\n  return x * 2;\n}\n';
    writeFileSync(path.join(dir, 'src/a.ts'), edited);
    const third = await run(args, dir);
    assert.equal(third.stats.parses, 1, 'only the edited file');
    assert.equal(third.json.files.find((file) => file.path === 'src/a.ts')?.tokens, tokensOf(edited));
    const fresh = await run(['.', '--no-cache', '--budget', '40'], dir);
    assert.equal(fresh.stats.parses, 2);
    assert.deepEqual(third.json, fresh.json, 'the run on the cache prints what a run without it prints');
    assert.notEqual(texts.get('src/a.ts'), edited);
  });

  it('--no-plan: over a limit, the counts and the exit status without a plan, and nothing parsed', async () => {
    const { dir, texts } = workspace();
    const result = await run(['.', '--no-cache', '--budget', '40', '--no-plan'], dir);
    assert.equal(result.code, 1, 'still over the budget');
    assert.equal((result.json as unknown as { dropPlan: unknown }).dropPlan, null);
    assert.equal(result.stats.parses, 0);
    assert.equal(
      result.json.promptTokens,
      [...texts.values()].reduce((sum, text) => sum + tokensOf(text), 0),
    );
    let err = '';
    const code = await runCli(['.', '--no-plan', '--target', 'budget', '--budget', '40'], {
      out: () => undefined,
      err: (text) => (err += text),
      cwd: dir,
    });
    assert.equal(code, 2);
    assert.match(err, /--no-plan and --target budget contradict each other/);
  });

  it('a damaged cache is reported once on stderr, ignored, and rebuilt; the counts stay right', async () => {
    const { dir, texts } = workspace();
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-cli-cache-dir-'));
    const first = await run(['.', '--cache-dir', cache], dir);
    const workspaces = path.join(cache, `workspaces-v${countStoreFormatVersion}`);
    const segments = readdirSync(workspaces, { recursive: true, encoding: 'utf8' }).filter(
      (name) => name.endsWith('.seg') && name.split(path.sep).includes('counts'),
    );
    assert.ok(segments.length > 0);
    for (const segment of segments) {
      const file = path.join(workspaces, segment);
      writeFileSync(file, readFileSync(file).subarray(0, 40));
    }
    const damaged = await run(['.', '--cache-dir', cache], dir);
    assert.deepEqual(damaged.json, first.json);
    assert.equal(damaged.stats.tokenizations, texts.size, 'nothing trusted from the damaged files');
    assert.equal(damaged.err.split('\n').filter((line) => line.includes('is damaged')).length, 1, damaged.err);
    assert.match(damaged.err, /^context-budget: the count cache file .* is damaged \(/m);
    const rebuilt = await run(['.', '--cache-dir', cache], dir);
    assert.equal(rebuilt.stats.tokenizations, 0);
    assert.equal(rebuilt.err, '');
  });

  it("a run over part of a repository reuses the repository's entries; another project in the same cache keeps its own", async () => {
    const { dir, texts } = workspace();
    mkdirSync(path.join(dir, '.git'));
    const cache = mkdtempSync(path.join(tmpdir(), 'cb-cli-cache-dir-'));
    await sleep(racyChangeMarginMs + 100);
    const whole = await run(['.', '--cache-dir', cache], dir);
    assert.equal(whole.stats.tokenizations, texts.size);
    const part = await run(['src', '--cache-dir', cache], dir);
    assert.equal(part.stats.tokenizations, 0, 'src/ is part of the same repository: nothing tokenized');
    assert.equal(part.stats.persistentHits, 3);

    const other = workspace();
    await sleep(racyChangeMarginMs + 100);
    const elsewhere = await run(['.', '--cache-dir', cache], other.dir);
    assert.equal(elsewhere.stats.tokenizations, other.texts.size, "another project's run reads none of the first one's entries");
    assert.deepEqual(elsewhere.json.files, whole.json.files, 'and counts the same');
    assert.equal(readdirSync(path.join(cache, `workspaces-v${countStoreFormatVersion}`)).length, 2);
  });

  it('bad cache flags are usage errors', async () => {
    const { dir } = workspace();
    let err = '';
    const code = await runCli(['.', '--no-cache', '--cache-dir', 'x'], { out: () => undefined, err: (text) => (err += text), cwd: dir });
    assert.equal(code, 2);
    assert.match(err, /--no-cache and --cache-dir "x" contradict each other/);
    const capped = await runCli(['.', '--cache-max-mib=-1'], { out: () => undefined, err: (text) => (err = text), cwd: dir });
    assert.equal(capped, 2);
    assert.match(err, /--cache-max-mib must be a whole number from 0 to 4,096 \(got -1\)/);
  });

  it('the default folder follows XDG_CACHE_HOME when it is absolute, else ~/.cache', () => {
    assert.equal(defaultCacheDirectory({ XDG_CACHE_HOME: '/x/cache' }, '/home/me'), path.join('/x/cache', 'context-budget'));
    assert.equal(
      defaultCacheDirectory({ XDG_CACHE_HOME: 'relative/cache' }, '/home/me'),
      path.join('/home/me', '.cache', 'context-budget'),
    );
    assert.equal(defaultCacheDirectory({}, '/home/me'), path.join('/home/me', '.cache', 'context-budget'));
  });
});
