// What a user does and sees: add a folder from the Explorer menu, watch the status bar, untick a
// file in the Prompt Context tree, read the hover, switch model through the quick pick.
// The numbers are checked against the CLI's JSON for the same files.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  copyFixture,
  ensureVsix,
  hover,
  openWorkbench,
  pickQuickInput,
  REPO,
  runCommand,
  screenshot,
  startCodeServer,
  statusBarItem,
  STATUS_BAR_ID,
  type CodeServer,
} from './harness/codeServer';

interface CliJson {
  promptTokens: number;
  kvCacheBytes: number;
  files: Array<{ path: string; tokens: number }>;
}

/** The CLI's JSON for the same files (exit 1 only means "not within limits", which some cases are). */
function cli(folder: string, args: string[]): CliJson {
  const run = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args, '--json'], { cwd: folder, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `CLI failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as CliJson;
}

/** Hovers the status bar item once every other hover (a tree checkbox's "Checked") is gone. */
async function statusHover(page: Page): Promise<string> {
  await page.keyboard.press('Escape');
  await page.mouse.move(700, 300);
  await page
    .locator('.monaco-hover:visible, .workbench-hover:visible')
    .first()
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
  const widget = await hover(page, statusBarItem(page));
  await page.waitForFunction(
    `[...document.querySelectorAll('.monaco-hover, .workbench-hover')].some((h) => h.checkVisibility() && h.innerText.includes('Context Budget'))`,
    undefined,
    { timeout: 10_000 },
  );
  void widget;
  const texts = await page.locator('.monaco-hover:visible, .workbench-hover:visible').allInnerTexts();
  return (texts.find((text) => text.includes('Context Budget')) ?? '').replace(/\s+/g, ' ');
}

async function statusText(page: Page): Promise<string> {
  return (await statusBarItem(page).innerText()).replace(/\s+/g, ' ').trim();
}

async function waitForStatus(page: Page, pattern: RegExp, timeout = 30_000): Promise<string> {
  try {
    await waitForStatusText(page, pattern, timeout);
  } catch (error) {
    await screenshot(page, `failed-wait-${pattern.source.replace(/\W+/g, '_')}`);
    throw new Error(`status bar never matched ${pattern}: it shows "${await statusText(page)}"`, { cause: error });
  }
  return statusText(page);
}

async function waitForStatusText(page: Page, pattern: RegExp, timeout: number): Promise<string> {
  await page.waitForFunction(
    `${pattern.toString()}.test((document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '').replace(/\\s+/g, ' '))`,
    undefined,
    { timeout },
  );
  return statusText(page);
}

describe('Context Budget in the workbench', { timeout: 240_000 }, () => {
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

  test('an empty context says so in the status bar', async () => {
    assert.match(await waitForStatus(page, /no context/), /no context/);
  });

  test('Add to Prompt Context from the Explorer menu counts the folder, matching the CLI', async () => {
    const expected = cli(folder, ['src']);
    await runCommand(page, 'View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*src\s*$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    // Monaco's context menu acts on keyboard activation of the highlighted item; a synthetic click can miss it.
    const item = page.getByRole('menuitem', { name: 'Add to Prompt Context' });
    await item.hover();
    await page.keyboard.press('Enter');
    const text = await waitForStatus(page, new RegExp(`\\b${expected.promptTokens} tok\\b`));
    assert.match(text, new RegExp(`${expected.promptTokens} tok · \\d+(\\.\\d)?% · KV [\\d.]+ (MiB|GiB)`));
    await screenshot(page, 'status-bar-after-add');
  });

  test('unticking a file in the Prompt Context tree lowers the status bar count', async () => {
    const expected = cli(folder, ['src/greeting.js']);
    await runCommand(page, 'Context Budget: Focus on Prompt Context View');
    const notes = page
      .locator('.monaco-list-row', { hasText: 'notes.md' })
      .filter({ has: page.locator('.custom-view-tree-node-item-checkbox') })
      .first();
    await notes.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'tree-with-files');
    await notes.locator('.custom-view-tree-node-item-checkbox').click();
    await waitForStatus(page, new RegExp(`\\b${expected.promptTokens} tok\\b`));
    await screenshot(page, 'tree-after-untick');
    await notes.locator('.custom-view-tree-node-item-checkbox').click();
    await waitForStatus(page, new RegExp(`\\b${cli(folder, ['src']).promptTokens} tok\\b`));
  });

  test('the hover shows the labelled numbers and command links', async () => {
    const expected = cli(folder, ['src']);
    const text = await statusHover(page);
    assert.match(text, new RegExp(`Prompt tokens ${expected.promptTokens}`));
    assert.match(text, /Tokenizer o200k_base, exact \(gpt-oss-20b uses it\)/);
    assert.match(text, /KV cache [\d.]+ (MiB|GiB) \(bf16\)/);
    assert.match(text, /Time to first token \(est\.\)/);
    assert.match(text, /fits/);
    assert.match(text, /greeting\.js/);
    for (const link of ['Open Panel', 'Select Model', 'Select GPU', 'Suggest Drops']) assert.ok(text.includes(link), link);
    await screenshot(page, 'status-bar-hover');
    await page.mouse.move(640, 300);
  });

  test('switching model through the quick pick changes the numbers and labels the count an estimate', async () => {
    const before = await statusText(page);
    await runCommand(page, 'Context Budget: Select Model…');
    await pickQuickInput(page, 'Llama 3.1 70B');
    const expected = cli(folder, ['src', '--model', 'llama-3.1-70b']);
    const kv = expected.kvCacheBytes / 2 ** 30;
    await page.waitForFunction(
      `!(document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '').includes(${JSON.stringify(before.split('KV ')[1] ?? '')})`,
      undefined,
      { timeout: 20_000 },
    );
    assert.match(await statusText(page), new RegExp(`KV ${kv >= 10 ? kv.toFixed(1) : kv.toFixed(2)} GiB`));
    assert.match(await statusHover(page), /Tokenizer o200k_base, estimate for Llama 3\.1 70B · Download Tokenizer/);
    await screenshot(page, 'hover-after-model-switch');
    await page.mouse.move(640, 300);
  });

  test('a window reload restores the selection and its numbers', async () => {
    const expected = cli(folder, ['src']);
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await statusBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
    await waitForStatus(page, new RegExp(`\\b${expected.promptTokens} tok\\b`), 60_000);
  });
});
