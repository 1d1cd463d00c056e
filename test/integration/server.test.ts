// contextBudget.server in the real extension host: a loopback server answering as llama-server (its
// captured answers) or Ollama (its documented examples, num_ctx rewritten) is read after the setting
// changes, and the session's report carries its limit, what gets cut, and the status bar says so.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import { toStatusBarModel } from '../../src/core/presenters/statusBarModel';
import type { ContextBudgetApi } from '../../src/host/extension';
import { commandIds } from '../../src/host/ids';
import { llamaServer, ollamaPs, ollamaShow } from '../unit/server/serverFixtures';

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

const configuration = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('contextBudget');
const root = (): vscode.Uri => vscode.workspace.workspaceFolders![0]!.uri;

/** A loopback server whose routes can change between requests. */
async function serve(routes: Record<string, string>): Promise<{ url: string; routes: Record<string, string>; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    const key = `${req.method} ${req.url}`;
    if (Object.prototype.hasOwnProperty.call(routes, key)) res.writeHead(200, { 'content-type': 'application/json' }).end(routes[key]);
    else res.writeHead(404).end('404 page not found');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

async function setServer(url: string | undefined): Promise<void> {
  const { settleContext, settleServer } = await api();
  await configuration().update('server', url, vscode.ConfigurationTarget.Global);
  await settleContext();
  await settleServer();
}

const commands = {
  openPanel: 'p',
  selectModel: 'm',
  selectGpu: 'g',
  suggestDrops: 'd',
  cancelCounting: 'c',
  addOpenEditors: 'o',
  downloadTokenizer: 't',
};

suite('the live server check in the extension host', () => {
  suiteSetup(async () => {
    const { session, settle } = await api();
    session.selection.clear();
    await vscode.commands.executeCommand('contextBudget.addToContext', vscode.Uri.joinPath(root(), 'src'), [
      vscode.Uri.joinPath(root(), 'src'),
    ]);
    await settle();
  });

  suiteTeardown(async () => {
    for (const key of ['server', 'engine', 'reserveOutputTokens', 'model']) {
      await configuration().update(key, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test("llama-server: the setting is read, and the session report carries the server's n_ctx as the window", async () => {
    const server = await serve({ 'GET /props': llamaServer.props, 'GET /slots': llamaServer.slots, 'GET /v1/models': llamaServer.models });
    try {
      const { session } = await api();
      await configuration().update('engine', 'llama.cpp', vscode.ConfigurationTarget.Global);
      await configuration().update('reserveOutputTokens', 0, vscode.ConfigurationTarget.Global);
      await setServer(server.url);
      await until(() => session.report().server?.status === 'ok', 'the server reading');
      const report = session.report();
      assert.equal(report.server?.status === 'ok' && report.server.limitTokens, 1024);
      assert.deepEqual(report.windowLimit, { tokens: 1024, label: 'server n_ctx 1,024', source: 'server' });
      assert.equal(report.risk.windows.max, 1024);
      assert.match(toStatusBarModel(report, null, commands).text, / · \$\(server\) n_ctx 1,024$/);

      // The server restarted with another context: Check Server Again reads it.
      server.routes['GET /props'] = llamaServer.props.replace('"n_ctx":1024', '"n_ctx":512');
      server.routes['GET /slots'] = llamaServer.slots.replace(/"n_ctx":1024/g, '"n_ctx":512');
      await vscode.commands.executeCommand(commandIds.checkServer);
      await (await api()).settleServer();
      await until(() => session.report().windowLimit.tokens === 512, 'the recheck');
    } finally {
      await setServer(undefined);
      await server.close();
    }
  });

  test('Ollama cutting the front: the files it drops are in the report, and the status bar says so', async () => {
    // num_ctx 32 (rewritten from the documented 4,096): src/ is 55 tokens (greeting.js 38 + notes.md 17, o200k_base), more
    // than 31, so the prompt is cut to 32 − ⌊27 / 2⌋ = 19 tokens: 5 kept, the next 36 dropped, [5, 41).
    const server = await serve({
      'GET /api/ps': ollamaPs.replace('"context_length":4096', '"context_length":32'),
      'POST /api/show': ollamaShow,
    });
    try {
      const { session } = await api();
      await configuration().update('engine', 'ollama', vscode.ConfigurationTarget.Global);
      await configuration().update('model', 'llama-3.1-8b', vscode.ConfigurationTarget.Global);
      await setServer(server.url);
      await until(() => session.report().engineHandling !== null, 'the front-drop');
      const report = session.report();
      assert.equal(report.engineHandling!.handling.kind, 'front-dropped');
      assert.deepEqual(
        report.engineHandling!.files.map((file) => [file.relativePath, file.part]),
        [
          ['src/greeting.js', 'part'],
          ['src/notes.md', 'part'],
        ],
      );
      const warning = report.warnings.find((entry) => entry.id === 'engine-front-drop')!;
      assert.match(
        warning.message,
        /^Ollama at http:\/\/127\.0\.0\.1:\d+ will drop the first 36 tokens: src\/greeting\.js \(part\), src\/notes\.md \(part\) \(it keeps the first 5; server num_ctx 32\)\.$/,
      );
      const status = toStatusBarModel(report, null, commands);
      assert.match(status.text, / · \$\(server\) num_ctx 32 · \$\(warning\) front cut 36$/);
      assert.equal(status.severity, 'error');
    } finally {
      await setServer(undefined);
      await server.close();
    }
  });

  test('nothing listening: a warning naming the setting; clearing the setting removes the check', async () => {
    const gone = await serve({});
    await gone.close();
    const { session } = await api();
    await setServer(gone.url);
    await until(() => session.report().server?.status === 'failed', 'the failed check');
    assert.match(
      session.report().warnings.find((warning) => warning.id === 'server-check-failed')!.message,
      /^Server check failed: contextBudget\.server http:\/\/127\.0\.0\.1:\d+: no answer .*ECONNREFUSED/,
    );
    await setServer(undefined);
    await until(() => session.report().server === null, 'the cleared check');
  });
});
