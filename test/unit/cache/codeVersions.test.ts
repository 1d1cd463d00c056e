import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { codeVersionMemoName, countingCodeVersion, parsingCodeVersion } from '../../../src/node/codeVersions';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const sha16 = (...parts: Array<string | Buffer>): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
};

describe('code versions of the count cache', () => {
  it('are the hashes of the worker and grammars; remembered by their stamps, hashed again when one changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-code-versions-'));
    const worker = path.join(dir, 'tokenizerWorker.js');
    const syntaxWorker = path.join(dir, 'syntaxWorker.js');
    const wasmDir = path.join(dir, 'tree-sitter');
    mkdirSync(wasmDir);
    writeFileSync(worker, 'counting code v1');
    writeFileSync(syntaxWorker, 'parsing code v1');
    writeFileSync(path.join(wasmDir, 'b.wasm'), 'grammar b');
    writeFileSync(path.join(wasmDir, 'a.wasm'), 'grammar a');
    writeFileSync(path.join(wasmDir, 'notes.txt'), 'not a grammar');
    const memoDir = path.join(dir, 'cache');
    const memoFile = path.join(memoDir, codeVersionMemoName);
    const counting = sha16('counting code v1');
    const parsing = sha16('parsing code v1', 'a.wasm', 'grammar a', 'b.wasm', 'grammar b');

    // Files changed less than 2 s ago are hashed but not remembered (a second write could keep their stamp).
    assert.equal(await countingCodeVersion(worker, memoDir), counting);
    assert.equal(existsSync(memoFile), false);
    await sleep(2100);
    assert.equal(await countingCodeVersion(worker), counting, 'without a memo folder: hashed');
    assert.equal(await countingCodeVersion(worker, memoDir), counting);
    assert.equal(await parsingCodeVersion(syntaxWorker, wasmDir, memoDir), parsing);
    const memo = JSON.parse(readFileSync(memoFile, 'utf8')) as Record<string, { stamps: string[]; version: string }>;
    assert.deepEqual(Object.keys(memo).sort(), ['counting', 'parsing']);
    assert.equal(memo['parsing']!.stamps.length, 3, 'the worker and the two grammars');

    // Remembered: with the stamps unchanged the memo's version is taken as it is (here one planted to tell).
    const planted = 'feedfacefeedface';
    writeFileSync(memoFile, JSON.stringify({ ...memo, counting: { ...memo['counting'], version: planted } }));
    assert.equal(await countingCodeVersion(worker, memoDir), planted);
    assert.equal(await parsingCodeVersion(syntaxWorker, wasmDir, memoDir), parsing);

    // A new build: the stamp moves and the version is the new content's.
    writeFileSync(worker, 'counting code v2');
    assert.equal(await countingCodeVersion(worker, memoDir), sha16('counting code v2'));
    // A grammar added: hashed again.
    writeFileSync(path.join(wasmDir, 'c.wasm'), 'grammar c');
    assert.equal(
      await parsingCodeVersion(syntaxWorker, wasmDir, memoDir),
      sha16('parsing code v1', 'a.wasm', 'grammar a', 'b.wasm', 'grammar b', 'c.wasm', 'grammar c'),
    );

    // A damaged memo is ignored (and replaced), never an error; a missing worker is an error, as without a memo.
    writeFileSync(memoFile, '{"counting": {"stamps": 7, "version": "x"}');
    await sleep(2100);
    assert.equal(await countingCodeVersion(worker, memoDir), sha16('counting code v2'));
    assert.equal(JSON.parse(readFileSync(memoFile, 'utf8')).counting.version, sha16('counting code v2'));
    await assert.rejects(countingCodeVersion(path.join(dir, 'gone.js'), memoDir), /ENOENT/);
  });
});
