// Download Tokenizer as a user meets it: a catalog model (Llama 3.1 8B) whose count is an estimate,
// the panel and the hover offering Download Tokenizer, the consent notification, progress, and the
// counts becoming exact. The Hub is a loopback HTTP server serving Llama 3.1's real tokenizer.json
// and tokenizer_config.json, reached through contextBudget.huggingFaceEndpoint. The numbers after
// the download are checked against the CLI reusing the extension's own cache (--tokenizer-cache),
// and each file's count against Hugging Face's library (npm `tokenizers`, the dev-only oracle).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { formatTokens } from '../../src/core/units';
import {
  copyFixture,
  ensureVsix,
  hasSelector,
  hover,
  openWorkbench,
  REPO,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItem,
  STATUS_BAR_ID,
  webviewFrame,
  type CodeServer,
} from './harness/codeServer';

const family = path.join(REPO, '.cache', 'oracles', 'llama3_1', 'node_modules', '@lenml', 'tokenizer-llama3_1', 'models');
const repo = 'meta-llama/Llama-3.1-8B-Instruct';
const commit = '0e9e39f249a16976918f6564b8830bc894c89659';

interface CliJson {
  promptTokens: number;
  templateOverheadTokens: number;
  tokenizer: { label: string; exactForModel: boolean };
  files: Array<{ path: string; tokens: number }>;
}

function cli(folder: string, args: string[]): CliJson {
  const run = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args, '--json'], { cwd: folder, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `CLI failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as CliJson;
}

/** Installs the oracle packages (idempotent); a reason to skip when the registry is unreachable. */
function oraclesUnavailable(): string | undefined {
  const run = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'installOracles.mjs'), 'tokenizers', 'llama3_1'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  return run.status === 0 ? undefined : `oracles could not be installed: ${(run.stdout + run.stderr).trim().split('\n').pop()}`;
}

async function waitForNotification(page: Page, text: RegExp, timeout = 60_000): Promise<string> {
  const toast = page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return (await toast.innerText()).replace(/\s+/g, ' ');
}

describe('Download Tokenizer', { timeout: 300_000, skip: oraclesUnavailable() }, () => {
  let server: CodeServer | undefined;
  let hub: Server;
  const requests: string[] = [];
  let page: Page;
  let folder: string;

  before(async () => {
    hub = createServer((request, response) => {
      requests.push(request.url ?? '');
      const file = /^\/meta-llama\/Llama-3\.1-8B-Instruct\/resolve\/main\/(tokenizer(?:_config)?\.json)$/.exec(request.url ?? '')?.[1];
      if (file === undefined) return void response.writeHead(404).end();
      const body = fs.readFileSync(path.join(family, file));
      response.writeHead(200, { 'content-length': String(body.length), 'x-repo-commit': commit }).end(body);
    });
    await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done));
    const endpoint = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
    server = await startCodeServer({
      vsix: ensureVsix(),
      settings: { 'contextBudget.model': 'llama-3.1-8b', 'contextBudget.huggingFaceEndpoint': endpoint },
    });
    folder = copyFixture('workspace-basic');
    server.tempDirs.push(folder);
    ({ page } = await openWorkbench(server, folder, { width: 1600, height: 1000 }));
    await statusBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*src\s*$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Add to Prompt Context' }).hover();
    await page.keyboard.press('Enter');
    const estimate = cli(folder, ['src', '--model', 'llama-3.1-8b', '--tokenizer-cache', path.join(folder, '.no-cache')]);
    await page.waitForFunction(
      `(document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '').includes(${JSON.stringify(`${formatTokens(estimate.promptTokens)} tok`)})`,
      undefined,
      { timeout: 30_000 },
    );
  });

  after(async () => {
    await server?.stop();
    await new Promise((done) => hub.close(done));
  });

  test('the hover offers Download Tokenizer while the count is an estimate', async () => {
    await hover(page, statusBarItem(page));
    await page.waitForFunction(
      `[...document.querySelectorAll('.monaco-hover, .workbench-hover')].some((h) => h.checkVisibility() && h.innerText.includes('Download Tokenizer'))`,
      undefined,
      { timeout: 10_000 },
    );
    const text = (await page.locator('.monaco-hover:visible, .workbench-hover:visible').allInnerTexts()).join(' ').replace(/\s+/g, ' ');
    assert.match(text, /Tokenizer o200k_base, estimate for Llama 3\.1 8B · Download Tokenizer/);
    await screenshot(page, 'download-tokenizer-hover');
    await page.keyboard.press('Escape');
    await page.mouse.move(700, 300);
    assert.deepEqual(requests, [], 'nothing is downloaded until asked');
  });

  test('from the panel: asks, downloads with progress, and the counts become exact', async () => {
    await runCommand(page, 'Context Budget: Open Panel');
    const frame: Frame = await webviewFrame(page, hasSelector('#tokenizer-row'), 30_000);
    await frame.locator('#tokenizer-label', { hasText: 'o200k_base, estimate for Llama 3.1 8B' }).waitFor({ timeout: 20_000 });
    const button = frame.locator('#download-tokenizer');
    await button.waitFor({ state: 'visible', timeout: 10_000 });
    await screenshot(page, 'download-tokenizer-panel-before');
    await button.click();
    const consent = await waitForNotification(page, /Download the tokenizer of Llama 3\.1 8B/, 20_000);
    assert.match(consent, new RegExp(`from http://127\\.0\\.0\\.1:\\d+/${repo.replace(/[.]/g, '\\.')}\\?`));
    assert.deepEqual(requests, [], 'nothing before consent');
    await page
      .locator('.notifications-toasts .notification-toast', { hasText: /Download the tokenizer/ })
      .getByRole('button', { name: 'Download', exact: true })
      .click();
    const done = await waitForNotification(page, /counts are now exact/, 120_000);
    assert.match(
      done,
      /Context Budget: counts are now exact: Llama 3\.1 8B tokenizer \(downloaded from meta-llama\/Llama-3\.1-8B-Instruct\), exact\./,
    );
    assert.deepEqual(requests, [`/${repo}/resolve/main/tokenizer.json`, `/${repo}/resolve/main/tokenizer_config.json`]);
    await frame
      .locator('#tokenizer-label', { hasText: 'Llama 3.1 8B tokenizer (downloaded from meta-llama/Llama-3.1-8B-Instruct), exact' })
      .waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('#download-tokenizer').isHidden(), true, 'no offer once exact');
    await screenshot(page, 'download-tokenizer-panel-after');

    // The CLI reuses the extension's cache and counts the same; each file equals Hugging Face's library.
    const cache = path.join(server!.runDir, 'user-data', 'User', 'globalStorage', 'context-budget.context-budget', 'tokenizers');
    assert.ok(
      fs.existsSync(path.join(cache, 'meta-llama', 'Llama-3.1-8B-Instruct', commit, 'tokenizer.json')),
      'cached by repository and commit',
    );
    const exact = cli(folder, ['src', '--model', 'llama-3.1-8b', '--tokenizer-cache', cache]);
    assert.equal(exact.tokenizer.exactForModel, true);
    await page.waitForFunction(
      `(document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '').includes(${JSON.stringify(`${formatTokens(exact.promptTokens)} tok`)})`,
      undefined,
      { timeout: 30_000 },
    );
    const oracle = spawnSync(
      process.execPath,
      [
        '-e',
        `
      const { Tokenizer } = require(${JSON.stringify(path.join(REPO, '.cache', 'oracles', 'tokenizers', 'node_modules', 'tokenizers'))});
      const fs = require('fs');
      const tokenizer = Tokenizer.fromFile(${JSON.stringify(path.join(family, 'tokenizer.json'))});
      (async () => {
        const out = {};
        for (const file of ${JSON.stringify(exact.files.map((file) => file.path))}) out[file] = (await tokenizer.encode(fs.readFileSync(${JSON.stringify(folder)} + '/' + file, 'utf8'), null, { addSpecialTokens: false })).getIds().length;
        console.log(JSON.stringify(out));
      })();`,
      ],
      { encoding: 'utf8' },
    );
    const expected = JSON.parse(oracle.stdout) as Record<string, number>;
    for (const file of exact.files) assert.equal(file.tokens, expected[file.path], file.path);
    assert.equal(exact.promptTokens, exact.files.reduce((sum, file) => sum + file.tokens, 0) + exact.templateOverheadTokens);
  });
});
