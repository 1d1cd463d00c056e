// Time of the secrets scan (run in the tokenizer worker on every counted file): adversarial 1 MB inputs aimed
// at each rule's keyword and pattern, then MB/s on real text (this repo's node_modules), against secretlint's
// recommended preset when scripts/installSecretlint.mjs can install it (SECRETLINT=0 skips it).
// CB_BENCH_QUICK=1: 3 MB of real text instead of 30.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { secretContentHints } from '../src/core/secrets/secretScan';
import { cleanCorpusFiles } from '../test/unit/secrets/labelledSet';
import { machine, quickBench, writeResults } from './benchSupport';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const cases: Record<string, string> = {
  'minified a.b.c 1MB': 'a.b.'.repeat(250_000),
  'one letter 1MB': 'a'.repeat(1_000_000),
  'token-ish 1MB': 'token.token-'.repeat(83_000),
  'base64 1MB': Buffer.from(Array.from({ length: 750_000 }, (_, i) => (i * 7919) % 256)).toString('base64'),
  'code 1MB': 'const apiKey = process.env.API_KEY; // secret handling\n'.repeat(18_000),
  'PEM headers without bodies 1MB': '-----BEGIN PRIVATE KEY-----\n'.repeat(36_000),
  'PEM header + 1MB of base64, no END': '-----BEGIN PRIVATE KEY-----\n' + 'QUJD'.repeat(250_000),
  'eyJ runs 1MB': 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIx.'.repeat(30_000),
  'URLs with @ 1MB': 'postgres://u:p@h '.repeat(60_000),
  'secret= lines 1MB': 'secret_key = 0123456789abcdef0123456789abcdef01234567\n'.repeat(19_000),
  'Q~ runs 1MB': 'ab1Q~'.repeat(200_000),
};

async function main(): Promise<void> {
  console.log(`machine: ${JSON.stringify(machine())}`);
  const adversarialMs: Record<string, number> = {};
  for (const [name, text] of Object.entries(cases)) {
    const start = performance.now();
    const hints = secretContentHints(text);
    adversarialMs[name] = performance.now() - start;
    console.log(`${name.padEnd(36)} ${(performance.now() - start).toFixed(1).padStart(8)} ms  ${hints.length} hint(s)`);
  }
  const texts: string[] = [];
  let chars = 0;
  for (const file of cleanCorpusFiles([path.join(repoRoot, 'node_modules')])) {
    texts.push(file.text);
    chars += file.text.length;
    if (chars > (quickBench ? 3e6 : 30e6)) break;
  }
  let start = performance.now();
  for (const text of texts) secretContentHints(text);
  const oursMBps = chars / 1e3 / (performance.now() - start);
  console.log(`real text ${(chars / 1e6).toFixed(1)} MB: ours ${oursMBps.toFixed(1)} MB/s`);
  const save = (secretlintMBps: number | null): void =>
    console.log(`results: ${writeResults('secrets', { adversarialMs, realTextMB: chars / 1e6, oursMBps, secretlintMBps })}`);
  if (process.env.SECRETLINT === '0') return save(null);
  const folder = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'installSecretlint.mjs')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  const moduleUrl = (name: string): string => pathToFileURL(path.join(folder, 'node_modules', name, 'module', 'index.js')).href;
  const core = (await import(moduleUrl('@secretlint/core'))) as { lintSource: (input: unknown) => Promise<unknown> };
  const preset = (await import(moduleUrl('@secretlint/secretlint-rule-preset-recommend'))) as { creator: { meta: { id: string } } };
  const config = { rules: [{ id: preset.creator.meta.id, rule: preset.creator }] };
  start = performance.now();
  for (const text of texts) {
    await core.lintSource({ source: { filePath: 'a.js', content: text, contentType: 'text' }, options: { config } });
  }
  const secretlintMBps = chars / 1e3 / (performance.now() - start);
  console.log(`real text ${(chars / 1e6).toFixed(1)} MB: secretlint ${secretlintMBps.toFixed(1)} MB/s`);
  save(secretlintMBps);
}

void main();
