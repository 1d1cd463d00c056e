// The extension's real state inside the real extension host: selection, counts, edits, settings.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { get_encoding } from 'tiktoken';
import type { ContextBudgetApi } from '../../src/host/extension';

const oracle = get_encoding('o200k_base');
const oracleCount = (text: string): number => oracle.encode_ordinary(text).length;

async function api(): Promise<ContextBudgetApi> {
  const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
  assert.ok(extension);
  return extension.activate();
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;
const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('contextBudget');

/** Each test starts from the same selection, src/ added from the Explorer command, whatever ran before it. */
async function selectSrc(): Promise<void> {
  const { session, settle } = await api();
  session.selection.clear();
  await vscode.commands.executeCommand('contextBudget.addToContext', vscode.Uri.joinPath(root(), 'src'), [
    vscode.Uri.joinPath(root(), 'src'),
  ]);
  await settle();
}

suite('budget in the extension host', () => {
  setup(selectSrc);

  test('adding a folder from the Explorer command counts every file exactly (o200k_base oracle)', async () => {
    const { session } = await api();
    const report = session.report();
    assert.deepEqual(
      report.files.map((file) => file.relativePath),
      ['src/greeting.js', 'src/notes.md'],
    );
    let expected = 0;
    for (const file of report.files) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(file.uri)));
      assert.equal(file.tokens, oracleCount(text), file.relativePath);
      expected += oracleCount(text);
    }
    assert.equal(report.promptTokens, expected);
    assert.ok(report.promptTokens > 0);
  });

  test('an unsaved edit is counted live, and reverting restores the disk count', async () => {
    const { session, settle } = await api();
    const uri = vscode.Uri.joinPath(root(), 'src', 'notes.md');
    const before = session.report().files.find((file) => file.uri === uri.toString())!.tokens!;
    const document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), 'Extra words added by the integration test, not yet saved.\n'.repeat(20));
    assert.ok(await vscode.workspace.applyEdit(edit));
    await until(() => session.report().files.find((file) => file.uri === uri.toString())!.tokens !== before, 'the live recount');
    await settle();
    assert.equal(session.report().files.find((file) => file.uri === uri.toString())!.tokens, oracleCount(document.getText()));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await until(() => session.report().files.find((file) => file.uri === uri.toString())!.tokens === before, 'the revert');
  });

  test('unchecking a file removes its tokens from the prompt; re-checking restores them', async () => {
    const { session, settle } = await api();
    const all = session.report().promptTokens;
    const notes = vscode.Uri.joinPath(root(), 'src', 'notes.md').toString();
    const notesTokens = session.report().files.find((file) => file.uri === notes)!.tokens!;
    session.selection.setIncluded([notes], false);
    await settle();
    assert.equal(session.report().promptTokens, all - notesTokens);
    assert.equal(session.report().files.find((file) => file.uri === notes)!.status, 'excluded');
    session.selection.setIncluded([notes], true);
    await settle();
    assert.equal(session.report().promptTokens, all);
  });

  test('an invalid setting falls back to its default instead of breaking the extension', async () => {
    const { session } = await api();
    await configuration().update('gpuCount', -3, vscode.ConfigurationTarget.Global);
    try {
      await until(() => session.currentSettings.gpuCount === 1 && session.report().gpu.count === 1, 'the fallback');
      await configuration().update('gpuCount', 2, vscode.ConfigurationTarget.Global);
      await until(() => session.report().gpu.count === 2, 'the valid value');
    } finally {
      await configuration().update('gpuCount', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('switching to a model with its own tokenizer labels the count an estimate', async () => {
    const { session } = await api();
    await configuration().update('model', 'llama-3.1-8b', vscode.ConfigurationTarget.Global);
    try {
      await until(() => session.report().model.id === 'llama-3.1-8b', 'the model switch');
      assert.equal(session.report().tokenizer.exactForModel, false);
      assert.match(session.report().tokenizer.label, /^o200k_base, estimate for Llama 3\.1 8B$/);
      assert.deepEqual(session.report().tokenizer.download, { repo: 'meta-llama/Llama-3.1-8B-Instruct' });
    } finally {
      await configuration().update('model', undefined, vscode.ConfigurationTarget.Global);
    }
    await until(() => session.report().model.id === 'gpt-oss-20b', 'the default model');
    assert.equal(session.report().tokenizer.exactForModel, true);
  });

  test('a malformed model config is reported with the field and the catalog model is used', async () => {
    const { session, targetProblems } = await api();
    const bad = vscode.Uri.joinPath(root(), 'bad-config.json');
    await vscode.workspace.fs.writeFile(
      bad,
      new TextEncoder().encode(
        JSON.stringify({
          hidden_size: 4096,
          num_hidden_layers: 32,
          num_attention_heads: 32,
          num_key_value_heads: 7,
          vocab_size: 1000,
          max_position_embeddings: 8192,
        }),
      ),
    );
    await configuration().update('modelConfigPath', bad.fsPath, vscode.ConfigurationTarget.Global);
    try {
      await until(() => targetProblems().length > 0, 'the config problem');
      assert.match(targetProblems()[0]!, /num_key_value_heads/);
      assert.equal(session.report().model.id, 'gpt-oss-20b');
      assert.ok(session.report().warnings.some((warning) => /num_key_value_heads/.test(warning.message)));
    } finally {
      await configuration().update('modelConfigPath', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Save Context as File writes the prompt in order, counts it exactly and leaves out a file that looks like a secret', async () => {
    const { session, settle } = await api();
    const secret = vscode.Uri.joinPath(root(), 'src', '.env');
    // An OpenAI key in its real shape (…T3BlbkFJ…), joined at run time so the repository holds none.
    const openAiKey = ['sk-proj-q8Zr4Lp0vXw2Nf7Kd9Tb3Hs6Jm1Yc5UeA1b2C3', 'x7Kd9Tb3Hs6Jm1Yc5UeA1b2C3d4q8Zr4Lp0'].join('T3BlbkFJ');
    await vscode.workspace.fs.writeFile(secret, new TextEncoder().encode(`OPENAI_API_KEY=${openAiKey}\n`));
    const target = vscode.Uri.file(path.join(os.tmpdir(), `cb-export-${process.pid}.xml`));
    try {
      await vscode.commands.executeCommand('contextBudget.addToContext', secret, [secret]);
      await settle();
      const row = session.report().files.find((file) => file.uri === secret.toString())!;
      assert.ok(row.secrets.includes('environment file (.env)'));
      assert.ok(row.secrets.includes('OpenAI API key'));
      const result = (await vscode.commands.executeCommand('contextBudget.saveContext', {
        format: 'xml',
        directoryTree: true,
        secrets: 'exclude',
        target: target.toString(),
      })) as { totalTokens: number; contentTokens: number; framingTokens: number; files: string[]; leftOut: string[] };
      const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
      assert.deepEqual(result.files, ['src/greeting.js', 'src/notes.md']);
      assert.deepEqual(result.leftOut, ['src/.env']);
      assert.ok(!written.includes('OPENAI_API_KEY'), 'the secret is not exported');
      assert.ok(
        written.startsWith('<directory_tree>\nsrc/\n  greeting.js\n  notes.md\n</directory_tree>\n\n<file path="src/greeting.js">\n'),
      );
      assert.equal(result.totalTokens, oracleCount(written), 'the total is the exact count of what was written');
      const content = session
        .report()
        .files.filter((file) => result.files.includes(file.relativePath))
        .reduce((sum, file) => sum + (file.tokens ?? 0), 0);
      assert.equal(result.contentTokens, content);
      assert.equal(result.framingTokens, result.totalTokens - content);
    } finally {
      session.selection.remove([secret.toString()]);
      await vscode.workspace.fs.delete(secret);
      await vscode.workspace.fs.delete(target).then(undefined, () => undefined);
    }
  });

  test('with export framing on, the budget counts tags, paths and tree, and equals the exact count of what Save Context as File writes', async () => {
    const { session, settle } = await api();
    const target = vscode.Uri.file(path.join(os.tmpdir(), `cb-export-framed-${process.pid}.xml`));
    const contentTokens = session.report().promptTokens;
    try {
      await configuration().update('exportFraming', 'xml', vscode.ConfigurationTarget.Global);
      await configuration().update('exportDirectoryTree', true, vscode.ConfigurationTarget.Global);
      await until(() => session.currentSettings.exportDirectoryTree, 'the settings to apply');
      await settle();
      const report = session.report();
      assert.ok(report.framing && !report.framing.pending, 'framing counted');
      assert.equal(report.promptTokens, contentTokens + report.framing.tokens);
      const result = (await vscode.commands.executeCommand('contextBudget.saveContext', { target: target.toString() })) as {
        totalTokens: number;
        budgetedTokens: number | null;
      };
      const written = new TextDecoder().decode(await vscode.workspace.fs.readFile(target));
      assert.ok(written.startsWith('<directory_tree>\n'), 'the budgeted framing is the export default');
      assert.equal(result.totalTokens, oracleCount(written));
      assert.equal(result.budgetedTokens, result.totalTokens, 'the number in the budget is the number exported');
      assert.equal(report.promptTokens, result.totalTokens);
    } finally {
      await configuration().update('exportFraming', undefined, vscode.ConfigurationTarget.Global);
      await configuration().update('exportDirectoryTree', undefined, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(target).then(undefined, () => undefined);
      await until(() => session.currentSettings.exportFraming === 'none', 'framing off');
      await settle();
    }
  });

  test('chat: the language-model tool answers from the live budget; a chat model that is not available falls back with one clear problem', async () => {
    const { session, settle, targetProblems } = await api();
    const tool = vscode.lm.tools.find((candidate) => candidate.name === 'context-budget_getBudget');
    assert.ok(tool, 'the tool is registered');
    const result = await vscode.lm.invokeTool('context-budget_getBudget', { input: {}, toolInvocationToken: undefined });
    const text = result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
    assert.match(text, new RegExp(`Prompt: \\*\\*${session.report().promptTokens.toLocaleString('en-US')} tokens\\*\\*`));
    const models = await vscode.lm.selectChatModels();
    assert.equal(models.length, 0, 'the test workbench has no chat models');
    try {
      await configuration().update('chatModel', 'copilot-gpt-4o', vscode.ConfigurationTarget.Global);
      await until(
        () =>
          targetProblems().some((problem) =>
            problem.includes('Chat model "copilot-gpt-4o" is not available (no chat models are available in this VS Code)'),
          ),
        'the chat-model problem',
      );
      await settle();
      assert.equal(session.report().model.origin, 'catalog');
    } finally {
      await configuration().update('chatModel', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('the CLI and the extension give the same numbers through the same code: framing, tree, budget and drop plan', async () => {
    const { session, settle } = await api();
    // Open editors are anchors in the extension only; the CLI has none. Same anchors, same plan.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const extensionPath = vscode.extensions.getExtension('context-budget.context-budget')!.extensionPath;
    try {
      await configuration().update('exportFraming', 'xml', vscode.ConfigurationTarget.Global);
      await configuration().update('exportDirectoryTree', true, vscode.ConfigurationTarget.Global);
      await configuration().update('budgetTokens', 50, vscode.ConfigurationTarget.Global);
      await until(
        () => session.currentSettings.budgetTokens === 50 && session.currentSettings.exportDirectoryTree,
        'the settings to apply',
      );
      await settle();
      const report = session.report();
      const proposal = (await session.settledDropProposal('budget'))!;
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          [
            path.join(extensionPath, 'dist', 'cli.js'),
            'src',
            '--framing',
            'xml',
            '--tree',
            '--budget',
            '50',
            '--target',
            'budget',
            '--json',
          ],
          { cwd: root().fsPath },
          (error, out) => {
            // Exit status 1 (over budget) is an answer, not a failure.
            if (error && (error as { code?: unknown }).code !== 1) reject(error);
            else resolve(out);
          },
        );
      });
      const json = JSON.parse(stdout) as {
        promptTokens: number;
        framing: { tokens: number; treeTokens: number };
        withinLimits: boolean;
        files: { path: string; tokens: number; framingTokens: number }[];
        dropPlan: {
          neededTokens: number;
          tokensAfter: number;
          basis: string;
          actions: { path: string; action: string; savesTokens: number; explanation: string }[];
        };
      };
      assert.equal(json.promptTokens, report.promptTokens);
      assert.deepEqual(json.framing.tokens, report.framing!.tokens);
      assert.deepEqual(json.framing.treeTokens, report.framing!.treeTokens);
      assert.equal(json.withinLimits, report.withinLimits);
      assert.deepEqual(
        json.files.map((file) => [file.path, file.tokens, file.framingTokens]),
        report.files.map((file) => [file.relativePath, file.tokens, file.framingTokens]),
      );
      assert.equal(json.dropPlan.neededTokens, proposal.neededTokens);
      assert.equal(json.dropPlan.basis, proposal.basis);
      assert.deepEqual(
        json.dropPlan.actions.map((action) => [action.path, action.action, action.savesTokens, action.explanation]),
        proposal.actions.map((action) => [action.relativePath, action.action, action.savesTokens, action.explanation]),
      );
      for (const action of proposal.actions) {
        const footprint = report.files.find((file) => file.uri === action.uri)!.tokens!;
        assert.equal(
          action.savesTokens + action.keptTokens,
          footprint,
          'an action saves its footprint (framing included) less what an outline keeps',
        );
      }
      assert.equal(json.dropPlan.tokensAfter, proposal.after!.promptTokens);
    } finally {
      for (const key of ['exportFraming', 'exportDirectoryTree', 'budgetTokens']) {
        await configuration().update(key, undefined, vscode.ConfigurationTarget.Global);
      }
      await until(
        () => session.currentSettings.exportFraming === 'none' && session.currentSettings.budgetTokens === 0,
        'settings restored',
      );
    }
  });

  test('removing from the context via the Explorer command empties the selection', async () => {
    const { session, settle } = await api();
    await vscode.commands.executeCommand('contextBudget.removeFromContext', vscode.Uri.joinPath(root(), 'src'), [
      vscode.Uri.joinPath(root(), 'src'),
    ]);
    await settle();
    assert.equal(session.selection.size, 0);
    assert.equal(session.report().promptTokens, 0);
  });
});
