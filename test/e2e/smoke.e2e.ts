// UI smoke test: the packaged extension, installed from its VSIX into code-server, shows its
// status bar item in the real workbench. Run through test/e2e/run.ts (scripts/test-e2e.sh).
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  copyFixture,
  ensureVsix,
  hover,
  openWorkbench,
  runCommand,
  screenshot,
  setTheme,
  startCodeServer,
  statusBarItem,
  STATUS_BAR_ID,
  type CodeServer,
} from './harness/codeServer';

describe('smoke: installed VSIX in the workbench', { timeout: 180_000 }, () => {
  let server: CodeServer | undefined;
  let page: Page;

  before(async () => {
    server = await startCodeServer({ vsix: ensureVsix() });
    const folder = copyFixture('workspace-basic');
    server.tempDirs.push(folder);
    ({ page } = await openWorkbench(server, folder));
  });

  after(async () => {
    await server?.stop();
  });

  test(`the status bar item #${STATUS_BAR_ID} shows a token count`, async () => {
    const item = statusBarItem(page);
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForFunction(`/tok|no context/.test(document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.textContent ?? '')`, undefined, {
      timeout: 30_000,
    });
    const text = (await item.innerText()).trim();
    assert.match(text, /tok|no context/);
    const file = await screenshot(page, 'smoke-status-bar');
    console.log(`status bar text: ${JSON.stringify(text)}; screenshot: ${file}`);
  });

  test('harness: the command palette runs a command by its title', async () => {
    await runCommand(page, 'File: New Untitled Text File');
    const tab = page.locator('.tabs-container .tab', { hasText: 'Untitled-1' });
    await tab.waitFor({ state: 'visible', timeout: 15_000 });
    await runCommand(page, 'View: Close Editor');
    await tab.waitFor({ state: 'detached', timeout: 15_000 });
  });

  test('harness: hovers show, and the theme switches through the theme picker', async () => {
    const explorer = page.locator('.activitybar .action-item .codicon-explorer-view-icon').first();
    const widget = await hover(page, explorer);
    assert.match(await widget.innerText(), /Explorer/);
    await page.mouse.move(640, 400);
    await setTheme(page, 'light');
    await statusBarItem(page).waitFor({ state: 'visible' });
    await screenshot(page, 'smoke-light-theme');
  });
});
