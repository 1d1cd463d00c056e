import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { RelevanceIndex } from '../../../src/core/relevance/relevanceIndex';
import type { ParseOutcome, ParsePort } from '../../../src/core/relevance/relevanceIndex';
import { SyntaxPool } from '../../../src/node/syntaxPool';
import { compiledSyntaxWorker, packagedWasmDir } from '../../support/treeSitter';

test('through the real syntax worker: graph, outlines, signals and the not-parsed reason; an edit moves an edge', async () => {
  const pool = new SyntaxPool({ workerScript: compiledSyntaxWorker, wasmDir: packagedWasmDir });
  try {
    const index = new RelevanceIndex((path, text, signal) => pool.parse(path, text, signal));
    await Promise.all([
      index.update('src/a.ts', "import { b } from './b';\nexport function a(): number {\n  return b() + 1;\n}\n"),
      index.update('src/b.ts', 'export function b(): number {\n  return 2;\n}\n'),
      index.update('src/c.ts', 'export const c = 3;\n'),
      index.update('README.md', '# Project\n'),
    ]);
    assert.deepEqual(index.importsOf('src/a.ts'), ['src/b.ts']);
    assert.equal(index.outlineOf('src/a.ts'), "import { b } from './b';\nexport function a(): number { ... }\n");
    assert.equal(index.outlineOf('README.md'), null);
    assert.equal(index.notParsedReason('README.md'), 'no parser for this file type');
    assert.deepEqual(index.signalsOf('README.md'), [{ kind: 'docs', evidence: 'README.md' }]);
    const before = index.relevance([{ path: 'src/a.ts', role: 'focus' }]);
    assert.equal(before.get('src/b.ts')?.tier, 'dependency');
    assert.equal(before.get('src/c.ts')?.tier, 'unrelated');
    await index.update('src/a.ts', "import { c } from './c';\n");
    const after = index.relevance([{ path: 'src/a.ts', role: 'focus' }]);
    assert.equal(after.get('src/b.ts')?.reason, 'not imported by any focus file');
    assert.equal(after.get('src/c.ts')?.reason, 'imported by focus file src/a.ts');
    index.remove('src/c.ts');
    assert.deepEqual(index.files(), ['README.md', 'src/a.ts', 'src/b.ts']);
  } finally {
    await pool.dispose();
  }
});

test('latest wins: an older parse that finishes last, or one for a removed file, changes nothing', async () => {
  const pending: Array<() => void> = [];
  const parse: ParsePort = (_path, text) =>
    new Promise<ParseOutcome>((resolve) => {
      pending.push(() =>
        resolve({
          kind: 'parsed',
          syntax: { language: 'typescript', imports: [], packageName: null, typeReferences: [], outline: text, hasErrors: false },
        }),
      );
    });
  const index = new RelevanceIndex(parse);
  const first = index.update('a.ts', 'old');
  const second = index.update('a.ts', 'new');
  pending[1]!();
  await second;
  pending[0]!();
  await first;
  assert.equal(index.outlineOf('a.ts'), 'new');
  const late = index.update('b.ts', 'b');
  index.remove('b.ts');
  pending[2]!();
  await late;
  assert.deepEqual(index.files(), ['a.ts']);
});
