// Outline mode as a user sees it: right-click a file in the Prompt Context tree, Use Outline; the row
// says "outline" and the status bar drops to the CLI's count for the same file in outline mode; Use Full
// Text brings the full count back.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  copyFixture,
  ensureVsix,
  openWorkbench,
  REPO,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItem,
  STATUS_BAR_ID,
  type CodeServer,
} from './harness/codeServer';

/** The CLI's prompt tokens for the same files and modes. */
function cliTokens(folder: string, args: string[]): number {
  const run = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args, '--json'], { cwd: folder, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `CLI failed (${run.status}): ${run.stderr}`);
  return (JSON.parse(run.stdout) as { promptTokens: number }).promptTokens;
}

async function waitForTokens(page: Page, tokens: number): Promise<void> {
  const pattern = new RegExp(`\\b${tokens} tok\\b`);
  try {
    await page.waitForFunction(
      `${pattern.toString()}.test((document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '').replace(/\\s+/g, ' '))`,
      undefined,
      { timeout: 30_000 },
    );
  } catch (error) {
    await screenshot(page, `outline-failed-wait-${tokens}`);
    throw new Error(`the status bar never showed ${tokens} tok: it shows "${await statusBarItem(page).innerText()}"`, { cause: error });
  }
}

/** Opens a tree row's context menu and runs one of its entries (keyboard activation, as Monaco's menus expect). */
async function rowMenu(page: Page, row: ReturnType<Page['locator']>, entry: string): Promise<void> {
  await row.click({ button: 'right' });
  const item = page.getByRole('menuitem', { name: entry });
  await item.hover();
  await page.keyboard.press('Enter');
}

describe('outline mode in the Prompt Context tree', { timeout: 240_000 }, () => {
  let server: CodeServer | undefined;
  let page: Page;
  let folder: string;

  before(async () => {
    server = await startCodeServer({ vsix: ensureVsix() });
    folder = copyFixture('workspace-basic');
    server.tempDirs.push(folder);
    ({ page } = await openWorkbench(server, folder));
    await statusBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
  });

  after(async () => {
    await server?.stop();
  });

  test('Use Outline shows "outline" on the row and the outline\'s count in the status bar; Use Full Text restores it', async () => {
    const full = cliTokens(folder, ['src']);
    const outlined = cliTokens(folder, ['src', '--outline', 'src/greeting.js']);
    assert.ok(outlined < full, `the outline is shorter (${outlined} < ${full})`);
    await runCommand(page, 'View: Show Explorer');
    const src = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*src\s*$/ }).first();
    await src.waitFor({ state: 'visible', timeout: 15_000 });
    await rowMenu(page, src, 'Add to Prompt Context');
    await waitForTokens(page, full);

    await runCommand(page, 'Context Budget: Focus on Prompt Context View');
    const greeting = page
      .locator('.monaco-list-row', { hasText: 'greeting.js' })
      .filter({ has: page.locator('.custom-view-tree-node-item-checkbox') })
      .first();
    await greeting.waitFor({ state: 'visible', timeout: 15_000 });
    await rowMenu(page, greeting, 'Use Outline');
    await waitForTokens(page, outlined);
    await page.waitForFunction(
      `[...document.querySelectorAll('.monaco-list-row')].some((row) => row.innerText.includes('greeting.js') && /outline · \\d+ tok/.test(row.innerText))`,
      undefined,
      { timeout: 15_000 },
    );
    await page.mouse.move(700, 400);
    await screenshot(page, 'tree-outline-mode');

    await rowMenu(page, greeting, 'Use Full Text');
    await waitForTokens(page, full);
    // The tree re-renders with the status bar; its DOM may follow a frame later.
    await page.waitForFunction(
      `[...document.querySelectorAll('.monaco-list-row')].some((row) => row.innerText.includes('greeting.js') && /\\d+ tok/.test(row.innerText) && !row.innerText.includes('outline ·'))`,
      undefined,
      { timeout: 15_000 },
    );
  });
});
