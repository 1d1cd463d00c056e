// Runs inside the real extension host (code-server), started by bench/runHostBench.ts on a generated
// workspace: adds the whole workspace folder and measures the host's event-loop delay while counting.
import * as assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ContextBudgetApi } from '../../src/host/extension';

suite('extension host while a large folder is counted', function () {
  this.timeout(900_000);

  test('event-loop delay, time, files and bytes', async () => {
    const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
    assert.ok(extension);
    const api = await extension.activate();
    api.session.selection.clear();
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    // CB_BENCH_CPU_PROFILE=<file>: a CPU profile of the host over the count, to find what holds its thread.
    const profilePath = process.env['CB_BENCH_CPU_PROFILE'];
    const profiler = profilePath ? new Session() : undefined;
    const post = (method: string, params: object = {}): Promise<unknown> =>
      new Promise((resolve, reject) => profiler!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
    if (profiler) {
      profiler.connect();
      await post('Profiler.enable');
      await post('Profiler.start');
    }
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const started = performance.now();
    await vscode.commands.executeCommand('contextBudget.addToContext', folder, [folder]);
    await api.settle();
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    if (profiler) {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      writeFileSync(profilePath!, JSON.stringify(profile));
      profiler.disconnect();
    }
    const report = api.session.report();
    const ms = (nanoseconds: number): number => Math.round(nanoseconds / 1e4) / 100;
    const result = {
      files: report.counts.counted,
      skipped: report.counts.skipped,
      bytes: report.files.reduce(
        (sum, file) => sum + (file.status === 'counted' ? statSync(vscode.Uri.parse(file.uri).fsPath).size : 0),
        0,
      ),
      promptTokens: report.promptTokens,
      seconds: Math.round(seconds * 10) / 10,
      eventLoopDelayMs: { p50: ms(delay.percentile(50)), p90: ms(delay.percentile(90)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
      activateMs: Math.round(api.activationMs * 10) / 10,
    };
    console.log(`[host bench] ${JSON.stringify(result)}`);
    if (process.env['CB_BENCH_OUT']) writeFileSync(process.env['CB_BENCH_OUT'], JSON.stringify(result, null, 2));
    assert.ok(result.files > 0);
  });
});
