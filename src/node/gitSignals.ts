// Git facts for relevance, read with the `git` command (the CLI's source; the extension uses VS Code's
// git extension API instead): files changed in the working tree or since a branch base (anchors),
// and when each file last changed in a commit (recency). git runs without a shell, with
// core.quotePath off and NUL-separated output, so any file name comes through verbatim. It runs with
// --no-optional-locks (https://git-scm.com/docs/git#Documentation/git.txt---no-optional-locks): these
// are background reads that may be stopped mid-way, so `git status` must not refresh the user's index.
import { nodeChildProcess } from './lazyBuiltins';

/** Paths are relative to the repository's top level, with `/` separators. */
export interface GitChanges {
  /** Absolute path of the repository's top level (`git rev-parse --show-toplevel`). */
  readonly root: string;
  /** Changed, staged, untracked and (with a ref) committed-since-base files, sorted, deleted files left out. */
  readonly paths: readonly string[];
  /** The commit compared against: the merge base of HEAD and the ref, or null for the working tree alone. */
  readonly base: string | null;
}

/** Runs git; rejects with git's own message (first line of stderr) when it fails; `signal` stops it. */
function git(cwd: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    nodeChildProcess().execFile(
      'git',
      ['--no-optional-locks', '-c', 'core.quotePath=false', ...args],
      { cwd, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', ...(signal ? { signal } : {}) },
      (error, stdout, stderr) => {
        if (error) {
          const detail = (stderr || error.message).trim().split('\n')[0];
          reject(new Error(`git ${args[0]}: ${detail}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

/** For callers asking several questions of one repository. */
export interface GitOptions {
  /** The repository's top level when already known (from {@link gitTopLevel}): saves one run of git. */
  readonly topLevel?: string;
  /** Stops git (the call then rejects with an AbortError). */
  readonly signal?: AbortSignal;
}

/** Absolute path of the top level of the repository holding `cwd` (`git rev-parse --show-toplevel`). */
export async function gitTopLevel(cwd: string, signal?: AbortSignal): Promise<string> {
  return (await git(cwd, ['rev-parse', '--show-toplevel'], signal)).trim();
}

/**
 * Files changed in the working tree (modified, staged, untracked), or with `ref` also everything
 * committed since the merge base of HEAD and `ref` (what a pull request against `ref` would show).
 * Deleted files are left out: they cannot be in a prompt.
 */
export async function gitChangedFiles(cwd: string, ref?: string, options: GitOptions = {}): Promise<GitChanges> {
  if (ref !== undefined && (ref === '' || ref.startsWith('-'))) throw new Error(`not a git ref: "${ref}"`);
  const root = options.topLevel ?? (await gitTopLevel(cwd, options.signal));
  const paths = new Set<string>();
  // Porcelain v1 with -z: "XY path\0", and for renames/copies the original path follows as its own field.
  const status = (await git(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], options.signal)).split('\0');
  for (let i = 0; i < status.length; i++) {
    const entry = status[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    if (code.includes('D')) continue;
    paths.add(entry.slice(3));
    if (code[0] === 'R' || code[0] === 'C') i++;
  }
  let base: string | null = null;
  if (ref !== undefined) {
    try {
      base = (await git(root, ['merge-base', 'HEAD', `${ref}^{commit}`])).trim();
    } catch (error) {
      throw new Error(`cannot compare with "${ref}": ${error instanceof Error ? error.message : String(error)}`);
    }
    for (const path of (await git(root, ['diff', '--name-only', '-z', '--diff-filter=d', base, '--'])).split('\0')) {
      if (path !== '') paths.add(path);
    }
  }
  return { root, paths: [...paths].sort(), base };
}

/**
 * When each file last changed in a commit within the last `days` days (epoch seconds), from
 * `git log --since`. Files not in the map did not change in that period (or are untracked).
 */
export async function gitLastChangeTimes(cwd: string, days: number, options: GitOptions = {}): Promise<Map<string, number>> {
  const root = options.topLevel ?? (await gitTopLevel(cwd, options.signal));
  const output = await git(
    root,
    ['log', `--since=${Math.max(0, Math.floor(days))} days ago`, '--format=%x01%ct', '--name-only', '-z'],
    options.signal,
  );
  const times = new Map<string, number>();
  let commitTime = 0;
  // "\x01<ct>\0\n<path>\0<path>\0\x01<ct>\0…": newest commit first, so the first time seen is the last change.
  for (const field of output.split('\0')) {
    if (field.startsWith('\u0001')) {
      commitTime = Number(field.slice(1));
      continue;
    }
    const path = field.startsWith('\n') ? field.slice(1) : field;
    if (path !== '' && !times.has(path)) times.set(path, commitTime);
  }
  return times;
}
