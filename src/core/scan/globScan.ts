import { compileGlobs, matchesAnyGlob } from './glob';
import { scanTree } from './scanner';
import type { ScannedFile, ScanOptions } from './scanner';
import type { SkippedEntry, WorkspaceFs } from './workspaceFs';

/** What a glob search found, with everything the user must be told kept as data. */
export interface GlobScanResult {
  /** Files matching at least one glob, accepted by the scan rules. */
  readonly files: ScannedFile[];
  /**
   * Matching files the rules skipped (too large, a link out of the folder, …), folders that could
   * not be listed (a match may be inside), and the "stopped after N files" notice when maxFiles ended
   * the search: a match beyond the limit is reported, never silently dropped.
   */
  readonly skipped: SkippedEntry[];
  /** True when maxFiles stopped the search (counted over matching files only). */
  readonly truncated: boolean;
  /** The globs, as written, that matched no file at all (neither accepted nor skipped). */
  readonly unmatched: string[];
}

/**
 * Walks `rootLocation` once for all `globs`, with the usual rules (.gitignore, excludes, size
 * limit, symlinks), keeping only files whose path matches a glob. Only matching files count
 * against `maxFiles`, so a glob that matches 3 files in a 30,000-file tree finds all 3.
 *
 * @throws GlobSyntaxError for an invalid glob (see {@link compileGlobs}); the caller names the flag.
 */
export async function scanGlobs(
  fs: WorkspaceFs,
  rootLocation: string,
  globs: readonly string[],
  options: ScanOptions,
): Promise<GlobScanResult> {
  const compiled = globs.map((glob) => ({ glob, ...compileGlobs([glob]) }));
  const all = compileGlobs(globs);
  const matchesAny = (path: string): boolean => matchesAnyGlob(path, all.pathGlobs, all.baseNameGlobs);
  const result = await scanTree(fs, rootLocation, { ...options, include: matchesAny });
  const skipped = result.skipped.filter(
    (entry) =>
      entry.reason === 'fileLimit' ||
      (entry.reason === 'unreadable' && entry.relativePath.endsWith('/')) ||
      matchesAny(entry.relativePath.replace(/\/$/, '')),
  );
  const found = [
    ...result.files.map((file) => file.relativePath),
    ...skipped.filter((entry) => entry.reason !== 'fileLimit' && !entry.relativePath.endsWith('/')).map((entry) => entry.relativePath),
  ];
  const unmatched = compiled
    .filter(({ pathGlobs, baseNameGlobs }) => !found.some((path) => matchesAnyGlob(path, pathGlobs, baseNameGlobs)))
    .map(({ glob }) => glob);
  return { files: result.files, skipped, truncated: result.truncated, unmatched };
}

/**
 * The usage error for globs that matched nothing, naming each and what may explain it: the rules
 * that were applied, and the file limit when it stopped the search first.
 */
export function describeUnmatchedGlobs(result: GlobScanResult, maxFiles: number): string {
  const names = result.unmatched.map((glob) => JSON.stringify(glob)).join(', ');
  const why = result.truncated
    ? `the search stopped after ${maxFiles.toLocaleString('en-US')} matching files (--max-files), so a match may lie beyond it`
    : '.gitignore files and excludes were applied';
  return `no file matches ${names} (${why}).`;
}
