// Reads that must never hang, never read without bound and never leave the selected folder (issue 15,
// items 1, 2, 6 and 9): FIFOs and devices (also when swapped in after the scan), /proc pseudo-files,
// files that grow after the scan, and symbolic links out of the selected folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../../../src/cli/main';
import { ContextCounter } from '../../../src/core/scan/contextCounter';
import { scanTree, statCandidate } from '../../../src/core/scan/scanner';
import type { ScanOptions } from '../../../src/core/scan/scanner';
import type { SkippedEntry } from '../../../src/core/scan/workspaceFs';
import { NodeWorkspaceFs } from '../../../src/node/nodeWorkspaceFs';
import { readRegularFile, readRegularFileSync } from '../../../src/node/regularFile';
import { TokenizerPool } from '../../../src/node/tokenizerPool';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';
import { HostileFs } from '../../hostile/hostileWorkspace';
import { getOracle } from '../tokenizer/oracleSupport';

const workerScript = path.join(__dirname, '..', '..', '..', 'src', 'worker', 'tokenizerWorker.js');
const options: ScanOptions = { excludeGlobs: [], respectGitignore: true, maxFileBytes: 4096, maxFiles: 100 };
const oracleCount = (text: string): number => getOracle('o200k_base').encode_ordinary(text).length;
// A hang guard, not a speed target: the old code blocked forever on each of these.
const hangGuard = { timeout: 20_000 };

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-hostile-reads-'));
  roots.push(dir);
  return dir;
}
function mkfifo(location: string): void {
  const made = spawnSync('mkfifo', [location]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr?.toString() ?? made.error?.message ?? ''}`);
}

// The extension reads with the promise-based calls, the CLI with the synchronous ones: both must refuse the same way.
const readers = [
  { name: 'promise-based', read: readRegularFile, fs: () => new NodeWorkspaceFs() },
  {
    name: 'synchronous (CLI)',
    read: async (location: string, maxBytes: number) => readRegularFileSync(location, maxBytes),
    fs: () => new NodeWorkspaceFs({ synchronous: true }),
  },
];

for (const { name: readerName, read: readRegularFile, fs: nodeFs } of readers) {
  describe(`bounded reads, ${readerName}: FIFOs, devices, pseudo-files and growing files`, () => {
    it('a FIFO is refused without blocking, by path and through a symlink', hangGuard, async () => {
      const dir = tempDir();
      mkfifo(path.join(dir, 'pipe'));
      symlinkSync('pipe', path.join(dir, 'pipe.json'));
      for (const name of ['pipe', 'pipe.json']) {
        await assert.rejects(nodeFs().readFile(path.join(dir, name)), {
          name: 'ReadRefusedError',
          reason: 'notRegularFile',
          message: 'a FIFO (named pipe), not a regular file: not opened for reading',
        });
      }
    });

    it('/dev/zero and a link to it are refused before anything is read', hangGuard, async () => {
      const dir = tempDir();
      symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
      for (const location of ['/dev/zero', path.join(dir, 'zero.json')]) {
        await assert.rejects(readRegularFile(location, 1 << 20), {
          reason: 'notRegularFile',
          message: /^a character device \(like \/dev\/zero\), not a regular file/,
        });
      }
    });

    it(
      'zero-size /proc pseudo-files (/proc/kmsg streams without end) are refused, naming the file system',
      { ...hangGuard, skip: existsSync('/proc/self/status') ? false : 'no /proc here' },
      async () => {
        await assert.rejects(readRegularFile('/proc/self/status', 1 << 20), {
          reason: 'notRegularFile',
          message: /^a proc pseudo-file \(size 0, content generated as it is read/,
        });
        if (existsSync('/proc/kmsg')) await assert.rejects(readRegularFile('/proc/kmsg', 1 << 20), { name: /ReadRefusedError|Error/ });
      },
    );

    it('the read stops at maxBytes: a file larger than the cap is refused before allocation, an empty file reads as empty', async () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'big.txt'), Buffer.alloc(10_000, 0x61));
      writeFileSync(path.join(dir, 'empty.txt'), '');
      await assert.rejects(readRegularFile(path.join(dir, 'big.txt'), 4096), {
        reason: 'tooLarge',
        message: '9.77 KiB is larger than the 4.00 KiB limit',
      });
      assert.equal((await readRegularFile(path.join(dir, 'big.txt'), 10_000)).byteLength, 10_000);
      assert.equal((await readRegularFile(path.join(dir, 'empty.txt'), 4096)).byteLength, 0);
    });
  });
}

describe('the counter after the scan: swapped and growing files', () => {
  const pool = new TokenizerPool({ workerScript, size: 1 });
  after(async () => {
    await pool.dispose();
  });

  it(
    'a file swapped for a FIFO between scan and read is skipped as not a regular file; its sibling is counted exactly',
    hangGuard,
    async () => {
      const dir = tempDir();
      writeFileSync(path.join(dir, 'a.txt'), 'stays a file\n');
      writeFileSync(path.join(dir, 'b.txt'), 'becomes a FIFO after the scan\n');
      const fs = new HostileFs(new NodeWorkspaceFs());
      const scan = await scanTree(fs, dir, options);
      assert.deepEqual(
        scan.files.map((file) => file.relativePath),
        ['a.txt', 'b.txt'],
      );
      fs.fifoOnRead.add(path.join(dir, 'b.txt'));
      const counts = await new ContextCounter(fs, pool).countFiles(scan.files, 'o200k_base');
      assert.deepEqual(counts.get(path.join(dir, 'b.txt')), {
        kind: 'skipped',
        reason: 'notRegularFile',
        message: 'a FIFO (named pipe), not a regular file: not opened for reading',
      });
      assert.deepEqual(counts.get(path.join(dir, 'a.txt')), {
        kind: 'counted',
        tokens: oracleCount('stays a file\n'),
        sizeBytes: 13,
        contentKey: `bytes:${createHash('sha256').update('stays a file\n').digest('hex')}`,
        notes: [],
        secrets: [],
      });
    },
  );

  it('a file that grows past maxFileBytes after the scan is skipped as too large, not counted past the limit', hangGuard, async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'log.txt'), 'small at scan time\n');
    const fs = new HostileFs(new NodeWorkspaceFs());
    const scan = await scanTree(fs, dir, options);
    assert.equal(scan.files[0]?.maxBytes, 4096);
    fs.growOnRead.set(path.join(dir, 'log.txt'), 60_000);
    const counts = await new ContextCounter(fs, pool).countFiles(scan.files, 'o200k_base');
    assert.deepEqual(counts.get(path.join(dir, 'log.txt')), {
      kind: 'skipped',
      reason: 'tooLarge',
      message: 'grew after it was listed: 58.6 KiB is larger than the 4.00 KiB limit',
    });
  });

  it('the same through a port that ignores maxBytes: the counter itself refuses the extra bytes', async () => {
    const fs = new InMemoryWorkspaceFs().file('/grows.txt', 'tiny');
    const scan = await scanTree(fs, '/', options);
    fs.rewrite('/grows.txt', 'x'.repeat(5000));
    const ignoring = {
      ...fs,
      readFile: (location: string) => fs.readFile(location),
      stat: fs.stat.bind(fs),
      readDirectory: fs.readDirectory.bind(fs),
      join: fs.join.bind(fs),
    };
    const counts = await new ContextCounter(ignoring, pool).countFiles(scan.files, 'o200k_base');
    assert.deepEqual(counts.get('/grows.txt'), {
      kind: 'skipped',
      reason: 'tooLarge',
      message: 'grew after it was listed: 4.88 KiB is larger than the 4.00 KiB limit',
    });
  });
});

describe('symbolic links out of the selected folder', () => {
  it('inside a scanned folder: a link to a file outside is skipped naming its target and never read; a link inside is counted and flagged', async () => {
    const base = tempDir();
    const root = path.join(base, 'ws');
    mkdirSync(path.join(root, 'sub'), { recursive: true });
    writeFileSync(path.join(base, 'shadow'), 'root:$6$secret:19000:0:99999:7:::\n');
    writeFileSync(path.join(root, 'sub', 'real.txt'), 'inside\n');
    symlinkSync(path.join(base, 'shadow'), path.join(root, 'shadow-link'));
    symlinkSync('sub/real.txt', path.join(root, 'inside-link.txt'));
    symlinkSync('../../shadow', path.join(root, 'sub', 'relative-escape'));
    const fs = new HostileFs(new NodeWorkspaceFs());
    fs.denyReading.add(path.join(root, 'shadow-link'));
    fs.denyReading.add(path.join(root, 'sub', 'relative-escape'));
    const scan = await scanTree(fs, root, options);
    const target = path.join(realpathSync(base), 'shadow');
    assert.deepEqual(scan.skipped, [
      {
        relativePath: 'shadow-link',
        location: path.join(root, 'shadow-link'),
        reason: 'symlinkOutside',
        message: `symbolic link to a file outside the selected folder → ${target}: not read`,
        linkTarget: target,
      },
      {
        relativePath: 'sub/relative-escape',
        location: path.join(root, 'sub', 'relative-escape'),
        reason: 'symlinkOutside',
        message: `symbolic link to a file outside the selected folder → ${target}: not read`,
        linkTarget: target,
      },
    ]);
    assert.deepEqual(
      scan.files.map((file) => [file.relativePath, file.symlink?.target ?? null]),
      [
        ['inside-link.txt', path.join(realpathSync(root), 'sub', 'real.txt')],
        ['sub/real.txt', null],
      ],
    );
  });

  it('the CLI flags a counted link with its target (text: "link"; JSON: files[].symlink) and lists the one out of the folder as skipped', async () => {
    const base = tempDir();
    const root = path.join(base, 'ws');
    mkdirSync(root);
    writeFileSync(path.join(base, 'outside.txt'), 'private\n');
    writeFileSync(path.join(root, 'real.txt'), 'inside words here\n');
    symlinkSync('real.txt', path.join(root, 'alias.txt'));
    symlinkSync(path.join(base, 'outside.txt'), path.join(root, 'escape.txt'));
    let out = '';
    const code = await runCli(['ws', '--json'], { out: (text) => (out += text), err: () => undefined, cwd: base });
    assert.equal(code, 0);
    const json = JSON.parse(out) as {
      files: Array<{ path: string; symlink: { target: string | null } | null }>;
      skipped: Array<{ path: string; reason: string }>;
    };
    assert.deepEqual(
      json.files.map((file) => [file.path, file.symlink]),
      [
        ['ws/alias.txt', { target: path.join(realpathSync(root), 'real.txt') }],
        ['ws/real.txt', null],
      ],
    );
    assert.deepEqual(
      json.skipped.map((entry) => [entry.path, entry.reason]),
      [['ws/escape.txt', 'symlinkOutside']],
    );
    let text = '';
    await runCli(['ws'], { out: (line) => (text += line), err: () => undefined, cwd: base });
    assert.match(text, /ws\/alias\.txt\s+\d+\s+\S+%\s+link/);
  });

  it('a scan root reached through a link: links inside the real folder still count as inside', async () => {
    const base = tempDir();
    mkdirSync(path.join(base, 'real'));
    writeFileSync(path.join(base, 'real', 'a.txt'), 'a\n');
    symlinkSync('a.txt', path.join(base, 'real', 'b.txt'));
    symlinkSync('real', path.join(base, 'alias'));
    const scan = await scanTree(new NodeWorkspaceFs(), path.join(base, 'alias'), options);
    assert.deepEqual(
      scan.files.map((file) => file.relativePath),
      ['a.txt', 'b.txt'],
    );
    assert.deepEqual(scan.skipped, []);
  });

  it('a file named on its own that is a link is followed and flagged with its target', async () => {
    const base = tempDir();
    writeFileSync(path.join(base, 'target.txt'), 'named directly\n');
    symlinkSync(path.join(base, 'target.txt'), path.join(base, 'named-link.txt'));
    const skipped: SkippedEntry[] = [];
    const file = await statCandidate(
      new NodeWorkspaceFs(),
      path.join(base, 'named-link.txt'),
      'named-link.txt',
      { maxFileBytes: 4096 },
      skipped,
    );
    assert.deepEqual(skipped, []);
    assert.deepEqual(file?.symlink, { target: path.join(realpathSync(base), 'target.txt') });
  });

  it('a port that cannot resolve links (virtual workspaces): a symlinked file is skipped, saying the target cannot be resolved', async () => {
    const fs = new InMemoryWorkspaceFs().file('/ws/a.txt', 'a').symlink('/ws/link.txt', '/ws/a.txt');
    const blind = {
      readDirectory: fs.readDirectory.bind(fs),
      readFile: fs.readFile.bind(fs),
      join: fs.join.bind(fs),
      stat: async (location: string) => {
        const { realLocation: _ignored, ...rest } = await fs.stat(location);
        return rest;
      },
    };
    const scan = await scanTree(blind, '/ws', options);
    assert.deepEqual(
      scan.files.map((file) => file.relativePath),
      ['a.txt'],
    );
    assert.deepEqual(scan.skipped, [
      {
        relativePath: 'link.txt',
        location: '/ws/link.txt',
        reason: 'symlinkOutside',
        message: 'symbolic link to a file outside the selected folder → a target this file system cannot resolve: not read',
      },
    ]);
  });
});
