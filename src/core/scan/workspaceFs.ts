/**
 * The file-system port the scanner and counter use. The CLI implements it over Node's `fs`,
 * the extension over `vscode.workspace.fs` (so remote and virtual workspaces work), tests in memory.
 * Locations are opaque strings owned by the implementation (absolute paths or URI strings).
 */
export type EntryKind = 'file' | 'directory' | 'symlinkToFile' | 'symlinkToDirectory' | 'brokenSymlink' | 'other';

export interface EntryStat {
  readonly kind: EntryKind;
  readonly sizeBytes: number;
  readonly mtimeMs: number;
}

export interface WorkspaceFs {
  /** Lists a directory: entry names with their kinds (symlinks reported as such, not followed). */
  readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>>;
  /** Stats a location, following a symlink for size and mtime but reporting that it is one. */
  stat(location: string): Promise<EntryStat>;
  readFile(location: string): Promise<Uint8Array>;
  /** Joins a child name onto a location. */
  join(location: string, name: string): string;
}

/** Why an entry was not counted; the message is what the user sees. */
export interface SkippedEntry {
  readonly relativePath: string;
  readonly reason: SkipReason;
  readonly message: string;
}

export type SkipReason =
  | 'ignored'
  | 'excluded'
  | 'tooLarge'
  | 'binary'
  | 'symlinkedDirectory'
  | 'brokenSymlink'
  | 'notRegularFile'
  | 'unreadable'
  | 'vanished'
  | 'fileLimit'
  | 'countFailed'
  /** A file that holds credentials by name (`.env`, `id_rsa`, `*.pem`…), left out of a folder add; see secretRules.ts. */
  | 'secretFile';
