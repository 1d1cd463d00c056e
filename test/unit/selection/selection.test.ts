import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Selection } from '../../../src/core/selection/selection';

const files = ['b/2.ts', 'a/1.ts', 'c.ts'].map((p) => ({ uri: `file:///w/${p}`, relativePath: p }));

test('entries are ordered by path until a reorder is applied, and the order survives a snapshot round trip', () => {
  const selection = new Selection();
  assert.equal(selection.add(files), 3);
  assert.deepEqual(selection.ordered().map((e) => e.relativePath), ['a/1.ts', 'b/2.ts', 'c.ts']);
  selection.setOrder(['file:///w/c.ts', 'file:///w/a/1.ts', 'file:///w/b/2.ts']);
  selection.setFocus(['file:///w/c.ts'], true);
  selection.setIncluded(['file:///w/a/1.ts'], false);
  const restored = new Selection();
  restored.restore(JSON.parse(JSON.stringify(selection.snapshot())));
  assert.deepEqual(restored.ordered().map((e) => [e.relativePath, e.included, e.focus]), [['c.ts', true, true], ['a/1.ts', false, false], ['b/2.ts', true, false]]);
});

test('change events carry only the URIs that changed', () => {
  const selection = new Selection();
  const events: string[][] = [];
  selection.onDidChange((e) => events.push([...e.changed]));
  selection.add(files);
  selection.add(files);
  selection.setPinned(['file:///w/c.ts'], true);
  selection.setPinned(['file:///w/c.ts'], true);
  selection.removeUnder('file:///w/b');
  assert.deepEqual(events, [files.map((f) => f.uri), ['file:///w/c.ts'], ['file:///w/b/2.ts']]);
});

test('rename keeps flags; restore drops malformed entries instead of trusting them', () => {
  const selection = new Selection();
  selection.add(files);
  selection.setFocus(['file:///w/c.ts'], true);
  selection.rename('file:///w/c.ts', 'file:///w/d.ts', 'd.ts');
  assert.equal(selection.get('file:///w/d.ts')?.focus, true);
  assert.equal(selection.has('file:///w/c.ts'), false);
  const restored = new Selection();
  restored.restore({ version: 1, entries: [{ uri: 'x', relativePath: 'x' }, selection.get('file:///w/d.ts')], customOrder: 'bogus' });
  assert.deepEqual(restored.ordered().map((e) => e.uri), ['file:///w/d.ts']);
  restored.restore('garbage');
  assert.equal(restored.size, 0);
});
