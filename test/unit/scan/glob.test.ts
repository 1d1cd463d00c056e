import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileGlob as globToRegExp, compileGlobs, matchesAnyGlob } from '../../../src/core/scan/glob';

test('glob syntax: *, **, ?, classes and braces', () => {
  assert.ok(globToRegExp('src/**/*.ts').test('src/a/b/c.ts'));
  assert.ok(globToRegExp('src/**/*.ts').test('src/c.ts'));
  assert.ok(!globToRegExp('src/*.ts').test('src/a/c.ts'));
  assert.ok(globToRegExp('file?.{md,txt}').test('file1.md'));
  assert.ok(!globToRegExp('file?.{md,txt}').test('file12.md'));
  assert.ok(globToRegExp('[!a]*.js').test('b.js'));
  assert.ok(!globToRegExp('[!a]*.js').test('a.js'));
  assert.ok(globToRegExp('a.b').test('a.b') && !globToRegExp('a.b').test('axb'));
});

test('globs without a slash match base names anywhere, like gitignore', () => {
  const { pathGlobs, baseNameGlobs } = compileGlobs(['*.md', './docs/**']);
  assert.ok(matchesAnyGlob('deep/dir/README.md', pathGlobs, baseNameGlobs));
  assert.ok(matchesAnyGlob('docs/x/y.ts', pathGlobs, baseNameGlobs));
  assert.ok(!matchesAnyGlob('src/y.ts', pathGlobs, baseNameGlobs));
});
