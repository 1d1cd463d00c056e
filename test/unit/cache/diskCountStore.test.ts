import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  countCodec,
  countStoreFormatVersion,
  decodeSegment,
  encodeSegment,
  keptBytes,
  maxStoredOutlineChars,
  parseCodec,
} from '../../../src/core/cache/countStoreFormat';
import type { SegmentBlobWriter, StoredOutline, StoredParse } from '../../../src/core/cache/countStoreFormat';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
import type { KeptParse, ParsedFile } from '../../../src/core/relevance/parseCache';
import type { StoredOutcome } from '../../../src/core/cache/countStoreFormat';
import { cacheShares, DiskCountStore, workspaceCacheId } from '../../../src/node/diskCountStore';
import type { DiskCountStoreOptions } from '../../../src/node/diskCountStore';

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A kept parse as the index would see it once its outline's text is restored (undefined: it did not restore). */
function restored(kept: ParsedFile | KeptParse | undefined): ParsedFile | undefined {
  if (kept === undefined || kept.outcome.kind !== 'parsed' || typeof kept.outcome.syntax.outline === 'string') return kept as ParsedFile;
  const outline = kept.outcome.syntax.outline.text();
  return outline === undefined ? undefined : { ...kept, outcome: { kind: 'parsed', syntax: { ...kept.outcome.syntax, outline } } };
}

/** The hash a kept parse's outline carries. */
function outlineHashOf(kept: ParsedFile | KeptParse | undefined): string | undefined {
  const outline = kept?.outcome.kind === 'parsed' ? kept.outcome.syntax.outline : undefined;
  return outline === undefined || typeof outline === 'string' ? undefined : outline.sha256;
}
const counted = (tokens: number): StoredOutcome => ({
  kind: 'counted',
  tokens,
  bytes: tokens * 4,
  hadUtf8Bom: false,
  invalidUtf8Sequences: 0,
  secretHints: [],
});

function cacheDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'cb-count-cache-'));
}

/** Every segment file under the cache root (both families), with its size. */
function segments(root: string): Array<{ file: string; bytes: number }> {
  const found: Array<{ file: string; bytes: number }> = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push({ file: full, bytes: statSync(full).size });
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

/** A family's folder in the tests' workspace ('/work/project'). */
function familyDir(directory: string, family: 'counts' | 'paths' | 'parses'): string {
  return path.join(directory, `workspaces-v${countStoreFormatVersion}`, workspaceCacheId('/work/project'), family);
}

function store(directory: string, options: Partial<DiskCountStoreOptions> = {}): { store: DiskCountStore; problems: string[] } {
  const problems: string[] = [];
  return {
    store: new DiskCountStore({
      directory,
      workspace: '/work/project',
      maxBytes: 64 * 1024 * 1024,
      codeVersion: 'code-v1',
      onProblem: (message) => problems.push(message),
      ...options,
    }),
    problems,
  };
}

describe('DiskCountStore', () => {
  it('tells the code versions it keys entries by; a version that cannot be read is a rejection, not a guess', async () => {
    assert.deepEqual(await store(cacheDir(), { parseCodeVersion: () => Promise.resolve('parse-v1') }).store.codeVersions(), {
      counting: 'code-v1',
      parsing: 'parse-v1',
    });
    assert.deepEqual(await store(cacheDir()).store.codeVersions(), { counting: 'code-v1', parsing: null }, 'no parses kept');
    const unreadable = store(cacheDir(), { parseCodeVersion: () => Promise.reject(new Error('EACCES: grammars')) }).store;
    await assert.rejects(unreadable.codeVersions(), /EACCES: grammars/);
  });

  it('keeps counts across processes: keyed by code version, tokenizer, source and content hash', async () => {
    const dir = cacheDir();
    const first = store(dir).store;
    assert.equal(await first.lookup('o200k_base', 'bytes', hashOf('a')), undefined);
    first.record('o200k_base', 'bytes', hashOf('a'), counted(7));
    first.record('o200k_base', 'text', hashOf('b'), { kind: 'skipped', reason: 'binary: PNG signature' });
    first.rememberContentHash('/w/a.ts', 'stamp-1', hashOf('a'));
    await first.flush();

    const second = store(dir).store;
    assert.deepEqual(await second.lookup('o200k_base', 'bytes', hashOf('a')), counted(7));
    assert.deepEqual(await second.lookup('o200k_base', 'text', hashOf('b')), { kind: 'skipped', reason: 'binary: PNG signature' });
    assert.equal(await second.lookup('cl100k_base', 'bytes', hashOf('a')), undefined, 'another tokenizer');
    assert.equal(await second.lookup('o200k_base', 'text', hashOf('a')), undefined, 'the same hash as text, not bytes');
    assert.equal(await second.contentHashOf('/w/a.ts', 'stamp-1'), hashOf('a'));
    assert.equal(await second.contentHashOf('/w/a.ts', 'stamp-2'), undefined, 'a changed stamp is a miss');
    assert.equal(
      await store(dir, { codeVersion: 'code-v2' }).store.lookup('o200k_base', 'bytes', hashOf('a')),
      undefined,
      'another build of the counting code',
    );
  });

  it("after an upgrade, the old code's entries go once unused for the touch interval, not before: the next run that reads their shard drops them", async () => {
    const dir = cacheDir();
    let now = Date.parse('2026-11-30T12:00:00Z');
    const at = { now: () => now };
    const scopesOnDisk = (): string[] => {
      const found = new Set<string>();
      for (const segment of segments(familyDir(dir, 'counts')).filter((file) => file.file.endsWith('.seg'))) {
        for (const entry of decodeSegment(countCodec, new Uint8Array(readFileSync(segment.file)))) found.add(entry.scope.split('|')[0]!);
      }
      return [...found].sort();
    };
    const fill = async (codeVersion: string, names: readonly string[]): Promise<void> => {
      const filled = store(dir, { codeVersion, ...at }).store;
      for (const name of names) {
        assert.equal(await filled.lookup('o200k_base', 'bytes', hashOf(name)), undefined);
        filled.record('o200k_base', 'bytes', hashOf(name), counted(name.length));
      }
      await filled.flush();
    };
    const names = Array.from({ length: 40 }, (_, i) => `file ${i}`);

    await fill('code-v1', names);
    // A newer build in another window half an hour later: the older one may still be working.
    now += 30 * 60 * 1000;
    await fill('code-v2', names);
    assert.deepEqual(scopesOnDisk(), ['code-v1', 'code-v2']);
    assert.deepEqual(await store(dir, { codeVersion: 'code-v1', ...at }).store.lookup('o200k_base', 'bytes', hashOf('file 3')), counted(6));

    // Two hours on, the old build has not been used since: a re-run of the new one, which finds
    // everything it needs, drops them from every shard it read.
    now += 2 * 60 * 60 * 1000;
    const rerun = store(dir, { codeVersion: 'code-v2', ...at });
    for (const name of names) assert.deepEqual(await rerun.store.lookup('o200k_base', 'bytes', hashOf(name)), counted(name.length));
    await rerun.store.flush();
    assert.deepEqual(scopesOnDisk(), ['code-v2']);
    assert.deepEqual(rerun.problems, []);
    const current = store(dir, { codeVersion: 'code-v2', ...at }).store;
    assert.deepEqual(await current.lookup('o200k_base', 'bytes', hashOf('file 3')), counted(6), "the current build's entries stay");
    assert.equal(await store(dir, { codeVersion: 'code-v1', ...at }).store.lookup('o200k_base', 'bytes', hashOf('file 3')), undefined);
  });

  it('a re-run that only reads writes nothing; a use after the touch interval re-stamps', async () => {
    const dir = cacheDir();
    let now = 1_000_000;
    const first = store(dir, { now: () => now }).store;
    first.record('o200k_base', 'bytes', hashOf('a'), counted(1));
    await first.flush();
    const before = segments(dir).length;
    const reader = store(dir, { now: () => now, touchIntervalMs: 60_000 }).store;
    await reader.lookup('o200k_base', 'bytes', hashOf('a'));
    await reader.flush();
    assert.equal(segments(dir).length, before);
    now += 60_000;
    await reader.lookup('o200k_base', 'bytes', hashOf('a'));
    await reader.flush();
    assert.equal(segments(dir).length, before + 1);
  });

  it('a corrupt or truncated segment is ignored, deleted, reported once, and rebuilt', async () => {
    const dir = cacheDir();
    const writer = store(dir).store;
    for (let i = 0; i < 64; i++) writer.record('o200k_base', 'bytes', hashOf(`file ${i}`), counted(i));
    await writer.flush();
    const files = segments(familyDir(dir, 'counts'));
    assert.ok(files.length >= 8);
    // One truncated (a crash mid-write without the rename would leave no file; a torn one is what a disk can do),
    // one with a flipped byte, one replaced by garbage.
    truncateSync(files[0]!.file, files[0]!.bytes - 9);
    const flipped = readFileSync(files[1]!.file);
    flipped[flipped.length - 3]! ^= 0x20;
    writeFileSync(files[1]!.file, flipped);
    writeFileSync(files[2]!.file, 'garbage\n');
    const { store: reader, problems } = store(dir);
    let hits = 0;
    for (let i = 0; i < 64; i++) if ((await reader.lookup('o200k_base', 'bytes', hashOf(`file ${i}`)))?.kind === 'counted') hits++;
    // Whatever the damaged files held is missing, never wrong: every hit has the right count.
    for (let i = 0; i < 64; i++) {
      const outcome = await reader.lookup('o200k_base', 'bytes', hashOf(`file ${i}`));
      if (outcome) assert.deepEqual(outcome, counted(i));
    }
    assert.ok(hits < 64 && hits > 0, `${hits} of 64 counts survived`);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0]!, /is damaged \((truncated|checksum mismatch|not a cache segment)/);
    assert.equal(reader.stats().corruptSegments, 3);
    for (const damaged of files.slice(0, 3)) assert.equal(existsSync(damaged.file), false, 'deleted so it is rebuilt');
    // Rebuilt: the missing counts are recorded again and found by the next process, with no report.
    for (let i = 0; i < 64; i++) {
      if (!(await reader.lookup('o200k_base', 'bytes', hashOf(`file ${i}`)))) {
        reader.record('o200k_base', 'bytes', hashOf(`file ${i}`), counted(i));
      }
    }
    await reader.flush();
    const { store: again, problems: none } = store(dir);
    for (let i = 0; i < 64; i++) assert.deepEqual(await again.lookup('o200k_base', 'bytes', hashOf(`file ${i}`)), counted(i));
    assert.deepEqual(none, []);
  });

  it('is capped: compaction evicts the least recently used counts first', async () => {
    const dir = cacheDir();
    let now = 1_000;
    // All keys in one shard (hashes starting with 0), so the shard's share of the cap decides.
    const keys: string[] = [];
    for (let i = 0; keys.length < 40; i++) if (hashOf(`k${i}`).startsWith('0')) keys.push(hashOf(`k${i}`));
    const entryBytes = countCodec.sizeOf({
      scope: 'code-v1|o200k_base',
      source: 'bytes',
      contentHash: keys[0]!,
      lastUsedMs: 1000,
      outcome: counted(1),
    });
    // Counts get their share of the cap, each of 16 shards 1/16 of that: room for 25 entries here.
    const maxBytes = (25 * entryBytes * 16) / cacheShares.counts;
    const { store: cache, problems } = store(dir, { now: () => now, maxBytes, touchIntervalMs: 0, maxSegmentsPerShard: 2 });
    for (const key of keys.slice(0, 20)) {
      now += 10;
      cache.record('o200k_base', 'bytes', key, counted(1));
      await cache.flush();
    }
    // The first five are used again, so they are now the most recent.
    for (const key of keys.slice(0, 5)) {
      now += 10;
      await cache.lookup('o200k_base', 'bytes', key);
    }
    for (const key of keys.slice(20)) {
      now += 10;
      cache.record('o200k_base', 'bytes', key, counted(1));
      await cache.flush();
    }
    const fresh = store(dir).store;
    const present = async (key: string): Promise<boolean> => (await fresh.lookup('o200k_base', 'bytes', key)) !== undefined;
    const survivors = await Promise.all(keys.map(present));
    assert.ok(cache.stats().evicted > 0);
    // 40 counts, room for 25 (and a quarter more between compactions). From least to most recently
    // used: 5–19, then 0–4 (used again), then 20–39. What is evicted must be a prefix of that order.
    const byRecency = [...Array.from({ length: 15 }, (_, i) => i + 5), 0, 1, 2, 3, 4, ...Array.from({ length: 20 }, (_, i) => i + 20)];
    const kept = byRecency.map((i) => survivors[i]!);
    const firstKept = kept.indexOf(true);
    assert.ok(firstKept >= 9, `at least 9 of the 15 old, unused counts evicted (${firstKept})`);
    assert.ok(kept.slice(firstKept).every(Boolean), `evicted in LRU order: ${kept.map((k) => (k ? 1 : 0)).join('')}`);
    assert.deepEqual(survivors.slice(0, 5), [true, true, true, true, true], 'used again: kept');
    const shardBytes = segments(path.join(familyDir(dir, 'counts'), '0')).reduce((sum, file) => sum + file.bytes, 0);
    assert.ok(shardBytes <= ((maxBytes * cacheShares.counts) / 16) * 1.25 + 200, `shard holds ${shardBytes} bytes`);
    assert.deepEqual(problems, []);
  });

  it('two processes writing at once lose nothing and damage nothing', async () => {
    const dir = cacheDir();
    const script = path.join(dir, 'writer.js');
    // Each process records 300 counts of its own and 100 shared ones in 6 flushes, compacting every
    // shard on every flush (maxSegmentsPerShard 1), so compactions of one overlap writes of the other.
    writeFileSync(
      script,
      `
      const { createHash } = require('node:crypto');
      const { DiskCountStore } = require(${JSON.stringify(path.join(__dirname, '..', '..', '..', 'src', 'node', 'diskCountStore.js'))});
      const [dir, name] = process.argv.slice(2);
      const hash = (text) => createHash('sha256').update(text).digest('hex');
      const problems = [];
      const store = new DiskCountStore({ directory: dir, workspace: '/work/project', maxBytes: 64 * 1024 * 1024, codeVersion: 'v', maxSegmentsPerShard: 1, onProblem: (m) => problems.push(m) });
      (async () => {
        for (let round = 0; round < 6; round++) {
          for (let i = round * 50; i < (round + 1) * 50; i++) {
            store.record('o200k_base', 'bytes', hash(name + i), { kind: 'counted', tokens: i, bytes: i, hadUtf8Bom: false, invalidUtf8Sequences: 0, secretHints: [] });
            if (i % 3 === 0) store.record('o200k_base', 'bytes', hash('shared' + i), { kind: 'counted', tokens: i, bytes: i, hadUtf8Bom: false, invalidUtf8Sequences: 0, secretHints: [] });
            store.rememberContentHash('/w/' + name + i, 's' + i, hash(name + i));
          }
          await store.flush();
        }
        process.stdout.write(JSON.stringify({ problems, stats: store.stats() }));
      })();`,
    );
    const run = (name: string): Promise<{ problems: string[]; stats: { compactions: number } }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, dir, name], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`writer ${name} exited ${code}`))));
      });
    const results = await Promise.all([run('left'), run('right')]);
    for (const result of results) {
      assert.deepEqual(result.problems, []);
      assert.ok(result.stats.compactions > 0, 'compactions ran');
    }
    const { store: reader, problems } = store(dir, { codeVersion: 'v' });
    for (const name of ['left', 'right']) {
      for (let i = 0; i < 300; i++) {
        assert.deepEqual(
          await reader.lookup('o200k_base', 'bytes', hashOf(name + i)),
          { kind: 'counted', tokens: i, bytes: i, hadUtf8Bom: false, invalidUtf8Sequences: 0, secretHints: [] },
          `${name} ${i}`,
        );
        assert.equal(await reader.contentHashOf(`/w/${name}${i}`, `s${i}`), hashOf(name + i));
      }
    }
    for (let i = 0; i < 300; i += 3) assert.equal((await reader.lookup('o200k_base', 'bytes', hashOf(`shared${i}`)))?.kind, 'counted');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      segments(dir).filter((file) => path.basename(file.file).startsWith('.tmp-')),
      [],
      'no temporary file left',
    );
  });

  it('an unwritable cache is reported once and never fails a count', async () => {
    const dir = cacheDir();
    // A file where the cache folder should be: every write fails.
    const blocked = path.join(dir, 'blocked');
    writeFileSync(blocked, 'not a folder');
    const { store: cache, problems } = store(blocked);
    assert.equal(await cache.lookup('o200k_base', 'bytes', hashOf('a')), undefined);
    cache.record('o200k_base', 'bytes', hashOf('a'), counted(1));
    await cache.flush();
    cache.record('o200k_base', 'bytes', hashOf('b'), counted(2));
    await cache.flush();
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /cannot be written \((ENOTDIR|EEXIST)/);
  });

  it("Clear removes every file, every workspace's, and reports what it removed", async () => {
    const dir = cacheDir();
    const { store: cache } = store(dir);
    for (let i = 0; i < 40; i++) cache.record('o200k_base', 'bytes', hashOf(`c${i}`), counted(i));
    cache.rememberContentHash('/w/a', 's', hashOf('c1'));
    await cache.flush();
    const other = store(dir, { workspace: '/work/other' }).store;
    other.record('o200k_base', 'bytes', hashOf('other'), counted(2));
    await other.flush();
    const before = segments(dir).reduce((sum, file) => sum + file.bytes, 0);
    const removed = await cache.clear();
    assert.equal(removed.bytes, before);
    assert.ok(removed.files > 1);
    assert.deepEqual(segments(dir), []);
    assert.equal(await cache.lookup('o200k_base', 'bytes', hashOf('c1')), undefined);
    assert.equal(await store(dir).store.contentHashOf('/w/a', 's'), undefined);
    assert.equal(await store(dir, { workspace: '/work/other' }).store.lookup('o200k_base', 'bytes', hashOf('other')), undefined);
  });

  it('making a store, as activation does, loads neither node:crypto nor node:zlib and touches no file', () => {
    const dir = cacheDir();
    const script = path.join(dir, 'make.js');
    writeFileSync(
      script,
      `
      const { DiskCountStore } = require(${JSON.stringify(path.join(__dirname, '..', '..', '..', 'src', 'node', 'diskCountStore.js'))});
      const loaded = () => ['crypto', 'zlib'].filter((name) => process.moduleLoadList.includes('NativeModule ' + name));
      const before = loaded();
      new DiskCountStore({ directory: process.argv[2], workspace: '/work/project', maxBytes: 64 * 1024 * 1024, codeVersion: () => Promise.resolve('v') });
      console.log(JSON.stringify({ before, after: loaded() }));
      `,
    );
    const cache = path.join(dir, 'cache');
    const output = JSON.parse(execFileSync(process.execPath, [script, cache], { encoding: 'utf8' })) as {
      before: string[];
      after: string[];
    };
    assert.deepEqual(output, { before: [], after: [] });
    assert.equal(existsSync(cache), false);
  });

  it("keeps each workspace's entries apart: a run never reads another workspace's", async () => {
    const dir = cacheDir();
    const big = store(dir, { workspace: '/work/big' }).store;
    for (let i = 0; i < 200; i++) big.record('o200k_base', 'bytes', hashOf(`big ${i}`), counted(i));
    big.rememberContentHash('/work/big/a.ts', 'stamp', hashOf('big 1'));
    await big.flush();

    const small = store(dir, { workspace: '/work/small' });
    // Content the other workspace counted is counted again here: the price of not reading its shards.
    assert.equal(await small.store.lookup('o200k_base', 'bytes', hashOf('big 1')), undefined);
    assert.equal(await small.store.contentHashOf('/work/big/a.ts', 'stamp'), undefined);
    small.store.record('o200k_base', 'bytes', hashOf('small'), counted(5));
    await small.store.flush();
    assert.deepEqual(small.problems, []);

    const workspaces = path.join(dir, `workspaces-v${countStoreFormatVersion}`);
    assert.deepEqual(readdirSync(workspaces).sort(), [workspaceCacheId('/work/big'), workspaceCacheId('/work/small')].sort());
    const bigAgain = store(dir, { workspace: '/work/big' }).store;
    assert.deepEqual(await bigAgain.lookup('o200k_base', 'bytes', hashOf('big 1')), counted(1));
    assert.equal(await bigAgain.lookup('o200k_base', 'bytes', hashOf('small')), undefined);
    assert.deepEqual(await store(dir, { workspace: '/work/small' }).store.lookup('o200k_base', 'bytes', hashOf('small')), counted(5));

    const record = JSON.parse(readFileSync(path.join(workspaces, workspaceCacheId('/work/small'), 'workspace.json'), 'utf8'));
    const smallBytes = segments(path.join(workspaces, workspaceCacheId('/work/small')))
      .filter((file) => file.file.endsWith('.seg'))
      .reduce((sum, file) => sum + file.bytes, 0);
    assert.equal(record.workspace, '/work/small');
    assert.equal(record.bytes, smallBytes, 'its record gives its bytes on disk');
  });

  it('past the cap, deletes the other workspaces written longest ago, whole, until the cache fits; never its own', async () => {
    const dir = cacheDir();
    const workspaces = path.join(dir, `workspaces-v${countStoreFormatVersion}`);
    let now = Date.parse('2026-11-30T12:00:00Z');
    const at = { now: () => now };
    const filler = (workspace: string, files: number): DiskCountStore => {
      const filled = store(dir, { workspace, ...at }).store;
      for (let i = 0; i < files; i++) filled.record('o200k_base', 'bytes', hashOf(`${workspace} ${i}`), counted(i));
      return filled;
    };
    const bytesOf = (workspace: string): number =>
      segments(path.join(workspaces, workspaceCacheId(workspace)))
        .filter((file) => file.file.endsWith('.seg'))
        .reduce((sum, file) => sum + file.bytes, 0);

    await filler('/work/oldest', 100).flush();
    now += 60_000;
    await filler('/work/older', 100).flush();
    now += 60_000;
    await filler('/work/recent', 100).flush();
    // A folder without its record (its process died before writing one): its own mtime and size stand in.
    const unrecorded = path.join(workspaces, 'unrecorded000000', 'counts', '0');
    mkdirSync(unrecorded, { recursive: true });
    writeFileSync(path.join(unrecorded, 'x.seg'), Buffer.alloc(3000));
    const unrecordedAt = new Date(now - 30_000);
    utimesSync(path.join(workspaces, 'unrecorded000000'), unrecordedAt, unrecordedAt);
    const each = bytesOf('/work/older');
    assert.ok(each > 5000, `${each} bytes per workspace`);

    // Room for this run's few entries and 2.2 such workspaces: with the 3,000-byte folder, the two
    // written longest ago must go.
    now += 60_000;
    const current = store(dir, { workspace: '/work/current', ...at, maxBytes: Math.floor(2.2 * each) });
    for (let i = 0; i < 10; i++) current.store.record('o200k_base', 'bytes', hashOf(`current ${i}`), counted(i));
    await current.store.flush();
    assert.deepEqual(current.problems, []);
    assert.equal(current.store.stats().evictedWorkspaces, 2);
    assert.deepEqual(
      readdirSync(workspaces).sort(),
      ['unrecorded000000', workspaceCacheId('/work/current'), workspaceCacheId('/work/recent')].sort(),
      'the two written longest ago are gone; the record-less folder, newer than them, stays',
    );
    assert.equal(await store(dir, { workspace: '/work/oldest' }).store.lookup('o200k_base', 'bytes', hashOf('/work/oldest 1')), undefined);
    assert.deepEqual(
      await store(dir, { workspace: '/work/recent' }).store.lookup('o200k_base', 'bytes', hashOf('/work/recent 1')),
      counted(1),
    );

    // A cap its own entries alone pass: every other workspace goes, its own stays.
    now += 60_000;
    const alone = store(dir, { workspace: '/work/current', ...at, maxBytes: 1024 });
    alone.store.record('o200k_base', 'bytes', hashOf('one more'), counted(1));
    await alone.store.flush();
    assert.deepEqual(readdirSync(workspaces), [workspaceCacheId('/work/current')]);
  });

  it('a workspace deleted by another process meanwhile starts again on its next write', async () => {
    const dir = cacheDir();
    const first = store(dir, { workspace: '/work/a' });
    first.store.record('o200k_base', 'bytes', hashOf('a'), counted(1));
    await first.store.flush();
    assert.deepEqual(await first.store.lookup('o200k_base', 'bytes', hashOf('a')), counted(1));
    rmSync(path.join(dir, `workspaces-v${countStoreFormatVersion}`, workspaceCacheId('/work/a')), { recursive: true });
    first.store.record('o200k_base', 'bytes', hashOf('b'), counted(2));
    await first.store.flush();
    assert.deepEqual(first.problems, []);
    const later = store(dir, { workspace: '/work/a' }).store;
    assert.equal(await later.lookup('o200k_base', 'bytes', hashOf('a')), undefined, 'what was deleted is counted again');
    assert.deepEqual(await later.lookup('o200k_base', 'bytes', hashOf('b')), counted(2));
  });

  it('a temporary file left by a crash is never read, and is removed once stale', async () => {
    const dir = cacheDir();
    let now = Date.now();
    const { store: cache, problems } = store(dir, { now: () => now, maxSegmentsPerShard: 1 });
    cache.record('o200k_base', 'bytes', '0'.repeat(64), counted(1));
    await cache.flush();
    const shard = path.join(familyDir(dir, 'counts'), '0');
    writeFileSync(path.join(shard, '.tmp-crashed'), 'half a segm');
    assert.deepEqual(await store(dir).store.lookup('o200k_base', 'bytes', '0'.repeat(64)), counted(1));
    now += 2 * 60 * 60 * 1000;
    cache.record('o200k_base', 'bytes', '0'.repeat(63) + '1', counted(2));
    cache.record('o200k_base', 'bytes', '0'.repeat(63) + '2', counted(3));
    await cache.flush();
    assert.equal(existsSync(path.join(shard, '.tmp-crashed')), false);
    assert.deepEqual(problems, []);
  });

  it('keeps parses across processes, keyed by parsing code, content key and path; damaged parse segments are never trusted', async () => {
    const dir = cacheDir();
    const parsed: ParsedFile = {
      outcome: {
        kind: 'parsed',
        syntax: {
          language: 'typescript',
          imports: [
            { kind: 'es', specifier: './b' },
            { kind: 'python', level: 1, module: 'm', names: ['x', '*'] },
            { kind: 'java', name: 'a.B', wildcard: false, isStatic: true },
            { kind: 'include', path: 'x.h', system: true },
            { kind: 'rust-use', segments: ['crate', 'a'] },
          ],
          packageName: null,
          typeReferences: ['B'],
          outline: 'export function a(): string { ... }\n',
          hasErrors: false,
        },
      },
      signals: [{ kind: 'test', evidence: 'in a test folder' }],
    };
    const key = `bytes:${hashOf('content')}`;
    const first = store(dir, { parseCodeVersion: 'parse-v1' }).store;
    assert.equal(await first.lookupParse(key, 'src/a.ts'), undefined);
    first.recordParse(key, 'src/a.ts', parsed);
    first.recordParse(`text:${hashOf('other')}`, 'notes.md', {
      outcome: { kind: 'unsupported', reason: 'no parser for this file type' },
      signals: [],
    });
    await first.flush();

    const second = store(dir, { parseCodeVersion: 'parse-v1' }).store;
    const keptA = await second.lookupParse(key, 'src/a.ts');
    assert.equal(outlineHashOf(keptA), hashOf('export function a(): string { ... }\n'), "the outline's count key, without restoring it");
    assert.deepEqual(restored(keptA), parsed);
    assert.deepEqual(await second.lookupParse(`text:${hashOf('other')}`, 'notes.md'), {
      outcome: { kind: 'unsupported', reason: 'no parser for this file type' },
      signals: [],
    });
    assert.equal(await second.lookupParse(key, 'src/moved.ts'), undefined, 'another path: another grammar or other kind signals');
    assert.equal(await second.lookupParse(`text:${hashOf('content')}`, 'src/a.ts'), undefined, 'text and bytes are apart');
    assert.equal(await store(dir, { parseCodeVersion: 'parse-v2' }).store.lookupParse(key, 'src/a.ts'), undefined, 'new parsing code');
    const none = store(dir).store;
    assert.equal(none.parseCache(), undefined, 'no parsing code version: no parse cache');
    assert.equal(await none.lookupParse(key, 'src/a.ts'), undefined);

    // A long outline is stored compressed and comes back as it was.
    const longOutline = Array.from({ length: 400 }, (_, i) => `export function f${i}(a: number): number { ... } // ✓ ${i}\n`).join('');
    const long: ParsedFile = {
      outcome: {
        kind: 'parsed',
        syntax: { ...(parsed.outcome as Extract<ParsedFile['outcome'], { kind: 'parsed' }>).syntax, outline: longOutline },
      },
      signals: [],
    };
    const longDir = cacheDir();
    const longStore = store(longDir, { parseCodeVersion: 'parse-v1' }).store;
    longStore.recordParse(`bytes:${hashOf('long')}`, 'long.ts', long);
    await longStore.flush();
    const keptLong = await store(longDir, { parseCodeVersion: 'parse-v1' }).store.lookupParse(`bytes:${hashOf('long')}`, 'long.ts');
    assert.equal(outlineHashOf(keptLong), hashOf(longOutline));
    assert.deepEqual(restored(keptLong), long);
    const stored = segments(longDir).reduce((sum, segment) => sum + segment.bytes, 0);
    assert.ok(stored < longOutline.length / 3, `stored compressed: ${stored} bytes for a ${longOutline.length}-character outline`);

    // A stored outline that does not inflate, or inflates to another text than its hash names (a checksum
    // only guards against accidents), does not restore: never garbage (the tracker parses the file again).
    const { outline: _outline, ...longSyntax } = (long.outcome as Extract<ParsedFile['outcome'], { kind: 'parsed' }>).syntax;
    const bogus = (name: string, outline: DistributiveOmit<StoredOutline, 'sha256'>): StoredParse => ({
      scope: 'parse-v1',
      contentKey: `bytes:${hashOf(name)}`,
      path: `${name}.ts`,
      lastUsedMs: 1,
      outcome: { kind: 'parsed', syntax: longSyntax, outline: { sha256: hashOf(longOutline), ...outline } as StoredOutline },
      signals: [],
    });
    const notDeflate = bogus('not-deflate', { kind: 'deflated', bytes: keptBytes(new TextEncoder().encode('not deflate')) });
    const otherText = bogus('other-text', {
      kind: 'deflated',
      bytes: keptBytes(deflateRawSync(Buffer.from(longOutline.replace('f1(', 'g1(')))),
    });
    const otherRaw = bogus('other-raw', { kind: 'text', text: 'export function g(): void { ... }\n' });
    for (const entry of [notDeflate, otherText, otherRaw]) {
      const shard = path.join(familyDir(longDir, 'parses'), entry.contentKey.charAt('bytes:'.length));
      mkdirSync(shard, { recursive: true });
      writeFileSync(path.join(shard, `written-by-hand-${entry.path}.seg`), encodeSegment(parseCodec, [entry]));
      const kept = await store(longDir, { parseCodeVersion: 'parse-v1' }).store.lookupParse(entry.contentKey, entry.path);
      assert.ok(kept, entry.path);
      assert.equal(restored(kept), undefined, entry.path);
    }

    // A withheld outline (a file with a likely secret): its hash is kept, its text is not written anywhere.
    const secretOutline = "export const key = 'AKIAIOSFODNN7EXAMPLE';\n";
    const secretDir = cacheDir();
    const secretStore = store(secretDir, { parseCodeVersion: 'parse-v1' }).store;
    const withSecret: ParsedFile = {
      outcome: {
        kind: 'parsed',
        syntax: { ...(parsed.outcome as Extract<ParsedFile['outcome'], { kind: 'parsed' }>).syntax, outline: secretOutline },
      },
      signals: [],
    };
    secretStore.recordParse(`bytes:${hashOf('secret')}`, 'keys.ts', withSecret, { withholdOutlineText: true });
    await secretStore.flush();
    for (const segment of segments(secretDir)) assert.ok(!readFileSync(segment.file, 'latin1').includes('AKIA'), segment.file);
    const keptSecret = await store(secretDir, { parseCodeVersion: 'parse-v1' }).store.lookupParse(`bytes:${hashOf('secret')}`, 'keys.ts');
    assert.equal(outlineHashOf(keptSecret), hashOf(secretOutline));
    assert.equal(restored(keptSecret), undefined, 'no text to restore: the file is parsed again when its outline is needed');

    // An outline over the cap is not kept (parsed again when needed).
    const huge: ParsedFile = {
      outcome: {
        kind: 'parsed',
        syntax: {
          ...(parsed.outcome as Extract<ParsedFile['outcome'], { kind: 'parsed' }>).syntax,
          outline: 'x'.repeat(maxStoredOutlineChars + 1),
        },
      },
      signals: [],
    };
    second.recordParse(`bytes:${hashOf('huge')}`, 'big.ts', huge);
    await second.flush();
    assert.equal(await store(dir, { parseCodeVersion: 'parse-v1' }).store.lookupParse(`bytes:${hashOf('huge')}`, 'big.ts'), undefined);

    // Damage every parse segment: nothing from it is used, it is reported once, and the parse is simply missing.
    const parseSegments = segments(familyDir(dir, 'parses')).filter((segment) => segment.file.endsWith('.seg'));
    assert.ok(parseSegments.length > 0);
    for (const segment of parseSegments) writeFileSync(segment.file, readFileSync(segment.file).subarray(0, segment.bytes - 3));
    const damaged = store(dir, { parseCodeVersion: 'parse-v1' });
    assert.equal(await damaged.store.lookupParse(key, 'src/a.ts'), undefined);
    assert.equal(damaged.problems.length, 1, damaged.problems.join('\n'));
  });

  it("reads a parse segment's outline blob only when an outline is restored, and never trusts it blindly", async () => {
    // Two files with long outlines, kept compressed in the blob of one segment.
    const outlineOf = (name: string): string =>
      Array.from({ length: 80 }, (_, i) => `export function ${name}${i}(value: number): number { ... }\n`).join('');
    const parsedWith = (outline: string): ParsedFile => ({
      outcome: {
        kind: 'parsed',
        syntax: { language: 'typescript', imports: [], packageName: null, typeReferences: [], outline, hasErrors: false },
      },
      signals: [],
    });
    const dir = cacheDir();
    let now = 1_000_000;
    const options = { parseCodeVersion: 'parse-v1', now: () => now };
    const writer = store(dir, options).store;
    const keyOf = (name: string): string => `bytes:0${hashOf(name).slice(1)}`; // one shard, so one segment
    for (const name of ['a', 'b']) writer.recordParse(keyOf(name), `${name}.ts`, parsedWith(outlineOf(name)));
    await writer.flush();
    const [segment] = segments(familyDir(dir, 'parses'));
    assert.ok(segment);
    const original = readFileSync(segment.file);
    const blobStart = original.lastIndexOf(0x0a) + 1;
    assert.ok(blobStart > 0 && blobStart < original.length, 'the segment ends with a blob');

    // A damaged byte in the blob does not make the segment untrusted at load (the blob is not read
    // then): the outline it lies in fails its SHA-256 when restored, and is parsed again; the other restores.
    const damaged = Buffer.from(original);
    damaged[blobStart + 2]! ^= 0xff;
    writeFileSync(segment.file, damaged);
    const reader = store(dir, options);
    const keptA = await reader.store.lookupParse(keyOf('a'), 'a.ts');
    const keptB = await reader.store.lookupParse(keyOf('b'), 'b.ts');
    assert.deepEqual(reader.problems, [], 'nothing reported at load');
    assert.equal(outlineHashOf(keptA), hashOf(outlineOf('a')));
    // The blob holds the outlines in the order the entries were written: a's first, so the damage is in a's.
    assert.equal(restored(keptA), undefined, 'the damaged outline does not restore');
    assert.deepEqual(restored(keptB), parsedWith(outlineOf('b')), 'the intact one does');

    // A segment deleted after its shard was loaded (another process compacted it): restoring gives
    // undefined (the file is parsed again), never an exception.
    writeFileSync(segment.file, original);
    const early = store(dir, options).store;
    const keptEarly = await early.lookupParse(keyOf('a'), 'a.ts');
    rmSync(segment.file);
    assert.equal(restored(keptEarly), undefined);
    writeFileSync(segment.file, original);

    // Re-stamped after the touch interval, the entries are written again with their outlines, which
    // are read from the old segment's blob: a later process restores them intact.
    now += 2 * 60 * 60 * 1000;
    const toucher = store(dir, options).store;
    for (const name of ['a', 'b']) assert.ok(await toucher.lookupParse(keyOf(name), `${name}.ts`));
    await toucher.flush();
    assert.ok(segments(familyDir(dir, 'parses')).length >= 2, 'a second segment was written');
    rmSync(segment.file);
    const later = store(dir, options).store;
    for (const name of ['a', 'b']) {
      assert.deepEqual(restored(await later.lookupParse(keyOf(name), `${name}.ts`)), parsedWith(outlineOf(name)));
    }

    // The same re-stamp when the segment the outlines were in is gone before the write (merged away by
    // another process): the entries are written without outline text, and a later process parses those
    // files again instead of restoring anything wrong.
    now += 2 * 60 * 60 * 1000;
    const orphaned = store(dir, options);
    for (const name of ['a', 'b']) assert.ok(await orphaned.store.lookupParse(keyOf(name), `${name}.ts`));
    for (const file of segments(familyDir(dir, 'parses'))) rmSync(file.file);
    await orphaned.store.flush();
    assert.deepEqual(orphaned.problems, []);
    const afterOrphan = store(dir, options).store;
    for (const name of ['a', 'b']) {
      const kept = await afterOrphan.lookupParse(keyOf(name), `${name}.ts`);
      assert.equal(outlineHashOf(kept), hashOf(outlineOf(name)), 'the entry and its outline hash are kept');
      assert.equal(restored(kept), undefined, 'its text is not: the file is parsed again');
    }
  });

  it("removes an earlier format's folders once it has written, and on Clear", async () => {
    const dir = cacheDir();
    const earlier = ['counts-v1', 'paths-v1', 'parses-v1', 'counts-v2', 'paths-v2', 'parses-v2'].map((folder) =>
      path.join(dir, folder, '0'),
    );
    for (const folder of earlier) {
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'old.seg'), 'CBCACHE counts 1 00000000 0\n');
    }
    const reader = store(dir).store;
    assert.equal(await reader.lookup('o200k_base', 'bytes', hashOf('a')), undefined);
    await reader.flush();
    assert.ok(
      earlier.every((folder) => existsSync(folder)),
      'a run that wrote nothing leaves them',
    );
    reader.record('o200k_base', 'bytes', hashOf('a'), counted(3));
    await reader.flush();
    assert.deepEqual(
      readdirSync(dir).filter((name) => /-v[12]$/.test(name)),
      [],
      'gone once the current format was written',
    );
    for (const folder of earlier) mkdirSync(folder, { recursive: true });
    await store(dir).store.clear();
    assert.deepEqual(
      readdirSync(dir).filter((name) => /-v[12]$/.test(name)),
      [],
      'and Clear removes them',
    );
  });

  it('the parse codec refuses entries whose shape is wrong, even with a valid checksum', () => {
    const entry: StoredParse = {
      scope: 'parse-v1',
      contentKey: `bytes:${hashOf('a')}`,
      path: 'a.ts',
      lastUsedMs: 1,
      outcome: { kind: 'unsupported', reason: 'too large' },
      signals: [],
    };
    assert.deepEqual(decodeSegment(parseCodec, encodeSegment(parseCodec, [entry])), [entry]);
    const outline = [hashOf('x'), 'text', 'x'];
    // The body as changed, with 10 blob bytes after it.
    const tampered = (change: (body: { entries: unknown[][] }) => void): Uint8Array => {
      const body = parseCodec.encodeBody([entry], { add: () => [0, 0] }) as { scopes: string[]; entries: unknown[][] };
      change(body);
      const withBlob = (_entries: readonly StoredParse[], blob: SegmentBlobWriter): unknown => {
        blob.add(keptBytes(new Uint8Array(10)));
        return body;
      };
      return encodeSegment({ ...parseCodec, encodeBody: withBlob }, [entry]);
    };
    const withOutline = (encoded: unknown) => (body: { entries: unknown[][] }) =>
      (body.entries[0]![4] = [1, 'typescript', [], null, [], encoded, 0]);
    const bad: Array<[string, (body: { entries: unknown[][] }) => void]> = [
      ['bad content key', (body) => (body.entries[0]![1] = 'bytes:xyz')],
      ['bad import', (body) => (body.entries[0]![4] = [1, 'typescript', [{ kind: 'es', specifier: 7 }], null, [], outline, 0])],
      ['unknown language', (body) => (body.entries[0]![4] = [1, 'cobol', [], null, [], outline, 0])],
      ['bad outline hash', withOutline(['x', 'text', ''])],
      ['bad outline', withOutline([hashOf(''), 'gzip', ''])],
      ['bad outline', withOutline([hashOf(''), 'text', 7])],
      ['bad outline', withOutline('')],
      ['bad outline', withOutline([hashOf(''), 'withheld', 'text after all'])],
      ['bad outline', withOutline([hashOf(''), 'deflated', -1, 4])],
      ['outline bytes outside the segment', withOutline([hashOf(''), 'deflated', 4, 7])],
      ['outline bytes outside the segment', withOutline([hashOf(''), 'deflated', 0, 11])],
      ['bad kind signal', (body) => (body.entries[0]![5] = [['secret', 'x']])],
      ['bad parse outcome', (body) => (body.entries[0]![4] = [2])],
      ['not a parse', (body) => body.entries[0]!.push(0)],
    ];
    // A well-formed parsed outcome passes (so each case above fails for the reason it names).
    for (const good of [outline, [hashOf('x'), 'withheld'], [hashOf('x'), 'deflated', 3, 7], [hashOf('x'), 'deflated', 0, 10]]) {
      assert.equal(decodeSegment(parseCodec, tampered(withOutline(good))).length, 1, JSON.stringify(good));
    }
    for (const [message, change] of bad) assert.throws(() => decodeSegment(parseCodec, tampered(change)), new RegExp(message), message);
  });
});
