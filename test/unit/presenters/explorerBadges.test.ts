import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildBudgetReport } from '../../../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../../../src/core/analysis/budgetTypes';
import { findGpu, findModel } from '../../../src/core/model/catalog';
import { badgeTooltip, explorerBadges, tokenBadge } from '../../../src/core/presenters/explorerBadges';
import { defaultSettings } from '../../../src/core/settings';

test('badges are at most two characters and never round up', () => {
  const cases: Array<[number, string]> = [
    [0, '<1'],
    [999, '<1'],
    [1000, '1k'],
    [9999, '9k'],
    [10_000, '10'],
    [48_213, '48'],
    [99_999, '99'],
    [100_000, '.1'],
    [999_999, '.9'],
    [1_000_000, '1M'],
    [9_999_999, '9M'],
    [10_000_000, 'M+'],
  ];
  for (const [tokens, badge] of cases) {
    assert.equal(tokenBadge(tokens), badge, String(tokens));
    assert.ok(tokenBadge(tokens).length <= 2);
  }
});

test('files and their folders up to the workspace root get badges; unchecked, skipped and outside files none', () => {
  const file = (uri: string, tokens: number | undefined, extra: Partial<BudgetFileInput> = {}): BudgetFileInput => ({
    uri,
    relativePath: uri.replace('file:///w/', ''),
    included: true,
    focus: false,
    pinned: false,
    count:
      tokens === undefined
        ? { kind: 'skipped', reason: 'binary', message: 'binary' }
        : { kind: 'counted', tokens, sizeBytes: tokens, notes: [] },
    ...extra,
  });
  const files = [
    file('file:///w/src/a.ts', 6000),
    file('file:///w/src/deep/b.ts', 1500),
    file('file:///w/src/off.ts', 900, { included: false }),
    file('file:///w/logo.png', undefined),
    file('file:///elsewhere/c.ts', 2500),
  ];
  const report = buildBudgetReport(files, defaultSettings, { model: findModel('gpt-oss-20b')!, gpu: findGpu('h100-sxm')! });
  const badges = explorerBadges(report, ['file:///w']);
  assert.deepEqual([...badges.keys()].sort(), [
    'file:///elsewhere/c.ts',
    'file:///w',
    'file:///w/src',
    'file:///w/src/a.ts',
    'file:///w/src/deep',
    'file:///w/src/deep/b.ts',
  ]);
  assert.equal(badges.get('file:///w/src/a.ts')!.badge, '6k');
  assert.equal(badges.get('file:///w/src')!.badge, '7k');
  assert.equal(
    badgeTooltip(badges.get('file:///w/src')!),
    'Context Budget: 7,500 tokens in 2 selected file(s), 75% of the prompt (o200k_base, exact (gpt-oss-20b uses it))',
  );
  assert.equal(badges.get('file:///w')!.badge, '7k');
  assert.equal(
    badgeTooltip(badges.get('file:///w/src/deep/b.ts')!),
    'Context Budget: 1,500 tokens, 15% of the prompt (o200k_base, exact (gpt-oss-20b uses it))',
  );
});
