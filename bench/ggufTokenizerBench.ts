// GGUF vocabularies: ours (pure TypeScript) against llama.cpp's own tokenizer (node-llama-cpp@3.21.1,
// CPU, `model.tokenize(text, true)`, in process) per model family, on the same mixed corpus in the
// same run, with GGUFs converted from the real tokenizer.json of Llama 3.1, Qwen3, DeepSeek-V3
// (byte-level BPE) and Gemma 3 (SentencePiece); then near-linearity on a run without whitespace up
// to 1 MiB for both kinds; then the resident memory of one loaded vocabulary, ours and llama.cpp's,
// each in a fresh process.
// Totals and runs must be equal; exit 1 if not.
// Run: npm run bench:gguf  (or node .cache/bench-out/bench/ggufTokenizerBench.js [--mb N] [--families a,b])
// (CB_BENCH_QUICK=1: 1 MB, Llama 3.1 and Gemma 3, runs up to 256 KiB)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { HfTokenizer } from '../src/core/tokenizer/hf/hfTokenizer';
import { loadMixedCorpus } from '../test/unit/tokenizer/hf/hfOracle';
import { seededRandom } from '../test/unit/tokenizer/oracleSupport';
import { familyCases, ggufPathFor, llamaOracleUnavailable, ourGgufTokenizer, type GgufCase } from '../test/unit/tokenizer/gguf/llamaOracle';
import { repoRoot } from '../test/unit/tokenizer/oracleSupport';
import { machine, quickBench, writeResults } from './benchSupport';

const argument = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

interface LlamaModel {
  tokenize(text: string, special: boolean): ArrayLike<number>;
}

/** llama.cpp through node-llama-cpp, vocabulary only, CPU. */
async function llamaModel(path: string): Promise<LlamaModel> {
  const entry = pathToFileURL(
    join(repoRoot, '.cache', 'oracles', 'node-llama-cpp', 'node_modules', 'node-llama-cpp', 'dist', 'index.js'),
  ).href;
  const lib = (await import(entry)) as {
    getLlama(options: object): Promise<{ loadModel(options: { modelPath: string; vocabOnly: boolean }): Promise<LlamaModel> }>;
    LlamaLogLevel: { error: string };
  };
  const llama = await lib.getLlama({ gpu: false, build: 'never', logLevel: lib.LlamaLogLevel.error, logger: () => undefined });
  return llama.loadModel({ modelPath: path, vocabOnly: true });
}

/** Child mode: load one vocabulary and print its resident-memory cost in MB. */
async function memoryChild(kind: 'ours' | 'llama.cpp', testCase: GgufCase): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = (): number => {
    gc?.();
    gc?.();
    return process.memoryUsage().rss;
  };
  const path = ggufPathFor(testCase);
  let loaded: HfTokenizer | LlamaModel;
  if (kind === 'llama.cpp') {
    // The library itself (and its native addon) is loaded before measuring, as for ours.
    await llamaModel(ggufPathFor(familyCases.find((each) => each.family === 'deepseek_v3')!)).catch(() => undefined);
  }
  const before = settle();
  if (kind === 'ours') {
    const ours = await ourGgufTokenizer(path);
    ours.count('warm up the caches');
    loaded = ours;
  } else {
    const model = await llamaModel(path);
    model.tokenize('warm up the caches', true);
    loaded = model;
  }
  const after = settle();
  console.log(JSON.stringify({ rssMB: (after - before) / 1e6, kept: loaded !== undefined }));
}

function time<T>(run: () => T): [T, number] {
  const start = performance.now();
  const result = run();
  return [result, (performance.now() - start) / 1000];
}

/** Letters without whitespace or digits: one word for byte-level BPE, one SentencePiece text. */
function letterRun(length: number): string {
  const random = seededRandom(42);
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  while (out.length < length) out += letters[Math.floor(random() * letters.length)];
  return out;
}

async function main(): Promise<void> {
  const child = argument('--memory-child');
  if (child !== undefined) {
    return memoryChild(
      child as 'ours' | 'llama.cpp',
      familyCases.find((each) => each.family === argument('--family'))!,
    );
  }
  const unavailable = llamaOracleUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const corpusMb = Number(argument('--mb') ?? (quickBench ? '1' : '4'));
  const chosen = argument('--families')?.split(',') ?? (quickBench ? ['llama3_1', 'gemma3'] : undefined);
  console.log(`machine: ${JSON.stringify(machine())}`);
  const results: Record<string, { referenceSeconds: number; oursSeconds: number; tokens: number; equal: boolean }> = {};
  let mismatches = 0;
  const corpus = loadMixedCorpus(corpusMb * 1024 * 1024);
  const bytes = corpus.reduce((sum, file) => sum + file.bytes, 0);
  console.log(`corpus: ${corpus.length} files, ${(bytes / 1e6).toFixed(1)} MB (this repo, TypeScript, Markdown, Python); one thread each`);
  const memory: string[] = [];
  for (const testCase of familyCases.filter((each) => chosen === undefined || chosen.includes(each.family))) {
    const path = ggufPathFor(testCase);
    const start = performance.now();
    const ours = await ourGgufTokenizer(path);
    const ourLoad = (performance.now() - start) / 1000;
    const loadStart = performance.now();
    const reference = await llamaModel(path);
    const referenceLoad = (performance.now() - loadStart) / 1000;
    ours.count('warm up');
    reference.tokenize('warm up', true);
    const [expectedTokens, referenceSeconds] = time(() =>
      corpus.reduce((sum, file) => sum + reference.tokenize(file.text, true).length, 0),
    );
    const [ourTokens, ourSeconds] = time(() => corpus.reduce((sum, file) => sum + ours.count(file.text), 0));
    const rate = (seconds: number): string => `${(bytes / 1e6 / seconds).toFixed(2).padStart(6)} MB/s (${seconds.toFixed(2)} s)`;
    console.log(`\n${testCase.name}: ${ours.description}; load ours ${ourLoad.toFixed(2)} s, llama.cpp ${referenceLoad.toFixed(2)} s`);
    console.log(`  tokens: llama.cpp ${expectedTokens}, ours ${ourTokens}${expectedTokens === ourTokens ? ' (equal)' : ' MISMATCH'}`);
    console.log(`  llama.cpp ${rate(referenceSeconds)}`);
    console.log(`  ours      ${rate(ourSeconds)}  = ${(ourSeconds / referenceSeconds).toFixed(2)}x llama.cpp's time`);
    if (expectedTokens !== ourTokens) mismatches++;
    results[testCase.family] = { referenceSeconds, oursSeconds: ourSeconds, tokens: expectedTokens, equal: expectedTokens === ourTokens };
    if (testCase.family === 'gemma3' || testCase.family === 'llama3_1') {
      console.log('  one run without whitespace (random letters):');
      for (const size of quickBench ? [64 * 1024, 256 * 1024] : [64 * 1024, 256 * 1024, 1024 * 1024]) {
        const text = letterRun(size);
        const [tokens, seconds] = time(() => ours.count(text));
        const [expected, referenceRun] = time(() => reference.tokenize(text, true).length);
        if (tokens !== expected) mismatches++;
        console.log(
          `    ${String(size / 1024).padStart(5)} KiB: ours ${(seconds * 1000).toFixed(0).padStart(6)} ms (${(seconds / (size / 1024 / 1024)).toFixed(2)} s/MiB), ` +
            `llama.cpp ${(referenceRun * 1000).toFixed(0).padStart(6)} ms; ${tokens} tokens${tokens === expected ? '' : ` MISMATCH ${expected}`}`,
        );
      }
    }
    for (const kind of ['ours', 'llama.cpp'] as const) {
      const run = spawnSync(process.execPath, ['--expose-gc', __filename, '--memory-child', kind, '--family', testCase.family], {
        encoding: 'utf8',
      });
      const line = run.stdout.trim().split('\n').pop() ?? '';
      memory.push(
        `${testCase.family.padEnd(12)} ${kind.padEnd(9)} ${line.startsWith('{') ? `${(JSON.parse(line) as { rssMB: number }).rssMB.toFixed(0)} MB resident` : `failed: ${run.stderr.slice(0, 200)}`}`,
      );
    }
  }
  console.log('\nresident memory of one loaded vocabulary (RSS after load minus before, after GC, fresh process each):');
  for (const line of memory) console.log(`  ${line}`);
  console.log(`\nexactness vs llama.cpp: ${mismatches === 0 ? 'EQUAL' : `MISMATCH in ${mismatches} case(s)`}`);
  console.log(
    `results: ${writeResults('gguf-tokenizer', { corpusBytes: bytes, corpusFiles: corpus.length, families: results, memory, mismatches })}`,
  );
  if (mismatches > 0) process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
