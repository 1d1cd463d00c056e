// The Context Budget panel as a user meets it: a selection over their budget, the panel opened
// from the command palette, its table and figures checked against the CLI's JSON for the same
// files, a drop plan applied (status bar and tree follow) and undone, a hostile file name shown
// as text, and the panel surviving a window reload. Screenshots in dark and light themes.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { tokenBadge as formatBadge } from '../../src/core/presenters/explorerBadges';
import { formatTokens } from '../../src/core/units';
import {
  ensureVsix,
  hasSelector,
  openWorkbench,
  REPO,
  runCommand,
  screenshot,
  setTheme,
  startCodeServer,
  statusBarItem,
  STATUS_BAR_ID,
  webviewFrame,
  type CodeServer,
} from './harness/codeServer';

const hostileName = '<img src=x onerror=alert(1)>.md';

interface CliJson {
  promptTokens: number;
  kvCacheBytes: number;
  files: Array<{ path: string; tokens: number | null; status: string }>;
}

function cli(folder: string, args: string[]): CliJson {
  const run = spawnSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), ...args, '--json'], { cwd: folder, encoding: 'utf8' });
  assert.ok(run.status === 0 || run.status === 1, `CLI failed (${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as CliJson;
}

/** A small project whose src/ is well over the budget the test sets: eight modules of different sizes and a hostile file name. */
function makeWorkspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-e2e-panel-'));
  const src = path.join(root, 'src');
  fs.mkdirSync(src);
  for (let module = 1; module <= 8; module++) {
    const lines = Array.from(
      { length: module * 40 },
      (_, i) => `export function step${module}_${i}(input: number): number { return input * ${i + module} + ${module * 7}; }`,
    );
    fs.writeFileSync(path.join(src, `module${module}.ts`), `// module ${module}\n${lines.join('\n')}\n`);
  }
  fs.writeFileSync(path.join(src, hostileName), '# Release notes\n\nThis file name is HTML. It must show as text.\n');
  return root;
}

const withCommas = (value: number): string => value.toLocaleString('en-US');
/** The status bar's compact count ("12.3k tok"), formatted as the extension formats it. */
const tokPattern = (tokens: number): RegExp => new RegExp(`(^|\\s)${formatTokens(tokens).replace('.', '\\.')} tok\\b`);

async function statusText(page: Page): Promise<string> {
  return (await statusBarItem(page).innerText()).replace(/\s+/g, ' ').trim();
}

async function waitForStatus(page: Page, pattern: RegExp, timeout = 30_000): Promise<string> {
  try {
    await page.waitForFunction(
      `${pattern.toString()}.test((document.getElementById(${JSON.stringify(STATUS_BAR_ID)})?.innerText ?? '').replace(/\\s+/g, ' '))`,
      undefined,
      { timeout },
    );
  } catch (error) {
    await screenshot(page, `panel-failed-wait-${pattern.source.replace(/\W+/g, '_')}`);
    throw new Error(`status bar never matched ${pattern}: it shows "${await statusText(page)}"`, { cause: error });
  }
  return statusText(page);
}

/** The panel's document (a nested iframe of the webview host). */
async function panelFrame(page: Page): Promise<Frame> {
  return webviewFrame(page, hasSelector('#metrics'), 30_000);
}

/**
 * Waits until the panel's document has not changed for `quietMs`: after it opens, the plan's files are
 * parsed in the background (imports and outlines) and the panel redraws once with the relevance plan.
 */
async function panelSettled(frame: Frame, quietMs = 1500, timeoutMs = 30_000): Promise<void> {
  // A string: this tsconfig has no DOM types, and the code runs in the webview's document.
  await frame.evaluate(`new Promise((resolve, reject) => {
    const done = () => { observer.disconnect(); clearTimeout(deadline); resolve(); };
    let timer = setTimeout(done, ${quietMs});
    const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, ${quietMs}); });
    const deadline = setTimeout(() => { observer.disconnect(); reject(new Error('the panel kept changing for ${timeoutMs} ms')); }, ${timeoutMs});
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  })`);
}

/** The tree row's checkbox state, as the tree draws it. */
/** Waits until the tree row's checkbox shows `checked` (the tree redraws shortly after the panel). */
async function waitForTreeCheckbox(page: Page, name: string, checked: boolean): Promise<void> {
  const row = page
    .locator('.monaco-list-row', { hasText: name })
    .filter({ has: page.locator('.custom-view-tree-node-item-checkbox') })
    .first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  const box = row.locator(`.custom-view-tree-node-item-checkbox[aria-checked="${checked}"]`);
  await box.waitFor({ state: 'attached', timeout: 15_000 }).catch(async (error: unknown) => {
    const actual = await row.locator('.custom-view-tree-node-item-checkbox').getAttribute('aria-checked');
    throw new Error(`${name}: tree checkbox is ${actual}, expected ${checked}`, { cause: error });
  });
}

describe('the Context Budget panel', { timeout: 300_000 }, () => {
  let server: CodeServer | undefined;
  let page: Page;
  let folder: string;
  let total: CliJson;
  let budget: number;
  const dialogs: string[] = [];

  before(async () => {
    folder = makeWorkspace();
    total = cli(folder, ['src']);
    budget = Math.floor(total.promptTokens / 2);
    server = await startCodeServer({ vsix: ensureVsix(), settings: { 'contextBudget.budgetTokens': budget } });
    server.tempDirs.push(folder);
    ({ page } = await openWorkbench(server, folder, { width: 1600, height: 1000 }));
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await statusBarItem(page).waitFor({ state: 'visible', timeout: 60_000 });
    await runCommand(page, 'View: Show Explorer');
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*src\s*$/ }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Add to Prompt Context' }).hover();
    await page.keyboard.press('Enter');
    await waitForStatus(page, tokPattern(total.promptTokens));
  });

  after(async () => {
    await server?.stop();
  });

  test('the Explorer shows a token badge on the selected folder and its files', async () => {
    const badgeOf = async (name: string): Promise<string> => {
      const row = page
        .locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^\\s*${name.replace('.', '\\.')}\\s*$`) })
        .first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      // Decoration badges are drawn as ::after content of the label.
      return row.evaluate((element) => {
        const win = element.ownerDocument.defaultView!;
        for (const node of [element, ...element.querySelectorAll('*')]) {
          const content = win.getComputedStyle(node, '::after').content;
          if (content && content !== 'none' && content !== 'normal' && content !== '""') return content.replace(/^"|"$/g, '');
        }
        return '';
      });
    };
    await runCommand(page, 'View: Show Explorer');
    const expected = formatBadge(total.promptTokens);
    await page.waitForTimeout(500);
    assert.equal(await badgeOf('src'), expected);
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: /^\s*src\s*$/ }).first();
    await row.click();
    const module8 = total.files.find((file) => file.path === 'src/module8.ts')!;
    assert.equal(await badgeOf('module8.ts'), formatBadge(module8.tokens ?? 0));
    await screenshot(page, 'explorer-badges');
  });

  test("opens from the command palette with the CLI's numbers and every file in the table", async () => {
    await runCommand(page, 'Context Budget: Open Panel');
    const frame = await panelFrame(page);
    const tokens = frame.locator('[data-metric="tokens"] .metric-value');
    await tokens.waitFor({ state: 'visible', timeout: 20_000 });
    await panelSettled(frame);
    assert.equal(await tokens.innerText(), withCommas(total.promptTokens));
    assert.match(await frame.locator('[data-metric="tokens"]').innerText(), /o200k_base, exact/);
    assert.equal(
      (await frame.locator('[data-metric="budget"] .metric-value').innerText()).trim(),
      `${Math.round((total.promptTokens / budget) * 100)}%`,
    );
    const rows = frame.locator('#file-table tbody tr[data-uri]');
    assert.equal(await rows.count(), total.files.length);
    for (const file of total.files) {
      const name = file.path;
      const row = frame.locator('#file-table tbody tr[data-uri]').filter({ has: frame.getByRole('button', { name, exact: true }) });
      assert.equal(await row.count(), 1, `one row for ${name}`);
      assert.equal((await row.locator('td').nth(2).innerText()).trim(), withCommas(file.tokens ?? 0), `tokens of ${name}`);
    }
    for (const id of ['#chart-treemap svg', '#chart-positions svg', '#chart-memory svg', '#chart-flops svg']) {
      assert.equal(await frame.locator(id).count(), 1, id);
    }
    assert.ok((await frame.locator('#chart-memory polygon').count()) >= 2, 'weights and KV areas');
    assert.match(await frame.locator('#chart-flops figcaption').innerText(), /attention = linear at [\d,]+ tokens/);
    await screenshot(page, 'panel-dark');
    await frame.locator('#chart-treemap').scrollIntoViewIfNeeded();
    await screenshot(page, 'panel-charts-dark');
  });

  test('a file named like HTML shows as text and runs nothing', async () => {
    const frame = await panelFrame(page);
    const cell = frame.getByRole('button', { name: `src/${hostileName}`, exact: true });
    assert.equal(await cell.count(), 1);
    assert.equal(await cell.textContent(), `src/${hostileName}`, 'the name is shown as literal text');
    assert.equal(await frame.locator('img').count(), 0, 'no <img> element was created');
    assert.deepEqual(dialogs, [], 'no alert ran');
  });

  test('applying the drop plan brings the prompt within budget; status bar and tree follow; undo restores', async () => {
    const frame = await panelFrame(page);
    assert.equal(await frame.locator('#drop-target').inputValue(), 'budget', 'the exceeded target is preselected');
    const proposalRows = frame.locator('#drop-proposals tbody tr');
    await proposalRows.first().waitFor({ state: 'visible', timeout: 10_000 });
    await panelSettled(frame);
    const proposed = (await proposalRows.locator('td.path').allInnerTexts()).map((text) => text.trim());
    const saves = (await proposalRows.locator('td.num').allInnerTexts()).map((text) => Number(text.replace(/[^\d]/g, '')));
    assert.ok(proposed.length > 0);
    // A drop saves the whole file; an outline (the relevance plan proposes them first) saves less.
    const isDrop = (name: string, i: number): boolean => saves[i] === (total.files.find((file) => file.path === name)?.tokens ?? -1);
    const saved = saves.reduce((sum, value) => sum + value, 0);
    const after = total.promptTokens - saved;
    assert.ok(after <= budget, `${after} ≤ ${budget}`);
    assert.equal(await frame.locator('#after-metrics [data-metric="after-tokens"] .metric-value').innerText(), withCommas(after));
    await frame.locator('#drop-proposals').scrollIntoViewIfNeeded();
    await screenshot(page, 'panel-drop-plan');

    await frame.locator('#apply-drops').click();
    const expected = cli(folder, [
      'src',
      ...proposed.flatMap((name, i) => (isDrop(name, i) ? ['--exclude', path.basename(name)] : ['--outline', name])),
    ]);
    assert.equal(expected.promptTokens, after, 'the CLI agrees on the tokens after the drops and outlines');
    await frame.locator('[data-metric="tokens"] .metric-value', { hasText: withCommas(after) }).waitFor({ timeout: 20_000 });
    await waitForStatus(page, tokPattern(after));
    assert.match(await frame.locator('#drop-message').innerText(), /already fits/);
    await runCommand(page, 'Context Budget: Focus on Prompt Context View');
    const dropped = proposed.find((name, i) => isDrop(name, i));
    const outlined = proposed.find((name, i) => !isDrop(name, i));
    if (dropped) await waitForTreeCheckbox(page, path.basename(dropped), false);
    if (outlined) {
      await page
        .locator('.monaco-list-row', { hasText: path.basename(outlined) })
        .filter({ hasText: /outline · / })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
    }
    await screenshot(page, 'panel-after-apply');

    await runCommand(page, 'Context Budget: Open Panel');
    const reopened = await panelFrame(page);
    await reopened.locator('#undo').click();
    await reopened
      .locator('[data-metric="tokens"] .metric-value', { hasText: withCommas(total.promptTokens) })
      .waitFor({ timeout: 20_000 });
    if (dropped) await waitForTreeCheckbox(page, path.basename(dropped), true);
  });

  test('clicking a path opens the file in an editor', async () => {
    const frame = await panelFrame(page);
    await frame.getByRole('button', { name: 'src/module3.ts', exact: true }).click();
    await page.locator('.tabs-container .tab', { hasText: 'module3.ts' }).waitFor({ state: 'visible', timeout: 15_000 });
    await runCommand(page, 'Context Budget: Open Panel');
  });

  test('the file table sorts by tokens from the keyboard and filters by path', async () => {
    const frame = await panelFrame(page);
    const sortButton = frame.locator('button[data-sort="tokens"]');
    await sortButton.focus();
    await sortButton.press('Enter');
    const tokens = (await frame.locator('#file-table tbody tr[data-uri] td:nth-child(3)').allInnerTexts()).map((text) =>
      Number(text.replace(/,/g, '')),
    );
    assert.deepEqual(
      tokens,
      [...tokens].sort((a, b) => b - a),
    );
    assert.equal(await frame.locator('th[aria-sort="descending"] button[data-sort="tokens"]').count(), 1);
    await frame.locator('#file-filter').fill('module1');
    assert.equal(await frame.locator('#file-table tbody tr[data-uri]').count(), 1);
    await frame.locator('#file-filter').fill('');
  });

  test("the panel follows the color theme: its text takes the theme's foreground, in dark and then in light", async () => {
    await runCommand(page, 'Context Budget: Open Panel');
    let frame = await panelFrame(page);
    const colors = (target: Frame): Promise<{ text: string; foreground: string }> =>
      target.locator('[data-metric="tokens"] .metric-value').evaluate((value) => {
        const style = value.ownerDocument.defaultView!.getComputedStyle(value);
        const probe = value.ownerDocument.createElement('span');
        probe.style.color = 'var(--vscode-foreground)';
        value.ownerDocument.body.append(probe);
        const foreground = value.ownerDocument.defaultView!.getComputedStyle(probe).color;
        probe.remove();
        return { text: style.color, foreground };
      });
    const dark = await colors(frame);
    assert.equal(dark.text, dark.foreground, 'dark: the figures use the theme foreground');
    await setTheme(page, 'light');
    await runCommand(page, 'Context Budget: Open Panel');
    frame = await panelFrame(page);
    await frame.locator('[data-metric="tokens"]').waitFor({ state: 'visible' });
    const light = await colors(frame);
    assert.equal(light.text, light.foreground, 'light: the figures use the theme foreground');
    assert.notEqual(light.text, dark.text, 'the colours changed with the theme');
    await screenshot(page, 'panel-light');
  });

  test('the panel comes back after a window reload', async () => {
    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const frame = await panelFrame(page).catch(async (error: unknown) => {
      await screenshot(page, 'panel-failed-reload');
      const texts = await Promise.all(
        page.frames().map(
          async (candidate) =>
            `${candidate.url().slice(0, 80)}: ${(
              await candidate
                .locator('body')
                .innerText()
                .catch(() => '?')
            ).slice(0, 200)}`,
        ),
      );
      throw new Error(`panel not restored:\n${texts.join('\n')}`, { cause: error });
    });
    await frame.locator('[data-metric="tokens"] .metric-value', { hasText: withCommas(total.promptTokens) }).waitFor({ timeout: 60_000 });
  });
});
