import { IgnoreStack } from './ignoreRules';
import { secretFileReason } from '../secrets/secretScan';
import type { EntryKind, SkippedEntry, WorkspaceFs } from './workspaceFs';
import { formatBytes } from '../units';
import { settingName } from '../vocabulary';

/** A file the scanner accepted for counting. */
export interface ScannedFile {
  /** The port's location string (absolute path or URI). */
  readonly location: string;
  /** Posix path relative to the scan root's parent label, e.g. `src/a.ts` (multi-root: prefixed by the root name). */
  readonly relativePath: string;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
  /**
   * The size limit it was accepted under: reading it later stops there, so a file that grew after
   * the scan is skipped as too large instead of being counted past the limit. Always set by
   * {@link statCandidate}; absent only for files built elsewhere, which get the reader's own cap.
   */
  readonly maxBytes?: number;
  /**
   * Set when the file is a symbolic link, so the UI can flag it: `target` is where it points
   * (resolved), or null where the file system cannot resolve links.
   */
  readonly symlink?: { readonly target: string | null };
}

export interface ScanOptions {
  /** User exclude globs (gitignore syntax). */
  readonly excludeGlobs: readonly string[];
  /** Honour `.gitignore` files found while walking. */
  readonly respectGitignore: boolean;
  /** Files larger than this are skipped with a reason. */
  readonly maxFileBytes: number;
  /** Stop after accepting this many files (a 100k-file folder is reported, not silently truncated). */
  readonly maxFiles: number;
  /**
   * Leave out files that hold credentials by name (`.env`, `id_rsa`, `*.pem`, an `.npmrc` with auth…), listed
   * as skipped with the reason; default true (contextBudget.skipSecretFiles). A file named on purpose is not
   * scanned, so it is added, and flagged.
   */
  readonly skipSecretFiles?: boolean;
  /** Prefix for relative paths (the workspace-folder name in multi-root workspaces). */
  readonly pathPrefix?: string;
  /**
   * Only files whose relative path passes are considered (stat'ed, accepted, counted against
   * maxFiles); the others are passed over without a skip entry. Folders are always walked.
   */
  readonly include?: (relativePath: string) => boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (accepted: number, visited: number) => void;
}

export interface ScanResult {
  readonly files: ScannedFile[];
  readonly skipped: SkippedEntry[];
  /** True when maxFiles stopped the walk. */
  readonly truncated: boolean;
}

/**
 * Walks `rootLocation` breadth-first honouring excludes and nested `.gitignore`s, and leaves out files that
 * are secrets by name unless `skipSecretFiles` is false.
 *
 * Symbolic links: a link to a folder is never followed (no loops, nothing outside the tree). A link
 * to a file is counted as that file only when its resolved target lies inside `rootLocation`
 * (accepted files carry `symlink.target`); a link whose target is outside, or cannot be resolved by
 * this file system, is skipped with reason `symlinkOutside` and the target, without being opened.
 * The README's "Symbolic links" rule says the same. FIFOs, sockets and devices are skipped without
 * being opened; the readers check the opened descriptor again, in case one is swapped in later.
 */
export async function scanTree(fs: WorkspaceFs, rootLocation: string, options: ScanOptions): Promise<ScanResult> {
  const files: ScannedFile[] = [];
  const skipped: SkippedEntry[] = [];
  const prefix = options.pathPrefix ? options.pathPrefix.replace(/\/+$/, '') + '/' : '';
  const queue: Array<{ location: string; relative: string; rules: IgnoreStack }> = [
    { location: rootLocation, relative: '', rules: IgnoreStack.root(options.excludeGlobs) },
  ];
  let visited = 0;
  let truncated = false;
  // Where symlinked files must point to be counted: inside the selected folder, links resolved.
  const rootReal = await fs.stat(rootLocation).then((stat) => stat.realLocation, () => undefined);

  while (queue.length > 0 && !truncated) {
    throwIfAborted(options.signal);
    const dir = queue.shift()!;
    let entries: ReadonlyArray<readonly [string, EntryKind]>;
    try {
      entries = await fs.readDirectory(dir.location);
    } catch (error) {
      skipped.push({ relativePath: prefix + (dir.relative || '.') + '/', reason: 'unreadable', message: `folder could not be listed: ${describeError(error)}` });
      continue;
    }
    let rules = dir.rules;
    if (options.respectGitignore && entries.some(([name, kind]) => name === '.gitignore' && kind === 'file')) {
      try {
        const text = new TextDecoder().decode(await fs.readFile(fs.join(dir.location, '.gitignore'), { maxBytes: options.maxFileBytes }));
        rules = rules.withGitignore(dir.relative, text);
      } catch {
        // An unreadable .gitignore ignores nothing; the walk goes on.
      }
    }
    const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [name, kind] of sorted) {
      visited++;
      const relative = dir.relative ? `${dir.relative}/${name}` : name;
      const location = fs.join(dir.location, name);
      const isDirectory = kind === 'directory' || kind === 'symlinkToDirectory';
      const verdict = rules.test(isDirectory ? relative + '/' : relative);
      if (verdict.ignored) {
        // Ignored entries are expected noise; only record them at the top level so the user sees what was left out.
        if (dir.relative === '' || verdict.by === 'exclude') {
          skipped.push({ relativePath: prefix + relative + (isDirectory ? '/' : ''), reason: verdict.by === 'gitignore' ? 'ignored' : 'excluded', message: verdict.by === 'gitignore' ? 'matched by .gitignore' : 'matched by an exclude pattern' });
        }
        continue;
      }
      if (kind === 'directory') {
        queue.push({ location, relative, rules });
        continue;
      }
      if (options.include && !options.include(prefix + relative)) continue;
      if (kind === 'symlinkToDirectory') {
        skipped.push({ relativePath: prefix + relative + '/', reason: 'symlinkedDirectory', message: 'symbolic link to a folder: not followed (avoids loops and files outside the workspace)' });
        continue;
      }
      if (kind === 'brokenSymlink') {
        skipped.push({ relativePath: prefix + relative, location, reason: 'brokenSymlink', message: 'symbolic link whose target does not exist' });
        continue;
      }
      if (kind === 'other') {
        skipped.push({ relativePath: prefix + relative, location, reason: 'notRegularFile', message: 'not a regular file (FIFO, socket or device): not opened' });
        continue;
      }
      if (options.skipSecretFiles !== false) {
        const secret = await secretFileReason(prefix + relative, async () => new TextDecoder().decode(await fs.readFile(location)));
        if (secret) {
          skipped.push({ relativePath: prefix + relative, location, reason: 'secretFile', message: `secret by name (${secret}): left out of folder adds; add the file itself to include it (contextBudget.skipSecretFiles)` });
          continue;
        }
      }
      const accepted = await statCandidate(fs, location, prefix + relative, { maxFileBytes: options.maxFileBytes, linksMustStayInside: rootReal ?? null }, skipped);
      if (accepted) {
        if (files.length >= options.maxFiles) {
          truncated = true;
          skipped.push({ relativePath: prefix + (dir.relative || '.'), reason: 'fileLimit', message: `stopped after ${options.maxFiles} files (${settingName('maxFiles')}, --max-files); the rest of the folder was not added` });
          break;
        }
        files.push(accepted);
        if (options.onProgress && files.length % 200 === 0) options.onProgress(files.length, visited);
      }
    }
  }
  options.onProgress?.(files.length, visited);
  return { files, skipped, truncated };
}

/** How {@link statCandidate} judges one file. */
export interface CandidateOptions {
  readonly maxFileBytes: number;
  /**
   * Inside a folder walk: the folder's `realLocation` (null when it has none), which a symlinked
   * file's target must lie inside. Absent for a file named on its own: a link is then followed and
   * flagged with `symlink.target`.
   */
  readonly linksMustStayInside?: string | null;
}

/** Stats one file and applies the size cap and the symlink rule; records the reason when it is not accepted. */
export async function statCandidate(fs: WorkspaceFs, location: string, relativePath: string, options: CandidateOptions, skipped: SkippedEntry[]): Promise<ScannedFile | undefined> {
  let stat;
  try {
    stat = await fs.stat(location);
  } catch (error) {
    const vanished = isNotFound(error);
    skipped.push({ relativePath, location, reason: vanished ? 'vanished' : 'unreadable', message: vanished ? 'file disappeared before it could be read' : `could not be read: ${describeError(error)}` });
    return undefined;
  }
  if (stat.kind === 'other' || stat.kind === 'directory' || stat.kind === 'symlinkToDirectory') {
    skipped.push({ relativePath, location, reason: 'notRegularFile', message: 'not a regular file: not opened' });
    return undefined;
  }
  let symlink: ScannedFile['symlink'];
  if (stat.kind === 'symlinkToFile') {
    const target = stat.realLocation;
    const inside = options.linksMustStayInside;
    if (inside !== undefined && (inside === null || target === undefined || !isInsideLocation(target, inside))) {
      const where = target === undefined ? 'a target this file system cannot resolve' : target;
      skipped.push({ relativePath, location, reason: 'symlinkOutside', message: `symbolic link to a file outside the selected folder → ${where}: not read`, ...(target !== undefined ? { linkTarget: target } : {}) });
      return undefined;
    }
    symlink = { target: target ?? null };
  }
  if (stat.sizeBytes > options.maxFileBytes) {
    skipped.push({ relativePath, location, reason: 'tooLarge', message: `${formatBytes(stat.sizeBytes)} is larger than the ${formatBytes(options.maxFileBytes)} limit (${settingName('maxFileBytes')}, --max-file-bytes)` });
    return undefined;
  }
  return { location, relativePath, sizeBytes: stat.sizeBytes, mtimeMs: stat.mtimeMs, maxBytes: options.maxFileBytes, ...(symlink ? { symlink } : {}) };
}

/**
 * True when `location` is `folder` or lies below it. Both are real locations from the same port;
 * either separator counts, so it holds for posix paths, Windows paths and URI strings alike.
 */
export function isInsideLocation(location: string, folder: string): boolean {
  if (location === folder) return true;
  const base = folder.endsWith('/') || folder.endsWith('\\') ? folder : folder + (location.charAt(folder.length) === '\\' ? '\\' : '/');
  return location.startsWith(base);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const error = new Error('scan cancelled');
    error.name = 'AbortError';
    throw error;
  }
}

/** True for ENOENT-style errors from Node and `FileNotFound` from VS Code. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'FileNotFound' || code === 'ENOTDIR';
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
