import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { cliProgramFiles } from '../../../src/cli/planReplay';
import { BadPlanSummaryError, planSummaryFromJson } from '../../../src/core/presenters/planSummary';
import type { PlanSummary } from '../../../src/core/presenters/planSummary';
import { planningCodeVersion } from '../../../src/node/codeVersions';
import { PlanMemo, planMemoFolderName } from '../../../src/node/planMemo';

const plan: PlanSummary = {
  target: 'budget',
  basis: 'relevance',
  basisNote: '',
  neededTokens: 1008,
  allowedTokens: 700,
  removedTokens: 1167,
  tokensBefore: 1708,
  tokensAfter: 541,
  outcome: { kind: 'met' },
  method: 'exact',
  loss: { kind: 'relevance', weightedLoss: 943.5 },
  actions: [
    { path: 'src/a.ts', action: 'outline', priority: 'plain', savesTokens: 320, keptTokens: 527, explanation: 'outline: saves 320 tokens' },
    { path: 'src/b.ts', action: 'drop', priority: 'recent', savesTokens: 847, keptTokens: 0, explanation: 'drop: saves 847 tokens' },
  ],
};

const key = (n: number): string => n.toString(16).padStart(64, '0');

function memoIn(dir: string, problems: string[], maxBytes = 64 * 2 ** 20): PlanMemo {
  return new PlanMemo({ folder: () => dir, maxBytes, report: (message) => problems.push(message) });
}

describe('the plan memo', () => {
  it('gives back a plan under its key only, keeps the four newest, and skips a plan too big for the cap', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-store-'));
    const problems: string[] = [];
    const memo = memoIn(dir, problems);
    assert.equal(await memo.recall(key(1)), undefined, 'nothing yet, and no problem');
    await memo.remember(key(1), plan);
    assert.deepEqual(await memo.recall(key(1)), plan);
    assert.equal(await memo.recall(key(2)), undefined);
    const folder = path.join(dir, planMemoFolderName);
    for (let n = 2; n <= 5; n++) {
      // Older write times for the earlier plans: the oldest goes first, whatever the clock's resolution.
      utimesSync(path.join(folder, `${key(n - 1)}.json`), 1_700_000_000 + n, 1_700_000_000 + n);
      await memo.remember(key(n), { ...plan, tokensAfter: n });
    }
    assert.deepEqual(
      readdirSync(folder).sort(),
      [2, 3, 4, 5].map((n) => `${key(n)}.json`),
    );
    assert.equal((await memo.recall(key(5)))?.tokensAfter, 5);
    assert.equal(await memo.recall(key(1)), undefined, 'the oldest was removed');

    const small = memoIn(mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-store-')), problems, 800);
    await small.remember(key(1), plan);
    assert.equal(await small.recall(key(1)), undefined, 'over an eighth of an 800-byte cap: not kept');
    assert.deepEqual(problems, []);
  });

  it('reports a damaged or truncated plan, never returns it, and a new write replaces it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-plan-memo-store-'));
    const problems: string[] = [];
    const memo = memoIn(dir, problems);
    const file = path.join(dir, planMemoFolderName, `${key(7)}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${'0'.repeat(64)}\n${JSON.stringify(plan)}`);
    assert.equal(await memo.recall(key(7)), undefined);
    assert.match(problems[0] ?? '', /is damaged \(its checksum does not match\)/);
    writeFileSync(file, JSON.stringify(plan).slice(0, 40));
    assert.equal(await memo.recall(key(7)), undefined, 'truncated');
    await memo.remember(key(7), plan);
    assert.deepEqual(await memo.recall(key(7)), plan);
    assert.equal(await memo.recall('../../etc/passwd'), undefined, 'a key is a SHA-256, never a path');
  });

  it('reads back only what has the shape of a plan', () => {
    const roundTrip = JSON.parse(JSON.stringify(plan)) as unknown;
    assert.deepEqual(planSummaryFromJson(roundTrip), plan);
    const sizePlan = {
      ...plan,
      basis: 'size',
      loss: { kind: 'size', loss: { highestPriority: null, weightedTokens: 0, files: 0 }, lossLowerBound: 0 },
    };
    assert.deepEqual(planSummaryFromJson(sizePlan), sizePlan);
    const broken: unknown[] = [
      null,
      [],
      { ...plan, target: 'everything' },
      { ...plan, tokensAfter: -1 },
      { ...plan, tokensAfter: '541' },
      { ...plan, outcome: { kind: 'over', overTokens: 3 } },
      { ...plan, loss: { kind: 'size', loss: { highestPriority: 'pinned', weightedTokens: 0, files: 0 }, lossLowerBound: 0 } },
      { ...plan, actions: [{ ...plan.actions[0], action: 'delete' }] },
      { ...plan, actions: [{ ...plan.actions[0], explanation: 7 }] },
      { ...plan, actions: {} },
    ];
    for (const candidate of broken) assert.throws(() => planSummaryFromJson(candidate), BadPlanSummaryError, JSON.stringify(candidate));
  });

  it("the planning code version is the hash of the program's files: the bundle alone, or every compiled file under tsc", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-plan-code-'));
    const bundle = path.join(dir, 'dist', 'cli.js');
    mkdirSync(path.dirname(bundle));
    writeFileSync(bundle, 'planning code v1');
    assert.deepEqual(await cliProgramFiles(bundle), [bundle]);
    const compiled = path.join(dir, 'out', 'src');
    mkdirSync(path.join(compiled, 'cli'), { recursive: true });
    mkdirSync(path.join(compiled, 'core', 'plan'), { recursive: true });
    const main = path.join(compiled, 'cli', 'main.js');
    const planner = path.join(compiled, 'core', 'plan', 'planner.js');
    writeFileSync(main, 'main');
    writeFileSync(planner, 'planner v1');
    writeFileSync(path.join(compiled, 'core', 'plan', 'planner.js.map'), '{}');
    assert.deepEqual(await cliProgramFiles(main), [main, planner]);
    const before = await planningCodeVersion(() => cliProgramFiles(main));
    writeFileSync(planner, 'planner v2');
    assert.notEqual(await planningCodeVersion(() => cliProgramFiles(main)), before, 'an edit of any compiled file is a new version');
  });
});
