// The CLI's context sources end to end, in a real git repository: --changed[=REF], --set NAME,
// --outline GLOB, the plan's actions and explanations, and lockfiles left out of folder adds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { get_encoding } from 'tiktoken';
import { runCli } from '../../../src/cli/main';
import { testParser } from '../../support/treeSitter';

async function run(args: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (err += text + '\n'), cwd });
  return { code, out, err };
}

interface FilesJson {
  promptTokens: number;
  files: {
    path: string;
    status: string;
    mode: string;
    modeNote: string | null;
    tokens: number | null;
    focus: boolean;
    pinned: boolean;
    range: { start: number } | null;
  }[];
  skipped: { path: string; reason: string; message: string }[];
  dropPlan: null | {
    basis: string;
    basisNote: string;
    actions: { path: string; action: string; savesTokens: number; keptTokens: number; explanation: string }[];
    drops: { path: string }[];
  };
}

const body = (name: string, words: number): string =>
  `export function ${name}(): string {\n  return '${Array.from({ length: words }, () => name).join(' ')}';\n}\n`;

let gitAvailable = true;
try {
  execFileSync('git', ['--version']);
} catch {
  gitAvailable = false;
}

describe('CLI context sources in a real git repository', { skip: gitAvailable ? false : 'git is not installed' }, () => {
  let dir = '';
  const git = (...args: string[]): string =>
    execFileSync('git', args, {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: '1',
        HOME: dir,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    });
  const write = (relative: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
    writeFileSync(path.join(dir, relative), text);
  };

  before(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'cb-cli-ctx-')));
    git('init', '-q', '-b', 'main');
    write('src/main.ts', `import { util } from './util';\n${body('main', 30)}`);
    write('src/util.ts', body('util', 200));
    write('src/other.ts', body('other', 400));
    write('package-lock.json', `{ "lockfileVersion": 3, "x": "${'pkg '.repeat(500)}" }\n`);
    git('add', '.');
    git('commit', '-qm', 'base');
    git('checkout', '-q', '-b', 'feature');
    write('src/util.ts', body('util', 210));
    git('commit', '-qam', 'util on the branch');
    write('src/main.ts', `import { util } from './util';\n${body('main', 31)}`);
    write('src/new.ts', body('fresh', 10));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('--changed adds the working-tree changes only; --changed=main adds what the branch committed too', async () => {
    const workingTree = JSON.parse((await run(['--changed', '--json'], dir)).out) as FilesJson;
    assert.deepEqual(
      workingTree.files.map((file) => file.path),
      ['src/main.ts', 'src/new.ts'],
    );
    const sinceMain = JSON.parse((await run(['--changed=main', '--json'], dir)).out) as FilesJson;
    assert.deepEqual(
      sinceMain.files.map((file) => file.path),
      ['src/main.ts', 'src/new.ts', 'src/util.ts'],
    );
    const bad = await run(['--changed=no-such-branch'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--changed=no-such-branch: cannot compare with "no-such-branch"/);
    const swallowed = await run(['--changed', 'main'], dir);
    assert.equal(swallowed.code, 2);
    assert.match(swallowed.err, /no such file or folder: main \(to compare with a branch or commit, write --changed=main\)/);
  });

  it('a folder add leaves the lockfile out with its reason; --include-generated-files keeps it', async () => {
    const json = JSON.parse((await run(['.', '--json'], dir)).out) as FilesJson;
    assert.ok(!json.files.some((file) => file.path === 'package-lock.json'));
    assert.deepEqual(
      json.skipped.filter((entry) => entry.path === 'package-lock.json').map((entry) => entry.reason),
      ['lockfile'],
    );
    const all = JSON.parse((await run(['.', '--json', '--include-generated-files'], dir)).out) as FilesJson;
    assert.ok(all.files.some((file) => file.path === 'package-lock.json'));
  });

  it('--outline counts matching files as their outline, exactly (o200k_base over the outline text)', async () => {
    const json = JSON.parse((await run(['src', '--outline', 'src/other.ts', '--json'], dir)).out) as FilesJson;
    const row = json.files.find((file) => file.path === 'src/other.ts')!;
    const outline = (await testParser().parse('src/other.ts', body('other', 400)))!.outline;
    assert.equal(outline, 'export function other(): string { ... }\n');
    const encoding = get_encoding('o200k_base');
    try {
      assert.equal(row.tokens, encoding.encode(outline).length);
    } finally {
      encoding.free();
    }
    assert.equal(row.mode, 'outline');
    assert.match(row.modeNote!, /^outline of a [\d,]+-token file; the export writes the outline$/);
    assert.equal(json.files.find((file) => file.path === 'src/util.ts')!.mode, 'full');
  });

  it("a plan weighs relevance: the focus file's imports stay, and every action is explained", async () => {
    const all = JSON.parse((await run(['.', '--json', '--include-generated-files'], dir)).out) as FilesJson;
    const tokensOf = (name: string): number => all.files.find((file) => file.path === name)!.tokens!;
    const budget = all.promptTokens - tokensOf('package-lock.json') - tokensOf('src/other.ts');
    const { code, out } = await run(
      ['.', '--json', '--include-generated-files', '--focus', 'src/main.ts', '--budget', String(budget), '--target', 'budget'],
      dir,
    );
    assert.equal(code, 1, 'over the budget before the plan');
    const plan = (JSON.parse(out) as FilesJson).dropPlan!;
    assert.equal(plan.basis, 'relevance');
    assert.deepEqual(plan.actions.map((action) => action.path).sort(), ['package-lock.json', 'src/other.ts']);
    const lock = plan.actions.find((action) => action.path === 'package-lock.json')!;
    assert.equal(
      lock.explanation,
      `drop: saves ${lock.savesTokens.toLocaleString('en-US')} tokens; not imported by any focus, open or changed file; lockfile (\`package-lock.json\`)`,
    );
    for (const action of plan.actions) {
      assert.match(action.explanation, /^(drop: saves [\d,]+ tokens|outline: saves [\d,]+ tokens, keeps the API visible); /);
    }
    const text = (
      await run(['.', '--include-generated-files', '--focus', 'src/main.ts', '--budget', String(budget), '--target', 'budget'], dir)
    ).out;
    assert.ok(text.includes(`  package-lock.json: ${lock.explanation}`), text);
  });

  it('--set restores a saved set from .context-budget.json in a folder above: modes, focus, pins and order; missing files listed', async () => {
    write(
      '.context-budget.json',
      JSON.stringify({
        version: 1,
        sets: [
          {
            name: 'review',
            ordered: true,
            files: [
              { path: 'src/other.ts', mode: 'outline' },
              { path: 'src/main.ts', focus: true },
              { path: 'src/util.ts', pinned: true, mode: 'dropped' },
              { path: 'src/gone.ts' },
              { path: '../escape.ts' },
            ],
          },
        ],
      }),
    );
    const sub = path.join(dir, 'src');
    const { out, err } = await run(['--set', 'review', '--json'], sub);
    const json = JSON.parse(out) as FilesJson;
    assert.deepEqual(
      json.files.map((file) => [file.path, file.mode, file.focus, file.pinned]),
      [
        ['other.ts', 'outline', false, false],
        ['main.ts', 'full', true, false],
        ['util.ts', 'dropped', false, true],
      ],
      "in the set's order, paths relative to the working folder",
    );
    assert.deepEqual(
      json.skipped.map((entry) => [entry.path, entry.message]),
      [['gone.ts', 'listed in set "review" of .context-budget.json but not found']],
    );
    assert.match(
      err,
      /\.context-budget\.json: sets\[0\] \("review"\)\.files\[4\]: "\.\.\/escape\.ts" leaves the folder of \.context-budget\.json: left out/,
    );
    const unknown = await run(['--set', 'nope'], sub);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /has no set of that name \(it has "review"\)/);
    rmSync(path.join(dir, '.context-budget.json'));
  });
});
