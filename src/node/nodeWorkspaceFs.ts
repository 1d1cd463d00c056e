import { promises as fsp } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import * as path from 'node:path';
import type { EntryKind, EntryStat, WorkspaceFs } from '../core/scan/workspaceFs';

/** WorkspaceFs over Node's file system, for the CLI and benchmarks. Locations are absolute paths. */
export class NodeWorkspaceFs implements WorkspaceFs {
  async readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    const entries = await fsp.readdir(location, { withFileTypes: true });
    return Promise.all(entries.map(async (entry): Promise<readonly [string, EntryKind]> => [entry.name, await this.kindOf(location, entry)]));
  }

  async stat(location: string): Promise<EntryStat> {
    const link = await fsp.lstat(location);
    if (!link.isSymbolicLink()) return { kind: kindOfStats(link), sizeBytes: link.size, mtimeMs: link.mtimeMs };
    try {
      const target = await fsp.stat(location);
      const kind = kindOfStats(target);
      return { kind: kind === 'file' ? 'symlinkToFile' : kind === 'directory' ? 'symlinkToDirectory' : 'other', sizeBytes: target.size, mtimeMs: target.mtimeMs };
    } catch {
      return { kind: 'brokenSymlink', sizeBytes: 0, mtimeMs: link.mtimeMs };
    }
  }

  async readFile(location: string): Promise<Uint8Array> {
    return fsp.readFile(location);
  }

  join(location: string, name: string): string {
    return path.join(location, name);
  }

  private async kindOf(directory: string, entry: Dirent): Promise<EntryKind> {
    if (entry.isFile()) return 'file';
    if (entry.isDirectory()) return 'directory';
    if (entry.isSymbolicLink()) return (await this.stat(path.join(directory, entry.name))).kind;
    return 'other';
  }
}

function kindOfStats(stats: Stats): EntryKind {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'directory';
  return 'other';
}
