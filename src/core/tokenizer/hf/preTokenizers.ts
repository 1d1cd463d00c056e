import { byteLevelChars } from './byteLevel';
import { arrayAt, booleanAt, objectAt, stringAt, typeAt, unsupportedType } from './hfJson';
import { HfTokenizerError } from './hfTokenizerError';
import { onigFindMatches, onigSpace, patternRegex, regexCrateWord, translateOnigRegex } from './onigRegex';

// Pre-tokenizers of a tokenizer.json, after huggingface/tokenizers@3ba8ad0061a885baf052bbb7bbd22857e73e0c4e
// tokenizers/src/pre_tokenizers/*.rs, tokenizers/src/tokenizer/pattern.rs (find_matches) and
// tokenizers/src/tokenizer/normalizer.rs (`split` and its five behaviours). Empty pieces are dropped
// after every split, as PreTokenizedString::split does.

/** One pre-tokenized piece of normalized text. */
export interface Piece {
  readonly text: string;
  /**
   * The piece starts at offset 0 of the original input (Metaspace `prepend_scheme: "first"`). Only
   * a piece at offset 0 of a piece that had it keeps it; see {@link parseMetaspace}.
   */
  readonly atOrigin: boolean;
}

/** A parsed pre-tokenizer: pieces in, pieces out. */
export type PreTokenizer = (pieces: Piece[]) => Piece[];

/** How a split treats the delimiters it found (SplitDelimiterBehavior). */
type Behavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
const behaviors: readonly Behavior[] = ['Removed', 'Isolated', 'MergedWithPrevious', 'MergedWithNext', 'Contiguous'];

/** Match list covering a string: flat triples (start, end, isMatch 0/1), as `Pattern::find_matches` returns. */
type Matches = number[];

const supported = ['Split', 'ByteLevel', 'Digits', 'Metaspace', 'Punctuation', 'Whitespace', 'WhitespaceSplit', 'Sequence'];

/** The GPT-2 regex ByteLevel uses when `use_regex` is true (pre_tokenizers/byte_level.rs `RE`). */
const gpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
let gpt2Regex: RegExp | undefined;

/** Parses `pre_tokenizer` of a tokenizer.json (null means none). */
export function parsePreTokenizer(json: unknown, path: string): PreTokenizer | undefined {
  if (json === null || json === undefined) return undefined;
  const record = objectAt(json, path);
  const type = typeAt(record, path);
  switch (type) {
    case 'Split':
      return parseSplit(record, path);
    case 'ByteLevel': {
      const addPrefixSpace = booleanAt(record.add_prefix_space, `${path}.add_prefix_space`, true);
      const useRegex = booleanAt(record.use_regex, `${path}.use_regex`, true);
      gpt2Regex ??= translateOnigRegex(gpt2Pattern, `${path} (GPT-2 regex)`).regex;
      const regex = gpt2Regex;
      return mapPieces((piece, out) => {
        // NormalizedString::prepend is a no-op on an empty string; mapPieces never passes one.
        const text = addPrefixSpace && !piece.text.startsWith(' ') ? ` ${piece.text}` : piece.text;
        const parts = useRegex
          ? splitPiece({ text, atOrigin: piece.atOrigin }, regexMatches(regex, text), 'Isolated')
          : [{ text, atOrigin: piece.atOrigin }];
        for (const part of parts) out.push({ text: byteLevelChars(part.text), atOrigin: part.atOrigin });
      });
    }
    case 'Digits': {
      const individual = booleanAt(record.individual_digits, `${path}.individual_digits`, false);
      // Rust's char::is_numeric is General_Category N, with the same Unicode version as Node.
      return charSplitter(isNumeric, individual ? 'Isolated' : 'Contiguous');
    }
    case 'Punctuation':
      return charSplitter(isPunctuation, parseBehavior(record.behavior ?? 'Isolated', `${path}.behavior`));
    case 'WhitespaceSplit':
      return charSplitter(isWhiteSpace, 'Removed');
    case 'Whitespace': {
      // pre_tokenizers/whitespace.rs: keep `\w+|[^\w\s]+` (Rust regex crate), drop the rest.
      const regex = new RegExp(`${wordRegexClass}+|[^${wordRegexClass}${onigSpace}]+`, 'gv');
      return mapPieces((piece, out) => {
        for (const part of splitPiece(piece, invert(regexMatches(regex, piece.text)), 'Removed')) out.push(part);
      });
    }
    case 'Metaspace':
      return parseMetaspace(record, path);
    case 'Sequence': {
      const steps = arrayAt(record.pretokenizers, `${path}.pretokenizers`)
        .map((step, i) => parsePreTokenizer(step, `${path}.pretokenizers[${i}]`))
        .filter((step): step is PreTokenizer => step !== undefined);
      return (pieces) => steps.reduce((current, step) => step(current), pieces);
    }
    default:
      throw unsupportedType(path, type, supported);
  }
}

const wordRegexClass = regexCrateWord;

function parseBehavior(value: unknown, path: string): Behavior {
  const behavior = stringAt(value, path);
  if (!(behaviors as readonly string[]).includes(behavior)) {
    throw new HfTokenizerError(path, `"${behavior}" is not a split behavior (${behaviors.join(', ')})`);
  }
  return behavior as Behavior;
}

function parseSplit(record: Readonly<Record<string, unknown>>, path: string): PreTokenizer {
  const pattern = objectAt(record.pattern, `${path}.pattern`);
  const regex = patternRegex(pattern, path);
  const behavior = parseBehavior(record.behavior, `${path}.behavior`);
  const inverted = booleanAt(record.invert, `${path}.invert`, false);
  return mapPieces((piece, out) => {
    const matches = regexMatches(regex, piece.text);
    for (const part of splitPiece(piece, inverted ? invert(matches) : matches, behavior)) out.push(part);
  });
}

/**
 * pre_tokenizers/metaspace.rs: spaces become the replacement character, which is prepended
 * (`always`; `first`: only to the piece at the start of the input; `never`), then the piece is
 * split before each replacement character (`split`). `add_prefix_space: false` means `never`.
 */
function parseMetaspace(record: Readonly<Record<string, unknown>>, path: string): PreTokenizer {
  const replacement = stringAt(record.replacement, `${path}.replacement`);
  if (Array.from(replacement).length !== 1) throw new HfTokenizerError(`${path}.replacement`, 'expected exactly one character');
  let scheme =
    record.prepend_scheme === undefined || record.prepend_scheme === null
      ? 'always'
      : stringAt(record.prepend_scheme, `${path}.prepend_scheme`);
  if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') {
    throw new HfTokenizerError(`${path}.prepend_scheme`, `"${scheme}" is not one of always, first, never`);
  }
  if (record.add_prefix_space === false) {
    if (scheme !== 'never') {
      throw new HfTokenizerError(`${path}.add_prefix_space`, 'add_prefix_space does not match declared prepend_scheme');
    }
    scheme = 'never';
  }
  const split = booleanAt(record.split, `${path}.split`, true);
  const isReplacement = (ch: string): boolean => ch === replacement;
  return mapPieces((piece, out) => {
    let text = piece.text.includes(' ') ? piece.text.split(' ').join(replacement) : piece.text;
    if ((scheme === 'always' || (scheme === 'first' && piece.atOrigin)) && !text.startsWith(replacement)) text = replacement + text;
    const replaced = { text, atOrigin: piece.atOrigin };
    if (!split) {
      if (text.length > 0) out.push(replaced);
      return;
    }
    for (const part of splitPiece(replaced, charMatches(isReplacement, text), 'MergedWithNext')) out.push(part);
  });
}

function mapPieces(each: (piece: Piece, out: Piece[]) => void): PreTokenizer {
  return (pieces) => {
    const out: Piece[] = [];
    // The library never has empty splits (PreTokenizedString::split drops them), and every
    // pre-tokenizer maps an empty string to nothing, so empty input pieces are skipped.
    for (const piece of pieces) if (piece.text.length > 0) each(piece, out);
    return out;
  };
}

function charSplitter(predicate: (ch: string) => boolean, behavior: Behavior): PreTokenizer {
  return mapPieces((piece, out) => {
    for (const part of splitPiece(piece, charMatches(predicate, piece.text), behavior)) out.push(part);
  });
}

/** `find_matches` of a regex (onig iteration rules), covering the whole string. */
export function regexMatches(regex: RegExp, text: string): Matches {
  const matches: Matches = [];
  if (text.length === 0) return [0, 0, 0];
  let previous = 0;
  onigFindMatches(regex, text, (start, end) => {
    if (previous !== start) matches.push(previous, start, 0);
    matches.push(start, end, 1);
    previous = end;
  });
  if (previous !== text.length) matches.push(previous, text.length, 0);
  return matches;
}

/** `find_matches` of a `Fn(char) -> bool` pattern: every matching character on its own. */
function charMatches(predicate: (ch: string) => boolean, text: string): Matches {
  const matches: Matches = [];
  let last = 0;
  for (let i = 0; i < text.length;) {
    const code = text.charCodeAt(i);
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length ? 2 : 1;
    if (predicate(width === 1 ? (text[i] as string) : text.slice(i, i + 2))) {
      if (last < i) matches.push(last, i, 0);
      matches.push(i, i + width, 1);
      last = i + width;
    }
    i += width;
  }
  if (text.length > last) matches.push(last, text.length, 0);
  return matches;
}

function invert(matches: Matches): Matches {
  for (let i = 2; i < matches.length; i += 3) matches[i] = matches[i] === 1 ? 0 : 1;
  return matches;
}

/** NormalizedString::split: applies the behaviour to the match list and slices, dropping empty parts. */
export function splitPiece(piece: Piece, matches: Matches, behavior: Behavior): Piece[] {
  // Resulting (start, end) ranges to keep.
  const ranges: number[] = [];
  switch (behavior) {
    case 'Isolated':
      for (let i = 0; i < matches.length; i += 3) ranges.push(matches[i] as number, matches[i + 1] as number);
      break;
    case 'Removed':
      for (let i = 0; i < matches.length; i += 3) if (matches[i + 2] === 0) ranges.push(matches[i] as number, matches[i + 1] as number);
      break;
    case 'Contiguous': {
      let previousMatch = false;
      for (let i = 0; i < matches.length; i += 3) {
        const isMatch = matches[i + 2] === 1;
        if (isMatch === previousMatch && ranges.length > 0) ranges[ranges.length - 1] = matches[i + 1] as number;
        else ranges.push(matches[i] as number, matches[i + 1] as number);
        previousMatch = isMatch;
      }
      break;
    }
    case 'MergedWithPrevious': {
      let previousMatch = false;
      for (let i = 0; i < matches.length; i += 3) {
        const isMatch = matches[i + 2] === 1;
        if (isMatch && !previousMatch && ranges.length > 0) ranges[ranges.length - 1] = matches[i + 1] as number;
        else ranges.push(matches[i] as number, matches[i + 1] as number);
        previousMatch = isMatch;
      }
      break;
    }
    case 'MergedWithNext': {
      // Folded from the end: a delimiter joins the part after it.
      const reversed: number[] = [];
      let previousMatch = false;
      for (let i = matches.length - 3; i >= 0; i -= 3) {
        const isMatch = matches[i + 2] === 1;
        if (isMatch && !previousMatch && reversed.length > 0) reversed[reversed.length - 2] = matches[i] as number;
        else reversed.push(matches[i] as number, matches[i + 1] as number);
        previousMatch = isMatch;
      }
      for (let i = reversed.length - 2; i >= 0; i -= 2) ranges.push(reversed[i] as number, reversed[i + 1] as number);
      break;
    }
  }
  const out: Piece[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    const start = ranges[i] as number;
    const end = ranges[i + 1] as number;
    if (end > start) {
      out.push({
        text: start === 0 && end === piece.text.length ? piece.text : piece.text.slice(start, end),
        atOrigin: piece.atOrigin && start === 0,
      });
    }
  }
  return out;
}

const numeric = new RegExp('^\\p{N}$', 'v');
function isNumeric(ch: string): boolean {
  return numeric.test(ch);
}

const whiteSpace = new RegExp('^\\p{White_Space}$', 'v');
function isWhiteSpace(ch: string): boolean {
  return whiteSpace.test(ch);
}

/**
 * pre_tokenizers/punctuation.rs `is_punc`: ASCII punctuation (which includes `$+<=>^`|~`) or a
 * Unicode punctuation category in the unicode_categories crate, whose tables predate Node's: the
 * code points below are punctuation for Node but not for the oracle, and U+166D and U+111C9 were
 * punctuation in those old tables. Found by probing every code point against the oracle.
 */
const punctuation = new RegExp(
  '^[[\\p{P}\\u{24}\\u{2b}\\u{3c}-\\u{3e}\\u{5e}\\u{60}\\u{7c}\\u{7e}\\u{166d}\\u{111c9}]--[' +
    [
      '61d',
      '9fd',
      'a76',
      'c77',
      'c84',
      '1b4e-1b4f',
      '1b7d-1b7f',
      '2e43-2e4f',
      '2e52-2e5d',
      '10d6e',
      '10ead',
      '10ed0',
      '10f55-10f59',
      '10f86-10f89',
      '113d4-113d5',
      '113d7-113d8',
      '1144b-1144f',
      '1145a-1145b',
      '1145d',
      '11660-1166c',
      '116b9',
      '1183b',
      '11944-11946',
      '119e2',
      '11a3f-11a46',
      '11a9a-11a9c',
      '11a9e-11aa2',
      '11b00-11b09',
      '11be1',
      '11c41-11c45',
      '11c70-11c71',
      '11ef7-11ef8',
      '11f43-11f4f',
      '11fff',
      '12ff1-12ff2',
      '16d6d-16d6f',
      '16e97-16e9a',
      '16fe2',
      '1e5ff',
      '1e95e-1e95f',
    ]
      .map((range) =>
        range
          .split('-')
          .map((cp) => `\\u{${cp}}`)
          .join('-'),
      )
      .join('') +
    ']]$',
  'v',
);
function isPunctuation(ch: string): boolean {
  return punctuation.test(ch);
}
