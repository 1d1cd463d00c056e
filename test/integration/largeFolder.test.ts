// A folder of 100,000 tiny files in the real extension host: the add stops at maxFiles and says so,
// counting moves in steps the host can observe (it is never blocked for the whole count), and it
// can be cancelled and recounted to exact totals.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { get_encoding } from 'tiktoken';
import type { ContextBudgetApi } from '../../src/host/extension';

const fileCount = 100_000;
const perFolder = 1000;
const textOf = (i: number): string => `export const value${i} = ${i * 7}; // file ${i}\n`;

async function api(): Promise<ContextBudgetApi> {
  const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
  assert.ok(extension);
  return extension.activate();
}

suite('a 100,000-file folder in the extension host', function () {
  this.timeout(600_000);
  let folder: string;

  suiteSetup(() => {
    // Outside the workspace: 100k creations would otherwise flood the file watcher before the test starts.
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-100k-'));
    for (let dir = 0; dir < fileCount / perFolder; dir++) {
      const sub = path.join(folder, `d${String(dir).padStart(3, '0')}`);
      fs.mkdirSync(sub);
      for (let i = 0; i < perFolder; i++) {
        fs.writeFileSync(path.join(sub, `f${String(i).padStart(4, '0')}.ts`), textOf(dir * perFolder + i));
      }
    }
  });

  suiteTeardown(async () => {
    const { session } = await api();
    session.selection.clear();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test('the add stops at maxFiles, progress is observed while counting, cancel leaves files pending, recount gives exact totals', async () => {
    const { session } = await api();
    session.selection.clear();
    const maxFiles = vscode.workspace.getConfiguration('contextBudget').get<number>('maxFiles')!;
    assert.equal(maxFiles, 20_000);
    const uri = vscode.Uri.file(folder);
    const seen = new Set<number>();
    let cancelled = false;
    const started = Date.now();
    const adding = vscode.commands.executeCommand('contextBudget.addToContext', uri, [uri]);
    // Polling from the extension host's own event loop: if counting blocked it, no intermediate state would be seen.
    while (!cancelled) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      const progress = session.progress;
      if (progress) seen.add(progress.done);
      if (progress && progress.done >= 3000) {
        await vscode.commands.executeCommand('contextBudget.cancelCounting');
        cancelled = true;
      }
    }
    console.log(`[100k folder] cancel requested after ${Date.now() - started} ms at ${[...seen].at(-1)} counted`);
    await adding;
    console.log(`[100k folder] add settled after ${Date.now() - started} ms`);
    assert.ok(seen.size >= 5, `saw ${seen.size} distinct progress states while counting`);
    assert.equal(session.selection.size, maxFiles, 'the folder add stops at contextBudget.maxFiles');
    assert.equal(session.progress, null, 'cancel stops counting');
    const afterCancel = session.report();
    assert.ok(afterCancel.counts.pending > 0, `${afterCancel.counts.pending} files left pending after cancel`);
    assert.ok(afterCancel.counts.counted >= 3000);

    const recountStart = Date.now();
    await vscode.commands.executeCommand('contextBudget.recount');
    await session.whenIdle();
    console.log(`[100k folder] recount of ${session.selection.size} files in ${Date.now() - recountStart} ms`);
    const report = session.report();
    assert.equal(report.counts.pending, 0);
    assert.equal(report.counts.counted, maxFiles);
    const oracle = get_encoding('o200k_base');
    let expected = 0;
    for (const file of report.files) expected += oracle.encode_ordinary(fs.readFileSync(vscode.Uri.parse(file.uri).fsPath, 'utf8')).length;
    oracle.free();
    assert.equal(report.promptTokens, expected);
  });
});
