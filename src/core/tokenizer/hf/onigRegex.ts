import { HfTokenizerError } from './hfTokenizerError';

// Hugging Face `tokenizers` compiles the `Regex` patterns of Split pre-tokenizers and Replace
// normalizers with Oniguruma (Ruby syntax, UTF-8, no options): huggingface/tokenizers@3ba8ad0061a885baf052bbb7bbd22857e73e0c4e
// tokenizers/src/utils/onig.rs (`onig::Regex::new`). This module translates such a pattern into a
// JavaScript regex (`v` flag) that matches the same spans, and iterates matches the way the `onig`
// crate's `find_iter` does. Differences handled, each checked code point by code point against the
// oracle (test/unit/tokenizer/hf/onigRegex.test.ts):
// - `\s` is Unicode White_Space in Oniguruma (U+0085 yes, U+FEFF no), unlike JavaScript's `\s`.
// - `\w` is Alphabetic + Mark + Decimal_Number + Connector_Punctuation (onig doc/RE), `\d` is Nd,
//   `\h` is a hexadecimal digit (Ruby syntax), `.` excludes only `\n`, `^`/`$` are line anchors.
// - The oracle's Oniguruma knows Unicode 16; Node knows Unicode 17. Code points assigned in 17 are
//   unassigned (Cn) for the oracle, so they are taken out of every property except those that hold
//   unassigned code points ({@link unicode17Additions}).
// - `(?i)` uses Unicode simple case folding (`s` also matches U+017F, `k` U+212A): JavaScript in
//   Node 20 has no inline modifiers, so case-insensitive literals become classes of their folds.
// - Atomic groups `(?>x)` and possessive quantifiers `x*+` become `(?=(?<n>x))\k<n>`, which matches
//   what the atomic group matched and never backtracks into it.
// - An empty match right where the previous match ended is skipped (onig crate `FindMatches`).

/**
 * Code points assigned in Unicode 17.0 but not in 16.0 (what the oracle's Oniguruma reports as `\p{Cn}`
 * while V8 assigns them). Found by probing every code point against the oracle.
 */
export const unicode17Additions: readonly (readonly [number, number])[] = [
  [0x88f, 0x88f],
  [0xc5c, 0xc5c],
  [0xcdc, 0xcdc],
  [0x1acf, 0x1add],
  [0x1ae0, 0x1aeb],
  [0x20c1, 0x20c1],
  [0x2b96, 0x2b96],
  [0xa7ce, 0xa7cf],
  [0xa7d2, 0xa7d2],
  [0xa7d4, 0xa7d4],
  [0xa7f1, 0xa7f1],
  [0xfbc3, 0xfbd2],
  [0xfd90, 0xfd91],
  [0xfdc8, 0xfdce],
  [0x10940, 0x10959],
  [0x10ec5, 0x10ec7],
  [0x10ed0, 0x10ed8],
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
  [0x1ccfa, 0x1ccfc],
  [0x1ceba, 0x1ced0],
  [0x1cee0, 0x1cef0],
  [0x1e6c0, 0x1e6de],
  [0x1e6e0, 0x1e6f5],
  [0x1e6fe, 0x1e6ff],
  [0x1f6d8, 0x1f6d8],
  [0x1f777, 0x1f77a],
  [0x1f8d0, 0x1f8d8],
  [0x1fa54, 0x1fa57],
  [0x1fa8a, 0x1fa8a],
  [0x1fa8e, 0x1fa8e],
  [0x1fac8, 0x1fac8],
  [0x1facd, 0x1facd],
  [0x1faea, 0x1faea],
  [0x1faef, 0x1faef],
  [0x1fbfa, 0x1fbfa],
  [0x2b73a, 0x2b73f],
  [0x2cea2, 0x2cead],
  [0x323b0, 0x33479],
];

const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;

/** The Unicode 17 additions as a `v`-flag class. */
export const unicode17Class = `[${unicode17Additions.map(([from, to]) => (from === to ? hex(from) : `${hex(from)}-${hex(to)}`)).join('')}]`;

/** Oniguruma's `\s`: Unicode White_Space (no Unicode 17 change). */
export const onigSpace = '\\p{White_Space}';
/**
 * Oniguruma's `\w`: Alphabetic, Mark, Nd, Pc, and (probed against the oracle) the Latin-1 digits and
 * fractions ² ³ ¹ ¼ ½ ¾, which its ctype table counts as word characters.
 */
export const onigWord = `[[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\u{b2}\\u{b3}\\u{b9}\\u{bc}-\\u{be}]--${unicode17Class}]`;
/** The Rust `regex` crate's `\w` (Unicode 16; used by Whitespace and added tokens): no Latin-1 extras, plus Join_Control. */
export const regexCrateWord = `[[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]--${unicode17Class}]`;

/** A translated pattern: a JavaScript source (flags `gv`) plus the original, for messages. */
export interface TranslatedRegex {
  readonly source: string;
  readonly regex: RegExp;
}

/**
 * Translates an Oniguruma (Ruby syntax) pattern into an equivalent JavaScript regex with flags `gv`.
 * Throws {@link HfTokenizerError} (unsupported) at `path` for constructs we do not translate:
 * backreferences, conditionals, subexpression calls, `\G`, `\K`, `\R`, `\X`, absent operators.
 */
export function translateOnigRegex(pattern: string, path: string): TranslatedRegex {
  const source = new OnigTranslator(pattern, path).translate();
  let regex: RegExp;
  try {
    regex = new RegExp(source, 'gv');
  } catch (error) {
    throw new HfTokenizerError(path, `pattern ${JSON.stringify(pattern)} could not be translated: ${(error as Error).message}`, true);
  }
  return { source, regex };
}

/** A JavaScript regex matching `literal` exactly (Split / Replace `String` patterns). */
export function literalRegex(literal: string): RegExp {
  return new RegExp(Array.from(literal, (ch) => escapeChar(ch.codePointAt(0) as number)).join(''), 'gv');
}

/**
 * Every match of `regex` (a `g` regex) in `text` as [start, end) pairs in UTF-16 units, in the order
 * and with the empty-match rule of the onig crate's `FindMatches`: an empty match ending where the
 * previous match ended is dropped and the search resumes one character further.
 */
export function onigFindMatches(regex: RegExp, text: string, visit: (start: number, end: number) => void): void {
  let searchFrom = 0;
  let lastMatchEnd = -1;
  while (searchFrom <= text.length) {
    regex.lastIndex = searchFrom;
    const match = regex.exec(text);
    if (match === null) return;
    const start = match.index;
    const end = start + match[0].length;
    if (start === end && end === lastMatchEnd) {
      const code = text.charCodeAt(searchFrom);
      searchFrom += code >= 0xd800 && code <= 0xdbff && searchFrom + 1 < text.length ? 2 : 1;
      continue;
    }
    visit(start, end);
    searchFrom = end;
    lastMatchEnd = end;
  }
}

function escapeChar(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f) {
    return String.fromCharCode(cp);
  }
  return hex(cp);
}

interface Flags {
  readonly ignoreCase: boolean;
  /** Ruby's `m`: `.` also matches `\n`. */
  readonly dotAll: boolean;
  readonly extended: boolean;
}

/** General categories, by every name Oniguruma accepts for them (compared loosely). */
const generalCategories: Readonly<Record<string, string>> = (() => {
  const pairs: [string, string][] = [
    ['L', 'Letter'],
    ['Lu', 'Uppercase_Letter'],
    ['Ll', 'Lowercase_Letter'],
    ['Lt', 'Titlecase_Letter'],
    ['Lm', 'Modifier_Letter'],
    ['Lo', 'Other_Letter'],
    ['LC', 'Cased_Letter'],
    ['M', 'Mark'],
    ['Mn', 'Nonspacing_Mark'],
    ['Mc', 'Spacing_Mark'],
    ['Me', 'Enclosing_Mark'],
    ['N', 'Number'],
    ['Nd', 'Decimal_Number'],
    ['Nl', 'Letter_Number'],
    ['No', 'Other_Number'],
    ['P', 'Punctuation'],
    ['Pc', 'Connector_Punctuation'],
    ['Pd', 'Dash_Punctuation'],
    ['Ps', 'Open_Punctuation'],
    ['Pe', 'Close_Punctuation'],
    ['Pi', 'Initial_Punctuation'],
    ['Pf', 'Final_Punctuation'],
    ['Po', 'Other_Punctuation'],
    ['S', 'Symbol'],
    ['Sm', 'Math_Symbol'],
    ['Sc', 'Currency_Symbol'],
    ['Sk', 'Modifier_Symbol'],
    ['So', 'Other_Symbol'],
    ['Z', 'Separator'],
    ['Zs', 'Space_Separator'],
    ['Zl', 'Line_Separator'],
    ['Zp', 'Paragraph_Separator'],
    ['C', 'Other'],
    ['Cc', 'Control'],
    ['Cf', 'Format'],
    ['Cs', 'Surrogate'],
    ['Co', 'Private_Use'],
    ['Cn', 'Unassigned'],
  ];
  const table: Record<string, string> = {};
  for (const [short, long] of pairs) {
    table[looseName(short)] = short;
    table[looseName(long)] = short;
  }
  return table;
})();

/** Properties that contain unassigned code points: the Unicode 17 additions belong to them for the oracle. */
const holdsUnassigned = new Set(['C', 'Cn', 'sc=Zzzz', 'Any']);

function looseName(name: string): string {
  return name.replace(/[\s_-]/g, '').toLowerCase();
}

/**
 * Oniguruma's POSIX bracket classes under Unicode, as probed code point by code point against the
 * oracle (`lower` keeps U+0295, lowercase in Unicode 16). `cntrl` and `print`/`graph` are not translated.
 */
const posixClasses: Readonly<Record<string, string>> = {
  alnum: '[\\p{Alphabetic}\\p{Nd}]',
  alpha: '\\p{Alphabetic}',
  ascii: '[\\u{0}-\\u{7f}]',
  blank: '[\\p{Zs}\\u{9}]',
  digit: '\\p{Nd}',
  lower: '[\\p{Lowercase}\\u{295}]',
  punct: '[\\p{P}\\p{S}]',
  space: '\\p{White_Space}',
  upper: '\\p{Uppercase}',
  xdigit: '[0-9a-fA-F]',
  word: '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}]',
};

class OnigTranslator {
  private pos = 0;
  private groupCounter = 0;

  constructor(
    private readonly pattern: string,
    private readonly path: string,
  ) {}

  translate(): string {
    const out = this.alternation({ ignoreCase: false, dotAll: false, extended: false });
    if (this.pos < this.pattern.length) this.fail(`unbalanced ")" at offset ${this.pos}`);
    return out;
  }

  private fail(detail: string, unsupported = false): never {
    throw new HfTokenizerError(this.path, `pattern ${JSON.stringify(this.pattern)}: ${detail}`, unsupported);
  }

  private unsupported(what: string): never {
    this.fail(`${what} is not supported`, true);
  }

  private peek(offset = 0): string {
    return this.pattern[this.pos + offset] ?? '';
  }

  /** Reads one full code point. */
  private nextChar(): number {
    const cp = this.pattern.codePointAt(this.pos);
    if (cp === undefined) this.fail('unexpected end of pattern');
    this.pos += cp > 0xffff ? 2 : 1;
    return cp;
  }

  private alternation(flags: Flags): string {
    const branches: string[] = [];
    let current = flags;
    for (;;) {
      const [branch, after] = this.sequence(current);
      branches.push(branch);
      // An inline `(?i)` lasts to the end of the enclosing group, across `|`.
      current = after;
      if (this.peek() !== '|') break;
      this.pos++;
    }
    return branches.join('|');
  }

  /** A branch; returns its translation and the flags in force at its end (inline `(?i)` changes them). */
  private sequence(flags: Flags): [string, Flags] {
    let out = '';
    let current = flags;
    while (this.pos < this.pattern.length) {
      const ch = this.peek();
      if (ch === '|' || ch === ')') break;
      if (current.extended && this.skipExtendedSpace()) continue;
      if (ch === '(' && this.peek(1) === '?' && /^[imx-]+\)/.test(this.pattern.slice(this.pos + 2))) {
        // Inline option change to the end of the group: (?i) (?-i) (?mx) …
        const end = this.pattern.indexOf(')', this.pos);
        current = this.applyOptions(current, this.pattern.slice(this.pos + 2, end));
        this.pos = end + 1;
        continue;
      }
      const atom = this.atom(current);
      if (atom === undefined) continue;
      out += this.quantified(atom, current);
    }
    return [out, current];
  }

  private skipExtendedSpace(): boolean {
    const ch = this.peek();
    if (/\s/.test(ch)) {
      this.pos++;
      return true;
    }
    if (ch === '#') {
      while (this.pos < this.pattern.length && this.peek() !== '\n') this.pos++;
      return true;
    }
    return false;
  }

  private applyOptions(flags: Flags, options: string): Flags {
    let { ignoreCase, dotAll, extended } = flags;
    let on = true;
    for (const option of options) {
      if (option === '-') on = false;
      else if (option === 'i') ignoreCase = on;
      else if (option === 'm') dotAll = on;
      else if (option === 'x') extended = on;
      else this.unsupported(`the inline option "${option}"`);
    }
    return { ignoreCase, dotAll, extended };
  }

  /** Applies a following quantifier (greedy, lazy `?` or possessive `+`) to `atom`. */
  private quantified(atom: string, flags: Flags): string {
    let out = atom;
    for (;;) {
      if (flags.extended) while (this.skipExtendedSpace());
      const ch = this.peek();
      let quantifier: string;
      let isInterval = false;
      if (ch === '*' || ch === '+' || ch === '?') {
        quantifier = ch;
        this.pos++;
      } else if (ch === '{') {
        const interval = /^\{(\d*)(,?)(\d*)\}/.exec(this.pattern.slice(this.pos));
        // Ruby syntax: a brace that is not a valid interval is a literal "{", handled by atom().
        if (interval === null || (interval[1] === '' && interval[3] === '') || (interval[1] === '' && interval[2] === '')) return out;
        const [text, min, comma, max] = interval as unknown as [string, string, string, string];
        quantifier = comma === '' ? `{${min}}` : `{${min === '' ? '0' : min},${max}}`;
        isInterval = true;
        this.pos += text.length;
      } else {
        return out;
      }
      if (this.peek() === '?') {
        this.pos++;
        out = `(?:${out})${quantifier}?`;
      } else if (this.peek() === '+' && !isInterval) {
        this.pos++;
        out = this.atomic(`(?:${out})${quantifier}`);
      } else {
        out = `(?:${out})${quantifier}`;
      }
    }
  }

  private atomic(inner: string): string {
    const name = `atomic${this.groupCounter++}`;
    return `(?=(?<${name}>${inner}))\\k<${name}>`;
  }

  /** One atom; undefined when it produced nothing (e.g. a comment group). */
  private atom(flags: Flags): string | undefined {
    const ch = this.peek();
    switch (ch) {
      case '(':
        return this.group(flags);
      case '[':
        return this.charClass(flags);
      case '.':
        this.pos++;
        return flags.dotAll ? '[\\s\\S]' : '[^\\n]';
      case '^':
        this.pos++;
        return '(?<![^\\n])';
      case '$':
        this.pos++;
        return '(?![^\\n])';
      case '\\':
        return this.escape(flags);
      case '*':
      case '+':
      case '?':
        this.fail(`nothing to repeat at offset ${this.pos}`);
      // falls through (fail never returns)
      default:
        return this.literal(this.nextChar(), flags);
    }
  }

  private literal(cp: number, flags: Flags): string {
    if (!flags.ignoreCase) return escapeChar(cp);
    const folds = caseFolds(cp);
    return folds.length === 1 ? escapeChar(cp) : `[${folds.map(escapeChar).join('')}]`;
  }

  private group(flags: Flags): string | undefined {
    this.pos++; // (
    let prefix = '(?:';
    let inner = flags;
    let atomic = false;
    if (this.peek() === '?') {
      this.pos++;
      const kind = this.peek();
      if (kind === ':') {
        this.pos++;
      } else if (kind === '=' || kind === '!') {
        this.pos++;
        prefix = `(?${kind}`;
      } else if (kind === '<' && (this.peek(1) === '=' || this.peek(1) === '!')) {
        prefix = `(?<${this.peek(1)}`;
        this.pos += 2;
      } else if (kind === '>') {
        this.pos++;
        atomic = true;
      } else if (kind === '#') {
        const end = this.pattern.indexOf(')', this.pos);
        if (end < 0) this.fail('unterminated comment group');
        this.pos = end + 1;
        return undefined;
      } else if (kind === '<' || kind === "'") {
        // Named group: the name is irrelevant, we never read captures.
        const close = kind === '<' ? '>' : "'";
        const end = this.pattern.indexOf(close, this.pos + 1);
        if (end < 0) this.fail('unterminated group name');
        this.pos = end + 1;
      } else {
        const options = /^([imx-]+):/.exec(this.pattern.slice(this.pos));
        if (options === null) this.unsupported(`the group "(?${kind}"`);
        inner = this.applyOptions(flags, options[1] as string);
        this.pos += (options[0] as string).length;
      }
    }
    const body = this.alternation(inner);
    if (this.peek() !== ')') this.fail('missing ")"');
    this.pos++;
    return atomic ? this.atomic(body) : `${prefix}${body})`;
  }

  private escape(flags: Flags): string {
    this.pos++; // backslash
    const ch = this.peek();
    const classEscape = this.classEscape(flags);
    if (classEscape !== undefined) return classEscape;
    switch (ch) {
      case 'A':
        this.pos++;
        return '^';
      case 'z':
        this.pos++;
        return '$';
      case 'Z':
        this.pos++;
        return '(?=\\n?$)';
      case 'b':
        this.pos++;
        return `(?:(?<=${onigWord})(?!${onigWord})|(?<!${onigWord})(?=${onigWord}))`;
      case 'B':
        this.pos++;
        return `(?:(?<=${onigWord})(?=${onigWord})|(?<!${onigWord})(?!${onigWord}))`;
      case 'G':
      case 'K':
      case 'R':
      case 'X':
      case 'y':
      case 'Y':
      case 'g':
      case 'k':
        this.unsupported(`the escape "\\${ch}"`);
      // falls through (unsupported never returns)
      default:
        if (/[1-9]/.test(ch)) this.unsupported(`the backreference "\\${ch}"`);
        return this.literal(this.escapedChar(), flags);
    }
  }

  /** `\s \d \w \h \p{…}` and their negations, shared by atoms and classes; undefined if not one. */
  private classEscape(flags: Flags): string | undefined {
    const ch = this.peek();
    const simple: Record<string, string> = {
      s: `[${onigSpace}]`,
      S: `[^${onigSpace}]`,
      d: `[\\p{Nd}--${unicode17Class}]`,
      D: `[^\\p{Nd}--${unicode17Class}]`,
      w: onigWord,
      W: `[^${onigWord.slice(1, -1)}]`,
      h: '[0-9a-fA-F]',
      H: '[^0-9a-fA-F]',
    };
    const fixed = simple[ch];
    if (fixed !== undefined) {
      this.pos++;
      return fixed;
    }
    if (ch === 'p' || ch === 'P') {
      this.pos++;
      if (this.peek() !== '{') this.fail(`"\\${ch}" without a property name`);
      const end = this.pattern.indexOf('}', this.pos);
      if (end < 0) this.fail('unterminated property name');
      let name = this.pattern.slice(this.pos + 1, end);
      this.pos = end + 1;
      let negated = ch === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const property = this.property(name, flags);
      return negated ? `[^${property.slice(1, -1)}]` : property;
    }
    return undefined;
  }

  /** A property as a `v`-flag class `[…]` with the oracle's Unicode 16 extent. */
  private property(name: string, flags: Flags): string {
    const loose = looseName(name);
    let js: string | undefined;
    const category = generalCategories[loose];
    if (category !== undefined) {
      if (flags.ignoreCase && (category === 'Lu' || category === 'Ll' || category === 'Lt')) {
        this.unsupported(`the case-sensitive property "\\p{${name}}" under (?i)`);
      }
      js = category === 'LC' ? '\\p{LC}' : `\\p{${category}}`;
    } else if (loose === 'any') {
      js = '\\p{Any}';
    } else if (loose === 'assigned') {
      js = '\\p{Assigned}';
    } else {
      js = this.scriptOrBinaryProperty(name);
    }
    const holdsNew = category !== undefined ? holdsUnassigned.has(category) : holdsUnassigned.has(js.slice(3, -1)) || loose === 'any';
    return holdsNew ? `[${js}${unicode17Class}]` : `[${js}--${unicode17Class}]`;
  }

  private scriptOrBinaryProperty(name: string): string {
    const canonical = name.replace(/[\s-]/g, '_');
    for (const candidate of [`sc=${canonical}`, canonical]) {
      try {
        new RegExp(`\\p{${candidate}}`, 'v');
        return `\\p{${candidate}}`;
      } catch {
        // try the next reading
      }
    }
    // Onig also accepts lower-case and compact spellings: "han", "whitespace".
    for (const known of knownPropertyNames()) {
      if (looseName(known) === looseName(name)) return `\\p{${known}}`;
    }
    this.unsupported(`the property "${name}"`);
  }

  /** Reads the character after a backslash that is not a class or an anchor. */
  private escapedChar(): number {
    const ch = this.peek();
    const controls: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, v: 11, a: 7, e: 27 };
    const control = controls[ch];
    if (control !== undefined) {
      this.pos++;
      return control;
    }
    if (ch === 'x') {
      this.pos++;
      const braced = /^\{([0-9a-fA-F]{1,8})\}/.exec(this.pattern.slice(this.pos));
      if (braced !== null) {
        this.pos += (braced[0] as string).length;
        return this.checkedCodePoint(Number.parseInt(braced[1] as string, 16));
      }
      const short = /^[0-9a-fA-F]{1,2}/.exec(this.pattern.slice(this.pos));
      if (short === null) this.fail('"\\x" without hex digits');
      this.pos += (short[0] as string).length;
      const value = Number.parseInt(short[0] as string, 16);
      // \xHH is a raw byte in onig's UTF-8 mode; only ASCII is a whole character.
      if (value > 0x7f) this.unsupported(`the raw byte escape "\\x${short[0] as string}"`);
      return value;
    }
    if (ch === 'u') {
      this.pos++;
      const digits = /^[0-9a-fA-F]{4}/.exec(this.pattern.slice(this.pos));
      if (digits === null) this.fail('"\\u" without 4 hex digits');
      this.pos += 4;
      return this.checkedCodePoint(Number.parseInt(digits[0] as string, 16));
    }
    if (ch === '0') {
      this.pos++;
      const octal = /^[0-7]{0,2}/.exec(this.pattern.slice(this.pos))?.[0] ?? '';
      this.pos += octal.length;
      return Number.parseInt(`0${octal}`, 8);
    }
    if (/[a-zA-Z]/.test(ch)) this.unsupported(`the escape "\\${ch}"`);
    return this.nextChar();
  }

  private checkedCodePoint(cp: number): number {
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) this.fail(`invalid code point U+${cp.toString(16)}`);
    return cp;
  }

  /** `[…]` with ranges, negation, nested classes, `&&` intersection and POSIX brackets. */
  private charClass(flags: Flags): string {
    this.pos++; // [
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const operands: string[] = [];
    let items: string[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.pattern.length) this.fail('unterminated character class');
      const ch = this.peek();
      if (ch === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (ch === '&' && this.peek(1) === '&') {
        this.pos += 2;
        operands.push(`[${items.join('')}]`);
        items = [];
        continue;
      }
      if (ch === '[' && this.peek(1) === ':') {
        const posix = /^\[:(\^?)([a-z]+):\]/.exec(this.pattern.slice(this.pos));
        if (posix !== null) {
          const js = posixClasses[posix[2] as string];
          if (js === undefined) this.unsupported(`the POSIX class "[:${posix[2] as string}:]"`);
          this.pos += (posix[0] as string).length;
          const bounded = js.startsWith('[') ? `[${js.slice(1, -1)}]` : `[${js}]`;
          const limited = `[${bounded}--${unicode17Class}]`;
          items.push(posix[1] === '^' ? `[^${limited.slice(1, -1)}]` : limited);
          continue;
        }
      }
      if (ch === '[') {
        items.push(this.charClass(flags));
        continue;
      }
      if (ch === '\\') {
        this.pos++;
        const classEscape = this.classEscape(flags);
        if (classEscape !== undefined) {
          items.push(classEscape);
          continue;
        }
        this.pos--;
      }
      const from = this.classChar();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        const save = this.pos;
        this.pos++;
        if (this.peek() === '[' || (this.peek() === '\\' && /[sSdDwWhHpP]/.test(this.peek(1)))) {
          // "a-\w": the dash is literal.
          this.pos = save;
        } else {
          const to = this.classChar();
          if (to < from) this.fail(`empty range in character class`);
          items.push(this.range(from, to, flags));
          continue;
        }
      }
      items.push(this.range(from, from, flags));
    }
    operands.push(`[${items.join('')}]`);
    const body = operands.length === 1 ? (operands[0] as string).slice(1, -1) : operands.join('&&');
    return negated ? `[^${body}]` : `[${body}]`;
  }

  private classChar(): number {
    if (this.peek() !== '\\') return this.nextChar();
    this.pos++;
    if (this.peek() === 'b') {
      this.pos++;
      return 8;
    }
    return this.escapedChar();
  }

  private range(from: number, to: number, flags: Flags): string {
    if (!flags.ignoreCase) return from === to ? escapeChar(from) : `${escapeChar(from)}-${escapeChar(to)}`;
    if (to - from > 2000) this.unsupported('a case-insensitive character range over 2,000 characters');
    const folded = new Set<number>();
    for (let cp = from; cp <= to; cp++) for (const fold of caseFolds(cp)) folded.add(fold);
    return Array.from(folded, escapeChar).join('');
  }
}

let propertyNames: readonly string[] | undefined;

/** Script names V8 accepts, for loose lookups such as `\p{hiragana}`. */
function knownPropertyNames(): readonly string[] {
  propertyNames ??= [
    'Alphabetic',
    'White_Space',
    'Uppercase',
    'Lowercase',
    'Math',
    'Ideographic',
    'Emoji',
    'Emoji_Presentation',
    'Extended_Pictographic',
    'sc=Han',
    'sc=Hiragana',
    'sc=Katakana',
    'sc=Latin',
    'sc=Greek',
    'sc=Cyrillic',
    'sc=Arabic',
    'sc=Hebrew',
    'sc=Thai',
    'sc=Hangul',
    'sc=Devanagari',
    'sc=Common',
    'sc=Inherited',
  ];
  return propertyNames;
}

let foldTable: Map<number, number[]> | undefined;

/**
 * Every code point that matches `cp` case-insensitively under Unicode simple case folding (what
 * Oniguruma's `(?i)` and JavaScript's `/iu` use for single characters), `cp` first. Built once from
 * the code points whose lower- or upper-case mapping is a single other code point, then checked with
 * a JavaScript `iu` regex so the equivalence is exactly the engine's.
 */
export function caseFolds(cp: number): number[] {
  if (foldTable === undefined) {
    const edges = new Map<number, Set<number>>();
    const link = (a: number, b: number): void => {
      let set = edges.get(a);
      if (set === undefined) edges.set(a, (set = new Set()));
      set.add(b);
    };
    for (let code = 0; code < 0x1ffff; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const ch = String.fromCodePoint(code);
      for (const mapped of [ch.toLowerCase(), ch.toUpperCase()]) {
        const other = mapped.codePointAt(0) as number;
        if (mapped !== ch && mapped.length === String.fromCodePoint(other).length) {
          link(code, other);
          link(other, code);
        }
      }
    }
    foldTable = new Map();
    for (const start of edges.keys()) {
      if (foldTable.has(start)) continue;
      const component = new Set<number>([start]);
      const stack = [start];
      while (stack.length > 0) {
        for (const next of edges.get(stack.pop() as number) ?? []) {
          if (component.has(next)) continue;
          component.add(next);
          stack.push(next);
        }
      }
      for (const member of component) {
        const matcher = new RegExp(`^${hex(member)}$`, 'iu');
        foldTable.set(member, [
          member,
          ...Array.from(component).filter((other) => other !== member && matcher.test(String.fromCodePoint(other))),
        ]);
      }
    }
  }
  return foldTable.get(cp) ?? [cp];
}

/**
 * The regex of a tokenizer.json `pattern` (`{"String": …}` matched literally, `{"Regex": …}` an
 * Oniguruma pattern), as normalizers/replace.rs and pre_tokenizers/split.rs read it; `path` names the
 * owner in errors.
 */
export function patternRegex(pattern: Readonly<Record<string, unknown>>, path: string): RegExp {
  if (typeof pattern.String === 'string') return literalRegex(pattern.String);
  if (typeof pattern.Regex === 'string') return translateOnigRegex(pattern.Regex, `${path}.pattern.Regex`).regex;
  throw new HfTokenizerError(`${path}.pattern`, 'expected {"String": …} or {"Regex": …}');
}
