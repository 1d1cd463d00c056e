import * as vscode from 'vscode';
import type { EntryKind, EntryStat, WorkspaceFs } from '../core/scan/workspaceFs';

/** WorkspaceFs over `vscode.workspace.fs`, so remote and virtual workspaces work. Locations are URI strings. */
export class VscodeWorkspaceFs implements WorkspaceFs {
  async readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse(location));
    return entries.map(([name, type]) => [name, toKind(type)] as const);
  }

  async stat(location: string): Promise<EntryStat> {
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.parse(location));
      return { kind: toKind(stat.type), sizeBytes: stat.size, mtimeMs: stat.mtime };
    } catch (error) {
      throw normaliseError(error);
    }
  }

  async readFile(location: string): Promise<Uint8Array> {
    try {
      return await vscode.workspace.fs.readFile(vscode.Uri.parse(location));
    } catch (error) {
      throw normaliseError(error);
    }
  }

  join(location: string, name: string): string {
    return vscode.Uri.joinPath(vscode.Uri.parse(location), name).toString();
  }
}

/** VS Code reports a symlink as `SymbolicLink | File` or `SymbolicLink | Directory`; a lone `SymbolicLink` is dangling. */
function toKind(type: vscode.FileType): EntryKind {
  const isLink = (type & vscode.FileType.SymbolicLink) !== 0;
  if (type & vscode.FileType.Directory) return isLink ? 'symlinkToDirectory' : 'directory';
  if (type & vscode.FileType.File) return isLink ? 'symlinkToFile' : 'file';
  if (isLink) return 'brokenSymlink';
  return 'other';
}

/** FileSystemError carries `code` ('FileNotFound', 'NoPermissions', …) which core's error helpers understand. */
function normaliseError(error: unknown): unknown {
  if (error instanceof vscode.FileSystemError) return Object.assign(new Error(error.message), { code: error.code });
  return error;
}
