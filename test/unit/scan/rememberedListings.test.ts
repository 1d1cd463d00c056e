import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NodeWorkspaceFs } from '../../../src/node/nodeWorkspaceFs';

test('a CLI run lists a folder once: a second listing is the first, while the default fs lists again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cb-listings-'));
  try {
    writeFileSync(join(dir, 'a.ts'), 'a');
    const snapshot = new NodeWorkspaceFs({ synchronous: true, rememberListings: true });
    const live = new NodeWorkspaceFs();
    assert.deepEqual(await snapshot.readDirectory(dir), [['a.ts', 'file']]);
    assert.deepEqual(await live.readDirectory(dir), [['a.ts', 'file']]);
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    assert.deepEqual(await snapshot.readDirectory(dir), [['a.ts', 'file']]);
    assert.deepEqual(
      [...(await live.readDirectory(dir))].sort(([a], [b]) => a.localeCompare(b)),
      [
        ['a.ts', 'file'],
        ['tsconfig.json', 'file'],
      ],
    );
    // A folder that cannot be listed is not remembered as empty: it fails each time.
    await assert.rejects(snapshot.readDirectory(join(dir, 'missing')), /ENOENT/);
    await assert.rejects(snapshot.readDirectory(join(dir, 'missing')), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
