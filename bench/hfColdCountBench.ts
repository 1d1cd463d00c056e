// Cold count of the bench tree with model-native tokenizers (tokenizer.json): ours through the
// worker pool the CLI uses (one worker per core, the persistent count cache on) against Hugging
// Face's Rust library (npm `tokenizers`, one thread), file by file on the same bytes; then a re-run
// on the persistent cache. Exits 1 if any file's count differs from the oracle's.
// Run: node .cache/bench-out/bench/hfColdCountBench.js [--families llama3_1,gemma3] [--tree-mib 100] (CB_BENCH_QUICK=1: the 8 MiB tree)
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeFileBytes } from '../src/core/tokenizer/fileText';
import { countingCodeVersion, DiskCountStore } from '../src/node/diskCountStore';
import { TokenizerPool } from '../src/node/tokenizerPool';
import { families, familyFile, oracle, oracleUnavailable, type Family } from '../test/unit/tokenizer/hf/hfOracle';
import { machine, mb, writeResults } from './benchSupport';
import { assembleTree, benchTreeBytes, treeDir } from './coldCountBench';
import { walkFiles } from './walkFiles';

// The oracle on one thread: its encode runs on the libuv pool, and batch paths use rayon.
process.env.UV_THREADPOOL_SIZE = '1';
process.env.RAYON_NUM_THREADS = '1';
process.env.TOKENIZERS_PARALLELISM = 'false';

const workerScript = join(__dirname, '..', 'src', 'worker', 'tokenizerWorker.js');

interface PassResult {
  readonly seconds: number;
  readonly counts: Map<string, number>;
  readonly tokenizations: number;
}

/** Ours: read each file on this thread, count in the pool (as the CLI does), at most 16 in flight. */
async function ours(files: readonly string[], tokenizerBytes: Uint8Array, name: string, store: DiskCountStore): Promise<PassResult> {
  const pool = new TokenizerPool({ workerScript, size: Math.min(8, availableParallelism()), store });
  const started = performance.now();
  const id = await pool.registerHfTokenizer(tokenizerBytes, name);
  const counts = new Map<string, number>();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) {
      const file = files[next++]!;
      const outcome = await pool.countBytes(new Uint8Array(readFileSync(join(treeDir, file))), id);
      if (outcome.kind !== 'counted') throw new Error(`${file}: ours skipped it (${outcome.reason})`);
      counts.set(file, outcome.tokens);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
  await store.flush();
  const seconds = (performance.now() - started) / 1000;
  const tokenizations = pool.stats().tokenizations;
  await pool.dispose();
  return { seconds, counts, tokenizations };
}

/** The oracle: the same bytes decoded as the worker decodes them, encode(text, add_special_tokens = false), one at a time. */
async function reference(files: readonly string[], family: Family): Promise<PassResult> {
  const started = performance.now();
  const tokenizer = oracle().fromFile(familyFile(family));
  const counts = new Map<string, number>();
  for (const file of files) {
    const decoded = decodeFileBytes(readFileSync(join(treeDir, file)));
    if (decoded.kind !== 'text') throw new Error(`${file}: not text`);
    counts.set(file, (await tokenizer.encode(decoded.text, null, { addSpecialTokens: false })).getIds().length);
  }
  return { seconds: (performance.now() - started) / 1000, counts, tokenizations: files.length };
}

async function main(): Promise<void> {
  const argument = (name: string): string | undefined =>
    process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
  const chosen = (argument('--families')?.split(',') ?? ['llama3_1', 'gemma3']) as Family[];
  for (const family of chosen) if (!families.includes(family)) throw new Error(`unknown family ${family}`);
  const unavailable = oracleUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  console.log(`machine: ${JSON.stringify(machine())}`);
  const manifest = assembleTree(argument('--tree-mib') !== undefined ? Number(argument('--tree-mib')) * 1024 * 1024 : benchTreeBytes);
  const files = walkFiles(treeDir);
  console.log(
    `tree: ${files.length} files, ${mb(manifest.bytes)}; ours: pool of ${Math.min(8, availableParallelism())} worker(s), as the CLI; the oracle: one thread`,
  );
  const results: Record<string, unknown> = {};
  let mismatches = 0;
  console.log(
    '\n| tokenizer.json | ours, cold s | oracle s | ours ÷ oracle | re-run on the cache s | re-run ÷ cold | tokens | files equal |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const family of chosen) {
    const cacheDir = mkdtempSync(join(tmpdir(), 'cb-hf-bench-cache-'));
    const store = (): DiskCountStore =>
      new DiskCountStore({
        directory: cacheDir,
        workspace: treeDir,
        maxBytes: 256 * 1024 * 1024,
        codeVersion: () => countingCodeVersion(workerScript),
      });
    const tokenizerBytes = new Uint8Array(readFileSync(familyFile(family)));
    const cold = await ours(files, tokenizerBytes, family, store());
    const warm = await ours(files, tokenizerBytes, family, store());
    const expected = await reference(files, family);
    rmSync(cacheDir, { recursive: true, force: true });
    const wrong = files.filter(
      (file) => cold.counts.get(file) !== expected.counts.get(file) || warm.counts.get(file) !== expected.counts.get(file),
    );
    mismatches += wrong.length;
    const total = [...expected.counts.values()].reduce((sum, tokens) => sum + tokens, 0);
    console.log(
      `| ${family} | ${cold.seconds.toFixed(1)} | ${expected.seconds.toFixed(1)} | ${(cold.seconds / expected.seconds).toFixed(2)}× | ${warm.seconds.toFixed(1)} (${warm.tokenizations} tokenized) | ${(warm.seconds / cold.seconds).toFixed(3)}× | ${total} | ${wrong.length === 0 ? `all ${files.length}` : `${wrong.length} differ: ${wrong.slice(0, 3).join(', ')}`} |`,
    );
    results[family] = {
      oursColdSeconds: cold.seconds,
      oracleSeconds: expected.seconds,
      oursRerunSeconds: warm.seconds,
      rerunTokenizations: warm.tokenizations,
      tokens: total,
      mismatches: wrong.slice(0, 50),
    };
  }
  console.log(`\nexactness vs the oracle: ${mismatches === 0 ? 'EQUAL, every file' : `MISMATCH in ${mismatches} file(s)`}`);
  console.log(`results: ${writeResults('hf-cold-count', { files: files.length, bytes: manifest.bytes, families: results })}`);
  if (mismatches > 0) process.exitCode = 1;
}

void main();
