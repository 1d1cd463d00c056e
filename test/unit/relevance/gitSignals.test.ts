import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isRecentlyChanged, recentChangeDays } from '../../../src/core/relevance/relevance';
import { gitRelevanceFacts } from '../../../src/cli/contextSources';
import { gitChangedFiles, gitLastChangeTimes } from '../../../src/node/gitSignals';

function repo(): { dir: string; run: (...args: string[]) => string; commit: (message: string, date: string) => void } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'cb-git-')));
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir };
  const run = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' });
  run('init', '-q', '-b', 'main');
  run('config', 'user.email', 't@example.com');
  run('config', 'user.name', 't');
  const commit = (message: string, date: string): void => {
    execFileSync('git', ['commit', '-qm', message], { cwd: dir, env: { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
  };
  return { dir, run, commit };
}

test('changed files: modified, staged, untracked and renamed (new name), deleted left out; with a ref, commits since the merge base too', async () => {
  const { dir, run, commit } = repo();
  try {
    mkdirSync(join(dir, 'src'));
    for (const name of ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'é x.ts']) writeFileSync(join(dir, 'src', name), name);
    run('add', '.');
    commit('base', '2026-01-01T00:00:00Z');
    run('checkout', '-q', '-b', 'feature');
    writeFileSync(join(dir, 'src', 'é x.ts'), 'changed on the branch');
    run('add', '.');
    commit('branch work', '2026-01-02T00:00:00Z');
    writeFileSync(join(dir, 'src', 'a.ts'), 'modified');
    writeFileSync(join(dir, 'src', 'b.ts'), 'staged');
    run('add', 'src/b.ts');
    run('mv', 'src/c.ts', 'src/c2.ts');
    run('rm', '-q', 'src/d.ts');
    writeFileSync(join(dir, 'new.ts'), 'untracked');
    const workingTree = await gitChangedFiles(join(dir, 'src'));
    assert.equal(workingTree.root, dir);
    assert.deepEqual(workingTree.paths, ['new.ts', 'src/a.ts', 'src/b.ts', 'src/c2.ts']);
    assert.equal(workingTree.base, null);
    const sinceMain = await gitChangedFiles(dir, 'main');
    assert.deepEqual(sinceMain.paths, ['new.ts', 'src/a.ts', 'src/b.ts', 'src/c2.ts', 'src/é x.ts']);
    assert.equal(sinceMain.base, run('rev-parse', 'main').trim());
    await assert.rejects(gitChangedFiles(dir, 'no-such-branch'), /cannot compare with "no-such-branch": git merge-base: /);
    await assert.rejects(gitChangedFiles(dir, '--output=x'), /not a git ref: "--output=x"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('last change times: the newest commit touching each file, within the window', async () => {
  const { dir, run, commit } = repo();
  try {
    writeFileSync(join(dir, 'old.ts'), '1');
    writeFileSync(join(dir, 'both.ts'), '1');
    run('add', '.');
    commit('one', '2026-01-01T00:00:00Z');
    writeFileSync(join(dir, 'both.ts'), '2');
    run('add', '.');
    commit('two', '2026-01-05T00:00:00Z');
    const times = await gitLastChangeTimes(dir, 100_000);
    assert.equal(times.get('both.ts'), Date.parse('2026-01-05T00:00:00Z') / 1000);
    assert.equal(times.get('old.ts'), Date.parse('2026-01-01T00:00:00Z') / 1000);
    const now = Date.parse('2026-01-10T00:00:00Z') / 1000;
    assert.equal(isRecentlyChanged(times.get('both.ts'), now), true);
    assert.equal(isRecentlyChanged(times.get('old.ts'), now + recentChangeDays * 86_400), false);
    assert.equal(isRecentlyChanged(undefined, now), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("outside a repository: git's own message", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-nogit-'));
  try {
    await assert.rejects(gitChangedFiles(dir), /git rev-parse: fatal: not a git repository/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("reading git's facts leaves the user's index untouched, even when its stat data is stale", async () => {
  const { dir, run, commit } = repo();
  try {
    writeFileSync(join(dir, 'a.ts'), 'a');
    run('add', '.');
    commit('one', '2026-01-01T00:00:00Z');
    // A newer mtime on unchanged content: a plain `git status` refreshes the index and writes it back.
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(dir, 'a.ts'), later, later);
    const before = readFileSync(join(dir, '.git', 'index'));
    const changes = await gitChangedFiles(dir);
    await gitLastChangeTimes(dir, 100_000);
    assert.deepEqual(changes.paths, []);
    assert.ok(readFileSync(join(dir, '.git', 'index')).equals(before), 'the index was rewritten');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('relevance facts for a plan: changed files as absolute paths; a stopped git gives a problem line, never a rejection', async () => {
  const { dir, run, commit } = repo();
  try {
    writeFileSync(join(dir, 'a.ts'), 'a');
    run('add', '.');
    commit('one', new Date().toISOString());
    writeFileSync(join(dir, 'a.ts'), 'edited');
    const facts = await gitRelevanceFacts(dir);
    assert.equal(facts.problem, null);
    assert.deepEqual(facts.changed, [join(dir, 'a.ts')]);
    assert.deepEqual(facts.recent, [join(dir, 'a.ts')]);
    const stop = new AbortController();
    stop.abort();
    const stopped = await gitRelevanceFacts(dir, stop.signal);
    assert.deepEqual([stopped.changed, stopped.recent], [[], []]);
    assert.match(stopped.problem ?? '', /abort/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
