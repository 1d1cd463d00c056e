// Shared by the tokenizer tests and the bench: the official tiktoken core (WASM) as the oracle, a
// seeded PRNG, and a real-file corpus from node_modules. Not a test file itself.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { get_encoding, type Tiktoken } from 'tiktoken';
import type { EncodingName } from '../../../src/core/tokenizer/encoding';
import { seededRandom } from '../../support/seededRandom';

const oracles = new Map<EncodingName, Tiktoken>();

/** tiktoken's Rust core compiled to WASM: the reference every count is compared with. */
export function getOracle(encoding: EncodingName): Tiktoken {
  let oracle = oracles.get(encoding);
  if (oracle === undefined) {
    oracle = get_encoding(encoding);
    oracles.set(encoding, oracle);
  }
  return oracle;
}

/** The oracle's token ids for `text`, special-token strings treated as ordinary text. */
export function oracleEncode(encoding: EncodingName, text: string): number[] {
  return Array.from(getOracle(encoding).encode_ordinary(text));
}

/** Slow tests (large corpus, exhaustive code points) are skipped when CB_QUICK=1. */
export const quick = process.env.CB_QUICK === '1';

export { seededRandom } from '../../support/seededRandom';

/**
 * Repository root: the nearest folder above this compiled file with a package.json. Found by
 * walking up so the code also works compiled elsewhere than out/ (the bench uses .cache/bench-out).
 */
export const repoRoot = findRepoRoot(__dirname);

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(start, '..', '..', '..', '..');
  }
}

/** One corpus file. */
export interface CorpusFile {
  readonly path: string;
  readonly text: string;
  readonly bytes: number;
}

const corpusExtensions = /\.(?:js|cjs|mjs|ts|mts|cts|md|json|map|txt)$/;

/**
 * Real text from node_modules: every file under typescript/lib first (≈19 MB of JS and .d.ts), then
 * other packages' .js/.ts/.md/.json files in a stable (sorted) order until `maxBytes` is reached.
 * Files over 2 MB are left out, as the scanner's default limit does.
 */
export function loadCorpus(maxBytes: number): CorpusFile[] {
  const files: CorpusFile[] = [];
  let total = 0;
  const seen = new Set<string>();
  const add = (path: string): boolean => {
    if (seen.has(path) || !corpusExtensions.test(path)) return total < maxBytes;
    seen.add(path);
    const size = statSync(path).size;
    if (size > 2 * 1024 * 1024 || total + size > maxBytes) return total < maxBytes;
    const text = readFileSync(path, 'utf8');
    files.push({ path, text, bytes: size });
    total += size;
    return total < maxBytes;
  };
  const walk = (dir: string): boolean => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return true;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!walk(path)) return false;
      } else if (entry.isFile() && !add(path)) {
        return false;
      }
    }
    return true;
  };
  const nodeModules = join(repoRoot, 'node_modules');
  if (walk(join(nodeModules, 'typescript', 'lib'))) walk(nodeModules);
  return files;
}

/** Base64 of pseudo-random bytes, one line, like an inlined asset or a source map payload. */
export function base64Blob(length: number, seed: number): string {
  const random = seededRandom(seed);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  while (out.length < length) out += alphabet[Math.floor(random() * 64)];
  return out;
}

/** A single minified-JavaScript-looking line. */
export function minifiedJs(length: number, seed: number): string {
  const random = seededRandom(seed);
  const parts = [
    'function(',
    'return ',
    'var ',
    'a',
    'e',
    't',
    'n',
    '=',
    '(',
    ')',
    '{',
    '}',
    ';',
    '.',
    ',',
    '&&',
    '||',
    '!0',
    '0x1f',
    '"use strict"',
    'void 0',
    '=>',
    '[',
    ']',
    '?',
    ':',
    'this.',
    'prototype',
    '1e3',
    ' ',
  ];
  let out = '';
  while (out.length < length) out += parts[Math.floor(random() * parts.length)];
  return out.slice(0, length);
}
