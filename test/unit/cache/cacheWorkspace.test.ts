import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { cacheWorkspaceOf } from '../../../src/node/cacheWorkspace';

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'cb-cache-workspace-')));
after(() => rmSync(root, { recursive: true, force: true }));

function folder(...parts: string[]): string {
  const location = path.join(root, ...parts);
  mkdirSync(location, { recursive: true });
  return location;
}

function file(...parts: string[]): string {
  const location = path.join(root, ...parts);
  mkdirSync(path.dirname(location), { recursive: true });
  writeFileSync(location, 'x');
  return location;
}

describe('the workspace a CLI run caches under', () => {
  it('is the repository holding what is counted, however much of it the run names', () => {
    const repo = folder('repo');
    folder('repo', '.git');
    assert.equal(cacheWorkspaceOf([repo]), repo);
    assert.equal(cacheWorkspaceOf([folder('repo', 'src')]), repo, 'a folder inside it');
    assert.equal(cacheWorkspaceOf([file('repo', 'src', 'a.ts'), folder('repo', 'lib', 'deep')]), repo, 'a file and a folder inside it');
  });

  it("a worktree's or submodule's `.git` file marks a repository too", () => {
    const worktree = folder('worktree');
    file('worktree', '.git');
    assert.equal(cacheWorkspaceOf([folder('worktree', 'pkg')]), worktree);
  });

  it('outside any repository, the deepest folder common to everything named', () => {
    const plain = folder('plain');
    assert.equal(cacheWorkspaceOf([file('plain', 'a', 'x.ts'), file('plain', 'b', 'y.ts')]), plain);
    assert.equal(cacheWorkspaceOf([file('plain', 'a', 'x.ts')]), path.join(plain, 'a'), 'a file alone: its folder');
    // Siblings whose names share a prefix do not make a folder that does not exist.
    assert.equal(cacheWorkspaceOf([folder('plain', 'app'), folder('plain', 'apple')]), plain);
  });

  it('one project reached through a symbolic link is one workspace', () => {
    const repo = folder('linked-repo');
    folder('linked-repo', '.git');
    const src = folder('linked-repo', 'src');
    const link = path.join(root, 'link-to-repo');
    symlinkSync(repo, link);
    assert.equal(cacheWorkspaceOf([path.join(link, 'src')]), cacheWorkspaceOf([src]));
    assert.equal(cacheWorkspaceOf([link]), repo);
  });

  it('a FIFO or a file stands for its folder, and nothing it meets on the way throws', () => {
    const special = folder('special');
    const fifo = path.join(special, 'pipe');
    execFileSync('mkfifo', [fifo]);
    assert.equal(cacheWorkspaceOf([fifo]), special);
    // A path through a file (ENOTDIR at every step up to it).
    assert.doesNotThrow(() => cacheWorkspaceOf([path.join(file('special', 'plain.txt'), 'below', 'deeper')]));
  });

  it('a location that does not exist (a glob root) is taken as a folder', () => {
    assert.equal(cacheWorkspaceOf([path.join(root, 'not-there')]), path.join(root, 'not-there'));
  });
});
