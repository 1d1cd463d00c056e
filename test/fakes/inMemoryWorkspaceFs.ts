import { ReadRefusedError } from '../../src/core/scan/workspaceFs';
import type { EntryKind, EntryStat, ReadFileOptions, WorkspaceFs } from '../../src/core/scan/workspaceFs';

type Node =
  | { kind: 'file'; bytes: Uint8Array; mtimeMs: number }
  | { kind: 'directory' }
  | { kind: 'symlink'; target: string }
  | { kind: 'other' }
  | { kind: 'unlistable' };

/** A WorkspaceFs held in memory, recording calls so tests can assert cache hits. Paths are posix, rooted at '/'. */
export class InMemoryWorkspaceFs implements WorkspaceFs {
  private readonly nodes = new Map<string, Node>([['/', { kind: 'directory' }]]);
  readonly calls = { readDirectory: [] as string[], stat: [] as string[], readFile: [] as string[] };
  /** Paths that vanish after being listed (stat/read throw ENOENT). */
  readonly vanishing = new Set<string>();

  file(path: string, content: string | Uint8Array, mtimeMs = 1): this {
    this.ensureParents(path);
    this.nodes.set(path, { kind: 'file', bytes: typeof content === 'string' ? new TextEncoder().encode(content) : content, mtimeMs });
    return this;
  }

  dir(path: string): this {
    this.ensureParents(path);
    this.nodes.set(path, { kind: 'directory' });
    return this;
  }

  symlink(path: string, target: string): this {
    this.ensureParents(path);
    this.nodes.set(path, { kind: 'symlink', target });
    return this;
  }

  special(path: string, kind: 'other' | 'unlistable'): this {
    this.ensureParents(path);
    this.nodes.set(path, { kind });
    return this;
  }

  async readDirectory(location: string): Promise<ReadonlyArray<readonly [string, EntryKind]>> {
    this.calls.readDirectory.push(location);
    const node = this.nodes.get(location);
    if (node?.kind === 'unlistable') throw Object.assign(new Error(`EACCES: permission denied, scandir '${location}'`), { code: 'EACCES' });
    if (node?.kind !== 'directory') throw Object.assign(new Error(`ENOENT: ${location}`), { code: 'ENOENT' });
    const prefix = location === '/' ? '/' : location + '/';
    const out: Array<readonly [string, EntryKind]> = [];
    for (const [path] of this.nodes) {
      if (path === location || !path.startsWith(prefix) || path.slice(prefix.length).includes('/')) continue;
      out.push([path.slice(prefix.length), this.kindOf(path)]);
    }
    return out;
  }

  async stat(location: string): Promise<EntryStat> {
    this.calls.stat.push(location);
    if (this.vanishing.has(location)) throw Object.assign(new Error(`ENOENT: ${location}`), { code: 'ENOENT' });
    const kind = this.kindOf(location);
    const target = this.resolve(location);
    if (!target) throw Object.assign(new Error(`ENOENT: ${location}`), { code: 'ENOENT' });
    // Like realpath: folders and links report where they really are; plain files need not.
    const realLocation = kind === 'directory' || kind.startsWith('symlink') ? this.realPath(location) : undefined;
    return {
      kind,
      sizeBytes: target.kind === 'file' ? target.bytes.byteLength : 0,
      mtimeMs: target.kind === 'file' ? target.mtimeMs : 0,
      ...(realLocation !== undefined ? { realLocation } : {}),
    };
  }

  async readFile(location: string, options: ReadFileOptions = {}): Promise<Uint8Array> {
    this.calls.readFile.push(location);
    if (this.vanishing.has(location)) throw Object.assign(new Error(`ENOENT: ${location}`), { code: 'ENOENT' });
    const target = this.resolve(location);
    if (target?.kind === 'other') {
      throw new ReadRefusedError('notRegularFile', 'a FIFO (named pipe), not a regular file: not opened for reading');
    }
    if (target?.kind !== 'file') throw Object.assign(new Error(`ENOENT: ${location}`), { code: 'ENOENT' });
    if (options.maxBytes !== undefined && target.bytes.byteLength > options.maxBytes) {
      throw new ReadRefusedError('tooLarge', `grew past the limit: ${target.bytes.byteLength} > ${options.maxBytes} bytes`);
    }
    return target.bytes;
  }

  /** Replaces a file's bytes in place (a file that changes after the scan). */
  rewrite(path: string, content: string | Uint8Array): this {
    const node = this.nodes.get(path);
    if (node?.kind !== 'file') throw new Error(`${path} is not a file`);
    node.bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return this;
  }

  /** Turns a path into a FIFO-like special file (a file swapped after the scan). */
  swapForSpecial(path: string): this {
    this.nodes.set(path, { kind: 'other' });
    return this;
  }

  private realPath(path: string, depth = 0): string | undefined {
    const node = this.nodes.get(path);
    if (node?.kind === 'symlink') return depth > 8 ? undefined : this.realPath(node.target, depth + 1);
    return node ? path : undefined;
  }

  join(location: string, name: string): string {
    return location === '/' ? `/${name}` : `${location}/${name}`;
  }

  private resolve(path: string, depth = 0): Node | undefined {
    const node = this.nodes.get(path);
    if (node?.kind === 'symlink') return depth > 8 ? undefined : this.resolve(node.target, depth + 1);
    return node;
  }

  private kindOf(path: string): EntryKind {
    const node = this.nodes.get(path);
    if (node?.kind === 'symlink') {
      const target = this.resolve(path);
      if (!target) return 'brokenSymlink';
      return target.kind === 'directory' ? 'symlinkToDirectory' : target.kind === 'file' ? 'symlinkToFile' : 'other';
    }
    if (node?.kind === 'file') return 'file';
    if (node?.kind === 'directory' || node?.kind === 'unlistable') return 'directory';
    return 'other';
  }

  private ensureParents(path: string): void {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const parent = '/' + parts.slice(0, i).join('/');
      if (!this.nodes.has(parent)) this.nodes.set(parent, { kind: 'directory' });
    }
  }
}
