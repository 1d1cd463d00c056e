import { lstatSync, promises as fsp, readdirSync, realpathSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import type { EntryKind, EntryStat, FileChange, ReadFileOptions, WorkspaceFs } from '../core/scan/workspaceFs';
import { readRegularFile, readRegularFileSync } from './regularFile';

/**
 * The read cap when the caller gives none: the largest `contextBudget.maxFileBytes` allows (1 GiB),
 * so even a caller that forgets the option cannot be made to read a never-ending file.
 */
export const defaultMaxReadBytes = 1024 * 1024 * 1024;

/**
 * WorkspaceFs over Node's file system, for the CLI, the extension's `file:` locations and benchmarks.
 * Locations are absolute paths. Reads go through {@link readRegularFile}: never a FIFO or device
 * (checked on the opened descriptor), never more than the cap.
 */
export class NodeWorkspaceFs implements WorkspaceFs {
  private readonly ops: MetadataOps;

  private readonly synchronous: boolean;

  /**
   * @param options.synchronous list, stat and read with the synchronous calls: for the CLI, whose
   *   thread has nothing else to do. Over the 10,608-file bench tree, reading every file took
   *   0.36–0.6 s of CPU this way against 2.0–2.2 s with the promise-based calls (a libuv
   *   thread-pool round trip per call, five calls per file). Never in the extension host, whose
   *   thread must stay free.
   * @param options.rememberListings answer a folder listed before from memory: for the CLI, a
   *   snapshot of one moment, where the relevance plan's search for tsconfig/go.mod would otherwise
   *   list again every folder the scan just listed (1,555 folders, ~90 ms on the bench tree).
   */
  constructor(options: { readonly synchronous?: boolean; readonly rememberListings?: boolean } = {}) {
    this.synchronous = options.synchronous === true;
    this.ops = this.synchronous ? synchronousOps : promiseOps;
    this.listings = options.rememberListings === true ? new Map() : null;
  }

  private readonly listings: Map<string, ReadonlyArray<readonly [string, EntryKind]>> | null;

  async readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    const remembered = this.listings?.get(location);
    if (remembered !== undefined) return remembered;
    const listing = await this.listDirectory(location);
    this.listings?.set(location, listing);
    return listing;
  }

  private async listDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    const entries = await this.ops.readdir(location).catch(async (error: unknown) => {
      throw await explainMissing(location, error);
    });
    return Promise.all(
      entries.map(async (entry): Promise<readonly [string, EntryKind]> => [entry.name, await this.kindOf(location, entry)]),
    );
  }

  async stat(location: string): Promise<EntryStat> {
    const link = await this.ops.lstat(location).catch(async (error: unknown) => {
      throw await explainMissing(location, error);
    });
    if (!link.isSymbolicLink()) {
      const kind = kindOfStats(link);
      // A folder's real path is what symlinks found inside it are compared with (scan roots only; files need none).
      const realLocation = kind === 'directory' ? await this.ops.realpath(location).catch(() => undefined) : undefined;
      return {
        kind,
        sizeBytes: link.size,
        mtimeMs: link.mtimeMs,
        ...(realLocation !== undefined ? { realLocation } : {}),
        ...(kind === 'file' ? { change: changeOf(link) } : {}),
      };
    }
    try {
      const target = await this.ops.stat(location);
      const kind = kindOfStats(target);
      const realLocation = await this.ops.realpath(location);
      return {
        kind: kind === 'file' ? 'symlinkToFile' : kind === 'directory' ? 'symlinkToDirectory' : 'other',
        sizeBytes: target.size,
        mtimeMs: target.mtimeMs,
        realLocation,
        ...(kind === 'file' ? { change: changeOf(target) } : {}),
      };
    } catch {
      return { kind: 'brokenSymlink', sizeBytes: 0, mtimeMs: link.mtimeMs };
    }
  }

  async readFile(location: string, options: ReadFileOptions = {}): Promise<Uint8Array> {
    const maxBytes = options.maxBytes ?? defaultMaxReadBytes;
    return this.synchronous ? readRegularFileSync(location, maxBytes) : readRegularFile(location, maxBytes);
  }

  join(location: string, name: string): string {
    return path.join(location, name);
  }

  private async kindOf(directory: string, entry: Dirent): Promise<EntryKind> {
    if (entry.isFile()) return 'file';
    if (entry.isDirectory()) return 'directory';
    if (entry.isSymbolicLink()) {
      // A link that cannot be statted here (gone since the listing, or a name that is not valid
      // UTF-8) must not fail the whole listing: call it a file and let the scanner's own stat
      // report the specific reason for this one entry.
      return this.stat(path.join(directory, entry.name)).then(
        (stat) => stat.kind,
        () => 'file',
      );
    }
    return 'other';
  }
}

/** The metadata calls, promise-based or synchronous (see the constructor of {@link NodeWorkspaceFs}). */
interface MetadataOps {
  readdir(location: string): Promise<Dirent[]>;
  lstat(location: string): Promise<Stats>;
  stat(location: string): Promise<Stats>;
  realpath(location: string): Promise<string>;
}

const promiseOps: MetadataOps = {
  readdir: (location) => fsp.readdir(location, { withFileTypes: true }),
  lstat: (location) => fsp.lstat(location),
  stat: (location) => fsp.stat(location),
  realpath: (location) => fsp.realpath(location),
};

/** Synchronous calls behind the same promise-returning shape (a throw becomes a rejection). */
const synchronousOps: MetadataOps = {
  readdir: async (location) => readdirSync(location, { withFileTypes: true }),
  lstat: async (location) => lstatSync(location),
  stat: async (location) => statSync(location),
  realpath: async (location) => realpathSync(location),
};

/**
 * Node decodes directory entries as UTF-8, so a name that is not valid UTF-8 comes back with U+FFFD
 * and the path built from it does not exist: without this, such a file would be reported as
 * "disappeared". Re-lists the parent as raw bytes to tell the two apart (only on ENOENT).
 */
async function explainMissing(location: string, error: unknown): Promise<unknown> {
  if ((error as { code?: unknown } | null)?.code !== 'ENOENT' || !location.includes('\uFFFD')) return error;
  const name = path.basename(location);
  let raw: Buffer[];
  try {
    raw = await fsp.readdir(path.dirname(location), { encoding: 'buffer' });
  } catch {
    return error;
  }
  const undecodable = raw.some((bytes) => bytes.toString('utf8') === name && !bytes.equals(Buffer.from(name, 'utf8')));
  if (!undecodable) return error;
  return Object.assign(new Error('the name is not valid UTF-8 (shown with U+FFFD), so it cannot be opened by name'), { code: 'EILSEQ' });
}

/**
 * A regular file's change stamp: size, mtime, ctime (both with their sub-millisecond part), inode and
 * device. Git trusts the same fields to tell an unchanged file without reading it: its index keeps
 * ctime, mtime, dev, ino and size (git/git@3686aa1caf907d22fe318c28efe93f0e7870ba50:
 * Documentation/technical/index-format.txt). A write moves the ctime even when the mtime is set back
 * and the size is the same. Where a field is unstable (dev on network file systems, sub-second parts
 * after inode-cache eviction, both noted in git's racy-git.txt), the stamp changes spuriously: the
 * file is read again, never miscounted.
 */
function changeOf(stats: Stats): FileChange {
  return { stamp: `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}:${stats.dev}`, changedAtMs: stats.ctimeMs };
}

function kindOfStats(stats: Stats): EntryKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  return 'other';
}
