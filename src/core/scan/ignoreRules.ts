import ignore from 'ignore';
import type { Ignore } from 'ignore';

/** Folders nobody wants in a prompt; always excluded unless the user adds a negation. */
export const defaultExcludes: readonly string[] = ['.git/', 'node_modules/', '.hg/', '.svn/', '.DS_Store'];

/**
 * Stacked ignore rules for one directory level: the user's excludes at the root, then every
 * `.gitignore` from the root down to this directory, each matched relative to its own directory
 * (git semantics: a nested `.gitignore` is relative to where it lives, and negations work within it).
 */
export class IgnoreStack {
  private constructor(
    private readonly layers: ReadonlyArray<{ readonly base: string; readonly matcher: Ignore; readonly source: 'exclude' | 'gitignore' }>,
  ) {}

  /** Root rules: the default excludes plus user globs (gitignore syntax; `**` and leading `/` supported). */
  static root(excludeGlobs: readonly string[], useDefaultExcludes = true): IgnoreStack {
    const patterns = [...(useDefaultExcludes ? defaultExcludes : []), ...excludeGlobs.map(normaliseGlob)];
    return new IgnoreStack([{ base: '', matcher: ignore().add(patterns), source: 'exclude' }]);
  }

  /** Returns a stack with the `.gitignore` found in directory `dirRelative` (posix, '' for the root) added. */
  withGitignore(dirRelative: string, gitignoreText: string): IgnoreStack {
    return new IgnoreStack([...this.layers, { base: dirRelative, matcher: ignore().add(gitignoreText), source: 'gitignore' }]);
  }

  /**
   * Decides a path (posix, relative to the workspace root; directories end with '/').
   * Later (deeper) layers win, as in git, so a nested `!pattern` can re-include what a parent ignored.
   */
  test(relativePath: string): { readonly ignored: boolean; readonly by?: 'exclude' | 'gitignore' } {
    let verdict: { ignored: boolean; by?: 'exclude' | 'gitignore' } = { ignored: false };
    for (const layer of this.layers) {
      const local = layer.base === '' ? relativePath : relativePath.startsWith(layer.base + '/') ? relativePath.slice(layer.base.length + 1) : undefined;
      if (local === undefined || local === '') continue;
      const result = layer.matcher.test(local);
      if (result.ignored) verdict = { ignored: true, by: layer.source };
      else if (result.unignored) verdict = { ignored: false };
    }
    return verdict;
  }
}

/** VS Code's `files.exclude` style globs (`**\/foo`) are valid gitignore patterns once a leading `./` is dropped. */
function normaliseGlob(glob: string): string {
  return glob.startsWith('./') ? glob.slice(2) : glob;
}
