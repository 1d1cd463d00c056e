// Outline mode, context sets and changed files in the real extension host: a file in outline mode
// counts its outline exactly and exports it; saved sets (workspace and .context-budget.json) come back
// with modes, focus, pins and order; Add Changed Files reads a real git repository through VS Code's
// git extension.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { get_encoding } from 'tiktoken';
import { parseContextSetFile } from '../../src/core/sets/contextSets';
import { fileStateOf } from '../../src/core/selection/selection';
import type { ContextBudgetApi } from '../../src/host/extension';
import type { ExportResult } from '../../src/host/exportFlow';

const oracle = get_encoding('o200k_base');
const oracleCount = (text: string): number => oracle.encode_ordinary(text).length;

async function api(): Promise<ContextBudgetApi> {
  const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
  assert.ok(extension);
  return extension.activate();
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;
const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('contextBudget');
const greeting = (): string => vscode.Uri.joinPath(root(), 'src', 'greeting.js').toString();
const notes = (): string => vscode.Uri.joinPath(root(), 'src', 'notes.md').toString();
/** What a tree row action receives. */
const node = (uri: string): { id: string; fileUris: string[] } => ({ id: uri, fileUris: [uri] });

async function selectSrc(): Promise<void> {
  const { session, settle } = await api();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  session.selection.clear();
  await vscode.commands.executeCommand('contextBudget.addToContext', vscode.Uri.joinPath(root(), 'src'), [
    vscode.Uri.joinPath(root(), 'src'),
  ]);
  await settle();
}

suite('outline mode, context sets and changed files in the extension host', function () {
  this.timeout(120_000);
  setup(selectSrc);

  test('Use Outline: the file counts as its outline, exactly (o200k_base), and Use Full Text brings the full count back', async () => {
    const { session, settle } = await api();
    const full = session.report().files.find((file) => file.uri === greeting())!.tokens!;
    await vscode.commands.executeCommand('contextBudget.useOutline', node(greeting()));
    await settle();
    const outline = (await session.exportText(greeting()))!;
    assert.equal(
      outline,
      '// Not TypeScript on purpose: the repo tsconfig compiles test/**/*.ts.\nfunction greeting(name) { ... }\nmodule.exports = { greeting };\n',
    );
    const row = session.report().files.find((file) => file.uri === greeting())!;
    assert.equal(row.mode, 'outline');
    assert.equal(row.tokens, oracleCount(outline));
    assert.ok(row.tokens! < full);
    assert.equal(
      session.report().promptTokens,
      oracleCount(outline) + session.report().files.find((file) => file.uri === notes())!.tokens!,
    );
    await vscode.commands.executeCommand('contextBudget.useFullText', node(greeting()));
    await settle();
    assert.equal(session.report().files.find((file) => file.uri === greeting())!.tokens, full);
  });

  test('export writes the outline, and the exported text counts exactly what the budget showed (xml framing)', async () => {
    const { session, settle } = await api();
    try {
      await configuration().update('exportFraming', 'xml', vscode.ConfigurationTarget.Global);
      await until(() => session.currentSettings.exportFraming === 'xml', 'the framing setting');
      session.selection.setState([greeting()], 'outline');
      await settle();
      const target = vscode.Uri.file(path.join(os.tmpdir(), `cb-outline-export-${process.pid}.xml`));
      const result = (await vscode.commands.executeCommand<ExportResult>('contextBudget.saveContext', {
        secrets: 'include',
        target: target.toString(),
      }))!;
      assert.equal(fs.readFileSync(target.fsPath, 'utf8'), result.text);
      fs.rmSync(target.fsPath);
      assert.ok(result.text.includes('function greeting(name) { ... }'));
      assert.ok(!result.text.includes('Hello, ${name}!'), 'the body is not exported');
      assert.equal(result.totalTokens, oracleCount(result.text));
      assert.equal(result.budgetedTokens, result.totalTokens, 'budget == exported');
      assert.equal(session.report().promptTokens, oracleCount(result.text));
    } finally {
      await configuration().update('exportFraming', undefined, vscode.ConfigurationTarget.Global);
      await until(() => session.currentSettings.exportFraming === 'none', 'settings restored');
    }
  });

  test('saved sets round trip: in the workspace and through .context-budget.json, with modes, focus, pins and order', async () => {
    const { session, settle } = await api();
    const selection = session.selection;
    selection.setState([greeting()], 'outline');
    selection.setFocus([notes()], true);
    selection.setPinned([greeting()], true);
    selection.setOrder([notes(), greeting()]);
    const saved = selection.snapshot();
    const shape = (): unknown => selection.ordered().map((entry) => [entry.relativePath, fileStateOf(entry), entry.focus, entry.pinned]);
    const expected = [
      ['src/notes.md', 'full', true, false],
      ['src/greeting.js', 'outline', false, true],
    ];
    assert.deepEqual(shape(), expected);
    assert.equal(await vscode.commands.executeCommand('contextBudget.saveContextSet', 'review'), 'review');
    selection.clear();
    assert.equal(await vscode.commands.executeCommand('contextBudget.restoreContextSet', 'review'), true);
    await settle();
    assert.deepEqual(shape(), expected);
    assert.deepEqual(selection.snapshot(), saved);

    const written = (await vscode.commands.executeCommand<vscode.Uri>('contextBudget.saveSetToRepository', 'team'))!;
    assert.equal(written.toString(), vscode.Uri.joinPath(root(), '.context-budget.json').toString());
    const parsed = parseContextSetFile(fs.readFileSync(written.fsPath, 'utf8'));
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(parsed.sets, [
      {
        name: 'team',
        ordered: true,
        files: [
          { path: 'src/notes.md', mode: 'full', focus: true, pinned: false },
          { path: 'src/greeting.js', mode: 'outline', focus: false, pinned: true },
        ],
      },
    ]);
    selection.clear();
    assert.equal(await vscode.commands.executeCommand('contextBudget.restoreContextSet', 'team'), true);
    await settle();
    assert.deepEqual(shape(), expected);
    assert.equal(
      session.report().files.find((file) => file.uri === greeting())!.tokens,
      oracleCount((await session.exportText(greeting()))!),
    );
    assert.equal(
      await vscode.commands.executeCommand('contextBudget.restoreContextSet', 'no such set'),
      undefined,
      'an unknown set fails with a message, not a crash',
    );
    assert.equal(await vscode.commands.executeCommand('contextBudget.deleteContextSet', 'review'), true);
    fs.rmSync(written.fsPath);
  });

  test('Add Changed Files reads a real git repository through the git extension: all, staged, and against a branch', async function () {
    try {
      execFileSync('git', ['--version']);
    } catch {
      this.skip();
    }
    const { session, settle } = await api();
    const repo = path.join(root().fsPath, 'repo');
    const git = (...args: string[]): string =>
      execFileSync('git', args, {
        cwd: repo,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@example.com',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@example.com',
        },
      });
    const write = (name: string, text: string): void => fs.writeFileSync(path.join(repo, name), text);
    fs.mkdirSync(repo);
    git('init', '-q', '-b', 'main');
    for (const name of ['a.ts', 'b.ts', 'c.ts', 'gone.ts']) write(name, `export const ${name[0]} = 1;\n`);
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-q', '-b', 'feature');
    write('c.ts', 'export const c = 2;\n');
    git('commit', '-qam', 'on the branch');
    write('a.ts', 'export const a = 2;\n');
    write('b.ts', 'export const b = 2;\n');
    git('add', 'b.ts');
    write('new.ts', 'export const n = 1;\n');
    fs.rmSync(path.join(repo, 'gone.ts'));

    const gitExtension = vscode.extensions.getExtension<{
      getAPI(version: 1): { openRepository(root: vscode.Uri): Promise<{ status(): Promise<void> } | null> };
    }>('vscode.git');
    assert.ok(gitExtension, "VS Code's git extension is present");
    const gitApi = (gitExtension.isActive ? gitExtension.exports : await gitExtension.activate()).getAPI(1);
    const repository = await gitApi.openRepository(vscode.Uri.file(repo));
    assert.ok(repository, 'the git extension opened the repository');
    await repository.status();

    const inRepo = (): string[] =>
      session.selection
        .ordered()
        .filter((entry) => entry.uri.includes('/repo/'))
        .map((entry) => entry.relativePath)
        .sort();
    try {
      session.selection.clear();
      await until(
        async () => ((await vscode.commands.executeCommand<number>('contextBudget.addChangedFiles', { kind: 'all' })) ?? 0) >= 3,
        'the uncommitted changes',
      );
      await settle();
      assert.deepEqual(inRepo(), ['repo/a.ts', 'repo/b.ts', 'repo/new.ts'], 'modified, staged and untracked; the deleted file left out');
      session.selection.clear();
      assert.equal(await vscode.commands.executeCommand('contextBudget.addChangedFiles', { kind: 'staged' }), 1);
      assert.deepEqual(inRepo(), ['repo/b.ts']);
      session.selection.clear();
      await vscode.commands.executeCommand('contextBudget.addChangedFiles', { kind: 'since', ref: 'main' });
      await settle();
      assert.deepEqual(
        inRepo(),
        ['repo/a.ts', 'repo/b.ts', 'repo/c.ts', 'repo/new.ts'],
        'what the branch committed since main, and what is uncommitted',
      );
      const row = session.report().files.find((file) => file.relativePath === 'repo/c.ts')!;
      assert.equal(row.tokens, oracleCount('export const c = 2;\n'));
    } finally {
      session.selection.clear();
      await vscode.commands.executeCommand('git.close', repository).then(undefined, () => undefined);
      fs.rmSync(repo, { recursive: true, force: true });
    }
  });
});
