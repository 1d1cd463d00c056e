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
  /**
   * The location with every symbolic link resolved (realpath), in the implementation's own form,
   * which need not be the form of `location` (the extension's URIs resolve to file paths). Only
   * compared with another `realLocation` from the same port: it tells whether a link's target stays
   * inside a scanned folder. Undefined when the implementation cannot resolve links (virtual
   * workspaces); links are then treated as pointing outside.
   */
  readonly realLocation?: string;
  /**
   * Identifies this version of a file for the persistent count cache: `stamp` differs whenever the
   * content may differ (NodeWorkspaceFs: size, mtime, ctime, inode and device; the ctime moves on
   * every write and, unlike the mtime, cannot be set back), and `changedAtMs` is when the file last
   * changed (its ctime). Absent where the port cannot tell (virtual workspaces): such files are read.
   */
  readonly change?: FileChange;
}

/** See {@link EntryStat.change}. */
export interface FileChange {
  readonly stamp: string;
  readonly changedAtMs: number;
}

/** Options for {@link WorkspaceFs.readFile}. */
export interface ReadFileOptions {
  /**
   * Read at most this many bytes. A file that holds more (it grew since it was listed, or it is a
   * pseudo-file that never ends) is refused with a {@link ReadRefusedError} of reason `tooLarge`.
   */
  readonly maxBytes?: number;
}

export interface WorkspaceFs {
  /** Lists a directory: entry names with their kinds (symlinks reported as such, not followed). */
  readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>>;
  /** Stats a location, following a symlink for size and mtime but reporting that it is one. */
  stat(location: string): Promise<EntryStat>;
  /**
   * Reads a whole regular file. Implementations must never block on what is not a regular file
   * (FIFO, device, socket: a FIFO swapped in after the scan included) and must refuse it with a
   * {@link ReadRefusedError} of reason `notRegularFile`; they honour `options.maxBytes`.
   */
  readFile(location: string, options?: ReadFileOptions): Promise<Uint8Array>;
  /** Joins a child name onto a location. */
  join(location: string, name: string): string;
}

/** Why a read was refused without (fully) reading; the message is what the user sees. */
export type ReadRefusal = 'notRegularFile' | 'tooLarge';

/**
 * A read the file-system adapter refused on purpose: not a regular file (checked on the opened
 * descriptor, so a file swapped for a FIFO after the scan is caught), or more bytes than allowed.
 */
export class ReadRefusedError extends Error {
  override readonly name = 'ReadRefusedError';

  constructor(
    readonly reason: ReadRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** True for a {@link ReadRefusedError}, also across bundles (checked by name, not identity). */
export function isReadRefused(error: unknown): error is ReadRefusedError {
  return (
    error instanceof Error &&
    error.name === 'ReadRefusedError' &&
    ((error as ReadRefusedError).reason === 'notRegularFile' || (error as ReadRefusedError).reason === 'tooLarge')
  );
}

/** Why an entry was not counted; the message is what the user sees. */
export interface SkippedEntry {
  readonly relativePath: string;
  /** The port's location of a skipped file, when there is one (folders and notices have none). */
  readonly location?: string;
  readonly reason: SkipReason;
  readonly message: string;
  /** For a symbolic link: where it points (resolved), so the UI can show `→ target`. */
  readonly linkTarget?: string;
}

export type SkipReason =
  | 'ignored'
  | 'excluded'
  | 'tooLarge'
  | 'binary'
  | 'symlinkedDirectory'
  | 'symlinkOutside'
  | 'brokenSymlink'
  | 'notRegularFile'
  | 'unreadable'
  | 'vanished'
  | 'fileLimit'
  | 'countFailed'
  /** A file that holds credentials by name (`.env`, `id_rsa`, `*.pem`…), left out of a folder add; see secretRules.ts. */
  | 'secretFile'
  /** A lockfile by name (`package-lock.json`, `Cargo.lock`…), left out of a folder add; see kindSignals.ts. */
  | 'lockfile'
  /** A generated, minified or source-map file by name (`*.pb.go`, `*.min.js`, `*.js.map`, `__generated__/`…), left out of a folder add. */
  | 'generatedFile';
