/**
 * A small glob matcher for CLI path arguments and `--focus`: `*` (within a segment), `**` (any
 * depth), `?`, `[...]` classes and `{a,b}` alternatives. Paths are posix and relative.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  let braceDepth = 0;
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        const slashAfter = glob[i + 2] === '/';
        source += slashAfter ? '(?:.*/)?' : '.*';
        i += slashAfter ? 2 : 1;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) {
        source += '\\[';
      } else {
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = close;
      }
    } else if (char === '{') {
      braceDepth++;
      source += '(?:';
    } else if (char === '}' && braceDepth > 0) {
      braceDepth--;
      source += ')';
    } else if (char === ',' && braceDepth > 0) {
      source += '|';
    } else {
      source += char.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

/** True when the argument uses glob syntax rather than naming a path. */
export function isGlob(pattern: string): boolean {
  return /[*?[\]{}]/.test(pattern);
}

/** Matches a relative posix path against any of the globs (a glob without `/` matches the base name anywhere). */
export function matchesAnyGlob(relativePath: string, globs: readonly RegExp[], baseNameGlobs: readonly RegExp[] = []): boolean {
  if (globs.some((re) => re.test(relativePath))) return true;
  const baseName = relativePath.slice(relativePath.lastIndexOf('/') + 1);
  return baseNameGlobs.some((re) => re.test(baseName));
}

/** Compiles globs, splitting those without a slash (matched against base names, as gitignore does). */
export function compileGlobs(patterns: readonly string[]): { readonly pathGlobs: RegExp[]; readonly baseNameGlobs: RegExp[] } {
  const pathGlobs: RegExp[] = [];
  const baseNameGlobs: RegExp[] = [];
  for (const pattern of patterns) {
    const cleaned = pattern.replace(/^\.\//, '');
    if (cleaned.includes('/')) pathGlobs.push(globToRegExp(cleaned.replace(/^\//, '')));
    else baseNameGlobs.push(globToRegExp(cleaned));
  }
  return { pathGlobs, baseNameGlobs };
}
