import * as vscode from 'vscode';
import type { EntryKind, EntryStat, ReadFileOptions, WorkspaceFs } from '../core/scan/workspaceFs';
import { NodeWorkspaceFs } from '../node/nodeWorkspaceFs';

/**
 * WorkspaceFs for the extension. Locations are URI strings. `file:` URIs are read with Node's fs: the
 * extension runs in the workspace's extension host, on the machine that holds the files (local or
 * remote), and `workspace.fs` cost milliseconds per call there, which made a 20k-file folder take
 * minutes to scan. Every other scheme (virtual workspaces) goes through `vscode.workspace.fs`.
 */
export class VscodeWorkspaceFs implements WorkspaceFs {
  constructor(private readonly local: WorkspaceFs = new NodeWorkspaceFs()) {}

  async readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    const localPath = filePathOf(location);
    if (localPath !== undefined) return this.local.readDirectory(localPath);
    const entries = await vscode.workspace.fs.readDirectory(vscode.Uri.parse(location));
    return entries.map(([name, type]) => [name, toKind(type)] as const);
  }

  async stat(location: string): Promise<EntryStat> {
    const localPath = filePathOf(location);
    if (localPath !== undefined) return this.local.stat(localPath);
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.parse(location));
      return { kind: toKind(stat.type), sizeBytes: stat.size, mtimeMs: stat.mtime };
    } catch (error) {
      throw normaliseError(error);
    }
  }

  async readFile(location: string, options?: ReadFileOptions): Promise<Uint8Array> {
    const localPath = filePathOf(location);
    // Local reads are bounded by options.maxBytes and refuse FIFOs and devices (NodeWorkspaceFs).
    if (localPath !== undefined) return this.local.readFile(localPath, options);
    try {
      // workspace.fs has no bounded read; the counter still refuses a result past maxBytes.
      return await vscode.workspace.fs.readFile(vscode.Uri.parse(location));
    } catch (error) {
      throw normaliseError(error);
    }
  }

  join(location: string, name: string): string {
    return vscode.Uri.joinPath(vscode.Uri.parse(location), name).toString();
  }
}

function filePathOf(location: string): string | undefined {
  return location.startsWith('file:') ? vscode.Uri.parse(location).fsPath : undefined;
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
