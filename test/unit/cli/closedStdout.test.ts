// The command line as a process: what it does when the reader of its output goes away early.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { countStoreFormatVersion } from '../../../src/core/cache/countStoreFormat';
import { workspaceCacheId } from '../../../src/node/diskCountStore';

const cli = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'main.js');
const dir = mkdtempSync(path.join(tmpdir(), 'cb-closed-stdout-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI process', () => {
  it('`| head`: a reader that closes the pipe early gets no stack trace, and the run still ends normally and keeps its counts', async () => {
    const tree = path.join(dir, 'tree');
    mkdirSync(tree);
    // Enough files for a --json report several times the size of a pipe's buffer (64 KiB on Linux).
    for (let i = 0; i < 600; i++) writeFileSync(path.join(tree, `file-${i}.ts`), `export const value${i} = ${i};\n`);
    const cache = path.join(dir, 'cache');
    const child = spawn(process.execPath, [cli, '.', '--json', '--cache-dir', cache], { cwd: tree, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const first = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8'))));
    // What `head -c` does once it has what it wanted.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.match(first, /^\{\n {2}"model": \{/);
    assert.equal(stderr, '', 'nothing on stderr: no unhandled EPIPE');
    assert.equal(code, 0, 'the exit status of a run within its limits');
    const kept = path.join(cache, `workspaces-v${countStoreFormatVersion}`, workspaceCacheId(realpathSync(tree)), 'counts');
    assert.ok(existsSync(kept) && readdirSync(kept).length > 0, 'the counts were written for the next run');
  });
});
