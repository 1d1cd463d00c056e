import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { proposeDrops } from '../../../src/core/analysis/dropPlan';
import { kvCacheBytes, prefillFlops } from '../../../src/core/cost/costEngine';
import { findGpu, findModel, loadBundledCatalog } from '../../../src/core/model/catalog';
import type { ModelSpec } from '../../../src/core/model/modelSpec';
import { attentionCrossover, buildPanelState, reorderedUris, stackLabels } from '../../../src/core/presenters/panelState';
import { colorIndexOf, squarify, treemapMaxCells } from '../../../src/core/presenters/treemap';
import type { PanelStateInput } from '../../../src/core/presenters/panelState';
import { defaultSettings } from '../../../src/core/settings';
import type { Settings } from '../../../src/core/settings';

const llama = findModel('llama-3.1-8b')!;
const h100 = findGpu('h100-sxm')!;

function file(name: string, tokens: number | undefined, extra: Partial<BudgetFileInput> = {}): BudgetFileInput {
  return {
    uri: `file:///w/${encodeURIComponent(name)}`,
    relativePath: name,
    included: true,
    focus: false,
    pinned: false,
    count: tokens === undefined ? undefined : { kind: 'counted', tokens, sizeBytes: tokens * 4, notes: [] },
    ...extra,
  };
}

function stateFor(
  files: readonly BudgetFileInput[],
  options: Partial<PanelStateInput> & { settings?: Settings; model?: ModelSpec; kept?: ReadonlySet<string> } = {},
) {
  const settings = options.settings ?? defaultSettings;
  const target = { model: options.model ?? llama, gpu: h100 };
  const report = buildBudgetReport(files, settings, target);
  const dropTarget = options.dropTarget ?? 'window';
  // The after figures come from a report rebuilt without the drops, as the session builds them.
  const dropProposal = proposeDrops(report, dropTarget, {
    kept: options.kept,
    reportWith: (changes) =>
      buildBudgetReport(
        files.map((f) => (changes.has(f.uri) ? { ...f, included: false } : f)),
        settings,
        target,
      ),
  });
  return {
    report,
    dropProposal,
    state: buildPanelState({
      report,
      model: target.model,
      gpu: target.gpu,
      settings,
      progress: null,
      catalog: loadBundledCatalog(),
      dropTarget,
      dropProposal,
      customOrderApplied: false,
      undoLabel: null,
      ...options,
    }),
  };
}

test("header figures are the report's, labelled exact or estimate", () => {
  const { state, report } = stateFor([file('src/a.ts', 60_000), file('src/b.ts', 30_000), file('docs/c.md', 10_000)]);
  const metric = (id: string) => state.metrics.find((entry) => entry.id === id)!;
  assert.equal(metric('tokens').value, '100,000');
  assert.equal(metric('tokens').basis, 'estimate', 'o200k is an estimate for Llama');
  assert.match(metric('tokens').detail, /\+ 4,096 reserved output = 104,096/);
  assert.equal(metric('window').value, '79%');
  assert.match(metric('window').detail, /104,096 of 131,072 tokens \(max\)/);
  assert.equal(metric('memory').value, report.cost.fits ? 'fits' : 'does not fit');
  // ⌊(0.9 × 81,559 MiB − 16e9 B) / 131,072 B⌋ = ⌊60,968,728,985.6 / 131,072⌋ = 465,154 (H100 as nvidia-smi reports it).
  assert.match(metric('memory').detail, /max context that fits: window-limited at 131,072 tokens \(memory would allow 465,154\)/);
  assert.equal(metric('ttft').basis, 'estimate');
  assert.equal(state.riskLevel, report.risk.level);
  assert.equal(state.modelId, 'llama-3.1-8b');
  assert.equal(state.gpuId, 'h100-sxm');
  assert.ok(state.models.length >= 33 && state.gpus.length >= 22);
});

test('file rows: prompt order, ranges, shares and flags; unchecked and skipped rows have none', () => {
  const files = [
    file('a.ts', 2000, { pinned: true }),
    file('b.ts', 4000, { focus: true }),
    file('c.ts', 2000, { included: false }),
    file('d.png', undefined, { count: { kind: 'skipped', reason: 'binary', message: 'binary file (PNG image)' } }),
    file('e.ts', 2000),
  ];
  const { state } = stateFor(files);
  assert.deepEqual(
    state.files.map((row) => [row.path, row.order, row.rangeText, row.shareText, row.flags]),
    [
      ['a.ts', 1, '0–2,000', '25%', ['pinned']],
      ['b.ts', 2, '2,000–6,000', '50%', ['focus', 'middle']],
      ['c.ts', null, '—', '—', ['unchecked']],
      ['d.png', null, '—', '—', ['skipped']],
      ['e.ts', 3, '6,000–8,000', '25%', []],
    ],
  );
  assert.equal(state.files[3]!.note, 'binary file (PNG image)');
});

test('a hostile file name reaches the panel as the same plain string', () => {
  const name = '<img src=x onerror=alert(1)>.md';
  const { state } = stateFor([file(name, 100)]);
  assert.equal(state.files[0]!.path, name);
  assert.equal(state.treemap[0]!.label, name);
});

test("memory curve is weights + the engine's KV bytes at every point; marks the prompt and the windows", () => {
  const { state, report } = stateFor([file('a.ts', 50_000)]);
  const chart = state.memory;
  assert.equal(chart.points.length, 81);
  for (const point of chart.points) {
    assert.equal(point.weightsBytes, report.cost.weightsBytes);
    assert.equal(point.kvBytes, kvCacheBytes(llama, point.tokens, 'bf16', 1));
  }
  assert.equal(chart.points.at(-1)!.tokens, chart.xMax);
  assert.ok(chart.xMax >= report.risk.windows.max);
  assert.deepEqual(chart.current, { tokens: 54_096, bytes: report.cost.totalBytes, label: chart.current.label });
  assert.deepEqual(
    chart.windowMarks.map((mark) => mark.label),
    ['pretrained', 'effective (RULER)', 'max window'],
  );
  assert.ok(chart.yMax >= chart.gpuTotalBytes);
  assert.equal(chart.usableBytes, report.cost.usableMemoryBytes);
  assert.equal(chart.maxContextTokens, null, '465,154 lies beyond the 137,626-token x range');
  assert.ok(chart.yTicks.every((tick, i) => i === 0 || tick.value > chart.yTicks[i - 1]!.value));
});

test('FLOPs curve splits linear and attention; crossover is where attention first reaches linear', () => {
  const { state } = stateFor([file('a.ts', 20_000)]);
  const chart = state.flops;
  for (const point of chart.points) {
    const flops = prefillFlops(llama, point.tokens);
    assert.equal(point.linear, flops.linear);
    assert.equal(point.attention, flops.attention);
  }
  const crossover = attentionCrossover(llama)!;
  assert.equal(chart.crossoverTokens, crossover);
  const at = prefillFlops(llama, crossover);
  const before = prefillFlops(llama, crossover - 1);
  assert.ok(at.attention >= at.linear && before.attention < before.linear);
  assert.match(chart.crossoverLabel, /attention = linear at [\d,]+ tokens/);
});

test('treemap cells tile the chart with areas proportional to tokens; up to 60 files each get a cell', () => {
  const files = Array.from({ length: treemapMaxCells }, (_, i) =>
    file(`${i % 3 === 0 ? 'src' : 'lib'}/f${String(i).padStart(3, '0')}.ts`, 100 + i * 10),
  );
  const { state, report } = stateFor(files);
  assert.equal(state.treemap.length, treemapMaxCells);
  const area = state.treemap.reduce((sum, cell) => sum + cell.width * cell.height, 0);
  assert.ok(Math.abs(area - 1) < 1e-9, `cells cover the area (${area})`);
  assert.equal(
    state.treemap.reduce((sum, cell) => sum + cell.tokens, 0),
    report.promptTokens,
  );
  for (const cell of state.treemap) assert.ok(Math.abs(cell.width * cell.height - cell.tokens / report.promptTokens) < 1e-9);
  assert.ok(state.treemap.every((cell) => cell.files === 1));
});

test('treemap of 20,000 files: grouped by folder, not one grey block; a big file keeps its own cell', () => {
  const files = Array.from({ length: 20_000 }, (_, i) => file(`pkg${i % 8}/mod${i % 5}/f${i}.ts`, 50));
  files.push(file('README.md', 40_000));
  const { state, report } = stateFor(files);
  assert.ok(state.treemap.length <= treemapMaxCells && state.treemap.length >= 20, `${state.treemap.length} cells`);
  assert.equal(
    state.treemap.reduce((sum, cell) => sum + cell.tokens, 0),
    report.promptTokens,
  );
  assert.equal(
    state.treemap.reduce((sum, cell) => sum + cell.files, 0),
    20_001,
  );
  assert.ok(
    state.treemap.every((cell) => cell.tokens / report.promptTokens < 0.5),
    'no cell swallows the chart',
  );
  assert.ok(
    state.treemap.some((cell) => cell.label === 'pkg3/mod2/ · 500 files'),
    state.treemap.map((cell) => cell.label).join(', '),
  );
  assert.ok(state.treemap.some((cell) => cell.label === 'README.md' && cell.files === 1));
});

test('treemap colours follow the top folder and stay put as the selection changes', () => {
  const one = stateFor([file('README.md', 900), file('src/a.ts', 100)]).state.treemap;
  const two = stateFor([file('README.md', 10), file('src/a.ts', 100), file('docs/x.md', 500)]).state.treemap;
  const colour = (cells: typeof one, label: string) => cells.find((cell) => cell.label === label)!.colorIndex;
  assert.equal(colour(one, 'README.md'), colour(two, 'README.md'));
  assert.equal(colour(one, 'src/a.ts'), colour(two, 'src/a.ts'));
  assert.equal(colour(one, 'src/a.ts'), colorIndexOf('src'));
});

test('squarify keeps cells inside the bounds without overlap', () => {
  const rects = squarify([6, 6, 4, 3, 2, 2, 1], { x: 0, y: 0, width: 6, height: 4 });
  for (const rect of rects) {
    assert.ok(rect.x >= -1e-9 && rect.y >= -1e-9 && rect.x + rect.width <= 6 + 1e-9 && rect.y + rect.height <= 4 + 1e-9);
  }
  for (let i = 0; i < rects.length; i++) {
    for (let j = i + 1; j < rects.length; j++) {
      const a = rects[i]!;
      const b = rects[j]!;
      const overlap =
        Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) *
        Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
      assert.ok(overlap < 1e-9, `cells ${i} and ${j} overlap`);
    }
  }
  assert.deepEqual(
    squarify([0, 0], { x: 0, y: 0, width: 1, height: 1 }).map((rect) => rect.width),
    [0, 0],
  );
});

test('position strip: the middle band, focus files, limits inside the prompt; 10k files merge into ≤ ~400 segments', () => {
  const { state } = stateFor([file('a.ts', 2000), file('focus.ts', 2000, { focus: true }), file('c.ts', 2000), file('d.ts', 2000)]);
  assert.deepEqual(state.positions.middleBand, { start: 2000, end: 6000 });
  assert.deepEqual(
    state.positions.segments.map((segment) => [segment.label, segment.focus, segment.inMiddle]),
    [
      ['a.ts', false, false],
      ['focus.ts', true, true],
      ['c.ts', false, true],
      ['d.ts', false, false],
    ],
  );
  assert.deepEqual(state.positions.limits, []);
  const many = Array.from({ length: 10_000 }, (_, i) => file(`f${String(i).padStart(5, '0')}.ts`, 20, i === 5000 ? { focus: true } : {}));
  const big = stateFor(many).state.positions;
  assert.ok(big.segments.length <= 402, `${big.segments.length} segments`);
  assert.equal(
    big.segments.reduce((sum, segment) => sum + segment.files, 0),
    10_000,
  );
  assert.ok(big.segments.some((segment) => segment.focus && segment.label === 'f05000.ts'));
  const past = stateFor([file('huge.ts', 140_000)]).state.positions;
  assert.deepEqual(
    past.limits.map((limit) => [limit.label, limit.tokens, limit.row, limit.anchor]),
    [
      ['effective window', 32_768, 0, 'end'],
      ['max window', 131_072, 0, 'end'],
    ],
  );
  // At 2.5M tokens both limits sit a few pixels apart: the second label goes to its own row.
  const huge = stateFor([file('huge.ts', 2_500_000)]).state.positions;
  assert.deepEqual(
    huge.limits.map((limit) => [limit.label, limit.row, limit.anchor]),
    [
      ['effective window', 0, 'start'],
      ['max window', 1, 'start'],
    ],
  );
});

test('limit labels that do not collide share the first row', () => {
  assert.deepEqual(
    stackLabels(
      [
        { label: 'a', tokens: 10 },
        { label: 'b', tokens: 90 },
      ],
      100,
    ).map((limit) => limit.row),
    [0, 0],
  );
  assert.deepEqual(
    stackLabels(
      [
        { label: 'long label', tokens: 50 },
        { label: 'other', tokens: 51 },
        { label: 'third', tokens: 52 },
      ],
      100,
    ).map((limit) => limit.row),
    [0, 1, 2],
  );
});

test('drop plan: proposals from the planner, unticking keeps a file, "after" figures are a rebuilt report', () => {
  const files = Array.from({ length: 20 }, (_, i) => file(`f${String(i).padStart(2, '0')}.ts`, 10_000, i === 0 ? { pinned: true } : {}));
  const { state, dropProposal } = stateFor(files);
  const plan = dropProposal!;
  assert.equal(state.dropPlan.target, 'window');
  assert.equal(state.dropPlan.neededTokens, plan.neededTokens);
  assert.deepEqual(
    state.dropPlan.proposals.map((proposal) => proposal.uri),
    plan.actions.map((drop) => drop.uri),
  );
  assert.ok(!state.dropPlan.proposals.some((proposal) => proposal.path === 'f00.ts'), 'pinned never proposed');
  assert.ok(state.dropPlan.canApply);
  assert.match(state.dropPlan.message, /the target is met/);
  const removed = plan.actions.reduce((sum, drop) => sum + drop.savesTokens, 0);
  assert.equal(state.dropPlan.after!.find((metric) => metric.id === 'after-tokens')!.value, (200_000 - removed).toLocaleString('en-US'));
  const kept = new Set([plan.actions[0]!.uri]);
  const partial = stateFor(files, { kept }).state.dropPlan;
  assert.equal(partial.proposals[0]!.selected, false);
  assert.match(partial.message, /still [\d,]+ tokens over \(you kept some of the proposed files\)/);
  assert.equal(partial.after!.find((metric) => metric.id === 'after-tokens')!.value, (200_000 - removed + 10_000).toLocaleString('en-US'));
  const budget = stateFor(files, { dropTarget: 'budget' }).state.dropPlan;
  assert.equal(budget.neededTokens, null);
  assert.equal(budget.targets.find((target) => target.kind === 'budget')!.available, false);
  const fits = stateFor([file('a.ts', 100)]).state.dropPlan;
  assert.equal(fits.neededTokens, 0);
  assert.equal(fits.canApply, false);
  assert.match(fits.message, /already fits/);
});

test('reorder: focus files in the middle band move to the end; the order the host applies matches', () => {
  const files = [
    file('a.ts', 2000),
    file('focus.ts', 2000, { focus: true }),
    file('c.ts', 2000),
    file('d.ts', 2000),
    file('off.ts', 100, { included: false }),
  ];
  const { state, report } = stateFor(files);
  assert.equal(state.reorder.available, true);
  assert.equal(state.reorder.placement, 'end');
  assert.deepEqual(state.reorder.moves, ['focus.ts']);
  assert.deepEqual(
    reorderedUris(report, 'end'),
    ['a.ts', 'c.ts', 'd.ts', 'focus.ts', 'off.ts'].map((name) => `file:///w/${name}`),
  );
  const none = stateFor([file('a.ts', 2000), file('b.ts', 2000), file('c.ts', 2000)]).state.reorder;
  assert.equal(none.available, false);
  assert.match(none.message, /Mark the files the model most needs as focus/);
  assert.equal(reorderedUris(stateFor([file('a.ts', 10)]).report, 'end'), null);
});

test('an empty selection is an empty state, not zeros dressed as results', () => {
  const { state } = stateFor([]);
  assert.equal(state.empty, true);
  assert.deepEqual(state.files, []);
  assert.deepEqual(state.treemap, []);
  assert.equal(state.positions.segments.length, 0);
});

test('warnings carry their category label and why; the four common confusions are always there', () => {
  const { state } = stateFor([file('huge.ts', 140_000)]);
  const beyond = state.warnings.find((warning) => warning.id === 'beyond-max-window')!;
  assert.equal(beyond.categoryLabel, 'Position extrapolation');
  assert.ok(beyond.why.length > 20);
  assert.deepEqual(
    state.confusions.map((confusion) => confusion.title),
    [
      'A big window is not cheap inference',
      'Context extension does not remove the quadratic cost',
      'KV-cache savings do not teach long-range reasoning',
      'Passing a needle test is not reliable reasoning over messy documents',
    ],
  );
});
