// Token counting throughput and scaling: tiktoken (official core, WASM, single thread) vs ours on
// one thread vs ours through the worker pool, on the node_modules corpus the oracle test uses; then
// 1/2/5 MB one-letter runs and base64 blobs (ours vs oracle where the oracle can finish).
// Corpus totals (oracle, ours on one thread, ours through the pool) must be equal; exit 1 if not.
// Run: npm run bench (compiles into .cache/bench-out), or node .cache/bench-out/bench/tokenizerBench.js [--mb N]
// (CB_BENCH_QUICK=1: 2 MB and runs up to 1 MiB)
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { encodingNames } from '../src/core/tokenizer/encoding';
import { getTokenCounter } from '../src/core/tokenizer/tokenCounter';
import { TokenizerPool } from '../src/node/tokenizerPool';
import { base64Blob, getOracle, loadCorpus } from '../test/unit/tokenizer/oracleSupport';
import { machine, quickBench, writeResults } from './benchSupport';

const mbArg = process.argv.indexOf('--mb');
const corpusMb = mbArg >= 0 ? Number(process.argv[mbArg + 1]) : quickBench ? 2 : 30;
// The oracle needs ~19 s for 100 KB of one letter and crashes at 1 MB, so it only runs below this.
const oracleRunLimitBytes = (quickBench ? 16 : 64) * 1024;
const scalingSizes = quickBench
  ? [16 * 1024, 64 * 1024, 1024 * 1024]
  : [16 * 1024, 64 * 1024, 1024 * 1024, 2 * 1024 * 1024, 5 * 1024 * 1024];

function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, (performance.now() - start) / 1000];
}

function rate(bytes: number, tokens: number, seconds: number): string {
  return `${(bytes / 1e6 / seconds).toFixed(2).padStart(7)} MB/s ${(tokens / 1e6 / seconds).toFixed(2).padStart(6)} Mtok/s (${seconds.toFixed(2)} s)`;
}

async function main(): Promise<void> {
  console.log(`machine: ${JSON.stringify(machine())}`);
  const corpus = loadCorpus(corpusMb * 1024 * 1024);
  const results: Record<
    string,
    { oracleSeconds: number; oursSeconds: number; poolSeconds: number; poolSize: number; tokens: number; equal: boolean }
  > = {};
  let mismatches = 0;
  const bytes = corpus.reduce((sum, file) => sum + file.bytes, 0);
  console.log(`corpus: ${corpus.length} files, ${(bytes / 1e6).toFixed(1)} MB from node_modules`);

  for (const encoding of encodingNames) {
    const oracle = getOracle(encoding);
    const counter = getTokenCounter(encoding);
    const [, loadSeconds] = time(() => counter.count('warm up'));
    oracle.encode_ordinary('warm up');
    const [oracleTokens, oracleSeconds] = time(() => corpus.reduce((sum, file) => sum + oracle.encode_ordinary(file.text).length, 0));
    const [ourTokens, ourSeconds] = time(() => corpus.reduce((sum, file) => sum + counter.count(file.text), 0));

    const pool = new TokenizerPool({ workerScript: join(__dirname, '..', 'src', 'worker', 'tokenizerWorker.js') });
    await pool.countText('warm up', encoding);
    const poolStart = performance.now();
    const outcomes = await Promise.all(corpus.map((file) => pool.countText(file.text, encoding)));
    const poolSeconds = (performance.now() - poolStart) / 1000;
    const poolTokens = outcomes.reduce((sum, outcome) => sum + (outcome.kind === 'counted' ? outcome.tokens : 0), 0);
    await pool.dispose();

    console.log(
      `\n${encoding} (rank load ${(loadSeconds * 1000).toFixed(0)} ms; tokens oracle ${oracleTokens}, ours ${ourTokens}, pool ${poolTokens})`,
    );
    console.log(`  oracle, 1 thread   ${rate(bytes, oracleTokens, oracleSeconds)}`);
    console.log(`  ours, 1 thread     ${rate(bytes, ourTokens, ourSeconds)}  = ${(oracleSeconds / ourSeconds).toFixed(2)}× oracle`);
    console.log(
      `  ours, pool of ${pool['size']}    ${rate(bytes, poolTokens, poolSeconds)}  = ${(oracleSeconds / poolSeconds).toFixed(2)}× oracle`,
    );
    const equal = ourTokens === oracleTokens && poolTokens === oracleTokens;
    if (!equal) mismatches++;
    console.log(`  corpus totals: ${equal ? 'equal' : `MISMATCH: oracle ${oracleTokens}, ours ${ourTokens}, pool ${poolTokens}`}`);
    results[encoding] = { oracleSeconds, oursSeconds: ourSeconds, poolSeconds, poolSize: pool['size'], tokens: oracleTokens, equal };
  }

  console.log('\nscaling on one long piece (o200k_base); oracle only where it finishes in reasonable time');
  const counter = getTokenCounter('o200k_base');
  const oracle = getOracle('o200k_base');
  for (const [name, make] of [
    ['one-letter run', (n: number) => 'a'.repeat(n)],
    ['base64 blob   ', (n: number) => base64Blob(n, 3)],
  ] as const) {
    for (const size of scalingSizes) {
      const text = make(size);
      let ours: number | string;
      let ourSeconds: number;
      try {
        [ours, ourSeconds] = time(() => counter.count(text));
      } catch (error) {
        console.log(`  ${name} ${(size / 1024).toFixed(0).padStart(5)} KB: ours skipped: ${(error as Error).message}`);
        continue;
      }
      let oracleCell = 'oracle skipped (quadratic / aborts)';
      if (name.startsWith('base64') || size <= oracleRunLimitBytes) {
        const [expected, oracleSeconds] = time(() => oracle.encode_ordinary(text).length);
        if (expected !== ours) mismatches++;
        oracleCell = `oracle ${(oracleSeconds * 1000).toFixed(0).padStart(6)} ms${expected === ours ? '' : ` MISMATCH ${expected}`}`;
      }
      console.log(
        `  ${name} ${(size / 1024).toFixed(0).padStart(5)} KB: ours ${(ourSeconds * 1000).toFixed(0).padStart(6)} ms (${ours} tokens), ${oracleCell}`,
      );
    }
  }
  console.log(`\nexactness vs the official core: ${mismatches === 0 ? 'EQUAL' : `MISMATCH in ${mismatches} case(s)`}`);
  console.log(`results: ${writeResults('tokenizer', { corpusBytes: bytes, corpusFiles: corpus.length, encodings: results, mismatches })}`);
  if (mismatches > 0) process.exitCode = 1;
}

void main();
