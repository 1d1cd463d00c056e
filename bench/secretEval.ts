// Evaluates the secrets guard against @secretlint/core + preset-recommend on the labelled set of
// test/unit/secrets/labelledSet.ts: recall on planted keys, false positives on the clean corpus and on this
// repository, and scan speed in MB/s. secretlint is installed on demand by scripts/installSecretlint.mjs.
// Usage: node .cache/bench-out/bench/secretEval.js [extra clean roots…]   (set SECRETLINT=0 to skip it)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { secretContentRuleIds } from '../src/core/secrets/secretScan';
import { cleanCorpusFiles, cleanCorpusRoots, HostFileCollector, isKnownKeyFixture, plantedSamples } from '../test/unit/secrets/labelledSet';

type Lint = (filePath: string, content: string) => Promise<string[]>;

const repoRoot = path.resolve(__dirname, '..', '..', '..');

async function loadSecretlint(): Promise<Lint | undefined> {
  if (process.env.SECRETLINT === '0') return undefined;
  const folder = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'installSecretlint.mjs')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  const moduleUrl = (name: string): string => pathToFileURL(path.join(folder, 'node_modules', name, 'module', 'index.js')).href;
  const core = (await import(moduleUrl('@secretlint/core'))) as {
    lintSource: (input: unknown) => Promise<{ messages: Array<{ ruleId: string }> }>;
  };
  const preset = (await import(moduleUrl('@secretlint/secretlint-rule-preset-recommend'))) as { creator: { meta: { id: string } } };
  const config = { rules: [{ id: preset.creator.meta.id, rule: preset.creator }] };
  return async (filePath, content) => {
    const result = await core.lintSource({ source: { filePath, content, contentType: 'text' }, options: { config } });
    return [...new Set(result.messages.map((message) => message.ruleId.replace('@secretlint/secretlint-rule-', '')))];
  };
}

async function main(): Promise<void> {
  const lint = await loadSecretlint();
  const roots = [...cleanCorpusRoots(repoRoot), ...process.argv.slice(2)];
  const hosts = new HostFileCollector();
  const ours = { files: 0, bytes: 0, ms: 0, flagged: [] as string[], fixtures: 0 };
  const theirs = { ms: 0, flagged: [] as string[] };
  for (const file of cleanCorpusFiles(roots)) {
    if (isKnownKeyFixture(file.path)) {
      ours.fixtures++;
      continue;
    }
    ours.files++;
    ours.bytes += file.text.length;
    let start = performance.now();
    const ids = secretContentRuleIds(file.text);
    ours.ms += performance.now() - start;
    if (ids.length > 0) ours.flagged.push(`${file.path} [${ids.join(', ')}]`);
    else hosts.offer(file.path, file.text);
    if (lint) {
      start = performance.now();
      const found = await lint(file.path, file.text);
      theirs.ms += performance.now() - start;
      if (found.length > 0) theirs.flagged.push(`${file.path} [${found.join(', ')}]`);
    }
  }
  const samples = plantedSamples(Number(process.env.SEED ?? 10), hosts.hosts);
  const missedOurs: string[] = [];
  const missedTheirs: string[] = [];
  const missedTheirsByRule = new Map<string, number>();
  for (const sample of samples) {
    if (!secretContentRuleIds(sample.text).includes(sample.ruleId)) missedOurs.push(sample.label);
    if (lint && (await lint(sample.host || 'planted.txt', sample.text)).length === 0) {
      missedTheirs.push(sample.label);
      missedTheirsByRule.set(sample.ruleId, (missedTheirsByRule.get(sample.ruleId) ?? 0) + 1);
    }
  }
  const plantedByRule = new Map<string, number>();
  for (const sample of samples) plantedByRule.set(sample.ruleId, (plantedByRule.get(sample.ruleId) ?? 0) + 1);
  const repoFiles = execFileSync('git', ['ls-files', 'src', 'test', 'README.md'], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n');
  const repoOurs: string[] = [];
  const repoTheirs: string[] = [];
  for (const file of repoFiles) {
    const text = readFileSync(path.join(repoRoot, file), 'utf8');
    if (secretContentRuleIds(text).length > 0) repoOurs.push(file);
    if (lint && (await lint(file, text)).length > 0) repoTheirs.push(file);
  }
  const mb = ours.bytes / 1e6;
  console.log(
    `clean corpus: ${ours.files} files, ${mb.toFixed(1)} MB (${ours.fixtures} known key fixtures left out) from ${roots.join(', ')}`,
  );
  console.log(`planted: ${samples.length} samples of ${new Set(samples.map((s) => s.ruleId)).size} formats`);
  console.log(
    `ours:       recall ${samples.length - missedOurs.length}/${samples.length}, clean files flagged ${ours.flagged.length} (${((ours.flagged.length / ours.files) * 1000).toFixed(2)} per 1,000), repo ${repoOurs.length}/${repoFiles.length}, ${(mb / (ours.ms / 1000)).toFixed(1)} MB/s`,
  );
  if (lint) {
    console.log(
      `secretlint: recall ${samples.length - missedTheirs.length}/${samples.length}, clean files flagged ${theirs.flagged.length} (${((theirs.flagged.length / ours.files) * 1000).toFixed(2)} per 1,000), repo ${repoTheirs.length}/${repoFiles.length}, ${(mb / (theirs.ms / 1000)).toFixed(1)} MB/s`,
    );
  }
  const show = (title: string, items: readonly string[]): void => {
    if (items.length > 0) {
      console.log(`\n${title} (${items.length}):\n  ${items.slice(0, 40).join('\n  ')}${items.length > 40 ? '\n  …' : ''}`);
    }
  };
  show('ours: missed', missedOurs);
  show('ours: flagged clean files', ours.flagged);
  show('ours: flagged repo files', repoOurs);
  if (lint) {
    console.log(
      `\nsecretlint: missed per format: ${[...missedTheirsByRule].map(([rule, missed]) => `${rule} ${missed}/${plantedByRule.get(rule)}`).join(', ')}`,
    );
  }
  show('secretlint: missed', missedTheirs);
  show('secretlint: flagged clean files', theirs.flagged);
  show('secretlint: flagged repo files', repoTheirs);
}

void main();
