import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import { defaultSettings } from '../../../src/core/settings';

const target = { model: findModel('gpt-oss-20b')!, gpu: findGpu('h100-sxm')! };
const file = (name: string, tokens: number, framedTokens?: number): BudgetFileInput => ({
  uri: `file:///w/${name}`,
  relativePath: name,
  included: true,
  focus: false,
  pinned: false,
  count: { kind: 'counted', tokens, sizeBytes: tokens * 4, notes: [] },
  framedTokens,
});

test('framing off: content only, no framing figure', () => {
  const report = buildBudgetReport([file('a.ts', 100, 120)], defaultSettings, target);
  assert.equal(report.promptTokens, 100);
  assert.equal(report.framing, null);
  assert.equal(report.files[0]!.framingTokens, null);
});

test('framing on: files count as exported, the tree opens the prompt, framing is shown apart', () => {
  const settings = { ...defaultSettings, exportFraming: 'xml' as const, exportDirectoryTree: true };
  const report = buildBudgetReport([file('a.ts', 100, 112), file('b.ts', 50, 61)], settings, target, { treeTokens: 9 });
  assert.equal(report.promptTokens, 9 + 112 + 61);
  assert.deepEqual(report.framing, { format: 'xml', directoryTree: true, tokens: 9 + 12 + 11, treeTokens: 9, pending: false });
  assert.deepEqual(
    report.files.map((row) => [row.tokens, row.framingTokens, row.range]),
    [
      [112, 12, { start: 9, end: 121 }],
      [61, 11, { start: 121, end: 182 }],
    ],
  );
});

test('framing on but not yet counted: the file is pending and not silently counted without its framing', () => {
  const settings = { ...defaultSettings, exportFraming: 'markdown' as const };
  const report = buildBudgetReport([file('a.ts', 100, 108), file('b.ts', 50)], settings, target);
  assert.equal(report.promptTokens, 108);
  assert.equal(report.files[1]!.status, 'pending');
  assert.equal(report.counts.pending, 1);
  assert.equal(report.framing!.pending, true);
  const treePending = buildBudgetReport([file('a.ts', 100, 108)], { ...settings, exportDirectoryTree: true }, target, { treeTokens: null });
  assert.equal(treePending.framing!.pending, true);
});
