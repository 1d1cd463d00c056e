import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The workspace a CLI run's count cache entries belong to ({@link DiskCountStoreOptions.workspace}):
 * the repository holding what the run counts, so `context-budget src` and `context-budget .` in one
 * repository share their entries. That is the nearest folder at or above the deepest folder common
 * to every location with a `.git` entry (a folder, or a worktree's or submodule's file, as git itself
 * looks for one: https://git-scm.com/docs/gitrepository-layout); outside any repository, that common
 * folder itself. Paths are resolved through symbolic links, so one project reached two ways is one
 * workspace.
 */
export function cacheWorkspaceOf(locations: readonly string[]): string {
  if (locations.length === 0) throw new RangeError('cacheWorkspaceOf needs at least one location');
  const folders = locations.map((location) => {
    const real = realOrResolved(location);
    return isFolderOrMissing(real) ? real : path.dirname(real);
  });
  const common = folders.reduce(commonFolder);
  for (let folder = common; ; folder = path.dirname(folder)) {
    if (hasGitEntry(folder)) return folder;
    if (path.dirname(folder) === folder) return common;
  }
}

function commonFolder(a: string, b: string): string {
  const aParts = a.split(path.sep);
  const bParts = b.split(path.sep);
  let shared = 0;
  while (shared < aParts.length && shared < bParts.length && aParts[shared] === bParts[shared]) shared++;
  // `/`.split gives ['', ''], and a common prefix of [''] is the root itself.
  return aParts.slice(0, shared).join(path.sep) || path.parse(a).root;
}

function realOrResolved(location: string): string {
  try {
    return realpathSync.native(location);
  } catch {
    return path.resolve(location);
  }
}

/** A folder, or nothing there (a glob's root that is gone): taken as a folder. Anything else (a file, a FIFO) stands for its folder. */
function isFolderOrMissing(location: string): boolean {
  try {
    const stat = statSync(location, { throwIfNoEntry: false });
    return stat === undefined || stat.isDirectory();
  } catch {
    // ENOTDIR, EACCES, ELOOP…: not a folder this run can look into.
    return false;
  }
}

function hasGitEntry(folder: string): boolean {
  try {
    return statSync(path.join(folder, '.git'), { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false;
  }
}
