import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import { encodingTokenizer } from '../../../src/core/tokenizer/countingTokenizer';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { dropTargetStatuses, firstExceededTarget, proposeDrops, weightsDoNotFit } from '../../../src/core/analysis/dropPlan';
import type { DropTargetKind } from '../../../src/core/vocabulary';
import type { Settings } from '../../../src/core/settings';
import { resolveTarget } from '../../../src/core/analysis/resolveTarget';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import { defaultSettings } from '../../../src/core/settings';

const target = { model: findModel('llama-3.1-8b')!, gpu: findGpu('h100-sxm')! };

function file(name: string, tokens: number | undefined, extra: Partial<BudgetFileInput> = {}): BudgetFileInput {
  return {
    uri: `file:///w/${name}`,
    relativePath: name,
    included: true,
    focus: false,
    pinned: false,
    count: tokens === undefined ? undefined : { kind: 'counted', tokens, sizeBytes: tokens * 4, notes: [] },
    ...extra,
  };
}

/** A proposal whose after figures are rebuilt from the same inputs, as the session does. */
function proposal(files: readonly BudgetFileInput[], settings: Settings, kind: DropTargetKind) {
  const report = buildBudgetReport(files, settings, target);
  return proposeDrops(report, kind, {
    reportWith: (changes) =>
      buildBudgetReport(
        files.map((f) => (changes.has(f.uri) ? { ...f, included: false } : f)),
        settings,
        target,
      ),
  });
}

test('totals count only included, counted files; ranges follow prompt order', () => {
  const files = [
    file('a.ts', 100),
    file('b.ts', 50, { included: false }),
    file('c.ts', undefined),
    file('d.bin', undefined, { count: { kind: 'skipped', reason: 'binary', message: 'PNG image' } }),
    file('e.ts', 25),
  ];
  const report = buildBudgetReport(files, defaultSettings, target);
  assert.equal(report.promptTokens, 125);
  assert.equal(report.totalTokens, 125 + defaultSettings.reserveOutputTokens);
  assert.deepEqual(report.counts, { included: 4, counted: 2, pending: 1, skipped: 1, excluded: 1 });
  assert.deepEqual(
    report.files.map((row) => [row.relativePath, row.status, row.range]),
    [
      ['a.ts', 'counted', { start: 0, end: 100 }],
      ['b.ts', 'excluded', null],
      ['c.ts', 'pending', null],
      ['d.bin', 'skipped', null],
      ['e.ts', 'counted', { start: 100, end: 125 }],
    ],
  );
  assert.equal(report.files[0]!.share, 100 / 125);
  assert.equal(report.cost.kvCacheBytes, (125 + 4096) * 131072);
  assert.equal(report.withinLimits, true);
});

test('an o200k count is exact for gpt-oss and an estimate for Llama, and says which', () => {
  assert.equal(encodingTokenizer('o200k_base', findModel('gpt-oss-20b')!).exactForModel, true);
  const llama = encodingTokenizer('o200k_base', findModel('llama-3.1-8b')!);
  assert.equal(llama.exactForModel, false);
  assert.equal(llama.label, 'o200k_base, estimate for Llama 3.1 8B');
  assert.equal(encodingTokenizer('cl100k_base', findModel('gpt-oss-20b')!).exactForModel, false);
});

test('past the max window: beyond, not within limits, and the window drop plan gets back under it', () => {
  const files = Array.from({ length: 20 }, (_, index) =>
    file(`f${String(index).padStart(2, '0')}.ts`, 10_000, index === 3 ? { pinned: true } : {}),
  );
  const report = buildBudgetReport(files, defaultSettings, target);
  assert.equal(report.risk.level, 'beyond');
  assert.equal(report.withinLimits, false);
  assert.equal(firstExceededTarget(report), 'window');
  const plan = proposal(files, defaultSettings, 'window')!;
  assert.equal(plan.outcome.kind, 'met');
  assert.ok(plan.after!.promptTokens + defaultSettings.reserveOutputTokens <= report.risk.windows.max);
  assert.equal(plan.after!.risk.level === 'beyond', false);
  assert.ok(!plan.actions.some((drop) => drop.uri === 'file:///w/f03.ts'), 'pinned file kept');
  assert.ok(report.warnings.some((warning) => warning.severity === 'error' && warning.category === 'position-extrapolation'));
});

test('over your budget is a warning and fails the limits; budget plan meets it', () => {
  const files = [file('a.ts', 600), file('b.ts', 500)];
  const report = buildBudgetReport(files, { ...defaultSettings, budgetTokens: 700 }, target);
  assert.equal(report.withinLimits, false);
  assert.equal(firstExceededTarget(report), 'budget');
  const plan = proposal(files, { ...defaultSettings, budgetTokens: 700 }, 'budget')!;
  // Need 400 tokens out: dropping b (500) loses less than dropping a (600).
  assert.deepEqual(
    plan.actions.map((drop) => drop.uri),
    ['file:///w/b.ts'],
  );
  assert.equal(plan.after!.promptTokens, 600);
  assert.ok(report.warnings.some((warning) => warning.id === 'over-budget' && warning.category === 'your-budget'));
});

test('an unknown model or GPU, or a bad config, is reported and the default is named', () => {
  const unknown = resolveTarget({ ...defaultSettings, model: 'gpt-9', gpu: 'tpu-v9' });
  assert.equal(unknown.model.id, defaultSettings.model);
  assert.match(unknown.problems[0]!.message, /Unknown model "gpt-9"/);
  assert.match(unknown.problems[1]!.message, /Unknown GPU "tpu-v9"/);
  assert.match(unknown.problems[1]!.fallback!, /Using NVIDIA H100/);
  const broken = resolveTarget(defaultSettings, { path: '/m/config.json', text: '{ not json' });
  assert.match(broken.problems[0]!.message, /config\.json: is not valid JSON/);
  assert.match(broken.problems[0]!.fallback!, /Using the catalog model gpt-oss-20b/);
  const report = buildBudgetReport([file('a.ts', 10)], defaultSettings, broken);
  const warning = report.warnings.find((entry) => /not valid JSON/.test(entry.message));
  assert.equal(warning?.category, 'model-setup', 'a config problem is a model-setup warning, not position extrapolation');
  assert.match(warning.message, /Using the catalog model gpt-oss-20b instead\.$/);
});

test('weights that do not fit: no memory drop plan (dropping files cannot help), and it is never the suggested target', () => {
  const files = [file('a.ts', 30), file('b.ts', 24)];
  const settings = { ...defaultSettings };
  const big = { model: findModel('llama-3.1-70b')!, gpu: findGpu('rtx-3090')! };
  const report = buildBudgetReport(files, settings, big);
  assert.equal(report.cost.fits, false);
  assert.equal(weightsDoNotFit(report), true);
  assert.notEqual(firstExceededTarget(report), 'memory');
  assert.equal(proposeDrops(report, 'memory', { reportWith: () => report }), null);
  const memory = dropTargetStatuses(report).find((status) => status.kind === 'memory')!;
  assert.equal(memory.available, false);
  assert.match(memory.status, /the weights alone do not fit: dropping files cannot help/);
});

test('rows are plain data: Object.prototype, the same after JSON or structured clone, a link target only on links', () => {
  const report = buildBudgetReport(
    [file('a.ts', 100), file('b.ts', 300, { focus: true }), file('link.ts', 50, { symlinkTarget: 'real.ts' }), file('c.ts', undefined)],
    defaultSettings,
    target,
  );
  const [a, b, link, pending] = report.files;
  for (const row of report.files) {
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.deepEqual(structuredClone(row), row);
    assert.deepEqual(JSON.parse(JSON.stringify(row)), JSON.parse(JSON.stringify(structuredClone(row))));
  }
  assert.deepEqual(a!.range, { start: 0, end: 100 });
  assert.equal(Object.getPrototypeOf(a!.range), Object.prototype);
  assert.deepEqual(b!.range, { start: 100, end: 400 });
  assert.equal(b!.share, 300 / 450);
  assert.equal(link!.symlinkTarget, 'real.ts');
  assert.equal('symlinkTarget' in a!, false);
  assert.deepEqual([pending!.status, pending!.range, pending!.share], ['pending', null, null]);
});
