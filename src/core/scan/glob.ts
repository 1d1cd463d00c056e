/**
 * A small glob matcher for CLI path arguments and `--focus` / `--pin`: `*` (within a segment), `**`
 * (any depth), `?`, `[...]` classes (`[!...]` negates) and `{a,b}` alternatives. Paths are posix
 * and relative.
 *
 * Matching runs in linear time, never by backtracking: braces are expanded up front (at most
 * {@link maxGlobAlternatives} alternatives), and each alternative is simulated as a set of states
 * stepped once per character (Thompson's construction: https://swtch.com/~rsc/regexp/regexp1.html),
 * so `*a*a*…*b` against a 250-character name costs 250 × (pattern length) steps, not 2^n. A regex
 * built from the glob used to backtrack for more than 10 s on exactly that.
 */

/** A glob that cannot be compiled; the message names the pattern and what is wrong with it. */
export class GlobSyntaxError extends Error {
  override readonly name = 'GlobSyntaxError';

  constructor(
    readonly pattern: string,
    readonly problem: string,
  ) {
    super(`invalid glob ${JSON.stringify(pattern)}: ${problem}`);
  }
}

/** A compiled glob: `test` answers in time linear in the path's length. */
export interface GlobMatcher {
  /** The glob as written. */
  readonly source: string;
  test(path: string): boolean;
}

/** Brace alternatives one glob may expand to: `{a,b}{c,d}{e,f}…` grows as a product. */
export const maxGlobAlternatives = 1024;

type Token =
  | { readonly kind: 'char'; readonly char: string }
  /** `?`: one character other than `/`. */
  | { readonly kind: 'one' }
  /** `[...]`: one character other than `/` that the class accepts. */
  | { readonly kind: 'class'; readonly accepts: (char: string) => boolean }
  /** `*`: any run of characters other than `/`. */
  | { readonly kind: 'star' }
  /** `**` not followed by `/`: any run of characters. */
  | { readonly kind: 'any' }
  /** `**` followed by `/`: nothing, or any run of characters ending in `/`. */
  | { readonly kind: 'dirs' };

/** A parsed glob: a sequence of tokens and brace groups (each alternative a sequence again). */
type Node = Token | { readonly kind: 'braces'; readonly alternatives: Node[][] };

/**
 * Compiles one glob.
 *
 * @throws GlobSyntaxError for an empty pattern, an unclosed `{`, an invalid class such as `[z-a]`,
 *   or more than {@link maxGlobAlternatives} brace alternatives.
 */
export function compileGlob(glob: string): GlobMatcher {
  if (glob === '') throw new GlobSyntaxError(glob, 'the pattern is empty');
  const parser = new GlobParser(glob);
  const sequence = parser.sequence(false);
  const alternatives = expand(sequence, glob).map((tokens) =>
    tokens.filter((token, i) => !(token.kind === 'star' && tokens[i - 1]?.kind === 'star')),
  );
  return { source: glob, test: (path) => alternatives.some((tokens) => matches(tokens, path)) };
}

class GlobParser {
  private i = 0;

  constructor(private readonly glob: string) {}

  /** Nodes up to the end, or (inside braces) up to the `,` or `}` that ends this alternative. */
  sequence(inBraces: boolean): Node[] {
    const nodes: Node[] = [];
    const glob = this.glob;
    while (this.i < glob.length) {
      const char = glob[this.i]!;
      if (inBraces && (char === ',' || char === '}')) return nodes;
      if (char === '*') {
        if (glob[this.i + 1] === '*') {
          const slashAfter = glob[this.i + 2] === '/';
          nodes.push(slashAfter ? { kind: 'dirs' } : { kind: 'any' });
          this.i += slashAfter ? 3 : 2;
        } else {
          nodes.push({ kind: 'star' });
          this.i++;
        }
      } else if (char === '?') {
        nodes.push({ kind: 'one' });
        this.i++;
      } else if (char === '[') {
        nodes.push(this.characterClass());
      } else if (char === '{') {
        nodes.push(this.braces());
      } else {
        nodes.push({ kind: 'char', char });
        this.i++;
      }
    }
    return nodes;
  }

  /** `[...]`; a `[` with no `]` after it is a literal `[`, as before. */
  private characterClass(): Node {
    const close = this.glob.indexOf(']', this.i + 1);
    if (close === -1) {
      this.i++;
      return { kind: 'char', char: '[' };
    }
    const raw = this.glob.slice(this.i + 1, close);
    const column = this.i + 1;
    this.i = close + 1;
    // The body is a regex class body (a-z ranges, leading ! or ^ negates); backslashes are literal.
    // It is only ever tested against one character, so it cannot backtrack.
    const body = raw.replace(/^!/, '^').replace(/\\/g, '\\\\');
    let re: RegExp;
    try {
      re = new RegExp(`^[${body}]$`);
    } catch {
      throw new GlobSyntaxError(
        this.glob,
        `the character class "[${raw}]" at column ${column} is not valid (a reversed range such as z-a?)`,
      );
    }
    return { kind: 'class', accepts: (char) => re.test(char) };
  }

  /** `{a,b,…}`; alternatives may nest. */
  private braces(): Node {
    const column = this.i + 1;
    this.i++;
    const alternatives: Node[][] = [];
    for (;;) {
      alternatives.push(this.sequence(true));
      const next = this.glob[this.i];
      if (next === undefined) throw new GlobSyntaxError(this.glob, `the "{" at column ${column} is never closed`);
      this.i++;
      if (next === '}') return { kind: 'braces', alternatives };
    }
  }
}

/** All brace expansions of a sequence, as token lists; throws past {@link maxGlobAlternatives}. */
function expand(nodes: readonly Node[], glob: string): Token[][] {
  let results: Token[][] = [[]];
  for (const node of nodes) {
    if (node.kind !== 'braces') {
      for (const result of results) result.push(node);
      continue;
    }
    const options = node.alternatives.flatMap((alternative) => expand(alternative, glob));
    if (results.length * options.length > maxGlobAlternatives) {
      throw new GlobSyntaxError(glob, `its braces expand to more than ${maxGlobAlternatives} alternatives`);
    }
    results = results.flatMap((result) => options.map((option) => [...result, ...option]));
  }
  return results;
}

/**
 * Runs the token list as a state set over the path. State 2k is "before token k"; state 2k+1 is
 * "inside a `**​/` at token k, past a character that was not `/`" (it may only leave after a `/`).
 */
function matches(tokens: readonly Token[], path: string): boolean {
  const slots = 2 * (tokens.length + 1);
  let current = new Uint8Array(slots);
  let next = new Uint8Array(slots);
  current[0] = 1;
  close(tokens, current);
  // UTF-16 units, as the regex this replaces did: `?` is one unit.
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!;
    next.fill(0);
    let any = false;
    for (let k = 0; k < tokens.length; k++) {
      const token = tokens[k]!;
      if (current[2 * k + 1]) {
        next[char === '/' ? 2 * k : 2 * k + 1] = 1;
        any = true;
      }
      if (!current[2 * k]) continue;
      switch (token.kind) {
        case 'char':
          if (char === token.char) next[2 * k + 2] = 1;
          break;
        case 'one':
          if (char !== '/') next[2 * k + 2] = 1;
          break;
        case 'class':
          if (char !== '/' && token.accepts(char)) next[2 * k + 2] = 1;
          break;
        case 'star':
          if (char !== '/') next[2 * k] = 1;
          break;
        case 'any':
          next[2 * k] = 1;
          break;
        case 'dirs':
          next[char === '/' ? 2 * k : 2 * k + 1] = 1;
          break;
      }
      any = true;
    }
    if (!any) return false;
    close(tokens, next);
    [current, next] = [next, current];
  }
  return current[2 * tokens.length] === 1;
}

/** Epsilon moves: `*`, `**` and `**​/` may match nothing. Edges only go forward, so one pass suffices. */
function close(tokens: readonly Token[], states: Uint8Array): void {
  for (let k = 0; k < tokens.length; k++) {
    const kind = tokens[k]!.kind;
    if (states[2 * k] && (kind === 'star' || kind === 'any' || kind === 'dirs')) states[2 * k + 2] = 1;
  }
}

/** True when the argument uses glob syntax rather than naming a path. */
export function isGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/** Matches a relative posix path against any of the globs (a glob without `/` matches the base name anywhere). */
export function matchesAnyGlob(relativePath: string, globs: readonly GlobMatcher[], baseNameGlobs: readonly GlobMatcher[] = []): boolean {
  if (globs.some((glob) => glob.test(relativePath))) return true;
  const baseName = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  return baseNameGlobs.some((glob) => glob.test(baseName));
}

/**
 * Compiles globs, splitting those without a slash (matched against base names, as gitignore does).
 *
 * @throws GlobSyntaxError for the first invalid one.
 */
export function compileGlobs(patterns: readonly string[]): { readonly pathGlobs: GlobMatcher[]; readonly baseNameGlobs: GlobMatcher[] } {
  const pathGlobs: GlobMatcher[] = [];
  const baseNameGlobs: GlobMatcher[] = [];
  for (const pattern of patterns) {
    if (pattern === '') throw new GlobSyntaxError(pattern, 'the pattern is empty');
    const cleaned = pattern.replace(/^\.\//, '');
    if (cleaned.includes('/')) pathGlobs.push(compileGlob(cleaned.replace(/^\//, '')));
    else baseNameGlobs.push(compileGlob(cleaned));
  }
  return { pathGlobs, baseNameGlobs };
}
