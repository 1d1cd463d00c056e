import { cptFlags, cptLetter, cptMark, cptNumber, cptPunctuation, cptSymbol, cptWhitespace } from './llamaUnicode';
import { llamaPreTokenizerNames, llamaPreTokenizerPresets } from './llamaPreTokenizerData';
import { HfTokenizerError } from '../hf/hfTokenizerError';

// How llama.cpp cuts text into words before BPE (ggml-org/llama.cpp@v0.4.0: src/unicode.cpp
// unicode_regex_split and its helpers, src/llama-vocab.cpp llm_tokenizer_bpe). Each regex of the
// pre-tokenizer is applied in turn to every piece the previous one left (matches and the text
// between them both become pieces). llama.cpp runs a regex one of three ways, and so do we:
// - a hand-written splitter when the regex is one it has one for (GPT-2, Llama 3, Qwen2, Qwen3.5,
//   runs of newlines): ported below, quirks included (e.g. `\s+(?!\S)` at the end of a piece);
// - std::regex over a "collapsed" text when the regex uses \p{…}: every code point ≥ 128 becomes
//   one byte standing for its category (0xD1 number, 0xD2 letter, 0xD3 punctuation, 0xD4 mark,
//   0xD5 symbol, 0xD0 anything else, 0x0B whitespace), and \p{L} becomes [\xD2A-Za-z], \p{Lu} too
//   (so \p{Lu} and \p{Ll} both mean "any letter");
// - std::wregex over the code points otherwise, with non-ASCII whitespace turned into 0x0B.
// The two std::regex cases run as JavaScript regexes, whose ECMAScript backtracking semantics are
// the ones libstdc++'s std::regex (ECMAScript grammar, depth-first executor) implements.

/** How one regex of a pre-tokenizer is run. */
type SplitStep =
  | { readonly kind: 'gpt2' }
  | { readonly kind: 'llamaLike'; readonly maxDigits: 1 | 3; readonly marksInWords: boolean }
  | { readonly kind: 'newlines' }
  | { readonly kind: 'collapsed'; readonly regex: RegExp }
  | { readonly kind: 'wide'; readonly regex: RegExp };

/** A llama.cpp BPE pre-tokenizer, ready to split text. */
export interface LlamaPreTokenizer {
  /** The `tokenizer.ggml.pre` value, e.g. "llama-bpe". */
  readonly name: string;
  /** Words are mapped byte by byte to GPT-2's printable characters before BPE. */
  readonly byteEncode: boolean;
  /** A word that is itself a token is not merged (llama-bpe, tekken, …). */
  readonly ignoreMerges: boolean;
  /** Spaces become U+2581 before splitting (Gemma 4 style BPE). */
  readonly escapeWhitespaces: boolean;
  /** True for Gemma 4's pre-tokenizer, whose runs of newlines that are tokens stay whole. */
  readonly newlineRunsWhole: boolean;
  /** Word lengths, in code points, covering `cpts` in order. */
  split(cpts: Uint32Array): number[];
}

const gpt2Regex = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
const llama3Regexes = [
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];
const qwen2Regex =
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const qwen35Regex =
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** Regexes llama.cpp routes to hand-written splitters we do not port (unicode_regex_split_custom). */
const unportedCustom = new Set(['\\p{Han}+', '\\p{AFMoE_digits}', '\\d{1,3}(?=(?:\\d{3})*\\b)']);

/** \p{…} names llama.cpp collapses (unicode_regex_split k_ucat_enum) and the class each becomes. */
const collapsedClasses: ReadonlyMap<string, string> = new Map([
  ['\\p{N}', '\\xD10-9'],
  ['\\p{L}', '\\xD2A-Za-z'],
  ['\\p{P}', '\\xD3!-#%-*,-/:-;?-@\\[-\\]_\\{\\}'],
  ['\\p{M}', '\\xD4'],
  ['\\p{S}', '\\xD5\\$\\+<->^`\\|\\~'],
  ['\\p{Lu}', '\\xD2A-Za-z'],
  ['\\p{Ll}', '\\xD2A-Za-z'],
  ['\\p{Lt}', '\\xD2A-Za-z'],
  ['\\p{Lm}', '\\xD2A-Za-z'],
  ['\\p{Lo}', '\\xD2A-Za-z'],
]);

/**
 * The pre-tokenizer llama.cpp uses for `tokenizer.ggml.pre` (missing: "default", as llama.cpp,
 * which warns). Throws {@link HfTokenizerError} at `tokenizer.ggml.pre` for a name llama.cpp does
 * not know, or one whose splitter we have not ported.
 */
export function llamaPreTokenizer(pre: string | undefined): LlamaPreTokenizer {
  const name = pre === undefined || pre === '' ? 'default' : pre;
  const path = 'tokenizer.ggml.pre';
  const entry =
    name === 'default' ? { preType: 'DEFAULT', ignoreMerges: false, escapeWhitespaces: false } : own(llamaPreTokenizerNames, name);
  if (entry === undefined) throw new HfTokenizerError(path, `"${name}" is not a pre-tokenizer llama.cpp knows`);
  // llama.cpp pairs the "whitespace" pre-tokenizer with its "whitespace" tokenizer model only; with
  // a BPE vocabulary its words keep their spaces and llama.cpp aborts (find_bpe_rank's assertion).
  if (entry.preType === 'WHITESPACE') {
    throw new HfTokenizerError(path, '"whitespace" needs tokenizer.ggml.model "whitespace", which is not supported', true);
  }
  const preset = own(llamaPreTokenizerPresets, entry.preType);
  if (preset === undefined) throw new HfTokenizerError(path, `"${name}" has no split rules`);
  const steps = preset.regexes.map((regex) => compileStep(regex, name));
  return {
    name,
    byteEncode: preset.byteEncode,
    ignoreMerges: entry.ignoreMerges,
    escapeWhitespaces: entry.escapeWhitespaces,
    newlineRunsWhole: entry.preType === 'GEMMA4',
    split: (cpts) => splitWith(steps, cpts),
  };
}

function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

function compileStep(regex: string, name: string): SplitStep {
  if (regex === gpt2Regex) return { kind: 'gpt2' };
  if (llama3Regexes.includes(regex)) return { kind: 'llamaLike', maxDigits: 3, marksInWords: false };
  if (regex === qwen2Regex) return { kind: 'llamaLike', maxDigits: 1, marksInWords: false };
  if (regex === qwen35Regex) return { kind: 'llamaLike', maxDigits: 1, marksInWords: true };
  if (regex === '[^\\n]+|[\\n]+') return { kind: 'newlines' };
  if (unportedCustom.has(regex)) {
    throw new HfTokenizerError(
      'tokenizer.ggml.pre',
      `"${name}" uses a llama.cpp splitter Context Budget does not implement (${regex})`,
      true,
    );
  }
  const usesCategories = [...collapsedClasses.keys()].some((key) => regex.includes(key));
  try {
    if (usesCategories) return { kind: 'collapsed', regex: new RegExp(collapseRegex(regex, name), 'g') };
    return { kind: 'wide', regex: new RegExp(wideRegex(regex, name), 'gu') };
  } catch (error) {
    if (error instanceof HfTokenizerError) throw error;
    throw new HfTokenizerError(
      'tokenizer.ggml.pre',
      `"${name}": its regex ${JSON.stringify(regex)} cannot be run (${(error as Error).message})`,
      true,
    );
  }
}

/** unicode_regex_split: \p{…} classes become their collapsed byte plus the ASCII members. */
function collapseRegex(regex: string, name: string): string {
  if (/[^\x00-\x7f]/.test(regex)) {
    // llama.cpp throws "Regex includes both unicode categories and non-ASCII characters".
    throw new HfTokenizerError('tokenizer.ggml.pre', `"${name}": llama.cpp refuses a regex mixing \\p{…} and non-ASCII characters`, true);
  }
  let out = '';
  let inside = false;
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i] as string;
    if (ch === '[' && (i === 0 || regex[i - 1] !== '\\')) {
      out += '[';
      inside = true;
      continue;
    }
    if (inside && ch === ']' && regex[i - 1] !== '\\') {
      out += ']';
      inside = false;
      continue;
    }
    if (ch === '\\' && regex[i + 1] === 'p' && regex[i + 2] === '{') {
      const close = regex.indexOf('}', i + 3);
      const members = close >= 0 && close <= i + 10 ? collapsedClasses.get(regex.slice(i, close + 1)) : undefined;
      if (members !== undefined) {
        out += inside ? members : `[${members}]`;
        i = close;
        continue;
      }
    }
    out += ch;
  }
  return out;
}

/**
 * A std::wregex pattern for JavaScript's `u` mode. std::wregex's \s in the C locale is ASCII
 * whitespace only (non-ASCII whitespace is 0x0B by then), where JavaScript's also takes U+FEFF and
 * others, so \s and \S are spelled out.
 */
function wideRegex(regex: string, name: string): string {
  let out = '';
  let inside = false;
  for (let i = 0; i < regex.length; i++) {
    const ch = regex[i] as string;
    if (ch === '\\') {
      const next = regex[i + 1] ?? '';
      i++;
      if (next === 's') out += inside ? '\\t\\n\\v\\f\\r ' : '[\\t\\n\\v\\f\\r ]';
      else if (next === 'S' && !inside) out += '[^\\t\\n\\v\\f\\r ]';
      else if (next === 'S') {
        throw new HfTokenizerError('tokenizer.ggml.pre', `"${name}": \\S inside a character class is not supported`, true);
      } else out += `\\${next}`;
      continue;
    }
    if (ch === '[' && !inside) inside = true;
    else if (ch === ']' && inside) inside = false;
    out += ch;
  }
  return out;
}

/** unicode_regex_split: every step refines the pieces of the one before. */
function splitWith(steps: readonly SplitStep[], cpts: Uint32Array): number[] {
  let offsets: number[] = cpts.length > 0 ? [cpts.length] : [];
  let collapsed: string | undefined;
  let wide: string | undefined;
  for (const step of steps) {
    switch (step.kind) {
      case 'gpt2':
        offsets = splitGpt2(cpts, offsets);
        break;
      case 'llamaLike':
        offsets = splitLlamaLike(cpts, offsets, step.maxDigits, step.marksInWords);
        break;
      case 'newlines':
        offsets = splitNewlines(cpts, offsets);
        break;
      case 'collapsed':
        collapsed ??= collapsedText(cpts);
        offsets = splitRegex(collapsed, offsets, step.regex, false);
        break;
      case 'wide':
        wide ??= wideText(cpts);
        offsets = splitRegex(wide, offsets, step.regex, true);
        break;
    }
  }
  return offsets;
}

/** One UTF-16 unit per code point: ASCII as is, the rest by category (unicode_regex_split). */
function collapsedText(cpts: Uint32Array): string {
  const units = new Uint16Array(cpts.length);
  for (let i = 0; i < cpts.length; i++) {
    const cp = cpts[i] as number;
    if (cp < 128) {
      units[i] = cp;
      continue;
    }
    const flags = cptFlags(cp);
    if (flags & cptWhitespace) units[i] = 0x0b;
    else if (flags & cptNumber) units[i] = 0xd1;
    else if (flags & cptLetter) units[i] = 0xd2;
    else if (flags & cptPunctuation) units[i] = 0xd3;
    else if (flags & cptMark) units[i] = 0xd4;
    else if (flags & cptSymbol) units[i] = 0xd5;
    else units[i] = 0xd0;
  }
  return unitsToString(units);
}

/** The code points as a string, non-ASCII whitespace replaced by 0x0B (std::wregex path). */
function wideText(cpts: Uint32Array): string {
  let out = '';
  const chunk: number[] = [];
  for (let i = 0; i < cpts.length; i++) {
    const cp = cpts[i] as number;
    chunk.push(cp > 0x7f && cptFlags(cp) & cptWhitespace ? 0x0b : cp);
    if (chunk.length === 8192) {
      out += String.fromCodePoint(...chunk);
      chunk.length = 0;
    }
  }
  return out + String.fromCodePoint(...chunk);
}

function unitsToString(units: Uint16Array): string {
  let out = '';
  for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.subarray(i, i + 8192));
  return out;
}

/**
 * unicode_regex_split_stl: within each piece, the matches and the gaps between them become pieces.
 * `text` holds one unit per code point (collapsed) or is the wide text (`wide`: indexes are UTF-16
 * units there and are converted back to code points). Empty matches make no piece: llama.cpp emits
 * a zero-length word for them, which yields no token.
 */
function splitRegex(text: string, offsets: readonly number[], regex: RegExp, wide: boolean): number[] {
  const out: number[] = [];
  let startUnit = 0;
  for (const length of offsets) {
    let endUnit = startUnit;
    if (wide) {
      for (let n = 0; n < length; n++) endUnit += (text.codePointAt(endUnit) as number) > 0xffff ? 2 : 1;
    } else {
      endUnit = startUnit + length;
    }
    const piece = text.slice(startUnit, endUnit);
    const cpLength = (from: number, to: number): number => (wide ? codePointCount(piece, from, to) : to - from);
    regex.lastIndex = 0;
    let previous = 0;
    for (;;) {
      const match = regex.exec(piece);
      if (match === null) break;
      const at = match.index;
      const end = at + match[0].length;
      if (at > previous) out.push(cpLength(previous, at));
      if (end > at) out.push(cpLength(at, end));
      previous = end;
      if (end === at) regex.lastIndex = at + (wide && (piece.codePointAt(at) ?? 0) > 0xffff ? 2 : 1);
      if (regex.lastIndex > piece.length) break;
    }
    if (previous < piece.length) out.push(cpLength(previous, piece.length));
    startUnit = endUnit;
  }
  return out;
}

function codePointCount(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdbff || i + 1 >= to) count++;
  }
  return count;
}

/** Collects word lengths over one piece [from, to) the way llama.cpp's `_add_token` does. */
class PieceWriter {
  private previous: number;
  constructor(
    private readonly out: number[],
    from: number,
  ) {
    this.previous = from;
  }

  /** Ends a word at `end`; returns its length (0 adds nothing). */
  add(end: number): number {
    const length = end - this.previous;
    if (length > 0) this.out.push(length);
    this.previous = end;
    return length;
  }
}

/** ASCII lowercase: the only code points llama.cpp's unicode_tolower maps onto s, t, r, e, v, m, l, d. */
function asciiLower(cp: number): number {
  return cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp;
}

/** The `'s|'t|'re|'ve|'m|'ll|'d` contraction at `pos`, as its length (0 when none). */
function contractionAt(cpts: Uint32Array, pos: number, end: number, caseInsensitive: boolean): number {
  if (cpts[pos] !== 0x27 || pos + 1 >= end) return 0;
  const lower = caseInsensitive ? asciiLower : (cp: number): number => cp;
  const next = lower(cpts[pos + 1] as number);
  if (next === 0x73 || next === 0x74 || next === 0x6d || next === 0x64) return 2;
  if (pos + 2 < end) {
    const after = lower(cpts[pos + 2] as number);
    if ((next === 0x72 && after === 0x65) || (next === 0x76 && after === 0x65) || (next === 0x6c && after === 0x6c)) return 3;
  }
  return 0;
}

/** unicode_regex_split_custom_gpt2: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S) */
function splitGpt2(cpts: Uint32Array, offsets: readonly number[]): number[] {
  const out: number[] = [];
  let start = 0;
  for (const length of offsets) {
    const from = start;
    const end = start + length;
    start = end;
    const flagsAt = (pos: number): number => (pos >= from && pos < end ? cptFlags(cpts[pos] as number) : 0);
    const writer = new PieceWriter(out, from);
    for (let pos = from; pos < end;) {
      const cpt = cpts[pos] as number;
      const flags = flagsAt(pos);
      const contraction = contractionAt(cpts, pos, end, false);
      if (contraction > 0) {
        pos += writer.add(pos + contraction);
        continue;
      }
      let flags2 = cpt === 0x20 ? flagsAt(pos + 1) : flags;
      if (flags2 & cptLetter) {
        if (cpt === 0x20) pos++;
        while (flags2 & cptLetter) flags2 = flagsAt(++pos);
        writer.add(pos);
        continue;
      }
      if (flags2 & cptNumber) {
        if (cpt === 0x20) pos++;
        while (flags2 & cptNumber) flags2 = flagsAt(++pos);
        writer.add(pos);
        continue;
      }
      if (!(flags2 & (cptWhitespace | cptLetter | cptNumber)) && flags2 !== 0) {
        if (cpt === 0x20) pos++;
        while (!(flags2 & (cptWhitespace | cptLetter | cptNumber)) && flags2 !== 0) flags2 = flagsAt(++pos);
        writer.add(pos);
        continue;
      }
      let whitespaces = 0;
      while (flagsAt(pos + whitespaces) & cptWhitespace) whitespaces++;
      if (whitespaces > 1 && pos + whitespaces < end) {
        pos += whitespaces - 1;
        writer.add(pos);
        continue;
      }
      if (whitespaces > 0) {
        pos += whitespaces;
        writer.add(pos);
        continue;
      }
      writer.add(++pos);
    }
  }
  return out;
}

/**
 * unicode_regex_split_custom_llama3 (maxDigits 3), _qwen2 (1) and _qwen35 (1, marks join words):
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 */
function splitLlamaLike(cpts: Uint32Array, offsets: readonly number[], maxDigits: 1 | 3, marksInWords: boolean): number[] {
  const out: number[] = [];
  const wordBits = marksInWords ? cptLetter | cptMark : cptLetter;
  let start = 0;
  for (const length of offsets) {
    const from = start;
    const end = start + length;
    start = end;
    const flagsAt = (pos: number): number => (pos >= from && pos < end ? cptFlags(cpts[pos] as number) : 0);
    const cptAt = (pos: number): number => (pos >= from && pos < end ? (cpts[pos] as number) : -1);
    const writer = new PieceWriter(out, from);
    for (let pos = from; pos < end;) {
      const cpt = cpts[pos] as number;
      const flags = flagsAt(pos);
      const contraction = contractionAt(cpts, pos, end, true);
      if (contraction > 0) {
        pos += writer.add(pos + contraction);
        continue;
      }
      // [^\r\n\p{L}\p{N}]?\p{L}+
      if (!(cpt === 0x0d || cpt === 0x0a || flags & cptNumber)) {
        if (flags & wordBits || flagsAt(pos + 1) & wordBits) {
          pos++;
          while (flagsAt(pos) & wordBits) pos++;
          writer.add(pos);
          continue;
        }
      }
      // \p{N}{1,3} (or \p{N})
      if (flags & cptNumber) {
        if (maxDigits === 1) {
          writer.add(++pos);
          continue;
        }
        let first = pos;
        while (flagsAt(pos) & cptNumber) {
          if (++pos - first >= 3) {
            writer.add(pos);
            first = pos;
          }
        }
        writer.add(pos);
        continue;
      }
      // <space>?[^\s\p{L}\p{N}]+[\r\n]*
      const excluded = cptWhitespace | wordBits | cptNumber;
      let flags2 = cpt === 0x20 ? flagsAt(pos + 1) : flags;
      if (!(flags2 & excluded) && flags !== 0) {
        if (cpt === 0x20) pos++;
        while (!(flags2 & excluded) && flags2 !== 0) flags2 = flagsAt(++pos);
        let cpt2 = cptAt(pos);
        while (cpt2 === 0x0d || cpt2 === 0x0a) cpt2 = cptAt(++pos);
        writer.add(pos);
        continue;
      }
      let whitespaces = 0;
      let lastLineEnd = 0;
      while (flagsAt(pos + whitespaces) & cptWhitespace) {
        const cpt2 = cptAt(pos + whitespaces);
        if (cpt2 === 0x0d || cpt2 === 0x0a) lastLineEnd = pos + whitespaces + 1;
        whitespaces++;
      }
      // \s*[\r\n]+
      if (lastLineEnd > 0) {
        pos = lastLineEnd;
        writer.add(pos);
        continue;
      }
      // \s+(?!\S)
      if (whitespaces > 1 && pos + whitespaces < end) {
        pos += whitespaces - 1;
        writer.add(pos);
        continue;
      }
      // \s+
      if (whitespaces > 0) {
        pos += whitespaces;
        writer.add(pos);
        continue;
      }
      writer.add(++pos);
    }
  }
  return out;
}

/** unicode_regex_split_custom_newlines: [^\n]+|[\n]+ */
function splitNewlines(cpts: Uint32Array, offsets: readonly number[]): number[] {
  const out: number[] = [];
  let start = 0;
  for (const length of offsets) {
    let pos = start;
    const end = start + length;
    while (pos < end) {
      const newline = cpts[pos] === 0x0a;
      const runStart = pos;
      while (pos < end && (cpts[pos] === 0x0a) === newline) pos++;
      out.push(pos - runStart);
    }
    start = end;
  }
  return out;
}
