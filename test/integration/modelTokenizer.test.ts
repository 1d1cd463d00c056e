// The model's own tokenizer inside the real extension host: a model folder in the workspace with a
// Hugging Face config.json, tokenizer.json and tokenizer_config.json (Llama 3.1's real files). Once
// contextBudget.modelConfigPath points at it, every count is the tokenizer's, equal to Hugging Face's
// own library (npm `tokenizers`, loaded here as the oracle), the chat template's overhead is added
// once, the status bar's model names the tokenizer, and switching back to the catalog model switches
// the tokenizer back. The oracle files come from scripts/installOracles.mjs (dev-only, .cache/).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { toStatusBarModel } from '../../src/core/presenters/statusBarModel';
import type { ContextBudgetApi } from '../../src/host/extension';
import { commandIds } from '../../src/host/ids';

const REPO = path.resolve(__dirname, '..', '..', '..');
const family = path.join(REPO, '.cache', 'oracles', 'llama3_1', 'node_modules', '@lenml', 'tokenizer-llama3_1', 'models');

interface OracleTokenizer {
  encode(text: string, pair: null, options: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }>;
}

async function api(): Promise<ContextBudgetApi> {
  const extension = vscode.extensions.getExtension<ContextBudgetApi>('context-budget.context-budget');
  assert.ok(extension);
  return extension.activate();
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;
const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('contextBudget');

suite('the model tokenizer in the extension host', function () {
  // Llama 3.1's tokenizer.json is 9 MB: parsed in a worker, which takes a few seconds on a loaded machine.
  this.timeout(180_000);
  let oracle: OracleTokenizer | undefined;

  suiteSetup(function () {
    const install = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'installOracles.mjs'), 'tokenizers', 'llama3_1'], {
      encoding: 'utf8',
      timeout: 600_000,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    if (install.status !== 0) {
      console.log(`skipped: the oracles could not be installed (${(install.stdout + install.stderr).trim().split('\n').pop()})`);
      this.skip();
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev-only N-API addon outside node_modules
    const tokenizers = require(path.join(REPO, '.cache', 'oracles', 'tokenizers', 'node_modules', 'tokenizers')) as {
      Tokenizer: { fromFile(file: string): OracleTokenizer };
    };
    oracle = tokenizers.Tokenizer.fromFile(path.join(family, 'tokenizer.json'));
    const model = path.join(root().fsPath, 'models', 'llama-3.1-8b');
    fs.mkdirSync(model, { recursive: true });
    fs.copyFileSync(path.join(REPO, 'test', 'fixtures', 'configs', 'llama-3.1-8b.json'), path.join(model, 'config.json'));
    for (const file of ['tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(family, file), path.join(model, file));
  });

  suiteTeardown(async () => {
    await configuration().update('modelConfigPath', undefined, vscode.ConfigurationTarget.Global);
  });

  test("config.json + tokenizer.json in a workspace folder: every count is the tokenizer's, equal to the oracle", async () => {
    const { session, settle, settleContext } = await api();
    session.selection.clear();
    await vscode.commands.executeCommand(commandIds.addToContext, vscode.Uri.joinPath(root(), 'src'), [vscode.Uri.joinPath(root(), 'src')]);
    await settle();
    await configuration().update('modelConfigPath', 'models/llama-3.1-8b/config.json', vscode.ConfigurationTarget.Global);
    await settleContext();
    await until(() => session.report().tokenizer.source === 'tokenizer.json beside config.json', 'the tokenizer beside config.json');
    await settle();
    const report = session.report();
    assert.equal(report.tokenizer.label, 'llama-3.1-8b tokenizer (tokenizer.json beside config.json), exact');
    assert.equal(report.tokenizer.exactForModel, true);
    let files = 0;
    for (const file of report.files) {
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.parse(file.uri)));
      const expected = (await oracle!.encode(text, null, { addSpecialTokens: false })).getIds().length;
      assert.equal(file.tokens, expected, file.relativePath);
      files += expected;
    }
    assert.ok(report.templateOverheadTokens > 5, `the chat template adds its headers (${report.templateOverheadTokens})`);
    assert.equal(report.promptTokens, files + report.templateOverheadTokens);
    const status = toStatusBarModel(report, null, { ...commandIds });
    assert.match(status.text, new RegExp(`\\b${report.promptTokens} tok\\b`));
    assert.match(
      status.tooltipMarkdown,
      /\| Tokenizer \| llama\\-3\\\.1\\-8b tokenizer \\\(tokenizer\\\.json beside config\\\.json\\\), exact \|/,
    );
  });

  test('back to the catalog model: back to the encoding, labelled an estimate, with a download offer', async () => {
    const { session, settle, settleContext } = await api();
    await configuration().update('modelConfigPath', undefined, vscode.ConfigurationTarget.Global);
    await configuration().update('model', 'llama-3.1-8b', vscode.ConfigurationTarget.Global);
    try {
      await settleContext();
      await until(() => session.report().tokenizer.id === 'o200k_base', 'the encoding again');
      await settle();
      assert.equal(session.report().tokenizer.label, 'o200k_base, estimate for Llama 3.1 8B');
      assert.deepEqual(session.report().tokenizer.download, { repo: 'meta-llama/Llama-3.1-8B-Instruct' });
    } finally {
      await configuration().update('model', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
