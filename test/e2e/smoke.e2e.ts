// UI smoke test: the packaged extension, installed from its VSIX into code-server, counts a file the
// user adds and shows the exact count in its status bar item. Run through test/e2e/run.ts.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { get_encoding } from 'tiktoken';
import {
  copyFixture,
  ensureVsix,
  openWorkbench,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItem,
  STATUS_BAR_ID,
  type CodeServer,
} from './harness/codeServer';

describe('smoke: installed VSIX in the workbench', { timeout: 180_000 }, () => {
  let server: CodeServer | undefined;
  let page: Page;
  let folder: string;

  before(async () => {
    server = await startCodeServer({ vsix: ensureVsix() });
    folder = copyFixture('workspace-basic');
    server.tempDirs.push(folder);
    ({ page } = await openWorkbench(server, folder));
  });

  after(async () => {
    await server?.stop();
  });

  test(`adding the open editor puts its exact token count in the status bar item #${STATUS_BAR_ID}`, async () => {
    const item = statusBarItem(page);
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    const expected = get_encoding('o200k_base').encode_ordinary(readFileSync(path.join(folder, 'README.md'), 'utf8')).length;
    await runCommand(page, 'View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*README\.md\s*$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
    await page.locator('.tabs-container .tab', { hasText: 'README.md' }).waitFor({ state: 'visible', timeout: 15_000 });
    await runCommand(page, 'Context Budget: Add Open Editors');
    // "no context" must not pass: only the count of the file just added does.
    await page.waitForFunction(
      `/\\b${expected} tok\\b/.test(document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '')`,
      undefined,
      { timeout: 30_000 },
    );
    const text = (await item.innerText()).trim();
    assert.match(text, new RegExp(`\\b${expected} tok\\b`));
    assert.doesNotMatch(text, /no context/);
    const file = await screenshot(page, 'smoke-status-bar');
    console.log(`status bar text: ${JSON.stringify(text)}; screenshot: ${file}`);
  });
});
