// Runs inside the real extension host (code-server), started by bench/runHostBench.ts: how long
// activate() took, synchronously, as the extension measured it (ContextBudgetApi.activationMs), and
// how long until its first render (status bar, tree, badges) was done.
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ContextBudgetApi } from '../../src/host/extension';

suite('activation in the extension host', () => {
  test('activate() time', async () => {
    const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
    assert.ok(extension);
    const api = await extension.activate();
    await api.settle();
    const result = {
      activateMs: Math.round(api.activationMs * 10) / 10,
      firstRenderMs: Math.round((api.firstRenderMs() ?? NaN) * 10) / 10,
    };
    console.log(`[host bench] ${JSON.stringify(result)}`);
    if (process.env['CB_BENCH_OUT']) writeFileSync(process.env['CB_BENCH_OUT'], JSON.stringify(result, null, 2));
  });
});
