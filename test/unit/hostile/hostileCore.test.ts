// The core scanner + ContextCounter (the path the extension takes) over hostile inputs that a real
// disk produces only by bad luck or permissions: files vanishing mid-scan, EACCES, undecodable names.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { ContextCounter } from '../../../src/core/scan/contextCounter';
import { scanTree } from '../../../src/core/scan/scanner';
import type { ScanOptions } from '../../../src/core/scan/scanner';
import type { WorkspaceFs } from '../../../src/core/scan/workspaceFs';
import { NodeWorkspaceFs } from '../../../src/node/nodeWorkspaceFs';
import { TokenizerPool } from '../../../src/node/tokenizerPool';
import { chmodDeniesAccess, HostileFs } from '../../hostile/hostileWorkspace';
import { getOracle } from '../tokenizer/oracleSupport';

const workerScript = path.join(__dirname, '..', '..', '..', 'src', 'worker', 'tokenizerWorker.js');
const options: ScanOptions = { excludeGlobs: [], respectGitignore: true, maxFileBytes: 2 * 1024 * 1024, maxFiles: 20000 };
const oracleCount = (text: string): number => getOracle('o200k_base').encode_ordinary(text).length;

/** Scans and counts like the extension does; returns per-path outcomes and the counted total. */
async function scanAndCount(
  fs: WorkspaceFs,
  root: string,
  pool: TokenizerPool,
): Promise<{ counted: Map<string, number>; skipped: Map<string, { reason: string; message: string }>; total: number }> {
  const scan = await scanTree(fs, root, options);
  const counts = await new ContextCounter(fs, pool).countFiles(scan.files, 'o200k_base');
  const counted = new Map<string, number>();
  const skipped = new Map<string, { reason: string; message: string }>(
    scan.skipped.map((s) => [s.relativePath, { reason: s.reason, message: s.message }]),
  );
  let total = 0;
  for (const file of scan.files) {
    const count = counts.get(file.location);
    assert.ok(count, `${file.relativePath} has an outcome`);
    if (count.kind === 'counted') {
      counted.set(file.relativePath, count.tokens);
      total += count.tokens;
    } else {
      skipped.set(file.relativePath, { reason: count.reason, message: count.message });
    }
  }
  return { counted, skipped, total };
}

function tempWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'cb-hostile-core-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('hostile workspace through the core scanner and ContextCounter', { timeout: 120_000 }, () => {
  const pool = new TokenizerPool({ workerScript, size: 1 });
  const roots: string[] = [];
  after(async () => {
    await pool.dispose();
    for (const root of roots) {
      try {
        chmodSync(path.join(root, 'locked'), 0o755);
      } catch {
        // not created in this workspace
      }
      rmSync(root, { recursive: true, force: true });
    }
  });

  const texts = {
    'a.txt': 'stays\n',
    'gone-at-read.txt': 'deleted after listing, before reading\n',
    'gone-at-stat.txt': 'deleted right after listing\n',
    'locked/inside.txt': 'behind EACCES\n',
    'sealed.txt': 'cannot be opened\n',
    'sub/b.txt': 'sibling of the locked folder\n',
  };

  it('files vanishing between listing and stat, or between stat and reading, are reported as vanished; the total is the rest', async () => {
    const root = tempWorkspace(texts);
    roots.push(root);
    const fs = new HostileFs(new NodeWorkspaceFs());
    fs.vanishOnStat.add(path.join(root, 'gone-at-stat.txt'));
    fs.vanishOnRead.add(path.join(root, 'gone-at-read.txt'));
    const { counted, skipped, total } = await scanAndCount(fs, root, pool);
    assert.deepEqual(skipped.get('gone-at-stat.txt'), { reason: 'vanished', message: 'file disappeared before it could be read' });
    assert.deepEqual(skipped.get('gone-at-read.txt'), { reason: 'vanished', message: 'file disappeared before it could be read' });
    const expected = ['a.txt', 'locked/inside.txt', 'sealed.txt', 'sub/b.txt'];
    assert.deepEqual([...counted.keys()].sort(), expected);
    assert.equal(
      total,
      expected.reduce((sum, rel) => sum + oracleCount(texts[rel as keyof typeof texts]), 0),
    );
  });

  it('an unlistable folder and an unreadable file (EACCES from a WorkspaceFs wrapper, so it also holds as root) are reported; siblings counted', async () => {
    const root = tempWorkspace(texts);
    roots.push(root);
    const fs = new HostileFs(new NodeWorkspaceFs());
    fs.denyListing.add(path.join(root, 'locked'));
    fs.denyReading.add(path.join(root, 'sealed.txt'));
    const { counted, skipped, total } = await scanAndCount(fs, root, pool);
    assert.equal(skipped.get('locked/')?.reason, 'unreadable');
    assert.match(skipped.get('locked/')!.message, /^folder could not be listed: EACCES: permission denied, scandir/);
    assert.equal(skipped.get('sealed.txt')?.reason, 'unreadable');
    assert.match(skipped.get('sealed.txt')!.message, /^could not be read: EACCES: permission denied, open/);
    const expected = ['a.txt', 'gone-at-read.txt', 'gone-at-stat.txt', 'sub/b.txt'];
    assert.deepEqual([...counted.keys()].sort(), expected);
    assert.equal(
      total,
      expected.reduce((sum, rel) => sum + oracleCount(texts[rel as keyof typeof texts]), 0),
    );
  });

  it(
    'a chmod 000 folder is reported as unlistable (real permissions; skipped when running as root, where chmod does not deny)',
    { skip: chmodDeniesAccess() ? false : 'running as root: chmod 000 does not deny; the EACCES wrapper test covers this' },
    async () => {
      const root = tempWorkspace(texts);
      roots.push(root);
      chmodSync(path.join(root, 'locked'), 0o000);
      const { counted, skipped } = await scanAndCount(new NodeWorkspaceFs(), root, pool);
      assert.equal(skipped.get('locked/')?.reason, 'unreadable');
      assert.match(skipped.get('locked/')!.message, /EACCES/);
      assert.ok(counted.has('sub/b.txt'));
    },
  );

  it('names that are not valid UTF-8 are reported as such, not as vanished, and do not hide their folder', async () => {
    const root = tempWorkspace({ 'dir/ok.txt': 'a normal neighbour\n', 'dir/target.txt': 'link target\n' });
    roots.push(root);
    const dir = Buffer.from(path.join(root, 'dir') + '/');
    writeFileSync(Buffer.concat([dir, Buffer.from([0x66, 0xff, 0x2e, 0x74, 0x78, 0x74])]), 'undecodable name\n');
    // A symlink with such a name used to fail the listing of the whole folder (lstat ENOENT).
    symlinkSync('target.txt', Buffer.concat([dir, Buffer.from([0x6c, 0xfe])]));
    mkdirSync(Buffer.concat([dir, Buffer.from([0x64, 0xc3])]));
    const { counted, skipped } = await scanAndCount(new NodeWorkspaceFs(), root, pool);
    assert.deepEqual([...counted.keys()].sort(), ['dir/ok.txt', 'dir/target.txt']);
    assert.deepEqual(skipped.get('dir/f\uFFFD.txt'), {
      reason: 'unreadable',
      message: 'could not be read: EILSEQ: the name is not valid UTF-8 (shown with U+FFFD), so it cannot be opened by name',
    });
    assert.deepEqual(skipped.get('dir/l\uFFFD'), {
      reason: 'unreadable',
      message: 'could not be read: EILSEQ: the name is not valid UTF-8 (shown with U+FFFD), so it cannot be opened by name',
    });
    assert.deepEqual(skipped.get('dir/d\uFFFD/'), {
      reason: 'unreadable',
      message: 'folder could not be listed: EILSEQ: the name is not valid UTF-8 (shown with U+FFFD), so it cannot be opened by name',
    });
  });

  it('a file whose name really contains U+FFFD and then vanishes is still reported as vanished', async () => {
    const root = tempWorkspace({ 'real\uFFFDname.txt': 'valid UTF-8 name with a replacement character\n' });
    roots.push(root);
    const fs = new HostileFs(new NodeWorkspaceFs());
    fs.vanishOnStat.add(path.join(root, 'real\uFFFDname.txt'));
    const { skipped } = await scanAndCount(fs, root, pool);
    assert.equal(skipped.get('real\uFFFDname.txt')?.reason, 'vanished');
  });
});
