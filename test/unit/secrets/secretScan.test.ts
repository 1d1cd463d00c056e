// The secrets guard against its labelled set (labelledSet.ts): every planted key found by its own rule, at most
// 1 false positive per 1,000 clean files, none on this repository, and the examples of ordinary code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import {
  secretContentHints,
  secretContentRuleIds,
  secretFileReason,
  secretNameHints,
  shannonEntropy,
} from '../../../src/core/secrets/secretScan';
import { secretContentRules } from '../../../src/core/secrets/secretRules';
import { cleanCorpusFiles, cleanCorpusRoots, HostFileCollector, isKnownKeyFixture, keyKinds, plantedSamples } from './labelledSet';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

interface CorpusRun {
  readonly files: number;
  readonly fixtures: number;
  readonly flagged: readonly string[];
  readonly hosts: HostFileCollector;
  readonly roots: readonly string[];
}

let corpusRun: CorpusRun | undefined;
/** One walk of the clean corpus serves both tests: flags per file, and clean host files to plant into. */
function corpus(): CorpusRun {
  if (corpusRun) return corpusRun;
  const roots = cleanCorpusRoots(repoRoot);
  const hosts = new HostFileCollector();
  const flagged: string[] = [];
  let files = 0;
  let fixtures = 0;
  for (const file of cleanCorpusFiles(roots)) {
    if (isKnownKeyFixture(file.path)) {
      fixtures++;
      continue;
    }
    files++;
    const ids = secretContentRuleIds(file.text);
    if (ids.length > 0) flagged.push(`${path.relative(repoRoot, file.path)} [${ids.join(', ')}]`);
    else hosts.offer(file.path, file.text);
  }
  corpusRun = { files, fixtures, flagged, hosts, roots };
  return corpusRun;
}

test('clean corpus (node_modules and system sources): at most 1 flagged file per 1,000', () => {
  const run = corpus();
  // node_modules alone holds ~12,000 files after npm ci; fewer means the corpus did not load.
  assert.ok(run.files >= 5000, `only ${run.files} clean files under ${run.roots.join(', ')}`);
  console.log(
    `clean corpus: ${run.files} files (${run.fixtures} known key fixtures left out), flagged ${run.flagged.length}: ${run.flagged.slice(0, 10).join('; ')}`,
  );
  assert.ok(
    run.flagged.length * 1000 <= run.files,
    `${run.flagged.length} of ${run.files} clean files flagged:\n${run.flagged.join('\n')}`,
  );
});

for (const seed of [10, 11]) {
  test(`planted keys (seed ${seed}): every format in every syntax is found by its own rule (recall 100%)`, () => {
    const samples = plantedSamples(seed, corpus().hosts.hosts);
    const formats = new Set(samples.map((sample) => sample.ruleId));
    assert.ok(samples.length >= 500 && formats.size >= 20, `${samples.length} samples, ${formats.size} formats`);
    const missed = samples.filter((sample) => !secretContentRuleIds(sample.text).includes(sample.ruleId));
    assert.deepEqual(
      missed.map(
        (sample) =>
          `${sample.label} (host ${sample.host}):\n${sample.text
            .split('\n')
            .filter((line) => /[A-Za-z0-9]{20}/.test(line))
            .slice(0, 3)
            .join('\n')}`,
      ),
      [],
    );
  });
}

test('every content rule has planted keys, so none goes untested', () => {
  const planted = new Set(plantedSamples(10, corpus().hosts.hosts).map((sample) => sample.ruleId));
  assert.deepEqual(
    secretContentRules.map((rule) => rule.id).filter((id) => !planted.has(id)),
    [],
  );
  for (const kind of keyKinds) {
    assert.ok(
      secretContentRules.some((rule) => rule.id === kind.ruleId),
      kind.ruleId,
    );
  }
});

function repositoryFiles(): string[] {
  const out: string[] = [path.join(repoRoot, 'README.md')];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(path.join(repoRoot, 'src'));
  walk(path.join(repoRoot, 'test'));
  return out;
}

test('this repository (src/, test/, README): no file is flagged, by name or by content', () => {
  const files = repositoryFiles();
  assert.ok(files.length > 100, `${files.length} files`);
  const flagged = files
    .map((file) => ({
      file: path.relative(repoRoot, file),
      hints: [...secretNameHints(path.relative(repoRoot, file)), ...secretContentHints(readFileSync(file, 'utf8'))],
    }))
    .filter((entry) => entry.hints.length > 0);
  assert.deepEqual(flagged, []);
});

test("the issue's ordinary code and documented placeholders are not flagged", () => {
  const ordinary = [
    "export const commandIds = { sortByTokens: 'contextBudget.sortByTokens' } as const;",
    'effectiveWindowTokens: report.risk.windows.effective,',
    'async function count(uri: string, token: vscode.CancellationToken): Promise<number> {}',
    'const maxWindowTokens = Math.floor(usableMemoryBytes / kvBytesPerToken) - reserveOutputTokens;',
    'const password = getPasswordFromVault(user);\nconst tokenizerOptions = { maxTokens: 4096 };',
    'The secret to a good prompt is passwordless configuration of everything.',
    'API_KEY="q8Zr4Lp0vXw2Nf7Kd9Tb3Hs6Jm1Yc5Ue"',
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    `token: ghp_${'x'.repeat(36)}`,
    'DATABASE_URL=postgres://user:password@localhost:5432/app\nREDIS_URL=redis://:${REDIS_PASSWORD}@cache:6379',
    'curl https://user:pass@example.com/ and https://deploy:s3cr3tValue99@ci.example.org/x',
    "if (line.startsWith('-----BEGIN RSA PRIVATE KEY-----')) return parsePkcs1(lines);",
    'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    // An unsigned JWT (alg none) is not a credential.
    `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from('{"sub":"1234567890","admin":true}').toString('base64url')}.`,
    `sha1 = "${'0123456789abcdef'.repeat(2)}01234567" // secret_key_hash`,
  ];
  for (const text of ordinary) assert.deepEqual(secretContentHints(text), [], text);
  assert.ok(shannonEntropy('aaaaaaaaaaaaaaaaaaaaaaaa') === 0 && shannonEntropy('q8Zr4Lp0vXw2Nf7Kd9Tb3Hs6Jm1Yc5Ue') > 4);
});

test('hints name the credential format the user should look for', () => {
  const githubToken = `ghp_${'a1B2c3D4e5'.repeat(3)}Zz9Yy8`;
  assert.deepEqual(secretContentHints(`const client = new Octokit({ auth: '${githubToken}' });`), ['GitHub token']);
  // Joined at run time, so this file holds no credential-shaped URL itself.
  const databaseUrl = ['postgres://orders', 'Xk29fjs9Qw81@db.internal:5432/orders'].join(':');
  assert.deepEqual(secretContentHints(`DATABASE_URL=${databaseUrl}\nGITHUB_TOKEN=${githubToken}`), [
    'GitHub token',
    'database URL with a password',
  ]);
});

test('secret files by name: the list from the brief, and look-alikes that are ordinary files', () => {
  for (const name of [
    '.env',
    'app/.env.production',
    '.env.local',
    'id_rsa',
    'home/.ssh/id_ed25519',
    'certs/server.pem',
    'tls/server.key',
    'deploy/key.p12',
    'win/cert.pfx',
    'home/.aws/credentials',
    'credentials.json',
    'gcp-service-account.json',
    'client_secret_123.apps.googleusercontent.com.json',
    '.git-credentials',
    '.netrc',
    'infra/terraform.tfstate',
  ]) {
    assert.ok(secretNameHints(name).length > 0, name);
  }
  for (const name of [
    '.env.example',
    '.env.sample',
    '.env.template',
    'src/env.ts',
    'README.md',
    'keys.ts',
    'secrets.ts',
    'src/core/secrets/secretScan.ts',
    'docs/credentials.md',
    'id_rsa.pub',
    'tokenizer.json',
    '.npmrc',
    'keyboard.ts',
  ]) {
    assert.deepEqual(secretNameHints(name), [], name);
  }
});

test('an .npmrc, .pypirc or .yarnrc.yml is a secret file only with credentials in it', async () => {
  const reason = (name: string, text: string): Promise<string | undefined> => secretFileReason(name, async () => text);
  assert.equal(await reason('.npmrc', 'registry=https://registry.npmjs.org/\nsave-exact=true\n'), undefined);
  assert.equal(await reason('.npmrc', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n'), 'package-registry credentials');
  assert.equal(await reason('.yarnrc.yml', 'nodeLinker: node-modules\n'), undefined);
  assert.equal(await reason('.yarnrc.yml', 'npmAuthToken: "abc"\n'), 'package-registry credentials');
  assert.equal(await reason('.pypirc', '[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n'), 'package-registry credentials');
  assert.equal(await reason('.env', 'X=1'), 'environment file (.env)');
  assert.equal(await reason('src/a.ts', 'x'), undefined);
  // Unreadable: the safe side.
  assert.equal(await secretFileReason('.npmrc', () => Promise.reject(new Error('EACCES'))), 'package-registry credentials');
});
