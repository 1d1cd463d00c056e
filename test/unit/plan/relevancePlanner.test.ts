import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { ImportGraph } from '../../../src/core/relevance/importGraph';
import { kindSignalsOf, sampleContent } from '../../../src/core/relevance/kindSignals';
import { assessRelevance } from '../../../src/core/relevance/relevance';
import { outlineLossFactor, planRelevance, relevanceCellBudget } from '../../../src/core/plan/planner';
import type { DropPriority, RelevancePlanFile } from '../../../src/core/plan/planner';
import { testParser } from '../../support/treeSitter';

const file = (
  path: string,
  tokens: number,
  rank: number,
  outlineTokens: number | null = null,
  priority: DropPriority = 'plain',
): RelevancePlanFile => ({
  path,
  tokens,
  priority,
  outlineTokens,
  relevance: { rank, reason: `rank ${rank}` },
});

const summary = (files: readonly RelevancePlanFile[], need: number): string[] =>
  planRelevance(files, need).proposals.map((p) => `${p.action} ${p.path}`);

test('lower ranks go first, whole, before any file of a higher rank is touched', () => {
  const files = [
    file('closure.ts', 100, 99),
    file('unrelated-big.ts', 5000, 1),
    file('noise.lock', 300, 0),
    file('unrelated-small.ts', 50, 1),
  ];
  assert.deepEqual(summary(files, 200), ['drop noise.lock']);
  // Need 400: noise (300) is not enough, so all of it goes and 100 more come from the unrelated rank, least loss.
  assert.deepEqual(summary(files, 400), ['drop unrelated-big.ts', 'drop noise.lock']);
  assert.deepEqual(summary(files, 5350), ['drop unrelated-big.ts', 'drop noise.lock', 'drop unrelated-small.ts']);
  const all = planRelevance(files, 5450);
  assert.deepEqual(
    all.proposals.map((p) => p.path),
    ['closure.ts', 'unrelated-big.ts', 'noise.lock', 'unrelated-small.ts'],
  );
  assert.equal(all.feasible, true);
});

test('an outline is proposed before a drop when it covers the need, and explained', () => {
  const files = [file('a.ts', 10_000, 1, 3_800), file('b.ts', 7_000, 1, null)];
  const plan = planRelevance(files, 6_000);
  assert.deepEqual(plan.proposals, [
    {
      path: 'a.ts',
      action: 'outline',
      tokens: 10_000,
      keptTokens: 3_800,
      savesTokens: 6_200,
      rank: 1,
      explanation: 'outline: saves 6,200 tokens, keeps the API visible; rank 1',
    },
  ]);
  assert.equal(plan.weightedLoss, 6_200 * outlineLossFactor);
  assert.equal(plan.tokensAfter, 17_000 - 6_200);
  // More than the outline can give: a drop, and the cheapest combination of both.
  assert.deepEqual(summary(files, 7_000), ['drop b.ts']);
  assert.deepEqual(summary(files, 12_000), ['outline a.ts', 'drop b.ts']);
});

test('focus and pinned files are never touched; an impossible need drops everything else and reports the shortfall', () => {
  const files = [file('focus.ts', 9_000, 100, 10, 'focus'), file('pinned.ts', 9_000, 0, 10, 'pinned'), file('x.ts', 100, 1, 10)];
  const plan = planRelevance(files, 5_000);
  assert.deepEqual(
    plan.proposals.map((p) => `${p.action} ${p.path}`),
    ['drop x.ts'],
  );
  assert.equal(plan.feasible, false);
  assert.equal(plan.shortfallTokens, 4_900);
});

test('the class weight applies within a rank: a recent file costs double', () => {
  const files = [file('recent.ts', 100, 1, null, 'recent'), file('plain.ts', 150, 1)];
  assert.deepEqual(summary(files, 100), ['drop plain.ts']);
});

test('deterministic: the same files in any order give the same plan', () => {
  const files = Array.from({ length: 60 }, (_, i) =>
    file(`f${String(i).padStart(2, '0')}.ts`, 100 + ((i * 37) % 400), i % 4, i % 3 === 0 ? 40 : null),
  );
  const reversed = [...files].reverse();
  const a = planRelevance(files, 3_000)
    .proposals.map((p) => `${p.action} ${p.path}`)
    .sort();
  const b = planRelevance(reversed, 3_000)
    .proposals.map((p) => `${p.action} ${p.path}`)
    .sort();
  assert.deepEqual(a, b);
});

test('the exact cover is minimal: brute force over every keep/outline/drop assignment agrees on small inputs', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  for (let round = 0; round < 40; round++) {
    const count = 2 + Math.floor(random() * 5);
    const files = Array.from({ length: count }, (_, i) => {
      const tokens = 10 + Math.floor(random() * 300);
      return file(`f${i}.ts`, tokens, 1, random() < 0.6 ? Math.floor(random() * tokens) : null);
    });
    const total = files.reduce((sum, f) => sum + f.tokens, 0);
    const need = 1 + Math.floor(random() * (total - 1));
    let best = Number.POSITIVE_INFINITY;
    for (let mask = 0; mask < 3 ** count; mask++) {
      let rest = mask;
      let saved = 0;
      let lost = 0;
      let valid = true;
      for (const f of files) {
        const action = rest % 3;
        rest = Math.floor(rest / 3);
        if (action === 1) {
          if (f.outlineTokens === null || f.outlineTokens === undefined || f.outlineTokens >= f.tokens) valid = false;
          else {
            saved += f.tokens - f.outlineTokens;
            lost += outlineLossFactor * (f.tokens - f.outlineTokens);
          }
        } else if (action === 2) {
          saved += f.tokens;
          lost += f.tokens;
        }
      }
      if (valid && saved >= need) best = Math.min(best, lost);
    }
    const plan = planRelevance(files, need);
    assert.ok(plan.feasible);
    assert.ok(Math.abs(plan.weightedLoss - best) < 1e-9, `round ${round}: plan loss ${plan.weightedLoss}, brute force ${best}`);
  }
});

test('a tier above the exact cell budget is solved near-optimally and still covers the need', () => {
  const files = Array.from({ length: 2_000 }, (_, i) =>
    file(`f${String(i).padStart(4, '0')}.ts`, 1_000 + ((i * 7919) % 9_000), 1, i % 2 === 0 ? 300 : null),
  );
  const need = 5_000_000;
  assert.ok(files.length * (need + 1) > relevanceCellBudget);
  const plan = planRelevance(files, need);
  assert.equal(plan.method, 'near-optimal');
  assert.ok(plan.feasible && plan.removedTokens >= need);
  assert.ok(plan.removedTokens - need < 10_000, `overshoot ${plan.removedTokens - need}`);
});

test('with a real graph: the explanation names the focus file, the path and the kind evidence', async () => {
  const sources: Record<string, string> = {
    'src/focus.ts': "import { b } from './b';\nexport const f = b;",
    'src/b.ts': "import { c } from './c';\nexport function b(): number {\n  return c() + 1;\n}\n",
    'src/c.ts': 'export function c(): number {\n  return 41;\n}\n',
    'src/focus.test.ts': "import { f } from './focus';\nf;",
    'src/other.ts': 'export const other = 1;',
    'gen/api.pb.go': '// Code generated by protoc-gen-go. DO NOT EDIT.\npackage api',
    'README.md': '# readme',
  };
  const graph = new ImportGraph();
  for (const [path, text] of Object.entries(sources)) graph.setFile(path, await testParser().parse(path, text));
  const relevance = assessRelevance(graph, [{ path: 'src/focus.ts', role: 'focus' }], (path) =>
    kindSignalsOf(path, sampleContent(sources[path]!)),
  );
  const reasons = Object.fromEntries([...relevance].map(([path, r]) => [path, `${r.tier}: ${r.reason}`]));
  assert.deepEqual(reasons, {
    'README.md': 'unrelated: not imported by any focus file; docs',
    'gen/api.pb.go': 'noise: not imported by any focus file; generated (`*.pb.go`)',
    'src/b.ts': 'dependency: imported by focus file src/focus.ts',
    'src/c.ts': 'dependency: imported by focus file src/focus.ts through src/b.ts',
    'src/focus.test.ts': 'dependent: test of focus file src/focus.ts',
    'src/focus.ts': 'anchor: focus file',
    'src/other.ts': 'unrelated: not imported by any focus file',
  });
  assert.deepEqual(
    [...relevance.values()].map((r) => r.rank),
    [...relevance.keys()].map(
      (path) =>
        ({
          'README.md': 1,
          'gen/api.pb.go': 0,
          'src/b.ts': 99,
          'src/c.ts': 98,
          'src/focus.test.ts': 2,
          'src/focus.ts': 100,
          'src/other.ts': 1,
        })[path],
    ),
  );
});

test('no anchors: relevance comes from the file kind only, and says so', async () => {
  const graph = new ImportGraph();
  graph.setFile('a.ts', await testParser().parse('a.ts', ''));
  graph.setFile('yarn.lock', null);
  const relevance = assessRelevance(graph, [], (path) => kindSignalsOf(path));
  assert.equal(relevance.get('a.ts')?.reason, 'no focus file: relevance from the file kind only');
  assert.equal(relevance.get('yarn.lock')?.tier, 'noise');
  assert.equal(relevance.get('yarn.lock')?.reason, 'no focus file: relevance from the file kind only; lockfile (`yarn.lock`)');
});
