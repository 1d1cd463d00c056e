// tokenizer.json counting: ours (pure TypeScript) against Hugging Face's Rust library (npm
// `tokenizers`, single-threaded) per model family, on the same mixed corpus in the same run; then
// near-linearity on runs without whitespace up to 1 MiB (Gemma 3: SentencePiece-style; Llama 3.1:
// byte-level); then the resident memory of each loaded tokenizer, each measured in a fresh process.
// Totals must be equal per family; exit 1 if not.
// Run: npm run bench:hf  (or node .cache/bench-out/bench/hfTokenizerBench.js [--mb N] [--families a,b])
// (CB_BENCH_QUICK=1: 1 MB, Llama 3.1 and Gemma 3, runs up to 256 KiB)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseHfTokenizerText, type HfTokenizer } from '../src/core/tokenizer/hf/hfTokenizer';
import {
  families,
  familyFile,
  loadMixedCorpus,
  oracle,
  oracleUnavailable,
  type Family,
  type OracleTokenizer,
} from '../test/unit/tokenizer/hf/hfOracle';
import { seededRandom } from '../test/unit/tokenizer/oracleSupport';
import { machine, quickBench, writeResults } from './benchSupport';

// One thread for the addon: its async encode runs on the libuv pool, and batch paths use rayon.
process.env.UV_THREADPOOL_SIZE = '1';
process.env.RAYON_NUM_THREADS = '1';
process.env.TOKENIZERS_PARALLELISM = 'false';

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

async function oracleCount(tokenizer: OracleTokenizer, text: string): Promise<number> {
  return (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds().length;
}

/** Child mode: load one tokenizer and print its resident-memory cost in MB. */
async function memoryChild(kind: 'ours' | 'oracle', family: Family): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = (): number => {
    gc?.();
    gc?.();
    return process.memoryUsage().rss;
  };
  if (kind === 'oracle') oracle();
  const before = settle();
  let keep: HfTokenizer | OracleTokenizer;
  if (kind === 'ours') {
    keep = parseHfTokenizerText(readFileSync(familyFile(family), 'utf8'));
    keep.count('warm up the caches');
  } else {
    keep = oracle().fromFile(familyFile(family));
    await oracleCount(keep, 'warm up the caches');
  }
  const after = settle();
  console.log(JSON.stringify({ rssMB: (after - before) / 1e6, kept: keep !== undefined }));
}

function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, (performance.now() - start) / 1000];
}

async function timeAsync<T>(run: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await run();
  return [result, (performance.now() - start) / 1000];
}

/** Letters without whitespace or digits: one pre-tokenized piece for both kinds of model. */
function letterRun(length: number): string {
  const random = seededRandom(42);
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  while (out.length < length) out += letters[Math.floor(random() * letters.length)];
  return out;
}

async function main(): Promise<void> {
  const child = argument('--memory-child');
  if (child !== undefined) return memoryChild(child as 'ours' | 'oracle', argument('--family') as Family);
  const unavailable = oracleUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const corpusMb = Number(argument('--mb') ?? (quickBench ? '1' : '8'));
  const chosen = (argument('--families')?.split(',') ?? (quickBench ? ['llama3_1', 'gemma3'] : [...families])) as Family[];
  for (const family of chosen) if (!families.includes(family)) throw new Error(`unknown family ${family}`);
  console.log(`machine: ${JSON.stringify(machine())}`);
  const results: Record<string, { oracleSeconds: number; oursSeconds: number; tokens: number; equal: boolean }> = {};
  let mismatches = 0;
  const corpus = loadMixedCorpus(corpusMb * 1024 * 1024);
  const bytes = corpus.reduce((sum, file) => sum + file.bytes, 0);
  console.log(
    `corpus: ${corpus.length} files, ${(bytes / 1e6).toFixed(1)} MB (this repo, TypeScript, Markdown, Python); single thread each`,
  );
  const memory: string[] = [];
  for (const family of chosen) {
    const [ours, ourLoad] = time(() => parseHfTokenizerText(readFileSync(familyFile(family), 'utf8')));
    const [reference, oracleLoad] = time(() => oracle().fromFile(familyFile(family)));
    ours.count('warm up');
    await oracleCount(reference, 'warm up');
    const [oracleTokens, oracleSeconds] = await timeAsync(async () => {
      let sum = 0;
      for (const file of corpus) sum += await oracleCount(reference, file.text);
      return sum;
    });
    const [ourTokens, ourSeconds] = time(() => corpus.reduce((sum, file) => sum + ours.count(file.text), 0));
    const rate = (seconds: number): string => `${(bytes / 1e6 / seconds).toFixed(2).padStart(6)} MB/s (${seconds.toFixed(2)} s)`;
    console.log(`\n${family}: ${ours.description}; load ours ${ourLoad.toFixed(2)} s, oracle ${oracleLoad.toFixed(2)} s`);
    console.log(`  tokens: oracle ${oracleTokens}, ours ${ourTokens}${oracleTokens === ourTokens ? ' (equal)' : ' MISMATCH'}`);
    console.log(`  oracle ${rate(oracleSeconds)}`);
    console.log(`  ours   ${rate(ourSeconds)}  = ${(ourSeconds / oracleSeconds).toFixed(2)}x the oracle's time`);
    if (oracleTokens !== ourTokens) mismatches++;
    results[family] = { oracleSeconds, oursSeconds: ourSeconds, tokens: oracleTokens, equal: oracleTokens === ourTokens };

    if (family === 'gemma3' || family === 'llama3_1') {
      console.log(`  one piece without whitespace (random letters):`);
      for (const size of quickBench ? [64 * 1024, 256 * 1024] : [64 * 1024, 256 * 1024, 1024 * 1024]) {
        const text = letterRun(size);
        const [tokens, seconds] = time(() => ours.count(text));
        const [expected, oracleSecondsRun] = await timeAsync(() => oracleCount(reference, text));
        if (tokens !== expected) mismatches++;
        console.log(
          `    ${String(size / 1024).padStart(5)} KiB: ours ${(seconds * 1000).toFixed(0).padStart(6)} ms (${(seconds / (size / 1024 / 1024)).toFixed(2)} s/MiB), ` +
            `oracle ${(oracleSecondsRun * 1000).toFixed(0).padStart(6)} ms; ${tokens} tokens${tokens === expected ? '' : ` MISMATCH ${expected}`}`,
        );
      }
    }
    for (const kind of ['ours', 'oracle'] as const) {
      const run = spawnSync(process.execPath, ['--expose-gc', __filename, '--memory-child', kind, '--family', family], {
        encoding: 'utf8',
      });
      const line = run.stdout.trim().split('\n').pop() ?? '';
      memory.push(
        `${family} ${kind.padEnd(6)} ${line.startsWith('{') ? `${(JSON.parse(line) as { rssMB: number }).rssMB.toFixed(0)} MB resident` : `failed: ${run.stderr.slice(0, 200)}`}`,
      );
    }
  }
  console.log('\nresident memory of one loaded tokenizer (RSS after load minus before, after GC, fresh process each):');
  for (const line of memory) console.log(`  ${line}`);
  console.log(`\nexactness vs Hugging Face tokenizers: ${mismatches === 0 ? 'EQUAL' : `MISMATCH in ${mismatches} case(s)`}`);
  console.log(
    `results: ${writeResults('hf-tokenizer', { corpusBytes: bytes, corpusFiles: corpus.length, families: results, memory, mismatches })}`,
  );
  if (mismatches > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
