import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import { checkboxEffect, compareNamesNaturally, toTreeNodes } from '../../../src/core/presenters/fileTreeModel';
import { escapeMarkdown } from '../../../src/core/presenters/markdown';
import { toStatusBarModel } from '../../../src/core/presenters/statusBarModel';
import { defaultSettings } from '../../../src/core/settings';

const commands = {
  openPanel: 'p',
  selectModel: 'm',
  selectGpu: 'g',
  suggestDrops: 'd',
  cancelCounting: 'c',
  addOpenEditors: 'o',
  downloadTokenizer: 't',
};
const target = { model: findModel('llama-3.1-8b')!, gpu: findGpu('h100-sxm')! };

function file(relativePath: string, tokens: number, extra: Partial<BudgetFileInput> = {}): BudgetFileInput {
  return {
    uri: `file:///w/${relativePath}`,
    relativePath,
    included: true,
    focus: false,
    pinned: false,
    count: { kind: 'counted', tokens, sizeBytes: tokens, notes: [] },
    ...extra,
  };
}

test('status text: tokens, share of the max window, KV cache; spinner while counting', () => {
  const report = buildBudgetReport([file('src/a.ts', 40_000), file('src/b.ts', 8_213)], defaultSettings, target);
  const model = toStatusBarModel(report, null, commands);
  // (48,213 + 4,096) / 131,072 = 39.9% → 40%; KV = 52,309 × 131,072 B = 6.39 GiB
  assert.equal(model.text, '$(warning) 48.2k tok · 40% · KV 6.39 GiB', 'the icon says degraded in every theme');
  assert.equal(model.severity, 'warning', 'past the 32k RULER effective window is degraded');
  assert.match(model.tooltipMarkdown, /\| Prompt tokens \| \*\*48,213\*\* \|/);
  assert.match(model.tooltipMarkdown, /estimate for Llama 3\\\.1 8B/);
  assert.match(model.tooltipMarkdown, /\[Suggest Drops\]\(command:d\)/);
  assert.deepEqual([...model.enabledCommands].sort(), ['c', 'd', 'g', 'm', 'o', 'p', 't']);
  assert.match(toStatusBarModel(report, { done: 3, total: 10 }, commands).text, /^\$\(loading~spin\) 48\.2k tok \(3\/10\)/);
});

test('status severity: error when beyond the window or not fitting, normal when fine', () => {
  const fine = buildBudgetReport([file('a.ts', 1000)], defaultSettings, target);
  assert.equal(toStatusBarModel(fine, null, commands).severity, 'normal');
  assert.match(toStatusBarModel(fine, null, commands).text, /^\$\(symbol-ruler\) /);
  const beyond = buildBudgetReport([file('a.ts', 200_000)], defaultSettings, target);
  assert.equal(toStatusBarModel(beyond, null, commands).severity, 'error');
  assert.match(toStatusBarModel(beyond, null, commands).text, /^\$\(error\) /);
  const big = buildBudgetReport([file('a.ts', 1000)], defaultSettings, { model: findModel('llama-3.1-70b')!, gpu: findGpu('h100-sxm')! });
  assert.equal(toStatusBarModel(big, null, commands).severity, 'error');
});

test('hostile file names are escaped in the hover markdown', () => {
  const report = buildBudgetReport([file('<img src=x onerror=alert(1)>.md', 10), file('[x](command:evil)', 5)], defaultSettings, target);
  const tooltip = toStatusBarModel(report, null, commands).tooltipMarkdown;
  assert.doesNotMatch(tooltip, /(^|[^\\])<img/);
  assert.match(tooltip, /\\<img src=x onerror=alert\\\(1\\\)\\>/);
  assert.doesNotMatch(tooltip, /[^\\]\]\(command:evil/);
  assert.equal(escapeMarkdown('a*b_c'), 'a\\*b\\_c');
});

test('tree: folders show how many files are in, compact single-child chains, sort by tokens', () => {
  const report = buildBudgetReport(
    [file('src/core/a.ts', 100), file('src/core/b.ts', 300, { included: false }), file('src/core/deep/c.ts', 50), file('README.md', 10)],
    defaultSettings,
    target,
  );
  const byName = toTreeNodes(report, 'name');
  assert.deepEqual(
    byName.map((node) => node.label),
    ['src/core', 'README.md'],
  );
  const core = byName[0]!;
  assert.equal(core.checked, true, 'a partly included folder shows checked: it contributes to the prompt');
  assert.match(core.description, /^2\/3 in \(partly\) · 150 tok/);
  assert.match(core.tooltip, /unchecking the folder takes all of its files out/);
  assert.deepEqual(
    core.children.map((node) => node.label),
    ['deep', 'a.ts', 'b.ts'],
  );
  assert.match(core.children[2]!.description, /300 tok · unchecked/);
  assert.deepEqual(
    toTreeNodes(report, 'tokens')[0]!.children.map((node) => node.label),
    ['a.ts', 'deep', 'b.ts'],
  );
  assert.equal(core.fileUris.length, 3);
});

test('tree: a click on a partly included folder takes every file out and says so; checking puts them all in', () => {
  const report = buildBudgetReport(
    [file('src/a.ts', 100), file('src/b.ts', 300, { included: false }), file('src/c.ts', 50)],
    defaultSettings,
    target,
  );
  const src = toTreeNodes(report, 'name')[0]!;
  const off = checkboxEffect(src, false);
  assert.deepEqual(off.include, []);
  assert.deepEqual(off.exclude, ['file:///w/src/a.ts', 'file:///w/src/c.ts']);
  assert.equal(off.summary, 'Unchecked 2 file(s) in src/: they are out of the prompt.');
  const on = checkboxEffect(src, true);
  assert.deepEqual(on.include, ['file:///w/src/b.ts']);
  assert.equal(on.summary, null, 'one file changed: no notification');
  assert.equal(checkboxEffect(src.children[0]!, false).summary, null, 'a file click is never summarised');
});

test('tree: names sort naturally, as in the Explorer (mod2 before mod10), the same on every machine', () => {
  const names = ['mod10.ts', 'mod1.ts', 'Mod2.ts', 'mod0.ts', 'mod100.ts', 'mod2.ts'];
  const report = buildBudgetReport(
    names.map((name) => file(`m/${name}`, 5)),
    defaultSettings,
    target,
  );
  assert.deepEqual(
    toTreeNodes(report, 'name')[0]!.children.map((node) => node.label),
    ['mod0.ts', 'mod1.ts', 'Mod2.ts', 'mod2.ts', 'mod10.ts', 'mod100.ts'],
  );
  assert.ok(compareNamesNaturally('a2', 'a10') < 0);
  assert.ok(compareNamesNaturally('B', 'a') > 0);
});

test('outline mode: the tree row says outline and offers Use Full Text; the hover counts outlines; a file with none says why', () => {
  const outline = (tokens: number) => ({
    mode: 'outline' as const,
    outline: { kind: 'counted' as const, tokens, framedTokens: undefined },
  });
  const report = buildBudgetReport(
    [
      file('src/api.ts', 5_000, outline(1_200)),
      file('src/b.ts', 300),
      file('notes.md', 80, { mode: 'outline', outline: { kind: 'unavailable', reason: 'no parser for this file type' } }),
      file('src/c.ts', 900, { ...outline(100), included: false }),
    ],
    defaultSettings,
    target,
  );
  const rows = new Map(report.files.map((row) => [row.relativePath, row]));
  assert.equal(rows.get('src/api.ts')!.tokens, 1_200);
  assert.equal(rows.get('src/c.ts')!.mode, 'dropped');
  assert.equal(report.promptTokens, 1_200 + 300 + 80);
  const nodes = toTreeNodes(report, 'name');
  const src = nodes.find((node) => node.label === 'src')!;
  const api = src.children.find((node) => node.label === 'api.ts')!;
  assert.equal(api.description, 'outline · 1.2k tok · 76%');
  assert.equal(api.contextValue, 'file.outline');
  assert.match(api.tooltip, /Outline mode: outline of a 5,000-token file; the export writes the outline\./);
  assert.equal(src.children.find((node) => node.label === 'b.ts')!.contextValue, 'file');
  assert.equal(
    src.children.find((node) => node.label === 'c.ts')!.contextValue,
    'file.outline',
    'unchecked keeps its mode (Use Full Text still offered)',
  );
  const notes = nodes.find((node) => node.label === 'notes.md')!;
  assert.match(notes.tooltip, /Outline mode: no outline \(no parser for this file type\): counted and exported in full\./);
  const hover = toStatusBarModel(report, null, commands).tooltipMarkdown;
  assert.match(hover, /\| Outlines \| 2 file\(s\) as outlines: 1,280 of them \(1 have none and count in full\) \|/);
  assert.ok(hover.includes('- src/api\\.ts · 1.2k (76%) · outline\n'), hover);
});
