import { llamaCategoryRanges, llamaWhitespace } from './llamaUnicodeData';

// Code point classification as llama.cpp's tokenizer does it (ggml-org/llama.cpp@v0.4.0:
// src/unicode.h unicode_cpt_flags, src/unicode.cpp unicode_cpt_flags_from_cpt): one category bit
// per code point from llama.cpp's own table, plus a whitespace bit. The table is generated from
// llama.cpp (scripts/genLlamaUnicodeData.mjs), never taken from the runtime's Unicode version, so
// a GGUF vocabulary cuts text the same way in any Node or Electron.

/** Category bits, as llama.cpp's unicode_cpt_flags. */
export const cptUndefined = 0x0001;
export const cptNumber = 0x0002;
export const cptLetter = 0x0004;
export const cptSeparator = 0x0008;
export const cptMark = 0x0010;
export const cptPunctuation = 0x0020;
export const cptSymbol = 0x0040;
export const cptControl = 0x0080;
/** All category bits. */
export const cptCategories = 0x00ff;
/** llama.cpp's is_whitespace (unicode_set_whitespace). */
export const cptWhitespace = 0x0100;

let bmp: Uint16Array | undefined;
let astralStarts: Uint32Array | undefined;
let astralFlags: Uint16Array | undefined;

/** Decodes the generated table once: a flat array for the BMP, sorted ranges above it. */
function load(): void {
  const starts: number[] = [];
  const flags: number[] = [];
  let start = 0;
  for (const entry of llamaCategoryRanges.split(',')) {
    start += parseInt(entry.slice(0, -1), 36);
    starts.push(start);
    flags.push(1 << Number(entry.slice(-1)));
  }
  const table = new Uint16Array(0x10000);
  const astral: number[] = [];
  const astralValues: number[] = [];
  for (let i = 0; i < starts.length; i++) {
    const from = starts[i] as number;
    const to = i + 1 < starts.length ? (starts[i + 1] as number) : 0x110000;
    if (from < 0x10000) table.fill(flags[i] as number, from, Math.min(to, 0x10000));
    if (to > 0x10000) {
      astral.push(Math.max(from, 0x10000));
      astralValues.push(flags[i] as number);
    }
  }
  const astralWhitespace = new Set<number>();
  for (const cp of llamaWhitespace) {
    if (cp < 0x10000) table[cp] = (table[cp] as number) | cptWhitespace;
    else astralWhitespace.add(cp);
  }
  // No whitespace code point lies above the BMP; the astral lookup has no whitespace bit.
  if (astralWhitespace.size > 0) throw new Error('llama.cpp whitespace above U+FFFF is not expected');
  bmp = table;
  astralStarts = Uint32Array.from(astral);
  astralFlags = Uint16Array.from(astralValues);
}

/**
 * The flags of a code point: one category bit, plus {@link cptWhitespace}. Code points past
 * U+10FFFF have none (llama.cpp's `undef` flags value is UNDEFINED, but no input reaches here
 * with one: text comes from JavaScript strings).
 */
export function cptFlags(cp: number): number {
  if (bmp === undefined) load();
  if (cp < 0x10000) return (bmp as Uint16Array)[cp] as number;
  const starts = astralStarts as Uint32Array;
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] as number) <= cp) low = mid;
    else high = mid - 1;
  }
  return (astralFlags as Uint16Array)[low] as number;
}
