import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkSetPath,
  parseContextSetFile,
  readContextSetFile,
  serializeContextSetFile,
  setFromSnapshot,
  snapshotFromSet,
  withSet,
} from '../../../src/core/sets/contextSets';
import type { ContextSet } from '../../../src/core/sets/contextSets';
import { fileStateOf, Selection } from '../../../src/core/selection/selection';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';

const uriOf = (path: string): string => `file:///repo/${path}`;

test('a selection saved as a set and restored comes back with modes, focus, pins and order', () => {
  const selection = new Selection();
  selection.add(['src/a.ts', 'src/b.ts', 'src/c.ts', 'docs/d.md'].map((path) => ({ uri: uriOf(path), relativePath: path })));
  selection.setState([uriOf('src/b.ts')], 'outline');
  selection.setState([uriOf('docs/d.md')], 'dropped');
  selection.setFocus([uriOf('src/a.ts')], true);
  selection.setPinned([uriOf('src/c.ts')], true);
  selection.setOrder([uriOf('src/c.ts'), uriOf('src/a.ts'), uriOf('docs/d.md'), uriOf('src/b.ts')]);
  const { set, outside } = setFromSnapshot('review', selection.snapshot(), (uri) =>
    uri.startsWith('file:///repo/') ? uri.slice('file:///repo/'.length) : null,
  );
  assert.deepEqual(outside, []);
  const text = serializeContextSetFile([set]);
  const parsed = parseContextSetFile(text);
  assert.deepEqual(parsed.problems, []);
  assert.deepEqual(parsed.sets, [set]);
  const restored = new Selection();
  restored.restore(snapshotFromSet(parsed.sets[0]!, (path) => ({ uri: uriOf(path), relativePath: path })));
  assert.deepEqual(
    restored.ordered().map((entry) => [entry.relativePath, fileStateOf(entry), entry.focus, entry.pinned]),
    [
      ['src/c.ts', 'full', false, true],
      ['src/a.ts', 'full', true, false],
      ['docs/d.md', 'dropped', false, false],
      ['src/b.ts', 'outline', false, false],
    ],
  );
});

test('the file is small and stable: sets sorted by name, defaults omitted, one file per line', () => {
  const a: ContextSet = { name: 'b-set', ordered: false, files: [{ path: 'x.ts', mode: 'full', focus: false, pinned: false }] };
  const b: ContextSet = { name: 'a-set', ordered: true, files: [{ path: 'y.ts', mode: 'outline', focus: true, pinned: true }] };
  assert.equal(
    serializeContextSetFile(withSet([a], b)),
    [
      '{',
      '  "version": 1,',
      '  "sets": [',
      '    {',
      '      "name": "a-set",',
      '      "ordered": true,',
      '      "files": [',
      '        {"path":"y.ts","mode":"outline","focus":true,"pinned":true}',
      '      ]',
      '    },',
      '    {',
      '      "name": "b-set",',
      '      "ordered": false,',
      '      "files": [',
      '        {"path":"x.ts"}',
      '      ]',
      '    }',
      '  ]',
      '}',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    withSet([a, b], { ...a, files: [] }).map((set) => [set.name, set.files.length]),
    [
      ['a-set', 1],
      ['b-set', 0],
    ],
    'same name replaces',
  );
});

test('hostile or broken entries are left out one by one, each named; a broken file is an error naming it', () => {
  const parsed = parseContextSetFile(
    JSON.stringify({
      version: 1,
      sets: [
        {
          name: 'ok',
          files: [
            { path: 'a.ts' },
            { path: '../../etc/passwd' },
            { path: '/etc/passwd' },
            { path: 'C:/x' },
            { path: 'a\\b.ts' },
            { path: 'a//b' },
            { path: 'a.ts' },
            { path: 'b.ts', mode: 'half' },
            { path: 'c.ts', focus: 'yes' },
            7,
          ],
        },
        { name: 'ok', files: [] },
        { name: '', files: [] },
        { name: 'no files' },
        'nonsense',
      ],
    }),
  );
  assert.deepEqual(
    parsed.sets.map((set) => [set.name, set.files.map((file) => file.path)]),
    [['ok', ['a.ts']]],
  );
  assert.deepEqual(parsed.problems, [
    'sets[0] ("ok").files[1]: "../../etc/passwd" leaves the folder of .context-budget.json: left out',
    'sets[0] ("ok").files[2]: "/etc/passwd" is absolute; paths are relative to the folder of .context-budget.json: left out',
    'sets[0] ("ok").files[3]: "C:/x" is absolute; paths are relative to the folder of .context-budget.json: left out',
    'sets[0] ("ok").files[4]: "a\\\\b.ts" uses "\\"; write paths with "/": left out',
    'sets[0] ("ok").files[5]: "a//b" has an empty or "." segment: left out',
    'sets[0] ("ok").files[6]: "a.ts" is listed twice: the second is left out',
    'sets[0] ("ok").files[7]: "mode" must be "full", "outline" or "dropped" (got "half"): left out',
    'sets[0] ("ok").files[8]: "focus" must be true or false (got "yes"): left out',
    'sets[0] ("ok").files[9]: not an object with a "path": left out',
    'sets[1]: a second set named "ok": left out (the first is kept)',
    'sets[2].name must be a non-empty string of at most 200 characters (got ""): set left out',
    'sets[3] ("no files").files must be a list: set left out',
    'sets[4] is not an object: left out',
  ]);
  assert.throws(() => parseContextSetFile('{"version": 1, "sets": ['), /^Error: \.context-budget\.json is not valid JSON/);
  assert.throws(() => parseContextSetFile('{"version": 2, "sets": []}'), /"version" must be 1 \(got 2\)/);
  assert.throws(() => parseContextSetFile('[]'), /must hold a JSON object/);
  assert.equal(checkSetPath('src/a.ts'), null);
});

test('files outside the set root are reported, not written', () => {
  const selection = new Selection();
  selection.add([
    { uri: uriOf('a.ts'), relativePath: 'a.ts' },
    { uri: 'file:///elsewhere/b.ts', relativePath: 'other/b.ts' },
  ]);
  const { set, outside } = setFromSnapshot('s', selection.snapshot(), (uri) =>
    uri.startsWith('file:///repo/') ? uri.slice('file:///repo/'.length) : null,
  );
  assert.deepEqual(
    set.files.map((file) => file.path),
    ['a.ts'],
  );
  assert.deepEqual(outside, ['other/b.ts']);
});

test('reading through the port: a missing file is null, a binary one an error naming the file', async () => {
  const fs = new InMemoryWorkspaceFs();
  assert.equal(await readContextSetFile(fs, '/r/.context-budget.json'), null);
  fs.file('/r/.context-budget.json', '{"version":1,"sets":[{"name":"x","files":[{"path":"a.ts"}]}]}');
  assert.deepEqual(
    (await readContextSetFile(fs, '/r/.context-budget.json'))?.sets.map((set) => set.name),
    ['x'],
  );
  fs.file('/r/.context-budget.json', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  await assert.rejects(readContextSetFile(fs, '/r/.context-budget.json'), /\.context-budget\.json is not a text file/);
});
