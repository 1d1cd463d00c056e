import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTarget } from '../../../src/core/analysis/resolveTarget';
import type { ResolvedTarget } from '../../../src/core/analysis/resolveTarget';
import { framedFile, renderExport, treeBlock } from '../../../src/core/export/promptExport';
import { findModel } from '../../../src/core/model/catalog';
import { ContextCounter } from '../../../src/core/scan/contextCounter';
import { scanTree } from '../../../src/core/scan/scanner';
import { Selection } from '../../../src/core/selection/selection';
import { BudgetContextResolver } from '../../../src/core/session/budgetContext';
import type { BudgetContext } from '../../../src/core/session/budgetContext';
import { BudgetSession } from '../../../src/core/session/budgetSession';
import { defaultSettings } from '../../../src/core/settings';
import type { Settings } from '../../../src/core/settings';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';
import { ScriptedPool } from '../../fakes/scriptedPool';

const words = (count: number, word = 'w'): string => Array.from({ length: count }, () => word).join(' ');

function contextFor(settings: Settings, generation = 1): BudgetContext {
  return { generation, settings, target: resolveTarget(settings) };
}

async function setup(files: Record<string, string>, settings: Settings = defaultSettings) {
  const fs = new InMemoryWorkspaceFs();
  for (const [path, text] of Object.entries(files)) fs.file(path, text);
  const pool = new ScriptedPool();
  const logged: string[] = [];
  const session = new BudgetSession({
    selection: new Selection(),
    counter: new ContextCounter(fs, pool),
    fs,
    context: contextFor(settings),
    notifyDelayMs: 0,
    log: (message) => logged.push(message),
  });
  return { fs, pool, session, logged };
}

async function addAll(session: BudgetSession, fs: InMemoryWorkspaceFs): Promise<void> {
  const scan = await scanTree(fs, '/w', { excludeGlobs: [], respectGitignore: false, maxFileBytes: 1 << 20, maxFiles: 1000 });
  await session.addFiles(scan.files);
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('BudgetSession', () => {
  it('counts added files once, without statting what the scanner already statted, and totals them in prompt order', async () => {
    const { fs, pool, session } = await setup({ '/w/a.ts': words(10), '/w/b.ts': words(5) });
    await addAll(session, fs);
    const statsAfterScan = fs.calls.stat.length;
    const report = session.report();
    assert.equal(report.promptTokens, 15);
    assert.deepEqual(
      report.files.map((file) => [file.relativePath, file.range]),
      [
        ['a.ts', { start: 0, end: 10 }],
        ['b.ts', { start: 10, end: 15 }],
      ],
    );
    assert.equal(pool.calls.length, 2, 'each file counted once');
    assert.deepEqual(fs.calls.readFile.sort(), ['/w/a.ts', '/w/b.ts']);
    await session.whenIdle();
    assert.equal(fs.calls.stat.length, statsAfterScan, "the scanner's stats were reused, not repeated");
  });

  it('an older unsaved-buffer count that finishes last never replaces a newer one', async () => {
    const { fs, pool, session } = await setup({ '/w/a.ts': words(3) });
    await addAll(session, fs);
    const release = pool.hold((call) => call.text === words(100));
    const older = session.bufferChanged('/w/a.ts', words(100));
    const newer = session.bufferChanged('/w/a.ts', words(7));
    await newer;
    assert.equal(session.report().promptTokens, 7);
    release();
    await older;
    await session.whenIdle();
    assert.equal(session.report().promptTokens, 7, 'the keystroke before the last one does not win');
  });

  it('a buffer count still in flight when the editor is saved does not come back', async () => {
    const { fs, pool, session } = await setup({ '/w/a.ts': words(3) });
    await addAll(session, fs);
    const release = pool.hold((call) => call.text === words(50));
    const pending = session.bufferChanged('/w/a.ts', words(50));
    await tick();
    session.bufferClosed('/w/a.ts');
    release();
    await pending;
    assert.equal(session.report().promptTokens, 3, 'the disk count applies after the buffer closed');
  });

  it('a disk recount that finishes after a newer one is dropped', async () => {
    const { fs, pool, session } = await setup({ '/w/a.ts': words(3) });
    await addAll(session, fs);
    fs.file('/w/a.ts', words(40), 2);
    const release = pool.hold((call) => call.text === words(40));
    const first = session.fileChanged('/w/a.ts');
    await tick();
    await tick();
    fs.file('/w/a.ts', words(9), 3);
    await session.fileChanged('/w/a.ts');
    assert.equal(session.report().promptTokens, 9);
    release();
    await first;
    await session.whenIdle();
    assert.equal(session.report().promptTokens, 9, 'the stale 40-word count never lands');
  });

  it('a worker failure becomes a skipped file with the reason; nothing stays "counting" and the rest is counted', async () => {
    const { fs, pool, session } = await setup({ '/w/a.ts': words(4), '/w/crash.ts': 'boom boom' });
    pool.failWhen((call) => call.text.startsWith('boom'));
    await addAll(session, fs);
    await session.whenIdle();
    const report = session.report();
    const crashed = report.files.find((file) => file.relativePath === 'crash.ts')!;
    assert.equal(crashed.status, 'skipped');
    assert.match(crashed.skipMessage!, /could not be counted: .*worker exited with code 1/);
    assert.equal(report.counts.pending, 0);
    assert.equal(report.promptTokens, 4);
    assert.equal(session.progress, null);
  });

  it("switching tokenizer recounts every file with it, and an old tokenizer's late result is dropped", async () => {
    const { fs, pool, session } = await setup({ '/w/a.ts': words(6) });
    await addAll(session, fs);
    fs.file('/w/a.ts', words(6), 2);
    const release = pool.hold((call) => call.encoding === 'o200k_base');
    const stale = session.fileChanged('/w/a.ts');
    await tick();
    await tick();
    session.setContext(contextFor({ ...defaultSettings, tokenizer: 'cl100k_base' }, 2));
    // Wait for the cl100k count only (whenIdle would wait for the held o200k one too).
    for (let i = 0; i < 50 && session.report().promptTokens !== 12; i++) await tick();
    assert.equal(session.report().promptTokens, 12);
    release();
    await stale;
    await session.whenIdle();
    assert.equal(session.report().promptTokens, 12, 'the o200k count that finished last is not installed');
    assert.equal(session.report().tokenizer.id, 'cl100k_base');
  });

  it('an older context snapshot never replaces a newer one', async () => {
    const { session } = await setup({});
    session.setContext(contextFor({ ...defaultSettings, budgetTokens: 500 }, 5));
    session.setContext(contextFor({ ...defaultSettings, budgetTokens: 100 }, 4));
    assert.equal(session.currentSettings.budgetTokens, 500);
    assert.equal(session.context.generation, 5);
  });

  it('with framing, each file weighs as exported: the drop plan saves footprints and the after figures count the smaller tree', async () => {
    const settings: Settings = { ...defaultSettings, exportFraming: 'xml', exportDirectoryTree: true, budgetTokens: 25 };
    const files = { '/w/a.ts': words(12, 'alpha'), '/w/b.ts': words(8, 'beta'), '/w/c.ts': words(3, 'gamma') };
    const { fs, session } = await setup(files, settings);
    await addAll(session, fs);
    await session.whenIdle();
    const report = session.report();
    const exported = renderExport(
      Object.entries(files).map(([path, text]) => ({ relativePath: path.slice(3), text })),
      { format: 'xml', directoryTree: true },
    );
    assert.equal(
      report.promptTokens,
      ScriptedPool.tokensOf(treeBlock(['a.ts', 'b.ts', 'c.ts'], 'xml')) +
        Object.entries(files).reduce((sum, [path, text]) => sum + ScriptedPool.tokensOf(framedFile(path.slice(3), text, 'xml').text), 0),
    );
    assert.ok(exported.text.includes('<file path="a.ts">'));
    const proposal = await session.settledDropProposal('budget');
    assert.ok(proposal);
    for (const drop of proposal.actions) {
      const row = report.files.find((file) => file.uri === drop.uri)!;
      assert.equal(drop.savesTokens, row.tokens, `${drop.relativePath} saves its footprint (content + framing)`);
      assert.ok(row.framingTokens! > 0);
    }
    const kept = Object.keys(files)
      .filter((path) => !proposal.actions.some((drop) => drop.uri === path))
      .map((path) => path.slice(3));
    const expectedAfter =
      ScriptedPool.tokensOf(treeBlock(kept, 'xml')) +
      kept.reduce((sum, name) => sum + ScriptedPool.tokensOf(framedFile(name, files[`/w/${name}` as keyof typeof files], 'xml').text), 0);
    assert.equal(
      proposal.after!.promptTokens,
      expectedAfter,
      'after figures are the report rebuilt without the drops, smaller tree included',
    );
    assert.equal(proposal.outcome.kind, proposal.after!.promptTokens <= 25 ? 'met' : 'over');
  });

  it('the directory-tree count is keyed by tokenizer: switching encoding counts the tree again', async () => {
    const settings: Settings = { ...defaultSettings, exportFraming: 'markdown', exportDirectoryTree: true };
    const { fs, pool, session } = await setup({ '/w/a.ts': words(2) }, settings);
    await addAll(session, fs);
    await session.whenIdle();
    session.report();
    await session.whenIdle();
    const tree = treeBlock(['a.ts'], 'markdown');
    assert.equal(session.report().framing!.treeTokens, ScriptedPool.tokensOf(tree));
    session.setContext(contextFor({ ...settings, tokenizer: 'cl100k_base' }, 2));
    await session.whenIdle();
    session.report();
    await session.whenIdle();
    assert.equal(session.report().framing!.treeTokens, ScriptedPool.tokensOf(tree, 'cl100k_base'));
    assert.ok(pool.calls.some((call) => call.text === tree && call.encoding === 'cl100k_base'));
  });

  it('a file that cannot be read again for its framing is skipped with the reason, not left pending', async () => {
    const settings: Settings = { ...defaultSettings, exportFraming: 'xml' };
    const { fs, session } = await setup({ '/w/a.ts': words(2), '/w/gone.ts': words(2) }, settings);
    const scan = await scanTree(fs, '/w', { excludeGlobs: [], respectGitignore: false, maxFileBytes: 1 << 20, maxFiles: 10 });
    const added = session.addFiles(scan.files);
    fs.vanishing.add('/w/gone.ts');
    await added;
    await session.whenIdle();
    const row = session.report().files.find((file) => file.relativePath === 'gone.ts')!;
    assert.ok(row.status === 'skipped', `status ${row.status}`);
    assert.equal(session.report().counts.pending, 0);
  });
});

describe('BudgetContextResolver', () => {
  it('a slow resolution of an earlier setting never installs over a later one', async () => {
    const gates = new Map<string, () => void>();
    const resolve = async (settings: Settings): Promise<ResolvedTarget> => {
      await new Promise<void>((done) => gates.set(settings.model, done));
      return resolveTarget(settings);
    };
    const resolver = new BudgetContextResolver(resolve, contextFor(defaultSettings, 0));
    const installed: string[] = [];
    resolver.onDidChange((snapshot) => installed.push(snapshot.target.model.id));
    const slow = resolver.update({ ...defaultSettings, model: 'llama-3.1-8b' });
    const fast = resolver.update({ ...defaultSettings, model: 'qwen3-8b' });
    gates.get('qwen3-8b')!();
    assert.equal((await fast)?.target.model.id, 'qwen3-8b');
    gates.get('llama-3.1-8b')!();
    assert.equal(await slow, undefined, 'superseded');
    assert.deepEqual(installed, ['qwen3-8b']);
    assert.equal(resolver.current.target.model.id, 'qwen3-8b');
    assert.equal(resolver.current.settings.model, 'qwen3-8b', 'settings and target come from the same snapshot');
    assert.ok(findModel('qwen3-8b'));
  });

  it('a resolver that throws keeps the previous target and reports the error', async () => {
    const errors: unknown[] = [];
    const resolver = new BudgetContextResolver(
      async () => {
        throw new Error('bug');
      },
      contextFor(defaultSettings, 0),
      (error) => errors.push(error),
    );
    const snapshot = await resolver.update({ ...defaultSettings, budgetTokens: 9 });
    assert.equal(snapshot?.settings.budgetTokens, 9);
    assert.equal(snapshot?.target.model.id, defaultSettings.model);
    assert.equal(errors.length, 1);
  });
});
