import { test } from 'node:test';
import assert from 'node:assert/strict';
import { orderedLookahead, scanLookahead, scanTree } from '../../../src/core/scan/scanner';
import type { ScanOptions, ScanResult } from '../../../src/core/scan/scanner';
import type { EntryKind, EntryStat, ReadFileOptions, WorkspaceFs } from '../../../src/core/scan/workspaceFs';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';
import { seededRandom } from '../../support/seededRandom';

/**
 * A WorkspaceFs whose stat and readFile calls each finish after a random number of event-loop turns, so
 * calls started together finish in a shuffled order; it records the most calls it had in flight at once.
 */
class ShuffledLatencyFs implements WorkspaceFs {
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly inner: WorkspaceFs,
    private readonly random: () => number,
  ) {}

  readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    return this.inner.readDirectory(location);
  }

  stat(location: string): Promise<EntryStat> {
    return this.delayed(() => this.inner.stat(location));
  }

  readFile(location: string, options?: ReadFileOptions): Promise<Uint8Array> {
    return this.delayed(() => this.inner.readFile(location, options));
  }

  join(location: string, name: string): string {
    return this.inner.join(location, name);
  }

  private async delayed<T>(call: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const turns = Math.floor(this.random() * 12);
      for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
      return await call();
    } finally {
      this.inFlight--;
    }
  }
}

/** Folders mixing every outcome a candidate file can have, each between accepted files, plus enough files to pass a progress report. */
function mixedTree(): InMemoryWorkspaceFs {
  const fs = new InMemoryWorkspaceFs()
    .file('/.gitignore', '*.log\n')
    .file('/a.ts', 'a')
    .file('/big.txt', 'x'.repeat(2000))
    .file('/c.ts', 'c')
    .file('/.env', 'TOKEN=1')
    .file('/.npmrc', '//registry.npmjs.org/:_authToken=abc\n')
    .file('/d.ts', 'd')
    .file('/package-lock.json', '{}')
    .file('/e.ts', 'e')
    .file('/gone.ts', 'vanishes between listing and stat')
    .file('/f.ts', 'f')
    .file('/x.log', 'ignored at the top level')
    .symlink('/inside.md', '/a.ts')
    .symlink('/dangling', '/nowhere')
    .special('/fifo', 'other')
    .file('/src/.gitignore', 'out/\n')
    .file('/src/one.ts', '1')
    .file('/src/huge.ts', 'y'.repeat(5000))
    .file('/src/two.ts', '2')
    .file('/src/out/skip.ts', 'ignored below the top level')
    .file('/src/three.ts', '3')
    .special('/locked', 'unlistable');
  fs.vanishing.add('/gone.ts');
  for (let i = 0; i < 450; i++) fs.file(`/many/f${String(i).padStart(3, '0')}.txt`, 'm'.repeat(i % 7));
  fs.file('/many/zz-big.txt', 'z'.repeat(3000));
  return fs;
}

const baseOptions: ScanOptions = { excludeGlobs: [], respectGitignore: true, maxFileBytes: 1000, maxFiles: 100_000 };

async function scanWithProgress(fs: WorkspaceFs, options: ScanOptions): Promise<{ result: ScanResult; progress: Array<[number, number]> }> {
  const progress: Array<[number, number]> = [];
  const result = await scanTree(fs, '/', { ...options, onProgress: (accepted, visited) => progress.push([accepted, visited]) });
  return { result, progress };
}

test('stats finishing in a shuffled order give the same files, skips, reasons and progress as one stat at a time', async () => {
  const inOrder = await scanWithProgress(mixedTree(), { ...baseOptions, lookahead: 1 });
  // The tree really exercises every outcome (else the comparison below would prove little).
  const reasons = new Set(inOrder.result.skipped.map((s) => s.reason));
  for (const reason of ['tooLarge', 'secretFile', 'lockfile', 'vanished', 'ignored', 'brokenSymlink', 'notRegularFile', 'unreadable']) {
    assert.ok(reasons.has(reason as never), `the tree has a ${reason} entry`);
  }
  assert.ok(inOrder.progress.length >= 3, 'the walk passes at least two progress reports');
  for (const seed of [1, 2, 3, 42, 2026]) {
    const shuffled = new ShuffledLatencyFs(mixedTree(), seededRandom(seed));
    const concurrent = await scanWithProgress(shuffled, baseOptions);
    assert.ok(shuffled.maxInFlight > 1, `seed ${seed}: calls overlapped (${shuffled.maxInFlight} at most in flight)`);
    assert.ok(shuffled.maxInFlight <= scanLookahead, `seed ${seed}: at most ${scanLookahead} calls in flight, saw ${shuffled.maxInFlight}`);
    assert.deepEqual(concurrent.result, inOrder.result, `seed ${seed}`);
    assert.deepEqual(concurrent.progress, inOrder.progress, `seed ${seed}`);
  }
});

test('maxFiles truncation keeps exactly the same first files and the same notice, whatever order the stats finish in', async () => {
  const full = (await scanTree(mixedTree(), '/', { ...baseOptions, lookahead: 1 })).files.length;
  // Every limit below the total: each cut falls in a different place (between skips, inside a folder, at a folder's end).
  for (let maxFiles = 0; maxFiles < full; maxFiles += maxFiles < 20 ? 1 : 37) {
    const inOrder = await scanTree(mixedTree(), '/', { ...baseOptions, maxFiles, lookahead: 1 });
    const concurrent = await scanTree(new ShuffledLatencyFs(mixedTree(), seededRandom(maxFiles + 7)), '/', { ...baseOptions, maxFiles });
    assert.equal(inOrder.truncated, true);
    assert.equal(inOrder.files.length, maxFiles);
    assert.match(inOrder.skipped.at(-1)!.message, new RegExp(`stopped after ${maxFiles} files`));
    assert.deepEqual(concurrent, inOrder, `maxFiles ${maxFiles}`);
  }
});

test('orderedLookahead returns results in index order and never has more than `window` jobs outstanding', async () => {
  const random = seededRandom(9);
  let outstanding = 0;
  let maxOutstanding = 0;
  const finished: number[] = [];
  const lookahead = orderedLookahead(40, 5, async (index) => {
    outstanding++;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    const turns = Math.floor(random() * 10);
    for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    finished.push(index);
    return index;
  });
  const taken: number[] = [];
  for (let i = 0; i < 40; i++) {
    taken.push(await lookahead.take());
    outstanding--;
  }
  assert.deepEqual(
    taken,
    Array.from({ length: 40 }, (_, i) => i),
  );
  assert.notDeepEqual(finished, taken, 'the jobs did finish out of order');
  assert.equal(maxOutstanding, 5);
  await assert.rejects(lookahead.take(), /already taken/);
});

test('a job started ahead and never taken may reject without an unhandled rejection', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const lookahead = orderedLookahead(3, 3, (index) => (index === 2 ? Promise.reject(new Error('late failure')) : Promise.resolve(index)));
    assert.equal(await lookahead.take(), 0);
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
