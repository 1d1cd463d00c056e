import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyJsonParts } from '../../../src/core/presenters/prettyJson';
import { seededRandom } from '../../support/seededRandom';

const awkwardStrings = [
  '',
  'plain',
  'line\nbreak',
  'tab\there',
  'quote " and \\ backslash',
  'ellipsis …',
  'é',
  '😀',
  '\u2028',
  '\u202e',
  '{"not":"json"}',
];
const awkwardLeaves: unknown[] = [
  0,
  -0,
  1.5,
  -3,
  1e21,
  NaN,
  Infinity,
  null,
  true,
  false,
  undefined,
  () => 1,
  Symbol('s'),
  new Date(0),
  [],
  {},
];

function randomValue(next: () => number, depth: number): unknown {
  const pick = next();
  if (depth > 4 || pick < 0.35) {
    const leaves = [...awkwardLeaves, ...awkwardStrings];
    return leaves[Math.floor(next() * leaves.length)];
  }
  if (pick < 0.65) return Array.from({ length: Math.floor(next() * 6) }, () => randomValue(next, depth + 1));
  const record: Record<string, unknown> = {};
  for (let i = Math.floor(next() * 6); i > 0; i--) {
    record[awkwardStrings[Math.floor(next() * awkwardStrings.length)]! + i] = randomValue(next, depth + 1);
  }
  return record;
}

function expectSameText(value: unknown, partChars?: number): void {
  const parts = prettyJsonParts(value, partChars);
  const expected = JSON.stringify(value, null, 2) as string | undefined;
  assert.equal(parts.length === 0 ? undefined : parts.join(''), expected);
}

describe('prettyJsonParts', () => {
  it('gives exactly the text of JSON.stringify(value, null, 2) for awkward values', () => {
    const cases: unknown[] = [
      ...awkwardLeaves,
      ...awkwardStrings,
      { a: [], b: {}, c: [[]], d: [{}], e: undefined, f: () => 1, g: [undefined, () => 1, Symbol('x')] },
      [1, [2, [3, [4, [5]]]]],
      { files: [{ path: 'a', nested: { deep: [1, { x: 'y\nz' }] } }], empty: [], keep: null },
      { date: new Date(0), withToJson: { toJSON: () => 'replaced' }, gone: { toJSON: () => undefined } },
      // Integer-like keys come first, ascending, as JSON.stringify orders them.
      { b: 1, 2: 'two', a: 3, 1: 'one' },
      Object.assign(Object.create(null) as Record<string, unknown>, { bare: [1, 2] }),
      // A hole in an array is written as null.

      [1, , 3],
    ];
    for (const value of cases) expectSameText(value);
  });

  it('gives the same text for 500 random values, in parts of any size', () => {
    const next = seededRandom(20261130);
    for (let i = 0; i < 500; i++) {
      const value = randomValue(next, 0);
      expectSameText(value);
      expectSameText(value, 1 + Math.floor(next() * 64));
    }
  });

  it('hands a 10,000-file report out in parts well under V8 large-object size, never one string', () => {
    const files = Array.from({ length: 10_000 }, (_, i) => ({
      path: `src/module-${i}/index.ts`,
      status: 'counted',
      tokens: 1000 + i,
      explanation: `drop: saves ${i} tokens; source map (\`//# sourceMappingURL=x.js…\`)`,
      range: { start: i * 1000, end: i * 1000 + 999 },
    }));
    const report = { model: { id: 'm', window: 131072 }, files, dropPlan: { target: 'memory', actions: files.slice(0, 3000) } };
    const parts = prettyJsonParts(report);
    assert.equal(parts.join(''), JSON.stringify(report, null, 2));
    assert.ok(parts.length > 100, `${parts.length} parts`);
    // A part ends once it passes 32 Ki characters; what pushes it past is one element's text (indented
    // to its depth) at most, far under the 64 Ki characters of a 128 KiB two-byte string.
    const longestElement = Math.max(...files.map((file) => JSON.stringify(file, null, 2).length));
    for (const part of parts) assert.ok(part.length < 32 * 1024 + 2 * longestElement, `a part of ${part.length} characters`);
  });
});
