import type { EncodingName } from './encoding';

/**
 * Pre-tokenization: the regex that cuts text into pieces before BPE, rewritten so that JavaScript
 * (V8 irregexp, `v` flag) cuts exactly where the official tiktoken core (Rust `fancy-regex` 0.11 on
 * `regex-syntax` 0.8.5, Unicode 16.0) cuts. The upstream patterns are
 *
 *   cl100k_base: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *   o200k_base:  [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|…)?|…|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
 *
 * and these are the places where a literal JavaScript translation (what js-tiktoken does) differs:
 *
 * 1. `\s`: Rust's Unicode `\s` is the White_Space property; JavaScript's `\s` adds U+FEFF (BOM /
 *    zero-width no-break space) and lacks U+0085 (NEL). We use `\p{White_Space}` / `\P{White_Space}`.
 * 2. `(?i:'s|…)`: Rust folds case with Unicode simple case folding, so `(?i:s)` also matches U+017F
 *    LATIN SMALL LETTER LONG S (ſ). js-tiktoken spells the group out as `'s|'S|…` and misses `'ſ`.
 *    V8 in Node 20 has no `(?i:…)` modifier groups, so we spell out the folded classes (`'[sSſ]`, …).
 * 3. Unicode version: `\p{L}` etc. are evaluated with the runtime's ICU tables (Node 20.20 ships
 *    Unicode 17.0) while the oracle has Unicode 16.0 tables. Code points first assigned in Unicode 17
 *    are unassigned (Cn) for the oracle, so they are subtracted from every property class
 *    ({@link unicode17Additions}). A runtime whose tables are OLDER than 16.0 would still differ; the
 *    exhaustive code-point test in test/unit/tokenizer catches that.
 * 4. Lone surrogates: the oracle receives a JS string through wasm-bindgen's UTF-8 encoder, which
 *    replaces each lone surrogate with U+FFFD. {@link replaceLoneSurrogates} does the same before
 *    splitting, so a lone surrogate counts exactly like U+FFFD.
 *
 * Surrogate pairs need nothing special: the `v` flag makes the regex work on code points.
 */
export function getPretokenizePattern(encoding: EncodingName): RegExp {
  let pattern = patterns.get(encoding);
  if (pattern === undefined) {
    pattern = new RegExp(patternSource(encoding), 'gv');
    patterns.set(encoding, pattern);
  }
  // Fresh copy per call: a `g` regex carries `lastIndex`, so sharing one across callers is unsafe.
  return new RegExp(pattern);
}

const patterns = new Map<EncodingName, RegExp>();

/**
 * Code points assigned in Unicode 17.0 but not in 16.0 that V8 (Unicode 17) classifies as L, N or M.
 * Found by probing every code point against the oracle (see test/unit/tokenizer/codePoints.test.ts).
 */
export const unicode17Additions: readonly (readonly [number, number])[] = [
  [0x88f, 0x88f],
  [0xc5c, 0xc5c],
  [0xcdc, 0xcdc],
  [0x1acf, 0x1add],
  [0x1ae0, 0x1aeb],
  [0xa7ce, 0xa7cf],
  [0xa7d2, 0xa7d2],
  [0xa7d4, 0xa7d4],
  [0xa7f1, 0xa7f1],
  [0x10940, 0x10959],
  [0x10ec5, 0x10ec7],
  [0x10efa, 0x10efb],
  [0x11b60, 0x11b67],
  [0x11db0, 0x11ddb],
  [0x11de0, 0x11de9],
  [0x16ea0, 0x16eb8],
  [0x16ebb, 0x16ed3],
  [0x16ff2, 0x16ff6],
  [0x187f8, 0x187ff],
  [0x18d09, 0x18d1e],
  [0x18d80, 0x18df2],
  [0x1e6c0, 0x1e6de],
  [0x1e6e0, 0x1e6f5],
  [0x1e6fe, 0x1e6ff],
  [0x2b73a, 0x2b73f],
  [0x2cea2, 0x2cead],
  [0x323b0, 0x33479],
];

function classOf(ranges: readonly (readonly [number, number])[]): string {
  const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;
  return `[${ranges.map(([from, to]) => (from === to ? hex(from) : `${hex(from)}-${hex(to)}`)).join('')}]`;
}

/** `property` minus the Unicode 17 additions, as a `v`-flag class. */
function oracleClass(property: string): string {
  return unicode17Additions.length === 0 ? `[${property}]` : `[[${property}]--${classOf(unicode17Additions)}]`;
}

function patternSource(encoding: EncodingName): string {
  const letter = oracleClass('\\p{L}');
  const number = oracleClass('\\p{N}');
  const space = '\\p{White_Space}';
  const notSpace = '\\P{White_Space}';
  // (?i:'s|'t|'re|'ve|'m|'ll|'d) with Unicode simple case folding spelled out (ſ folds to s).
  const contraction = "'(?:[sS\\u{17f}]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])";
  const tail = `|${number}{1,3}`;
  switch (encoding) {
    case 'cl100k_base':
      return (
        `${contraction}|[^\\r\\n${letter}${number}]?${letter}+${tail}` +
        `| ?[^${space}${letter}${number}]+[\\r\\n]*|${space}*[\\r\\n]+|${space}+(?!${notSpace})|${space}+`
      );
    case 'o200k_base': {
      const upper = oracleClass('\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}');
      const lower = oracleClass('\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}');
      const lead = `[^\\r\\n${letter}${number}]?`;
      return (
        `${lead}${upper}*${lower}+(?:${contraction})?|${lead}${upper}+${lower}*(?:${contraction})?${tail}` +
        `| ?[^${space}${letter}${number}]+[\\r\\n\\/]*|${space}*[\\r\\n]+|${space}+(?!${notSpace})|${space}+`
      );
    }
  }
}

/**
 * Replaces every lone (unpaired) surrogate with U+FFFD, as the oracle's UTF-8 conversion does.
 * Returns the input itself when there is none, which is the overwhelmingly common case.
 */
export function replaceLoneSurrogates(text: string): string {
  return loneSurrogate.test(text) ? text.replace(loneSurrogateGlobal, '\uFFFD') : text;
}

// With the `u` flag a properly paired surrogate is one code point, so these match only lone halves.
const loneSurrogate = /[\uD800-\uDFFF]/u;
const loneSurrogateGlobal = /[\uD800-\uDFFF]/gu;
