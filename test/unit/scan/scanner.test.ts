import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanTree } from '../../../src/core/scan/scanner';
import type { ScanOptions } from '../../../src/core/scan/scanner';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';

const options: ScanOptions = { excludeGlobs: [], respectGitignore: true, maxFileBytes: 1000, maxFiles: 1000 };

test('nested .gitignore rules stack, negations re-include, anchored patterns stay anchored', async () => {
  const fs = new InMemoryWorkspaceFs()
    .file('/.gitignore', '*.log\n/build\n')
    .file('/a.ts', 'a')
    .file('/x.log', 'log')
    .file('/build/out.js', 'x')
    .file('/src/build/keep.ts', 'kept: /build is anchored to the root')
    .file('/src/.gitignore', '!important.log\ngenerated/\n')
    .file('/src/important.log', 'kept by negation')
    .file('/src/other.log', 'ignored by the root rule')
    .file('/src/generated/g.ts', 'ignored')
    .file('/node_modules/lib/index.js', 'default exclude');
  const result = await scanTree(fs, '/', options);
  assert.deepEqual(result.files.map((f) => f.relativePath).sort(), [
    '.gitignore',
    'a.ts',
    'src/.gitignore',
    'src/build/keep.ts',
    'src/important.log',
  ]);
  const reasons = Object.fromEntries(result.skipped.map((s) => [s.relativePath, s.reason]));
  assert.equal(reasons['x.log'], 'ignored');
  assert.equal(reasons['build/'], 'ignored');
  assert.equal(reasons['node_modules/'], 'excluded');
  assert.equal(result.truncated, false);
});

test('user excludes, size cap, symlinks, special files and unlistable folders each get a specific reason', async () => {
  const fs = new InMemoryWorkspaceFs()
    .file('/keep.md', 'hello')
    .file('/big.txt', 'x'.repeat(2000))
    .file('/secret/key.pem', 'k')
    .dir('/loop')
    .symlink('/loop/self', '/loop')
    .symlink('/link.md', '/keep.md')
    .symlink('/dangling', '/nowhere')
    .special('/fifo', 'other')
    .special('/locked', 'unlistable');
  const result = await scanTree(fs, '/', { ...options, excludeGlobs: ['secret/'] });
  assert.deepEqual(result.files.map((f) => f.relativePath).sort(), ['keep.md', 'link.md']);
  const byPath = new Map(result.skipped.map((s) => [s.relativePath, s]));
  assert.equal(byPath.get('big.txt')?.reason, 'tooLarge');
  assert.match(byPath.get('big.txt')!.message, /1\.95 KiB is larger than the 1000 B limit/);
  assert.equal(byPath.get('secret/')?.reason, 'excluded');
  assert.equal(byPath.get('loop/self/')?.reason, 'symlinkedDirectory');
  assert.equal(byPath.get('dangling')?.reason, 'brokenSymlink');
  assert.equal(byPath.get('fifo')?.reason, 'notRegularFile');
  assert.equal(byPath.get('locked/')?.reason, 'unreadable');
  assert.match(byPath.get('locked/')!.message, /EACCES/);
});

test('a file that vanishes between listing and stat is reported, not fatal', async () => {
  const fs = new InMemoryWorkspaceFs().file('/a.ts', 'a').file('/gone.ts', 'b');
  fs.vanishing.add('/gone.ts');
  const result = await scanTree(fs, '/', options);
  assert.deepEqual(
    result.files.map((f) => f.relativePath),
    ['a.ts'],
  );
  assert.equal(result.skipped[0]?.reason, 'vanished');
});

test('maxFiles stops the walk and says so', async () => {
  const fs = new InMemoryWorkspaceFs();
  for (let i = 0; i < 30; i++) fs.file(`/f${String(i).padStart(2, '0')}.txt`, 'x');
  const result = await scanTree(fs, '/', { ...options, maxFiles: 10 });
  assert.equal(result.files.length, 10);
  assert.equal(result.truncated, true);
  assert.match(result.skipped.at(-1)!.message, /stopped after 10 files/);
});

test('an aborted signal cancels the scan', async () => {
  const fs = new InMemoryWorkspaceFs().file('/a.ts', 'a');
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(scanTree(fs, '/', { ...options, signal: controller.signal }), { name: 'AbortError' });
});

test('multi-root prefix is applied to every relative path', async () => {
  const fs = new InMemoryWorkspaceFs().file('/src/a.ts', 'a');
  const result = await scanTree(fs, '/', { ...options, pathPrefix: 'backend' });
  assert.deepEqual(
    result.files.map((f) => f.relativePath),
    ['backend/src/a.ts'],
  );
});
