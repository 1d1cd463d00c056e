// Where a cold CLI run's work goes, step by step, each step timed on its own on one thread over the
// bench tree: start-up, scan, read, hash, decode, count, secrets scan, cache write, report (with
// the drop plan the CLI adds when the prompt is over a limit) and JSON. In the CLI, decode, count
// and the secrets scan run in the worker threads; the rest is on the main thread.
// Run: node .cache/bench-out/bench/coldProfile.js
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildBudgetReport } from '../src/core/analysis/buildReport';
import type { BudgetFileInput } from '../src/core/analysis/budgetTypes';
import { firstExceededTarget, proposeDrops } from '../src/core/analysis/dropPlan';
import { resolveTarget } from '../src/core/analysis/resolveTarget';
import { reportJson } from '../src/core/presenters/cliReport';
import { summarizeProposal } from '../src/core/presenters/planSummary';
import { escapeJsonForTerminal } from '../src/core/presenters/escapeText';
import { scanTree } from '../src/core/scan/scanner';
import { secretContentHints } from '../src/core/secrets/secretScan';
import { defaultSettings } from '../src/core/settings';
import { decodeFileBytes } from '../src/core/tokenizer/fileText';
import { getTokenCounter } from '../src/core/tokenizer/tokenCounter';
import { DiskCountStore } from '../src/node/diskCountStore';
import { NodeWorkspaceFs } from '../src/node/nodeWorkspaceFs';
import { readRegularFileSync } from '../src/node/regularFile';
import { machine, median, writeResults } from './benchSupport';
import { assembleTree, benchTreeBytes, buildCli, treeDir } from './coldCountBench';

async function main(): Promise<void> {
  console.log(`machine: ${JSON.stringify(machine())}`);
  assembleTree(benchTreeBytes);
  const steps: Array<{ step: string; where: 'main' | 'worker'; ms: number }> = [];
  const time = async <T>(step: string, where: 'main' | 'worker', run: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    steps.push({ step, where, ms: performance.now() - started });
    return result;
  };

  const cli = await buildCli();
  const startups = Array.from({ length: 5 }, () => {
    const started = performance.now();
    spawnSync(process.execPath, [cli, '--version']);
    return performance.now() - started;
  });
  steps.push({ step: 'start-up: node + load the CLI bundle (median of 5, --version)', where: 'main', ms: median(startups) });

  const fs = new NodeWorkspaceFs({ synchronous: true });
  const scan = await time('scan: list folders, .gitignore rules, stat each file', 'main', () =>
    scanTree(fs, treeDir, { excludeGlobs: [], respectGitignore: true, maxFileBytes: defaultSettings.maxFileBytes, maxFiles: 1_000_000 }),
  );
  const bytes = await time('read: open, fstat, read, close (synchronous, as the CLI)', 'main', () =>
    scan.files.map((file) => readRegularFileSync(file.location, defaultSettings.maxFileBytes)),
  );
  const hashes = await time('hash: SHA-256 of every file (the cache key)', 'main', () =>
    bytes.map((content) => createHash('sha256').update(content).digest('hex')),
  );
  const texts = await time('decode: BOM, UTF-16, invalid UTF-8, binary signatures', 'worker', () =>
    bytes.map((content) => {
      const decoded = decodeFileBytes(content);
      if (decoded.kind !== 'text') throw new Error('the bench tree has only text');
      return decoded.text;
    }),
  );
  const counter = getTokenCounter('o200k_base');
  counter.count('warm up the ranks');
  const tokens = await time('count: o200k_base BPE', 'worker', () => texts.map((text) => counter.count(text)));
  await time('secrets scan: credential formats in the content', 'worker', () => texts.map((text) => secretContentHints(text)));
  const cacheDir = mkdtempSync(join(tmpdir(), 'cb-profile-cache-'));
  await time('cache write: record every count and path, one flush', 'main', async () => {
    const store = new DiskCountStore({ directory: cacheDir, workspace: treeDir, maxBytes: 64 * 1024 * 1024, codeVersion: 'profile' });
    hashes.forEach((hash, i) => {
      store.record('o200k_base', 'bytes', hash, {
        kind: 'counted',
        tokens: tokens[i]!,
        bytes: bytes[i]!.byteLength,
        hadUtf8Bom: false,
        invalidUtf8Sequences: 0,
        secretHints: [],
      });
      store.rememberContentHash(scan.files[i]!.location, scan.files[i]!.change?.stamp ?? '', hash);
    });
    await store.flush();
  });
  rmSync(cacheDir, { recursive: true, force: true });
  const target = resolveTarget(defaultSettings);
  const inputs: BudgetFileInput[] = scan.files.map((file, i) => ({
    uri: file.location,
    relativePath: file.relativePath,
    included: true,
    focus: false,
    pinned: false,
    count: { kind: 'counted', tokens: tokens[i]!, sizeBytes: bytes[i]!.byteLength, notes: [], secrets: [] },
  }));
  const { report, proposal } = await time('report and drop plan (the tree is over every limit)', 'main', () => {
    const built = buildBudgetReport(inputs, defaultSettings, target);
    const kind = firstExceededTarget(built);
    return {
      report: built,
      proposal: kind
        ? proposeDrops(built, kind, {
            reportWith: (changes) =>
              buildBudgetReport(
                inputs.map((input) => (changes.get(input.uri) === 'dropped' ? { ...input, included: false } : input)),
                defaultSettings,
                target,
              ),
          })
        : null,
    };
  });
  const json = await time('JSON: build, stringify, escape for the terminal', 'main', () =>
    escapeJsonForTerminal(JSON.stringify(reportJson(report, scan.skipped, proposal && summarizeProposal(proposal)), null, 2)),
  );

  const total = steps.reduce((sum, step) => sum + step.ms, 0);
  const mainMs = steps.filter((step) => step.where === 'main').reduce((sum, step) => sum + step.ms, 0);
  console.log(
    `\n${scan.files.length} files, ${(bytes.reduce((sum, content) => sum + content.byteLength, 0) / 1e6).toFixed(1)} MB, ${tokens.reduce((sum, n) => sum + n, 0)} tokens; JSON ${(json.length / 1e6).toFixed(1)} MB`,
  );
  console.log('\n| step (one thread each) | where in the CLI | ms | share |');
  console.log('|---|---|---|---|');
  for (const step of steps) {
    console.log(
      `| ${step.step} | ${step.where === 'main' ? 'main thread' : 'worker threads'} | ${step.ms.toFixed(0)} | ${((100 * step.ms) / total).toFixed(1)}% |`,
    );
  }
  console.log(
    `| all | | ${total.toFixed(0)} | main thread ${((100 * mainMs) / total).toFixed(1)}%, workers ${((100 * (total - mainMs)) / total).toFixed(1)}% |`,
  );
  console.log(`results: ${writeResults('cold-profile', { files: scan.files.length, steps, totalMs: total })}`);
}

void main();
