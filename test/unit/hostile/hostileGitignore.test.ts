// Hostile .gitignore files and exclude patterns through the core scanner: a line too long for the
// regex engine, and nested negations that re-include a folder a parent ignored (checked against git
// itself in hostileCli.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanTree } from '../../../src/core/scan/scanner';
import type { ScanOptions } from '../../../src/core/scan/scanner';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';

const options: ScanOptions = { excludeGlobs: [], respectGitignore: true, maxFileBytes: 2 * 1024 * 1024, maxFiles: 20000 };

describe('hostile .gitignore files', () => {
  it('a .gitignore line too long for the regex engine is dropped; the scan finishes and the other rules still apply', async () => {
    const fs = new InMemoryWorkspaceFs()
      .file('/a.txt', 'top')
      .file('/sub/.gitignore', `${'x'.repeat(60_000)}*\n*.log\n!keep.log\n`)
      .file('/sub/b.txt', 'counted')
      .file('/sub/c.log', 'ignored by the next line')
      .file('/sub/keep.log', 're-included');
    const result = await scanTree(fs, '/', options);
    assert.deepEqual(result.files.map((file) => file.relativePath).sort(), ['a.txt', 'sub/.gitignore', 'sub/b.txt', 'sub/keep.log']);
  });

  it('an exclude pattern too long for the regex engine is dropped too', async () => {
    const fs = new InMemoryWorkspaceFs().file('/a.txt', 'a').file('/b.md', 'b');
    const result = await scanTree(fs, '/', { ...options, excludeGlobs: ['y'.repeat(60_000), '*.md'] });
    assert.deepEqual(
      result.files.map((file) => file.relativePath),
      ['a.txt'],
    );
  });

  it('a nested negation re-includes a folder a parent .gitignore ignored, and the files inside (as git does)', async () => {
    const fs = new InMemoryWorkspaceFs()
      .file('/.gitignore', 'build/\n*.tmp\n')
      .file('/build/x.js', 'ignored: root build/ ')
      .file('/pkg/.gitignore', '!build/\n')
      .file('/pkg/build/y.js', 'kept: the nested negation re-includes pkg/build/')
      .file('/pkg/build/z.tmp', 'still ignored by the root *.tmp')
      .file('/pkg/build/deeper/w.js', 'kept');
    const result = await scanTree(fs, '/', options);
    assert.deepEqual(result.files.map((file) => file.relativePath).sort(), [
      '.gitignore',
      'pkg/.gitignore',
      'pkg/build/deeper/w.js',
      'pkg/build/y.js',
    ]);
  });

  it('inside a re-included folder (even one named with glob characters) every layer still judges each file by its own rules', async () => {
    const fs = new InMemoryWorkspaceFs()
      .file('/.gitignore', 'out*/\n')
      .file('/a/.gitignore', '!out*/\n*.key\n')
      .file('/a/out [1]*/notes.txt', 'kept')
      .file('/a/out [1]*/id.key', 'ignored by a/*.key')
      .file('/a/out [1]*/sub/more.txt', 'kept')
      .file('/out2/x.txt', 'ignored by the root rule');
    const result = await scanTree(fs, '/', options);
    assert.deepEqual(result.files.map((file) => file.relativePath).sort(), [
      '.gitignore',
      'a/.gitignore',
      'a/out [1]*/notes.txt',
      'a/out [1]*/sub/more.txt',
    ]);
  });
});
