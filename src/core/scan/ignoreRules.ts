import ignore from 'ignore';
import type { Ignore } from 'ignore';

/** Folders nobody wants in a prompt; always excluded unless the user adds a negation. */
export const defaultExcludes: readonly string[] = ['.git/', 'node_modules/', '.hg/', '.svn/', '.DS_Store'];

/** One rule file (or the user's excludes) and the folder its patterns are relative to. */
interface Layer {
  readonly base: string;
  readonly source: 'exclude' | 'gitignore';
  /** Rule-file text, or the user's excludes one pattern each. */
  readonly patterns: string | readonly string[];
  readonly matcher: Ignore;
  /** Matchers that judge a path by its own rules only, keyed by the parent folder they free. */
  readonly ownRules: Map<string, Ignore>;
}

/**
 * Stacked ignore rules for one directory level: the user's excludes at the root, then every
 * `.gitignore` from the root down to this directory, each matched relative to its own directory
 * (git semantics: a nested `.gitignore` is relative to where it lives, and negations work within it).
 */
export class IgnoreStack {
  private constructor(private readonly layers: readonly Layer[]) {}

  /** Root rules: the default excludes plus user globs (gitignore syntax; `**` and leading `/` supported). */
  static root(excludeGlobs: readonly string[], useDefaultExcludes = true): IgnoreStack {
    const patterns = [...(useDefaultExcludes ? defaultExcludes : []), ...excludeGlobs.map(normaliseGlob)];
    return new IgnoreStack([layer('', 'exclude', patterns)]);
  }

  /** Returns a stack with the `.gitignore` found in directory `dirRelative` (posix, '' for the root) added. */
  withGitignore(dirRelative: string, gitignoreText: string): IgnoreStack {
    return new IgnoreStack([...this.layers, layer(dirRelative, 'gitignore', gitignoreText)]);
  }

  /**
   * Decides a path (posix, relative to the workspace root; directories end with '/').
   * Later (deeper) layers win, as in git, so a nested `!pattern` can re-include what a parent ignored.
   * Call it for a path only once its parent folder was found not ignored, as the scanner's walk does:
   * each layer then judges the path by its own rules, even where that layer alone ignored a parent.
   */
  test(relativePath: string): { readonly ignored: boolean; readonly by?: 'exclude' | 'gitignore' } {
    let verdict: { ignored: boolean; by?: 'exclude' | 'gitignore' } = { ignored: false };
    for (const layer of this.layers) {
      const local =
        layer.base === ''
          ? relativePath
          : relativePath.startsWith(layer.base + '/')
            ? relativePath.slice(layer.base.length + 1)
            : undefined;
      if (local === undefined || local === '') continue;
      const result = ownRulesTest(layer, local);
      if (result.ignored) verdict = { ignored: true, by: layer.source };
      else if (result.unignored) verdict = { ignored: false };
    }
    return verdict;
  }
}

function layer(base: string, source: Layer['source'], text: string | readonly string[]): Layer {
  const patterns =
    typeof text === 'string' ? compilableLines(text) : text.filter((pattern) => pattern.length <= longPatternChars || compiles(pattern));
  return { base, source, patterns, matcher: ignore().add(patterns), ownRules: new Map() };
}

/**
 * `ignore`'s test() also tests every parent folder and lets an ignored parent decide. That is right
 * for one rule file on its own, but in a stack a deeper `!build/` can re-include a folder this layer
 * ignored, and the files inside must then be judged by this layer's own rules (git does the same).
 * So when this layer ignores the parent, the path is re-tested with the parent's folders negated.
 */
function ownRulesTest(layer: Layer, local: string): { readonly ignored: boolean; readonly unignored: boolean } {
  const result = layer.matcher.test(local);
  if (!result.ignored) return result;
  const parent = parentFolder(local);
  if (parent === '' || !layer.matcher.test(parent).ignored) return result;
  let own = layer.ownRules.get(parent);
  if (!own) {
    own = ignore()
      .add(layer.patterns)
      .add(ancestorFolders(parent).map((folder) => `!/${escapeGlob(folder)}`));
    layer.ownRules.set(parent, own);
  }
  return own.test(local);
}

/** `a/b/c` or `a/b/c/` → `a/b/`; `c` → ''. */
function parentFolder(local: string): string {
  const trimmed = local.endsWith('/') ? local.slice(0, -1) : local;
  const slash = trimmed.lastIndexOf('/');
  return slash < 0 ? '' : trimmed.slice(0, slash + 1);
}

/** `a/b/` → [`a/`, `a/b/`]. */
function ancestorFolders(folder: string): string[] {
  const out: string[] = [];
  for (let i = folder.indexOf('/'); i >= 0; i = folder.indexOf('/', i + 1)) out.push(folder.slice(0, i + 1));
  return out;
}

/** A folder name taken literally in a gitignore pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, (char) => `\\${char}`);
}

/** Lines this long are compiled on their own first; shorter lines always compile. */
const longPatternChars = 1000;

/**
 * Drops pattern lines `ignore` cannot compile: a line of tens of thousands of characters (a
 * generated or corrupted .gitignore) makes V8 reject the regex ("Regular expression too large") on
 * the first test, which would fail the whole scan. Such a line could only match a path far longer
 * than any file system allows, so dropping it changes no verdict.
 */
function compilableLines(text: string): string {
  if (text.length <= longPatternChars) return text;
  const lines = text.split('\n');
  if (!lines.some((line) => line.length > longPatternChars)) return text;
  return lines.filter((line) => line.length <= longPatternChars || compiles(line)).join('\n');
}

function compiles(pattern: string): boolean {
  try {
    ignore().add(pattern).test('probe');
    return true;
  } catch {
    return false;
  }
}

/** VS Code's `files.exclude` style globs (`**\/foo`) are valid gitignore patterns once a leading `./` is dropped. */
function normaliseGlob(glob: string): string {
  return glob.startsWith('./') ? glob.slice(2) : glob;
}
