// Reload test, second launch: a new extension host on the same workspace and global storage gets
// every count back from the persistent cache without tokenizing anything.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { get_encoding } from 'tiktoken';
import { addWorkspaceFolder, contextBudget } from '../reloadSupport';

const oracle = get_encoding('o200k_base');

suite('reload, second launch', () => {
  test('counts come back from the persistent cache: nothing is tokenized, every count equals the oracle', async () => {
    const api = await contextBudget();
    await api.settle();
    // A desktop window reload restores the selection from the workspace state. In code-server that
    // state lives in the browser profile, which the harness makes fresh per launch; then the
    // folder is added again, which takes the same path (stat, change stamp, cache lookup).
    const restored = api.session.selection.size > 0;
    if (!restored) await addWorkspaceFolder(api);
    console.log(
      `[reload] selection ${restored ? 'restored from the workspace state' : 'added again (workspace state not kept by this host)'}`,
    );
    const report = api.session.report();
    assert.ok(report.counts.counted >= 3, `${report.counts.counted} files counted`);
    const stats = api.countStats();
    assert.equal(stats.tokenizations, 0, `tokenized ${stats.tokenizations} file(s)`);
    assert.equal(stats.persistentHits, report.counts.counted);
    let total = 0;
    for (const file of report.files) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(file.uri)));
      assert.equal(file.tokens, oracle.encode_ordinary(text).length, file.relativePath);
      total += file.tokens ?? 0;
    }
    assert.equal(report.promptTokens, total);
  });
});
