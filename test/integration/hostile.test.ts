// Hostile input through the extension host (issue 15): a FIFO named as the model file, and a folder
// holding a FIFO and a symbolic link out of the workspace. Nothing may block the extension host:
// each case must finish, say what it refused, and leave the budget working.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { get_encoding } from 'tiktoken';
import type { ContextBudgetApi } from '../../src/host/extension';

const oracle = get_encoding('o200k_base');

async function api(): Promise<ContextBudgetApi> {
  const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
  assert.ok(extension);
  return extension.activate();
}

/** Fails instead of hanging: a blocked extension host would never resolve `work`. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;
const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('contextBudget');

suite('hostile input in the extension host', () => {
  test('a FIFO as contextBudget.modelConfigPath is refused at once with a clear problem; the catalog model is used', async () => {
    const { session, settleContext, targetProblems } = await api();
    const fifo = path.join(root().fsPath, 'model-config.json');
    execFileSync('mkfifo', [fifo]);
    try {
      await configuration().update('modelConfigPath', fifo, vscode.ConfigurationTarget.Global);
      const started = Date.now();
      await within(
        10_000,
        'resolving a FIFO model file',
        (async () => {
          while (!targetProblems().some((problem) => problem.includes('model-config.json'))) {
            await settleContext();
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        })(),
      );
      const problem = targetProblems().find((entry) => entry.includes('model-config.json'))!;
      assert.match(problem, /FIFO \(named pipe\), not a regular file/);
      assert.match(problem, /Using the catalog model gpt-oss-20b instead\./);
      assert.ok(Date.now() - started < 10_000);
      assert.equal(session.report().model.id, 'gpt-oss-20b');
    } finally {
      await configuration().update('modelConfigPath', undefined, vscode.ConfigurationTarget.Global);
      fs.rmSync(fifo, { force: true });
    }
  });

  test('a folder with a FIFO and a link out of the workspace: both are listed as skipped with the reason; only the real file is counted', async () => {
    const { session, settle } = await api();
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-outside-'));
    const folder = vscode.Uri.joinPath(root(), 'hostile');
    fs.mkdirSync(folder.fsPath);
    const secretOutside = path.join(outside, 'shadow');
    fs.writeFileSync(secretOutside, 'root:$6$hash:19000:0:99999:7:::\n');
    const text = 'export const fine = "a real file";\n';
    fs.writeFileSync(path.join(folder.fsPath, 'real.ts'), text);
    execFileSync('mkfifo', [path.join(folder.fsPath, 'pipe.txt')]);
    fs.symlinkSync(secretOutside, path.join(folder.fsPath, 'escape.txt'));
    try {
      session.selection.clear();
      await within(
        20_000,
        'adding the folder',
        Promise.resolve(vscode.commands.executeCommand('contextBudget.addToContext', folder, [folder])),
      );
      await within(20_000, 'counting', settle());
      const report = session.report();
      assert.deepEqual(
        report.files.map((file) => [file.relativePath, file.status]),
        [['hostile/real.ts', 'counted']],
      );
      assert.equal(report.promptTokens, oracle.encode_ordinary(text).length);
      const skipped = new Map(report.skippedFiles.map((entry) => [entry.relativePath, entry]));
      assert.equal(skipped.get('hostile/pipe.txt')?.reason, 'notRegularFile');
      assert.equal(skipped.get('hostile/escape.txt')?.reason, 'symlinkOutside');
      assert.match(
        skipped.get('hostile/escape.txt')!.message,
        new RegExp(`outside the selected folder → ${fs.realpathSync(secretOutside).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not read`),
      );
    } finally {
      session.selection.clear();
      fs.rmSync(folder.fsPath, { recursive: true, force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
