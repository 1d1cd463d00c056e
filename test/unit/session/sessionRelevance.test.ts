import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveTarget } from '../../../src/core/analysis/resolveTarget';
import { framedFile, renderExport } from '../../../src/core/export/promptExport';
import type { KeptParse, ParseCache, ParsedFile } from '../../../src/core/relevance/parseCache';
import type { ParsePort } from '../../../src/core/relevance/relevanceIndex';
import { ContextCounter } from '../../../src/core/scan/contextCounter';
import type { PoolOutcome } from '../../../src/core/scan/contextCounter';
import type { TokenizerId } from '../../../src/core/tokenizer/tokenizerId';
import { scanTree } from '../../../src/core/scan/scanner';
import { statesForActions } from '../../../src/core/analysis/dropPlan';
import { fileStateOf, Selection } from '../../../src/core/selection/selection';
import { BudgetSession } from '../../../src/core/session/budgetSession';
import { defaultSettings } from '../../../src/core/settings';
import type { Settings } from '../../../src/core/settings';
import { SyntaxPool } from '../../../src/node/syntaxPool';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';
import { ScriptedPool } from '../../fakes/scriptedPool';
import { compiledSyntaxWorker, packagedWasmDir } from '../../support/treeSitter';

const words = (count: number, word = 'w'): string => Array.from({ length: count }, () => word).join(' ');

/** A TypeScript file of about `tokens` ScriptedPool tokens whose body the outline leaves out. */
function tsFile(imports: readonly string[], name: string, bodyWords: number): string {
  const head = imports.map((path) => `import { x } from '${path}';\n`).join('');
  return `${head}export function ${name}(): string {\n  return '${words(bodyWords, name)}';\n}\n`;
}

const syntax = new SyntaxPool({ workerScript: compiledSyntaxWorker, wasmDir: packagedWasmDir });
after(() => syntax.dispose());

/** The real syntax worker, counting its calls. */
function countingParser(): { parse: ParsePort; calls: string[] } {
  const calls: string[] = [];
  return { calls, parse: (path, text, signal) => (calls.push(path), syntax.parse(path, text, signal)) };
}

async function setup(files: Record<string, string>, options: { settings?: Partial<Settings>; parse?: ParsePort | null } = {}) {
  const fs = new InMemoryWorkspaceFs();
  for (const [path, text] of Object.entries(files)) fs.file(`/w/${path}`, text);
  const pool = new ScriptedPool();
  const settings = { ...defaultSettings, ...options.settings };
  const parser = options.parse === undefined ? countingParser() : null;
  const parse = options.parse === undefined ? parser!.parse : (options.parse ?? undefined);
  const session = new BudgetSession({
    selection: new Selection(),
    counter: new ContextCounter(fs, pool),
    fs,
    context: { generation: 1, settings, target: resolveTarget(settings) },
    notifyDelayMs: 0,
    ...(parse ? { parse } : {}),
  });
  const scan = await scanTree(fs, '/w', {
    excludeGlobs: [],
    respectGitignore: false,
    maxFileBytes: 1 << 20,
    maxFiles: 1000,
    skipGeneratedFiles: false,
  });
  await session.addFiles(scan.files);
  await session.whenIdle();
  return { fs, pool, session, calls: parser?.calls ?? [] };
}

const uri = (path: string): string => `/w/${path}`;

/** Installs a newer context with these settings changed (as the resolver would). */
function withSettings(session: BudgetSession, changes: Partial<Settings>): void {
  const settings = { ...session.currentSettings, ...changes };
  session.setContext({ generation: session.context.generation + 1, settings, target: resolveTarget(settings) });
}

describe('outline mode in the session', () => {
  it('an outline-mode file counts its outline exactly, framed like the prompt, and export writes that outline', async () => {
    const files = { 'src/a.ts': tsFile(['./b'], 'a', 50), 'src/b.ts': tsFile([], 'b', 80) };
    const { session } = await setup(files, { settings: { exportFraming: 'xml' } });
    const before = session.report();
    session.selection.setState([uri('src/b.ts')], 'outline');
    await session.whenIdle();
    const report = session.report();
    const row = report.files.find((file) => file.relativePath === 'src/b.ts')!;
    const outline = 'export function b(): string { ... }\n';
    assert.equal(row.mode, 'outline');
    assert.equal(row.outlineState, 'counted');
    assert.equal(row.tokens, ScriptedPool.tokensOf(framedFile('src/b.ts', outline, 'xml').text), 'the footprint is the framed outline');
    assert.equal(row.framingTokens, ScriptedPool.tokensOf(framedFile('src/b.ts', outline, 'xml').text) - ScriptedPool.tokensOf(outline));
    assert.match(row.modeNote!, /^outline of a [\d,]+-token file; the export writes the outline$/);
    assert.ok(report.promptTokens < before.promptTokens);
    assert.equal(await session.exportText(uri('src/b.ts')), outline);
    const exported = renderExport(
      await Promise.all(
        report.files.map(async (file) => ({ relativePath: file.relativePath, text: (await session.exportText(file.uri))! })),
      ),
      { format: 'xml', directoryTree: false },
    );
    assert.equal(ScriptedPool.tokensOf(exported.text), report.promptTokens, 'the export is what the budget counted');
    session.dispose();
  });

  it('a file with no outline stays outline-mode but counts in full, saying why', async () => {
    const { session } = await setup({ 'notes.md': words(40) });
    session.selection.setState([uri('notes.md')], 'outline');
    await session.whenIdle();
    const row = session.report().files[0]!;
    assert.equal(row.tokens, 40);
    assert.equal(row.outlineState, 'unavailable');
    assert.equal(row.modeNote, 'no outline (no parser for this file type): counted and exported in full');
    assert.equal(await session.exportText(uri('notes.md')), words(40));
    session.dispose();
  });

  it('without a parser, outlines and relevance say they are unavailable; the plan is size-only, labelled', async () => {
    const { session } = await setup(
      { 'a.ts': tsFile([], 'a', 30), 'b.ts': tsFile([], 'b', 60) },
      { parse: null, settings: { budgetTokens: 50 } },
    );
    session.selection.setState([uri('a.ts')], 'outline');
    await session.whenIdle();
    assert.equal(session.report().files[0]!.modeNote, 'no outline (no syntax parser is available here): counted and exported in full');
    const proposal = (await session.settledDropProposal('budget'))!;
    assert.equal(proposal.basis, 'size');
    assert.equal(proposal.basisNote, 'size-only plan: no syntax parser is available here');
    assert.ok(
      proposal.actions.every(
        (action) =>
          action.action === 'drop' && action.explanation.startsWith(`drop: saves ${action.savesTokens.toLocaleString('en-US')} tokens; `),
      ),
    );
    session.dispose();
  });

  it('when every parse fails the plan degrades to size-only and names the failure', async () => {
    const failing: ParsePort = () => Promise.reject(new Error('syntax worker exited with code 1'));
    const { session } = await setup(
      { 'a.ts': tsFile([], 'a', 30), 'b.ts': tsFile([], 'b', 60) },
      { parse: failing, settings: { budgetTokens: 50 } },
    );
    const proposal = (await session.settledDropProposal('budget'))!;
    assert.equal(proposal.basis, 'size');
    assert.equal(proposal.basisNote, 'size-only plan: the syntax parser failed: syntax worker exited with code 1');
    session.dispose();
  });
});

describe('relevance plans in the session', () => {
  const project = {
    'src/main.ts': tsFile(['./util', './api'], 'main', 40),
    'src/util.ts': tsFile(['./deep'], 'util', 120),
    'src/deep.ts': tsFile([], 'deep', 200),
    'src/api.ts': tsFile([], 'api', 150),
    'src/other.ts': tsFile([], 'other', 150),
    'src/main.test.ts': tsFile(['./main'], 'mainTest', 60),
    'package-lock.json': `{ "lockfileVersion": 3, "packages": "${words(300, 'pkg')}" }`,
  };

  it('drops the unrelated and the noise before anything the focus file imports, and explains each action', async () => {
    const { session } = await setup(project);
    session.selection.setFocus([uri('src/main.ts')], true);
    const total = session.report().promptTokens;
    // Room for everything but the lockfile and src/other.ts.
    const lockAndOther = ['package-lock.json', 'src/other.ts'].reduce(
      (sum, path) => sum + session.report().files.find((file) => file.relativePath === path)!.tokens!,
      0,
    );
    withSettings(session, { budgetTokens: total - lockAndOther });
    const proposal = (await session.settledDropProposal('budget'))!;
    assert.equal(proposal.basis, 'relevance');
    assert.equal(proposal.basisNote, '');
    assert.equal(proposal.relevancePending, false);
    const byPath = new Map(proposal.actions.map((action) => [action.relativePath, action]));
    assert.deepEqual([...byPath.keys()].sort(), ['package-lock.json', 'src/other.ts']);
    assert.equal(
      byPath.get('package-lock.json')!.explanation,
      `drop: saves ${byPath.get('package-lock.json')!.savesTokens.toLocaleString('en-US')} tokens; not imported by any focus file; lockfile (\`package-lock.json\`)`,
    );
    assert.match(
      byPath.get('src/other.ts')!.explanation,
      /^(drop: saves [\d,]+ tokens|outline: saves [\d,]+ tokens, keeps the API visible); not imported by any focus file$/,
    );
    assert.equal(proposal.outcome.kind, 'met');
    session.dispose();
  });
});

describe('a settled plan with framing and a directory tree', () => {
  it('its after figures count the tree of the files it keeps, even when a size-only plan would keep others', async () => {
    const project = {
      'src/main.ts': tsFile(['./util'], 'main', 40),
      'src/util.ts': tsFile([], 'util', 200),
      'src/other.ts': tsFile([], 'other', 120),
      'src/extra.ts': tsFile([], 'extra', 60),
    };
    const { session } = await setup(project, { settings: { exportFraming: 'xml', exportDirectoryTree: true } });
    session.selection.setFocus([uri('src/main.ts')], true);
    await session.whenIdle();
    const rows = session.report().files;
    const tokensOf = (path: string): number => rows.find((file) => file.relativePath === path)!.tokens!;
    // Room for all but about util.ts: a size-only plan drops the largest file, relevance keeps what main imports.
    withSettings(session, { budgetTokens: session.report().promptTokens - tokensOf('src/util.ts') + 5 });
    await session.whenIdle();
    const sizeOnly = session.proposeDrops('budget')!;
    assert.equal(sizeOnly.basis, 'size');
    const proposal = (await session.settledDropProposal('budget'))!;
    assert.equal(proposal.basis, 'relevance');
    const dropped = (plan: typeof proposal): string[] => plan.actions.map((action) => action.relativePath).sort();
    assert.notDeepEqual(dropped(proposal), dropped(sizeOnly), 'the two plans keep different files');
    assert.equal(proposal.after!.framing!.pending, false, 'every figure after the plan is counted, the smaller tree included');
    // The figures it shows are the ones the prompt has once it is applied.
    session.selection.setStates(statesForActions(proposal.actions));
    await session.whenIdle();
    assert.equal(session.report().promptTokens, proposal.after!.promptTokens);
    session.dispose();
  });
});

describe('relevance state in the session', () => {
  const files = {
    'src/main.ts': tsFile(['./util'], 'main', 40),
    'src/util.ts': tsFile([], 'util', 120),
    'src/other.ts': tsFile([], 'other', 150),
  };

  it('a plan asked before parsing is size-only and says it is pending; the settled one weighs relevance', async () => {
    const { session } = await setup(files, { settings: { budgetTokens: 100 } });
    const first = session.proposeDrops('budget')!;
    assert.equal(first.basis, 'size');
    assert.equal(first.relevancePending, true);
    assert.match(first.basisNote, /^size-only plan for now: finding imports and outlines \(0 of 3 files ready\)$/);
    const settled = (await session.settledDropProposal('budget'))!;
    assert.equal(settled.basis, 'relevance');
    assert.equal(settled.relevancePending, false);
    session.dispose();
  });

  it('no plan needed, no parsing: a prompt within its limits never starts the parser', async () => {
    const { session, calls } = await setup(files);
    assert.equal((await session.settledDropProposal('window'))!.neededTokens, 0);
    assert.deepEqual(calls, []);
    session.dispose();
  });

  it('an edit re-parses only the edited file, and the plan follows the new imports', async () => {
    const { session, calls } = await setup(files, { settings: { budgetTokens: 100 } });
    session.selection.setFocus([uri('src/main.ts')], true);
    const before = (await session.settledDropProposal('budget'))!;
    assert.equal(calls.length, 3);
    assert.match(
      before.actions.find((action) => action.relativePath === 'src/util.ts')!.explanation,
      /; imported by focus file src\/main\.ts$/,
    );
    await session.bufferChanged(uri('src/main.ts'), tsFile(['./other'], 'main', 40));
    const after = (await session.settledDropProposal('budget'))!;
    assert.deepEqual(calls.slice(3), ['src/main.ts'], 'only the edited file parsed again');
    assert.match(
      after.actions.find((action) => action.relativePath === 'src/other.ts')!.explanation,
      /; imported by focus file src\/main\.ts$/,
      'other.ts is now in the closure',
    );
    const util = after.actions.find((action) => action.relativePath === 'src/util.ts')!;
    assert.match(util.explanation, /; not imported by any focus file$/);
    session.dispose();
  });

  it('the active editor and git-changed files are anchors; a recent commit makes a file "recent"', async () => {
    const { session } = await setup(files, { settings: { budgetTokens: 100 } });
    session.setActiveEditor(uri('src/main.ts'));
    session.setRecentlyCommitted([uri('src/other.ts')]);
    const proposal = (await session.settledDropProposal('budget'))!;
    const byPath = new Map(proposal.actions.map((action) => [action.relativePath, action]));
    assert.match(byPath.get('src/util.ts')!.explanation, /; imported by active file src\/main\.ts$/);
    assert.match(byPath.get('src/other.ts')!.explanation, /; not imported by any focus, open or changed file$/);
    assert.equal(session.report().files.find((file) => file.relativePath === 'src/other.ts')!.recent, true);
    session.setActiveEditor(null);
    session.setChangedFiles([uri('src/other.ts')]);
    const changed = (await session.settledDropProposal('budget'))!;
    const changedByPath = new Map(changed.actions.map((action) => [action.relativePath, action]));
    assert.match(
      changedByPath.get('src/util.ts')!.explanation,
      /; not imported by any focus, open or changed file$/,
      'the active editor is no anchor any more',
    );
    assert.match(
      changedByPath.get('src/other.ts')?.explanation ?? 'kept',
      /^(kept|.*; changed in git)$/,
      'a changed file is an anchor, dropped last',
    );
    session.dispose();
  });

  it('applying a proposal outlines and drops as proposed; undo restores each file; the same files give the same plan', async () => {
    const big = { ...files, 'src/big.ts': tsFile([], 'big', 600) };
    const first = await setup(big, { settings: { budgetTokens: 500 } });
    const second = await setup(Object.fromEntries(Object.entries(big).reverse()), { settings: { budgetTokens: 500 } });
    const proposal = (await first.session.settledDropProposal('budget'))!;
    const again = (await second.session.settledDropProposal('budget'))!;
    assert.deepEqual(
      again.actions.map((action) => [action.relativePath, action.action, action.savesTokens, action.explanation]),
      proposal.actions.map((action) => [action.relativePath, action.action, action.savesTokens, action.explanation]),
      'deterministic',
    );
    const { session } = first;
    const previous = session.selection.setStates(statesForActions(proposal.actions));
    await session.whenIdle();
    assert.equal(session.report().promptTokens, proposal.after!.promptTokens, 'the applied plan gives the figures it showed');
    for (const action of proposal.actions) {
      assert.equal(fileStateOf(session.selection.get(action.uri)!), action.action === 'outline' ? 'outline' : 'dropped');
    }
    session.selection.setStates(previous);
    assert.ok(proposal.actions.every((action) => fileStateOf(session.selection.get(action.uri)!) === 'full'));
    first.session.dispose();
    second.session.dispose();
  });
});

describe('parses kept between sessions (the persistent cache)', () => {
  /** A parse cache in memory, recording what was looked up and kept. */
  function memoryParseCache(): ParseCache & { kept: Map<string, ParsedFile>; records: string[]; withheld: string[] } {
    const kept = new Map<string, ParsedFile>();
    const records: string[] = [];
    const withheld: string[] = [];
    return {
      kept,
      records,
      withheld,
      // A parse whose outline text was withheld comes back with its outline's hash only, as from the disk.
      lookup: async (contentKey, path) => {
        const parsed = kept.get(`${contentKey}|${path}`);
        if (!withheld.includes(path) || parsed?.outcome.kind !== 'parsed') return parsed;
        const outline = { sha256: `text:${parsed.outcome.syntax.outline}`, text: () => undefined };
        return { ...parsed, outcome: { kind: 'parsed', syntax: { ...parsed.outcome.syntax, outline } } };
      },
      record: (contentKey, path, parsed, options) => {
        records.push(path);
        if (options?.withholdOutlineText === true) withheld.push(path);
        kept.set(`${contentKey}|${path}`, parsed);
      },
    };
  }
  // ScriptedPool's content "hash" is `<kind>:<text>`: the session must hash what it reads the same way.
  const scriptedHash = (content: Uint8Array | string): string =>
    typeof content === 'string' ? `text:${content}` : `bytes:${new TextDecoder().decode(content)}`;

  async function session(fs: InMemoryWorkspaceFs, cache: ParseCache, parser: { parse: ParsePort }, pool = new ScriptedPool()) {
    const settings = { ...defaultSettings, budgetTokens: 30 };
    const made = new BudgetSession({
      selection: new Selection(),
      counter: new ContextCounter(fs, pool),
      fs,
      context: { generation: 1, settings, target: resolveTarget(settings) },
      notifyDelayMs: 0,
      parse: parser.parse,
      parseCache: cache,
      contentHash: scriptedHash,
    });
    const scan = await scanTree(fs, '/w', { excludeGlobs: [], respectGitignore: false, maxFileBytes: 1 << 20, maxFiles: 1000 });
    await made.addFiles(scan.files);
    await made.whenIdle();
    return made;
  }

  it('a second session takes every parse from the cache: no read, no parse, the same plan', async () => {
    const fs = new InMemoryWorkspaceFs()
      .file('/w/src/a.ts', tsFile(['./b'], 'a', 30))
      .file('/w/src/b.ts', tsFile([], 'b', 40))
      .file('/w/notes.md', words(20));
    const cache = memoryParseCache();
    const firstParser = countingParser();
    const first = await session(fs, cache, firstParser);
    const firstPlan = await first.settledDropProposal('budget');
    first.dispose();
    assert.deepEqual(firstParser.calls.sort(), ['src/a.ts', 'src/b.ts']);
    assert.deepEqual(cache.records.sort(), ['notes.md', 'src/a.ts', 'src/b.ts'], 'unparsable files keep their kind signals too');

    const secondParser = countingParser();
    const second = await session(fs, cache, secondParser);
    const readsBefore = fs.calls.readFile.length;
    const secondPlan = await second.settledDropProposal('budget');
    assert.deepEqual(secondParser.calls, [], 'nothing parsed');
    assert.equal(fs.calls.readFile.length, readsBefore, 'nothing read again for relevance');
    assert.deepEqual(secondPlan, firstPlan);
    second.dispose();
  });

  /**
   * A parse cache that answers as the persistent one does: each outline kept (not restored), found by
   * its hash (ScriptedPool's `text:<text>`); `restores` counts the texts asked for, `restorable` decides
   * whether a kept outline restores.
   */
  function keptParseCache(): ParseCache & { records: string[]; restores: string[]; restorable: boolean } {
    const memory = memoryParseCache();
    const cache = {
      records: memory.records,
      restores: [] as string[],
      restorable: true,
      record: memory.record,
      lookup: async (contentKey: string, path: string): Promise<KeptParse | undefined> => {
        const parsed = memory.kept.get(`${contentKey}|${path}`);
        if (parsed === undefined || parsed.outcome.kind !== 'parsed') return parsed as KeptParse | undefined;
        const outline = parsed.outcome.syntax.outline;
        const text = (): string | undefined => (cache.restores.push(path), cache.restorable ? outline : undefined);
        return {
          ...parsed,
          outcome: { kind: 'parsed', syntax: { ...parsed.outcome.syntax, outline: { sha256: `text:${outline}`, text } } },
        };
      },
    };
    return cache;
  }

  /** A ScriptedPool that also remembers what it counted, as the persistent count cache does, and answers by hash. */
  class RememberingPool extends ScriptedPool {
    readonly known = new Map<string, PoolOutcome>();
    readonly knownAsked: string[] = [];
    override async countText(text: string, tokenizer: TokenizerId, signal?: AbortSignal): Promise<PoolOutcome> {
      const outcome = await super.countText(text, tokenizer as 'o200k_base', signal);
      if (outcome.kind === 'counted') this.known.set(`${tokenizer}|${outcome.contentHash}`, outcome);
      return outcome;
    }
    async countKnown(source: 'bytes' | 'text', contentHash: string, tokenizer: TokenizerId): Promise<PoolOutcome | undefined> {
      this.knownAsked.push(contentHash);
      return source === 'text' ? this.known.get(`${tokenizer}|${contentHash}`) : undefined;
    }
  }

  it("a cached parse's outline is counted by its hash: a plan restores no outline text; outline mode restores that file's", async () => {
    const fs = new InMemoryWorkspaceFs()
      .file('/w/src/a.ts', tsFile(['./b'], 'a', 30))
      .file('/w/src/b.ts', tsFile([], 'b', 40))
      .file('/w/src/c.ts', tsFile(['./b'], 'c', 25))
      .file('/w/notes.md', words(20));
    const cache = keptParseCache();
    const pool = new RememberingPool();
    const first = await session(fs, cache, countingParser(), pool);
    const firstPlan = await first.settledDropProposal('budget');
    first.dispose();
    assert.ok(firstPlan && firstPlan.actions.length > 0, 'the plan has something to weigh');

    const textCountsBefore = pool.calls.filter((call) => call.kind === 'text').length;
    const secondParser = countingParser();
    const second = await session(fs, cache, secondParser, pool);
    const secondPlan = await second.settledDropProposal('budget');
    assert.deepEqual(secondPlan, firstPlan);
    assert.deepEqual(secondParser.calls, [], 'nothing parsed');
    assert.deepEqual(cache.restores, [], 'no outline restored');
    assert.equal(pool.calls.filter((call) => call.kind === 'text').length, textCountsBefore, 'no outline counted again');
    assert.equal(pool.knownAsked.length, 3, 'each outline found by its hash');

    // Outline mode exports the outline: that file's text, and only that one, is restored.
    second.selection.setState([uri('src/b.ts')], 'outline');
    await second.whenIdle();
    assert.deepEqual(cache.restores, ['src/b.ts']);
    assert.equal(await second.exportText(uri('src/b.ts')), 'export function b(): string { ... }\n');
    assert.deepEqual(cache.restores, ['src/b.ts'], 'restored once');
    second.dispose();
  });

  it('a kept outline that does not restore is parsed again: the same plan, the same outline exported', async () => {
    const fs = new InMemoryWorkspaceFs()
      .file('/w/src/a.ts', tsFile(['./b'], 'a', 30))
      .file('/w/src/b.ts', tsFile([], 'b', 40))
      .file('/w/notes.md', words(20));
    const cache = keptParseCache();
    const first = await session(fs, cache, countingParser());
    const firstPlan = await first.settledDropProposal('budget');
    first.dispose();

    cache.restorable = false;
    // A fresh pool knows no outline counts: each outline's text is needed, does not restore, and the file is parsed again.
    const parser = countingParser();
    const second = await session(fs, cache, parser);
    assert.deepEqual(await second.settledDropProposal('budget'), firstPlan);
    assert.deepEqual(parser.calls.sort(), ['src/a.ts', 'src/b.ts']);
    assert.deepEqual(cache.restores.sort(), ['src/a.ts', 'src/b.ts']);
    second.dispose();

    // In outline mode, straight from the cache.
    const third = await session(fs, cache, countingParser(), new RememberingPool());
    third.selection.setState([uri('src/a.ts')], 'outline');
    await third.whenIdle();
    assert.equal(await third.exportText(uri('src/a.ts')), "import { x } from './b';\nexport function a(): string { ... }\n");
    assert.equal(third.report().files.find((file) => file.relativePath === 'src/a.ts')!.mode, 'outline');
    third.dispose();
  });

  it('a file that changed between its count and its parse is not kept under the old content', async () => {
    const fs = new InMemoryWorkspaceFs().file('/w/a.ts', tsFile([], 'a', 30)).file('/w/b.ts', tsFile([], 'b', 40));
    const cache = memoryParseCache();
    const first = await session(fs, cache, countingParser());
    // Changed on disk after the count, with no watcher event: the parse reads the new text.
    fs.file('/w/a.ts', tsFile([], 'changed', 10));
    await first.settledDropProposal('budget');
    first.dispose();
    assert.deepEqual(cache.records, ['b.ts'], 'a.ts was parsed from other content than it was counted from');
  });

  it("a file with a likely secret keeps its parse without its outline's text: a plan needs no parse, its outline does", async () => {
    const keysText = `export const key = 'AKIAIOSFODNN7EXAMPLE';\n${tsFile([], 'k', 30)}`;
    const fs = new InMemoryWorkspaceFs().file('/w/keys.ts', keysText).file('/w/b.ts', tsFile([], 'b', 40));
    const cache = memoryParseCache();
    const pool = new RememberingPool();
    pool.secretsOf = (text) => (text.includes('AKIA') ? ['AWS access key ID'] : []);
    const parser = countingParser();
    const first = await session(fs, cache, parser, pool);
    const firstPlan = await first.settledDropProposal('budget');
    first.dispose();
    assert.deepEqual(parser.calls.sort(), ['b.ts', 'keys.ts']);
    assert.deepEqual(cache.records.sort(), ['b.ts', 'keys.ts']);
    assert.deepEqual(cache.withheld, ['keys.ts'], 'only the file with a secret has its outline text withheld');

    const secondParser = countingParser();
    const second = await session(fs, cache, secondParser, pool);
    assert.deepEqual(await second.settledDropProposal('budget'), firstPlan);
    assert.deepEqual(secondParser.calls, [], "the outline's count is found by its hash");
    second.selection.setState([uri('keys.ts')], 'outline');
    await second.whenIdle();
    assert.deepEqual(secondParser.calls, ['keys.ts'], 'its outline text is had by parsing it again');
    assert.match(
      (await second.exportText(uri('keys.ts')))!,
      /^export const key = 'AKIAIOSFODNN7EXAMPLE';\nexport function k\(\): string \{ \.\.\. \}\n$/,
    );
    second.dispose();
  });
});
