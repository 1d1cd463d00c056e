import type { EncodingName } from './encoding';

/**
 * Mergeable ranks of one BPE encoding.
 *
 * Keys are "byte strings": one UTF-16 code unit per byte (0–255), which is what `atob` returns.
 * Pure ASCII text is therefore its own key, so the common case needs no conversion at all.
 */
export type RankMap = ReadonlyMap<string, number>;

/** The compact shape js-tiktoken ships its ranks in (`js-tiktoken/ranks/<name>`). */
interface CompactRanks {
  readonly pat_str: string;
  readonly special_tokens: Record<string, number>;
  readonly bpe_ranks: string;
}

/**
 * Loads the raw js-tiktoken rank module for `encoding`.
 *
 * `require` sits inside a function on purpose: the rank modules are 1–2 MB of string literal each,
 * and esbuild wraps a required CommonJS module in a closure that only runs on the first call, so an
 * encoding that is never used is never evaluated. The specifiers are literals so esbuild can see them.
 */
function loadCompactRanks(encoding: EncodingName): CompactRanks {
  let loaded: unknown;
  switch (encoding) {
    case 'o200k_base':
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, synchronous load (see above)
      loaded = require('js-tiktoken/ranks/o200k_base');
      break;
    case 'cl100k_base':
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, synchronous load (see above)
      loaded = require('js-tiktoken/ranks/cl100k_base');
      break;
  }
  // The .cjs files assign `module.exports = {...}` while the typings claim a default export; accept both.
  const candidate = (loaded as { default?: unknown } | undefined)?.default ?? loaded;
  if (!isCompactRanks(candidate)) {
    throw new Error(`js-tiktoken rank data for ${encoding} has an unexpected shape`);
  }
  return candidate;
}

function isCompactRanks(value: unknown): value is CompactRanks {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record.bpe_ranks === 'string' && typeof record.pat_str === 'string';
}

/**
 * Decodes js-tiktoken's compact rank format: each line is `<label> <firstRank> <b64> <b64> …`, where
 * the n-th base64 token after the offset has rank `firstRank + n` (the same reading as js-tiktoken's
 * own constructor).
 */
export function parseCompactRanks(bpeRanks: string): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const line of bpeRanks.split('\n')) {
    if (line.length === 0) continue;
    const fields = line.split(' ');
    const firstRank = Number.parseInt(fields[1] ?? '', 10);
    if (!Number.isInteger(firstRank)) throw new Error('malformed rank line: missing offset');
    for (let i = 2; i < fields.length; i++) {
      const token = fields[i];
      if (token === undefined || token.length === 0) continue;
      ranks.set(atob(token), firstRank + i - 2);
    }
  }
  return ranks;
}

const rankCache = new Map<EncodingName, RankMap>();

/**
 * Returns the rank map of `encoding`, decoding it on first use (≈100–250 ms) and keeping it for the
 * life of the process, since a counter with its ranks is immutable and shared.
 */
export function getRanks(encoding: EncodingName): RankMap {
  let ranks = rankCache.get(encoding);
  if (ranks === undefined) {
    ranks = parseCompactRanks(loadCompactRanks(encoding).bpe_ranks);
    rankCache.set(encoding, ranks);
  }
  return ranks;
}
