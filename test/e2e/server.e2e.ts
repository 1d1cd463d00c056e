// What a user sees with contextBudget.server set: the status bar shows the running server's limit and
// Ollama's front cut, and the hover names the engine, the server, the files cut and the fix. The
// server is a loopback stand-in answering with Ollama's documented /api/ps and /api/show examples
// (num_ctx rewritten to 32, so the fixture's 55-token src/ folder is cut: 36 tokens dropped).
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ollamaPs, ollamaShow } from '../unit/server/serverFixtures';
import {
  copyFixture,
  ensureVsix,
  hasSelector,
  hover,
  openWorkbench,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItem,
  STATUS_BAR_ID,
  webviewFrame,
  type CodeServer,
} from './harness/codeServer';

async function statusText(page: Page): Promise<string> {
  return (await statusBarItem(page).innerText()).replace(/\s+/g, ' ').trim();
}

describe('the live server check in the workbench', { timeout: 240_000 }, () => {
  let server: CodeServer | undefined;
  let ollama: http.Server;
  let page: Page;

  before(async () => {
    ollama = http.createServer((req, res) => {
      req.resume();
      if (req.method === 'GET' && req.url === '/api/ps') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(ollamaPs.replace('"context_length":4096', '"context_length":32'));
      } else if (req.method === 'POST' && req.url === '/api/show') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(ollamaShow);
      } else {
        res.writeHead(404).end('404 page not found');
      }
    });
    await new Promise<void>((done) => ollama.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
    server = await startCodeServer({
      vsix: ensureVsix(),
      settings: { 'contextBudget.engine': 'ollama', 'contextBudget.model': 'llama-3.1-8b' },
      // machine-overridable: code-server, a remote window, applies it from the remote settings only (settingScopes.ts).
      machineSettings: { 'contextBudget.server': url },
    });
    const folder = copyFixture('workspace-basic');
    server.tempDirs.push(folder);
    ({ page } = await openWorkbench(server, folder));
    await statusBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
  });

  after(async () => {
    await server?.stop();
    ollama.closeAllConnections();
    await new Promise((done) => ollama.close(done));
  });

  test("the status bar shows the server's num_ctx and the front Ollama cuts", async () => {
    await runCommand(page, 'View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*src\s*$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    const item = page.getByRole('menuitem', { name: 'Add to Prompt Context' });
    await item.hover();
    await page.keyboard.press('Enter');
    await page
      .waitForFunction(`/front cut 36/.test(document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '')`, undefined, {
        timeout: 30_000,
      })
      .catch(async (error: unknown) => {
        await screenshot(page, 'server-status-failed');
        throw new Error(`status bar shows "${await statusText(page)}"`, { cause: error });
      });
    // 55 prompt tokens; the server's num_ctx 32; Ollama keeps 5 and drops the next 36.
    assert.match(await statusText(page), /^55 tok · \d+% · KV [\d.]+ (KiB|MiB) · num_ctx 32 · front cut 36$/);
    await screenshot(page, 'status-bar-server-front-cut');
  });

  test('the hover names the engine and the server, and lists the files cut with the fix', async () => {
    await page.mouse.move(700, 300);
    await hover(page, statusBarItem(page));
    await page.waitForFunction(
      `[...document.querySelectorAll('.monaco-hover, .workbench-hover')].some((h) => h.checkVisibility() && h.innerText.includes('Prompt handling'))`,
      undefined,
      { timeout: 10_000 },
    );
    const text = (await page.locator('.monaco-hover:visible, .workbench-hover:visible').allInnerTexts())
      .find((entry) => entry.includes('Context Budget'))!
      .replace(/\s+/g, ' ');
    assert.match(text, /Engine Ollama v0\.32\.15 \(llama-server runner\)/);
    assert.match(text, /Server Ollama at http:\/\/127\.0\.0\.1:\d+: num_ctx 32/);
    assert.match(text, /Risk beyond \(server num_ctx 32\)/);
    assert.match(
      text,
      /Ollama at http:\/\/127\.0\.0\.1:\d+ will drop the first 36 tokens: src\/greeting\.js \(part\), src\/notes\.md \(part\)/,
    );
    assert.match(text, /Fix set num_ctx to 4,151/);
    assert.ok(text.includes('Check Server Again'));
    await screenshot(page, 'hover-server-front-cut');
    await page.mouse.move(640, 300);
  });

  test('the panel names the engine and offers the fix with its cost; the Server card shows the limit', async () => {
    await page.keyboard.press('Escape');
    await runCommand(page, 'Context Budget: Open Panel');
    const frame = await webviewFrame(page, hasSelector('#engine-title'), 30_000);
    assert.equal((await frame.locator('#engine-title').innerText()).trim(), 'Engine: Ollama v0.32.15 (llama-server runner)');
    assert.match(await frame.locator('.engine-files').innerText(), /^Files cut: src\/greeting\.js, src\/notes\.md$/);
    assert.match(await frame.locator('#engine-fix').innerText(), /To fit, set num_ctx to 4,151 .*KV cache ≈ [\d.]+ MiB \(now 32\.0 MiB\)/);
    assert.equal((await frame.locator('[data-metric="server"] .metric-value').innerText()).trim(), 'num_ctx 32');
    assert.equal((await frame.locator('[data-metric="engine"] .metric-value').innerText()).trim(), 'Ollama');
    await screenshot(page, 'panel-engine-section');
  });
});
