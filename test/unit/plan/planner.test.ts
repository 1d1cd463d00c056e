import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allowedPromptTokens,
  droppableClasses,
  planDrops,
  planReorder,
  priorityWeights,
  tokensToRemove,
} from '../../../src/core/plan/planner';
import type { DropPriority, PlanFile } from '../../../src/core/plan/planner';

const plain = (path: string, tokens: number): PlanFile => ({ path, tokens, priority: 'plain' });
const of =
  (priority: DropPriority) =>
  (path: string, tokens: number): PlanFile => ({ path, tokens, priority });
const dropped = (files: readonly PlanFile[], need: number, allowFocus = false): string[] =>
  planDrops(files, need, { allowFocus }).drops.map((d) => d.path);

test('need 100 from 60, 50, 101: dropping 101 loses 101 < 110 (greedy-by-smallest would take 50 + 60)', () => {
  assert.deepEqual(dropped([plain('a', 60), plain('b', 50), plain('c', 101)], 100), ['c']);
});

test('need 100 from 500, 60, 50: dropping 60 + 50 loses 110 < 500 (greedy-by-largest would take 500)', () => {
  const plan = planDrops([plain('a', 500), plain('b', 60), plain('c', 50)], 100);
  assert.deepEqual(
    plan.drops.map((d) => d.path),
    ['b', 'c'],
  );
  assert.equal(plan.removedTokens, 110);
  assert.equal(plan.tokensAfter, 500);
  assert.deepEqual(plan.loss, { highestPriority: 'plain', weightedTokens: 110, files: 2 });
  assert.equal(plan.method, 'exact');
  assert.deepEqual(
    plan.drops.map((d) => d.savesTokens),
    [60, 50],
  );
});

test('a lower class is used up before a higher one is touched, even when the higher one would fit better', () => {
  // Plain files cover 110 ≥ 100, so the exact-fit recent file is not touched.
  assert.deepEqual(dropped([plain('p1', 60), plain('p2', 50), of('recent')('r', 100)], 100), ['p1', 'p2']);
  // Open outranks recent: recent files are dropped first.
  assert.deepEqual(dropped([of('open')('o', 100), of('recent')('r', 150)], 100), ['r']);
});

test('once a higher class is needed, weighted tokens decide: recent 100 (200) beats plain 60 + recent 100 (260), plain 40 + recent 70 (180) beats recent 100 (200)', () => {
  assert.deepEqual(dropped([plain('p', 60), of('recent')('r', 100)], 100), ['r']);
  assert.deepEqual(dropped([plain('p', 40), of('recent')('r1', 70), of('recent')('r2', 100)], 100), ['p', 'r1']);
  assert.equal(priorityWeights.recent, 2 * priorityWeights.plain);
});

test('equal weighted loss: fewer files win, then path order, independent of input order', () => {
  assert.deepEqual(dropped([plain('a', 50), plain('b', 50), plain('c', 100)], 100), ['c']);
  assert.deepEqual(dropped([plain('b', 50), plain('a', 50)], 50), ['a']);
  assert.deepEqual(dropped([plain('a', 50), plain('b', 50)], 50), ['a']);
});

test('pinned files are never dropped; focus files only when allowed, and last', () => {
  const files = [of('pinned')('pin', 1000), of('focus')('f', 80), plain('p', 30)];
  const plan = planDrops(files, 100);
  assert.equal(plan.feasible, false);
  assert.equal(plan.shortfallTokens, 70);
  assert.deepEqual(
    plan.drops.map((d) => d.path),
    ['p'],
  );
  assert.deepEqual(dropped(files, 100, true), ['f', 'p']);
  assert.deepEqual(dropped(files, 20, true), ['p']);
});

test('infeasible: drops everything allowed and reports the shortfall and totals', () => {
  const plan = planDrops([plain('a', 10), of('pinned')('b', 500), of('open')('c', 20)], 100);
  assert.equal(plan.feasible, false);
  assert.deepEqual(
    plan.drops.map((d) => d.path),
    ['a', 'c'],
  );
  assert.equal(plan.removedTokens, 30);
  assert.equal(plan.shortfallTokens, 70);
  assert.equal(plan.tokensBefore, 530);
  assert.equal(plan.tokensAfter, 500);
});

test('nothing to remove: empty plan; zero-token files are never dropped', () => {
  const plan = planDrops([plain('a', 10)], 0);
  assert.deepEqual(plan.drops, []);
  assert.equal(plan.feasible, true);
  assert.equal(plan.loss.highestPriority, null);
  assert.deepEqual(dropped([plain('empty', 0), plain('a', 10)], 5), ['a']);
});

/** Lexicographic optimum (class rank, weighted tokens, files) over every subset, by enumeration. */
function bruteLoss(files: readonly PlanFile[], need: number): [number, number, number] | null {
  const allowed = files.filter((f) => f.priority !== 'pinned' && f.priority !== 'focus' && f.tokens > 0);
  let best: [number, number, number] | null = null;
  for (let mask = 0; mask < 1 << allowed.length; mask++) {
    let tokens = 0;
    let weighted = 0;
    let count = 0;
    let rank = -1;
    allowed.forEach((file, i) => {
      if (!(mask & (1 << i))) return;
      const priority = file.priority as Exclude<DropPriority, 'pinned'>;
      tokens += file.tokens;
      weighted += priorityWeights[priority] * file.tokens;
      count++;
      rank = Math.max(rank, droppableClasses.indexOf(priority));
    });
    if (tokens < need) continue;
    const loss: [number, number, number] = [rank, weighted, count];
    if (!best || loss[0] < best[0] || (loss[0] === best[0] && (loss[1] < best[1] || (loss[1] === best[1] && loss[2] < best[2])))) {
      best = loss;
    }
  }
  return best;
}

function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('exact on random small inputs: the loss equals the brute-force lexicographic optimum', () => {
  const random = lcg(42);
  const classes: DropPriority[] = ['plain', 'recent', 'open', 'focus', 'pinned'];
  for (let round = 0; round < 300; round++) {
    const n = 1 + Math.floor(random() * 11);
    const files = Array.from({ length: n }, (_, i) => ({
      path: `f${i}`,
      tokens: 1 + Math.floor(random() * 200),
      priority: classes[Math.floor(random() * classes.length)]!,
    }));
    const need = 1 + Math.floor(random() * 500);
    const plan = planDrops(files, need);
    const best = bruteLoss(files, need);
    if (!best) {
      assert.equal(plan.feasible, false, `round ${round}`);
      continue;
    }
    assert.equal(plan.method, 'exact');
    assert.ok(plan.feasible && plan.removedTokens >= need);
    assert.deepEqual(
      [droppableClasses.indexOf(plan.loss.highestPriority!), plan.loss.weightedTokens, plan.loss.files],
      best,
      `round ${round}: ${JSON.stringify(files)} need ${need}`,
    );
    assert.ok(plan.loss.weightedTokens >= plan.lossLowerBound);
  }
});

function bigInput(seed: number): PlanFile[] {
  const random = lcg(seed);
  const classes: DropPriority[] = ['plain', 'plain', 'plain', 'recent', 'open', 'focus', 'pinned'];
  return Array.from({ length: 10_000 }, (_, i) => ({
    path: `src/module${i % 97}/file${i}.ts`,
    // Mostly small files with a heavy tail, like a real repository.
    tokens: Math.max(1, Math.floor(200 / (random() + 0.01) ** 1.2)),
    priority: classes[Math.floor(random() * classes.length)]!,
  }));
}

test('10k files: deterministic under input reordering, feasible, respects pins and focus, and close to the LP bound', () => {
  const files = bigInput(7);
  const total = files.reduce((sum, f) => sum + f.tokens, 0);
  const need = Math.floor(total * 0.3);
  const plan = planDrops(files, need);
  const shuffled = [...files];
  const random = lcg(99);
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const again = planDrops(shuffled, need);
  const sortedPaths = (p: typeof plan): string[] => p.drops.map((d) => d.path).sort();
  assert.deepEqual(sortedPaths(again), sortedPaths(plan));
  assert.deepEqual(again.loss, plan.loss);
  assert.equal(plan.method, 'near-optimal');
  assert.equal(plan.feasible, true);
  assert.ok(plan.removedTokens >= need);
  assert.ok(plan.drops.every((d) => d.priority !== 'focus'));
  const pinned = new Set(files.filter((f) => f.priority === 'pinned').map((f) => f.path));
  assert.ok(plan.drops.every((d) => !pinned.has(d.path)));
  assert.ok(plan.loss.weightedTokens >= plan.lossLowerBound);
  assert.ok(
    (plan.loss.weightedTokens - plan.lossLowerBound) / plan.lossLowerBound < 0.001,
    `gap ${plan.loss.weightedTokens - plan.lossLowerBound} of ${plan.lossLowerBound}`,
  );
  // Drops are reported in prompt order.
  const index = new Map(files.map((f, i) => [f.path, i]));
  const order = plan.drops.map((d) => index.get(d.path)!);
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
  );
});

test('10k files with a small need are solved exactly', () => {
  const files = bigInput(3);
  const plan = planDrops(files, 300);
  assert.equal(plan.method, 'exact');
  assert.ok(plan.removedTokens >= 300);
  assert.equal(plan.loss.weightedTokens, plan.lossLowerBound);
});

test('tokensToRemove for the four target kinds', () => {
  // Window and effective window hold prompt + reserved output.
  assert.equal(tokensToRemove({ kind: 'window', maxWindowTokens: 131072 }, 130000, 4096), 130000 - (131072 - 4096));
  assert.equal(tokensToRemove({ kind: 'effective-window', effectiveWindowTokens: 32768 }, 40000, 4096), 40000 - 28672);
  // Memory: maxContextTokens is T = prompt + reserve that fits.
  assert.equal(tokensToRemove({ kind: 'memory', maxContextTokens: 12207 }, 20000, 4096), 20000 - 8111);
  // Budget counts prompt tokens only.
  assert.equal(tokensToRemove({ kind: 'budget', budgetTokens: 50000 }, 60000, 4096), 10000);
  // Already met → 0; a reserve larger than the window leaves no room for any prompt.
  assert.equal(tokensToRemove({ kind: 'budget', budgetTokens: 50000 }, 40000, 4096), 0);
  assert.equal(allowedPromptTokens({ kind: 'window', maxWindowTokens: 4096 }, 8192), 0);
  assert.equal(tokensToRemove({ kind: 'window', maxWindowTokens: 4096 }, 100, 8192), 100);
});

const file = (path: string, tokens: number, focus = false): { path: string; tokens: number; focus: boolean } => ({ path, tokens, focus });

test("planReorder moves focus files out of the middle band to the end, keeping everyone else's order", () => {
  // 10,000 tokens → band [2,500, 7,500).
  const files = [file('a', 2000), file('f1', 1000, true), file('b', 3000), file('f2', 500, true), file('c', 3000), file('f3', 500, true)];
  const plan = planReorder(files, { start: 2500, end: 7500 });
  assert.deepEqual(
    plan.files.map((f) => f.path),
    ['a', 'b', 'c', 'f1', 'f2', 'f3'],
  );
  assert.deepEqual(plan.moved, ['f1', 'f2']);
  assert.deepEqual(plan.stillInMiddle, []);
});

test('planReorder placement "start" moves middle focus files to the front; focus already at the start stays ahead', () => {
  const files = [file('f0', 500, true), file('a', 2000), file('b', 3000), file('f2', 500, true), file('c', 4000)];
  const plan = planReorder(files, { start: 2500, end: 7500 }, { placement: 'start' });
  assert.deepEqual(
    plan.files.map((f) => f.path),
    ['f0', 'f2', 'a', 'b', 'c'],
  );
  assert.deepEqual(plan.moved, ['f2']);
});

test('planReorder reports focus files that cannot leave the band and changes nothing without a band', () => {
  const files = [file('a', 1000), file('big', 8000, true), file('b', 1000)];
  const plan = planReorder(files, { start: 2500, end: 7500 });
  assert.deepEqual(
    plan.files.map((f) => f.path),
    ['a', 'b', 'big'],
  );
  assert.deepEqual(plan.stillInMiddle, ['big']);
  const none = planReorder(files, null);
  assert.deepEqual(none.files, files);
  assert.deepEqual(none.moved, []);
});
