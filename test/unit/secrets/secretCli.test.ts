// The CLI and the folder scan with the secrets guard: secret files by name are skipped from folders and
// listed, a named one is added and flagged, `files[].secret` is null or { reason }, and the exit status holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../../../src/cli/main';
import { scanTree, statCandidate } from '../../../src/core/scan/scanner';
import type { ScanOptions } from '../../../src/core/scan/scanner';
import { summariseSkips } from '../../../src/core/scan/skipSummary';
import type { SkippedEntry } from '../../../src/core/scan/workspaceFs';
import { InMemoryWorkspaceFs } from '../../fakes/inMemoryWorkspaceFs';

const options: ScanOptions = { excludeGlobs: [], respectGitignore: true, maxFileBytes: 10_000, maxFiles: 1000 };

test('a folder scan leaves out files that are secrets by name, each listed with the reason; skipSecretFiles false keeps them', async () => {
  const fs = new InMemoryWorkspaceFs()
    .file('/src/a.ts', 'export const a = 1;\n')
    .file('/.env', 'X=1\n')
    .file('/.env.example', 'X=\n')
    .file('/certs/server.pem', 'k')
    .file('/.ssh/id_ed25519', 'k')
    .file('/.npmrc', 'save-exact=true\n')
    .file('/pkg/.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n');
  const result = await scanTree(fs, '/', options);
  assert.deepEqual(result.files.map((file) => file.relativePath).sort(), ['.env.example', '.npmrc', 'src/a.ts']);
  const secrets = result.skipped.filter((entry) => entry.reason === 'secretFile');
  assert.deepEqual(secrets.map((entry) => entry.relativePath).sort(), ['.env', '.ssh/id_ed25519', 'certs/server.pem', 'pkg/.npmrc']);
  assert.match(
    secrets.find((entry) => entry.relativePath === '.env')!.message,
    /^secret by name \(environment file \(\.env\)\): left out of folder adds; add the file itself to include it/,
  );
  assert.equal(summariseSkips(result.skipped), '4 (4 secret by name)');
  assert.ok(!fs.calls.readFile.includes('/.env'), 'a file secret by its name alone is not read');

  const all = await scanTree(fs, '/', { ...options, skipSecretFiles: false });
  assert.equal(all.files.length, 7);
  assert.deepEqual(all.skipped, []);

  // Naming a file on purpose goes through statCandidate, which adds it (the report then flags it).
  const skipped: SkippedEntry[] = [];
  assert.equal((await statCandidate(fs, '/.env', '.env', options, skipped))?.relativePath, '.env');
  assert.deepEqual(skipped, []);
});

async function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, { out: (text) => (out += text + '\n'), err: (text) => (out += text + '\n'), cwd });
  return { code, out };
}

function workspace(): { dir: string; githubToken: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cb-secrets-'));
  mkdirSync(path.join(dir, 'src'));
  // Built at run time so no credential-shaped literal sits in this repository.
  const githubToken = ['ghp', 'R8kq2Zt5Lm9Wx3Vb7Nc1Hd4Jf6Gp0Ys2Ta8Q'].join('_');
  writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const answer = 42;\n');
  writeFileSync(path.join(dir, 'src', 'client.ts'), `export const client = new Octokit({ auth: '${githubToken}' });\n`);
  writeFileSync(path.join(dir, '.env'), 'LOG_LEVEL=debug\n');
  return { dir, githubToken };
}

test('CLI --json: files[].secret is null or { reason }; a secret file in a folder is skipped and listed; the exit status is unchanged', async () => {
  const { dir } = workspace();
  const folder = await run(['.', '--json'], dir);
  assert.equal(folder.code, 0);
  const json = JSON.parse(folder.out) as {
    files: Array<{ path: string; secret: { reason: string } | null }>;
    skipped: Array<{ path: string; reason: string; message: string }>;
  };
  assert.deepEqual(
    json.files.map((file) => [file.path, file.secret]),
    [
      ['src/a.ts', null],
      ['src/client.ts', { reason: 'GitHub token' }],
    ],
  );
  assert.deepEqual(
    json.skipped.map((entry) => [entry.path, entry.reason]),
    [['.env', 'secretFile']],
  );

  const named = JSON.parse((await run(['.env', 'src', '--json'], dir)).out) as typeof json;
  assert.deepEqual(named.files.find((file) => file.path === '.env')?.secret, { reason: 'environment file (.env)' });
  assert.deepEqual(named.skipped, []);

  const included = JSON.parse((await run(['.', '--include-secret-files', '--json'], dir)).out) as typeof json;
  assert.deepEqual(
    included.files.map((file) => file.path),
    ['.env', 'src/a.ts', 'src/client.ts'],
  );

  // A glob that matches a secret file reports it as skipped too.
  const globbed = JSON.parse((await run(['.env*', 'src/*.ts', '--json'], dir)).out) as typeof json;
  assert.deepEqual(
    globbed.skipped.map((entry) => entry.path),
    ['.env'],
  );
});

test('CLI text: the table flags SECRET? and every flagged file is listed with its reason; the exit status follows the limits only', async () => {
  const { dir } = workspace();
  const text = await run(['.env', 'src'], dir);
  assert.equal(text.code, 0);
  assert.match(text.out, /src\/client\.ts\s+\d+\s+\S+%\s+SECRET\?/);
  assert.match(
    text.out,
    /2 file\(s\) look like secrets \(SECRET\?\): check before you send them\n {2}\.env: environment file \(\.env\)\n {2}src\/client\.ts: GitHub token/,
  );
  const over = await run(['.env', 'src', '--budget', '5'], dir);
  assert.equal(over.code, 1, 'over budget is still exit 1, with or without secrets');
});
