import { Emitter } from '../util/emitter';

/**
 * How an included file goes into the prompt: its full text, or its outline (declarations, signatures
 * and doc comments without bodies; see src/core/relevance/extractSyntax.ts), which is what is counted
 * and exported for it.
 */
export type FileMode = 'full' | 'outline';

/** A file's place in the prompt as the views show it: full text, outline, or dropped (unchecked). */
export type FileState = FileMode | 'dropped';

/** The {@link FileState} of an entry: an unchecked file is dropped whatever its mode. */
export function fileStateOf(entry: Pick<SelectionEntry, 'included' | 'mode'>): FileState {
  return entry.included ? entry.mode : 'dropped';
}

/** One file the user put in the context list. `included` is the tree checkbox. */
export interface SelectionEntry {
  /** Stable key: the URI string (extension) or absolute path (CLI). */
  readonly uri: string;
  /** Posix path shown to the user (workspace-relative; multi-root: prefixed by the folder name). */
  readonly relativePath: string;
  readonly included: boolean;
  /** Files the user most needs the model to see. */
  readonly focus: boolean;
  /** Never proposed for dropping. */
  readonly pinned: boolean;
  /** Full text or outline when included; kept while unchecked, so checking it again restores it. */
  readonly mode: FileMode;
}

/** What survives a window reload (stored per workspace). */
export interface SelectionSnapshot {
  readonly version: 1;
  readonly entries: readonly SelectionEntry[];
  /** Prompt order (URIs) when the user applied a reorder; otherwise files are ordered by path. */
  readonly customOrder: readonly string[] | null;
}

/**
 * The single source of truth for which files are in the prompt, in what order, and which are focus
 * or pinned. The tree's checkboxes, the status bar and the panel are all derived from it.
 */
export class Selection {
  private readonly entries = new Map<string, SelectionEntry>();
  private customOrder: string[] | null = null;
  /** {@link ordered}'s last answer, until the next change: a report asks for it on every rebuild (sorting 10,000 paths each time). */
  private orderedMemo: readonly SelectionEntry[] | null = null;
  private readonly _onDidChange = new Emitter<{ readonly changed: readonly string[] }>();
  /** Fires with the URIs whose entries changed (added, removed or flagged). */
  readonly onDidChange = this._onDidChange.event;

  /** Adds files (already-present ones are re-included, flags kept). Returns how many were new. */
  add(files: ReadonlyArray<{ readonly uri: string; readonly relativePath: string }>): number {
    const changed: string[] = [];
    let added = 0;
    for (const file of files) {
      const existing = this.entries.get(file.uri);
      if (existing) {
        if (!existing.included) {
          this.entries.set(file.uri, { ...existing, included: true });
          changed.push(file.uri);
        }
        continue;
      }
      this.entries.set(file.uri, {
        uri: file.uri,
        relativePath: file.relativePath,
        included: true,
        focus: false,
        pinned: false,
        mode: 'full',
      });
      if (this.customOrder) this.customOrder.push(file.uri);
      changed.push(file.uri);
      added++;
    }
    this.emit(changed);
    return added;
  }

  /** Removes entries entirely (the tree's Remove action). */
  remove(uris: readonly string[]): void {
    const changed = uris.filter((uri) => this.entries.delete(uri));
    if (this.customOrder && changed.length > 0) {
      const gone = new Set(changed);
      this.customOrder = this.customOrder.filter((uri) => !gone.has(uri));
    }
    this.emit(changed);
  }

  /** Removes every entry whose URI lies under `folderUri` (a folder removed from the Explorer menu). */
  removeUnder(folderUri: string): void {
    const prefix = folderUri.endsWith('/') ? folderUri : folderUri + '/';
    this.remove([...this.entries.keys()].filter((uri) => uri.startsWith(prefix)));
  }

  /** Checks or unchecks files (tree checkboxes, drop plans). */
  setIncluded(uris: readonly string[], included: boolean): void {
    this.update(uris, (entry) => (entry.included === included ? entry : { ...entry, included }));
  }

  setFocus(uris: readonly string[], focus: boolean): void {
    this.update(uris, (entry) => (entry.focus === focus ? entry : { ...entry, focus }));
  }

  setPinned(uris: readonly string[], pinned: boolean): void {
    this.update(uris, (entry) => (entry.pinned === pinned ? entry : { ...entry, pinned }));
  }

  /**
   * Sets how files go into the prompt: `full` or `outline` includes them in that mode, `dropped`
   * unchecks them (their mode is kept for when they are checked again).
   */
  setState(uris: readonly string[], state: FileState): void {
    this.setStates(new Map(uris.map((uri) => [uri, state])));
  }

  /**
   * Applies several state changes as one change event (a drop plan that outlines some files and drops
   * others). Returns the previous state of each file it changed: passing that back undoes it.
   */
  setStates(changes: ReadonlyMap<string, FileState>): Map<string, FileState> {
    const changed: string[] = [];
    const previous = new Map<string, FileState>();
    for (const [uri, state] of changes) {
      const entry = this.entries.get(uri);
      if (!entry) continue;
      const next = state === 'dropped' ? { included: false, mode: entry.mode } : { included: true, mode: state };
      if (entry.included === next.included && entry.mode === next.mode) continue;
      previous.set(uri, fileStateOf(entry));
      this.entries.set(uri, { ...entry, ...next });
      changed.push(uri);
    }
    this.emit(changed);
    return previous;
  }

  /** A file was renamed on disk: keep its flags under the new URI and path. */
  rename(oldUri: string, newUri: string, newRelativePath: string): void {
    const entry = this.entries.get(oldUri);
    if (!entry) return;
    this.entries.delete(oldUri);
    this.entries.set(newUri, { ...entry, uri: newUri, relativePath: newRelativePath });
    if (this.customOrder) this.customOrder = this.customOrder.map((uri) => (uri === oldUri ? newUri : uri));
    this.emit([oldUri, newUri]);
  }

  /** Sets the prompt order (a reorder was applied). Unknown URIs are ignored; missing ones keep path order after the given ones. */
  setOrder(uris: readonly string[] | null): void {
    this.customOrder = uris ? uris.filter((uri) => this.entries.has(uri)) : null;
    this.emit([...this.entries.keys()]);
  }

  clear(): void {
    const changed = [...this.entries.keys()];
    this.entries.clear();
    this.customOrder = null;
    this.emit(changed);
  }

  get(uri: string): SelectionEntry | undefined {
    return this.entries.get(uri);
  }

  has(uri: string): boolean {
    return this.entries.has(uri);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entries in insertion order, without the sort of {@link ordered}. */
  unordered(): SelectionEntry[] {
    return [...this.entries.values()];
  }

  /** Whether some file is in outline mode (checked or not), without sorting the selection. */
  hasOutlineMode(): boolean {
    for (const entry of this.entries.values()) if (entry.mode === 'outline') return true;
    return false;
  }

  get hasCustomOrder(): boolean {
    return this.customOrder !== null;
  }

  /** All entries in prompt order: the applied reorder, else by path. */
  ordered(): SelectionEntry[] {
    this.orderedMemo ??= this.sortedEntries();
    return [...this.orderedMemo];
  }

  private sortedEntries(): SelectionEntry[] {
    const byPath = [...this.entries.values()].sort((a, b) => compareText(a.relativePath, b.relativePath));
    if (!this.customOrder) return byPath;
    const position = new Map(this.customOrder.map((uri, index) => [uri, index]));
    return byPath
      .map((entry, index) => ({ entry, key: position.get(entry.uri) ?? this.customOrder!.length + index }))
      .sort((a, b) => a.key - b.key)
      .map(({ entry }) => entry);
  }

  snapshot(): SelectionSnapshot {
    return { version: 1, entries: this.ordered(), customOrder: this.customOrder ? [...this.customOrder] : null };
  }

  /** Restores a snapshot; anything malformed in it is dropped rather than trusted. */
  restore(snapshot: unknown): void {
    this.entries.clear();
    this.customOrder = null;
    if (isSnapshot(snapshot)) {
      for (const entry of snapshot.entries) {
        // `mode` is absent in snapshots saved before outlines existed: those files were in full.
        if (isEntry(entry)) {
          this.entries.set(entry.uri, {
            uri: entry.uri,
            relativePath: entry.relativePath,
            included: entry.included,
            focus: entry.focus,
            pinned: entry.pinned,
            mode: entry.mode === 'outline' ? 'outline' : 'full',
          });
        }
      }
      if (Array.isArray(snapshot.customOrder)) {
        this.customOrder = snapshot.customOrder.filter((uri): uri is string => typeof uri === 'string' && this.entries.has(uri));
      }
    }
    this.emit([...this.entries.keys()]);
  }

  dispose(): void {
    this._onDidChange.dispose();
  }

  private update(uris: readonly string[], change: (entry: SelectionEntry) => SelectionEntry): void {
    const changed: string[] = [];
    for (const uri of uris) {
      const entry = this.entries.get(uri);
      if (!entry) continue;
      const next = change(entry);
      if (next !== entry) {
        this.entries.set(uri, next);
        changed.push(uri);
      }
    }
    this.emit(changed);
  }

  private emit(changed: readonly string[]): void {
    // Every mutation ends here, so the memo never outlives a change (even one that reports none).
    this.orderedMemo = null;
    if (changed.length > 0) this._onDidChange.fire({ changed });
  }
}

/** Ordinal comparison: stable across locales, so CLI and extension agree on prompt order. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isSnapshot(value: unknown): value is { entries: unknown[]; customOrder: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { version?: unknown }).version === 1 &&
    Array.isArray((value as { entries?: unknown }).entries)
  );
}

function isEntry(value: unknown): value is Omit<SelectionEntry, 'mode'> & { readonly mode?: unknown } {
  const entry = value as Partial<SelectionEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    typeof entry.uri === 'string' &&
    typeof entry.relativePath === 'string' &&
    typeof entry.included === 'boolean' &&
    typeof entry.focus === 'boolean' &&
    typeof entry.pinned === 'boolean'
  );
}
