import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileStateOf, Selection } from '../../../src/core/selection/selection';

const files = ['b/2.ts', 'a/1.ts', 'c.ts'].map((p) => ({ uri: `file:///w/${p}`, relativePath: p }));

test('entries are ordered by path until a reorder is applied, and the order survives a snapshot round trip', () => {
  const selection = new Selection();
  assert.equal(selection.add(files), 3);
  assert.deepEqual(
    selection.ordered().map((e) => e.relativePath),
    ['a/1.ts', 'b/2.ts', 'c.ts'],
  );
  selection.setOrder(['file:///w/c.ts', 'file:///w/a/1.ts', 'file:///w/b/2.ts']);
  selection.setFocus(['file:///w/c.ts'], true);
  selection.setIncluded(['file:///w/a/1.ts'], false);
  const restored = new Selection();
  restored.restore(JSON.parse(JSON.stringify(selection.snapshot())));
  assert.deepEqual(
    restored.ordered().map((e) => [e.relativePath, e.included, e.focus]),
    [
      ['c.ts', true, true],
      ['a/1.ts', false, false],
      ['b/2.ts', true, false],
    ],
  );
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
  assert.deepEqual(
    restored.ordered().map((e) => e.uri),
    ['file:///w/d.ts'],
  );
  restored.restore('garbage');
  assert.equal(restored.size, 0);
});

test('file modes: outline and dropped survive a snapshot round trip; unchecking keeps the mode; setStates returns what undoes it', () => {
  const selection = new Selection();
  selection.add(files);
  const [a, b, c] = ['file:///w/a/1.ts', 'file:///w/b/2.ts', 'file:///w/c.ts'];
  selection.setState([a], 'outline');
  selection.setState([b], 'outline');
  selection.setState([b], 'dropped');
  assert.deepEqual(
    selection.ordered().map((e) => fileStateOf(e)),
    ['outline', 'dropped', 'full'],
  );
  assert.equal(selection.get(b)?.mode, 'outline', 'unchecking keeps the mode');
  selection.setIncluded([b], true);
  assert.equal(fileStateOf(selection.get(b)!), 'outline', 'checking again restores the outline');
  const restored = new Selection();
  restored.restore(JSON.parse(JSON.stringify(selection.snapshot())));
  assert.deepEqual(
    restored.ordered().map((e) => [e.relativePath, fileStateOf(e)]),
    [
      ['a/1.ts', 'outline'],
      ['b/2.ts', 'outline'],
      ['c.ts', 'full'],
    ],
  );
  const undo = restored.setStates(
    new Map([
      [a, 'dropped' as const],
      [c, 'outline' as const],
      ['file:///w/unknown.ts', 'outline' as const],
    ]),
  );
  assert.deepEqual(
    [...undo],
    [
      [a, 'outline'],
      [c, 'full'],
    ],
    'only changed, known files',
  );
  restored.setStates(undo);
  assert.deepEqual(
    restored.ordered().map((e) => fileStateOf(e)),
    ['outline', 'outline', 'full'],
  );
});

test('snapshots saved before outlines existed (no mode) restore in full mode', () => {
  const restored = new Selection();
  restored.restore({
    version: 1,
    entries: [{ uri: 'file:///w/x.ts', relativePath: 'x.ts', included: true, focus: false, pinned: false }],
    customOrder: null,
  });
  assert.equal(restored.get('file:///w/x.ts')?.mode, 'full');
});
